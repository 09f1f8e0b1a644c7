#include "api/read_cache.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace naap::api {

ReadCache::ReadCache(size_t max_entries, size_t max_bytes)
    : max_entries_(std::max<size_t>(max_entries, 1)), max_bytes_(max_bytes) {}

std::shared_ptr<const void> ReadCache::Lookup(std::string_view key, uint64_t version,
                                              std::type_index type) {
  std::lock_guard lock(mu_);
  auto it = index_.find(std::string(key));
  if (it == index_.end() || it->second->version != version || it->second->type != type) {
    ++misses_;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  ++hits_;
  return it->second->value;
}

void ReadCache::Store(std::string_view key, uint64_t version, std::type_index type,
                      std::shared_ptr<const void> value, size_t bytes) {
  std::lock_guard lock(mu_);
  auto it = index_.find(std::string(key));
  if (it != index_.end()) {
    if (it->second->version > version) return;  // a late result of older data
    bytes_ -= it->second->bytes;
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{std::string(key), version, type, std::move(value), bytes});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += bytes;
  const auto evict = [this](std::list<Entry>::iterator entry) {
    bytes_ -= entry->bytes;
    index_.erase(entry->key);
    return lru_.erase(entry);
  };
  while (lru_.size() > max_entries_) evict(std::prev(lru_.end()));
  for (auto entry = lru_.end(); bytes_ > max_bytes_ && entry != lru_.begin();) {
    --entry;
    if (entry->bytes > 0) entry = evict(entry);
  }
}

size_t ReadCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
}

size_t ReadCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

int64_t ReadCache::hits() const {
  std::lock_guard lock(mu_);
  return hits_;
}

int64_t ReadCache::misses() const {
  std::lock_guard lock(mu_);
  return misses_;
}

}  // namespace naap::api
