#include "ingest/raw_log.h"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "base/bytes.h"

namespace naap::ingest {
namespace {

// Version 2 added each entry's too_old flag; a version 1 entry has none (false: written before
// the pipeline kept too-old records apart in the raw log). Version 3 dropped the content hash.
constexpr char kFormatVersion = 3;
constexpr int kZstdLevel = 1;  // ~1.5x faster than 3 at almost the same ratio on event text
constexpr unsigned long long kMaxDecodedBlock = 1ull << 30;

void EncodeEntry(std::string& out, const RawEntry& e) {
  ByteWriter w(out);
  w.String(e.org);
  w.String(e.event_id);
  w.String(e.family);
  w.String(e.subtype);
  w.Int(e.event_ts);
  w.String(e.gateway);
  w.String(e.ignore_reason);
  w.Bool(e.too_old);
  w.String(e.provenance);
  w.Int(e.ingest_ms);
  w.String(e.envelope);
}

bool DecodeEntry(ByteReader& r, char version, RawEntry& e) {
  e.too_old = false;
  uint64_t stored_hash;  // versions 1 and 2 only
  return r.String(e.org) && r.String(e.event_id) && r.String(e.family) && r.String(e.subtype) &&
         r.Int(e.event_ts) && r.String(e.gateway) && r.String(e.ignore_reason) &&
         (version < 2 || r.Bool(e.too_old)) && r.String(e.provenance) &&
         (version >= 3 || (r.Fixed64(stored_hash) && r.Fixed64(stored_hash))) &&
         r.Int(e.ingest_ms) && r.String(e.envelope);
}

uint32_t Crc32(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

std::string BlockName(const store::RawBlock& block) {
  return "raw block (org \"" + block.org + "\", hour " + FormatRfc3339Ms(block.hour) + ")";
}

}  // namespace

RawLogWriter::RawLogWriter(size_t max_block_bytes)
    : max_block_bytes_(max_block_bytes), zstd_(ZSTD_createCCtx(), ZSTD_freeCCtx) {}

void RawLogWriter::Add(const RawEntry& entry) {
  const Millis hour = HourFloor(entry.event_ts);
  // Consecutive entries mostly share a partition: the last one is found without a key or look-up.
  if (last_ == open_.end() || last_->first.second != hour || last_->first.first != entry.org) {
    last_ = open_.try_emplace({std::string(entry.org), hour}).first;
  }
  const std::pair<std::string, Millis>& partition = last_->first;
  OpenBlock& block = last_->second;
  if (block.count == 0) {
    block.plain.reserve(max_block_bytes_ + entry.envelope.size() + 256);
    block.plain.push_back(kFormatVersion);
    block.min_ts = block.max_ts = entry.event_ts;
  } else {
    block.min_ts = std::min(block.min_ts, entry.event_ts);
    block.max_ts = std::max(block.max_ts, entry.event_ts);
  }
  ++block.count;
  EncodeEntry(block.plain, entry);
  if (block.plain.size() >= max_block_bytes_) {
    Status st = Seal(partition.first, hour, block);
    if (seal_status_.ok()) seal_status_ = st;
    open_.erase(std::exchange(last_, open_.end()));
  }
}

Status RawLogWriter::Seal(const std::string& org, Millis hour, OpenBlock& block) {
  const std::string& plain = block.plain;
  store::RawBlock out;
  out.org = org;
  out.hour = hour;
  out.min_ts = block.min_ts;
  out.max_ts = block.max_ts;
  out.count = block.count;
  // Compress into a reused buffer so only the compressed bytes are copied into the block.
  if (scratch_.size() < ZSTD_compressBound(plain.size())) scratch_.resize(ZSTD_compressBound(plain.size()));
  size_t n = ZSTD_compressCCtx(zstd_.get(), scratch_.data(), scratch_.size(), plain.data(),
                               plain.size(), kZstdLevel);
  if (ZSTD_isError(n)) return Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.payload.assign(scratch_.data(), n);
  out.crc32 = Crc32(out.payload);
  sealed_.push_back(std::move(out));
  return Status::Ok();
}

Result<std::vector<store::RawBlock>> RawLogWriter::Flush() {
  for (auto& [partition, block] : open_) {
    Status st = Seal(partition.first, partition.second, block);
    if (seal_status_.ok()) seal_status_ = st;
  }
  open_.clear();
  last_ = open_.end();
  std::vector<store::RawBlock> blocks = std::move(sealed_);
  sealed_.clear();
  Status st = std::exchange(seal_status_, Status::Ok());
  if (!st.ok()) return st;
  return blocks;
}

Status DecodeRawBlock(const store::RawBlock& block, RawBlockEntries& out) {
  out.entries.clear();
  if (Crc32(block.payload) != block.crc32) return Corruption(BlockName(block) + ": crc32 mismatch");
  unsigned long long size = ZSTD_getFrameContentSize(block.payload.data(), block.payload.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN ||
      size > kMaxDecodedBlock) {
    return Corruption(BlockName(block) + ": bad zstd frame header");
  }
  if (out.plain.size() < size) out.plain.resize(size);  // never shrunk: no refill on reuse
  size_t n = ZSTD_decompress(out.plain.data(), size, block.payload.data(), block.payload.size());
  if (ZSTD_isError(n) || n != size) {
    return Corruption(BlockName(block) + ": cannot decompress");
  }
  const std::string_view plain(out.plain.data(), size);
  if (plain.empty() || plain[0] < 1 || plain[0] > kFormatVersion) {
    return Corruption(BlockName(block) + ": unknown format version");
  }
  if (block.count > 0) out.entries.reserve(static_cast<size_t>(block.count));
  ByteReader reader(plain.substr(1));
  while (!reader.done()) {
    if (!DecodeEntry(reader, plain[0], out.entries.emplace_back())) {
      out.entries.clear();
      return Corruption(BlockName(block) + ": truncated entry");
    }
  }
  if (static_cast<int64_t>(out.entries.size()) != block.count) {
    out.entries.clear();
    return Corruption(BlockName(block) + ": entry count mismatch");
  }
  return Status::Ok();
}

Status ScanRawLog(store::Store& store, Millis from_hour, Millis to_hour,
                  const std::function<Status(const RawEntry&)>& fn,
                  std::optional<std::string_view> org, std::optional<int64_t> max_seq) {
  RawBlockEntries decoded;
  return store.ScanRawBlocks(from_hour, to_hour, [&](const store::RawBlock& block) -> Status {
    if ((org && block.org != *org) || (max_seq && block.seq > *max_seq)) return Status::Ok();
    NAAP_RETURN_IF_ERROR(DecodeRawBlock(block, decoded));
    for (const RawEntry& e : decoded.entries) NAAP_RETURN_IF_ERROR(fn(e));
    return Status::Ok();
  });
}

store::RetentionCut ComputeRetentionCut(std::string_view org, Millis data_clock,
                                        const RetentionPolicy& policy) {
  store::RetentionCut cut;
  cut.org = std::string(org);
  cut.raw_before_hour = HourFloor(data_clock - policy.raw_log);
  cut.dedup_event_before = cut.raw_before_hour;
  cut.dedup_seen_before = data_clock - policy.dedup_min;
  cut.rejected_before = data_clock - policy.rejected;
  const Millis serving =
      std::max(policy.serving.value_or(RetentionPolicy::kDefaultServing), policy.raw_log);
  cut.serving_before_hour = DayFloor(data_clock - serving);
  return cut;
}

Result<std::vector<store::RetentionCut>> RetentionCuts(
    store::Store& store, const RetentionPolicy& policy,
    const std::map<std::string, Millis>& first_kept) {
  Result<std::vector<std::string>> orgs = store.RawLogOrgs();
  NAAP_RETURN_IF_ERROR(orgs.status());
  std::vector<store::RetentionCut> cuts;
  std::optional<Millis> newest;
  for (const std::string& org : *orgs) {
    Result<std::optional<Millis>> clock = store.DataClock(org);
    NAAP_RETURN_IF_ERROR(clock.status());
    if (!clock->has_value()) continue;
    newest = std::max(newest.value_or(**clock), **clock);
    store::RetentionCut& cut = cuts.emplace_back(ComputeRetentionCut(org, **clock, policy));
    if (const auto kept = first_kept.find(org); kept != first_kept.end()) {
      cut.raw_before_hour = cut.dedup_event_before = std::max(cut.raw_before_hour, kept->second);
    }
  }
  if (!newest.has_value()) return cuts;
  store::RetentionCut unscoped = ComputeRetentionCut("", *newest, policy);
  for (const store::RetentionCut& cut : cuts) {
    unscoped.serving_before_hour = std::min(unscoped.serving_before_hour, cut.serving_before_hour);
  }
  cuts.push_back(std::move(unscoped));
  return cuts;
}

}  // namespace naap::ingest
