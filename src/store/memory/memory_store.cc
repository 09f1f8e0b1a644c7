#include "store/memory/memory_store.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/batch_check.h"

namespace naap::store::memory {
namespace {

class MemoryStore final : public Store {
 public:
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
  // (hour, org, seq): the scan order of raw blocks.
  using RawKey = std::tuple<Millis, std::string, int64_t>;
  // (org, hour, ingest_hour, kind, family, key): the order Counters() returns.
  using CounterKey = std::tuple<std::string, Millis, Millis, std::string, std::string, std::string>;
  // (table, hour, org): the scan order of slices; checksums re-sort by (table, org, hour).
  using SliceKey = std::tuple<std::string, Millis, std::string>;

  std::mutex mu_;
  int64_t last_raw_seq_ = 0;
  std::map<RawKey, RawBlock> raw_blocks_;                                   // each with its seq set
  std::optional<std::pair<int64_t, std::vector<std::string>>> checkpoint_;  // covers_seq, parts
  std::vector<DedupEntry> dedup_;  // append-only, like the SQLite chunks
  std::map<CounterKey, int64_t> counters_;
  std::map<std::string, std::string, std::less<>> positions_;
  std::multimap<Millis, RejectedRow> rejected_;  // equal keys keep insertion order
  std::map<SliceKey, Slice> slices_;
};

Status MemoryStore::CommitBatch(const IngestBatch& batch) {
  NAAP_RETURN_IF_ERROR(CheckBatch(batch));
  std::lock_guard lock(mu_);
  dedup_.insert(dedup_.end(), batch.dedup.begin(), batch.dedup.end());
  for (const CounterRow& row : batch.counters) {
    counters_[{row.org, row.hour, row.ingest_hour, row.kind, row.family, row.key}] += row.count;
  }
  for (const RejectedRow& row : batch.rejected) rejected_.emplace(row.ingest_ms, row);
  for (const auto& [source, position] : batch.positions) positions_[source] = position;
  for (const RawBlock& block : batch.raw_blocks) {
    const auto stored = raw_blocks_.emplace(RawKey{block.hour, block.org, ++last_raw_seq_}, block);
    stored.first->second.seq = last_raw_seq_;
  }
  for (const SliceRange& range : batch.deleted_slice_ranges) {
    std::erase_if(slices_, [&](const auto& item) {
      const auto& [table, hour, org] = item.first;
      return table == range.table && hour >= range.from_hour && hour <= range.to_hour &&
             (!range.org || org == *range.org);
    });
  }
  for (const Slice& slice : batch.slices) {
    SliceKey key{slice.table, slice.hour, slice.org};
    if (slice.rows.empty()) {
      slices_.erase(key);
    } else {
      slices_[key] = slice;
    }
  }
  return Status::Ok();
}

Status MemoryStore::ForEachDedupKey(
    const std::function<void(std::string_view org, const Key128&)>& fn) {
  std::lock_guard lock(mu_);
  for (const DedupEntry& entry : dedup_) fn(entry.org, entry.key);
  return Status::Ok();
}

Result<std::optional<std::string>> MemoryStore::SourcePosition(std::string_view source) {
  std::lock_guard lock(mu_);
  auto it = positions_.find(source);
  if (it == positions_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Status MemoryStore::ScanRawBlocks(Millis from_hour, Millis to_hour,
                                  const std::function<Status(const RawBlock&)>& fn) {
  std::lock_guard lock(mu_);
  for (auto it = raw_blocks_.lower_bound(RawKey{from_hour, "", 0});
       it != raw_blocks_.end() && std::get<0>(it->first) <= to_hour; ++it) {
    NAAP_RETURN_IF_ERROR(fn(it->second));
  }
  return Status::Ok();
}

Status MemoryStore::ScanRawBlocksAfter(int64_t after_seq,
                                       const std::function<Status(const RawBlock&)>& fn) {
  std::lock_guard lock(mu_);
  std::map<int64_t, const RawBlock*> by_seq;
  for (const auto& [key, block] : raw_blocks_) {
    if (block.seq > after_seq) by_seq.emplace(block.seq, &block);
  }
  for (const auto& [seq, block] : by_seq) NAAP_RETURN_IF_ERROR(fn(*block));
  return Status::Ok();
}

Result<int64_t> MemoryStore::LastRawSeq() {
  std::lock_guard lock(mu_);
  return last_raw_seq_;
}

Status MemoryStore::PutCheckpoint(int64_t covers_seq,
                                  const std::function<Status(const PartWriter& write)>& produce) {
  std::lock_guard lock(mu_);
  std::vector<std::string> parts;
  NAAP_RETURN_IF_ERROR(produce([&](std::string_view part) {
    parts.emplace_back(part);
    return Status::Ok();
  }));
  checkpoint_.emplace(covers_seq, std::move(parts));
  return Status::Ok();
}

Result<std::optional<int64_t>> MemoryStore::ReadCheckpoint(
    const std::function<Status(std::string_view part)>& fn) {
  std::lock_guard lock(mu_);
  if (!checkpoint_) return std::optional<int64_t>();
  for (const std::string& part : checkpoint_->second) NAAP_RETURN_IF_ERROR(fn(part));
  return std::optional<int64_t>(checkpoint_->first);
}

Result<std::vector<Millis>> MemoryStore::RawLogHours() {
  std::lock_guard lock(mu_);
  std::vector<Millis> hours;
  for (const auto& [key, block] : raw_blocks_) {
    if (hours.empty() || hours.back() != std::get<0>(key)) hours.push_back(std::get<0>(key));
  }
  return hours;
}

Result<std::vector<std::string>> MemoryStore::RawLogOrgs() {
  std::lock_guard lock(mu_);
  std::set<std::string> orgs;
  for (const auto& [key, block] : raw_blocks_) orgs.insert(block.org);
  return std::vector<std::string>(orgs.begin(), orgs.end());
}

Result<RawLogStats> MemoryStore::RawLogSize() {
  std::lock_guard lock(mu_);
  RawLogStats stats;
  for (const auto& [key, block] : raw_blocks_) {
    ++stats.blocks;
    stats.entries += block.count;
    stats.payload_bytes += static_cast<int64_t>(block.payload.size());
    stats.oldest_event = std::min(stats.oldest_event.value_or(block.min_ts), block.min_ts);
  }
  return stats;
}

Result<std::optional<Millis>> MemoryStore::DataClock(std::optional<std::string_view> org) {
  std::lock_guard lock(mu_);
  std::optional<Millis> newest;
  for (const auto& [key, block] : raw_blocks_) {
    if ((!org || block.org == *org) && (!newest || block.max_ts > *newest)) newest = block.max_ts;
  }
  return newest;
}

Result<std::vector<CounterRow>> MemoryStore::Counters(Millis from_hour, Millis to_hour) {
  std::lock_guard lock(mu_);
  std::vector<CounterRow> rows;
  for (const auto& [key, count] : counters_) {
    const auto& [org, hour, ingest_hour, kind, family, name] = key;
    if (hour >= from_hour && hour <= to_hour)
      rows.push_back({org, hour, ingest_hour, kind, family, name, count});
  }
  return rows;
}

Result<std::vector<RejectedRow>> MemoryStore::Rejected(Millis from_ingest, Millis to_ingest) {
  std::lock_guard lock(mu_);
  std::vector<RejectedRow> rows;
  for (auto it = rejected_.lower_bound(from_ingest);
       it != rejected_.end() && it->first <= to_ingest; ++it) {
    rows.push_back(it->second);
  }
  return rows;
}

Status MemoryStore::Sweep(const RetentionCut& cut) {
  std::lock_guard lock(mu_);
  std::erase_if(raw_blocks_, [&](const auto& item) {
    return item.second.org == cut.org && item.second.hour < cut.raw_before_hour;
  });
  std::erase_if(dedup_, [&](const DedupEntry& entry) {
    return entry.org == cut.org && entry.event_ms < cut.dedup_event_before &&
           entry.first_seen_ms < cut.dedup_seen_before;
  });
  std::erase_if(rejected_, [&](const auto& item) {
    return item.second.org == cut.org && item.second.ingest_ms < cut.rejected_before;
  });
  std::erase_if(slices_, [&](const auto& item) {
    return item.second.org == cut.org && item.second.hour < cut.serving_before_hour;
  });
  std::erase_if(counters_, [&](const auto& item) {
    return std::get<0>(item.first) == cut.org && std::get<1>(item.first) < cut.serving_before_hour;
  });
  return Status::Ok();
}

Status MemoryStore::ScanSlices(std::string_view table, Millis from_hour, Millis to_hour,
                               const std::function<Status(const Slice&)>& fn) {
  std::lock_guard lock(mu_);
  for (auto it = slices_.lower_bound(SliceKey{table, from_hour, ""});
       it != slices_.end() && std::get<0>(it->first) == table && std::get<1>(it->first) <= to_hour;
       ++it) {
    NAAP_RETURN_IF_ERROR(fn(it->second));
  }
  return Status::Ok();
}

Result<std::optional<Slice>> MemoryStore::GetSlice(std::string_view table, std::string_view org,
                                                   Millis hour) {
  std::lock_guard lock(mu_);
  auto it = slices_.find(SliceKey{table, hour, org});
  if (it == slices_.end()) return std::optional<Slice>();
  return std::optional<Slice>(it->second);
}

Status MemoryStore::ForEachSliceChecksum(
    const std::function<void(std::string_view table, std::string_view org, Millis hour,
                             std::string_view sha256_hex)>& fn) {
  std::lock_guard lock(mu_);
  std::vector<const Slice*> ordered;
  ordered.reserve(slices_.size());
  for (const auto& [key, slice] : slices_) ordered.push_back(&slice);
  std::sort(ordered.begin(), ordered.end(), [](const Slice* a, const Slice* b) {
    return std::tie(a->table, a->org, a->hour) < std::tie(b->table, b->org, b->hour);
  });
  for (const Slice* slice : ordered) fn(slice->table, slice->org, slice->hour, slice->sha256_hex);
  return Status::Ok();
}

}  // namespace

std::unique_ptr<Store> NewMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace naap::store::memory
