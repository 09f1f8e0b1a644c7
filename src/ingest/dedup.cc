#include "ingest/dedup.h"

#include <algorithm>
#include <bit>
#include <utility>

namespace naap::ingest {
namespace {

// The slot a key's probe starts at: low bits (the top byte chose the part).
size_t FirstSlot(const Key128& key, size_t capacity) {
  return static_cast<size_t>(key.lo) & (capacity - 1);
}

}  // namespace

Key128 EventIdKey(std::string_view event_id) { return KeyDigest({event_id}); }

Key128 WorkerKey(std::string_view worker_id) { return KeyDigest({"worker_lifecycle", worker_id}); }

Key128 RejectedBytesKey(const Sha256Digest& message_sha256) {
  return KeyDigest({"sha256", std::string_view(reinterpret_cast<const char*>(message_sha256.data()),
                                               message_sha256.size())});
}

bool KeySet::Contains(const Key128& key) const {
  if (key == Key128{}) return has_zero_;
  return parts_[PartOf(key)].Contains(key);
}

bool KeySet::Insert(const Key128& key) {
  if (key == Key128{}) return !std::exchange(has_zero_, true);
  if (!parts_[PartOf(key)].Insert(key)) return false;
  ++size_;
  return true;
}

bool KeySet::Part::Contains(const Key128& key) const {
  if (!recent.empty()) {
    for (size_t i = FirstSlot(key, recent.size());; i = (i + 1) & (recent.size() - 1)) {
      if (recent[i] == key) return true;
      if (recent[i] == Key128{}) break;
    }
  }
  if (high.empty()) return false;
  const uint64_t h = High(key);
  const uint16_t l = Low(key);
  const size_t b = Bucket(h);
  for (uint32_t i = directory[b]; i < directory[b + 1] && high[i] <= h; ++i) {
    if (high[i] == h && low[i] == l) return true;
  }
  return false;
}

bool KeySet::Part::Insert(const Key128& key) {
  if (Contains(key)) return false;
  // The table is twice the merge threshold: load at most 1/2, so a miss probes about 2.5 slots.
  const size_t threshold = std::max<size_t>(256, high.size() / 16);
  if (recent.empty()) recent.assign(std::bit_ceil(2 * threshold), Key128{});
  size_t i = FirstSlot(key, recent.size());
  while (recent[i] != Key128{}) i = (i + 1) & (recent.size() - 1);
  recent[i] = key;
  if (++recent_size >= threshold) Merge();
  return true;
}

void KeySet::Part::Merge() {
  std::vector<std::pair<uint64_t, uint16_t>> added;
  added.reserve(recent_size);
  for (const Key128& key : recent) {
    if (key != Key128{}) added.emplace_back(High(key), Low(key));
  }
  std::sort(added.begin(), added.end());
  const size_t n = high.size() + added.size();
  std::vector<uint64_t> merged_high;
  std::vector<uint16_t> merged_low;
  merged_high.reserve(n);
  merged_low.reserve(n);
  size_t i = 0;
  for (const auto& [h, l] : added) {
    for (; i < high.size() && std::pair(high[i], low[i]) < std::pair(h, l); ++i) {
      merged_high.push_back(high[i]);
      merged_low.push_back(low[i]);
    }
    merged_high.push_back(h);
    merged_low.push_back(l);
  }
  merged_high.insert(merged_high.end(), high.begin() + static_cast<ptrdiff_t>(i), high.end());
  merged_low.insert(merged_low.end(), low.begin() + static_cast<ptrdiff_t>(i), low.end());
  high = std::move(merged_high);
  low = std::move(merged_low);
  recent = {};
  recent_size = 0;
  // About 4 keys a bucket.
  bucket_bits = std::min(56, std::max(0, static_cast<int>(std::bit_width(n / 4)) - 1));
  directory.assign((size_t{1} << bucket_bits) + 1, 0);
  i = 0;
  for (size_t b = 0; b < directory.size(); ++b) {
    while (i < n && Bucket(high[i]) < b) ++i;
    directory[b] = static_cast<uint32_t>(i);
  }
}

Result<DedupIndex> DedupIndex::Load(store::Store& store) {
  DedupIndex index;
  Status st = store.ForEachDedupKey(
      [&index](std::string_view org, const Key128& key) { index.Insert(org, key); });
  if (!st.ok()) return st;
  return index;
}

bool DedupIndex::Contains(std::string_view org, const Key128& key) const {
  auto it = by_org_.find(org);
  return it != by_org_.end() && it->second.Contains(key);
}

bool DedupIndex::Insert(std::string_view org, const Key128& key) {
  auto it = by_org_.find(org);
  if (it == by_org_.end()) it = by_org_.emplace(std::string(org), KeySet{}).first;
  return it->second.Insert(key);
}

size_t DedupIndex::size() const {
  size_t n = 0;
  for (const auto& [org, keys] : by_org_) n += keys.size();
  return n;
}

}  // namespace naap::ingest
