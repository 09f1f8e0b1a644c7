// first_touch MIB: what memory costs the machine the first time it is touched. Maps MIB MiB of
// anonymous memory three times, in 2 MiB pages (MADV_HUGEPAGE) and then in 4 KiB pages, writes one
// byte per 4 KiB page, then writes all of it again, and prints both rates. On a virtual machine
// that gives freed memory back to its host, the first touch of each mapping is far slower than
// the second pass (docs/benchmarks.md, "What fresh memory costs on this machine").
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int main(int argc, char** argv) {
  const size_t bytes = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024) << 20;
  for (const bool huge : {true, false}) {
    for (int round = 1; round <= 3; ++round) {
      auto* p = static_cast<char*>(
          mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
      if (p == MAP_FAILED) return 1;
      if (huge) madvise(p, bytes, MADV_HUGEPAGE);
      auto start = std::chrono::steady_clock::now();
      for (size_t i = 0; i < bytes; i += 4096) p[i] = 1;
      const double touch = Seconds(start);
      start = std::chrono::steady_clock::now();
      std::memset(p, 2, bytes);
      const double again = Seconds(start);
      std::printf("%s pages, round %d: first touch %.0f MB/s, second pass %.0f MB/s\n",
                  huge ? "2 MiB" : "4 KiB", round, bytes / 1e6 / touch, bytes / 1e6 / again);
      munmap(p, bytes);
    }
  }
  return 0;
}
