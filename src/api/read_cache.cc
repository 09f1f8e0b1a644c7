#include "api/read_cache.h"

#include <algorithm>
#include <utility>

namespace naap::api {

ReadCache::ReadCache(size_t max_entries) : max_entries_(std::max<size_t>(max_entries, 1)) {}

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
                      std::shared_ptr<const void> value) {
  std::lock_guard lock(mu_);
  auto it = index_.find(std::string(key));
  if (it != index_.end()) {
    if (it->second->version > version) return;  // a late result of older data
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{std::string(key), version, type, std::move(value)});
  index_.emplace(lru_.front().key, lru_.begin());
  while (lru_.size() > max_entries_) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

size_t ReadCache::size() const {
  std::lock_guard lock(mu_);
  return lru_.size();
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
