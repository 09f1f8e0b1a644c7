#include "ingest/dedup.h"

#include <utility>

namespace naap::ingest {
namespace {

// The slot a key's probe starts at: low bits (the top byte chose the table).
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
  return tables_[TableOf(key)].Contains(key);
}

bool KeySet::Insert(const Key128& key) {
  if (key == Key128{}) return !std::exchange(has_zero_, true);
  if (!tables_[TableOf(key)].Insert(key)) return false;
  ++size_;
  return true;
}

bool KeySet::Table::Contains(const Key128& key) const {
  if (slots.empty()) return false;
  for (size_t i = FirstSlot(key, slots.size());; i = (i + 1) & (slots.size() - 1)) {
    if (slots[i] == key) return true;
    if (slots[i] == Key128{}) return false;
  }
}

bool KeySet::Table::Insert(const Key128& key) {
  // Load at most 3/4: a miss (every new key) probes about 8 slots, two or three cache lines.
  if ((size + 1) * 4 > slots.size() * 3) Grow();
  for (size_t i = FirstSlot(key, slots.size());; i = (i + 1) & (slots.size() - 1)) {
    if (slots[i] == key) return false;
    if (slots[i] == Key128{}) {
      slots[i] = key;
      ++size;
      return true;
    }
  }
}

void KeySet::Table::Grow() {
  std::vector<Key128> old = std::move(slots);
  slots.assign(old.empty() ? 64 : old.size() * 2, Key128{});
  for (const Key128& key : old) {
    if (key == Key128{}) continue;
    size_t i = FirstSlot(key, slots.size());
    while (slots[i] != Key128{}) i = (i + 1) & (slots.size() - 1);
    slots[i] = key;
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
