// LocalBackend::StartRebuild and the RebuildJob it runs (spec/api.md §4.3):
//  - `verify` copies the raw log into a fresh memory store at a commit boundary (ingest held off
//    only for the copy), rebuilds every serving table there with a fresh analytics engine and
//    compares the per-table checksums with those of the live store taken at the same boundary;
//  - `replace` holds ingest off for the whole rebuild and runs a fresh analytics engine's
//    Rebuild() on the live store, which deletes and republishes every slice in one committed
//    batch, so readers see the old or the new tables, never a mix. The live engine keeps its
//    facts: they are the same pure function of the same raw log, so they equal the rebuilt ones.
#include <algorithm>
#include <limits>
#include <mutex>
#include <set>
#include <utility>

#include "api/local_backend_impl.h"
#include "api/rebuild_job.h"
#include "publish/analytics.h"

namespace naap::api {
namespace {

constexpr Millis kAllHoursFrom = std::numeric_limits<Millis>::min();
constexpr Millis kAllHoursTo = std::numeric_limits<Millis>::max();
// Raw blocks per batch when copying the raw log.
constexpr size_t kCopyBatchBlocks = 256;

// Entries in the raw log of `store` (without reading the payloads).
Result<int64_t> RawLogLines(store::Store& store) {
  Result<store::RawLogStats> stats = store.RawLogSize();
  if (!stats.ok()) return stats.status();
  return stats->entries;
}

// Copies every raw block of `from` into `to`; returns the entries copied.
Result<int64_t> CopyRawLog(store::Store& from, store::Store& to) {
  int64_t lines = 0;
  store::IngestBatch batch;
  auto flush = [&]() -> Status {
    if (batch.raw_blocks.empty()) return Status::Ok();
    Status committed = to.Commit(batch);
    batch.raw_blocks.clear();
    return committed;
  };
  NAAP_RETURN_IF_ERROR(
      from.ScanRawBlocks(kAllHoursFrom, kAllHoursTo, [&](const store::RawBlock& b) {
        lines += b.count;
        batch.raw_blocks.push_back(b);
        return batch.raw_blocks.size() >= kCopyBatchBlocks ? flush() : Status::Ok();
      }));
  NAAP_RETURN_IF_ERROR(flush());
  return lines;
}

// Tables whose checksum or slice count differs, or that only one side holds, in name order.
std::vector<std::string> MismatchedTables(const std::vector<publish::TableChecksum>& live,
                                          const std::vector<publish::TableChecksum>& rebuilt) {
  std::set<std::string> mismatched;
  auto find = [](const std::vector<publish::TableChecksum>& list, const std::string& table) {
    return std::find_if(list.begin(), list.end(),
                        [&](const publish::TableChecksum& c) { return c.table == table; });
  };
  for (const auto* side : {&live, &rebuilt}) {
    const auto& other = side == &live ? rebuilt : live;
    for (const publish::TableChecksum& c : *side) {
      auto it = find(other, c.table);
      if (it == other.end() || it->sha256_hex != c.sha256_hex || it->slices != c.slices) {
        mismatched.insert(c.table);
      }
    }
  }
  return {mismatched.begin(), mismatched.end()};
}

Status Verify(LocalBackend::Impl& impl, RebuildJob::Progress& progress) {
  auto copy = store::OpenStore("memory:");
  if (!copy.ok()) return copy.status();
  const std::vector<std::string> tables = publish::ServingTableNames();
  Result<std::vector<publish::TableChecksum>> live = std::vector<publish::TableChecksum>();
  Result<int64_t> lines = int64_t{0};
  {
    // Between two pipeline runs every batch is committed: the raw log and the live slices agree.
    std::lock_guard ingest_lock(impl.ingest_mu);
    lines = CopyRawLog(impl.store, **copy);
    if (lines.ok()) live = publish::StoredTableChecksums(impl.store, tables);
  }
  if (!lines.ok()) return lines.status();
  if (!live.ok()) return live.status();
  progress.SetLinesTotal(*lines);
  publish::Analytics analytics(**copy);
  NAAP_RETURN_IF_ERROR(analytics.Rebuild(std::nullopt, std::nullopt).status());
  progress.SetLinesReplayed(*lines);
  auto rebuilt = publish::StoredTableChecksums(**copy, tables);
  if (!rebuilt.ok()) return rebuilt.status();
  std::vector<std::string> mismatched = MismatchedTables(*live, *rebuilt);
  const bool match = mismatched.empty();
  progress.SetChecksums(match, std::move(mismatched));
  return Status::Ok();
}

Status Replace(LocalBackend::Impl& impl, RebuildJob::Progress& progress) {
  std::lock_guard ingest_lock(impl.ingest_mu);
  Result<int64_t> lines = RawLogLines(impl.store);
  if (!lines.ok()) return lines.status();
  progress.SetLinesTotal(*lines);
  publish::Analytics analytics(impl.store);
  Status rebuilt = analytics.Rebuild(std::nullopt, std::nullopt).status();
  ++impl.data_version;  // the slices were replaced, or partly on failure
  NAAP_RETURN_IF_ERROR(rebuilt);
  progress.SetLinesReplayed(*lines);
  return Status::Ok();
}

}  // namespace

// ---- RebuildJob ----

void RebuildJob::Progress::SetLinesTotal(int64_t lines_total) {
  std::lock_guard lock(job_.mu_);
  job_.status_.lines_total = lines_total;
}

void RebuildJob::Progress::SetLinesReplayed(int64_t lines_replayed) {
  std::lock_guard lock(job_.mu_);
  job_.status_.lines_replayed = lines_replayed;
}

void RebuildJob::Progress::SetChecksums(bool match, std::vector<std::string> mismatched_tables) {
  std::lock_guard lock(job_.mu_);
  job_.status_.checksums_match = match;
  job_.status_.mismatched_tables = std::move(mismatched_tables);
}

RebuildJob::RebuildJob(const Clock& clock) : clock_(clock) {}

RebuildJob::~RebuildJob() { Wait(); }

Result<RebuildStatus> RebuildJob::Start(std::string_view mode, Work work) {
  std::lock_guard thread_lock(thread_mu_);
  RebuildStatus started;
  {
    std::lock_guard lock(mu_);
    if (status_.state == "running") return InvalidArgument(status_.rebuild_id.value_or(""));
    const Millis now = clock_.NowMs();
    ++started_;
    status_ = RebuildStatus{};
    status_.state = "running";
    status_.rebuild_id = "rebuild-" + std::to_string(started_) + "-" + std::to_string(now);
    status_.mode = std::string(mode);
    status_.started_at = now;
    started = status_;
  }
  if (thread_.joinable()) thread_.join();  // the previous rebuild, already finished
  thread_ = std::thread(&RebuildJob::Run, this, std::move(work));
  return started;
}

void RebuildJob::Run(Work work) {
  Progress progress(*this);
  Status outcome = work(progress);
  std::lock_guard lock(mu_);
  status_.state = outcome.ok() ? "succeeded" : "failed";
  if (!outcome.ok()) status_.error = outcome.ToString();
  status_.finished_at = clock_.NowMs();
}

RebuildStatus RebuildJob::status() const {
  std::lock_guard lock(mu_);
  return status_;
}

void RebuildJob::Wait() {
  std::lock_guard thread_lock(thread_mu_);
  if (thread_.joinable()) thread_.join();
}

// ---- LocalBackend ----

Result<RebuildStatus> LocalBackend::StartRebuild(std::string_view mode) {
  Impl& impl = *impl_;
  NAAP_RETURN_IF_ERROR(impl.Restored(/*wait=*/false));
  if (mode == "verify") {
    return impl.rebuild.Start(mode, [&impl](RebuildJob::Progress& p) { return Verify(impl, p); });
  }
  if (mode == "replace") {
    return impl.rebuild.Start(mode, [&impl](RebuildJob::Progress& p) { return Replace(impl, p); });
  }
  return Internal("unknown rebuild mode \"" + std::string(mode) + "\"");
}

}  // namespace naap::api
