#include "resolve/hourly_facts.h"

#include <fcntl.h>
#include <unistd.h>

#include <bit>

namespace naap::resolve {

void FrozenKeyHours::Add(uint64_t hash, Millis hour) {
  if ((size_ + removed_ + 1) * 4 > slots_.size() * 3) Grow();
  const size_t mask = slots_.size() - 1;
  const uint64_t fold = Fold(hash);
  size_t i = fold & mask;
  while (NumberOf(slots_[i]) > kRemoved) i = (i + 1) & mask;
  if (NumberOf(slots_[i]) == kRemoved) --removed_;
  slots_[i] = fold << 24 | Number(hour);
  ++size_;
}

void FrozenKeyHours::Remove(uint64_t hash, Millis hour) {
  const size_t mask = slots_.size() - 1;
  const uint64_t fold = Fold(hash), slot = fold << 24 | Number(hour);
  for (size_t i = fold & mask; NumberOf(slots_[i]) != kEmpty; i = (i + 1) & mask) {
    if (slots_[i] == slot) {
      slots_[i] = kRemoved;
      --size_;
      ++removed_;
      return;
    }
  }
}

void FrozenKeyHours::RemoveBefore(Millis hour) {
  const uint64_t number = Number(hour);
  for (uint64_t& slot : slots_) {
    if (NumberOf(slot) <= kRemoved || NumberOf(slot) >= number) continue;
    slot = kRemoved;
    --size_;
    ++removed_;
  }
  if (removed_ > size_) Grow();  // rehashes the kept entries into a table sized for them
}

std::vector<Millis> FrozenKeyHours::HoursOf(uint64_t hash) const {
  std::vector<Millis> hours;
  if (slots_.empty()) return hours;
  const size_t mask = slots_.size() - 1;
  const uint64_t fold = Fold(hash);
  for (size_t i = fold & mask; NumberOf(slots_[i]) != kEmpty; i = (i + 1) & mask) {
    if (NumberOf(slots_[i]) > kRemoved && slots_[i] >> 24 == fold) {
      hours.push_back(static_cast<Millis>(NumberOf(slots_[i]) - 2) * kHourMs);
    }
  }
  return hours;
}

void FrozenKeyHours::Grow() {
  // At most half full afterwards, so the next growth is at least size_ / 4 adds away.
  const size_t capacity = std::bit_ceil(std::max<size_t>(64, (size_ + 1) * 2));
  std::vector<uint64_t> slots(capacity, kEmpty);
  for (const uint64_t slot : slots_) {
    if (NumberOf(slot) <= kRemoved) continue;
    size_t i = (slot >> 24) & (capacity - 1);
    while (NumberOf(slots[i]) != kEmpty) i = (i + 1) & (capacity - 1);
    slots[i] = slot;
  }
  slots_ = std::move(slots);
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
