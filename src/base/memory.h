#pragma once
// ReleaseFreedMemory: hands memory the calling thread's allocator holds free back to the system.
// mimalloc (linked into the naap binary) keeps a block freed by another thread on the page of the
// thread that allocated it until that thread collects, so a thread that allocated a lot (an API
// handler thawing old hours) keeps it after another thread freed it (the refreezer), for as long
// as it does not allocate from those pages again. Without mimalloc this trims glibc's free arena
// memory. Does nothing when this thread released less than `min_interval` ago.
#include <chrono>

namespace naap {

void ReleaseFreedMemory(std::chrono::milliseconds min_interval);

}  // namespace naap
