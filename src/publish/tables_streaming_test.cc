// The streaming tables on the worked examples of spec/analytics.md §9.1 and §9.2, the benchmark
// plumbing, the slice tables and the codecs.
#include "publish/tables_streaming.h"

#include <gtest/gtest.h>

#include "publish/sla_benchmark.h"
#include "publish/sla_test_util.h"
#include "publish/streaming_test_util.h"
#include "publish/tables_session_events.h"
#include "resolve/session_test_util.h"

namespace naap::publish {
namespace {

using resolve::Decision;
using resolve::SessionFact;
using resolve::testing::At;
using resolve::testing::Example91Records;
using resolve::testing::Example92Matcher;
using resolve::testing::Example92Records;
using resolve::testing::FakeMatcher;
using resolve::testing::kA;
using resolve::testing::kB;
using resolve::testing::kFaceId;
using resolve::testing::kGpu1;
using resolve::testing::kGpuB;
using resolve::testing::kOnChain1;
using resolve::testing::kSdxl;
using resolve::testing::kUri1;
using resolve::testing::Resolved;
using resolve::testing::SessionBuilder;
using testing::Example91Benchmark;
using testing::Example91Population;
using testing::FakeContext;
using testing::FakeFacts;
using testing::FakePayments;

constexpr char kLv2v[] = "live-video-to-video";
constexpr double kTolerance = 5e-4;  // the spec's values are rounded to 3 decimals

// ---- §9.1 ----

SessionFact Example91Session() {
  Decision d = Resolved("matched", "uri_interval_exact", kOnChain1, kUri1, kGpu1);
  d.model = kFaceId;
  d.gpu_model_name = "NVIDIA GeForce RTX 5090";
  d.gpu_memory_bytes_total = 34190917632;
  d.runner_version = "0.14.0";
  FakeMatcher matcher;
  matcher.Add(kUri1, At(14, 59, 0), d);
  return BuildSession("cloudspe", "cloudspe|stream-ex1|aa11bb22", Example91Records(), matcher);
}

// E3 and E11, both linked to the session, in 14:00.
FakePayments Example91Payments() {
  FakePayments payments;
  const LinkedPayment e3{
      "", kOnChain1, kLv2v, kFaceId, kGpu1, 4'800'000'000'000'000, 4'800'000'000'000};
  const LinkedPayment e11{
      "", kOnChain1, kLv2v, kFaceId, kGpu1, 2'400'000'000'000'000, 2'400'000'000'000};
  payments.Add("cloudspe", At(14, 0, 0), e3);
  payments.Add("cloudspe", At(14, 0, 0), e11);
  return payments;
}

const StreamingKey kSlaKey91{"", kOnChain1, kLv2v, kFaceId, kGpu1};

class Example91 : public ::testing::Test {
 protected:
  Example91() : facts_({Example91Session()}), payments_(Example91Payments()), ctx_(facts_) {}
  FakeFacts facts_;
  FakePayments payments_;
  FakeContext ctx_;
};

void ExpectOutcomesOfOneSuccessfulSession(const StreamingSums& s) {
  EXPECT_EQ(s.requested_sessions, 1);
  EXPECT_EQ(s.known_sessions_count, 1);
  EXPECT_EQ(s.startup_success_sessions, 1);
  EXPECT_EQ(s.completed_sessions, 1);
  EXPECT_EQ(s.health_signal_count, 3);
  EXPECT_EQ(s.health_expected_signal_count, 3);
  for (int64_t zero :
       {s.startup_excused_sessions, s.startup_failed_sessions, s.no_orch_sessions,
        s.loading_only_sessions, s.zero_output_fps_sessions, s.output_failed_sessions,
        s.effective_failed_sessions, s.confirmed_swapped_sessions, s.inferred_swap_sessions,
        s.total_swapped_sessions, s.sessions_ending_in_error}) {
    EXPECT_EQ(zero, 0);
  }
}

TEST_F(Example91, DemandRows) {
  const auto at14 =
      BuildDemandRows(facts_, payments_, DemandGrain::kPipeline, "cloudspe", At(14, 0, 0));
  ASSERT_EQ(at14.size(), 1u);
  const DemandRow& r = at14[0];
  EXPECT_EQ(r.key, (StreamingKey{"", "", kLv2v, kFaceId, ""}));
  EXPECT_EQ(r.sums.sessions_count, 1);
  EXPECT_EQ(r.sums.sessions_handled, 1);
  ExpectOutcomesOfOneSuccessfulSession(r.sums);
  EXPECT_EQ(r.sums.status_samples, 3);
  EXPECT_EQ(r.sums.fps_positive_samples, 2);
  EXPECT_EQ(r.sums.output_fps_sum_milli, 33'000);
  EXPECT_EQ(r.sums.error_status_samples, 0);
  EXPECT_EQ(r.sums.total_duration_ms, 52'000);
  EXPECT_TRUE(r.sums.face_value_wei == 7'200'000'000'000'000);
  EXPECT_TRUE(r.sums.fees_wei == 7'200'000'000'000);
  EXPECT_EQ(r.sums.prompt_to_first_frame_sample_count, 0);  // Block L is not a demand column
  EXPECT_EQ(r.sums.input_fps_samples, 0);                   // nor the rest of Block S
  EXPECT_NEAR(r.derived.total_minutes, 0.8667, 1e-4);
  EXPECT_DOUBLE_EQ(r.derived.ticket_face_value_eth, 0.0072);
  EXPECT_EQ(r.derived.avg_output_fps, 16.5);
  EXPECT_EQ(r.derived.startup_success_rate, 1.0);
  EXPECT_EQ(r.derived.excused_failure_rate, 0.0);
  EXPECT_EQ(r.derived.effective_success_rate, 1.0);
  EXPECT_EQ(r.derived.health_signal_coverage_ratio, 1.0);
  EXPECT_EQ(r.derived.gpu_identity_status, "");

  const auto at15 =
      BuildDemandRows(facts_, payments_, DemandGrain::kPipeline, "cloudspe", At(15, 0, 0));
  ASSERT_EQ(at15.size(), 1u);
  const StreamingSums& s = at15[0].sums;
  EXPECT_EQ(s.sessions_count, 1);
  EXPECT_EQ(s.sessions_handled, 0);
  EXPECT_EQ(s.requested_sessions, 0);
  EXPECT_EQ(s.health_expected_signal_count, 0);
  EXPECT_EQ(s.status_samples, 2);
  EXPECT_EQ(s.fps_positive_samples, 2);
  EXPECT_EQ(s.output_fps_sum_milli, 33'000);
  EXPECT_EQ(at15[0].derived.total_minutes, 0.0);
  EXPECT_EQ(at15[0].derived.startup_success_rate, std::nullopt);
  EXPECT_EQ(at15[0].derived.health_signal_coverage_ratio, 1.0);
}

TEST_F(Example91, GpuNetworkDemandKeepsOrchestratorAndGpu) {
  const auto rows = BuildDemandRows(facts_, payments_, DemandGrain::kGpu, "cloudspe", At(14, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].key, (StreamingKey{"", kOnChain1, kLv2v, kFaceId, kGpu1}));
  EXPECT_EQ(rows[0].derived.gpu_identity_status, "resolved");
  EXPECT_TRUE(rows[0].sums.fees_wei == 7'200'000'000'000);
}

TEST_F(Example91, SlaRowAt14WithoutBenchmark) {
  const auto rows = BuildSlaRows(ctx_, "cloudspe", At(14, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  const SlaRow& r = rows[0];
  EXPECT_EQ(r.window_start, At(14, 0, 0));
  EXPECT_EQ(r.org, "cloudspe");
  EXPECT_EQ(r.key, kSlaKey91);
  EXPECT_EQ(r.sums.sessions_handled, 1);
  ExpectOutcomesOfOneSuccessfulSession(r.sums);
  EXPECT_EQ(r.sums.status_samples, 3);
  EXPECT_EQ(r.sums.fps_positive_samples, 2);
  EXPECT_EQ(r.sums.output_fps_sum_milli, 33'000);
  EXPECT_EQ(r.sums.error_status_samples, 0);
  EXPECT_EQ(r.sums.prompt_to_first_frame_sum_ms, 6500);
  EXPECT_EQ(r.sums.prompt_to_first_frame_sample_count, 1);
  EXPECT_EQ(r.sums.startup_latency_sum_ms, 2400);
  EXPECT_EQ(r.sums.startup_latency_sample_count, 1);
  EXPECT_EQ(r.sums.e2e_latency_sum_ms_milli, 110'000);
  EXPECT_EQ(r.sums.e2e_latency_sample_count, 1);
  EXPECT_EQ(r.sums.sessions_count, 0);
  EXPECT_EQ(r.sums.total_duration_ms, 0);
  EXPECT_EQ(r.attributes.orchestrator_uri, kUri1);
  EXPECT_EQ(r.attributes.gpu_model_name, "NVIDIA GeForce RTX 5090");
  EXPECT_EQ(r.attributes.gpu_memory_bytes_total, 34190917632);
  const SlaDerived& d = r.derived;
  EXPECT_EQ(d.startup_success_rate, 1.0);
  EXPECT_EQ(d.excused_failure_rate, 0.0);
  EXPECT_EQ(d.effective_success_rate, 1.0);
  EXPECT_EQ(d.no_swap_rate, 1.0);
  EXPECT_EQ(d.output_viability_rate, 1.0);
  EXPECT_EQ(d.health_signal_coverage_ratio, 1.0);
  EXPECT_EQ(d.avg_output_fps, 16.5);
  EXPECT_EQ(d.avg_prompt_to_first_frame_ms, 6500.0);
  EXPECT_EQ(d.avg_e2e_latency_ms, 110.0);
  EXPECT_EQ(d.scores.reliability_score, 1.0);
  for (const auto& score : {d.scores.ptff_score, d.scores.e2e_score, d.scores.fps_score,
                            d.scores.latency_score, d.scores.quality_score}) {
    EXPECT_EQ(score, 0.5);
  }
  ASSERT_TRUE(d.scores.sla_score);
  EXPECT_NEAR(*d.scores.sla_score, 85.0, 1e-9);
  EXPECT_EQ(d.sla_semantics_version, "naap-1");
}

TEST_F(Example91, SlaScoresWithTheStatedBenchmark) {
  const auto rows = BuildSlaSumRows(facts_, "cloudspe", At(14, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  const SlaScores s = DeriveSla(rows[0].sums, kLv2v, Example91Benchmark()).scores;
  EXPECT_NEAR(*s.ptff_score, 0.5125, 1e-9);
  EXPECT_NEAR(*s.e2e_score, 0.545, 1e-9);
  EXPECT_NEAR(*s.fps_score, 0.55, 1e-9);
  EXPECT_NEAR(*s.latency_score, 0.5255, 1e-9);
  EXPECT_NEAR(*s.quality_score, 0.5353, 1e-9);
  EXPECT_NEAR(*s.sla_score, 86.059, kTolerance);
}

std::string BenchmarkSlice(int64_t cohort_date, const BenchmarkDay& day) {
  return EncodeBenchmarkRows(
      {BenchmarkRow{cohort_date, kLv2v, kFaceId, day, BenchmarkThresholds(day)}});
}

TEST_F(Example91, SlaReadsTheSevenPreviousBenchmarkDaysFromTheContext) {
  const int64_t today = CohortDate(At(14, 0, 0));
  ctx_.Put(kSlaBenchmarkTable, "", (today - 3) * kDayMs,
           BenchmarkSlice(today - 3, Example91Population()));
  // A population that would change the score, on the current day and 8 days back: ignored.
  BenchmarkDay outlier;
  for (int i = 0; i < 500; ++i) {
    outlier.ptff_sketch.Add(100);
    outlier.e2e_sketch.Add(1);
    outlier.fps_sketch.Add(60);
  }
  outlier.ptff_row_count = outlier.e2e_row_count = outlier.fps_row_count = 500;
  ctx_.Put(kSlaBenchmarkTable, "", today * kDayMs, BenchmarkSlice(today, outlier));
  ctx_.Put(kSlaBenchmarkTable, "", (today - 8) * kDayMs, BenchmarkSlice(today - 8, outlier));

  const auto rows = BuildSlaRows(ctx_, "cloudspe", At(14, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  const SlaBenchmark used = SevenDayBenchmark({{today - 3, Example91Population()}}, today);
  EXPECT_NEAR(*used.ptff_p50, 5000, 50);
  EXPECT_NEAR(*used.ptff_p90, 9000, 90);
  EXPECT_NEAR(*used.fps_p10, 12, 0.12);
  EXPECT_EQ(rows[0].derived.scores.sla_score,
            DeriveSla(rows[0].sums, kLv2v, used).scores.sla_score);
  EXPECT_NEAR(*rows[0].derived.scores.sla_score, 86.059, 0.05);
}

TEST_F(Example91, SlaRowAt15HasNullScores) {
  const auto rows = BuildSlaRows(ctx_, "cloudspe", At(15, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  const SlaRow& r = rows[0];
  EXPECT_EQ(r.sums.sessions_handled, 0);
  EXPECT_EQ(r.sums.requested_sessions, 0);
  EXPECT_EQ(r.sums.health_expected_signal_count, 0);
  EXPECT_EQ(r.sums.status_samples, 2);
  EXPECT_EQ(r.sums.fps_positive_samples, 2);
  EXPECT_EQ(r.sums.output_fps_sum_milli, 33'000);
  EXPECT_EQ(r.derived.health_signal_coverage_ratio, 1.0);
  EXPECT_EQ(r.derived.startup_success_rate, std::nullopt);
  EXPECT_EQ(r.derived.no_swap_rate, std::nullopt);
  EXPECT_EQ(r.derived.scores.reliability_score, std::nullopt);
  EXPECT_EQ(r.derived.scores.sla_score, std::nullopt);
  EXPECT_EQ(r.derived.avg_output_fps, 16.5);
}

TEST_F(Example91, WindowScoreIsTheFormulaOverSummedHours) {
  StreamingSums window;
  for (int h : {14, 15}) {
    for (const SlaRow& r : BuildSlaSumRows(facts_, "cloudspe", At(h, 0, 0))) window += r.sums;
  }
  EXPECT_EQ(window.status_samples, 5);
  EXPECT_EQ(window.fps_positive_samples, 4);
  EXPECT_EQ(window.output_fps_sum_milli, 66'000);
  EXPECT_NEAR(*ScoreSla(window, kLv2v, SlaBenchmark{}).sla_score, 85.0, 1e-9);
  const SlaScores with = ScoreSla(window, kLv2v, Example91Benchmark());
  EXPECT_NEAR(*with.fps_score, 0.58333, 1e-5);
  EXPECT_NEAR(*with.quality_score, 0.54863, 1e-5);
  EXPECT_NEAR(*with.sla_score, 86.459, kTolerance);
}

TEST_F(Example91, GpuMetricsRowAt14) {
  const auto rows = BuildGpuMetricsRows(facts_, "cloudspe", At(14, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  const GpuMetricsRow& r = rows[0];
  EXPECT_EQ(r.key, kSlaKey91);
  EXPECT_EQ(r.sums.sessions_handled, 0);  // not a GPU-metrics column
  ExpectOutcomesOfOneSuccessfulSession(r.sums);
  EXPECT_EQ(r.sums.session_hour_fps_sketch.count(), 1u);
  EXPECT_EQ(r.attributes.runner_version, "0.14.0");
  const GpuMetricsDerived& d = r.derived;
  EXPECT_NEAR(*d.p95_output_fps, 16.611, kTolerance);
  EXPECT_NEAR(*d.p95_prompt_to_first_frame_latency_ms, 6439.733, kTolerance);
  EXPECT_NEAR(*d.p95_startup_latency_ms, 2416.824, kTolerance);
  EXPECT_NEAR(*d.p95_e2e_latency_ms, 111.064, kTolerance);
  EXPECT_EQ(d.avg_output_fps, 16.5);
  EXPECT_EQ(d.avg_prompt_to_first_frame_ms, 6500.0);
  EXPECT_EQ(d.avg_startup_latency_ms, 2400.0);
  EXPECT_EQ(d.avg_e2e_latency_ms, 110.0);
  EXPECT_EQ(d.startup_failed_rate, 0.0);
  EXPECT_EQ(d.swap_rate, 0.0);
  EXPECT_EQ(d.health_signal_coverage_ratio, 1.0);
}

TEST_F(Example91, OrchStreamStatsRowAt14) {
  const auto rows = BuildOrchStreamStatsRows(facts_, "cloudspe", At(14, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  const OrchStreamStatsRow& r = rows[0];
  EXPECT_EQ(r.key, (StreamingKey{"", kOnChain1, kLv2v, kFaceId, ""}));
  const StreamingSums& s = r.sums;
  EXPECT_EQ(s.sessions_handled, 1);
  EXPECT_EQ(s.requested_sessions, 1);
  EXPECT_EQ(s.startup_success_sessions, 1);
  EXPECT_EQ(s.completed_sessions, 1);
  EXPECT_EQ(s.known_sessions_count, 0);  // not an orch-stream-stats column
  EXPECT_EQ(s.status_samples, 3);
  EXPECT_EQ(s.fps_positive_samples, 2);
  EXPECT_EQ(s.output_fps_sum_milli, 33'000);
  EXPECT_EQ(s.input_fps_samples, 2);
  EXPECT_EQ(s.input_fps_sum_milli, 40'000);
  EXPECT_EQ(s.running_state_samples, 2);
  EXPECT_EQ(s.output_fps_sketch.count(), 2u);
  EXPECT_EQ(s.input_fps_sketch.count(), 2u);
  EXPECT_EQ(s.e2e_latency_sum_ms_milli, 110'000);
  EXPECT_EQ(s.e2e_latency_sample_count, 1);
  // §5.4 minimum sample rule: fewer than 5 requested sessions or samples.
  EXPECT_EQ(r.derived.startup_success_rate, std::nullopt);
  EXPECT_EQ(r.derived.degraded_rate, std::nullopt);
}

TEST_F(Example91, TablesPublishDecodableSlicesInOrder) {
  const auto tables = StreamingTables(std::make_shared<FakePayments>(Example91Payments()));
  std::vector<std::string_view> names;
  for (const auto& t : tables) names.push_back(t->name());
  EXPECT_EQ(names, (std::vector<std::string_view>{kStreamingDemandTable, kGpuNetworkDemandTable,
                                                  kGpuMetricsTable, kOrchStreamStatsTable,
                                                  kFailuresTable, kIngestTransportTable,
                                                  kSlaBenchmarkTable, kStreamingSlaTable}));
  const Millis h14 = At(14, 0, 0);
  EXPECT_EQ(tables[0]->BuildSlice(ctx_, "cloudspe", h14),
            EncodeDemandRows(
                BuildDemandRows(facts_, payments_, DemandGrain::kPipeline, "cloudspe", h14)));
  const std::string sla = tables[7]->BuildSlice(ctx_, "cloudspe", h14);
  Result<std::vector<SlaRow>> decoded = DecodeSlaRows(sla);
  ASSERT_TRUE(decoded.ok());
  ASSERT_EQ(decoded->size(), 1u);
  EXPECT_EQ((*decoded)[0].org, "cloudspe");
  EXPECT_EQ((*decoded)[0].window_start, h14);
  EXPECT_NEAR(*(*decoded)[0].derived.scores.sla_score, 85.0, 1e-9);
  EXPECT_EQ(EncodeSlaRows(*decoded), sla);
  // Nothing in other hours or orgs; no failures, no ingest samples.
  for (const auto& t : tables) {
    if (t->name() == kSlaBenchmarkTable) continue;
    EXPECT_EQ(t->BuildSlice(ctx_, "cloudspe", At(13, 0, 0)), "") << t->name();
    EXPECT_EQ(t->BuildSlice(ctx_, "other", h14), "") << t->name();
  }
  EXPECT_EQ(tables[4]->BuildSlice(ctx_, "cloudspe", h14), "");
  EXPECT_EQ(tables[5]->BuildSlice(ctx_, "cloudspe", h14), "");
}

TEST_F(Example91, BenchmarkDayFromEveryOrgsSlaRows) {
  const Millis day_start = CohortDate(At(14, 0, 0)) * kDayMs;
  const auto rows = BuildBenchmarkRows(FakeContext(facts_), day_start);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].cohort_date, CohortDate(day_start));
  EXPECT_EQ(rows[0].pipeline_id, kLv2v);
  EXPECT_EQ(rows[0].model_id, kFaceId);
  // Rows 14:00 (PTFF 6500, E2E 110, fps 16.5) and 15:00 (fps 16.5 only).
  EXPECT_EQ(rows[0].day.ptff_row_count, 1);
  EXPECT_EQ(rows[0].day.e2e_row_count, 1);
  EXPECT_EQ(rows[0].day.fps_row_count, 2);
  EXPECT_NEAR(*rows[0].display.ptff_p50, 6439.733, kTolerance);
  const std::string bytes = EncodeBenchmarkRows(rows);
  Result<std::vector<BenchmarkRow>> decoded = DecodeBenchmarkRows(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)[0].day, rows[0].day);
  EXPECT_EQ(EncodeBenchmarkRows(*decoded), bytes);
  EXPECT_EQ(BuildBenchmarkRows(FakeContext(facts_), day_start - kDayMs).size(), 0u);
}

// ---- §9.2 ----

SessionFact Example92Session() {
  return BuildSession("daydream", "daydream|stream-ex2|bb33cc44", Example92Records(true),
                      Example92Matcher(true));
}

TEST(Example92, SlaRowAttributedToB) {
  const FakeFacts facts({Example92Session()});
  const FakeContext ctx(facts);
  const auto rows = BuildSlaRows(ctx, "daydream", At(10, 0, 0));
  ASSERT_EQ(rows.size(), 1u);  // A has no SLA row from this session
  const SlaRow& r = rows[0];
  EXPECT_EQ(r.key, (StreamingKey{"", kB, kLv2v, kSdxl, kGpuB}));
  EXPECT_EQ(r.sums.sessions_handled, 1);
  EXPECT_EQ(r.sums.requested_sessions, 1);
  EXPECT_EQ(r.sums.startup_success_sessions, 1);
  EXPECT_EQ(r.sums.completed_sessions, 1);
  EXPECT_EQ(r.sums.confirmed_swapped_sessions, 1);
  EXPECT_EQ(r.sums.inferred_swap_sessions, 0);
  EXPECT_EQ(r.sums.total_swapped_sessions, 1);
  EXPECT_EQ(r.sums.health_signal_count, 3);
  EXPECT_EQ(r.sums.status_samples, 4);
  EXPECT_EQ(r.sums.fps_positive_samples, 4);
  EXPECT_EQ(r.sums.output_fps_sum_milli, 54'000);
  EXPECT_EQ(r.sums.prompt_to_first_frame_sum_ms, 7000);
  EXPECT_EQ(r.sums.startup_latency_sum_ms, 3000);
  EXPECT_EQ(r.sums.e2e_latency_sample_count, 0);
  EXPECT_EQ(r.attributes.gpu_model_name, "NVIDIA L40S");
  EXPECT_EQ(r.derived.no_swap_rate, 0.0);
  EXPECT_EQ(r.derived.effective_success_rate, 1.0);
  EXPECT_NEAR(*r.derived.scores.reliability_score, 0.8, 1e-12);
  EXPECT_EQ(r.derived.avg_output_fps, 13.5);
  EXPECT_EQ(r.derived.avg_e2e_latency_ms, std::nullopt);
  EXPECT_EQ(r.derived.scores.quality_score, 0.5);
  EXPECT_NEAR(*r.derived.scores.sla_score, 71.0, 1e-9);
}

TEST(Example92, FailureRowNamesTheAbandonedOrchestrator) {
  const FakeFacts facts({Example92Session()});
  const auto rows = BuildFailureRows(facts, "daydream", At(10, 0, 0));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], (FailureRow{At(10, 0, 0), "daydream", "orch_swap", kA, kLv2v, kSdxl, 1}));
  const std::string bytes = EncodeFailureRows(rows);
  Result<std::vector<FailureRow>> decoded = DecodeFailureRows(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, rows);
  EXPECT_TRUE(BuildFailureRows(facts, "daydream", At(11, 0, 0)).empty());
}

// ---- ingest transport ----

TEST(IngestTransport, SumsPerPipelineAndStreamIncludingKeysWithoutSession) {
  SessionBuilder with_session("o");
  with_session.Trace("t1", At(10, 0, 0), "gateway_receive_stream_request");
  auto& i1 = with_session.Ingest("i1", At(10, 5, 0));
  i1.video.jitter = 2.5;
  i1.video.packets_lost = 3;
  i1.video.packets_received = 97;
  i1.conn_quality = "good";
  auto& i2 = with_session.Ingest("i2", At(10, 6, 0));
  i2.video.jitter = 3.5;
  i2.video.packets_lost = 5;
  i2.video.packets_received = 195;
  i2.conn_quality = "poor";
  SessionBuilder ingest_only("o");
  auto& i3 = ingest_only.Ingest("i3", At(10, 7, 0));
  i3.audio.jitter = 1.0;
  const FakeFacts facts({BuildSession("o", "o|s1|r1", with_session.records(), FakeMatcher()),
                         BuildSession("o", "o|s2|r2", ingest_only.records(), FakeMatcher())});
  const auto rows = BuildIngestTransportRows(facts, "o", At(10, 0, 0));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].stream_id, "s1");
  EXPECT_EQ(rows[0].sums.ingest_samples, 2);
  EXPECT_EQ(rows[0].sums.video_jitter_sum, 6'000);
  EXPECT_EQ(rows[0].derived.avg_video_jitter, 3.0);
  EXPECT_EQ(rows[0].sums.video_packets_lost, 5);  // cumulative counters: max in the hour
  EXPECT_EQ(rows[0].sums.video_packets_received, 195);
  EXPECT_EQ(rows[0].derived.video_packet_loss_rate, 5.0 / 200);
  EXPECT_EQ(rows[0].derived.conn_good_share, 0.5);
  EXPECT_EQ(rows[0].derived.conn_poor_share, 0.5);
  EXPECT_EQ(rows[0].derived.audio_packet_loss_rate, std::nullopt);
  EXPECT_EQ(rows[1].pipeline_id, "");
  EXPECT_EQ(rows[1].stream_id, "s2");
  EXPECT_EQ(rows[1].derived.avg_audio_jitter, 1.0);
  Result<std::vector<IngestTransportRow>> decoded =
      DecodeIngestTransportRows(EncodeIngestTransportRows(rows));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, rows);
}

// ---- codec strictness ----

TEST_F(Example91, DecodeRejectsNonCanonicalBytes) {
  std::vector<SlaRow> rows = BuildSlaRows(ctx_, "cloudspe", At(14, 0, 0));
  const std::string bytes = EncodeSlaRows(rows);
  EXPECT_FALSE(DecodeSlaRows(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeSlaRows(bytes + '\0').ok());
  rows.push_back(rows.front());  // a duplicate key
  EXPECT_FALSE(DecodeSlaRows(EncodeSlaRows(rows)).ok());
  EXPECT_TRUE(DecodeSlaRows("").ok());
  EXPECT_TRUE(DecodeSlaRows("")->empty());
}

}  // namespace
}  // namespace naap::publish
