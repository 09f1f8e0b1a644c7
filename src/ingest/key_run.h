#pragma once
// An immutable sorted run of distinct Key128s kept out of memory. The keys go to an unnamed
// temporary file (base/temp_file.h), one per run; memory holds only a blocked Bloom filter
// (16 bits a key: 0.095 % false positives measured on random keys, against 0.41 % with 12) and
// the first key of every 4 KiB page. A look-up the filter passes reads one page. When no file can
// be created the keys stay in memory instead, with the same answers. Keys are hash digests: their
// bits are the hash.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "base/hash.h"
#include "base/temp_file.h"

namespace naap::ingest {

class KeyRun {
 public:
  // `keys` ascending and distinct. The run writes over `file` from its start when it is valid
  // (the file of a run that is gone: its pages are already there), else into a new file.
  static KeyRun FromSorted(std::span<const Key128> keys, TempFile file = {});
  // Every key of `a` and `b`, which have none in common.
  static KeyRun Merge(const KeyRun& a, const KeyRun& b, TempFile file = {});
  // The run's file, invalid when the run is in memory. The run is empty afterwards.
  TempFile TakeFile() &&;

  bool Contains(const Key128& key) const;
  // The filter's answer: false only for keys the run does not hold (no read).
  bool MayContain(const Key128& key) const;
  // Starts loading the memory Contains(key) reads first, so the look-ups of several runs wait
  // for memory once, not once per run.
  void Prefetch(const Key128& key) const;
  size_t size() const { return size_; }
  bool in_file() const { return file_.valid(); }

 private:
  static constexpr size_t kPageKeys = 4096 / sizeof(Key128);
  static constexpr size_t kChunkKeys = 16 * kPageKeys;  // moved by one file write or read
  class Writer;
  class Cursor;

  const uint64_t* BlockOf(const Key128& key) const;
  // Keys [first, first + count) of the run: in `buffer` (count or more) when read from the file.
  std::span<const Key128> Read(size_t first, size_t count, Key128* buffer) const;

  size_t size_ = 0;
  std::vector<uint64_t> filter_;    // blocks of 8 words; a key sets one bit in each
  std::vector<Key128> page_first_;  // the first key of every kPageKeys keys
  TempFile file_;
  std::vector<Key128> resident_;  // the keys, when there is no file
};

}  // namespace naap::ingest
