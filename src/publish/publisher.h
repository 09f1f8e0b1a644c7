#pragma once
// Publisher (docs/analytics-engine.md): turns the dirty (org, hour) set of one resolve cycle into
// the serving slices that changed, appended to the ingest batch so they commit atomically with the
// data they came from.
//
// Per cycle, the dirty slices are built one UTC day at a time in time order, and within a day
// table by table in the given (publishing) order. A table's keys are the day's dirty
// (org, hour)s, except: the benchmark table's keys are (org "", day start) of every dirty hour's
// day; a scored table (the SLA rows) also gets, for every benchmark day d whose slice changed in
// this cycle, the 7 × 24 hours of days d + 1 … d + 7 of every org of the facts. A built slice is
// emitted only when its SHA-256 differs from the stored one ("" rows delete a stored slice; an
// absent slice that stays empty is not emitted).
//
// Invariants: the checksums of every stored slice are held in memory (LoadStoredChecksums), so a
// comparison never reads the store; PublishContext::Slice() returns a slice built earlier in the
// cycle, else the stored rows (read once per cycle). PublishContext::Memo() entries are kept across
// cycles and dropped for every dirty (org, hour) before a cycle builds anything, so they always
// equal a fresh derivation from the current facts (Resolve() reports every (org, hour) whose facts
// changed). The in-memory checksums assume each batch
// commits: after a failed commit the Publisher must not be reused. Not thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "publish/table.h"
#include "resolve/facts_view.h"
#include "store/store.h"

namespace naap::publish {

// (org, hour) slices whose inputs changed, as resolve::Resolver::Resolve() reports them.
using DirtySlices = std::set<std::pair<std::string, Millis>>;

struct PublisherOptions {
  std::string benchmark_table = "api_sla_benchmark_daily";
  std::set<std::string> scored_tables = {"api_hourly_streaming_sla"};
  int benchmark_lookahead_days = 7;
};

struct PublishStats {
  int64_t built = 0;    // slices built
  int64_t written = 0;  // non-empty slices emitted
  int64_t deleted = 0;  // empty slices emitted over a stored one
};

class Publisher {
 public:
  // `store` must outlive the Publisher; it is read for stored slices only.
  Publisher(std::vector<std::unique_ptr<Table>> tables, store::Store& store,
            PublisherOptions options = {});

  const std::vector<std::unique_ptr<Table>>& tables() const { return tables_; }

  // Replaces the in-memory checksums with those of every slice in the store.
  Status LoadStoredChecksums();

  // Appends to `batch` the removal of every slice of every table with from_hour <= hour <= to_hour
  // (of `org`, or of every org) and forgets their checksums and memos, so the next Publish()
  // re-emits every non-empty one.
  void DeleteRange(Millis from_hour, Millis to_hour, store::IngestBatch& batch,
                   const std::optional<std::string>& org = std::nullopt);
  // Forgets the checksums and memos of the slices of `org` with hour < before_hour, which a
  // retention sweep (Store::Sweep) removed.
  void ForgetBefore(const std::string& org, Millis before_hour);

  // Builds the slices `dirty` marks and appends the changed ones to `batch.slices`, one UTC day
  // at a time in time order. `after_each_day` runs after each day's slices were built; no fact
  // pointer read before it is used after it, so it may freeze the facts again.
  Status Publish(const resolve::FactsView& facts, const DirtySlices& dirty,
                 store::IngestBatch& batch, const std::function<void()>& after_each_day = nullptr);

  const PublishStats& stats() const { return stats_; }

 private:
  using SliceKey = std::tuple<std::string, std::string, Millis>;  // (table, org, hour)
  class Cycle;

  // Appends `rows` for `key` to `batch` unless the store already has them ("" deletes a stored
  // slice); true when appended.
  bool Emit(const SliceKey& key, const std::string& rows, store::IngestBatch& batch);

  std::vector<std::unique_ptr<Table>> tables_;
  store::Store& store_;
  PublisherOptions options_;
  // Forgets the checksums and memos of the slices with from_hour <= hour <= to_hour (of `org`).
  void Forget(Millis from_hour, Millis to_hour, const std::optional<std::string>& org);

  std::map<SliceKey, std::string> stored_sha256_;  // checksum of every stored slice
  // PublishContext::Memo, by (org, hour, kind); entries of dirty (org, hour)s go at each Publish.
  using Memos = std::map<std::tuple<std::string, Millis, std::string>, std::string>;
  Memos memo_;
  PublishStats stats_;
};

}  // namespace naap::publish
