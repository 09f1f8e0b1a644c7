#pragma once
// LocalBackend: the Backend of one naap process (`naap serve`, and the API tests): a store, the
// analytics engine (resolver + publisher) restored from the store's raw log, and ingest into it
// from any Source (files, POST /v1/admin/events bodies, the simulator).
//
// Concurrency: ingest runs the pipeline with the analytics engine as its record sink behind an
// exclusive lock, and ReadFacts() takes the shared side, so handlers see facts between records.
// Every minute the exclusive side also freezes again the hours that reads thawed
// (Resolver::Refreeze), so reading old windows does not grow the memory for good.
// One ingest runs at a time (a mutex serialises IngestSource / IngestBody). The store itself is
// thread-safe (store.h backends serialise their calls).
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/backend.h"
#include "base/time.h"
#include "event/org.h"
#include "ingest/source.h"
#include "store/store.h"

namespace naap::api {

class LocalBackend final : public Backend {
 public:
  // Restores the facts from `store`'s raw log, unless `restore_now` is false: then StartRestore()
  // does, and until it has succeeded what needs the facts (ReadFacts, IngestBody, StartRebuild)
  // answers kUnavailable with kRestoringFacts and IngestSource waits. DataClock reads the store
  // and always answers.
  // `store` and `clock` must outlive the backend. `topics` maps the Kafka topic of a message (and
  // an export wrapper's topic) to its org.
  static Result<std::unique_ptr<LocalBackend>> Open(
      store::Store& store, const Clock& clock, ApiConfig config,
      event::TopicMap topics = event::TopicMap::Default(), bool restore_now = true);
  // Cancels a restore in progress and waits for it.
  ~LocalBackend() override;

  // Restores the facts on a thread of its own, so the API answers meanwhile (`naap serve` on a
  // large store). On failure `failed` is called from that thread, before WaitRestored() returns,
  // and the facts stay unavailable.
  // Called once, after Open(..., restore_now = false).
  void StartRestore(std::function<void(const Status&)> failed);
  // Waits until the restore has ended; its status.
  Status WaitRestored();
  // Stops a restore in progress after the hour it replays (a server that is stopping): `failed`
  // is not called, and the facts and IngestSource stay unavailable (kUnavailable).
  void CancelRestore();

  // Drains `source` through the ingest pipeline and the analytics engine (the same path as
  // `naap ingest`); org_override as --org ("" = from each message). `source_name` labels the
  // source in Pipeline().sources. Returns the run's counts.
  struct IngestCounts {
    int64_t lines = 0, accepted = 0, ignored = 0, rejected = 0, duplicates = 0;
  };
  Result<IngestCounts> IngestSource(ingest::Source& source, std::string_view source_name,
                                    std::string_view source_kind,
                                    std::string_view org_override = "");
  // Live figures of a source that IngestSource() cannot see (Kafka partitions, broker state):
  // Pipeline() replaces the status accumulated under `source_name` (a default one before its
  // first run) by what `probe` makes of it, possibly several entries (one per Kafka topic).
  using SourceStatusProbe = std::function<std::vector<SourceStatus>(const SourceStatus&)>;
  void SetSourceStatusProbe(std::string_view source_name, SourceStatusProbe probe);
  // Convenience for tests and the CLI: ingest files (paths as `naap ingest` takes them).
  Result<IngestCounts> IngestFiles(const std::vector<std::string>& paths,
                                   std::string_view org_override = "");

  const ApiConfig& config() const override;
  store::Store& store() override;
  Millis NowMs() const override;
  Result<std::optional<Millis>> DataClock(std::optional<std::string_view> org) override;
  Status ReadFacts(const std::function<Status(const resolve::FactsView&)>& fn) override;
  uint64_t DataVersion() const override;
  ReadCache* read_cache() override;
  Result<AdminIngestResult> IngestBody(std::string_view body, std::optional<std::string_view> org,
                                       std::string_view source) override;
  Result<RebuildStatus> StartRebuild(std::string_view mode) override;
  PipelineStatus Pipeline() override;
  // The store's raw-log size, read once per data version (Pipeline() and the store metrics).
  Result<std::shared_ptr<const store::RawLogStats>> RawLogSize();
  Status PingStore() override;

  // The private state (local_backend_impl.h), shared by the .cc files of this class only.
  struct Impl;

 private:
  explicit LocalBackend(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace naap::api
