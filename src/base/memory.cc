#include "base/memory.h"

#include <malloc.h>
#include <mimalloc.h>

#include <cstdlib>

// Resolved when mimalloc is linked; null otherwise (the tests use glibc's allocator).
#pragma weak mi_collect
#pragma weak mi_option_set

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

void KeepFreedMemoryFor(std::chrono::milliseconds delay) {
  if (mi_option_set == nullptr || std::getenv("MIMALLOC_DECOMMIT_DELAY") != nullptr) return;
  mi_option_set(mi_option_decommit_delay, static_cast<long>(delay.count()));
}

void UseLargePages() {
  if (mi_option_set == nullptr || std::getenv("MIMALLOC_LARGE_OS_PAGES") != nullptr) return;
  mi_option_set(mi_option_large_os_pages, 1);
}

}  // namespace naap
