// BuildSession on the worked examples of spec/analytics.md §9.1 and §9.2 and on hand-built cases
// for the terminal tail, classification precedence, failure derivation and ingest deltas.
#include "resolve/session.h"

#include <gtest/gtest.h>

#include "base/hash.h"
#include "resolve/session_test_util.h"

namespace naap::resolve {
namespace {

using testing::At;
using testing::Example91Records;
using testing::Example92Matcher;
using testing::Example92Records;
using testing::FakeMatcher;
using testing::kA;
using testing::kB;
using testing::kGpu1;
using testing::kGpuA;
using testing::kGpuB;
using testing::kLocal1;
using testing::kLocalA;
using testing::kLocalB;
using testing::kOnChain1;
using testing::kUri1;
using testing::kUriA;
using testing::kUriB;
using testing::Orch;
using testing::Resolved;
using testing::SessionBuilder;

constexpr char kLv2v[] = "live-video-to-video";

// ---- §9.1 ----

constexpr char kKey1[] = "cloudspe|stream-ex1|aa11bb22";

Decision Example91Decision() {
  Decision d = Resolved("matched", "uri_interval_exact", kOnChain1, kUri1, kGpu1);
  d.model = "streamdiffusion-sdxl-faceid";
  d.gpu_model_name = "NVIDIA GeForce RTX 5090";
  d.gpu_memory_bytes_total = 34190917632;
  d.runner_version = "0.14.0";
  d.attribution_snapshot_ts = At(14, 59, 0);
  return d;
}

TEST(SessionExample91, SelectionAnchoredOnE4WithHintsFromE8) {
  FakeMatcher matcher;
  matcher.Add(kUri1, At(14, 59, 0), Example91Decision());
  const SessionFact f = BuildSession("cloudspe", kKey1, Example91Records(), matcher);

  ASSERT_EQ(f.selections.size(), 1u);
  const Selection& s = f.selections[0];
  EXPECT_EQ(s.selection_id, Hid({"cloudspe", kKey1, "E4"}));
  EXPECT_EQ(s.selection_seq, 1);
  EXPECT_EQ(s.selection_ts, At(14, 59, 22));
  EXPECT_EQ(s.selection_trigger, "initial");
  EXPECT_EQ(s.identity, kLocal1);
  EXPECT_EQ(s.observed_address, kLocal1);
  EXPECT_EQ(s.observed_url, kUri1);
  EXPECT_EQ(s.anchor_event_id, "E4");
  EXPECT_EQ(s.anchor_family, "stream_trace");
  EXPECT_EQ(s.hints, (Hints{kLv2v, "streamdiffusion-sdxl-faceid"}));
  ASSERT_EQ(matcher.requests().size(), 1u);
  EXPECT_EQ(matcher.requests()[0].ts, At(14, 59, 22));
  EXPECT_EQ(matcher.requests()[0].model, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(s.decision, Example91Decision());
  EXPECT_EQ(s.decision_id, Hid({s.selection_id, "resolved", "matched", "uri_interval_exact",
                                "version-" + std::string(kOnChain1), kGpu1}));

  EXPECT_EQ(f.attribution, Example91Decision());
  EXPECT_EQ(f.orchestrator_address, kOnChain1);
  EXPECT_EQ(f.pipeline_id, kLv2v);
  EXPECT_EQ(f.model_id, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(f.gpu_id, kGpu1);
  EXPECT_EQ(f.selection_count, 1);
  EXPECT_EQ(f.distinct_identity_count, 1);
  EXPECT_TRUE(f.has_snapshot_match);
  EXPECT_FALSE(f.is_hardware_less || f.is_stale || f.has_ambiguous_identity);
}

TEST(SessionExample91, SessionFactFields) {
  FakeMatcher matcher;
  matcher.Add(kUri1, At(14, 59, 0), Example91Decision());
  const SessionFact f = BuildSession("cloudspe", kKey1, Example91Records(), matcher);

  EXPECT_TRUE(f.exists);
  EXPECT_EQ(f.stream_id, "stream-ex1");
  EXPECT_EQ(f.request_id, "aa11bb22");
  EXPECT_EQ(f.requested_at, At(14, 59, 20));
  EXPECT_EQ(f.first_ingest_at, At(14, 59, 22));
  EXPECT_EQ(f.runner_first_processed_at, At(14, 59, 22, 110));
  EXPECT_EQ(f.first_processed_at, At(14, 59, 22, 400));
  EXPECT_EQ(f.playable_at, At(14, 59, 26, 500));
  EXPECT_EQ(f.closed_at, At(15, 0, 12));
  EXPECT_EQ(f.first_data_at, std::nullopt);
  EXPECT_EQ(f.first_seen, At(14, 59, 20));
  EXPECT_EQ(f.last_seen, At(15, 0, 12));
  EXPECT_EQ(f.session_start, At(14, 59, 20));
  EXPECT_EQ(f.session_hour, At(14, 0, 0));
  EXPECT_EQ(f.gateway, "");
  EXPECT_EQ(f.request_count, 1);
  EXPECT_EQ(f.playable_count, 1);
  EXPECT_EQ(f.closed_count, 1);
  EXPECT_EQ(f.no_orch_count, 0);
  EXPECT_EQ(f.status_sample_count, 5);
  EXPECT_EQ(f.running_state_samples, 4);
  EXPECT_EQ(f.fps_positive_samples, 4);
  EXPECT_EQ(f.degraded_input_samples + f.degraded_inference_samples, 0);
  EXPECT_EQ(f.error_samples, 0);
  EXPECT_EQ(f.max_restart_count, 0);
  EXPECT_EQ(f.status_latency_samples, 0);
  EXPECT_EQ(f.session_hint, (Hints{kLv2v, "streamdiffusion-sdxl-faceid"}));
  ASSERT_TRUE(f.latest_sample.has_value());
  EXPECT_EQ(f.latest_sample->event_id, "E13");
  EXPECT_EQ(f.latest_sample->output_fps, 15.0);
  EXPECT_TRUE(f.failures.empty());

  const Classification& c = f.classification;
  EXPECT_TRUE(c.requested_seen && c.playable_seen && c.completed);
  EXPECT_EQ(c.selection_outcome, "selected");
  EXPECT_EQ(c.startup_outcome, "success");
  EXPECT_EQ(c.excusal_reason, "none");
  EXPECT_FALSE(c.loading_only || c.zero_output_fps || c.output_failed || c.effective_failed);
  EXPECT_FALSE(f.confirmed_swapped || f.inferred_swapped || f.swapped);
  EXPECT_EQ(c.health_signal_count, 3);
  EXPECT_EQ(c.health_expected_signal_count, 3);
  EXPECT_EQ(c.startup_latency_ms, 2400);
  EXPECT_EQ(c.prompt_to_first_frame_ms, 6500);
  EXPECT_EQ(c.e2e_latency_ms, 110.0);
  EXPECT_EQ(c.e2e_source, "edge");
  EXPECT_EQ(c.total_duration_ms, 52'000);
}

TEST(SessionExample91, SessionHoursAndTailFlags) {
  FakeMatcher matcher;
  const SessionFact f = BuildSession("cloudspe", kKey1, Example91Records(), matcher);
  ASSERT_EQ(f.hours.size(), 2u);
  const SessionHour& h14 = f.hours[0];
  EXPECT_EQ(h14.hour, At(14, 0, 0));
  EXPECT_EQ(h14.evidence_events, 7);
  EXPECT_EQ(h14.status_samples, 3);
  EXPECT_EQ(h14.fps_positive_samples, 2);
  EXPECT_EQ(h14.output_fps_sum, 33'000);
  EXPECT_EQ(h14.input_fps_samples, 2);
  EXPECT_EQ(h14.input_fps_sum, 40'000);
  EXPECT_EQ(h14.running_state_samples, 2);
  EXPECT_EQ(h14.avg_output_fps_hour, 16.5);
  EXPECT_EQ(h14.output_fps_sketch.count(), 2u);
  EXPECT_EQ(h14.input_fps_sketch.count(), 2u);
  EXPECT_FALSE(h14.is_terminal_tail_artifact);
  const SessionHour& h15 = f.hours[1];
  EXPECT_EQ(h15.hour, At(15, 0, 0));
  EXPECT_EQ(h15.evidence_events, 3);
  EXPECT_EQ(h15.status_samples, 2);
  EXPECT_EQ(h15.fps_positive_samples, 2);
  EXPECT_EQ(h15.output_fps_sum, 33'000);
  EXPECT_EQ(h15.input_fps_samples, 2);
  EXPECT_EQ(h15.input_fps_sum, 39'000);
  EXPECT_EQ(h15.running_state_samples, 2);
  EXPECT_EQ(h15.avg_output_fps_hour, 16.5);
  EXPECT_FALSE(h15.is_terminal_tail_artifact);
}

// ---- §9.2 ----

constexpr char kKey2[] = "daydream|stream-ex2|bb33cc44";

TEST(SessionExample92, ThreeSelectionsWithHints) {
  const FakeMatcher matcher = Example92Matcher(true);
  const SessionFact f = BuildSession("daydream", kKey2, Example92Records(true), matcher);
  ASSERT_EQ(f.selections.size(), 3u);
  const Hints sdxl{kLv2v, "streamdiffusion-sdxl"};
  EXPECT_EQ(f.selections[0].anchor_event_id, "F3");
  EXPECT_EQ(f.selections[0].selection_trigger, "initial");
  EXPECT_EQ(f.selections[0].identity, kLocalA);
  EXPECT_EQ(f.selections[0].hints, sdxl);
  EXPECT_EQ(f.selections[1].anchor_event_id, "F8");
  EXPECT_EQ(f.selections[1].selection_trigger, "swap");
  EXPECT_EQ(f.selections[1].identity, kLocalA);
  EXPECT_EQ(f.selections[1].hints, sdxl);
  EXPECT_EQ(f.selections[2].anchor_event_id, "F9");
  EXPECT_EQ(f.selections[2].selection_trigger, "orch_change_fallback");
  EXPECT_EQ(f.selections[2].identity, kLocalB);
  EXPECT_EQ(f.selections[2].anchor_family, "ai_stream_status");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(f.selections[i].selection_seq, i + 1);
  EXPECT_EQ(f.selections[0].decision.attributed_orch_address, kA);
  EXPECT_EQ(f.selections[1].decision.attributed_orch_address, kA);
  EXPECT_EQ(f.distinct_identity_count, 2);
}

TEST(SessionExample92, UnknownBMakesTheSessionAmbiguous) {
  const FakeMatcher matcher = Example92Matcher(false);
  const SessionFact f = BuildSession("daydream", kKey2, Example92Records(true), matcher);
  ASSERT_EQ(f.selections.size(), 3u);
  EXPECT_EQ(f.selections[2].decision.status, "unresolved");
  EXPECT_EQ(f.selections[2].decision.reason, "missing_candidate");
  EXPECT_EQ(f.attribution.status, "ambiguous");
  EXPECT_EQ(f.attribution.reason, "ambiguous_candidates");
  EXPECT_EQ(f.attribution.method, "ambiguous");
  EXPECT_EQ(f.attribution.confidence, "low");
  EXPECT_TRUE(f.has_ambiguous_identity);
  EXPECT_EQ(f.orchestrator_address, "");
  EXPECT_EQ(f.gpu_id, "");
  EXPECT_EQ(f.pipeline_id, kLv2v);  // session_hint
  EXPECT_EQ(f.model_id, "streamdiffusion-sdxl");
}

TEST(SessionExample92, FutureSkewAttributesToBWithConfirmedSwap) {
  const FakeMatcher matcher = Example92Matcher(true);
  const SessionFact f = BuildSession("daydream", kKey2, Example92Records(true), matcher);
  EXPECT_EQ(f.attribution.status, "resolved");
  EXPECT_EQ(f.attribution.reason, "future_skew");
  EXPECT_EQ(f.attribution.method, "uri_interval_future");
  EXPECT_EQ(f.attribution.confidence, "high");
  EXPECT_EQ(f.orchestrator_address, kB);
  EXPECT_EQ(f.gpu_id, kGpuB);
  EXPECT_EQ(f.explicit_swap_count, 1);
  EXPECT_TRUE(f.confirmed_swapped);
  EXPECT_FALSE(f.inferred_swapped);
  EXPECT_TRUE(f.swapped);

  const Classification& c = f.classification;
  EXPECT_EQ(c.startup_latency_ms, 3000);
  EXPECT_EQ(c.prompt_to_first_frame_ms, 7000);
  EXPECT_EQ(c.e2e_latency_ms, std::nullopt);
  EXPECT_EQ(c.e2e_source, "none");
  EXPECT_EQ(c.startup_outcome, "success");
  EXPECT_EQ(c.health_signal_count, 3);
  EXPECT_EQ(c.total_duration_ms, 55'000);
  EXPECT_EQ(f.status_sample_count, 4);
  EXPECT_EQ(f.running_state_samples, 4);
  EXPECT_EQ(f.fps_positive_samples, 4);
  EXPECT_EQ(f.degraded_inference_samples, 1);
  ASSERT_EQ(f.hours.size(), 1u);
  EXPECT_EQ(f.hours[0].output_fps_sum, 54'000);
  EXPECT_EQ(f.hours[0].avg_output_fps_hour, 13.5);

  ASSERT_EQ(f.failures.size(), 1u);
  const FailureEvent& swap = f.failures[0];
  EXPECT_EQ(swap.failure_type, "orch_swap");
  EXPECT_EQ(swap.failure_ts, At(10, 0, 25));
  EXPECT_EQ(swap.event_id, "F8");
  EXPECT_EQ(swap.failure_id, Hid({"daydream", "F8", "orch_swap"}));
  EXPECT_EQ(swap.orchestrator_address, kA);
  EXPECT_EQ(swap.pipeline_id, kLv2v);
  EXPECT_EQ(swap.model_id, "streamdiffusion-sdxl");
  EXPECT_EQ(swap.session_key, kKey2);
}

TEST(SessionExample92, LostSwapTraceGivesAnInferredSwap) {
  const FakeMatcher matcher = Example92Matcher(true);
  const SessionFact f = BuildSession("daydream", kKey2, Example92Records(false), matcher);
  ASSERT_EQ(f.selections.size(), 2u);
  EXPECT_EQ(f.selections[1].selection_trigger, "orch_change_fallback");
  EXPECT_EQ(f.explicit_swap_count, 0);
  EXPECT_FALSE(f.confirmed_swapped);
  EXPECT_TRUE(f.inferred_swapped);
  EXPECT_TRUE(f.swapped);
  EXPECT_TRUE(f.failures.empty());
  EXPECT_EQ(f.orchestrator_address, kB);
}

// ---- terminal tail ----

// A request at 10:59:00 and status samples at the given times and states (fps 0 unless ONLINE).
SessionFact TailSession(std::initializer_list<std::pair<Millis, const char*>> samples,
                        std::optional<Millis> closed_at = std::nullopt) {
  SessionBuilder b("o");
  b.Trace("req", At(10, 59, 0), "gateway_receive_stream_request");
  int n = 0;
  for (const auto& [ts, state] : samples) {
    const bool online = std::string_view(state) == "ONLINE";
    b.Status("s" + std::to_string(n++), ts, state, online ? 12.0 : 0.0);
  }
  if (closed_at) b.Trace("closed", *closed_at, "gateway_ingest_stream_closed");
  return BuildSession("o", "o|s|r", b.records(), FakeMatcher());
}

bool TailOf(const SessionFact& f, Millis hour) {
  for (const SessionHour& h : f.hours) {
    if (h.hour == hour) return h.is_terminal_tail_artifact;
  }
  ADD_FAILURE() << "no session hour " << hour;
  return false;
}

TEST(TerminalTail, QuietLastHourAfterQuietHourIsAnArtifact) {
  const SessionFact f = TailSession({{At(10, 59, 30), "LOADING"}, {At(11, 0, 10), "LOADING"}});
  EXPECT_FALSE(TailOf(f, At(10, 0, 0)));  // session_start is not before 10:00
  EXPECT_TRUE(TailOf(f, At(11, 0, 0)));
}

TEST(TerminalTail, WithoutAnEarlierStatusHourThePreviousCountsAsZeros) {
  const SessionFact f = TailSession({{At(11, 0, 10), "LOADING"}, {At(11, 0, 20), "LOADING"}});
  EXPECT_TRUE(TailOf(f, At(11, 0, 0)));
}

TEST(TerminalTail, NegativeCases) {
  // The previous status hour ran.
  EXPECT_FALSE(
      TailOf(TailSession({{At(10, 59, 30), "ONLINE"}, {At(11, 0, 10), "LOADING"}}), At(11, 0, 0)));
  // Three samples in the hour.
  EXPECT_FALSE(TailOf(
      TailSession(
          {{At(11, 0, 10), "LOADING"}, {At(11, 0, 20), "LOADING"}, {At(11, 0, 30), "LOADING"}}),
      At(11, 0, 0)));
  // A running sample in the hour.
  EXPECT_FALSE(TailOf(TailSession({{At(11, 0, 10), "DEGRADED_INPUT"}}), At(11, 0, 0)));
  // The session does not end in the hour (closed in the next one).
  EXPECT_FALSE(TailOf(TailSession({{At(11, 0, 10), "LOADING"}}, At(12, 0, 5)), At(11, 0, 0)));
}

// ---- classification ----

TEST(Classification, PlayableBeatsErrors) {
  SessionBuilder b("o");
  b.Trace("r", At(10, 0, 0), "gateway_receive_stream_request");
  b.Trace("p", At(10, 0, 5), "gateway_receive_few_processed_segments", Orch("0x1", "u1"));
  b.Event("e", At(10, 0, 6), "error", "runner crashed").is_error = true;
  const SessionFact f = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  EXPECT_EQ(f.startup_error_count, 1);
  EXPECT_EQ(f.classification.startup_result, "success");
  EXPECT_EQ(f.classification.startup_outcome, "success");
  EXPECT_EQ(f.classification.excusal_reason, "none");
}

TEST(Classification, NoOrchExcusesBeforeErrorMatching) {
  SessionBuilder b("o");
  b.Trace("r", At(10, 0, 0), "gateway_receive_stream_request");
  b.Trace("n", At(10, 0, 1), "gateway_no_orchestrators_available");
  b.Event("e", At(10, 0, 2), "error", "No orchestrators available").is_excusable_error = true;
  const SessionFact f = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  EXPECT_EQ(f.classification.selection_outcome, "no_orch");
  EXPECT_EQ(f.classification.startup_result, "failed");
  EXPECT_EQ(f.classification.excusal_reason, "no_orch");
  EXPECT_EQ(f.classification.startup_outcome, "excused");
  EXPECT_FALSE(f.classification.effective_failed);
  EXPECT_EQ(f.attribution.status, "unresolved");
  EXPECT_EQ(f.attribution.reason, "no_selection_no_orch_excused");
  ASSERT_EQ(f.failures.size(), 1u);
  EXPECT_EQ(f.failures[0].failure_type, "no_orch_available");
  EXPECT_EQ(f.failures[0].orchestrator_address, "");
}

TEST(Classification, ExcusableErrorsOnlyWhenAllErrorsAreExcusable) {
  auto build = [](bool second_excusable) {
    SessionBuilder b("o");
    b.Trace("r", At(10, 0, 0), "gateway_receive_stream_request");
    b.Trace("i", At(10, 0, 1), "gateway_send_first_ingest_segment", Orch("0x1", "u1"));
    b.Event("e1", At(10, 0, 2), "error", "WHIP disconnected").is_excusable_error = true;
    b.Event("e2", At(10, 0, 3), "error", "boom").is_excusable_error = second_excusable;
    return BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  };
  const SessionFact excused = build(true);
  EXPECT_EQ(excused.classification.selection_outcome, "selected");
  EXPECT_EQ(excused.classification.excusal_reason, "excusable_error");
  EXPECT_EQ(excused.classification.startup_outcome, "excused");
  EXPECT_EQ(excused.attribution.reason, "missing_candidate");
  const SessionFact unexcused = build(false);
  EXPECT_EQ(unexcused.classification.excusal_reason, "none");
  EXPECT_EQ(unexcused.classification.startup_outcome, "unexcused");
  EXPECT_TRUE(unexcused.classification.effective_failed);
  EXPECT_FALSE(unexcused.classification.output_failed);
}

TEST(Classification, LoadingOnlyZeroOutputAndStatusLatency) {
  SessionBuilder b("o");
  b.Trace("r", At(10, 0, 0), "gateway_receive_stream_request");
  b.Trace("p", At(10, 0, 4), "gateway_receive_few_processed_segments");
  b.Status("s1", At(10, 0, 5), "LOADING", 0.0).e2e_latency_ms = 100.0625;
  b.Status("s2", At(10, 0, 15), "LOADING", std::nullopt).e2e_latency_ms = 0.0;
  b.Status("s3", At(10, 0, 25), "LOADING", 0.0).e2e_latency_ms = 50.25;
  const SessionFact f = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  const Classification& c = f.classification;
  EXPECT_TRUE(c.loading_only && c.zero_output_fps && c.output_failed && c.effective_failed);
  EXPECT_EQ(c.startup_outcome, "success");
  EXPECT_EQ(c.health_signal_count, 2);  // status + playable; not "not (loading_only and zero)"
  EXPECT_EQ(c.startup_latency_ms, std::nullopt);
  EXPECT_EQ(f.status_latency_samples, 2);
  EXPECT_EQ(f.status_latency_sum_ms, 100'063 + 50'250);  // 100062.5 rounds away from zero
  EXPECT_EQ(c.e2e_source, "status");
  EXPECT_DOUBLE_EQ(*c.e2e_latency_ms, 150.313 / 2);
  EXPECT_EQ(f.hours[0].status_latency_sketch.count(), 2u);
}

TEST(Classification, NegativeEdgeGivesNullLatencyAndZeroIsValid) {
  SessionBuilder b("o");
  b.Trace("r", At(10, 0, 5), "gateway_receive_stream_request");
  b.Trace("f", At(10, 0, 4), "gateway_receive_first_processed_segment");
  b.Trace("p", At(10, 0, 5), "gateway_receive_few_processed_segments");
  const SessionFact f = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  EXPECT_EQ(f.classification.startup_latency_ms, std::nullopt);
  EXPECT_EQ(f.classification.prompt_to_first_frame_ms, 0);
  EXPECT_EQ(f.classification.e2e_source, "none");
}

// ---- failures ----

TEST(Failures, InferenceRestartAndErrorDerivation) {
  SessionBuilder b("o");
  const auto orch = Orch("0x1", "u1");
  struct Sample {
    std::optional<int64_t> restarts;
    const char* error;
  };
  const Sample samples[] = {{0, ""}, {1, "boom"}, {1, "boom"}, {std::nullopt, "bang"},
                            {3, ""}, {3, "bang"}};
  for (int i = 0; i < 6; ++i) {
    // s1 in 10:00, the rest in 11:00.
    auto& s = b.Status("s" + std::to_string(i), i == 0 ? At(10, 59, 59) : At(11, 0, i), "ONLINE",
                       10.0, orch);
    s.restart_count = samples[i].restarts;
    s.last_error = samples[i].error;
    s.has_error = !s.last_error.empty();
  }
  FakeMatcher matcher;
  matcher.Add("u1", 0, Resolved("matched", "uri_interval_exact", "0xchain", "u1", "gpu"));
  const SessionFact f = BuildSession("o", "o|_missing_stream|r", b.records(), matcher);
  EXPECT_EQ(f.stream_id, "");
  EXPECT_EQ(f.request_id, "r");
  std::vector<std::pair<std::string, std::string>> got;
  for (const FailureEvent& e : f.failures) {
    got.emplace_back(e.event_id, e.failure_type);
    EXPECT_EQ(e.orchestrator_address, "0xchain");
  }
  const std::vector<std::pair<std::string, std::string>> want = {{"s1", "inference_error"},
                                                                 {"s1", "inference_restart"},
                                                                 {"s3", "inference_error"},
                                                                 {"s4", "inference_restart"},
                                                                 {"s5", "inference_error"}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(f.failures[2].detail, "bang");
  EXPECT_EQ(f.max_restart_count, 3);
  ASSERT_EQ(f.hours.size(), 2u);
  EXPECT_EQ(f.hours[0].inference_restarts + f.hours[0].inference_errors, 0);
  EXPECT_EQ(f.hours[1].inference_restarts, 2);
  EXPECT_EQ(f.hours[1].inference_errors, 3);
  EXPECT_EQ(f.hours[1].error_status_samples, 4);
}

TEST(SessionStatus, ASessionKeepsWhatItReadsOfAStatusSample) {
  event::StatusSample sample;
  sample.key = {"stream-o5s73x-mk5zc8fy", "db936fab", "cloudspe|stream-o5s73x-mk5zc8fy|db936fab"};
  sample.raw_pipeline_hint = "streamdiffusion";
  sample.pipeline_id = "pip_Q3x";
  sample.pipeline = "live-video-to-video";
  sample.model = "streamdiffusion-sdxl";
  sample.state = "DEGRADED_INFERENCE";
  sample.is_running = true;
  sample.start_time_ms = 1'767'909'000'000;
  sample.output_fps = 14.5;
  sample.input_fps = 30.0;
  sample.e2e_latency_ms = 412.25;
  sample.restart_count = 2;
  sample.last_error = "CUDA out of memory";
  sample.has_error = true;
  sample.last_error_time_ms = 1'767'909'100'000;
  sample.orch = {"0xabc", "https://o.example:8935", "https://o.example:8935"};
  const StatusPoint point = StatusPointOf(sample);
  EXPECT_EQ(point.pipeline, "live-video-to-video");
  EXPECT_EQ(point.model, "streamdiffusion-sdxl");
  EXPECT_EQ(point.state, "DEGRADED_INFERENCE");
  EXPECT_TRUE(point.is_running);
  EXPECT_EQ(point.output_fps, 14.5);
  EXPECT_EQ(point.input_fps, 30.0);
  EXPECT_EQ(point.e2e_latency_ms, 412.25);
  EXPECT_EQ(point.restart_count, 2);
  EXPECT_EQ(point.last_error, "CUDA out of memory");
  EXPECT_TRUE(point.has_error);
  EXPECT_EQ(point.orch.orch_reported_address, "0xabc");
  EXPECT_EQ(point.orch.orch_url, "https://o.example:8935");
  EXPECT_EQ(point.orch.orch_url_norm, "https://o.example:8935");
}

// ---- ingest transport ----

TEST(IngestTransport, ASessionKeepsWhatItReadsOfAnIngestSample) {
  event::IngestSample sample;  // spec/events.md V07, with the audio counters set too
  sample.key = {"stream-o5s73x-mk5zc8fy", "db936fab", "cloudspe|stream-o5s73x-mk5zc8fy|db936fab"};
  sample.bytes_received = 477890;
  sample.video = {.jitter = 10.126770701625134,
                  .packets_lost = 0,
                  .packets_received = 413,
                  .packet_loss_pct = 0,
                  .rtt = 0,
                  .latency = std::nullopt};
  sample.audio = {.jitter = 20.29064497237114,
                  .packets_lost = 2,
                  .packets_received = 248,
                  .packet_loss_pct = 0,
                  .rtt = 0,
                  .latency = std::nullopt};
  sample.conn_quality = "good";
  const IngestPoint point = IngestPointOf(sample);
  EXPECT_EQ(point.video.jitter, 10.126770701625134);
  EXPECT_EQ(point.video.packets_lost, 0);
  EXPECT_EQ(point.video.packets_received, 413);
  EXPECT_EQ(point.audio.jitter, 20.29064497237114);
  EXPECT_EQ(point.audio.packets_lost, 2);
  EXPECT_EQ(point.audio.packets_received, 248);
  EXPECT_EQ(point.conn_quality, "good");
}

TEST(IngestTransport, PacketDeltasAgainstEarlierHours) {
  SessionBuilder b("o");
  b.Trace("r", At(10, 0, 0), "gateway_receive_stream_request");
  auto ingest = [&b](const char* id, Millis ts, int64_t lost, int64_t received) {
    auto& i = b.Ingest(id, ts);
    i.video.packets_lost = lost;
    i.video.packets_received = received;
    return &i;
  };
  ingest("i1", At(10, 10, 0), 1, 100)->video.jitter = 1.5;
  auto* i2 = ingest("i2", At(10, 20, 0), 3, 250);
  i2->video.jitter = 2.0625;  // 2062.5 → 2063
  i2->conn_quality = "good";
  ingest("i3", At(11, 5, 0), 2, 400)->conn_quality = "poor";
  ingest("i4", At(11, 6, 0), 2, 380);
  ingest("i5", At(12, 1, 0), 5, 500)->audio.jitter = 0.25;
  const SessionFact f = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  ASSERT_EQ(f.hours.size(), 3u);
  const IngestTransport& h10 = f.hours[0].ingest;
  EXPECT_EQ(h10.ingest_samples, 2);
  EXPECT_EQ(h10.video_jitter_samples, 2);
  EXPECT_EQ(h10.video_jitter_sum, 1500 + 2063);
  EXPECT_EQ(h10.conn_good, 1);
  EXPECT_EQ(h10.video_packets_received, 250);
  EXPECT_EQ(h10.video_packets_lost, 3);
  EXPECT_EQ(h10.audio_packets_received, 0);
  const IngestTransport& h11 = f.hours[1].ingest;
  EXPECT_EQ(h11.ingest_samples, 2);
  EXPECT_EQ(h11.conn_poor, 1);
  EXPECT_EQ(h11.video_packets_received, 150);
  EXPECT_EQ(h11.video_packets_lost, 0);  // 2 − 3 < 0
  const IngestTransport& h12 = f.hours[2].ingest;
  EXPECT_EQ(h12.video_packets_received, 100);
  EXPECT_EQ(h12.video_packets_lost, 2);  // 5 − max(3, 2)
  EXPECT_EQ(h12.audio_jitter_samples, 1);
  EXPECT_EQ(h12.audio_jitter_sum, 250);
  EXPECT_EQ(f.hours[1].evidence_events, 0);  // ingest is not evidence
  EXPECT_EQ(f.last_seen, At(10, 0, 0));      // and never extends the session
}

TEST(Existence, IngestAndParamsUpdateAloneCreateNoSession) {
  SessionBuilder b("o");
  b.Ingest("i", At(10, 0, 0)).conn_quality = "fair";
  b.Event("p", At(10, 0, 1), "params_update").pipeline = kLv2v;
  const SessionFact f = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  EXPECT_FALSE(f.exists);
  ASSERT_EQ(f.hours.size(), 1u);
  EXPECT_EQ(f.hours[0].ingest.conn_fair, 1);

  b.Trace("r", At(10, 0, 2), "gateway_receive_stream_request");
  const SessionFact g = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  EXPECT_TRUE(g.exists);
  EXPECT_EQ(g.first_seen, At(10, 0, 1));  // the params_update adds to the existing session
  EXPECT_EQ(g.session_hint.pipeline, kLv2v);
}

TEST(Gateway, StatusGatewayWinsOverLaterTraceGateway) {
  SessionBuilder b("o");
  b.Trace("r", At(10, 0, 0), "gateway_receive_stream_request");
  b.Status("s", At(10, 0, 5), "ONLINE", 10.0);
  b.Trace("c", At(10, 0, 9), "gateway_ingest_stream_closed");
  b.records().traces[1].header.gateway = "Trace-GW";
  b.records().status_samples[0].header.gateway = "Status-GW";
  const SessionFact f = BuildSession("o", "o|s|r", b.records(), FakeMatcher());
  EXPECT_EQ(f.gateway, "status-gw");
}

}  // namespace
}  // namespace naap::resolve
