#pragma once
// ReleaseFreedMemory: hands memory the calling thread's allocator holds free back to the system.
// mimalloc (linked into the naap binary) keeps a block freed by another thread on the page of the
// thread that allocated it until that thread collects, so a thread that allocated a lot (an API
// handler thawing old hours) keeps it after another thread freed it (the maintainer), for as long
// as it does not allocate from those pages again. Without mimalloc this trims glibc's free arena
// memory. Does nothing when this thread released less than `min_interval` ago.
#include <chrono>

namespace naap {

void ReleaseFreedMemory(std::chrono::milliseconds min_interval);

// KeepFreedMemoryFor: mimalloc hands pages freed by the program back to the system after this
// delay (its own default is 25 ms) unless MIMALLOC_DECOMMIT_DELAY is set. Ingest frees and
// reallocates memory at a high rate; with the default, the page faults that brought the pages
// back made a day's ingest on both cores about 15 % slower (docs/benchmarks-history.md). Does
// nothing without mimalloc.
void KeepFreedMemoryFor(std::chrono::milliseconds delay);

// UseLargePages: mimalloc asks for 2 MiB pages (transparent huge pages, through madvise) for the
// memory it maps from now on, unless MIMALLOC_LARGE_OS_PAGES is set; mimalloc then commits that
// memory eagerly. A day's ingest on both cores took 49.46 and 49.75 s instead of 52.09 and
// 52.26 s, with 49 and 24 MB more peak RSS (docs/benchmarks-history.md). For the bulk commands
// (ingest, rebuild); `naap serve` was not measured with large pages and keeps 4 KiB ones. Does
// nothing without mimalloc.
void UseLargePages();

}  // namespace naap
