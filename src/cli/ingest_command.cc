// `naap ingest [--store URI] [--org ORG] [--json] FILE...`: files, directories or `-` (stdin)
// through the ingest pipeline and the analytics engine into the store. Exit 0 unless an operational failure (unreadable
// file, corrupt compression, store error) happened; bad events are data, never a failure.
// Exit 2 for a usage error.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/json_writer.h"
#include "base/memory.h"
#include "base/time.h"
#include "cli/commands.h"
#include "event/org.h"
#include "ingest/file_source.h"
#include "ingest/pipeline.h"
#include "ingest/raw_log.h"
#include "publish/analytics.h"
#include "store/store.h"

namespace naap::cli {
namespace {

struct IngestArgs {
  std::string store_uri = "sqlite:naap.db";
  std::optional<std::string> org;
  bool json = false;
  std::vector<std::string> paths;
};

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* format, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, format);
  std::vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  return buf;
}

std::string HumanBytes(int64_t bytes) {
  if (bytes < 1024) return Format("%lld B", static_cast<long long>(bytes));
  if (bytes < (1 << 20)) return Format("%.1f KiB", bytes / 1024.0);
  if (bytes < (1 << 30)) return Format("%.1f MiB", bytes / 1048576.0);
  return Format("%.2f GiB", bytes / 1073741824.0);
}

// A one-line progress display on stderr, redrawn at most five times a second.
class ProgressLine {
 public:
  explicit ProgressLine(const ingest::FileSource& source) : source_(source) {}

  void Update(const ingest::RunStats& stats) {
    auto now = SteadyClock::now();
    if (now - last_draw_ < std::chrono::milliseconds(200)) return;
    last_draw_ = now;
    double seconds = std::max(SecondsSince(start_), 1e-3);
    int64_t done = source_.input_bytes_consumed();
    int64_t total = source_.total_input_bytes();
    std::string line = Format("\r%lld events  %.0f ev/s  %s", static_cast<long long>(stats.lines),
                              stats.lines / seconds, HumanBytes(done).c_str());
    if (total > 0 && done > 0) {
      double fraction = std::min(1.0, static_cast<double>(done) / total);
      int width = 24, filled = static_cast<int>(fraction * width);
      double eta = seconds * (1 - fraction) / fraction;
      line += Format(" / %s  [%s%s] %3.0f%%  ETA %.0fs", HumanBytes(total).c_str(),
                     std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                     fraction * 100, eta);
    }
    std::fprintf(stderr, "%s\033[K", line.c_str());
    drawn_ = true;
  }

  void Clear() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
  }

 private:
  const ingest::FileSource& source_;
  SteadyClock::time_point start_ = SteadyClock::now();
  SteadyClock::time_point last_draw_{};
  bool drawn_ = false;
};

void WriteReasons(JsonWriter& json, const std::map<std::string, int64_t>& by_reason) {
  json.BeginObject();
  for (const auto& [reason, count] : by_reason) json.Key(reason).Int(count);
  json.EndObject();
}

void PrintSummary(const ingest::RunStats& stats, double seconds, bool as_json) {
  if (as_json) {
    JsonWriter json;
    json.BeginObject().Key("lines").Int(stats.lines).Key("accepted").Int(stats.accepted);
    json.Key("ignored");
    WriteReasons(json, stats.ignored);
    json.Key("rejected");
    WriteReasons(json, stats.rejected);
    json.Key("duplicates").Int(stats.duplicates);
    json.Key("seconds").Double(std::round(seconds * 1000) / 1000);
    json.EndObject();
    std::printf("%s\n", json.str().c_str());
    return;
  }
  std::printf("%lld lines: %lld accepted, %lld ignored, %lld rejected, %lld duplicates (%.2f s)\n",
              static_cast<long long>(stats.lines), static_cast<long long>(stats.accepted),
              static_cast<long long>(stats.ignored_total()),
              static_cast<long long>(stats.rejected_total()),
              static_cast<long long>(stats.duplicates), seconds);
  for (const auto& [reason, count] : stats.ignored) {
    std::printf("  ignored  %-45s %lld\n", reason.c_str(), static_cast<long long>(count));
  }
  for (const auto& [reason, count] : stats.rejected) {
    std::printf("  rejected %-45s %lld\n", reason.c_str(), static_cast<long long>(count));
  }
}

// On stderr: how the facts of the raw log already stored came back (Analytics::Restore).
void PrintRestore(const publish::Analytics::RestoreReport& report, double seconds) {
  if (report.from_checkpoint) {
    std::fprintf(stderr,
                 "naap ingest: facts restored from the checkpoint and %lld raw blocks "
                 "after it in %.2f s\n",
                 static_cast<long long>(report.tail_blocks), seconds);
  } else {
    std::fprintf(stderr, "naap ingest: facts restored by replaying the raw log in %.2f s%s%s\n",
                 seconds, report.why_not.empty() ? "" : "; the checkpoint was ",
                 report.why_not.c_str());
  }
}

int RunIngest(const IngestArgs& args) {
  UseLargePages();
  if (args.org && !event::IsValidOrg(*args.org)) {
    std::fprintf(stderr, "naap ingest: invalid --org \"%s\" (expected [a-z0-9][a-z0-9_-]{0,63})\n",
                 args.org->c_str());
    return 2;
  }
  auto fail = [](const Status& st) {
    std::fprintf(stderr, "naap ingest: %s\n", st.ToString().c_str());
    return 1;
  };
  auto store = store::OpenStore(args.store_uri);
  if (!store.ok()) return fail(store.status());
  auto source = ingest::FileSource::Open(args.paths);
  if (!source.ok()) return fail(source.status());

  SystemClock clock;
  ingest::PipelineOptions options;
  options.org_override = args.org.value_or("");
  // The analytics engine first rebuilds its facts from the raw log already stored, so the slices
  // this run publishes reflect every record, old and new.
  // Deliberately never freed: releasing millions of facts one by one would only delay the exit
  // of the process, which ends with this command.
  auto& analytics = *new publish::Analytics(**store, options.decoder);
  const auto restore_start = SteadyClock::now();
  publish::Analytics::RestoreControl restore;
  Status restored = analytics.Restore(&restore);
  if (!restored.ok()) return fail(restored);
  if (restore.hours_total > 0)
    PrintRestore(analytics.restore_report(), SecondsSince(restore_start));
  auto pipeline = ingest::Pipeline::Open(**store, clock, options, &analytics);
  if (!pipeline.ok()) return fail(pipeline.status());

  auto start = SteadyClock::now();
  std::unique_ptr<ProgressLine> progress;
  if (isatty(STDERR_FILENO)) progress = std::make_unique<ProgressLine>(**source);
  Status run = (*pipeline)->Run(**source, [&](const ingest::RunStats& stats) {
    if (progress) progress->Update(stats);
  });
  if (progress) progress->Clear();
  Status sweep;  // after a failed run the Analytics must not be used again
  if (run.ok()) sweep = analytics.SweepRetention({}, /*always=*/true).status();
  PrintSummary((*pipeline)->stats(), SecondsSince(start), args.json);
  if (!run.ok()) return fail(run);
  if (!sweep.ok()) return fail(sweep);
  return 0;
}

}  // namespace

void AddIngestCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<IngestArgs>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Ingest event files (NDJSON or JSON array; gzip/zstd detected; '-' = stdin)");
  cmd->add_option("--store", args->store_uri, "store URI: sqlite:PATH or memory:")
      ->capture_default_str();
  cmd->add_option("--org", args->org, "org for every message (overrides wrapper topics)");
  cmd->add_flag("--json", args->json, "print the run summary as one JSON line");
  cmd->add_option("paths", args->paths, "files or directories to ingest")->required();
  cmd->callback([args, &exit_code] { exit_code = RunIngest(*args); });
}

}  // namespace naap::cli
