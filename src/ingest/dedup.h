#pragma once
// The dedup index (spec/events.md §7.1). Keys are scoped by org:
//   accepted / ignored:        EventIdKey(event_id), plus WorkerKey(data.id) for worker_lifecycle
//   rejected:                  RejectedBytesKey(SHA-256 of the message bytes)
// The in-memory set holds every key of the store (loaded at start) plus the keys added since;
// the pipeline writes new keys to the store in the same batch as the data they admitted.
#include <cstddef>
#include <cstdint>
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

// A set of Key128 in 256 parts chosen by the key's top byte. Keys are hash digests, so their bits
// are the hash. Each part keeps its merged keys in one sorted array with a directory of buckets
// by the bits below the top byte (about 4 keys a bucket), plus a small open-addressing table of
// the keys added since its last merge. When that table holds 1/16 of the array (at least 256
// keys) they are merged into the array, so a merge copies one part (1/256 of the set), never the
// whole set.
//
// A merged key keeps 88 of its 128 bits: the top byte by its part, 80 more in 10 bytes. A new key
// is therefore taken for a merged one when those 88 bits are equal: with n keys held, a chance of
// n / 2^88 per look-up, so for 450 million keys (90 days at 5 million events a day) about
// 3 × 10⁻¹⁰ that any of them is wrongly a duplicate (docs/decisions.md).
class KeySet {
 public:
  bool Contains(const Key128& key) const;
  bool Insert(const Key128& key);  // true when the key was new
  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }

 private:
  // The bits a merged key keeps, in its sort order: the 56 bits of hi below the top byte and the
  // top 8 of lo, then the next 16 bits of lo.
  static uint64_t High(const Key128& key) { return (key.hi << 8) | (key.lo >> 56); }
  static uint16_t Low(const Key128& key) { return static_cast<uint16_t>(key.lo >> 40); }

  struct Part {
    std::vector<uint64_t> high;       // ascending by (high, low); every key merged so far
    std::vector<uint16_t> low;        // parallel to high
    std::vector<uint32_t> directory;  // directory[b]: first index of `high` in bucket >= b
    int bucket_bits = 0;
    std::vector<Key128> recent;  // all-zero = empty; the all-zero key itself is in has_zero_
    size_t recent_size = 0;
    size_t Bucket(uint64_t high_bits) const {
      return bucket_bits == 0 ? 0 : static_cast<size_t>(high_bits >> (64 - bucket_bits));
    }
    bool Contains(const Key128& key) const;
    bool Insert(const Key128& key);
    void Merge();
  };
  static size_t PartOf(const Key128& key) { return static_cast<size_t>(key.hi >> 56); }

  std::vector<Part> parts_ = std::vector<Part>(256);
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
