// `naap simulate`: writes the simulator's network as NDJSON export-wrapper lines (see
// src/sim/generator.h), optionally paced in real time, and its ground truth as JSON.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include "base/time.h"
#include "cli/commands.h"
#include "sim/generator.h"

namespace naap::cli {
namespace {

struct SimulateOptions {
  std::string out;
  double hours = 1.0;
  uint64_t seed = 1;
  std::string start;
  std::string truth;
  double rate = 0;  // events per second of wall time; 0 = as fast as possible
  double scale = 1.0;
};

// Flushes `buffer` to `file`; false on a write error.
bool Drain(std::string& buffer, FILE* file) {
  const bool ok = std::fwrite(buffer.data(), 1, buffer.size(), file) == buffer.size();
  buffer.clear();
  return ok;
}

int RunSimulate(const SimulateOptions& opt) {
  const Millis now = SystemClock().NowMs();
  Millis start = HourFloor(now) - static_cast<Millis>(std::llround(opt.hours * kHourMs));
  if (!opt.start.empty()) {
    Result<Millis> parsed = sim::ParseUtcTime(opt.start);
    if (!parsed.ok()) {
      std::fprintf(stderr, "naap simulate: %s\n", parsed.status().message().c_str());
      return 2;
    }
    start = *parsed;
  }
  sim::Config config;
  config.seed = opt.seed;
  config.start_ms = start;
  // Never an event time later than the real clock + 1 h.
  config.end_ms = std::min(start + static_cast<Millis>(std::llround(opt.hours * kHourMs)), now + kHourMs);
  config.scale = opt.scale;
  auto generator = sim::Generator::Create(config);
  if (!generator.ok()) {
    std::fprintf(stderr, "naap simulate: %s\n", generator.status().message().c_str());
    return 2;
  }
  FILE* out = opt.out == "-" ? stdout : std::fopen(opt.out.c_str(), "wb");
  if (out == nullptr) {
    std::fprintf(stderr, "naap simulate: cannot open %s\n", opt.out.c_str());
    return 1;
  }
  std::string buffer;
  buffer.reserve(1 << 21);
  sim::Message msg;
  bool ok = true;
  uint64_t written = 0;
  const auto wall_start = std::chrono::steady_clock::now();
  auto last_flush = wall_start;
  while (ok && (*generator)->Next(msg)) {
    sim::WriteWrapperLine(msg, buffer);
    ++written;
    if (opt.rate > 0) {
      // Pace: message n is due n / rate seconds after the start; flush at least once a second.
      const auto due = wall_start + std::chrono::duration<double>(static_cast<double>(written) / opt.rate);
      const auto wall = std::chrono::steady_clock::now();
      if (due > wall || wall - last_flush >= std::chrono::seconds(1)) {
        ok = Drain(buffer, out) && std::fflush(out) == 0;
        last_flush = wall;
        std::this_thread::sleep_until(due);
      }
    } else if (buffer.size() >= (1 << 20)) {
      ok = Drain(buffer, out);
    }
  }
  ok = ok && Drain(buffer, out) && std::fflush(out) == 0;
  if (out != stdout) ok = std::fclose(out) == 0 && ok;
  if (!ok) {
    std::fprintf(stderr, "naap simulate: write error on %s\n", opt.out.c_str());
    return 1;
  }
  if (!opt.truth.empty()) {
    FILE* truth = std::fopen(opt.truth.c_str(), "wb");
    const std::string json = (*generator)->truth().ToJson() + "\n";
    if (truth == nullptr || std::fwrite(json.data(), 1, json.size(), truth) != json.size() || std::fclose(truth) != 0) {
      std::fprintf(stderr, "naap simulate: cannot write %s\n", opt.truth.c_str());
      return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::fprintf(stderr, "naap simulate: %llu lines in %.2f s (%.0f lines/s)\n", static_cast<unsigned long long>(written),
               seconds, seconds > 0 ? static_cast<double>(written) / seconds : 0.0);
  return 0;
}

}  // namespace

void AddSimulateCommand(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<SimulateOptions>();
  CLI::App* cmd = app.add_subcommand("simulate", "Generate a deterministic simulated Livepeer network as NDJSON");
  cmd->add_option("--out", opt->out, "output file, or - for stdout")->required();
  cmd->add_option("--hours", opt->hours, "simulated hours (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opt->seed, "random seed (default 1)");
  cmd->add_option("--start", opt->start, "first event hour, UTC ISO-8601 (default: the current hour minus --hours)");
  cmd->add_option("--truth", opt->truth, "write the ground-truth JSON here");
  cmd->add_option("--rate", opt->rate, "pace output at this many events per second of wall time")->check(CLI::NonNegativeNumber);
  cmd->add_option("--scale", opt->scale, "network size; 1 = today's network (about 5M events a day)")->check(CLI::PositiveNumber);
  cmd->callback([opt, &exit_code] { exit_code = RunSimulate(*opt); });
}

}  // namespace naap::cli
