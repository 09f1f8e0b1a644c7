#include "publish/formulas.h"

#include <gtest/gtest.h>

#include <random>

#include "base/fixed_point.h"
#include "publish/sla_test_util.h"

namespace naap::publish {
namespace {

using testing::Example91Benchmark;
using testing::Example91Hour14;
using testing::Example91Hour15;

constexpr double kEps = 1e-9;
constexpr char kLv2v[] = "live-video-to-video";

TEST(StreamingRatiosTest, Example91Hour14) {
  const StreamingSums s = Example91Hour14();
  EXPECT_DOUBLE_EQ(*StartupSuccessRate(s), 1);
  EXPECT_DOUBLE_EQ(*ExcusedFailureRate(s), 0);
  EXPECT_DOUBLE_EQ(*EffectiveSuccessRate(s), 1);
  EXPECT_DOUBLE_EQ(*NoSwapRate(s), 1);
  EXPECT_DOUBLE_EQ(*OutputViabilityRate(s), 1);
  EXPECT_DOUBLE_EQ(HealthSignalCoverageRatio(s), 1);
  EXPECT_DOUBLE_EQ(*AvgOutputFps(s), 16.5);
  EXPECT_DOUBLE_EQ(*AvgInputFps(s), 20);
  EXPECT_DOUBLE_EQ(*AvgPromptToFirstFrameMs(s), 6500);
  EXPECT_DOUBLE_EQ(*AvgStartupLatencyMs(s), 2400);
  EXPECT_DOUBLE_EQ(*AvgE2eLatencyMs(s), 110);
  EXPECT_NEAR(TotalMinutes(s), 0.8667, 1e-4);
  EXPECT_DOUBLE_EQ(TicketFaceValueEth(s), 0.0072);
}

TEST(StreamingRatiosTest, HandWorkedRatesAndNulls) {
  StreamingSums s;
  s.requested_sessions = 8;
  s.startup_success_sessions = 5;
  s.startup_excused_sessions = 2;
  s.startup_failed_sessions = 1;
  s.effective_failed_sessions = 3;
  s.total_swapped_sessions = 2;
  s.loading_only_sessions = 1;
  s.zero_output_fps_sessions = 2;
  s.output_failed_sessions = 2;  // the union counter, not loading_only + zero_output = 3
  s.health_signal_count = 18;
  s.health_expected_signal_count = 24;
  EXPECT_DOUBLE_EQ(*StartupSuccessRate(s), 0.625);
  EXPECT_DOUBLE_EQ(*ExcusedFailureRate(s), 0.25);
  EXPECT_DOUBLE_EQ(*EffectiveSuccessRate(s), 0.625);
  EXPECT_DOUBLE_EQ(*NoSwapRate(s), 0.75);
  EXPECT_DOUBLE_EQ(*OutputViabilityRate(s), 0.75);
  EXPECT_DOUBLE_EQ(HealthSignalCoverageRatio(s), 0.75);
  s.health_signal_count = 30;  // never above 1
  EXPECT_DOUBLE_EQ(HealthSignalCoverageRatio(s), 1);

  const StreamingSums empty;
  EXPECT_EQ(StartupSuccessRate(empty), std::nullopt);
  EXPECT_EQ(ExcusedFailureRate(empty), std::nullopt);
  EXPECT_EQ(EffectiveSuccessRate(empty), std::nullopt);
  EXPECT_EQ(NoSwapRate(empty), std::nullopt);
  EXPECT_EQ(OutputViabilityRate(empty), std::nullopt);
  EXPECT_DOUBLE_EQ(HealthSignalCoverageRatio(empty), 1.0);
  EXPECT_EQ(AvgOutputFps(empty), std::nullopt);
  EXPECT_EQ(AvgInputFps(empty), std::nullopt);
  EXPECT_EQ(AvgPromptToFirstFrameMs(empty), std::nullopt);
  EXPECT_EQ(AvgStartupLatencyMs(empty), std::nullopt);
  EXPECT_EQ(AvgE2eLatencyMs(empty), std::nullopt);
  EXPECT_DOUBLE_EQ(TotalMinutes(empty), 0);
}

TEST(StreamingRatiosTest, ZeroFpsSamplesCountOnlyInStatusSamples) {
  StreamingSums s;
  s.status_samples = 3;  // LOADING at fps 0, then 17 and 16
  s.fps_positive_samples = 2;
  s.output_fps_sum_milli = 33'000;
  EXPECT_DOUBLE_EQ(*AvgOutputFps(s), 16.5);
}

TEST(SlaScoreTest, Example91WithoutBenchmark) {
  const SlaScores scores = ScoreSla(Example91Hour14(), kLv2v, SlaBenchmark{});
  EXPECT_DOUBLE_EQ(*scores.reliability_score, 1.0);
  EXPECT_DOUBLE_EQ(*scores.ptff_score, 0.5);
  EXPECT_DOUBLE_EQ(*scores.e2e_score, 0.5);
  EXPECT_DOUBLE_EQ(*scores.fps_score, 0.5);
  EXPECT_DOUBLE_EQ(*scores.latency_score, 0.5);
  EXPECT_DOUBLE_EQ(*scores.quality_score, 0.5);
  EXPECT_NEAR(*scores.sla_score, 85.0, kEps);
}

TEST(SlaScoreTest, Example91WithBenchmark) {
  const StreamingSums s = Example91Hour14();
  const SlaBenchmark b = Example91Benchmark();
  EXPECT_NEAR(PtffRaw(s, kLv2v, b), 0.625, kEps);
  EXPECT_NEAR(E2eRaw(s, kLv2v, b), 0.95, kEps);
  EXPECT_NEAR(FpsRaw(s, kLv2v, b), 1.0, kEps);
  const SlaScores scores = ScoreSla(s, kLv2v, b);
  EXPECT_NEAR(*scores.ptff_score, 0.5125, kEps);
  EXPECT_NEAR(*scores.e2e_score, 0.545, kEps);
  EXPECT_NEAR(*scores.fps_score, 0.55, kEps);
  EXPECT_NEAR(*scores.latency_score, 0.5255, kEps);
  EXPECT_NEAR(*scores.quality_score, 0.5353, kEps);
  EXPECT_NEAR(*scores.sla_score, 86.059, kEps);
}

TEST(SlaScoreTest, Example91SamplesOnlyHourIsNull) {
  const StreamingSums s = Example91Hour15();
  const SlaScores scores = ScoreSla(s, kLv2v, Example91Benchmark());
  EXPECT_EQ(scores.reliability_score, std::nullopt);
  EXPECT_EQ(scores.sla_score, std::nullopt);
  EXPECT_EQ(StartupSuccessRate(s), std::nullopt);
  EXPECT_DOUBLE_EQ(HealthSignalCoverageRatio(s), 1.0);
  EXPECT_DOUBLE_EQ(*AvgOutputFps(s), 16.5);
  // Component scores exist even when req = 0: fps 16.5 ≥ p50 → raw 1, weight 2/30.
  EXPECT_NEAR(*scores.fps_score, 0.5 + (2.0 / 30) * 0.5, kEps);
  EXPECT_DOUBLE_EQ(*scores.ptff_score, 0.5);
}

TEST(SlaScoreTest, Example91WindowIsOneGroupScoredExactly) {
  StreamingSums window = Example91Hour14();
  window += Example91Hour15();
  EXPECT_EQ(window.requested_sessions, 1);
  EXPECT_EQ(window.status_samples, 5);
  EXPECT_EQ(window.fps_positive_samples, 4);
  EXPECT_EQ(window.output_fps_sum_milli, 66'000);
  EXPECT_DOUBLE_EQ(*AvgOutputFps(window), 16.5);

  const SlaGroup without_benchmark[] = {{window, kLv2v, SlaBenchmark{}}};
  EXPECT_NEAR(*CombineSlaGroups(without_benchmark).sla_score, 85.0, kEps);

  const SlaGroup with_benchmark[] = {{window, kLv2v, Example91Benchmark()}};
  const SlaScores scores = CombineSlaGroups(with_benchmark);
  EXPECT_NEAR(*scores.fps_score, 0.58333, 1e-5);
  EXPECT_NEAR(*scores.quality_score, 0.54863, 1e-5);
  EXPECT_NEAR(*scores.sla_score, 86.459, 1e-3);
}

// §9.2: the swapped stream's SLA row (10:00, orchestrator B).
TEST(SlaScoreTest, Example92Swap) {
  StreamingSums s;
  s.sessions_handled = 1;
  s.requested_sessions = 1;
  s.known_sessions_count = 1;
  s.startup_success_sessions = 1;
  s.completed_sessions = 1;
  s.confirmed_swapped_sessions = 1;
  s.total_swapped_sessions = 1;
  s.health_signal_count = 3;
  s.health_expected_signal_count = 3;
  s.status_samples = 4;
  s.fps_positive_samples = 4;
  s.output_fps_sum_milli = 54'000;
  s.degraded_inference_samples = 1;
  s.prompt_to_first_frame_sum_ms = 7000;
  s.prompt_to_first_frame_sample_count = 1;
  s.startup_latency_sum_ms = 3000;
  s.startup_latency_sample_count = 1;
  EXPECT_DOUBLE_EQ(*StartupSuccessRate(s), 1);
  EXPECT_DOUBLE_EQ(*EffectiveSuccessRate(s), 1);
  EXPECT_DOUBLE_EQ(*NoSwapRate(s), 0);
  EXPECT_DOUBLE_EQ(*OutputViabilityRate(s), 1);
  EXPECT_DOUBLE_EQ(*AvgOutputFps(s), 13.5);
  EXPECT_EQ(AvgE2eLatencyMs(s), std::nullopt);
  EXPECT_DOUBLE_EQ(E2eRaw(s, "live-video-to-video", Example91Benchmark()), 0.5);
  const SlaScores scores = ScoreSla(s, "live-video-to-video", SlaBenchmark{});
  EXPECT_NEAR(*scores.reliability_score, 0.8, kEps);
  EXPECT_DOUBLE_EQ(*scores.quality_score, 0.5);
  EXPECT_NEAR(*scores.sla_score, 71.0, kEps);
}

TEST(SlaScoreTest, RawScoreRules) {
  StreamingSums s = Example91Hour14();
  SlaBenchmark b = Example91Benchmark();
  // The empty pipeline and < 48 benchmark rows give 0.5.
  EXPECT_DOUBLE_EQ(PtffRaw(s, "", b), 0.5);
  b.n_ptff = 47;
  EXPECT_DOUBLE_EQ(PtffRaw(s, kLv2v, b), 0.5);
  b = Example91Benchmark();
  // Lower is better: at/below p50 → 1, at/above p90 → 0.
  s.prompt_to_first_frame_sum_ms = 5000;
  EXPECT_DOUBLE_EQ(PtffRaw(s, kLv2v, b), 1);
  s.prompt_to_first_frame_sum_ms = 9000;
  EXPECT_DOUBLE_EQ(PtffRaw(s, kLv2v, b), 0);
  s.prompt_to_first_frame_sum_ms = 8000;
  EXPECT_DOUBLE_EQ(PtffRaw(s, kLv2v, b), 0.25);
  // p90 ≤ p50: a step at p50.
  b.ptff_p90 = 5000;
  EXPECT_DOUBLE_EQ(PtffRaw(s, kLv2v, b), 0);
  s.prompt_to_first_frame_sum_ms = 4000;
  EXPECT_DOUBLE_EQ(PtffRaw(s, kLv2v, b), 1);
  // Higher is better: at/below p10 → 0, between linear, p50 ≤ p10 a step.
  s.output_fps_sum_milli = 24'000;  // avg 12
  EXPECT_DOUBLE_EQ(FpsRaw(s, kLv2v, b), 0);
  s.output_fps_sum_milli = 28'000;  // avg 14
  EXPECT_DOUBLE_EQ(FpsRaw(s, kLv2v, b), 0.5);
  b.fps_p50 = 12;
  EXPECT_DOUBLE_EQ(FpsRaw(s, kLv2v, b), 1);
  b.fps_p50 = 11;
  EXPECT_DOUBLE_EQ(FpsRaw(s, kLv2v, b), 1);
  b.fps_p10 = 15;
  b.fps_p50 = 15;
  EXPECT_DOUBLE_EQ(FpsRaw(s, kLv2v, b), 0);
  // A NULL threshold (empty sketch) gives 0.5.
  b.fps_p10 = std::nullopt;
  EXPECT_DOUBLE_EQ(FpsRaw(s, kLv2v, b), 0.5);
}

TEST(SlaScoreTest, ShrinkageReachesFullWeightAtTenAndThirtySamples) {
  StreamingSums s = Example91Hour14();
  s.prompt_to_first_frame_sum_ms = 6500 * 20;
  s.prompt_to_first_frame_sample_count = 20;
  s.status_samples = 60;
  const SlaScores scores = ScoreSla(s, kLv2v, Example91Benchmark());
  EXPECT_NEAR(*scores.ptff_score, 0.625, kEps);
  EXPECT_NEAR(*scores.fps_score, 1.0, kEps);
}

TEST(SlaScoreTest, CrossGroupCombinationIsRequestedWeighted) {
  // Group 1: §9.1 (sla 86.059 with benchmark, req 1). Group 2: §9.2-like with req 3.
  StreamingSums second;
  second.sessions_handled = 3;
  second.requested_sessions = 3;
  second.startup_success_sessions = 2;
  second.startup_failed_sessions = 1;
  second.effective_failed_sessions = 1;
  second.health_signal_count = 6;
  second.health_expected_signal_count = 9;
  StreamingSums samples_only = Example91Hour15();
  const SlaGroup groups[] = {{Example91Hour14(), kLv2v, Example91Benchmark()},
                             {second, "text-to-image", SlaBenchmark{}},
                             {samples_only, kLv2v, Example91Benchmark()}};
  const SlaScores one = ScoreSla(groups[0].sums, kLv2v, groups[0].benchmark);
  const SlaScores two = ScoreSla(second, "text-to-image", SlaBenchmark{});
  // Group 2: reliability clamp(0.4·2/3 + 0.2·1 + 0.4·1) = 0.866667, coverage 2/3, quality 0.5
  // → sla = 100 · 2/3 · (0.7 · 0.866667 + 0.15) = 50.444…
  EXPECT_NEAR(*two.sla_score, 100.0 * 2 / 3 * (0.7 * (0.4 * 2 / 3 + 0.6) + 0.15), kEps);
  const SlaScores combined = CombineSlaGroups(groups);
  EXPECT_NEAR(*combined.sla_score, (*one.sla_score * 1 + *two.sla_score * 3) / 4, kEps);
  EXPECT_NEAR(*combined.quality_score, (*one.quality_score + *two.quality_score * 3) / 4, kEps);
  EXPECT_NEAR(*combined.fps_score, (*one.fps_score + *two.fps_score * 3) / 4, kEps);
  // Reliability comes from the total sums: success 3 of 4, no swaps, no output failures.
  EXPECT_NEAR(*combined.reliability_score, 0.4 * 0.75 + 0.2 + 0.4, kEps);

  const SlaGroup no_requests[] = {{samples_only, kLv2v, SlaBenchmark{}},
                                  {samples_only, "text-to-image", SlaBenchmark{}}};
  const SlaScores none = CombineSlaGroups(no_requests);
  EXPECT_EQ(none.sla_score, std::nullopt);
  EXPECT_EQ(none.quality_score, std::nullopt);
  EXPECT_EQ(none.reliability_score, std::nullopt);
}

TEST(BenchmarkTest, SevenDayBenchmarkMergesThePrecedingSevenDays) {
  std::map<int64_t, BenchmarkDay> days;
  // Day d − k holds one scoring row per k with avg fps = k; day d and d − 8 are outside.
  const int64_t d = 20'522;  // 2026-03-10
  for (int64_t k = 0; k <= 8; ++k) {
    StreamingSums row;
    row.fps_positive_samples = 1;
    row.output_fps_sum_milli = k * 1000 + 1000;
    row.prompt_to_first_frame_sum_ms = 100 * (k + 1);
    row.prompt_to_first_frame_sample_count = 1;
    days[d - k].AddScoringRow(row);
  }
  const SlaBenchmark b = SevenDayBenchmark(days, d);
  EXPECT_EQ(b.n_fps, 7);
  EXPECT_EQ(b.n_ptff, 7);
  EXPECT_EQ(b.n_e2e, 0);
  EXPECT_EQ(b.e2e_p50, std::nullopt);
  // The fps population is {2, …, 8}: p10 → rank 0 → 2; p50 → rank ⌈3.5⌉ − 1 = 3 → 5.
  const auto rep = [](double v) {
    return QuantileSketch::BucketValue(QuantileSketch::BucketOf(v));
  };
  EXPECT_EQ(b.fps_p10, rep(2));
  EXPECT_EQ(b.fps_p50, rep(5));
  EXPECT_EQ(b.ptff_p90, rep(800));  // rank ⌈6.3⌉ − 1 = 6 of {200 … 800}
  // Merge order does not matter and equals one sketch of the seven days' rows (invariant 24).
  BenchmarkDay forward, backward, single;
  for (int64_t k = 1; k <= 7; ++k) forward += days[d - k];
  for (int64_t k = 7; k >= 1; --k) backward += days[d - k];
  EXPECT_EQ(forward, backward);
  for (int64_t k = 1; k <= 7; ++k) {
    StreamingSums row;
    row.fps_positive_samples = 1;
    row.output_fps_sum_milli = k * 1000 + 1000;
    row.prompt_to_first_frame_sum_ms = 100 * (k + 1);
    row.prompt_to_first_frame_sample_count = 1;
    single.AddScoringRow(row);
  }
  EXPECT_EQ(forward, single);
}

TEST(GpuMetricsTest, Example91SketchValues) {
  const StreamingSums s = Example91Hour14();
  EXPECT_NEAR(*P95(s.session_hour_fps_sketch), 16.611, 5e-4);
  EXPECT_NEAR(*P95(s.ptff_sketch), 6439.733, 5e-4);
  EXPECT_NEAR(*P95(s.startup_latency_sketch), 2416.824, 5e-4);
  EXPECT_NEAR(*P95(s.e2e_latency_sketch), 111.064, 5e-4);
  EXPECT_DOUBLE_EQ(*StartupFailedRate(s), 0);
  EXPECT_DOUBLE_EQ(*SwapRate(s), 0);
  EXPECT_EQ(StartupFailedRate(StreamingSums{}), std::nullopt);
  EXPECT_EQ(SwapRate(StreamingSums{}), std::nullopt);
  EXPECT_EQ(P95(QuantileSketch{}), std::nullopt);
}

TEST(ReliabilityTest, MinimumSampleRuleAndBothFailureRates) {
  StreamingSums s;
  s.sessions_handled = 10;
  s.requested_sessions = 8;
  s.startup_success_sessions = 6;
  s.no_orch_sessions = 1;
  s.total_swapped_sessions = 1;
  s.completed_sessions = 7;
  s.status_samples = 40;
  s.degraded_input_samples = 2;
  s.degraded_inference_samples = 3;
  s.inference_restarts = 1;
  s.inference_errors = 3;
  ReliabilityRates r = ComputeReliabilityRates(s);
  EXPECT_DOUBLE_EQ(*r.startup_success_rate, 0.75);
  EXPECT_DOUBLE_EQ(*r.no_orch_session_rate, 0.125);
  EXPECT_DOUBLE_EQ(*r.orch_swap_rate, 0.125);
  EXPECT_DOUBLE_EQ(*r.completion_rate, 0.7);
  EXPECT_DOUBLE_EQ(*r.degraded_rate, 0.125);
  EXPECT_DOUBLE_EQ(*r.inference_restart_rate, 0.025);
  EXPECT_DOUBLE_EQ(*r.error_rate, 0.075);
  EXPECT_DOUBLE_EQ(*r.pipeline_failure_rate, 0.25);
  EXPECT_DOUBLE_EQ(*r.orchestrator_failure_rate, 0.1);

  s.requested_sessions = 4;  // below 5: session rates NULL, sample rates still defined
  s.status_samples = 5;
  r = ComputeReliabilityRates(s);
  EXPECT_EQ(r.startup_success_rate, std::nullopt);
  EXPECT_EQ(r.pipeline_failure_rate, std::nullopt);
  EXPECT_DOUBLE_EQ(*r.completion_rate, 0.7);
  EXPECT_DOUBLE_EQ(*r.degraded_rate, 1.0);
  s.status_samples = 4;
  s.degraded_input_samples = 0;
  r = ComputeReliabilityRates(s);
  EXPECT_EQ(r.degraded_rate, std::nullopt);
  EXPECT_EQ(r.orchestrator_failure_rate, std::nullopt);
  // The leaderboard's DEG ignores the minimum.
  EXPECT_DOUBLE_EQ(*DegradedRate(s), 0.75);
  EXPECT_EQ(MinimumSampleRatio(1, 4), std::nullopt);
  EXPECT_DOUBLE_EQ(*MinimumSampleRatio(1, 5), 0.2);
}

TEST(ReliabilityTest, FpsDegradationFlag) {
  EXPECT_TRUE(FpsDegraded(20.0, 15.9));
  EXPECT_FALSE(FpsDegraded(20.0, 16.0));  // exactly 0.8 × previous is not below
  EXPECT_FALSE(FpsDegraded(std::nullopt, 1.0));
  EXPECT_FALSE(FpsDegraded(0.0, 0.0));
  EXPECT_FALSE(FpsDegraded(20.0, std::nullopt));
}

TEST(RequestFiguresTest, HandWorked) {
  RequestDemandSums a;
  a.job_count = 4;
  a.selected_count = 4;
  a.success_count = 3;
  a.failure_count = 1;
  a.attributed_count = 2;
  a.duration_ms_sum = 1000;
  a.duration_samples = 2;
  a.price_sum_micro = *ToMicro(1.5);
  a.price_samples = 1;
  a.llm_request_count = 2;
  a.llm_success_count = 1;
  a.llm_total_tokens_sum = 300;
  a.llm_total_tokens_sample_count = 2;
  a.llm_tokens_per_second_sum_milli = *ToMilli(42.25);
  a.llm_tokens_per_second_sample_count = 1;
  a.llm_ttft_ms_sum = 90;
  a.llm_ttft_ms_sample_count = 1;
  RequestDemandSums b = a;
  b.job_count = 1;
  b.selected_count = 0;
  b.success_count = 0;
  b.attributed_count = 0;
  b.price_sum_micro = *ToMicro(0.5);
  a += b;
  EXPECT_DOUBLE_EQ(*SuccessRate(a), 0.6);
  EXPECT_DOUBLE_EQ(*AvgDurationMs(a), 500);
  EXPECT_DOUBLE_EQ(*AvgPricePerUnit(a), 1.0);
  EXPECT_DOUBLE_EQ(*LlmSuccessRate(a), 0.5);
  EXPECT_DOUBLE_EQ(*AvgTotalTokens(a), 150);
  EXPECT_DOUBLE_EQ(*AvgTokensPerSec(a), 42.25);
  EXPECT_DOUBLE_EQ(*AvgTtftMs(a), 90);
  EXPECT_DOUBLE_EQ(*AttributedRate(a), 0.5);
  const RequestDemandSums none;
  EXPECT_EQ(SuccessRate(none), std::nullopt);
  EXPECT_EQ(AvgPricePerUnit(none), std::nullopt);
  EXPECT_EQ(AttributedRate(none), std::nullopt);

  ByocAuthSums auth{.total_events = 5, .success_count = 3, .failure_count = 1};
  auth += ByocAuthSums{.total_events = 3, .success_count = 3};
  EXPECT_DOUBLE_EQ(*SuccessRate(auth), 0.75);
  EXPECT_EQ(SuccessRate(ByocAuthSums{}), std::nullopt);
}

TEST(LeaderboardTest, WeightsValidation) {
  EXPECT_TRUE(ValidateLeaderboardWeights({}).ok());
  EXPECT_TRUE(ValidateLeaderboardWeights({0.1, 0.2, 0.3, 0.4}).ok());
  EXPECT_FALSE(ValidateLeaderboardWeights({0.3, 0.3, 0.3, 0.3}).ok());
  EXPECT_FALSE(ValidateLeaderboardWeights({1.2, -0.2, 0, 0}).ok());
  EXPECT_EQ(ValidateLeaderboardWeights({0.5, 0.5, 0.5, -0.5}).code(), StatusCode::kInvalidArgument);
}

TEST(LeaderboardTest, NormalisationMissingValuesAndRanking) {
  const std::vector<LeaderboardInput> inputs = {
      {"0xb", 20, 20.0, 0.10, 100.0},
      {"0xa", 10, 10.0, 0.30, 300.0},
      {"0xc", 30, std::nullopt, std::nullopt, std::nullopt},
      {"0xd", 9, 30.0, 0.0, 50.0},     // below min_streams
      {"", 50, 30.0, 0.0, 50.0},       // unattributed
      {"0xe", 10, 10.0, 0.30, 300.0},  // ties 0xa
  };
  const std::vector<LeaderboardEntry> ranked =
      RankLeaderboard(inputs, kDefaultLeaderboardMinStreams, LeaderboardWeights{});
  ASSERT_EQ(ranked.size(), 4u);
  // FPS 10…20, DEG 0.1…0.3, VOL 10…30, LAT 100…300.
  // 0xb: 100·(0.3·1 + 0.3·1 + 0.2·0.5 + 0.2·1) = 90.
  // 0xc: FPS missing 0, DEG missing → 1 − 1 = 0, VOL 1, LAT missing 0 → 100·0.2 = 20.
  // 0xa, 0xe: 100·(0 + 0 + 0 + 0) = 0; tie → streams equal → address ASC.
  EXPECT_EQ(inputs[ranked[0].input_index].address, "0xb");
  EXPECT_NEAR(ranked[0].score, 90, kEps);
  EXPECT_EQ(inputs[ranked[1].input_index].address, "0xc");
  EXPECT_NEAR(ranked[1].score, 20, kEps);
  EXPECT_EQ(inputs[ranked[2].input_index].address, "0xa");
  EXPECT_EQ(inputs[ranked[3].input_index].address, "0xe");
  EXPECT_NEAR(ranked[3].score, 0, kEps);
  for (size_t i = 0; i < ranked.size(); ++i) EXPECT_EQ(ranked[i].rank, static_cast<int64_t>(i) + 1);
}

TEST(LeaderboardTest, AllEqualDimensionGivesFullCredit) {
  const std::vector<LeaderboardInput> inputs = {
      {"0x1", 12, 15.0, 0.2, 80.0},
      {"0x2", 12, 15.0, 0.2, 80.0},
  };
  const auto ranked = RankLeaderboard(inputs, 10, LeaderboardWeights{});
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_DOUBLE_EQ(ranked[0].score, 100);
  EXPECT_DOUBLE_EQ(ranked[1].score, 100);
  EXPECT_EQ(inputs[ranked[0].input_index].address, "0x1");
  // Ties on score are broken by streams_handled DESC first.
  const std::vector<LeaderboardInput> by_volume = {{"0x1", 12, 15.0, 0.2, 80.0},
                                                   {"0x2", 13, 15.0, 0.2, 80.0}};
  const LeaderboardWeights no_volume{0.4, 0.3, 0.0, 0.3};
  const auto ranked_by_volume = RankLeaderboard(by_volume, 10, no_volume);
  EXPECT_EQ(by_volume[ranked_by_volume[0].input_index].address, "0x2");
  EXPECT_DOUBLE_EQ(ranked_by_volume[0].score, ranked_by_volume[1].score);
}

TEST(DiscoveryScoreTest, StreamAndRequestScores) {
  const SlaGroup group[] = {{Example91Hour14(), kLv2v, Example91Benchmark()}};
  const DiscoveryScore stream = StreamDiscoveryScore(CombineSlaGroups(group));
  EXPECT_TRUE(stream.recent_work);
  EXPECT_DOUBLE_EQ(stream.score, 0.861);  // 86.059 ÷ 100 rounded to 3 decimals
  const DiscoveryScore idle = StreamDiscoveryScore(ScoreSla(Example91Hour15(), kLv2v, {}));
  EXPECT_FALSE(idle.recent_work);
  EXPECT_EQ(idle.score, 0);
  RequestDemandSums jobs;
  jobs.job_count = 3;
  jobs.success_count = 2;
  EXPECT_DOUBLE_EQ(RequestDiscoveryScore(jobs).score, 0.667);
  EXPECT_FALSE(RequestDiscoveryScore(RequestDemandSums{}).recent_work);
  EXPECT_DOUBLE_EQ(RoundHalfAwayFromZero(0.0625, 3), 0.063);
  EXPECT_DOUBLE_EQ(RoundHalfAwayFromZero(-2.5, 0), -3);
}

StreamingSums KpiBucket(int64_t requested, int64_t success, int64_t duration_ms,
                        unsigned __int128 fees_wei) {
  StreamingSums s;
  s.requested_sessions = requested;
  s.startup_success_sessions = success;
  s.total_duration_ms = duration_ms;
  s.fees_wei = fees_wei;
  return s;
}

TEST(DashboardKpiTest, ValuesAndHalfDeltas) {
  // Five buckets: halves are buckets 0–1 and 3–4; bucket 2 is in neither.
  const std::vector<StreamingSums> buckets = {
      KpiBucket(4, 2, 60'000, 1'000'000'000'000'000),
      KpiBucket(0, 0, 60'000, 0),
      KpiBucket(100, 0, 600'000, 0),
      KpiBucket(3, 3, 120'000, 500'000'000'000'000),
      KpiBucket(3, 3, 60'000, 1'000'000'000'000'000),
  };
  const DashboardKpi kpi = ComputeDashboardKpi(buckets);
  EXPECT_NEAR(*kpi.success_rate.value, 100.0 * 8 / 110, kEps);
  EXPECT_DOUBLE_EQ(*kpi.daily_session_count.value, 110);
  EXPECT_DOUBLE_EQ(*kpi.daily_usage_mins.value, 15);
  EXPECT_DOUBLE_EQ(*kpi.daily_network_fees_eth.value, 0.0025);
  EXPECT_NEAR(kpi.success_rate.delta, 100 - 50, kEps);  // points
  EXPECT_NEAR(kpi.daily_session_count.delta, 100.0 * (6 - 4) / 4, kEps);
  EXPECT_NEAR(kpi.daily_usage_mins.delta, 100.0 * (3 - 2) / 2, kEps);
  EXPECT_NEAR(kpi.daily_network_fees_eth.delta, 50, kEps);
}

TEST(DashboardKpiTest, DeltaZeroRules) {
  const std::vector<StreamingSums> one = {KpiBucket(4, 2, 60'000, 0)};
  const DashboardKpi single = ComputeDashboardKpi(one);
  EXPECT_DOUBLE_EQ(*single.success_rate.value, 50);
  EXPECT_EQ(single.success_rate.delta, 0);
  EXPECT_EQ(single.daily_session_count.delta, 0);

  const std::vector<StreamingSums> empty_first = {KpiBucket(0, 0, 0, 0),
                                                  KpiBucket(5, 5, 60'000, 10)};
  const DashboardKpi kpi = ComputeDashboardKpi(empty_first);
  EXPECT_EQ(kpi.success_rate.delta, 0);  // first half has no requested sessions
  EXPECT_EQ(kpi.daily_session_count.delta, 0);
  EXPECT_EQ(kpi.daily_usage_mins.delta, 0);
  EXPECT_EQ(kpi.daily_network_fees_eth.delta, 0);

  const DashboardKpi none = ComputeDashboardKpi({});
  EXPECT_EQ(none.success_rate.value, std::nullopt);
  EXPECT_DOUBLE_EQ(*none.daily_session_count.value, 0);

  EXPECT_DOUBLE_EQ(PercentChange(4, 5), 25);
  EXPECT_DOUBLE_EQ(PercentChange(0, 5), 0);
}

// Generated sums that satisfy the §8 counter invariants, to check the derived-value invariants.
StreamingSums GeneratedHour(std::mt19937_64& rng) {
  auto upto = [&](int64_t n) { return n <= 0 ? 0 : static_cast<int64_t>(rng() % (n + 1)); };
  StreamingSums s;
  s.requested_sessions = upto(6);
  s.known_sessions_count = s.requested_sessions;
  s.sessions_handled = s.requested_sessions + upto(2);
  s.startup_success_sessions = upto(s.requested_sessions);
  s.startup_excused_sessions = upto(s.requested_sessions - s.startup_success_sessions);
  s.startup_failed_sessions =
      s.requested_sessions - s.startup_success_sessions - s.startup_excused_sessions;
  s.loading_only_sessions = upto(s.requested_sessions);
  s.zero_output_fps_sessions = upto(s.requested_sessions);
  s.output_failed_sessions = std::max(s.loading_only_sessions, s.zero_output_fps_sessions);
  s.effective_failed_sessions =
      std::min(s.requested_sessions, std::max(s.startup_failed_sessions, s.output_failed_sessions));
  s.confirmed_swapped_sessions = upto(s.requested_sessions);
  s.inferred_swap_sessions = upto(s.requested_sessions - s.confirmed_swapped_sessions);
  s.total_swapped_sessions = s.confirmed_swapped_sessions + s.inferred_swap_sessions;
  s.health_expected_signal_count = 3 * s.requested_sessions;
  s.health_signal_count = upto(s.health_expected_signal_count);
  s.status_samples = upto(400);
  s.fps_positive_samples = upto(s.status_samples);
  s.degraded_input_samples = upto(s.status_samples / 2);
  s.degraded_inference_samples = upto(s.status_samples / 2);
  for (int64_t i = 0; i < s.fps_positive_samples; ++i) {
    const double fps = 1 + static_cast<double>(rng() % 30'000) / 1000;
    s.output_fps_sum_milli += *ToMilli(fps);
  }
  for (int64_t i = upto(3); i > 0; --i) {
    const auto ptff = static_cast<int64_t>(rng() % 20'000);
    s.prompt_to_first_frame_sum_ms += ptff;
    ++s.prompt_to_first_frame_sample_count;
    s.ptff_sketch.Add(static_cast<double>(ptff));
  }
  for (int64_t i = upto(20); i > 0; --i) {
    const double e2e = 1 + static_cast<double>(rng() % 500'000) / 1000;
    s.e2e_latency_sum_ms_milli += *ToMilli(e2e);
    ++s.e2e_latency_sample_count;
    s.e2e_latency_sketch.Add(e2e);
  }
  return s;
}

void ExpectRateInvariants(const StreamingSums& s, const SlaScores& scores) {
  auto in_unit = [](std::optional<double> x) { return !x || (*x >= 0 && *x <= 1); };
  EXPECT_TRUE(in_unit(StartupSuccessRate(s)));
  EXPECT_TRUE(in_unit(ExcusedFailureRate(s)));
  EXPECT_TRUE(in_unit(EffectiveSuccessRate(s)));
  EXPECT_TRUE(in_unit(NoSwapRate(s)));
  EXPECT_TRUE(in_unit(OutputViabilityRate(s)));
  EXPECT_TRUE(in_unit(HealthSignalCoverageRatio(s)));
  EXPECT_TRUE(in_unit(StartupFailedRate(s)));
  EXPECT_TRUE(in_unit(SwapRate(s)));
  EXPECT_TRUE(in_unit(DegradedRate(s)));
  for (auto score : {scores.reliability_score, scores.ptff_score, scores.e2e_score,
                     scores.fps_score, scores.latency_score, scores.quality_score}) {
    EXPECT_TRUE(in_unit(score));
  }
  EXPECT_EQ(scores.sla_score.has_value(), s.requested_sessions > 0);
  if (scores.sla_score) {
    EXPECT_GE(*scores.sla_score, 0);
    EXPECT_LE(*scores.sla_score, 100);
  }
}

TEST(InvariantsTest, GeneratedHoursAndTheirWindow) {
  std::mt19937_64 rng(20260310);
  for (int trial = 0; trial < 40; ++trial) {
    // A benchmark from generated history, so the raw scores use real thresholds.
    BenchmarkDay history;
    std::vector<StreamingSums> hours;
    for (int h = 0; h < 24; ++h) {
      hours.push_back(GeneratedHour(rng));
      for (int r = 0; r < 3; ++r) history.AddScoringRow(GeneratedHour(rng));
    }
    const SlaBenchmark benchmark = BenchmarkThresholds(history);
    StreamingSums window;
    for (const StreamingSums& hour : hours) {
      ExpectRateInvariants(hour, ScoreSla(hour, kLv2v, benchmark));
      window += hour;
    }
    ExpectRateInvariants(window, ScoreSla(window, kLv2v, benchmark));
    // Hourly sums = window sums, in any grouping (operator+= is associative).
    StreamingSums first_half, second_half;
    for (int h = 0; h < 12; ++h) first_half += hours[h];
    for (int h = 12; h < 24; ++h) second_half += hours[h];
    first_half += second_half;
    EXPECT_EQ(first_half, window);
    // Each sketch's count equals its sample counter (invariant 13).
    EXPECT_EQ(static_cast<int64_t>(window.e2e_latency_sketch.count()),
              window.e2e_latency_sample_count);
    EXPECT_LE(window.health_signal_count, window.health_expected_signal_count);
  }
}

}  // namespace
}  // namespace naap::publish
