#pragma once
// The Store: one interface for everything naap persists. Backends: sqlite/ (embedded default),
// memory/ (unit tests), and later ClickHouse. Every backend passes store_conformance_test.
//
// Contract: Commit() applies a whole IngestBatch atomically (after a crash all of it or none of
// it is visible), so source positions always match the data they produced. Readers see only
// committed batches. Counter deltas are summed into existing rows.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "base/time.h"

namespace naap::store {

// One compressed block of the raw event log. All entries share org and the UTC hour of their
// event_ts (the partition). The payload is encoded by ingest/raw_log and opaque to the store.
struct RawBlock {
  std::string org;
  Millis hour = 0;
  Millis min_ts = 0, max_ts = 0;  // event_ts range of the entries
  int64_t count = 0;              // entries in the block
  uint32_t crc32 = 0;             // of payload
  std::string payload;
  // Commit order, set by the store when it reads a block (Commit ignores it): ascending over
  // commits and never given again, not even after the block is swept.
  int64_t seq = 0;
};

// A rejected message (spec/events.md §3.3): head bytes bounded, the full length and SHA-256 kept.
struct RejectedRow {
  std::string org;  // "" when no org resolved
  std::string reason;
  std::string detail;
  std::string provenance;
  Millis ingest_ms = 0;
  int64_t total_bytes = 0;
  std::string sha256_hex;
  std::string head;  // first N bytes (65,536 by default)
};

// Data-quality accounting (§3.2, §3.4; analytics §4.12). kind is "accepted" (key = subtype),
// "ignored" (key = reason), "rejected" (key = reason, family ""), "duplicate" (key ""), "note"
// (key = note), "arrival" (key = on_time | late | very_late) or "check" (key = too_old).
// hour is the accounting hour, ingest_hour the UTC hour of the ingest time; both are hour starts,
// so summing over either gives the event-time or the ingest-time view.
struct CounterRow {
  std::string org;
  Millis hour = 0;
  Millis ingest_hour = 0;
  std::string kind;
  std::string family;
  std::string key;
  int64_t count = 0;
  friend bool operator==(const CounterRow&, const CounterRow&) = default;
};

// A dedup key (§7.1): digest of (event_id) or (worker_lifecycle, data.id) or (SHA-256 of bytes),
// scoped by org. event_ts (or ingest time for rejected) and first_seen drive retention.
struct DedupEntry {
  std::string org;
  Key128 key;
  Millis event_ms = 0;
  Millis first_seen_ms = 0;
};

// One slice of a serving table (spec/analytics.md §0.4): the table codec's canonical bytes of the
// rows of (org, hour); the benchmark's slices have org "" and hour = the cohort day's start.
// In a batch, rows "" deletes the stored slice.
struct Slice {
  std::string table;
  std::string org;
  Millis hour = 0;
  std::string rows;
  std::string sha256_hex;  // SHA-256 of rows, lower-case hex; "" when rows is ""
};

// Every slice of `table` with from_hour <= hour <= to_hour, of `org` or of every org (rebuild
// removes a range).
struct SliceRange {
  std::string table;
  Millis from_hour = 0, to_hour = 0;
  std::optional<std::string> org;  // nullopt: every org
};

struct IngestBatch {
  std::vector<RawBlock> raw_blocks;
  std::vector<RejectedRow> rejected;
  std::vector<DedupEntry> dedup;
  std::vector<CounterRow> counters;  // deltas
  std::vector<std::pair<std::string, std::string>> positions;  // source id → position (replaced)
  // Slices: the ranges are deleted first, then each slice is replaced or deleted, in order.
  std::vector<SliceRange> deleted_slice_ranges;
  std::vector<Slice> slices;
  bool empty() const {
    return raw_blocks.empty() && rejected.empty() && dedup.empty() && counters.empty() &&
           positions.empty() && deleted_slice_ranges.empty() && slices.empty();
  }
};

// Retention cut for one org (spec/events.md §7.2), all bounds exclusive-below.
struct RetentionCut {
  std::string org;
  Millis raw_before_hour = 0;      // raw blocks with hour < this go
  Millis dedup_event_before = 0;   // dedup entries with event_ms < this ...
  Millis dedup_seen_before = 0;    // ... and first_seen_ms < this go
  Millis rejected_before = 0;      // rejected rows with ingest_ms < this go
  Millis serving_before_hour = 0;  // serving slices and counter rows with hour < this go
};

// Size of the raw event log, for status reports.
struct RawLogStats {
  int64_t blocks = 0;
  int64_t entries = 0;  // the sum of the blocks' counts
  int64_t payload_bytes = 0;
  std::optional<Millis> oldest_event;  // min of the blocks' min_ts
};

// What this process's Commit() calls cost, whatever the backend (the naap_store_* metrics).
struct CommitStats {
  uint64_t commits = 0;   // batches committed
  uint64_t failed = 0;    // batches refused or not committed
  double seconds = 0;     // wall time spent in Commit(), both kinds
  int64_t raw_bytes = 0;  // raw-log payload bytes in the committed batches
};

class Store {
 public:
  virtual ~Store() = default;

  // Applies `batch` with the backend's CommitBatch() and counts it in commit_stats().
  Status Commit(const IngestBatch& batch);
  CommitStats commit_stats() const;

  // Dedup entries are append-only. Callers commit each (org, key) once (ingest checks its
  // in-memory index first); a key committed again is stored again, each copy swept on its own
  // times, so the key lasts until its last copy goes.
  // Every stored dedup key, in no particular order (loads the in-memory index at start-up),
  // reported once per stored copy.
  virtual Status ForEachDedupKey(const std::function<void(std::string_view org, const Key128&)>& fn) = 0;

  virtual Result<std::optional<std::string>> SourcePosition(std::string_view source) = 0;

  // Raw blocks with from_hour <= hour <= to_hour, ordered by (hour, org, seq).
  virtual Status ScanRawBlocks(Millis from_hour, Millis to_hour,
                               const std::function<Status(const RawBlock&)>& fn) = 0;
  // Raw blocks with seq > after_seq, ordered by seq.
  virtual Status ScanRawBlocksAfter(int64_t after_seq,
                                    const std::function<Status(const RawBlock&)>& fn) = 0;
  // The highest seq ever given to a raw block (swept or not); 0 before the first.
  virtual Result<int64_t> LastRawSeq() = 0;
  // Block count, payload bytes and oldest event of the raw log, without reading payloads.
  virtual Result<RawLogStats> RawLogSize() = 0;
  // The distinct hours that hold raw blocks, ascending, without reading payloads.
  virtual Result<std::vector<Millis>> RawLogHours() = 0;
  // The distinct orgs that hold raw blocks, ascending, without reading payloads.
  virtual Result<std::vector<std::string>> RawLogOrgs() = 0;
  // Newest event_ts held in the raw log for org (the data clock), if any; without an org, the
  // newest over every org.
  virtual Result<std::optional<Millis>> DataClock(std::optional<std::string_view> org) = 0;

  // Counter rows with from_hour <= hour <= to_hour, ordered by
  // (org, hour, ingest_hour, kind, family, key).
  virtual Result<std::vector<CounterRow>> Counters(Millis from_hour, Millis to_hour) = 0;
  // Rejected rows ordered by (ingest_ms, insertion order).
  virtual Result<std::vector<RejectedRow>> Rejected(Millis from_ingest, Millis to_ingest) = 0;

  // Removes the rows of cut.org that each bound of `cut` names, in one transaction.
  virtual Status Sweep(const RetentionCut& cut) = 0;

  // The resolver's checkpoint (docs/analytics-engine.md, "Checkpoint"): parts opaque to the store
  // that cover every raw block with seq <= covers_seq. PutCheckpoint replaces the stored one in one
  // transaction with the parts `produce` writes through its argument; when produce or a write
  // fails, the old one stays and that Status is returned.
  using PartWriter = std::function<Status(std::string_view part)>;
  virtual Status PutCheckpoint(int64_t covers_seq,
                               const std::function<Status(const PartWriter& write)>& produce) = 0;
  // The stored checkpoint's covers_seq (nullopt: none) once fn took each of its parts in order;
  // stops at the first non-ok Status of fn and returns it.
  virtual Result<std::optional<int64_t>> ReadCheckpoint(
      const std::function<Status(std::string_view part)>& fn) = 0;

  // Serving slices. Stored slices never have empty rows.
  // Slices of `table` with from_hour <= hour <= to_hour, ordered by (hour, org); stops at the
  // first non-ok Status of fn and returns it.
  virtual Status ScanSlices(std::string_view table, Millis from_hour, Millis to_hour,
                            const std::function<Status(const Slice&)>& fn) = 0;
  virtual Result<std::optional<Slice>> GetSlice(std::string_view table, std::string_view org,
                                                Millis hour) = 0;
  // The checksum of every stored slice, ordered by (table, org, hour).
  virtual Status ForEachSliceChecksum(
      const std::function<void(std::string_view table, std::string_view org, Millis hour,
                               std::string_view sha256_hex)>& fn) = 0;

 protected:
  virtual Status CommitBatch(const IngestBatch& batch) = 0;

 private:
  std::atomic<uint64_t> commits_{0}, failed_{0};
  std::atomic<double> commit_seconds_{0};
  std::atomic<int64_t> committed_raw_bytes_{0};
};

// kCreate makes the store when it does not exist (ingest, serve); kExisting opens only a store
// that exists (rebuild, which an empty new store would answer wrongly); kReadOnly opens an
// existing store for reading only (checksum: a file the user may only read), and refuses one whose
// schema this binary would have to migrate.
enum class OpenMode { kCreate, kExisting, kReadOnly };

// Opens a store from a URI: "sqlite:PATH" or "memory:", and migrates it as needed. With
// kExisting, a PATH that does not exist is NotFound.
Result<std::unique_ptr<Store>> OpenStore(std::string_view uri, OpenMode mode = OpenMode::kCreate);

}  // namespace naap::store
