#include "ingest/dedup.h"

#include <sys/stat.h>

#include <algorithm>
#include <utility>

namespace naap::ingest {
namespace {

// The slot a key's probe starts at: its low bits.
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

void KeySet::Prefetch(const Key128& key) const {
  if (!recent_.empty()) __builtin_prefetch(&recent_[FirstSlot(key, recent_.size())]);
  for (const KeyRun& run : runs_) run.Prefetch(key);
}

bool KeySet::Contains(const Key128& key) const {
  if (key == Key128{}) return has_zero_;
  Prefetch(key);  // the runs' blocks load while the table is read
  if (RecentContains(key)) return true;
  return std::any_of(runs_.rbegin(), runs_.rend(),
                     [&key](const KeyRun& run) { return run.Contains(key); });
}

bool KeySet::Insert(const Key128& key) {
  if (Contains(key)) return false;
  AddNew(key);
  return true;
}

void KeySet::AddNew(const Key128& key) {
  if (key == Key128{}) {
    has_zero_ = true;
    return;
  }
  AddRecent(key);
  ++size_;
  if (recent_size_ == recent_limit_) Spill();
}

bool KeySet::RecentContains(const Key128& key) const {
  if (recent_.empty()) return false;
  for (size_t i = FirstSlot(key, recent_.size());; i = (i + 1) & (recent_.size() - 1)) {
    if (recent_[i] == key) return true;
    if (recent_[i] == Key128{}) return false;
  }
}

void KeySet::AddRecent(const Key128& key) {
  if (2 * (recent_size_ + 1) > recent_.size()) {  // grow to keep the load at most 1/2
    std::vector<Key128> old = std::exchange(
        recent_, std::vector<Key128>(std::max<size_t>(256, 2 * recent_.size()), Key128{}));
    recent_size_ = 0;
    for (const Key128& k : old) {
      if (k != Key128{}) AddRecent(k);
    }
  }
  size_t i = FirstSlot(key, recent_.size());
  while (recent_[i] != Key128{}) i = (i + 1) & (recent_.size() - 1);
  recent_[i] = key;
  ++recent_size_;
}

void KeySet::Spill() {
  std::vector<Key128> keys;
  keys.reserve(recent_size_);
  for (const Key128& key : recent_) {
    if (key != Key128{}) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  runs_.push_back(KeyRun::FromSorted(keys, SpareFileFor(keys.size())));
  std::fill(recent_.begin(), recent_.end(), Key128{});  // kept: it fills to this size again
  recent_size_ = 0;
  while (runs_.size() >= 2 && runs_[runs_.size() - 2].size() < 2 * runs_.back().size()) {
    KeyRun& older = runs_[runs_.size() - 2];
    KeyRun merged =
        KeyRun::Merge(older, runs_.back(), SpareFileFor(older.size() + runs_.back().size()));
    KeepFileOf(std::move(runs_.back()));
    runs_.pop_back();
    KeepFileOf(std::exchange(runs_.back(), std::move(merged)));
  }
}

TempFile KeySet::SpareFileFor(size_t keys) {
  if (spare_files_.empty()) return {};
  const size_t bytes = keys * sizeof(Key128);
  // The smallest file that holds `bytes`, else the largest (the run extends it).
  const auto better = [bytes](const SpareFile& a, const SpareFile& b) {
    const bool a_fits = a.bytes >= bytes, b_fits = b.bytes >= bytes;
    if (a_fits != b_fits) return a_fits;
    return a_fits ? a.bytes < b.bytes : a.bytes > b.bytes;
  };
  const auto best = std::min_element(spare_files_.begin(), spare_files_.end(), better);
  TempFile file = std::move(best->file);
  spare_files_.erase(best);
  return file;
}

void KeySet::KeepFileOf(KeyRun run) {
  TempFile file = std::move(run).TakeFile();
  struct stat st {};
  if (!file.valid() || fstat(file.fd(), &st) != 0) return;
  spare_files_.push_back({std::move(file), static_cast<size_t>(st.st_size)});
  if (spare_files_.size() > kMaxSpareFiles) {
    spare_files_.erase(
        std::min_element(spare_files_.begin(), spare_files_.end(),
                         [](const SpareFile& a, const SpareFile& b) { return a.bytes < b.bytes; }));
  }
}

Result<DedupIndex> DedupIndex::Load(store::Store& store) {
  DedupIndex index;
  Status st = store.ForEachDedupKey([&index](std::string_view org, const Key128& key) {
    index.SetOf(org).AddNew(key);  // each stored key was new when it was admitted
  });
  if (!st.ok()) return st;
  return index;
}

bool DedupIndex::Contains(std::string_view org, const Key128& key) const {
  auto it = by_org_.find(org);
  return it != by_org_.end() && it->second.Contains(key);
}

bool DedupIndex::Insert(std::string_view org, const Key128& key) { return SetOf(org).Insert(key); }

void DedupIndex::Prefetch(std::string_view org, const Key128& key) const {
  auto it = by_org_.find(org);
  if (it != by_org_.end()) it->second.Prefetch(key);
}

KeySet& DedupIndex::SetOf(std::string_view org) {
  auto it = by_org_.find(org);
  if (it == by_org_.end()) it = by_org_.emplace(std::string(org), KeySet{}).first;
  return it->second;
}

size_t DedupIndex::size() const {
  size_t n = 0;
  for (const auto& [org, keys] : by_org_) n += keys.size();
  return n;
}

}  // namespace naap::ingest
