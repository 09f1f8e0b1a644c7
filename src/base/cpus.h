#pragma once
// The CPUs a bulk run may use, and what its threads queue for each other because of it.
#include <cstddef>

namespace naap {

// The CPUs the calling thread may run on: its affinity mask, which `taskset` sets for a process
// and the threads it starts. 0 when unknown.
int UsableCpus();

// How many items a producing thread may queue for the thread that consumes them: `overlap` (enough
// for the producer to go on through the consumer's long steps) when the two may run on separate
// CPUs, and two when `cpus` is 1: there the threads take turns anyway, and queued items only cost
// memory that is cold by the time they are taken (ingest/pipeline.h, publish/message_chunks.h).
size_t QueueBound(size_t overlap, int cpus);

}  // namespace naap
