#include "base/memory.h"

#include <malloc.h>

// Resolved when mimalloc is linked; null otherwise (the tests use glibc's allocator).
extern "C" void mi_collect(bool force) __attribute__((weak));

namespace naap {

void ReleaseFreedMemory(std::chrono::milliseconds min_interval) {
  using Clock = std::chrono::steady_clock;
  thread_local Clock::time_point last;
  const Clock::time_point now = Clock::now();
  if (last != Clock::time_point{} && now - last < min_interval) return;
  last = now;
  if (mi_collect != nullptr) {
    mi_collect(true);
  } else {
    malloc_trim(0);
  }
}

}  // namespace naap
