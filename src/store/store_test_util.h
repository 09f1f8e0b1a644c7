#pragma once
// Test helpers shared by the store tests: a scratch directory and terse batch-part builders.
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "base/time.h"
#include "store/store.h"

namespace naap::store::testing {

// 2026-01-08T00:00:00Z, the start of an hour; tests place data at kT0 + n * kHourMs.
inline constexpr Millis kT0 = 1'767'830'400'000;

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "naap-store-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~ScopedTempDir() { std::filesystem::remove_all(path_); }
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline RawBlock Block(std::string org, Millis hour, Millis min_offset, Millis max_offset,
                      std::string payload) {
  return RawBlock{.org = std::move(org),
                  .hour = hour,
                  .min_ts = hour + min_offset,
                  .max_ts = hour + max_offset,
                  .count = 2,
                  .crc32 = static_cast<uint32_t>(payload.size()),
                  .payload = std::move(payload)};
}

inline RejectedRow Rejection(std::string org, Millis ingest_ms, std::string detail) {
  return RejectedRow{.org = std::move(org),
                     .reason = "malformed_json",
                     .detail = std::move(detail),
                     .provenance = "file:a.ndjson:1",
                     .ingest_ms = ingest_ms,
                     .total_bytes = 5,
                     .sha256_hex = std::string(64, 'a'),
                     .head = "{bad"};
}

// A slice of (table, org, hour) holding rows, with its checksum; rows "" deletes.
inline Slice MakeSlice(std::string table, std::string org, Millis hour, std::string rows) {
  std::string sha = rows.empty() ? "" : Sha256Hex(rows);
  return Slice{.table = std::move(table),
               .org = std::move(org),
               .hour = hour,
               .rows = std::move(rows),
               .sha256_hex = std::move(sha)};
}

}  // namespace naap::store::testing
