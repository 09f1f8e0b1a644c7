#pragma once
// LocalBackend's private state, shared by local_backend.cc and local_backend_rebuild.cc.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>

#include "api/local_backend.h"
#include "api/read_cache.h"
#include "api/rebuild_job.h"
#include "base/periodic.h"
#include "ingest/pipeline.h"
#include "publish/analytics.h"

namespace naap::api {

// The analytics engine as the pipeline's record sink, behind the exclusive side of the facts lock
// (the shared side for AfterCommit, which writes the checkpoint).
// Also notes, per run, the (org, hour) slices its records touched and the newest event time.
class LockedSink final : public ingest::RecordSink {
 public:
  LockedSink(publish::Analytics& analytics, std::shared_mutex& facts_mu)
      : analytics_(analytics), facts_mu_(facts_mu) {}
  Status OnAccepted(const event::Decoded& decoded) override;
  Status BeforeCommit(store::IngestBatch& batch) override;
  // Defers publication within a long run (a Kafka backlog) like `naap ingest`; a run's last
  // commit publishes everything, so what a finished run served is always complete.
  Status BeforeRunCommit(store::IngestBatch& batch, bool run_ends) override;
  void OnWatermark(Millis watermark) override;
  Millis FactsFrom(const std::string& org) override;
  void AfterCommit() override;

  // Read between runs only (the pipeline's sink thread is idle then).
  void ResetRun() {
    touched_.clear();
    newest_event_.reset();
  }
  const std::set<std::pair<std::string, Millis>>& touched() const { return touched_; }
  std::optional<Millis> newest_event() const { return newest_event_; }

 private:
  publish::Analytics& analytics_;
  std::shared_mutex& facts_mu_;
  std::set<std::pair<std::string, Millis>> touched_;
  std::optional<Millis> newest_event_;
};

struct LocalBackend::Impl {
  // Distinct read results kept (route_util::CachedQuery keys, decoded raw-log hours, …).
  static constexpr size_t kReadCacheEntries = 512;
  // Their bytes, as far as values state them: a decoded raw-log hour of status samples (B10, B11)
  // at today's volume is about 52 MB (40k samples).
  static constexpr size_t kReadCacheBytes = 256 << 20;

  Impl(store::Store& s, const Clock& c, ApiConfig cfg, event::TopicMap t)
      : store(s),
        clock(c),
        config(std::move(cfg)),
        topics(std::move(t)),
        analytics(s),
        sink(analytics, facts_mu) {}

  // Restores the facts and opens the pipeline; on failure (not a cancel) calls `failed`. Then
  // ends restore_running and wakes the waiters.
  Status Restore(const std::function<void(const Status&)>& failed = nullptr);
  // Waits while the restore runs; ok once it succeeded, else its failure (kUnavailable with
  // kRestoringFacts when `wait` is false and it still runs).
  Status Restored(bool wait);

  store::Store& store;
  const Clock& clock;
  ApiConfig config;
  event::TopicMap topics;
  std::shared_mutex facts_mu;  // shared: handlers reading facts; exclusive: the sink
  publish::Analytics analytics;
  LockedSink sink;
  std::mutex ingest_mu;  // one pipeline run at a time
  std::unique_ptr<ingest::Pipeline> pipeline;
  // Bumped after every pipeline run that read lines (its batches are committed by then) and after
  // a rebuild; read_cache entries are keyed by it.
  std::atomic<uint64_t> data_version{0};
  ReadCache read_cache{kReadCacheEntries, kReadCacheBytes};

  // Both set once, when the restore ends (under status_mu; restore_ended wakes the waiters).
  bool restore_running = true;
  Status restore_status;
  publish::Analytics::RestoreControl restore_control;  // CancelRestore() sets its cancel
  std::condition_variable restore_ended;
  std::thread restorer;  // StartRestore's thread

  std::mutex status_mu;  // guards the figures below
  Millis started_at = 0;
  std::map<std::string, SourceStatus> sources;
  std::map<std::string, SourceStatusProbe> probes;  // by source name
  IngestCounts totals;
  std::optional<Millis> last_ingested_at, last_publish_at;

  // Once the facts are restored (at its end, then every config.maintain_every_ms, even with no
  // ingest running): refreezes the hours that reads thawed and sweeps retention (Retention(),
  // with the facts of the hours it drops). A sweep failure goes to stderr and the next round
  // tries again.
  void Maintain();
  // config.raw_retention_ms of raw log: what Maintain() keeps and the pipeline's too_old horizon,
  // so no record older than a sweep's cut reaches the facts; config.serving_retention_ms of
  // serving slices.
  ingest::RetentionPolicy Retention() const {
    ingest::RetentionPolicy policy;
    policy.raw_log = config.raw_retention_ms;
    policy.serving = config.serving_retention_ms;
    return policy;
  }
  Periodic maintainer{std::chrono::milliseconds(config.maintain_every_ms), [this] { Maintain(); }};
  // Declared last: destroyed first, so a running rebuild finishes while the rest still exists.
  RebuildJob rebuild{clock};
};

}  // namespace naap::api
