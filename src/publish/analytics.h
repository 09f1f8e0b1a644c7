#pragma once
// Analytics: the ingest pipeline's RecordSink that runs the analytics engine
// (docs/analytics-engine.md): every accepted record goes to the Resolver; before each commit the
// dirty slices are resolved and published into the same batch, so slices, raw log, dedup keys and
// source positions commit together.
//
// Within a pipeline run (BeforeRunCommit), the resolved dirty slices are published every
// kPublishEveryCommits commits and at the run's last commit, not at every commit: a slice that
// stays dirty across commits (the current hour) is built once per publication, not once per
// commit. Until then each commit records the unpublished (org, hour) set in its batch (the
// reserved source position kUnpublishedSlicesPosition), so after a crash Restore() or Rebuild()
// publishes them. BeforeCommit() alone always publishes at once.
//
// Facts live in memory; the resolver settles entities older than its lateness horizon (2 h) and
// reloads their records from the store's raw log (DecodeRawLog) when a late record needs them.
// Restore() gives the resolver back without publishing: from the store's checkpoint when this
// build wrote it (its facts, capability registries and indexes, then the raw blocks committed
// after it), else by replaying the whole raw log
// (decoded again, with each entry's stored ingest time and org) hour by hour. Either way the facts
// are afterwards exactly those the stored slices were built from, also for the capability versions
// a retention sweep cut short (the anchors SweepRetention stores). After each commit of a pipeline
// run the checkpoint is written again when the run ended or kCheckpointEvery passed (AfterCommit).
// Rebuild() replays the whole raw log, then deletes and republishes every slice of a range in one
// batch. Not thread-safe; after a failed commit it must not be reused.
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "event/decoder.h"
#include "ingest/pipeline.h"
#include "publish/publisher.h"
#include "publish/table.h"
#include "resolve/resolver.h"
#include "store/store.h"

namespace naap::publish {

// Every serving table in publishing order; the demand tables read linked payments through
// `resolver` (which must outlive the tables).
std::vector<std::unique_ptr<Table>> ServingTables(const resolve::Resolver& resolver);
// Their names, in the same order.
std::vector<std::string> ServingTableNames();

// The checksum of one table's stored slices: SHA-256 over "org\nhour\nslice sha256\n" of every
// slice in (org, hour) order (hour in decimal milliseconds), and the number of slices.
struct TableChecksum {
  std::string table;
  std::string sha256_hex;
  int64_t slices = 0;
};
// One per table of `tables` and per other table holding stored slices, by table name.
Result<std::vector<TableChecksum>> StoredTableChecksums(store::Store& store,
                                                        const std::vector<std::string>& tables);

class Analytics final : public ingest::RecordSink {
 public:
  // Publishes ServingTables() into `store`, which must outlive the Analytics.
  explicit Analytics(store::Store& store, event::DecoderOptions decoder = {});

  // What a restore obeys and reports while it runs; another thread may set and read it.
  struct RestoreControl {
    std::atomic<bool> cancel{false};                         // stop after the hour being replayed
    std::atomic<int64_t> hours_total{0}, hours_replayed{0};  // raw-log hours, once listed
  };
  // Loads the stored slice checksums and replays the raw log into the resolver. Once
  // `control->cancel` is set it stops after the hour it replays and returns kUnavailable; the
  // Analytics is unusable then.
  Status Restore(RestoreControl* control = nullptr);

  // Replays the raw log, then in one committed batch deletes every stored slice whose hour lies in
  // [from, to] widened to whole UTC days (a bound left out: unbounded) and publishes every slice
  // the facts give for those hours. Slices outside the range change only through the benchmark
  // (days rescored by a changed benchmark day). After a sweep, an org's range starts no earlier
  // than the first whole UTC day its raw log still holds: older slices are frozen (§7.3).
  Result<PublishStats> Rebuild(std::optional<Millis> from, std::optional<Millis> to);

  Status OnAccepted(const event::Decoded& decoded) override;
  Status BeforeCommit(store::IngestBatch& batch) override;
  Status BeforeRunCommit(store::IngestBatch& batch, bool run_ends) override;
  // Writes the checkpoint when the run ended or kCheckpointEvery passed since the last one; a
  // failure is reported on stderr and keeps the stored one (the raw log still holds everything).
  // Changes the checkpoint's bookkeeping only, never the facts: readers of facts() may run beside
  // it.
  void AfterCommit() override;
  // Settling (resolver.h) waits for the inputs that are behind.
  void OnWatermark(Millis watermark) override { resolver_->SetWatermark(watermark); }
  // The org's cut of the last retention sweep (kRetentionPosition; lowest Millis before any):
  // the records of earlier hours reach no fact, live (OnAccepted drops them) or replayed.
  Millis FactsFrom(const std::string& org) override;

  // Commits of a run between two publications.
  static constexpr int kPublishEveryCommits = 8;
  // The source position that holds the resolved (org, hour) slices not yet published.
  static constexpr char kUnpublishedSlicesPosition[] = "analytics:unpublished_slices";

  // The source position that holds the last sweep's cuts (org → first raw-log hour kept), its
  // serving horizon, and the capability registry's anchors (resolve::VersionAnchor) of the
  // versions that began before a cut and were still sighted after it.
  static constexpr char kRetentionPosition[] = "analytics:retention";

  // Retention (events §7.2, analytics §7.3), from each org's data clock: once an hour has left
  // the horizon of some org of the raw log since the last sweep (this process's, or the stored
  // one's), or the serving horizon changed, stores the new cuts with the registry's anchors at
  // them, sweeps the store to them (ingest::RetentionCuts: raw log, dedup keys, rejected rows,
  // and the serving slices and counters of the days past the serving horizon) and forgets the
  // facts of the hours the raw log no longer holds (Resolver::Prune), so a long-running server
  // holds the retained hours only, as a restart would (its replay starts from the stored
  // anchors). A policy without a serving horizon takes the stored one. `always` sweeps even when
  // no cut moved, for the raw entries and counters of too_old records that came in since (a run
  // of `naap ingest`). True when it swept. Serialised like OnAccepted.
  Result<bool> SweepRetention(const ingest::RetentionPolicy& policy, bool always = false);

  // Writes the resolver's checkpoint, covering every raw block committed so far (call between
  // commits). Does nothing when the stored one holds this state already (nothing was added since
  // it was written or restored), or once raw blocks this resolver never took were committed
  // (another process writing to the store): the checkpoint would not hold them.
  Status WriteCheckpoint();
  static constexpr std::chrono::minutes kCheckpointEvery{10};
  // How the last Restore() got the facts back.
  struct RestoreReport {
    bool from_checkpoint = false;
    std::string why_not;      // without the checkpoint: why ("" when the store held none)
    int64_t tail_blocks = 0;  // raw blocks replayed after the checkpoint
  };
  const RestoreReport& restore_report() const { return restore_report_; }

  // Freezes again the hours that reads of facts() thawed (Resolver::Refreeze); serialised like
  // OnAccepted.
  void Refreeze() { resolver_->Refreeze(); }

  const Publisher& publisher() const { return *publisher_; }
  // Frozen (org, hour, fact kind) parts of the facts (Resolver::FrozenHours).
  size_t FrozenHours() const { return resolver_->FrozenHours(); }
  // The resolver's facts; callers serialise with OnAccepted/BeforeCommit themselves.
  const resolve::FactsView& facts() const { return *resolver_; }

 private:
  // The resolver's loader (resolve::RecordLoader): decodes every raw log entry of `org` and of
  // `families` in [from_hour, to_hour] with its stored ingest time and org, and calls fn with each
  // accepted message. Entries of other orgs and families, and (unless reclassify_) those ingest
  // ignored, are skipped before they are decoded.
  Status DecodeRawLog(std::string_view org, std::span<const std::string_view> families,
                      Millis from_hour, Millis to_hour, const resolve::MessageFn& fn);
  // A resolver and publisher that hold nothing yet.
  void ResetEngine();
  // Restores the resolver from the stored checkpoint, after LoadRetention(): false (nothing
  // loaded) when there is none or another build wrote it. An error leaves the resolver partly
  // loaded.
  Result<bool> ResumeFromCheckpoint(RestoreControl* control);
  // Adds the raw blocks committed after `covers_seq`, in commit order, resolving after each group.
  Status ReplayTail(int64_t covers_seq, RestoreControl* control);
  // Replays the raw log hour by hour, resolving after each hour (so entities settle during the
  // replay); returns every slice a Resolve() reported. A second thread reads and decodes the
  // hours (DecodeRawLogHours) while this one adds and resolves, running ahead into the next hour.
  Result<DirtySlices> ReplayRawLog(RestoreControl* control = nullptr);
  // Resolves, then publishes every unpublished slice into `batch`, or (`defer`) keeps them for a
  // later commit and records them in the batch. `after_each_day` as in Publisher::Publish.
  Status ResolveAndPublish(store::IngestBatch& batch, bool defer,
                           const std::function<void()>& after_each_day = nullptr);
  // Reads the slices a crashed run left unpublished into unpublished_.
  Status LoadUnpublished();
  // Reads the last sweep's cuts into swept_cuts_ and gives the resolver its anchors
  // (kRetentionPosition); before a replay.
  Status LoadRetention();
  // Records unpublished_ in `batch` (clearing the stored record when it is empty).
  void RecordUnpublished(store::IngestBatch& batch);

  store::Store& store_;
  event::DecoderOptions decoder_options_;
  std::unique_ptr<resolve::Resolver> resolver_;
  std::unique_ptr<Publisher> publisher_;  // reads resolver_
  DirtySlices unpublished_;          // resolved dirty slices not yet published
  bool unpublished_stored_ = false;  // the store's record of unpublished slices is not empty
  int deferred_commits_ = 0;         // commits since the last publication
  std::map<std::string, Millis> swept_cuts_;  // SweepRetention's last cuts: org → first hour kept
  std::optional<Millis> serving_horizon_;     // and its serving horizon
  // The replay and the reloads decode the raw-log entries ingest ignored too (set by Rebuild: the
  // decoder may have changed since). Without it they are skipped: the same decoder ignores them.
  bool reclassify_ = false;
  // The checkpoint's bookkeeping: the resolver holds every raw block up to known_seq_ (and none
  // after), unless foreign_blocks_; committing_blocks_ are in the batch being committed.
  int64_t known_seq_ = 0;
  bool foreign_blocks_ = false;
  bool checkpoint_current_ = false;  // the stored checkpoint holds exactly the resolver's state
  size_t committing_blocks_ = 0;
  bool run_ended_ = false;
  std::chrono::steady_clock::time_point last_checkpoint_ = std::chrono::steady_clock::now();
  // While the tail after a checkpoint is replayed: the loader reads raw blocks up to this seq only
  // (later ones are still to be added).
  std::optional<int64_t> loader_max_seq_;
  RestoreReport restore_report_;
};

}  // namespace naap::publish
