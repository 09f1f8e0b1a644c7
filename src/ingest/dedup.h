#pragma once
// The dedup index (spec/events.md §7.1). Keys are scoped by org:
//   accepted / ignored:        EventIdKey(event_id), plus WorkerKey(data.id) for worker_lifecycle
//   rejected:                  RejectedBytesKey(SHA-256 of the message bytes)
// The index holds every key of the store (loaded at start) plus the keys added since, the older
// ones in temporary files (KeySet); the pipeline writes new keys to the store in the same batch
// as the data they admitted.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "base/temp_file.h"
#include "ingest/key_run.h"
#include "store/store.h"

namespace naap::ingest {

Key128 EventIdKey(std::string_view event_id);
Key128 WorkerKey(std::string_view worker_id);
Key128 RejectedBytesKey(const Sha256Digest& message_sha256);

// A set of Key128 (hash digests). The keys added last are in an open-addressing table in memory
// (load at most 1/2). When it holds `recent_limit` keys they become a sorted KeyRun, whose keys
// leave memory (key_run.h), and the table is emptied, keeping its memory for the next keys. Runs
// merge like a binary counter: a new run merges with the one before it while that one is less
// than twice its size, so n keys are in at most log2(n / recent_limit) + 1 runs and each key is
// rewritten about that many times.
// Keys are kept whole: a key is found only when all its 128 bits are equal.
class KeySet {
 public:
  static constexpr size_t kRecentLimit = size_t{1} << 17;  // a 4 MiB table when full

  explicit KeySet(size_t recent_limit = kRecentLimit) : recent_limit_(recent_limit) {}
  bool Contains(const Key128& key) const;
  bool Insert(const Key128& key);  // true when the key was new
  // Starts loading the memory a look-up of `key` reads (its slot of the table, the runs' filter
  // blocks), so that a look-up soon after does not wait for it.
  void Prefetch(const Key128& key) const;
  // Insert without the look-up, for a key known to be new (the store's keys are distinct).
  void AddNew(const Key128& key);
  size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
  size_t run_count() const { return runs_.size(); }

 private:
  // A file of a run that is gone, `bytes` long.
  struct SpareFile {
    TempFile file;
    size_t bytes = 0;
  };
  static constexpr size_t kMaxSpareFiles = 4;

  bool RecentContains(const Key128& key) const;
  void AddRecent(const Key128& key);
  void Spill();
  // The spare file that best fits `keys` keys (invalid when there is none), taken from the spares.
  TempFile SpareFileFor(size_t keys);
  // Keeps `run`'s file as a spare, dropping the smallest when there are too many.
  void KeepFileOf(KeyRun run);

  size_t recent_limit_;
  std::vector<Key128> recent_;  // all-zero = empty; the all-zero key itself is in has_zero_
  size_t recent_size_ = 0;
  std::vector<KeyRun> runs_;  // oldest first
  // Files of runs merged away, for new runs to write over. Each merge rewrites its keys, so every
  // key is written about log2(n / recent_limit) times; over pages a file already has, a write is
  // a copy, while each new page of a file costs the kernel an allocation (64 KiB writes here: 455
  // MB/s into a new file, 7,056 MB/s over one; docs/benchmarks.md, "The week's kernel time").
  std::vector<SpareFile> spare_files_;
  size_t size_ = 0;
  bool has_zero_ = false;
};

class DedupIndex {
 public:
  // Every key stored in `store`.
  static Result<DedupIndex> Load(store::Store& store);

  bool Contains(std::string_view org, const Key128& key) const;
  bool Insert(std::string_view org, const Key128& key);  // true when the key was new
  void Prefetch(std::string_view org, const Key128& key) const;  // KeySet::Prefetch
  size_t size() const;

 private:
  KeySet& SetOf(std::string_view org);  // created empty when new

  std::unordered_map<std::string, KeySet, StringHash, std::equal_to<>> by_org_;
};

}  // namespace naap::ingest
