#include "base/cpus.h"

#include <sched.h>

namespace naap {

int UsableCpus() {
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) != 0) return 0;
  return CPU_COUNT(&cpus);
}

size_t QueueBound(size_t overlap, int cpus) { return cpus == 1 ? 2 : overlap; }

}  // namespace naap
