#pragma once
// The SQLite layout of dedup entries: one chunk per (commit, org), an append-only row holding
// the chunk's time bounds and its entries packed as fixed-width little-endian records
// (hi u64, lo u64, event_ms i64, first_seen_ms i64; 32 bytes each). The bounds always cover
// every entry, so retention can skip or drop a chunk without decoding it.
#include <cstdint>
#include <string>
#include <string_view>

#include "base/hash.h"
#include "base/status.h"
#include "base/time.h"

namespace naap::store::sqlite {

inline constexpr size_t kDedupRecordBytes = 32;

struct DedupRecord {
  Key128 key;
  Millis event_ms = 0;
  Millis first_seen_ms = 0;
};

class DedupChunk {
 public:
  void Append(const DedupRecord& record);
  bool empty() const { return count_ == 0; }
  int64_t count() const { return count_; }
  Millis min_event_ms() const { return min_event_ms_; }
  Millis max_event_ms() const { return max_event_ms_; }
  Millis min_first_seen_ms() const { return min_first_seen_ms_; }
  Millis max_first_seen_ms() const { return max_first_seen_ms_; }
  const std::string& records() const { return records_; }

 private:
  int64_t count_ = 0;
  Millis min_event_ms_ = 0, max_event_ms_ = 0, min_first_seen_ms_ = 0, max_first_seen_ms_ = 0;
  std::string records_;
};

// Checks that records holds exactly `count` whole records (kCorruption otherwise).
Status CheckDedupRecords(std::string_view records, int64_t count);
// The i-th record of a checked records blob.
DedupRecord DecodeDedupRecord(std::string_view records, size_t i);

}  // namespace naap::store::sqlite
