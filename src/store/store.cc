#include "store/store.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <system_error>

#include "store/batch_check.h"
#include "store/memory/memory_store.h"
#include "store/sqlite/sqlite_store.h"

namespace naap::store {

Status CheckBatch(const IngestBatch& batch) {
  for (const RawBlock& block : batch.raw_blocks) {
    if (HourFloor(block.hour) != block.hour || block.min_ts < block.hour ||
        block.max_ts < block.min_ts || block.max_ts >= block.hour + kHourMs || block.count < 1) {
      return InvalidArgument(
          fmt::format("raw block of org '{}' is malformed: hour={} min_ts={} max_ts={} count={}",
                      block.org, block.hour, block.min_ts, block.max_ts, block.count));
    }
  }
  for (const CounterRow& row : batch.counters) {
    if (HourFloor(row.hour) != row.hour || HourFloor(row.ingest_hour) != row.ingest_hour) {
      return InvalidArgument(fmt::format(
          "counter row {}/{}/{} of org '{}' has hour {} / ingest hour {}, not hour starts",
          row.kind, row.family, row.key, row.org, row.hour, row.ingest_hour));
    }
  }
  for (const SliceRange& range : batch.deleted_slice_ranges) {
    if (range.table.empty() || range.from_hour > range.to_hour) {
      return InvalidArgument(fmt::format("deleted slice range of table '{}' is malformed: {}..{}",
                                         range.table, range.from_hour, range.to_hour));
    }
  }
  for (const Slice& slice : batch.slices) {
    if (slice.table.empty() || HourFloor(slice.hour) != slice.hour) {
      return InvalidArgument(fmt::format("slice of table '{}' org '{}' has hour {}", slice.table,
                                         slice.org, slice.hour));
    }
    const std::string expected = slice.rows.empty() ? "" : Sha256Hex(slice.rows);
    if (slice.sha256_hex != expected) {
      return InvalidArgument(fmt::format("slice {}/{}/{} has sha256 '{}', its rows hash to '{}'",
                                         slice.table, slice.org, slice.hour, slice.sha256_hex,
                                         expected));
    }
  }
  return Status::Ok();
}

Status Store::Commit(const IngestBatch& batch) {
  const auto started = std::chrono::steady_clock::now();
  Status committed = CommitBatch(batch);
  commit_seconds_.fetch_add(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (!committed.ok()) {
    failed_.fetch_add(1);
    return committed;
  }
  int64_t raw_bytes = 0;
  for (const RawBlock& block : batch.raw_blocks) raw_bytes += std::ssize(block.payload);
  committed_raw_bytes_.fetch_add(raw_bytes);
  commits_.fetch_add(1);
  return committed;
}

CommitStats Store::commit_stats() const {
  return {.commits = commits_.load(),
          .failed = failed_.load(),
          .seconds = commit_seconds_.load(),
          .raw_bytes = committed_raw_bytes_.load()};
}

Result<std::unique_ptr<Store>> OpenStore(std::string_view uri, OpenMode mode) {
  constexpr std::string_view kSqlite = "sqlite:";
  if (uri == "memory:") return memory::NewMemoryStore();
  if (uri.starts_with(kSqlite) && uri.size() > kSqlite.size()) {
    const std::string path(uri.substr(kSqlite.size()));
    std::error_code ec;
    if (mode != OpenMode::kCreate && !std::filesystem::exists(path, ec)) {
      return NotFound(
          fmt::format("no store at {} (it is made by naap ingest or naap serve)", path));
    }
    return sqlite::OpenSqliteStore(path, mode == OpenMode::kReadOnly);
  }
  return InvalidArgument(
      fmt::format("unsupported store URI '{}': expected sqlite:PATH or memory:", uri));
}

}  // namespace naap::store
