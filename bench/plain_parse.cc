// Baseline for the ingest benchmarks: the fastest thing that still reads every message, a plain
// simdjson DOM parse of each NDJSON line of a file (buffered reads, memchr line split). naap's
// ingest rate is reported as a ratio to this rate on the same file in the same run.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: plain_parse FILE.ndjson\n");
    return 2;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) {
    std::perror(argv[1]);
    return 1;
  }
  simdjson::dom::parser parser;
  std::vector<char> buf(1 << 20);
  std::string carry;
  size_t lines = 0, parsed = 0, bytes = 0;
  auto start = std::chrono::steady_clock::now();
  auto parse_line = [&](const char* p, size_t n) {
    if (n == 0) return;
    ++lines;
    if (!parser.parse(p, n).error()) ++parsed;
  };
  size_t got;
  while ((got = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    bytes += got;
    const char* p = buf.data();
    const char* end = p + got;
    while (p < end) {
      const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
      if (!nl) {
        carry.append(p, end);
        break;
      }
      if (!carry.empty()) {
        carry.append(p, nl);
        parse_line(carry.data(), carry.size());
        carry.clear();
      } else {
        parse_line(p, nl - p);
      }
      p = nl + 1;
    }
  }
  parse_line(carry.data(), carry.size());
  std::fclose(f);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("{\"lines\":%zu,\"parsed\":%zu,\"bytes\":%zu,\"seconds\":%.3f}\n", lines, parsed, bytes, secs);
  return 0;
}
