#include "ingest/key_run.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace naap::ingest {
namespace {

constexpr size_t kFilterBitsPerKey = 16;
constexpr size_t kBlockWords = 8;
constexpr size_t kBlockBits = kBlockWords * 64;

// The index of the first word of a key's block in a filter of `words` words.
size_t BlockStart(const Key128& key, size_t words) {
  const size_t blocks = words / kBlockWords;
  return static_cast<size_t>((static_cast<unsigned __int128>(key.hi) * blocks) >> 64) * kBlockWords;
}

// Bit j of a key's block is in word j, chosen by 6 bits of lo.
uint64_t BitInWord(const Key128& key, size_t word) {
  return uint64_t{1} << ((key.lo >> (6 * word)) & 63);
}

[[noreturn]] void LostFile(const char* what) {
  std::fprintf(stderr, "naap: the dedup keys' temporary file %s\n", what);
  std::abort();
}

}  // namespace

// Appends keys in ascending order: into the file a chunk at a time, or into memory when there is
// no file. If a write fails the keys written so far are read back and the run stays in memory.
class KeyRun::Writer {
 public:
  Writer(size_t expected, TempFile file)
      : file_(file.valid() ? std::move(file) : TempFile::Create()) {
    const size_t blocks =
        std::max<size_t>(1, (expected * kFilterBitsPerKey + kBlockBits - 1) / kBlockBits);
    run_.filter_.assign(blocks * kBlockWords, 0);
    run_.page_first_.reserve(expected / kPageKeys + 1);
    if (!file_.valid()) run_.resident_.reserve(expected);
  }

  void Add(const Key128& key) {
    if (run_.size_ % kPageKeys == 0) run_.page_first_.push_back(key);
    uint64_t* block = &run_.filter_[BlockStart(key, run_.filter_.size())];
    for (size_t j = 0; j < kBlockWords; ++j) block[j] |= BitInWord(key, j);
    ++run_.size_;
    if (!file_.valid()) {
      run_.resident_.push_back(key);
      return;
    }
    chunk_.push_back(key);
    if (chunk_.size() == kChunkKeys) Flush();
  }

  KeyRun Finish() {
    if (file_.valid()) Flush();
    run_.file_ = std::move(file_);
    return std::move(run_);
  }

 private:
  void Flush() {
    const size_t bytes = chunk_.size() * sizeof(Key128);
    const off_t offset = static_cast<off_t>(written_ * sizeof(Key128));
    if (pwrite(file_.fd(), chunk_.data(), bytes, offset) == static_cast<ssize_t>(bytes)) {
      written_ += chunk_.size();
    } else {
      run_.resident_.resize(written_);
      const size_t back = written_ * sizeof(Key128);
      if (pread(file_.fd(), run_.resident_.data(), back, 0) != static_cast<ssize_t>(back)) {
        LostFile("cannot be read back after a failed write");
      }
      run_.resident_.insert(run_.resident_.end(), chunk_.begin(), chunk_.end());
      file_ = TempFile();
    }
    chunk_.clear();
  }

  KeyRun run_;
  TempFile file_;
  std::vector<Key128> chunk_;
  size_t written_ = 0;
};

// Reads a run in ascending order, a chunk at a time.
class KeyRun::Cursor {
 public:
  explicit Cursor(const KeyRun& run) : run_(run), buffer_(kChunkKeys) { Load(); }
  bool done() const { return next_ == run_.size(); }
  const Key128& key() const { return keys_[next_ - chunk_first_]; }
  void Next() {
    if (++next_ == chunk_first_ + keys_.size()) Load();
  }

 private:
  void Load() {
    chunk_first_ = next_;
    keys_ = run_.Read(next_, std::min(kChunkKeys, run_.size() - next_), buffer_.data());
  }

  const KeyRun& run_;
  std::vector<Key128> buffer_;
  std::span<const Key128> keys_;
  size_t chunk_first_ = 0, next_ = 0;
};

KeyRun KeyRun::FromSorted(std::span<const Key128> keys, TempFile file) {
  Writer writer(keys.size(), std::move(file));
  for (const Key128& key : keys) writer.Add(key);
  return writer.Finish();
}

KeyRun KeyRun::Merge(const KeyRun& a, const KeyRun& b, TempFile file) {
  Writer writer(a.size() + b.size(), std::move(file));
  Cursor x(a), y(b);
  while (!x.done() || !y.done()) {
    Cursor& smaller = y.done() || (!x.done() && x.key() < y.key()) ? x : y;
    writer.Add(smaller.key());
    smaller.Next();
  }
  return writer.Finish();
}

TempFile KeyRun::TakeFile() && {
  TempFile file = std::move(file_);
  *this = KeyRun();
  return file;
}

const uint64_t* KeyRun::BlockOf(const Key128& key) const {
  return &filter_[BlockStart(key, filter_.size())];
}

void KeyRun::Prefetch(const Key128& key) const { __builtin_prefetch(BlockOf(key)); }

bool KeyRun::MayContain(const Key128& key) const {
  const uint64_t* block = BlockOf(key);
  for (size_t j = 0; j < kBlockWords; ++j) {
    if ((block[j] & BitInWord(key, j)) == 0) return false;
  }
  return true;
}

bool KeyRun::Contains(const Key128& key) const {
  if (size_ == 0 || !MayContain(key)) return false;
  const auto after = std::upper_bound(page_first_.begin(), page_first_.end(), key);
  if (after == page_first_.begin()) return false;
  const size_t first = static_cast<size_t>(after - page_first_.begin() - 1) * kPageKeys;
  Key128 page[kPageKeys];
  const std::span<const Key128> keys = Read(first, std::min(kPageKeys, size_ - first), page);
  return std::binary_search(keys.begin(), keys.end(), key);
}

std::span<const Key128> KeyRun::Read(size_t first, size_t count, Key128* buffer) const {
  if (!file_.valid()) return {resident_.data() + first, count};
  const size_t bytes = count * sizeof(Key128);
  if (pread(file_.fd(), buffer, bytes, static_cast<off_t>(first * sizeof(Key128))) !=
      static_cast<ssize_t>(bytes)) {
    LostFile("cannot be read");
  }
  return {buffer, count};
}

}  // namespace naap::ingest
