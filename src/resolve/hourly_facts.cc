#include "resolve/hourly_facts.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>

namespace naap::resolve {

void FrozenKeyHours::Add(uint64_t hash, Millis hour) {
  if ((size_ + removed_ + 1) * 4 > hours_.size() * 3) Grow();
  const size_t mask = hours_.size() - 1;
  size_t i = hash & mask;
  while (hours_[i] > kRemoved) i = (i + 1) & mask;
  if (hours_[i] == kRemoved) --removed_;
  hashes_[i] = hash;
  hours_[i] = Number(hour);
  ++size_;
}

void FrozenKeyHours::Remove(uint64_t hash, Millis hour) {
  const size_t mask = hours_.size() - 1;
  const uint32_t number = Number(hour);
  for (size_t i = hash & mask; hours_[i] != kEmpty; i = (i + 1) & mask) {
    if (hours_[i] == number && hashes_[i] == hash) {
      hours_[i] = kRemoved;
      --size_;
      ++removed_;
      return;
    }
  }
}

void FrozenKeyHours::RemoveBefore(Millis hour) {
  const uint32_t number = Number(hour);
  for (uint32_t& h : hours_) {
    if (h <= kRemoved || h >= number) continue;
    h = kRemoved;
    --size_;
    ++removed_;
  }
  if (removed_ > size_) Grow();  // rehashes the kept entries into a table sized for them
}

std::vector<Millis> FrozenKeyHours::HoursOf(uint64_t hash) const {
  std::vector<Millis> hours;
  if (hours_.empty()) return hours;
  const size_t mask = hours_.size() - 1;
  for (size_t i = hash & mask; hours_[i] != kEmpty; i = (i + 1) & mask) {
    if (hours_[i] > kRemoved && hashes_[i] == hash) {
      hours.push_back(static_cast<Millis>(hours_[i] - 2) * kHourMs);
    }
  }
  return hours;
}

void FrozenKeyHours::Grow() {
  // At most half full afterwards, so the next growth is at least size_ / 4 adds away.
  const size_t capacity = std::bit_ceil(std::max<size_t>(64, (size_ + 1) * 2));
  std::vector<uint64_t> hashes(capacity);
  std::vector<uint32_t> hours(capacity, kEmpty);
  for (size_t j = 0; j < hours_.size(); ++j) {
    if (hours_[j] <= kRemoved) continue;
    size_t i = hashes_[j] & (capacity - 1);
    while (hours[i] != kEmpty) i = (i + 1) & (capacity - 1);
    hashes[i] = hashes_[j];
    hours[i] = hours_[j];
  }
  hashes_ = std::move(hashes);
  hours_ = std::move(hours);
  removed_ = 0;
}

FrameFile::Ref FrameFile::Keep(std::string frame, const Ref* reuse) {
  std::lock_guard lock(mu_);
  if (file_.valid()) {
    const bool fits = reuse != nullptr && reuse->offset >= 0 && frame.size() <= reuse->capacity;
    const int64_t offset = fits ? reuse->offset : end_;
    const ssize_t n = pwrite(file_.fd(), frame.data(), frame.size(), offset);
    if (n == static_cast<ssize_t>(frame.size())) {
      if (!fits) end_ += n;
      return Ref{.offset = offset,
                 .size = frame.size(),
                 .capacity = fits ? reuse->capacity : frame.size(),
                 .bytes = {}};
    }
  }
  return Ref{.bytes = std::move(frame)};
}

bool FrameFile::Read(const Ref& ref, std::string& frame) const {
  frame.resize(ref.size);
  return pread(file_.fd(), frame.data(), ref.size, ref.offset) == static_cast<ssize_t>(ref.size);
}

void FrameFile::Release(const Ref& ref) {
  if (ref.offset < 0 || ref.capacity == 0) return;
  // The file keeps its size; the extent's blocks go back to the file system.
  fallocate(file_.fd(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, ref.offset,
            static_cast<off_t>(ref.capacity));
}

int64_t FrameFile::file_bytes() const {
  std::lock_guard lock(mu_);
  return end_;
}

}  // namespace naap::resolve
