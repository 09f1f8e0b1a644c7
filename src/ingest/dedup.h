#pragma once
// The dedup index (spec/events.md §7.1). Keys are scoped by org:
//   accepted / ignored:        EventIdKey(event_id), plus WorkerKey(data.id) for worker_lifecycle
//   rejected:                  RejectedBytesKey(SHA-256 of the message bytes)
// The in-memory set holds every key of the store (loaded at start) plus the keys added since;
// the pipeline writes new keys to the store in the same batch as the data they admitted.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "store/store.h"

namespace naap::ingest {

Key128 EventIdKey(std::string_view event_id);
Key128 WorkerKey(std::string_view worker_id);
Key128 RejectedBytesKey(const Sha256Digest& message_sha256);

// A set of Key128 in 256 open-addressing (linear probing) tables, chosen by the key's top byte.
// Keys are hash digests, so their bits are the hash. Each table doubles on its own when its load
// would pass 3/4: a key costs 16 B ÷ load (load between 3/8 and 3/4), and growing copies 1/256 of
// the set at a time, never the whole set.
class KeySet {
 public:
  bool Contains(const Key128& key) const;
  bool Insert(const Key128& key);  // true when the key was new
  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }

 private:
  struct Table {
    std::vector<Key128> slots;  // all-zero = empty; the all-zero key itself is kept in has_zero_
    size_t size = 0;
    bool Contains(const Key128& key) const;
    bool Insert(const Key128& key);
    void Grow();
  };
  static size_t TableOf(const Key128& key) { return static_cast<size_t>(key.hi >> 56); }

  std::vector<Table> tables_ = std::vector<Table>(256);
  size_t size_ = 0;
  bool has_zero_ = false;
};

class DedupIndex {
 public:
  // Every key stored in `store`.
  static Result<DedupIndex> Load(store::Store& store);

  bool Contains(std::string_view org, const Key128& key) const;
  bool Insert(std::string_view org, const Key128& key);  // true when the key was new
  size_t size() const;

 private:
  struct OrgHash {
    using is_transparent = void;
    size_t operator()(std::string_view org) const { return std::hash<std::string_view>{}(org); }
  };
  std::unordered_map<std::string, KeySet, OrgHash, std::equal_to<>> by_org_;
};

}  // namespace naap::ingest
