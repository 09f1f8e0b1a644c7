#include "store/sqlite/sqlite_store.h"

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "store/batch_check.h"
#include "store/sqlite/db.h"
#include "store/sqlite/dedup_chunk.h"

namespace naap::store::sqlite {
namespace {

// Version 1. Dedup keys are two INTEGER halves (the uint64 bits reinterpreted as int64); raw
// blocks and rejected rows keep commit order in their rowid (seq), which only ever grows.
constexpr char kInitialSchema[] = R"sql(
CREATE TABLE raw_blocks(
  seq INTEGER PRIMARY KEY,
  org TEXT NOT NULL,
  hour INTEGER NOT NULL,
  min_ts INTEGER NOT NULL,
  max_ts INTEGER NOT NULL,
  count INTEGER NOT NULL,
  crc32 INTEGER NOT NULL,
  payload BLOB NOT NULL);
CREATE INDEX raw_blocks_by_hour ON raw_blocks(hour, org);
CREATE INDEX raw_blocks_by_org_max_ts ON raw_blocks(org, max_ts);

CREATE TABLE rejected(
  seq INTEGER PRIMARY KEY,
  org TEXT NOT NULL,
  reason TEXT NOT NULL,
  detail TEXT NOT NULL,
  provenance TEXT NOT NULL,
  ingest_ms INTEGER NOT NULL,
  total_bytes INTEGER NOT NULL,
  sha256_hex TEXT NOT NULL,
  head BLOB NOT NULL);
CREATE INDEX rejected_by_ingest ON rejected(ingest_ms);

CREATE TABLE dedup(
  org TEXT NOT NULL,
  hi INTEGER NOT NULL,
  lo INTEGER NOT NULL,
  event_ms INTEGER NOT NULL,
  first_seen_ms INTEGER NOT NULL,
  PRIMARY KEY(org, hi, lo)) WITHOUT ROWID;
CREATE INDEX dedup_by_event ON dedup(org, event_ms);

CREATE TABLE counters(
  org TEXT NOT NULL,
  hour INTEGER NOT NULL,
  kind TEXT NOT NULL,
  family TEXT NOT NULL,
  key TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(org, hour, kind, family, key)) WITHOUT ROWID;
CREATE INDEX counters_by_hour ON counters(hour);

CREATE TABLE source_positions(
  source TEXT PRIMARY KEY,
  position TEXT NOT NULL) WITHOUT ROWID;
)sql";

// Version 2. Dedup entries move to append-only chunks (store/sqlite/dedup_chunk.h): a commit
// appends one row per org instead of inserting each key into a B-tree keyed by random digests.
constexpr char kDedupChunksSchema[] = R"sql(
CREATE TABLE dedup_chunks(
  seq INTEGER PRIMARY KEY,
  org TEXT NOT NULL,
  min_event_ms INTEGER NOT NULL,
  max_event_ms INTEGER NOT NULL,
  min_first_seen_ms INTEGER NOT NULL,
  max_first_seen_ms INTEGER NOT NULL,
  count INTEGER NOT NULL,
  records BLOB NOT NULL);
CREATE INDEX dedup_chunks_by_org_event ON dedup_chunks(org, min_event_ms);
)sql";

// Version 3. Serving slices, one row per (table, org, hour); a rowid table because rows are
// blobs of up to a few hundred kilobytes.
constexpr char kSlicesSchema[] = R"sql(
CREATE TABLE slices(
  seq INTEGER PRIMARY KEY,
  table_name TEXT NOT NULL,
  org TEXT NOT NULL,
  hour INTEGER NOT NULL,
  sha256_hex TEXT NOT NULL,
  rows BLOB NOT NULL);
CREATE UNIQUE INDEX slices_by_key ON slices(table_name, org, hour);
CREATE INDEX slices_by_hour ON slices(table_name, hour, org);
)sql";

// Version 4. Counters gain the ingest hour (analytics §4.12) as part of their key; rows written
// before it keep ingest_hour = hour, the best ingest-time view a file without it can give.
constexpr char kCountersByIngestHourSchema[] = R"sql(
CREATE TABLE counters_v4(
  org TEXT NOT NULL,
  hour INTEGER NOT NULL,
  ingest_hour INTEGER NOT NULL,
  kind TEXT NOT NULL,
  family TEXT NOT NULL,
  key TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY(org, hour, ingest_hour, kind, family, key)) WITHOUT ROWID;
INSERT INTO counters_v4(org, hour, ingest_hour, kind, family, key, count)
  SELECT org, hour, hour, kind, family, key, count FROM counters;
DROP TABLE counters;
ALTER TABLE counters_v4 RENAME TO counters;
CREATE INDEX counters_by_hour ON counters(hour);
CREATE INDEX counters_by_ingest_hour ON counters(ingest_hour);
)sql";

// Version 5. The resolver's checkpoint in parts, and the highest raw block seq a sweep removed
// (store_meta: raw_seq_floor, checkpoint_covers_seq), so a seq is never given twice.
constexpr char kCheckpointSchema[] = R"sql(
CREATE TABLE store_meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE checkpoint_parts(part INTEGER PRIMARY KEY, bytes BLOB NOT NULL);
)sql";

Status MoveV1DedupRowsIntoChunks(Db& db);

constexpr Migration kMigrations[] = {
    {1, "initial schema", kInitialSchema},
    {2, "dedup entries in append-only chunks", kDedupChunksSchema, MoveV1DedupRowsIntoChunks},
    {3, "serving slices", kSlicesSchema},
    {4, "counters keyed by ingest hour too", kCountersByIngestHourSchema},
    {5, "resolver checkpoint, raw block seqs never reused", kCheckpointSchema},
};

// Connection policy: WAL with synchronous=NORMAL (see the header), wait up to 5 s for a lock
// held by another process, and a page cache of up to 32 MiB (docs/decisions.md, "SQLite").
// A read-only connection sets no journal mode (the file's WAL mode is persistent).
constexpr char kReadPragmas[] =
    "PRAGMA busy_timeout = 5000;"
    "PRAGMA cache_size = -32768;"
    "PRAGMA temp_store = MEMORY;";
constexpr char kWritePragmas[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;";

constexpr char kInsertDedupChunk[] =
    "INSERT INTO dedup_chunks(org, min_event_ms, max_event_ms, min_first_seen_ms, "
    "max_first_seen_ms, count, records) VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr char kAddCounter[] =
    "INSERT INTO counters(org, hour, ingest_hour, kind, family, key, count) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(org, hour, ingest_hour, kind, family, key) "
    "DO UPDATE SET count = count + excluded.count";
constexpr char kInsertRejected[] =
    "INSERT INTO rejected(org, reason, detail, provenance, ingest_ms, total_bytes, sha256_hex, "
    "head) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kSetPosition[] =
    "INSERT INTO source_positions(source, position) VALUES (?, ?) "
    "ON CONFLICT(source) DO UPDATE SET position = excluded.position";
constexpr char kInsertRawBlock[] =
    "INSERT INTO raw_blocks(seq, org, hour, min_ts, max_ts, count, crc32, payload) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr char kLastRawSeq[] =
    "SELECT MAX(COALESCE((SELECT MAX(seq) FROM raw_blocks), 0), "
    "COALESCE((SELECT value FROM store_meta WHERE name = 'raw_seq_floor'), 0))";
constexpr char kKeepRawSeqFloor[] =
    "INSERT INTO store_meta(name, value) SELECT 'raw_seq_floor', COALESCE(MAX(seq), 0) "
    "FROM raw_blocks WHERE true ON CONFLICT(name) DO UPDATE SET value = MAX(value, excluded.value)";
constexpr char kSetCheckpointSeq[] =
    "INSERT INTO store_meta(name, value) VALUES ('checkpoint_covers_seq', ?) "
    "ON CONFLICT(name) DO UPDATE SET value = excluded.value";
constexpr char kCheckpointSeq[] =
    "SELECT value FROM store_meta WHERE name = 'checkpoint_covers_seq'";
constexpr char kDeleteCheckpointParts[] = "DELETE FROM checkpoint_parts";
constexpr char kInsertCheckpointPart[] = "INSERT INTO checkpoint_parts(part, bytes) VALUES (?, ?)";
constexpr char kCheckpointParts[] = "SELECT bytes FROM checkpoint_parts ORDER BY part";

constexpr char kAllDedupChunks[] = "SELECT org, count, records FROM dedup_chunks";
constexpr char kGetPosition[] = "SELECT position FROM source_positions WHERE source = ?";
constexpr char kScanRawBlocks[] =
    "SELECT org, hour, min_ts, max_ts, count, crc32, payload, seq FROM raw_blocks "
    "WHERE hour BETWEEN ? AND ? ORDER BY hour, org, seq";
constexpr char kScanRawBlocksAfter[] =
    "SELECT org, hour, min_ts, max_ts, count, crc32, payload, seq FROM raw_blocks "
    "WHERE seq > ? ORDER BY seq";
constexpr char kDataClock[] = "SELECT MAX(max_ts) FROM raw_blocks WHERE org = ?";
constexpr char kDataClockOfAllOrgs[] = "SELECT MAX(max_ts) FROM raw_blocks";
constexpr char kRawLogHours[] = "SELECT DISTINCT hour FROM raw_blocks ORDER BY hour";
constexpr char kRawLogOrgs[] = "SELECT DISTINCT org FROM raw_blocks ORDER BY org";
// LENGTH() of a blob reads its size from the record header, not its pages.
constexpr char kRawLogSize[] =
    "SELECT COUNT(*), COALESCE(SUM(LENGTH(payload)), 0), MIN(min_ts), COALESCE(SUM(count), 0) "
    "FROM raw_blocks";
constexpr char kCounters[] =
    "SELECT org, hour, ingest_hour, kind, family, key, count FROM counters "
    "WHERE hour BETWEEN ? AND ? ORDER BY org, hour, ingest_hour, kind, family, key";
constexpr char kRejected[] =
    "SELECT org, reason, detail, provenance, ingest_ms, total_bytes, sha256_hex, head "
    "FROM rejected WHERE ingest_ms BETWEEN ? AND ? ORDER BY ingest_ms, seq";

constexpr char kSweepRawBlocks[] = "DELETE FROM raw_blocks WHERE org = ? AND hour < ?";
constexpr char kSweepRejected[] = "DELETE FROM rejected WHERE org = ? AND ingest_ms < ?";
constexpr char kSweepSlices[] = "DELETE FROM slices WHERE org = ? AND hour < ?";
constexpr char kSweepCounters[] = "DELETE FROM counters WHERE org = ? AND hour < ?";
// A chunk whose newest times are all before the cut goes whole; one whose oldest times are
// before it may hold swept entries and is rewritten without them.
constexpr char kSweepWholeDedupChunks[] =
    "DELETE FROM dedup_chunks WHERE org = ? AND max_event_ms < ? AND max_first_seen_ms < ?";
constexpr char kDedupChunksToFilter[] =
    "SELECT seq, count, records FROM dedup_chunks "
    "WHERE org = ? AND min_event_ms < ? AND min_first_seen_ms < ?";
constexpr char kDeleteDedupChunk[] = "DELETE FROM dedup_chunks WHERE seq = ?";

constexpr char kPutSlice[] =
    "INSERT INTO slices(table_name, org, hour, sha256_hex, rows) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT(table_name, org, hour) DO UPDATE SET sha256_hex = excluded.sha256_hex, "
    "rows = excluded.rows";
constexpr char kDeleteSlice[] = "DELETE FROM slices WHERE table_name = ? AND org = ? AND hour = ?";
constexpr char kDeleteSliceRange[] =
    "DELETE FROM slices WHERE table_name = ? AND hour BETWEEN ? AND ?";
constexpr char kDeleteOrgSliceRange[] =
    "DELETE FROM slices WHERE table_name = ? AND hour BETWEEN ? AND ? AND org = ?";
constexpr char kScanSlices[] =
    "SELECT org, hour, sha256_hex, rows FROM slices WHERE table_name = ? AND hour BETWEEN ? AND ? "
    "ORDER BY hour, org";
constexpr char kGetSlice[] =
    "SELECT sha256_hex, rows FROM slices WHERE table_name = ? AND org = ? AND hour = ?";
constexpr char kSliceChecksums[] =
    "SELECT table_name, org, hour, sha256_hex FROM slices ORDER BY table_name, org, hour";

// v1 dedup rows, clustered by event time so retention empties whole chunks.
constexpr char kV1DedupRows[] =
    "SELECT org, hi, lo, event_ms, first_seen_ms FROM dedup ORDER BY org, event_ms";
constexpr char kDropV1Dedup[] = "DROP TABLE dedup";
constexpr int64_t kMigratedChunkRecords = 8192;

// v1 stored the unsigned key halves as signed SQLite integers; the bits round-trip unchanged.
uint64_t FromColumn(int64_t column) { return static_cast<uint64_t>(column); }

// Calls `on_row` for each row of `query` in order; stops at the first error.
Status ForEachRow(Stmt& query, const std::function<Status()>& on_row) {
  for (;;) {
    Result<bool> row = query.Next();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    NAAP_RETURN_IF_ERROR(on_row());
  }
}

Status InsertDedupChunk(Db& db, std::string_view org, const DedupChunk& chunk) {
  return db.Prepare(kInsertDedupChunk)
      .Bind(org)
      .Bind(chunk.min_event_ms())
      .Bind(chunk.max_event_ms())
      .Bind(chunk.min_first_seen_ms())
      .Bind(chunk.max_first_seen_ms())
      .Bind(chunk.count())
      .BindBlob(chunk.records())
      .Run();
}

Status MoveV1DedupRowsIntoChunks(Db& db) {
  {
    Stmt rows = db.Prepare(kV1DedupRows);
    std::string org;
    DedupChunk chunk;
    for (;;) {
      Result<bool> row = rows.Next();
      if (!row.ok()) return row.status();
      const bool org_changes = !*row || rows.Bytes(0) != org;
      if (!chunk.empty() && (org_changes || chunk.count() == kMigratedChunkRecords)) {
        NAAP_RETURN_IF_ERROR(InsertDedupChunk(db, org, chunk));
        chunk = DedupChunk();
      }
      if (!*row) break;
      if (org_changes) org.assign(rows.Bytes(0));
      chunk.Append({.key = Key128{FromColumn(rows.Int(1)), FromColumn(rows.Int(2))},
                    .event_ms = rows.Int(3),
                    .first_seen_ms = rows.Int(4)});
    }
  }
  return db.Exec(kDropV1Dedup);
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(std::unique_ptr<Db> db) : db_(std::move(db)) {}

  Status ForEachDedupKey(
      const std::function<void(std::string_view org, const Key128&)>& fn) override;
  Result<std::optional<std::string>> SourcePosition(std::string_view source) override;
  Status ScanRawBlocks(Millis from_hour, Millis to_hour,
                       const std::function<Status(const RawBlock&)>& fn) override;
  Status ScanRawBlocksAfter(int64_t after_seq,
                            const std::function<Status(const RawBlock&)>& fn) override;
  Result<int64_t> LastRawSeq() override;
  Status PutCheckpoint(int64_t covers_seq,
                       const std::function<Status(const PartWriter& write)>& produce) override;
  Result<std::optional<int64_t>> ReadCheckpoint(
      const std::function<Status(std::string_view part)>& fn) override;
  Result<RawLogStats> RawLogSize() override;
  Result<std::vector<Millis>> RawLogHours() override;
  Result<std::vector<std::string>> RawLogOrgs() override;
  Result<std::optional<Millis>> DataClock(std::optional<std::string_view> org) override;
  Result<std::vector<CounterRow>> Counters(Millis from_hour, Millis to_hour) override;
  Result<std::vector<RejectedRow>> Rejected(Millis from_ingest, Millis to_ingest) override;
  Status Sweep(const RetentionCut& cut) override;
  Status ScanSlices(std::string_view table, Millis from_hour, Millis to_hour,
                    const std::function<Status(const Slice&)>& fn) override;
  Result<std::optional<Slice>> GetSlice(std::string_view table, std::string_view org,
                                        Millis hour) override;
  Status ForEachSliceChecksum(
      const std::function<void(std::string_view table, std::string_view org, Millis hour,
                               std::string_view sha256_hex)>& fn) override;

 private:
  Status CommitBatch(const IngestBatch& batch) override;
  // Writes every part of batch inside the caller's transaction.
  Status WriteBatch(const IngestBatch& batch);
  Result<int64_t> LastRawSeqLocked();
  // Calls fn with each raw block `query` returns (the columns of kScanRawBlocks).
  Status ForEachRawBlock(Stmt& query, const std::function<Status(const RawBlock&)>& fn);
  // Removes the entries of org's dedup chunks that the cut sweeps, inside the caller's transaction.
  Status SweepDedup(const RetentionCut& cut);

  std::mutex mu_;
  std::unique_ptr<Db> db_;
};

Status SqliteStore::WriteBatch(const IngestBatch& batch) {
  std::map<std::string_view, DedupChunk> chunks_by_org;
  for (const DedupEntry& e : batch.dedup) {
    chunks_by_org[e.org].Append(
        {.key = e.key, .event_ms = e.event_ms, .first_seen_ms = e.first_seen_ms});
  }
  for (const auto& [org, chunk] : chunks_by_org) {
    NAAP_RETURN_IF_ERROR(InsertDedupChunk(*db_, org, chunk));
  }
  Stmt counter = db_->Prepare(kAddCounter);
  for (const CounterRow& c : batch.counters) {
    NAAP_RETURN_IF_ERROR(counter.Bind(c.org)
                             .Bind(c.hour)
                             .Bind(c.ingest_hour)
                             .Bind(c.kind)
                             .Bind(c.family)
                             .Bind(c.key)
                             .Bind(c.count)
                             .Run());
  }
  Stmt rejected = db_->Prepare(kInsertRejected);
  for (const RejectedRow& r : batch.rejected) {
    NAAP_RETURN_IF_ERROR(rejected.Bind(r.org)
                             .Bind(r.reason)
                             .Bind(r.detail)
                             .Bind(r.provenance)
                             .Bind(r.ingest_ms)
                             .Bind(r.total_bytes)
                             .Bind(r.sha256_hex)
                             .BindBlob(r.head)
                             .Run());
  }
  Stmt position = db_->Prepare(kSetPosition);
  for (const auto& [source, value] : batch.positions) {
    NAAP_RETURN_IF_ERROR(position.Bind(source).Bind(value).Run());
  }
  Stmt raw = db_->Prepare(kInsertRawBlock);
  Result<int64_t> seq = batch.raw_blocks.empty() ? Result<int64_t>(0) : LastRawSeqLocked();
  NAAP_RETURN_IF_ERROR(seq.status());
  for (const RawBlock& b : batch.raw_blocks) {
    NAAP_RETURN_IF_ERROR(raw.Bind(++*seq)
                             .Bind(b.org)
                             .Bind(b.hour)
                             .Bind(b.min_ts)
                             .Bind(b.max_ts)
                             .Bind(b.count)
                             .Bind(int64_t{b.crc32})
                             .BindBlob(b.payload)
                             .Run());
  }
  Stmt delete_range = db_->Prepare(kDeleteSliceRange);
  Stmt delete_org_range = db_->Prepare(kDeleteOrgSliceRange);
  for (const SliceRange& range : batch.deleted_slice_ranges) {
    if (range.org) {
      NAAP_RETURN_IF_ERROR(delete_org_range.Bind(range.table)
                               .Bind(range.from_hour)
                               .Bind(range.to_hour)
                               .Bind(*range.org)
                               .Run());
    } else {
      NAAP_RETURN_IF_ERROR(
          delete_range.Bind(range.table).Bind(range.from_hour).Bind(range.to_hour).Run());
    }
  }
  for (const Slice& slice : batch.slices) {
    if (slice.rows.empty()) {
      NAAP_RETURN_IF_ERROR(
          db_->Prepare(kDeleteSlice).Bind(slice.table).Bind(slice.org).Bind(slice.hour).Run());
    } else {
      NAAP_RETURN_IF_ERROR(db_->Prepare(kPutSlice)
                               .Bind(slice.table)
                               .Bind(slice.org)
                               .Bind(slice.hour)
                               .Bind(slice.sha256_hex)
                               .BindBlob(slice.rows)
                               .Run());
    }
  }
  return Status::Ok();
}

Status SqliteStore::CommitBatch(const IngestBatch& batch) {
  NAAP_RETURN_IF_ERROR(CheckBatch(batch));
  if (batch.empty()) return Status::Ok();
  std::lock_guard lock(mu_);
  return db_->Transaction([&] { return WriteBatch(batch); });
}

Status SqliteStore::ForEachDedupKey(
    const std::function<void(std::string_view org, const Key128&)>& fn) {
  std::lock_guard lock(mu_);
  Stmt chunks = db_->Prepare(kAllDedupChunks);
  return ForEachRow(chunks, [&] {
    const int64_t count = chunks.Int(1);
    std::string_view records = chunks.Bytes(2);
    NAAP_RETURN_IF_ERROR(CheckDedupRecords(records, count));
    for (int64_t i = 0; i < count; ++i) fn(chunks.Bytes(0), DecodeDedupRecord(records, i).key);
    return Status::Ok();
  });
}

Result<std::optional<std::string>> SqliteStore::SourcePosition(std::string_view source) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kGetPosition);
  Result<bool> row = query.Bind(source).Next();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(query.Bytes(0));
}

Status SqliteStore::ForEachRawBlock(Stmt& query, const std::function<Status(const RawBlock&)>& fn) {
  RawBlock block;
  return ForEachRow(query, [&] {
    block.org.assign(query.Bytes(0));
    block.hour = query.Int(1);
    block.min_ts = query.Int(2);
    block.max_ts = query.Int(3);
    block.count = query.Int(4);
    block.crc32 = static_cast<uint32_t>(query.Int(5));
    block.payload.assign(query.Bytes(6));
    block.seq = query.Int(7);
    return fn(block);
  });
}

Status SqliteStore::ScanRawBlocks(Millis from_hour, Millis to_hour,
                                  const std::function<Status(const RawBlock&)>& fn) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kScanRawBlocks);
  query.Bind(from_hour).Bind(to_hour);
  return ForEachRawBlock(query, fn);
}

Status SqliteStore::ScanRawBlocksAfter(int64_t after_seq,
                                       const std::function<Status(const RawBlock&)>& fn) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kScanRawBlocksAfter);
  query.Bind(after_seq);
  return ForEachRawBlock(query, fn);
}

Result<int64_t> SqliteStore::LastRawSeqLocked() {
  Stmt query = db_->Prepare(kLastRawSeq);
  Result<bool> row = query.Next();
  if (!row.ok()) return row.status();
  return query.Int(0);
}

Result<int64_t> SqliteStore::LastRawSeq() {
  std::lock_guard lock(mu_);
  return LastRawSeqLocked();
}

Status SqliteStore::PutCheckpoint(int64_t covers_seq,
                                  const std::function<Status(const PartWriter& write)>& produce) {
  std::lock_guard lock(mu_);
  return db_->Transaction([&]() -> Status {
    NAAP_RETURN_IF_ERROR(db_->Exec(kDeleteCheckpointParts));
    Stmt insert = db_->Prepare(kInsertCheckpointPart);
    int64_t index = 0;
    NAAP_RETURN_IF_ERROR(
        produce([&](std::string_view part) { return insert.Bind(index++).BindBlob(part).Run(); }));
    return db_->Prepare(kSetCheckpointSeq).Bind(covers_seq).Run();
  });
}

Result<std::optional<int64_t>> SqliteStore::ReadCheckpoint(
    const std::function<Status(std::string_view part)>& fn) {
  std::lock_guard lock(mu_);
  Stmt seq = db_->Prepare(kCheckpointSeq);
  Result<bool> row = seq.Next();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<int64_t>();
  const int64_t covers_seq = seq.Int(0);
  Stmt parts = db_->Prepare(kCheckpointParts);
  NAAP_RETURN_IF_ERROR(ForEachRow(parts, [&] { return fn(parts.Bytes(0)); }));
  return std::optional<int64_t>(covers_seq);
}

Result<std::vector<Millis>> SqliteStore::RawLogHours() {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kRawLogHours);
  std::vector<Millis> hours;
  NAAP_RETURN_IF_ERROR(ForEachRow(query, [&] {
    hours.push_back(query.Int(0));
    return Status::Ok();
  }));
  return hours;
}

Result<std::vector<std::string>> SqliteStore::RawLogOrgs() {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kRawLogOrgs);
  std::vector<std::string> orgs;
  NAAP_RETURN_IF_ERROR(ForEachRow(query, [&] {
    orgs.emplace_back(query.Bytes(0));
    return Status::Ok();
  }));
  return orgs;
}

Result<RawLogStats> SqliteStore::RawLogSize() {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kRawLogSize);
  Result<bool> row = query.Next();
  if (!row.ok()) return row.status();
  RawLogStats stats;
  stats.blocks = query.Int(0);
  stats.payload_bytes = query.Int(1);
  if (!query.IsNull(2)) stats.oldest_event = query.Int(2);
  stats.entries = query.Int(3);
  return stats;
}

Result<std::optional<Millis>> SqliteStore::DataClock(std::optional<std::string_view> org) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(org ? kDataClock : kDataClockOfAllOrgs);
  if (org) query.Bind(*org);
  Result<bool> row = query.Next();
  if (!row.ok()) return row.status();
  if (!*row || query.IsNull(0)) return std::optional<Millis>();
  return std::optional<Millis>(query.Int(0));
}

Result<std::vector<CounterRow>> SqliteStore::Counters(Millis from_hour, Millis to_hour) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kCounters);
  query.Bind(from_hour).Bind(to_hour);
  std::vector<CounterRow> rows;
  NAAP_RETURN_IF_ERROR(ForEachRow(query, [&] {
    rows.push_back({std::string(query.Bytes(0)), query.Int(1), query.Int(2),
                    std::string(query.Bytes(3)), std::string(query.Bytes(4)),
                    std::string(query.Bytes(5)), query.Int(6)});
    return Status::Ok();
  }));
  return rows;
}

Result<std::vector<RejectedRow>> SqliteStore::Rejected(Millis from_ingest, Millis to_ingest) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kRejected);
  query.Bind(from_ingest).Bind(to_ingest);
  std::vector<RejectedRow> rows;
  NAAP_RETURN_IF_ERROR(ForEachRow(query, [&] {
    rows.push_back({.org = std::string(query.Bytes(0)),
                    .reason = std::string(query.Bytes(1)),
                    .detail = std::string(query.Bytes(2)),
                    .provenance = std::string(query.Bytes(3)),
                    .ingest_ms = query.Int(4),
                    .total_bytes = query.Int(5),
                    .sha256_hex = std::string(query.Bytes(6)),
                    .head = std::string(query.Bytes(7))});
    return Status::Ok();
  }));
  return rows;
}

Status SqliteStore::SweepDedup(const RetentionCut& cut) {
  NAAP_RETURN_IF_ERROR(db_->Prepare(kSweepWholeDedupChunks)
                           .Bind(cut.org)
                           .Bind(cut.dedup_event_before)
                           .Bind(cut.dedup_seen_before)
                           .Run());
  // Chunks losing some entries: (seq, the entries they keep). Collected first, rewritten after.
  std::vector<std::pair<int64_t, DedupChunk>> rewrites;
  {
    Stmt chunks = db_->Prepare(kDedupChunksToFilter);
    chunks.Bind(cut.org).Bind(cut.dedup_event_before).Bind(cut.dedup_seen_before);
    NAAP_RETURN_IF_ERROR(ForEachRow(chunks, [&] {
      const int64_t count = chunks.Int(1);
      std::string_view records = chunks.Bytes(2);
      NAAP_RETURN_IF_ERROR(CheckDedupRecords(records, count));
      DedupChunk kept;
      for (int64_t i = 0; i < count; ++i) {
        DedupRecord record = DecodeDedupRecord(records, i);
        if (record.event_ms >= cut.dedup_event_before ||
            record.first_seen_ms >= cut.dedup_seen_before) {
          kept.Append(record);
        }
      }
      if (kept.count() < count) rewrites.emplace_back(chunks.Int(0), std::move(kept));
      return Status::Ok();
    }));
  }
  for (const auto& [seq, kept] : rewrites) {
    NAAP_RETURN_IF_ERROR(db_->Prepare(kDeleteDedupChunk).Bind(seq).Run());
    if (!kept.empty()) NAAP_RETURN_IF_ERROR(InsertDedupChunk(*db_, cut.org, kept));
  }
  return Status::Ok();
}

Status SqliteStore::Sweep(const RetentionCut& cut) {
  std::lock_guard lock(mu_);
  return db_->Transaction([&]() -> Status {
    NAAP_RETURN_IF_ERROR(db_->Exec(kKeepRawSeqFloor));
    NAAP_RETURN_IF_ERROR(
        db_->Prepare(kSweepRawBlocks).Bind(cut.org).Bind(cut.raw_before_hour).Run());
    NAAP_RETURN_IF_ERROR(SweepDedup(cut));
    NAAP_RETURN_IF_ERROR(
        db_->Prepare(kSweepSlices).Bind(cut.org).Bind(cut.serving_before_hour).Run());
    NAAP_RETURN_IF_ERROR(
        db_->Prepare(kSweepCounters).Bind(cut.org).Bind(cut.serving_before_hour).Run());
    return db_->Prepare(kSweepRejected).Bind(cut.org).Bind(cut.rejected_before).Run();
  });
}

Status SqliteStore::ScanSlices(std::string_view table, Millis from_hour, Millis to_hour,
                               const std::function<Status(const Slice&)>& fn) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kScanSlices);
  query.Bind(table).Bind(from_hour).Bind(to_hour);
  Slice slice;
  slice.table.assign(table);
  return ForEachRow(query, [&] {
    slice.org.assign(query.Bytes(0));
    slice.hour = query.Int(1);
    slice.sha256_hex.assign(query.Bytes(2));
    slice.rows.assign(query.Bytes(3));
    return fn(slice);
  });
}

Result<std::optional<Slice>> SqliteStore::GetSlice(std::string_view table, std::string_view org,
                                                   Millis hour) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kGetSlice);
  Result<bool> row = query.Bind(table).Bind(org).Bind(hour).Next();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Slice>();
  return std::optional<Slice>(Slice{.table = std::string(table),
                                    .org = std::string(org),
                                    .hour = hour,
                                    .rows = std::string(query.Bytes(1)),
                                    .sha256_hex = std::string(query.Bytes(0))});
}

Status SqliteStore::ForEachSliceChecksum(
    const std::function<void(std::string_view table, std::string_view org, Millis hour,
                             std::string_view sha256_hex)>& fn) {
  std::lock_guard lock(mu_);
  Stmt query = db_->Prepare(kSliceChecksums);
  return ForEachRow(query, [&] {
    fn(query.Bytes(0), query.Bytes(1), query.Int(2), query.Bytes(3));
    return Status::Ok();
  });
}

}  // namespace

std::span<const Migration> StoreMigrations() { return kMigrations; }

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool read_only) {
  Result<std::unique_ptr<Db>> db =
      Db::Open(path, read_only ? Db::Access::kReadOnly : Db::Access::kReadWrite);
  if (!db.ok()) return db.status();
  // The pragmas, then the schema query, are the first statements to read the file: name it, not
  // them, when they fail.
  const auto first_read = [&](Db& connection) -> Status {
    NAAP_RETURN_IF_ERROR(connection.Exec(kReadPragmas, "open " + path));
    return SchemaVersion(connection).status();
  };
  Status read = first_read(**db);
  std::error_code ec;
  if (!read.ok() && read_only && !std::filesystem::exists(path + "-wal", ec)) {
    db = Db::Open(path, Db::Access::kImmutable);  // no -shm can be made here, and none is needed
    if (!db.ok()) return db.status();
    read = first_read(**db);
  }
  NAAP_RETURN_IF_ERROR(read);
  if (!read_only) {
    NAAP_RETURN_IF_ERROR((*db)->Exec(kWritePragmas, "open " + path));
    NAAP_RETURN_IF_ERROR(Migrate(**db, StoreMigrations()));
  } else {
    NAAP_RETURN_IF_ERROR(CheckMigrated(**db, StoreMigrations()));
  }
  return std::unique_ptr<Store>(new SqliteStore(std::move(*db)));
}

}  // namespace naap::store::sqlite
