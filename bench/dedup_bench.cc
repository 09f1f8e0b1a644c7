// Dedup key set micro benchmark: inserts N random 128-bit keys (all new), then inserts the first
// tenth again (all duplicates), into ingest::KeySet and, in the same run, into a baseline that
// holds every key in memory (std::unordered_set). Reports the seconds of each phase, the ratio
// KeySet / baseline, the kernel's share of the inserts (the KeySet writes its runs to temporary
// files), and the resident memory each holds at the end. Usage: dedup_bench [N]
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <unordered_set>

#include "ingest/dedup.h"

namespace {

using Clock = std::chrono::steady_clock;

long ResidentKiB() {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  char line[256];
  long kib = 0;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, "VmRSS:", 6) == 0) kib = std::atol(line + 6);
  }
  std::fclose(f);
  return kib;
}

double SystemSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_stime.tv_sec) + usage.ru_stime.tv_usec / 1e6;
}

struct Result {
  double insert_s = 0, insert_system_s = 0, duplicate_s = 0;
  long added_kib = 0;
};

// Inserts the keys of seed 1 into `set`, then the first tenth again; checks every answer.
template <typename Set>
Result Run(Set& set, size_t n) {
  malloc_trim(0);
  const long before = ResidentKiB();
  Result r;
  std::mt19937_64 rng(1);
  const double system0 = SystemSeconds();
  const auto t0 = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    if (!set.Insert(naap::Key128{rng(), rng()})) std::abort();  // random keys never repeat
  }
  const auto t1 = Clock::now();
  r.insert_system_s = SystemSeconds() - system0;
  rng.seed(1);
  for (size_t i = 0; i < n / 10; ++i) {
    if (set.Insert(naap::Key128{rng(), rng()})) std::abort();
  }
  const auto t2 = Clock::now();
  r.insert_s = std::chrono::duration<double>(t1 - t0).count();
  r.duplicate_s = std::chrono::duration<double>(t2 - t1).count();
  malloc_trim(0);  // count what the set holds, not what it freed
  r.added_kib = ResidentKiB() - before;
  return r;
}

struct KeyHash {
  size_t operator()(const naap::Key128& k) const { return k.lo; }
};

// The baseline: every key in memory, in the standard library's hash set.
struct InMemory {
  std::unordered_set<naap::Key128, KeyHash> keys;
  bool Insert(const naap::Key128& key) { return keys.insert(key).second; }
};

}  // namespace

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 18'000'000;
  Result kept, base;
  {
    naap::ingest::KeySet set;
    kept = Run(set, n);
    std::printf("KeySet: %zu keys in %zu runs\n", set.size(), set.run_count());
  }
  {
    InMemory set;
    base = Run(set, n);
  }
  std::printf("insert %zu new keys: KeySet %.2f s, baseline %.2f s, ratio %.2f\n", n,
              kept.insert_s, base.insert_s, kept.insert_s / base.insert_s);
  std::printf("  of which in the kernel: KeySet %.2f s, baseline %.2f s\n", kept.insert_system_s,
              base.insert_system_s);
  std::printf("insert %zu duplicates: KeySet %.2f s, baseline %.2f s, ratio %.2f\n", n / 10,
              kept.duplicate_s, base.duplicate_s, kept.duplicate_s / base.duplicate_s);
  std::printf("resident memory held: KeySet %ld KiB, baseline %ld KiB, ratio %.3f\n",
              kept.added_kib, base.added_kib,
              static_cast<double>(kept.added_kib) / static_cast<double>(base.added_kib));
}
