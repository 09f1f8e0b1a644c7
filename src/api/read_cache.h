#pragma once
// ReadCache: a thread-safe memo of immutable read results keyed by (key, data version), so the
// handlers share one copy of an expensive load (current inventory, identities) until the data
// changes.
//  - A value must be a pure function of its key and of the store contents at `version`
//    (Backend::DataVersion()); a lookup with another version is a miss and replaces the entry.
//  - `compute` runs outside the lock: concurrent misses of one key may each compute, and the
//    last result stored wins (they are equal by the rule above); a result never replaces an entry
//    of a newer version. Errors are returned, not stored.
//  - At most `max_entries` entries, the least recently used evicted first. At most `max_bytes`
//    over the values whose type states its size (`size_t approx_bytes() const`), the least
//    recently used of those evicted first; other values are small and count 0. A value over
//    max_bytes is returned, not kept.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <typeindex>
#include <unordered_map>

#include "base/status.h"

namespace naap::api {

class ReadCache {
 public:
  explicit ReadCache(size_t max_entries = 64, size_t max_bytes = SIZE_MAX);
  ReadCache(const ReadCache&) = delete;
  ReadCache& operator=(const ReadCache&) = delete;

  template <typename T>
  Result<std::shared_ptr<const T>> GetOrCompute(
      std::string_view key, uint64_t version,
      const std::function<Result<std::shared_ptr<const T>>()>& compute) {
    if (std::shared_ptr<const void> hit = Lookup(key, version, typeid(T))) {
      return std::static_pointer_cast<const T>(hit);
    }
    Result<std::shared_ptr<const T>> computed = compute();
    if (computed.ok()) Store(key, version, typeid(T), *computed, ApproxBytes(**computed));
    return computed;
  }

  size_t size() const;
  size_t bytes() const;  // of the entries kept
  int64_t hits() const;
  int64_t misses() const;

 private:
  struct Entry {
    std::string key;
    uint64_t version = 0;
    std::type_index type;
    std::shared_ptr<const void> value;
    size_t bytes = 0;
  };
  template <typename T>
  static size_t ApproxBytes(const T& value) {
    if constexpr (requires { value.approx_bytes(); }) {
      return value.approx_bytes();
    } else {
      return 0;
    }
  }
  std::shared_ptr<const void> Lookup(std::string_view key, uint64_t version, std::type_index type);
  void Store(std::string_view key, uint64_t version, std::type_index type,
             std::shared_ptr<const void> value, size_t bytes);

  const size_t max_entries_, max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
  int64_t hits_ = 0, misses_ = 0;
};

}  // namespace naap::api
