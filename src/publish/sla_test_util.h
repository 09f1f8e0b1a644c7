#pragma once
// Test data for the SLA scoring of spec/analytics.md §9.1: the sums of its two SLA rows, its stated
// benchmark thresholds and a benchmark-day population whose quantiles are those thresholds.
#include <cstdint>

#include "base/fixed_point.h"
#include "base/sketch.h"
#include "publish/formulas.h"

namespace naap::publish::testing {

// §9.1: the SLA row (14:00) of the short stream crossing an hour.
inline StreamingSums Example91Hour14() {
  StreamingSums s;
  s.sessions_handled = 1;
  s.requested_sessions = 1;
  s.known_sessions_count = 1;
  s.startup_success_sessions = 1;
  s.completed_sessions = 1;
  s.health_signal_count = 3;
  s.health_expected_signal_count = 3;
  s.total_duration_ms = 52'000;
  s.status_samples = 3;
  s.fps_positive_samples = 2;
  s.output_fps_sum_milli = *ToMilli(17.0) + *ToMilli(16.0);
  s.input_fps_samples = 2;
  s.input_fps_sum_milli = 40'000;
  s.running_state_samples = 2;
  s.prompt_to_first_frame_sum_ms = 6500;
  s.prompt_to_first_frame_sample_count = 1;
  s.ptff_sketch.Add(6500);
  s.startup_latency_sum_ms = 2400;
  s.startup_latency_sample_count = 1;
  s.startup_latency_sketch.Add(2400);
  s.e2e_latency_sum_ms_milli = 110'000;
  s.e2e_latency_sample_count = 1;
  s.e2e_latency_sketch.Add(110);
  s.session_hour_fps_sketch.Add(16.5);
  s.face_value_wei = 7'200'000'000'000'000;
  s.fees_wei = 7'200'000'000'000;
  return s;
}

// §9.1: the 15:00 row: samples only.
inline StreamingSums Example91Hour15() {
  StreamingSums s;
  s.status_samples = 2;
  s.fps_positive_samples = 2;
  s.output_fps_sum_milli = 33'000;
  s.input_fps_samples = 2;
  s.input_fps_sum_milli = 39'000;
  s.running_state_samples = 2;
  return s;
}

// ptff 5000 / 9000, e2e 100 / 300, fps p10 12 / p50 16, all counts 48.
inline SlaBenchmark Example91Benchmark() {
  SlaBenchmark b;
  b.ptff_p50 = 5000;
  b.ptff_p90 = 9000;
  b.e2e_p50 = 100;
  b.e2e_p90 = 300;
  b.fps_p10 = 12;
  b.fps_p50 = 16;
  b.n_ptff = b.n_e2e = b.n_fps = 48;
  return b;
}

// 48 rows per metric whose quantiles are (within the sketch's 1 %) Example91Benchmark's.
inline BenchmarkDay Example91Population() {
  BenchmarkDay day;
  auto add = [](QuantileSketch& sketch, int64_t& rows, double value, int n) {
    for (int i = 0; i < n; ++i) sketch.Add(value);
    rows += n;
  };
  add(day.ptff_sketch, day.ptff_row_count, 5000, 24);
  add(day.ptff_sketch, day.ptff_row_count, 9000, 20);
  add(day.ptff_sketch, day.ptff_row_count, 20000, 4);
  add(day.e2e_sketch, day.e2e_row_count, 100, 24);
  add(day.e2e_sketch, day.e2e_row_count, 300, 20);
  add(day.e2e_sketch, day.e2e_row_count, 1000, 4);
  add(day.fps_sketch, day.fps_row_count, 12, 5);
  add(day.fps_sketch, day.fps_row_count, 16, 19);
  add(day.fps_sketch, day.fps_row_count, 30, 24);
  return day;
}

}  // namespace naap::publish::testing
