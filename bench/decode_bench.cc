// Decoder micro benchmark: decodes every line of an NDJSON file held in memory with
// event::Decoder and, in the same run, DOM-parses the same lines with simdjson (the plain-parse
// baseline of docs/benchmarks.md). Reports the best of several rounds of each and the ratio
// decode cost / parse cost. Usage: decode_bench FILE.ndjson [ROUNDS]
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "event/decoder.h"

namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Best wall time in seconds of `rounds` runs of `body`.
template <typename Body>
double BestOf(int rounds, Body body) {
  double best = 1e300;
  for (int i = 0; i < rounds; ++i) {
    auto t0 = Clock::now();
    body();
    best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: decode_bench FILE.ndjson [ROUNDS]\n");
    return 2;
  }
  int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::perror(argv[1]);
    return 1;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const std::vector<std::string_view> lines = SplitLines(text);

  simdjson::dom::parser parser;
  size_t parsed = 0;
  double parse_s = BestOf(rounds, [&] {
    parsed = 0;
    for (std::string_view line : lines) parsed += parser.parse(line.data(), line.size()).error() ? 0 : 1;
  });

  naap::event::Decoder decoder;
  size_t accepted = 0;
  constexpr naap::Millis kIngestMs = 1'767'916'800'000;  // 2026-01-09T00:00:00Z
  double decode_s = BestOf(rounds, [&] {
    accepted = 0;
    for (std::string_view line : lines) {
      const auto& d = decoder.Decode(naap::event::DecodeInput{line, "", "", false, kIngestMs});
      accepted += d.cls == naap::event::MessageClass::kAccepted ? 1 : 0;
    }
  });

  double n = static_cast<double>(lines.size());
  std::printf("lines %zu (parsed %zu, accepted %zu), best of %d rounds\n", lines.size(), parsed,
              accepted, rounds);
  std::printf("plain DOM parse: %.3f s  %.3f us/line\n", parse_s, parse_s / n * 1e6);
  std::printf("decode:          %.3f s  %.3f us/line\n", decode_s, decode_s / n * 1e6);
  std::printf("ratio decode cost / parse cost: %.2f\n", decode_s / parse_s);
  return 0;
}
