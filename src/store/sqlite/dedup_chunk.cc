#include "store/sqlite/dedup_chunk.h"

#include <fmt/format.h>

#include <algorithm>

namespace naap::store::sqlite {
namespace {

void StoreFixed64(char* at, uint64_t value) {
  for (int i = 0; i < 8; ++i) at[i] = static_cast<char>(value >> (8 * i));
}

uint64_t GetFixed64(const char* in) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= uint64_t{static_cast<uint8_t>(in[i])} << (8 * i);
  return value;
}

}  // namespace

void DedupChunk::Append(const DedupRecord& record) {
  if (count_ == 0) {
    min_event_ms_ = max_event_ms_ = record.event_ms;
    min_first_seen_ms_ = max_first_seen_ms_ = record.first_seen_ms;
  } else {
    min_event_ms_ = std::min(min_event_ms_, record.event_ms);
    max_event_ms_ = std::max(max_event_ms_, record.event_ms);
    min_first_seen_ms_ = std::min(min_first_seen_ms_, record.first_seen_ms);
    max_first_seen_ms_ = std::max(max_first_seen_ms_, record.first_seen_ms);
  }
  ++count_;
  // One append per record: the four words built on the stack.
  char bytes[kDedupRecordBytes];
  StoreFixed64(bytes, record.key.hi);
  StoreFixed64(bytes + 8, record.key.lo);
  StoreFixed64(bytes + 16, static_cast<uint64_t>(record.event_ms));
  StoreFixed64(bytes + 24, static_cast<uint64_t>(record.first_seen_ms));
  records_.append(bytes, sizeof bytes);
}

Status CheckDedupRecords(std::string_view records, int64_t count) {
  if (count < 0 || records.size() != static_cast<uint64_t>(count) * kDedupRecordBytes) {
    return Corruption(fmt::format("dedup chunk holds {} bytes, expected {} records of {} bytes",
                                  records.size(), count, kDedupRecordBytes));
  }
  return Status::Ok();
}

DedupRecord DecodeDedupRecord(std::string_view records, size_t i) {
  const char* at = records.data() + i * kDedupRecordBytes;
  return DedupRecord{.key = Key128{GetFixed64(at), GetFixed64(at + 8)},
                     .event_ms = static_cast<Millis>(GetFixed64(at + 16)),
                     .first_seen_ms = static_cast<Millis>(GetFixed64(at + 24))};
}

}  // namespace naap::store::sqlite
