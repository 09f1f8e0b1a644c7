// Invariants 6–11, 17–19, 23 and 26 of spec/analytics.md §8 on randomly generated sessions, at
// the grain of one session (a serving row sums these per-session terms).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "resolve/session.h"
#include "resolve/session_test_util.h"

namespace naap::resolve {
namespace {

using testing::AddResolvedAndHardwareLess;
using testing::At;
using testing::FakeMatcher;
using testing::Orch;
using testing::Resolved;
using testing::SessionBuilder;

const char* const kTraceTypes[] = {"gateway_receive_stream_request",
                                   "gateway_send_first_ingest_segment",
                                   "gateway_receive_first_processed_segment",
                                   "gateway_receive_few_processed_segments",
                                   "gateway_receive_first_data_segment",
                                   "gateway_no_orchestrators_available",
                                   "orchestrator_swap",
                                   "gateway_ingest_stream_closed",
                                   "runner_send_first_processed_segment",
                                   "runner_receive_first_ingest_segment"};
const char* const kStates[] = {"ONLINE", "LOADING", "DEGRADED_INPUT", "DEGRADED_INFERENCE", "OFF"};
const char* const kEventNames[] = {"error", "params_update", "orchestrator_swap",
                                   "inference_complete"};

// Orchestrators u0 (resolved with GPU), u1 (hardware-less), u2 (stale with GPU), u3 (unknown),
// u4 (ambiguous).
FakeMatcher RandomMatcher() {
  FakeMatcher m;
  AddResolvedAndHardwareLess(m);
  Decision stale = Resolved("stale_candidate", "uri_interval_stale", "0xc2", "u2", "gpu2");
  stale.status = "stale";
  stale.confidence = "medium";
  m.Add("u2", 0, stale);
  Decision ambiguous;
  ambiguous.status = "ambiguous";
  ambiguous.reason = "ambiguous_candidates";
  ambiguous.method = "ambiguous";
  m.Add("u4", 0, ambiguous);
  return m;
}

SessionRecords RandomSession(std::mt19937_64& rng) {
  SessionBuilder b("o");
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  const Millis base = At(10, 0, 0);
  auto ts = [&] { return base + static_cast<Millis>(rng() % (3 * kHourMs)) / 1000 * 1000; };
  auto orch = [&]() -> event::OrchInfo {
    const int o = pick(6);
    if (o == 5) return {};
    return Orch("0xl" + std::to_string(o), "u" + std::to_string(o));
  };
  int id = 0;
  auto next_id = [&id] { return "id" + std::to_string(id++); };
  for (int i = pick(8); i > 0; --i) b.Trace(next_id(), ts(), kTraceTypes[pick(10)], orch());
  for (int i = pick(8); i > 0; --i) {
    const int fps_kind = pick(3);
    auto& s = b.Status(next_id(), ts(), kStates[pick(5)],
                       fps_kind == 0   ? std::nullopt
                       : fps_kind == 1 ? std::optional<double>(0.0)
                                       : std::optional<double>(pick(300) / 10.0),
                       orch());
    s.input_fps = pick(2) ? std::optional<double>(pick(300) / 10.0) : std::nullopt;
    s.restart_count = pick(3);
    s.e2e_latency_ms = pick(2) ? std::optional<double>(pick(5000) / 8.0) : std::nullopt;
    s.last_error = pick(3) == 0 ? "err" + std::to_string(pick(2)) : "";
    s.has_error = !s.last_error.empty();
    if (pick(2)) s.model = "streamdiffusion-sdxl";
  }
  for (int i = pick(4); i > 0; --i) {
    auto& e = b.Event(next_id(), ts(), kEventNames[pick(4)], "", orch());
    e.is_excusable_error = e.is_error && pick(2);
    if (pick(2)) e.pipeline = "live-video-to-video";
  }
  for (int i = pick(4); i > 0; --i) {
    auto& in = b.Ingest(next_id(), ts());
    in.video.packets_received = pick(1000);
  }
  return b.records();
}

void CheckInvariants(const SessionFact& f) {
  const Classification& c = f.classification;
  // 6: a requested session has exactly one startup outcome.
  if (c.requested_seen) {
    EXPECT_TRUE(c.startup_outcome == "success" || c.startup_outcome == "excused" ||
                c.startup_outcome == "unexcused");
  } else {
    EXPECT_EQ(c.startup_outcome, "unknown");
  }
  // 7: no-orch requested sessions are excused or successful.
  if (c.requested_seen && c.selection_outcome == "no_orch") {
    EXPECT_NE(c.startup_outcome, "unexcused");
  }
  // 8: output_failed is the union of loading_only and zero_output_fps over requested sessions.
  EXPECT_EQ(c.output_failed, c.requested_seen && (c.loading_only || c.zero_output_fps));
  // 9: effective_failed is the union of unexcused startup failure and output failure.
  EXPECT_EQ(c.effective_failed,
            c.requested_seen && (c.startup_outcome == "unexcused" || c.output_failed));
  // 10: swap flags.
  EXPECT_EQ(f.swapped, f.confirmed_swapped || f.inferred_swapped);
  EXPECT_FALSE(f.confirmed_swapped && f.inferred_swapped);
  // 11: health signals.
  EXPECT_EQ(c.health_expected_signal_count, c.requested_seen ? 3 : 0);
  if (c.requested_seen) {
    EXPECT_LE(c.health_signal_count, c.health_expected_signal_count);
  }
  EXPECT_GE(c.health_signal_count, 0);
  // 17: GPU only on resolved or stale.
  auto gpu_ok = [](const Decision& d) {
    return d.gpu_id.empty() || d.status == "resolved" || d.status == "stale";
  };
  EXPECT_TRUE(gpu_ok(f.attribution));
  if (!f.gpu_id.empty()) {
    EXPECT_TRUE(f.attribution.status == "resolved" || f.attribution.status == "stale");
  }
  EXPECT_EQ(f.orchestrator_address.empty(), !f.attribution.HasIdentity());
  // 18: selection outcome.
  EXPECT_EQ(c.selection_outcome == "selected", !f.selections.empty());
  if (c.selection_outcome == "no_orch") {
    EXPECT_EQ(f.attribution.reason, "no_selection_no_orch_excused");
  }
  // 19: latencies are NULL exactly when an edge is missing or the difference is negative.
  auto check_latency = [](std::optional<Millis> value, std::optional<Millis> from,
                          std::optional<Millis> to) {
    const bool defined = from && to && *to >= *from;
    EXPECT_EQ(value.has_value(), defined);
    if (value) {
      EXPECT_EQ(*value, *to - *from);
    }
  };
  check_latency(c.startup_latency_ms, f.requested_at, f.first_processed_at);
  check_latency(c.prompt_to_first_frame_ms, f.requested_at, f.playable_at);
  if (c.e2e_latency_ms) {
    EXPECT_GE(*c.e2e_latency_ms, 0);
  }
  EXPECT_EQ(c.e2e_latency_ms.has_value(), c.e2e_source != "none");
  // 23: an artifact is only the last status hour, and only after session_start.
  const SessionHour* last_status_hour = nullptr;
  for (const SessionHour& h : f.hours) {
    if (h.status_samples > 0) last_status_hour = &h;
  }
  for (const SessionHour& h : f.hours) {
    if (!h.is_terminal_tail_artifact) continue;
    EXPECT_EQ(&h, last_status_hour);
    EXPECT_LT(f.session_start, h.hour);
  }
  // Selections are numbered 1…n in time order; sample sums match the session counters.
  for (size_t i = 0; i < f.selections.size(); ++i) {
    EXPECT_EQ(f.selections[i].selection_seq, static_cast<int>(i + 1));
    if (i > 0) {
      EXPECT_LE(f.selections[i - 1].selection_ts, f.selections[i].selection_ts);
    }
  }
  int64_t status = 0, fps_positive = 0;
  for (const SessionHour& h : f.hours) {
    status += h.status_samples;
    fps_positive += h.fps_positive_samples;
    EXPECT_LE(h.input_fps_samples, h.fps_positive_samples);
    EXPECT_EQ(h.output_fps_sketch.count(), static_cast<uint64_t>(h.fps_positive_samples));
    EXPECT_EQ(h.input_fps_sketch.count(), static_cast<uint64_t>(h.input_fps_samples));
  }
  EXPECT_EQ(status, f.status_sample_count);
  EXPECT_EQ(fps_positive, f.fps_positive_samples);
}

TEST(SessionInvariants, RandomSessions) {
  std::mt19937_64 rng(20260310);
  const FakeMatcher matcher = RandomMatcher();
  for (int round = 0; round < 2000; ++round) {
    SCOPED_TRACE(round);
    SessionRecords records = RandomSession(rng);
    const SessionFact fact = BuildSession("o", "o|s|r", records, matcher);
    CheckInvariants(fact);
    // 26: any delivery order gives the same fact.
    std::shuffle(records.traces.begin(), records.traces.end(), rng);
    std::shuffle(records.status_samples.begin(), records.status_samples.end(), rng);
    std::shuffle(records.stream_events.begin(), records.stream_events.end(), rng);
    std::shuffle(records.ingest_samples.begin(), records.ingest_samples.end(), rng);
    EXPECT_EQ(BuildSession("o", "o|s|r", records, matcher), fact);
    if (::testing::Test::HasFailure()) break;
  }
}

}  // namespace
}  // namespace naap::resolve
