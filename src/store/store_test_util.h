#pragma once
// Test helpers shared by the store tests: a scratch directory and terse batch-part builders.
#include <stdlib.h>

#include <filesystem>
#include <memory>
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

// A store that forwards every call to `inner`; tests derive from it and override the calls they
// count, fail or hold up.
class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(std::unique_ptr<Store> inner) : inner_(std::move(inner)) {}
  Status ForEachDedupKey(const std::function<void(std::string_view, const Key128&)>& fn) override {
    return inner_->ForEachDedupKey(fn);
  }
  Result<std::optional<std::string>> SourcePosition(std::string_view source) override {
    return inner_->SourcePosition(source);
  }
  Status ScanRawBlocks(Millis from, Millis to,
                       const std::function<Status(const RawBlock&)>& fn) override {
    return inner_->ScanRawBlocks(from, to, fn);
  }
  Status ScanRawBlocksAfter(int64_t after_seq,
                            const std::function<Status(const RawBlock&)>& fn) override {
    return inner_->ScanRawBlocksAfter(after_seq, fn);
  }
  Result<int64_t> LastRawSeq() override { return inner_->LastRawSeq(); }
  Result<RawLogStats> RawLogSize() override { return inner_->RawLogSize(); }
  Result<std::vector<Millis>> RawLogHours() override { return inner_->RawLogHours(); }
  Result<std::vector<std::string>> RawLogOrgs() override { return inner_->RawLogOrgs(); }
  Result<std::optional<Millis>> DataClock(std::optional<std::string_view> org) override {
    return inner_->DataClock(org);
  }
  Result<std::vector<CounterRow>> Counters(Millis from, Millis to) override {
    return inner_->Counters(from, to);
  }
  Result<std::vector<RejectedRow>> Rejected(Millis from, Millis to) override {
    return inner_->Rejected(from, to);
  }
  Status Sweep(const RetentionCut& cut) override { return inner_->Sweep(cut); }
  Status PutCheckpoint(int64_t covers_seq,
                       const std::function<Status(const PartWriter& write)>& produce) override {
    return inner_->PutCheckpoint(covers_seq, produce);
  }
  Result<std::optional<int64_t>> ReadCheckpoint(
      const std::function<Status(std::string_view)>& fn) override {
    return inner_->ReadCheckpoint(fn);
  }
  Status ScanSlices(std::string_view table, Millis from, Millis to,
                    const std::function<Status(const Slice&)>& fn) override {
    return inner_->ScanSlices(table, from, to, fn);
  }
  Result<std::optional<Slice>> GetSlice(std::string_view table, std::string_view org,
                                        Millis hour) override {
    return inner_->GetSlice(table, org, hour);
  }
  Status ForEachSliceChecksum(const std::function<void(std::string_view, std::string_view, Millis,
                                                       std::string_view)>& fn) override {
    return inner_->ForEachSliceChecksum(fn);
  }

 protected:
  Status CommitBatch(const IngestBatch& batch) override { return inner_->Commit(batch); }

 private:
  std::unique_ptr<Store> inner_;
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
