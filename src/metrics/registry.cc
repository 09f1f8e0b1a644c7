#include "metrics/registry.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace naap::metrics {

void Counter::Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
double Counter::value() const { return value_.load(std::memory_order_relaxed); }

void Gauge::Set(double v) { value_.store(v, std::memory_order_relaxed); }
void Gauge::Add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
double Gauge::value() const { return value_.load(std::memory_order_relaxed); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::Observe(double v) {
  // The first bucket whose upper bound is ≥ v (le is inclusive); past the last bound: +Inf.
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  std::lock_guard lock(mu_);
  ++counts_[bucket];
  sum_ += v;
  ++count_;
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snap;
  std::lock_guard lock(mu_);
  snap.cumulative.reserve(counts_.size());
  uint64_t running = 0;
  for (uint64_t c : counts_) snap.cumulative.push_back(running += c);
  snap.sum = sum_;
  snap.count = count_;
  return snap;
}

namespace {

enum class Type { kCounter, kGauge, kHistogram };

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kCounter:
      return "counter";
    case Type::kGauge:
      return "gauge";
    case Type::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// A sample value as the text format writes it: the shortest text that round-trips, or
// +Inf / -Inf / NaN.
void AppendValue(double v, std::string& out) {
  if (std::isnan(v)) {
    out += "NaN";
  } else if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v == 0 ? 0.0 : v);
    out.append(buf, end);
  }
}

// HELP text escapes backslash and newline; label values also escape the double quote.
void AppendEscaped(std::string_view text, bool quote, std::string& out) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (quote && c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// `name{k="v",…,extra}` (no braces when there are no labels at all).
void AppendSeries(std::string_view name, const Labels& labels, std::string_view extra_label,
                  std::string_view extra_value, std::string& out) {
  out += name;
  if (labels.empty() && extra_label.empty()) return;
  out += '{';
  bool first = true;
  auto add = [&](std::string_view k, std::string_view v) {
    if (!first) out += ',';
    first = false;
    out += k;
    out += "=\"";
    AppendEscaped(v, /*quote=*/true, out);
    out += '"';
  };
  for (const auto& [k, v] : labels) add(k, v);
  if (!extra_label.empty()) add(extra_label, extra_value);
  out += '}';
}

void AppendLine(std::string_view name, const Labels& labels, double value, std::string& out) {
  AppendSeries(name, labels, "", "", out);
  out += ' ';
  AppendValue(value, out);
  out += '\n';
}

void AppendHeader(std::string_view name, std::string_view help, std::string_view type,
                  std::string& out) {
  out += "# HELP ";
  out += name;
  out += ' ';
  AppendEscaped(help, /*quote=*/false, out);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

}  // namespace

struct Registry::Impl {
  // A family of series; `collector` ≥ 0 marks one declared by collector number `collector`.
  struct Family {
    std::string name, help;
    Type type = Type::kCounter;
    std::vector<double> bounds;  // histograms
    std::map<Labels, std::unique_ptr<Counter>> counters;
    std::map<Labels, std::unique_ptr<Gauge>> gauges;
    std::map<Labels, std::unique_ptr<Histogram>> histograms;
    int collector = -1;
  };

  mutable std::mutex mu;
  std::vector<std::unique_ptr<Family>> families;  // registration order
  std::map<std::string, Family*, std::less<>> by_name;
  std::vector<std::function<std::vector<Sample>()>> collectors;

  Family& Find(std::string_view name, std::string_view help, Type type) {
    auto it = by_name.find(name);
    if (it != by_name.end()) {
      if (it->second->type != type || it->second->collector >= 0) {
        std::fprintf(stderr, "metrics: family %.*s registered twice with different types\n",
                     static_cast<int>(name.size()), name.data());
        std::abort();
      }
      return *it->second;
    }
    auto family = std::make_unique<Family>();
    family->name = std::string(name);
    family->help = std::string(help);
    family->type = type;
    Family& ref = *family;
    by_name.emplace(ref.name, &ref);
    families.push_back(std::move(family));
    return ref;
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter& Registry::GetCounter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& slot = impl_->Find(name, help, Type::kCounter).counters[labels];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  auto& slot = impl_->Find(name, help, Type::kGauge).gauges[labels];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::GetHistogram(std::string_view name, std::string_view help,
                                  const std::vector<double>& upper_bounds, const Labels& labels) {
  std::lock_guard lock(impl_->mu);
  Impl::Family& family = impl_->Find(name, help, Type::kHistogram);
  if (family.histograms.empty()) family.bounds = upper_bounds;
  auto& slot = family.histograms[labels];
  if (!slot) slot = std::make_unique<Histogram>(family.bounds);
  return *slot;
}

void Registry::AddCollector(std::vector<CollectedFamily> families,
                            std::function<std::vector<Sample>()> collect) {
  std::lock_guard lock(impl_->mu);
  const int index = static_cast<int>(impl_->collectors.size());
  impl_->collectors.push_back(std::move(collect));
  for (CollectedFamily& declared : families) {
    const Type type = declared.type == "counter" ? Type::kCounter : Type::kGauge;
    if (impl_->by_name.count(declared.name) > 0) {
      std::fprintf(stderr, "metrics: collector family %s is already registered\n",
                   declared.name.c_str());
      std::abort();
    }
    Impl::Family& family = impl_->Find(declared.name, declared.help, type);
    family.collector = index;
  }
}

std::string Registry::Render() const {
  std::lock_guard lock(impl_->mu);
  // Collectors run first, outside any family, and their samples are grouped by family name and
  // sorted by labels like registered series.
  std::map<std::string, std::map<Labels, double>, std::less<>> collected;
  for (const auto& collect : impl_->collectors) {
    for (Sample& sample : collect()) {
      collected[sample.name][std::move(sample.labels)] = sample.value;
    }
  }
  std::string out;
  for (const auto& family : impl_->families) {
    AppendHeader(family->name, family->help, TypeName(family->type), out);
    if (family->collector >= 0) {
      auto it = collected.find(family->name);
      if (it == collected.end()) continue;
      for (const auto& [labels, value] : it->second) AppendLine(family->name, labels, value, out);
      continue;
    }
    for (const auto& [labels, counter] : family->counters) {
      AppendLine(family->name, labels, counter->value(), out);
    }
    for (const auto& [labels, gauge] : family->gauges) {
      AppendLine(family->name, labels, gauge->value(), out);
    }
    for (const auto& [labels, histogram] : family->histograms) {
      const Histogram::Snapshot snap = histogram->Read();
      const std::string bucket = family->name + "_bucket";
      for (size_t i = 0; i < snap.cumulative.size(); ++i) {
        std::string le;
        if (i < family->bounds.size()) {
          AppendValue(family->bounds[i], le);
        } else {
          le = "+Inf";
        }
        AppendSeries(bucket, labels, "le", le, out);
        out += ' ';
        AppendValue(static_cast<double>(snap.cumulative[i]), out);
        out += '\n';
      }
      AppendLine(family->name + "_sum", labels, snap.sum, out);
      AppendLine(family->name + "_count", labels, static_cast<double>(snap.count), out);
    }
  }
  return out;
}

namespace {

// The process figures of /proc/self; absent figures are left out of the samples.
std::vector<Sample> CollectProcess() {
  std::vector<Sample> samples;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name (which may contain spaces): state is field 3.
  const size_t close = stat.rfind(')');
  if (close != std::string::npos) {
    std::istringstream fields(stat.substr(close + 2));
    std::vector<std::string> f((std::istream_iterator<std::string>(fields)),
                               std::istream_iterator<std::string>());
    // f[0] is field 3; utime = field 14, stime = 15, starttime = 22.
    if (f.size() > 19 && ticks > 0) {
      const double cpu =
          (std::strtod(f[11].c_str(), nullptr) + std::strtod(f[12].c_str(), nullptr)) / ticks;
      samples.push_back({"process_cpu_seconds_total", {}, cpu});
      std::ifstream proc_stat("/proc/stat");
      std::string key;
      double boot_time = 0;
      while (proc_stat >> key) {
        if (key == "btime") {
          proc_stat >> boot_time;
          break;
        }
      }
      if (boot_time > 0) {
        samples.push_back({"process_start_time_seconds",
                           {},
                           boot_time + std::strtod(f[19].c_str(), nullptr) / ticks});
      }
    }
  }
  std::ifstream statm("/proc/self/statm");
  double total_pages = 0, resident_pages = 0;
  if (statm >> total_pages >> resident_pages) {
    const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
    samples.push_back({"process_resident_memory_bytes", {}, resident_pages * page});
    samples.push_back({"process_virtual_memory_bytes", {}, total_pages * page});
  }
  if (DIR* dir = opendir("/proc/self/fd")) {
    double fds = 0;
    while (const dirent* entry = readdir(dir)) {
      if (entry->d_name[0] != '.') ++fds;
    }
    closedir(dir);
    samples.push_back({"process_open_fds", {}, fds - 1});  // minus the directory stream's own fd
  }
  return samples;
}

}  // namespace

void AddProcessCollector(Registry& registry) {
  registry.AddCollector(
      {{"process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", "counter"},
       {"process_resident_memory_bytes", "Resident memory size in bytes.", "gauge"},
       {"process_virtual_memory_bytes", "Virtual memory size in bytes.", "gauge"},
       {"process_open_fds", "Number of open file descriptors.", "gauge"},
       {"process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
        "gauge"}},
      CollectProcess);
}

}  // namespace naap::metrics
