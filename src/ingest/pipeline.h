#pragma once
// Pipeline: Source → Decoder → dedup (§7.1) → one store::IngestBatch, committed every
// `commit_every` messages and at the end together with the source positions, so a crash never
// loses or double-counts (ARCHITECTURE.md data flow, spec/events.md §3).
//
// Invariant, per run and per (org, accounting hour) and per (org, ingest hour) in the stored
// counters: lines = accepted + ignored + rejected + duplicates. Every counter row carries both
// hours (store::CounterRow), the ingest hour being that of the injected clock's time.
// Accepted and ignored messages go to the raw log; rejected ones to the rejected store (head
// bytes, full length, SHA-256); duplicates are only counted. Notes (§3.4) are counted for
// messages that are not duplicates. Bad data is never an error: Run() fails only for an
// operational failure of the source, the store or the record sink.
//
// Data quality (analytics §4.12), counted here because it describes arrival, not facts:
//  - every accepted record counts kind "arrival", key ArrivalClass(event_ts, ingest time);
//  - an accepted record whose event_ts is older than the org's data clock − options.retention
//    .raw_log when it is ingested, or than the sink's RecordSink::FactsFrom (a past sweep under a
//    shorter horizon), is too old (analytics §7.3): it is logged (flagged RawEntry::too_old) and
//    deduplicated like any accepted record, counts kind "check", key "too_old", and is not passed
//    to the sink, so it reaches no fact. The data clock is the store's DataClock() raised by every
//    message this pipeline kept in the raw log since it opened; FactsFrom is read with it.
// These are counters, not slices: they are reported but never part of a `naap checksum`
// comparison, which covers serving slices only (a rebuild leaves counters untouched).
//
// Threads: the calling thread decodes, deduplicates and builds the raw log; a sink thread feeds
// the sink and commits each finished batch, in order, while the next batch is decoded. At most
// about one batch of accepted messages waits between them (back-pressure), so decoding goes on
// through the sink's resolve and publish at a commit (half a batch left a core idle there: the
// week took 225 s instead of 211 s). When the thread opening the pipeline may run on one CPU only,
// two chunks of them wait instead (base/cpus.h QueueBound: the one-core day peaked 200 MB lower and
// took about 3 % less user CPU, docs/benchmarks-history.md). The store is used by one thread at a
// time: the calling thread reads it only after the sink thread went idle.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "event/decoder.h"
#include "ingest/dedup.h"
#include "ingest/raw_log.h"
#include "ingest/source.h"
#include "store/store.h"

namespace naap::ingest {

// The analytics stage's hook: receives every accepted, non-duplicate message that is not too old,
// in source order. Every call runs on the pipeline's sink thread (never two at once), overlapping
// the decoding of later messages; `decoded.envelope` is empty there (the raw log keeps it).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  virtual Status OnAccepted(const event::Decoded& decoded) = 0;
  // Called before every commit, so the sink's rows join the same atomic batch.
  virtual Status BeforeCommit(store::IngestBatch& batch) = 0;
  // What Pipeline::Run calls before each of its commits instead, saying whether it is the run's
  // last. A sink may defer rows to a later commit of the same run (keeping in the batch what it
  // needs to recover them after a crash) but adds all of them when `run_ends`. By default the
  // rows join this commit.
  virtual Status BeforeRunCommit(store::IngestBatch& batch, bool run_ends) {
    return BeforeCommit(batch);
  }
  // Called before each commit of a run with the pipeline's event-time watermark (never lower than
  // the previous one): every input stream still delivering has passed it, so only late data is
  // older. Before any stream has passed anything it is the lowest Millis.
  virtual void OnWatermark(Millis watermark) {}
  // The first event time of `org` whose records still reach the sink's facts: a past retention
  // sweep cut the hours before it, maybe under a shorter horizon than this pipeline's. Asked once
  // per org, when the pipeline first reads the org's data clock (the sink thread idle).
  virtual Millis FactsFrom(const std::string& org) { return std::numeric_limits<Millis>::min(); }
  // Called after each batch a run handed to BeforeRunCommit was committed (or was empty): the
  // store holds everything the sink took so far.
  virtual void AfterCommit() {}
};

struct PipelineOptions {
  std::string org_override;  // --org / ?org=; the caller validates it
  // The resolver runs at every commit; 100,000 rather than 50,000 took about 2 % off a one-core
  // ingest for 20–30 MB more peak memory (docs/benchmarks-history.md, thirteenth session).
  int64_t commit_every = 100'000;
  size_t rejected_head_bytes = 65'536;
  event::DecoderOptions decoder;
  RetentionPolicy retention;  // raw_log is the too_old horizon
};

// Arrival of a record (analytics §4.12) from the hour h of its event_ts and its ingest time:
// "on_time" when ingested_at <= h + 70 min, "late" when <= h + 1 h + 24 h (within a day of the
// hour closing), else "very_late".
std::string_view ArrivalClass(Millis event_ts, Millis ingested_at);

struct RunStats {
  int64_t lines = 0;
  int64_t accepted = 0;
  int64_t duplicates = 0;
  std::map<std::string, int64_t> ignored;   // by reason
  std::map<std::string, int64_t> rejected;  // by reason
  std::map<std::string, int64_t> accepted_by_family;
  // The first kMaxFirstRejections rejections: (provenance index, reason).
  static constexpr size_t kMaxFirstRejections = 10;
  std::vector<std::pair<int64_t, std::string>> first_rejections;
  int64_t ignored_total() const;
  int64_t rejected_total() const;
};

class Pipeline {
 public:
  ~Pipeline();

  // Loads the dedup index from `store`. `store`, `clock` and `sink` (nullable) must outlive it.
  static Result<std::unique_ptr<Pipeline>> Open(store::Store& store, const Clock& clock,
                                                PipelineOptions options,
                                                RecordSink* sink = nullptr);

  // Drains `source`. Messages read before a source failure are committed, then the source's
  // status is returned. `progress`, if set, is called every 1,024 messages and at the end.
  // After a failed Run() the pipeline must not be reused (its dedup index may hold keys of
  // messages whose batch was not committed).
  Status Run(Source& source, const std::function<void(const RunStats&)>& progress = nullptr);

  // Org for every message of later runs ("" = from each message); the caller validates it.
  void set_org_override(std::string org) { options_.org_override = std::move(org); }
  // Counts of the latest Run().
  const RunStats& stats() const { return stats_; }

 private:
  // (org, accounting hour, ingest hour, kind, family, key)
  using CounterKey = std::tuple<std::string, Millis, Millis, std::string, std::string, std::string>;
  using CounterView = std::tuple<std::string_view, Millis, Millis, std::string_view,
                                 std::string_view, std::string_view>;
  // Hashes and compares counter keys and their views alike, so a count finds its key without
  // copying it (a message counts two or three times).
  struct CounterKeyHash {
    using is_transparent = void;
    size_t operator()(const CounterView& view) const;
    size_t operator()(const CounterKey& key) const;
  };
  struct CounterKeyEqual {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a == b;
    }
  };
  class SinkThread;
  // Where the counts of one message go.
  struct CountSlot {
    std::string_view org;
    Millis hour = 0;
    Millis ingest_hour = 0;
  };

  Pipeline(store::Store& store, const Clock& clock, PipelineOptions options, RecordSink* sink,
           DedupIndex index);
  Status Process(const Message& message);
  // Hands the messages for the sink gathered so far to the sink thread.
  Status SendToSink();
  bool AdmitKeys(const event::Decoded& decoded, std::string_view org, const Sha256Digest* bytes_sha,
                 Millis event_ms, Millis ingest_ms);
  void Count(const CountSlot& slot, std::string_view kind, std::string_view family,
             std::string_view key);
  // What decides whether an org's record is too old (see the top of this file).
  struct OrgHorizon {
    std::optional<Millis> clock;  // the data clock before the current message (nullopt: no event)
    Millis facts_from;            // the sink's FactsFrom
  };
  // The org's horizon, read from the store and the sink when first needed.
  Result<OrgHorizon*> HorizonOf(const std::string& org);
  void KeepRaw(const event::Decoded& decoded, const Message& message, Millis ingest_ms,
               bool too_old);
  void KeepRejected(const event::Decoded& decoded, const Message& message, const Sha256Digest& sha,
                    Millis ingest_ms);
  // Hands the batch to the sink thread; `run_ends` marks the run's last commit.
  Status Commit(const Source& source, bool run_ends);

  // One input stream: a Kafka partition, a file, an HTTP body, the simulator.
  struct Stream {
    std::string position_key;  // SourcePosition key; "" when the source keeps no position
    bool kafka = false;        // stored as the offset, else as "index:byte_offset"
    // The position after the latest message of this batch, from its provenance; formatted only
    // when the batch is built.
    struct Position {
      int64_t offset = -1, index = 0, byte_offset = 0;
    } position;
    bool moved = false;                  // `position` is to be stored with this batch
    std::optional<Millis> newest_event;  // of its accepted messages
    Millis last_delivery = 0;            // ingest clock
  };
  // The stream of `provenance` (the latest one's is remembered: messages come in runs).
  Stream& StreamOf(const event::Provenance& provenance, Millis ingest_ms);
  // Raises watermark_ to the least newest event of the streams that delivered within
  // kStreamIdleMs, unless the source still has a stream that has not spoken.
  void AdvanceWatermark(const Source& source);

  store::Store& store_;
  const Clock& clock_;
  PipelineOptions options_;
  RecordSink* sink_;
  event::Decoder decoder_;
  DedupIndex dedup_;
  // DecodeInput::header_read: prefetches the event id's dedup key while the payload is decoded.
  const std::function<void(std::string_view, std::string_view)> prefetch_key_ =
      [this](std::string_view org, std::string_view event_id) {
        dedup_.Prefetch(org, EventIdKey(event_id));
      };
  RunStats stats_;
  // Per org: the horizon when first needed, its clock raised by every message kept since.
  std::map<std::string, OrgHorizon> horizons_;

  // The batch being accumulated.
  store::IngestBatch batch_;
  RawLogWriter raw_log_;
  std::unordered_map<CounterKey, int64_t, CounterKeyHash, CounterKeyEqual> counters_;
  int64_t pending_ = 0;
  // By (source, topic, partition, path) of the provenance.
  using StreamKey = std::tuple<std::string, std::string, int32_t, std::string>;
  std::map<StreamKey, Stream> streams_;
  std::map<StreamKey, Stream>::iterator last_stream_ = streams_.end();
  Millis watermark_ = std::numeric_limits<Millis>::min();
  std::string provenance_text_;           // reused to avoid allocations
  using Messages = std::vector<std::unique_ptr<event::Decoded>>;
  Messages for_sink_;        // accepted messages not yet handed to the sink thread
  Messages spare_messages_;  // done with by the sink thread (SinkThread::Send)
  std::unique_ptr<SinkThread> sink_thread_;
};

namespace pipeline_internal {

// Accepted messages travel to the sink thread in chunks of this many, to keep locking rare.
inline constexpr size_t kSinkChunk = 256;

}  // namespace pipeline_internal

}  // namespace naap::ingest
