#pragma once
// Registry: the process's Prometheus metrics (text exposition format 0.0.4, spec/api.md §1.13).
// Families are registered once by name with their type and help; a series is a family plus a label
// set. Updates are lock-free after the series exists (atomics); Render() writes every family in
// registration order and its series in label order, so scrapes are deterministic. Collectors run
// at Render() time for figures owned elsewhere (process CPU and memory, ingest lag, …).
// Thread-safe.
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace naap::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;  // in the family's label order

class Counter {
 public:
  void Add(double v = 1);
  double value() const;

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v);
  void Add(double v);
  double value() const;

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double v);
  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Cumulative bucket counts (one per bound, then +Inf), sum and count, read together.
  struct Snapshot {
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  Snapshot Read() const;

 private:
  std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last = +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

// One sample a collector reports: a family it declared, labels and value.
struct Sample {
  std::string name;
  Labels labels;
  double value = 0;
};

class Registry {
 public:
  Registry();
  ~Registry();

  // The series of family `name` with `labels`, created on first use. A family's type and help are
  // fixed by the first call; later calls with another type abort (a programming error).
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help,
                          const std::vector<double>& upper_bounds, const Labels& labels = {});

  // A collector declares gauge or counter families (name, help, "gauge"|"counter") and reports
  // their samples when called at Render() time (under the registry's lock: a collector must not
  // call back into the registry). A declared name must not be registered otherwise.
  struct CollectedFamily {
    std::string name, help, type;
  };
  void AddCollector(std::vector<CollectedFamily> families,
                    std::function<std::vector<Sample>()> collect);

  // The exposition text of every family.
  std::string Render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Registers process_cpu_seconds_total, process_resident_memory_bytes,
// process_virtual_memory_bytes, process_open_fds and process_start_time_seconds (read from
// /proc/self and /proc/stat at render time).
void AddProcessCollector(Registry& registry);

}  // namespace naap::metrics
