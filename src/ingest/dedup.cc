#include "ingest/dedup.h"

#include <utility>

namespace naap::ingest {

Key128 EventIdKey(std::string_view event_id) { return KeyDigest({event_id}); }

Key128 WorkerKey(std::string_view worker_id) { return KeyDigest({"worker_lifecycle", worker_id}); }

Key128 RejectedBytesKey(const Sha256Digest& message_sha256) {
  return KeyDigest({"sha256", std::string_view(reinterpret_cast<const char*>(message_sha256.data()),
                                               message_sha256.size())});
}

size_t KeySet::Slot(const Key128& key) const {
  return static_cast<size_t>(key.lo ^ key.hi) & (slots_.size() - 1);
}

bool KeySet::Contains(const Key128& key) const {
  if (key == Key128{}) return has_zero_;
  if (slots_.empty()) return false;
  for (size_t i = Slot(key);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i] == key) return true;
    if (slots_[i] == Key128{}) return false;
  }
}

bool KeySet::Insert(const Key128& key) {
  if (key == Key128{}) return !std::exchange(has_zero_, true);
  // Keep the load factor at or below 1/2: probe sequences stay short.
  if ((size_ + 1) * 2 > slots_.size()) Grow();
  for (size_t i = Slot(key);; i = (i + 1) & (slots_.size() - 1)) {
    if (slots_[i] == key) return false;
    if (slots_[i] == Key128{}) {
      slots_[i] = key;
      ++size_;
      return true;
    }
  }
}

void KeySet::Grow() {
  std::vector<Key128> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Key128{});
  for (const Key128& key : old) {
    if (key == Key128{}) continue;
    size_t i = Slot(key);
    while (slots_[i] != Key128{}) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = key;
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
