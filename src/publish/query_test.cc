// The read interface on a memory store holding slices encoded by the tables' own codecs: window
// sums, grains, filters, buckets, the §9.1 SLA window and the §5.2 combination across groups.
#include "publish/query.h"

#include <gtest/gtest.h>

#include "publish/sla_benchmark.h"
#include "publish/sla_test_util.h"
#include "store/memory/memory_store.h"
#include "store/store_test_util.h"

namespace naap::publish {
namespace {

using testing::Example91Hour14;
using testing::Example91Hour15;
using testing::Example91Population;

constexpr Millis kDay0310 = 1'773'100'800'000;  // 2026-03-10T00:00:00Z
constexpr char kLv2v[] = "live-video-to-video";
constexpr char kFaceId[] = "streamdiffusion-sdxl-faceid";
constexpr char kOrch[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kGpu[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";

Millis Hour(int h) { return kDay0310 + h * kHourMs; }

TableQuery Query(Millis from, Millis to, std::vector<std::string> group_by = {},
                 TimeBucket bucket = TimeBucket::kNone) {
  TableQuery q;
  q.from = from;
  q.to = to;
  q.group_by = std::move(group_by);
  q.bucket = bucket;
  return q;
}

class QueryTest : public ::testing::Test {
 protected:
  void Put(std::string table, std::string org, Millis hour, std::string rows) {
    store::IngestBatch batch;
    batch.slices.push_back(
        store::testing::MakeSlice(std::move(table), std::move(org), hour, std::move(rows)));
    ASSERT_TRUE(store_->Commit(batch).ok());
  }
  template <typename Derived>
  void PutStreaming(const char* table, std::vector<StreamingRow<Derived>> rows) {
    const std::string org = rows.front().org;
    const Millis hour = rows.front().window_start;
    if constexpr (std::is_same_v<Derived, SlaDerived>) {
      Put(table, org, hour, EncodeSlaRows(rows));
    } else {
      Put(table, org, hour, EncodeDemandRows(rows));
    }
  }

  std::unique_ptr<store::Store> store_ = store::memory::NewMemoryStore();
};

// ---- §9.1 SLA rows ----

SlaRow Sla(Millis hour, std::string org, std::string model, StreamingSums sums) {
  SlaRow row;
  row.window_start = hour;
  row.org = std::move(org);
  row.key = {.gateway = "",
             .orchestrator_address = kOrch,
             .pipeline_id = kLv2v,
             .model_id = std::move(model),
             .gpu_id = kGpu};
  row.sums = std::move(sums);
  // A stored score the query must never read.
  row.derived.scores.sla_score = 12.5;
  return row;
}

class Example91Query : public QueryTest {
 protected:
  void SetUp() override {
    PutStreaming<SlaDerived>(kStreamingSlaTable,
                             {Sla(Hour(14), "cloudspe", kFaceId, Example91Hour14())});
    PutStreaming<SlaDerived>(kStreamingSlaTable,
                             {Sla(Hour(15), "cloudspe", kFaceId, Example91Hour15())});
  }
  TableQuery Window() const { return Query(Hour(14), Hour(16)); }
};

TEST_F(Example91Query, WindowWithoutBenchmarkScores85) {
  auto rows = QueryStreamingSla(*store_, Window());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const auto& r = (*rows)[0];
  EXPECT_EQ(r.bucket_start, Hour(14));
  EXPECT_TRUE(r.group.empty());
  EXPECT_EQ(r.sums.requested_sessions, 1);
  EXPECT_EQ(r.sums.status_samples, 5);
  EXPECT_EQ(r.sums.fps_positive_samples, 4);
  EXPECT_EQ(r.sums.output_fps_sum_milli, 66'000);
  EXPECT_EQ(r.derived.avg_output_fps, 16.5);
  EXPECT_EQ(r.derived.avg_prompt_to_first_frame_ms, 6500);
  EXPECT_EQ(r.derived.scores.reliability_score, 1.0);
  EXPECT_NEAR(*r.derived.scores.sla_score, 85.0, 1e-9);
  EXPECT_EQ(r.derived.sla_semantics_version, "naap-1");
}

TEST_F(Example91Query, WindowWithBenchmarkScores86459) {
  const int64_t today = CohortDate(Hour(14));
  auto benchmark = [](int64_t date, const BenchmarkDay& day) {
    return EncodeBenchmarkRows({BenchmarkRow{date, kLv2v, kFaceId, day, BenchmarkThresholds(day)}});
  };
  Put(kSlaBenchmarkTable, "", (today - 3) * kDayMs, benchmark(today - 3, Example91Population()));
  // The current day is not part of its own benchmark.
  BenchmarkDay outlier;
  for (int i = 0; i < 500; ++i) outlier.ptff_sketch.Add(100);
  outlier.ptff_row_count = 500;
  Put(kSlaBenchmarkTable, "", today * kDayMs, benchmark(today, outlier));

  auto rows = QueryStreamingSla(*store_, Window());
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const SlaScores& s = (*rows)[0].derived.scores;
  const SlaBenchmark used = SevenDayBenchmark({{today - 3, Example91Population()}}, today);
  StreamingSums window = Example91Hour14();
  window += Example91Hour15();
  EXPECT_EQ(s.sla_score, ScoreSla(window, kLv2v, used).sla_score);
  EXPECT_NEAR(*s.sla_score, 86.459, 0.05);  // thresholds are sketch values, within 1 %
  EXPECT_NEAR(*s.fps_score, 0.58333, 1e-5);
}

TEST_F(Example91Query, HourBucketsScoreEachStoredRow) {
  TableQuery q = Window();
  q.bucket = TimeBucket::kHour;
  auto rows = QueryStreamingSla(*store_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].bucket_start, Hour(14));
  EXPECT_NEAR(*(*rows)[0].derived.scores.sla_score, 85.0, 1e-9);
  EXPECT_EQ((*rows)[1].bucket_start, Hour(15));
  EXPECT_EQ((*rows)[1].derived.scores.sla_score, std::nullopt);
  EXPECT_EQ((*rows)[1].derived.avg_output_fps, 16.5);
}

TEST_F(Example91Query, BenchmarkThatDoesNotDecodeIsAnError) {
  Put(kSlaBenchmarkTable, "", (CohortDate(Hour(14)) - 1) * kDayMs, "garbage");
  auto rows = QueryStreamingSla(*store_, Window());
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), StatusCode::kCorruption);
}

// Two cohorts on one date, no benchmark (every quality score 0.5): model A (1 requested, all
// good) scores 85; model B (3 requested, no startup success, health 1 / 2) has reliability
// 0.2 + 0.4 = 0.6 → 100 × 0.5 × (0.42 + 0.15) = 28.5. Together: (85 + 3 × 28.5) ÷ 4 = 42.625,
// not the score of the summed rows (coverage 4/5, reliability 0.7 → 51.2).
TEST_F(QueryTest, SlaAcrossCohortsIsWeightedByRequestedSessions) {
  StreamingSums b;
  b.sessions_handled = b.requested_sessions = b.known_sessions_count = 3;
  b.startup_failed_sessions = 3;
  b.health_signal_count = 1;
  b.health_expected_signal_count = 2;
  PutStreaming<SlaDerived>(kStreamingSlaTable,
                           {Sla(Hour(10), "cloudspe", "model-a", Example91Hour14()),
                            Sla(Hour(10), "cloudspe", "model-b", b)});
  TableQuery q = Query(Hour(10), Hour(11), {"model_id"});
  auto per_model = QueryStreamingSla(*store_, q);
  ASSERT_TRUE(per_model.ok());
  ASSERT_EQ(per_model->size(), 2u);
  EXPECT_EQ((*per_model)[0].group, std::vector<std::string>{"model-a"});
  EXPECT_NEAR(*(*per_model)[0].derived.scores.sla_score, 85.0, 1e-9);
  EXPECT_NEAR(*(*per_model)[1].derived.scores.sla_score, 28.5, 1e-9);

  q.group_by = {"orchestrator_address"};
  auto per_orch = QueryStreamingSla(*store_, q);
  ASSERT_TRUE(per_orch.ok());
  ASSERT_EQ(per_orch->size(), 1u);
  const auto& r = (*per_orch)[0];
  EXPECT_EQ(r.group, std::vector<std::string>{kOrch});
  EXPECT_NEAR(*r.derived.scores.sla_score, 42.625, 1e-9);
  // Rates, coverage and reliability from the total sums: startup 1/4, no_swap 1, viability 1.
  EXPECT_EQ(r.derived.startup_success_rate, 0.25);
  EXPECT_EQ(r.derived.health_signal_coverage_ratio, 0.8);
  EXPECT_NEAR(*r.derived.scores.reliability_score, 0.4 * 0.25 + 0.2 + 0.4, 1e-12);
}

// ---- streaming demand: windows, grains, filters, buckets ----

DemandRow Demand(Millis hour, std::string org, std::string gateway, std::string pipeline,
                 int64_t requested, int64_t success, int64_t duration_ms) {
  DemandRow row;
  row.window_start = hour;
  row.org = std::move(org);
  row.key.gateway = std::move(gateway);
  row.key.pipeline_id = std::move(pipeline);
  row.key.model_id = "m";
  row.sums.sessions_count = requested;
  row.sums.requested_sessions = requested;
  row.sums.startup_success_sessions = success;
  row.sums.total_duration_ms = duration_ms;
  row.derived.total_minutes = -1;  // never read
  return row;
}

class DemandQuery : public QueryTest {
 protected:
  void SetUp() override {
    // 23:00 on 03-09, 00:00 and 01:00 on 03-10; orgs cloudspe and daydream.
    PutStreaming<DemandDerived>(kStreamingDemandTable,
                                {Demand(Hour(-1), "cloudspe", "gw1", "p1", 2, 2, 60'000),
                                 Demand(Hour(-1), "cloudspe", "gw2", "p1", 1, 0, 0)});
    PutStreaming<DemandDerived>(kStreamingDemandTable,
                                {Demand(Hour(0), "cloudspe", "gw1", "p1", 4, 1, 120'000),
                                 Demand(Hour(0), "cloudspe", "gw1", "p2", 3, 3, 30'000)});
    PutStreaming<DemandDerived>(kStreamingDemandTable,
                                {Demand(Hour(0), "daydream", "gw1", "p1", 10, 5, 600'000)});
    PutStreaming<DemandDerived>(kStreamingDemandTable,
                                {Demand(Hour(1), "cloudspe", "gw2", "p1", 5, 5, 0)});
  }
};

TEST_F(DemandQuery, WindowSumEqualsSumOfHourlyRowsAtEveryGrain) {
  for (const std::vector<std::string>& grain :
       {std::vector<std::string>{}, {"pipeline_id"}, {"org", "gateway"}, {"gateway", "model_id"}}) {
    TableQuery q = Query(Hour(-1), Hour(2), grain);
    auto window = QueryStreamingDemand(*store_, q);
    q.bucket = TimeBucket::kHour;
    auto hourly = QueryStreamingDemand(*store_, q);
    ASSERT_TRUE(window.ok() && hourly.ok());
    std::map<std::vector<std::string>, StreamingSums> summed;
    for (const auto& r : *hourly) summed[r.group] += r.sums;
    ASSERT_EQ(summed.size(), window->size());
    for (const auto& r : *window) {
      EXPECT_EQ(r.sums, summed[r.group]);
      EXPECT_EQ(r.derived.startup_success_rate, StartupSuccessRate(summed[r.group]));
    }
  }
}

TEST_F(DemandQuery, PipelineGrainRecomputesRatesFromSums) {
  TableQuery q = Query(Hour(-1), Hour(2), {"pipeline_id"});
  auto rows = QueryStreamingDemand(*store_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  const auto& p1 = (*rows)[0];
  EXPECT_EQ(p1.group, std::vector<std::string>{"p1"});
  EXPECT_EQ(p1.bucket_start, Hour(-1));
  EXPECT_EQ(p1.sums.requested_sessions, 2 + 1 + 4 + 10 + 5);
  EXPECT_EQ(p1.derived.startup_success_rate, 13.0 / 22.0);
  EXPECT_EQ(p1.derived.total_minutes, 13.0);  // 780 000 ms
  EXPECT_EQ(p1.derived.gpu_identity_status, "");
  EXPECT_EQ((*rows)[1].group, std::vector<std::string>{"p2"});
  EXPECT_EQ((*rows)[1].derived.startup_success_rate, 1.0);
}

TEST_F(DemandQuery, FiltersAndOrgFilterCombineWithAnd) {
  TableQuery q = Query(Hour(-1), Hour(2), {"org"});
  q.orgs = std::set<std::string>{"cloudspe"};
  q.equals = {{"gateway", "gw1"}, {"pipeline_id", "p1"}};
  auto rows = QueryStreamingDemand(*store_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].group, std::vector<std::string>{"cloudspe"});
  EXPECT_EQ((*rows)[0].sums.requested_sessions, 2 + 4);
  EXPECT_EQ((*rows)[0].derived.startup_success_rate, 0.5);

  q.orgs = std::set<std::string>{"nobody"};
  auto none = QueryStreamingDemand(*store_, q);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(DemandQuery, WindowIsHalfOpenAndDayBucketsFollowUtcDates) {
  TableQuery q = Query(Hour(-1), Hour(1), {}, TimeBucket::kDay);
  auto rows = QueryStreamingDemand(*store_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].bucket_start, kDay0310 - kDayMs);
  EXPECT_EQ((*rows)[0].sums.requested_sessions, 3);
  EXPECT_EQ((*rows)[1].bucket_start, kDay0310);
  EXPECT_EQ((*rows)[1].sums.requested_sessions, 4 + 3 + 10);  // 01:00 is outside [from, to)
}

TEST_F(DemandQuery, InvalidQueriesAndCorruptSlicesAreErrors) {
  TableQuery unknown = Query(Hour(0), Hour(1));
  unknown.equals = {{"gpu_id", "x"}};
  EXPECT_EQ(QueryStreamingDemand(*store_, unknown).status().code(), StatusCode::kInvalidArgument);
  TableQuery bad_grain = Query(Hour(0), Hour(1), {"hour"});
  EXPECT_EQ(QueryStreamingDemand(*store_, bad_grain).status().code(), StatusCode::kInvalidArgument);
  TableQuery empty = Query(Hour(1), Hour(1));
  EXPECT_EQ(QueryStreamingDemand(*store_, empty).status().code(), StatusCode::kInvalidArgument);

  Put(kStreamingDemandTable, "broken", Hour(0), "not a slice");
  TableQuery all = Query(Hour(0), Hour(1));
  EXPECT_EQ(QueryStreamingDemand(*store_, all).status().code(), StatusCode::kCorruption);
  all.orgs = std::set<std::string>{"cloudspe"};  // the broken slice is not read
  EXPECT_TRUE(QueryStreamingDemand(*store_, all).ok());
}

TEST_F(QueryTest, GpuIdentityStatusOnlyAtTheGpuGrain) {
  DemandRow row = Demand(Hour(3), "cloudspe", "gw1", "p1", 1, 1, 0);
  row.key.orchestrator_address = kOrch;
  DemandRow unresolved = row;
  row.key.gpu_id = kGpu;
  PutStreaming<DemandDerived>(kGpuNetworkDemandTable, {unresolved, row});
  TableQuery q = Query(Hour(3), Hour(4), {"gpu_id"});
  auto by_gpu = QueryGpuNetworkDemand(*store_, q);
  ASSERT_TRUE(by_gpu.ok());
  ASSERT_EQ(by_gpu->size(), 2u);
  EXPECT_EQ((*by_gpu)[0].derived.gpu_identity_status, "hardware_unresolved");
  EXPECT_EQ((*by_gpu)[1].derived.gpu_identity_status, "resolved");
  q.group_by = {"orchestrator_address"};
  auto by_orch = QueryGpuNetworkDemand(*store_, q);
  ASSERT_TRUE(by_orch.ok());
  ASSERT_EQ(by_orch->size(), 1u);
  EXPECT_EQ((*by_orch)[0].derived.gpu_identity_status, "");
}

// ---- request demand and attribution quality ----

RequestDemandRow Requests(std::string orch, std::optional<int64_t> capability_id, int64_t jobs,
                          int64_t success, int64_t duration_sum, int64_t duration_samples) {
  RequestDemandRow row;
  row.window_start = Hour(5);
  row.org = "cloudspe";
  row.key = {.gateway = "gw1",
             .execution_mode = "request",
             .capability_family = "builtin",
             .capability_name = "text-to-image",
             .canonical_model = "sdxl",
             .orchestrator_address = std::move(orch),
             .orchestrator_uri = ""};
  row.sums.job_count = jobs;
  row.sums.success_count = success;
  row.sums.failure_count = jobs - success;
  row.sums.duration_ms_sum = duration_sum;
  row.sums.duration_samples = duration_samples;
  row.attributes = {.capability_id = capability_id, .canonical_pipeline = "text-to-image"};
  return row;
}

TEST_F(QueryTest, RequestDemandRatesComeFromSums) {
  // success 3/4 and 3/6: the window rate is 6/10, not the mean 0.625; durations 1000/2, 5000/2.
  Put(kRequestDemandTable, "cloudspe", Hour(5),
      EncodeRequestRows<RequestDemandRow>(
          {Requests("0xaaa", 27, 4, 3, 1000, 2), Requests("0xbbb", 28, 6, 3, 5000, 2)}));
  TableQuery q = Query(Hour(5), Hour(6), {"capability_name"});
  auto rows = QueryRequestDemand(*store_, q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const auto& r = (*rows)[0];
  EXPECT_EQ(r.sums.job_count, 10);
  EXPECT_EQ(r.derived.success_rate, 0.6);
  EXPECT_EQ(r.derived.avg_duration_ms, 1500.0);
  EXPECT_EQ(r.attributes.capability_id, std::nullopt);  // the rows disagree
  EXPECT_EQ(r.attributes.canonical_pipeline, "text-to-image");

  q.equals = {{"orchestrator_address", "0xbbb"}};
  auto one = QueryRequestDemand(*store_, q);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].derived.success_rate, 0.5);
  EXPECT_EQ((*one)[0].attributes.capability_id, 28);
}

// No route reads api_hourly_byoc_payments (spec/api.md); the read interface serves it all the same.
// Amounts add up; the currency is that of the latest payment of the window, by (event_ts, id).
TEST_F(QueryTest, ByocPaymentsSumAndKeepTheLatestCurrency) {
  auto row = [](Millis hour, std::string type, int64_t count, int64_t micro,
                LatestCurrency currency) {
    ByocPaymentsRow r;
    r.window_start = hour;
    r.org = "cloudspe";
    r.key = {
        .capability = "my-cap", .payment_type = std::move(type), .orch_reported_address = kOrch};
    r.sums = {.payment_count = count, .amount_sum_micro = micro, .amount_samples = count};
    r.attributes = std::move(currency);
    return r;
  };
  Put(kByocPaymentsTable, "cloudspe", Hour(5),
      EncodeRequestRows<ByocPaymentsRow>(
          {row(Hour(5), "balance", 2, 3'000'000,
               {.event_ts = Hour(5) + 900, .event_id = "e9", .currency = "USD"}),
           row(Hour(5), "ticket", 1, 250'000, {})}));
  Put(kByocPaymentsTable, "cloudspe", Hour(6),
      EncodeRequestRows<ByocPaymentsRow>(
          {row(Hour(6), "balance", 1, 1'500'000,
               {.event_ts = Hour(6) + 5, .event_id = "e1", .currency = "EUR"})}));
  TableQuery q = Query(Hour(5), Hour(7), {"capability"});
  auto rows = QueryByocPayments(*store_, q);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].sums.payment_count, 4);
  EXPECT_TRUE((*rows)[0].sums.amount_sum_micro == 4'750'000);
  EXPECT_EQ((*rows)[0].sums.amount_samples, 4);
  EXPECT_EQ((*rows)[0].attributes.currency, "EUR");

  q.to = Hour(6);
  q.equals = {{"payment_type", "ticket"}};
  auto tickets = QueryByocPayments(*store_, q);
  ASSERT_TRUE(tickets.ok());
  ASSERT_EQ(tickets->size(), 1u);
  EXPECT_EQ((*tickets)[0].sums.payment_count, 1);
  EXPECT_EQ((*tickets)[0].attributes.currency, "");  // no payment of it named one
  q.equals = {{"payment_type", "balance"}};
  auto balances = QueryByocPayments(*store_, q);
  ASSERT_TRUE(balances.ok());
  ASSERT_EQ(balances->size(), 1u);
  EXPECT_EQ((*balances)[0].sums.payment_count, 2);
  EXPECT_EQ((*balances)[0].attributes.currency, "USD");  // the latest of this window
}

TEST_F(QueryTest, AttributionQualityCountsSumPerSubject) {
  auto row = [](Millis hour, std::string subject, std::string status, int64_t count) {
    return AttributionQualityRow{.window_start = hour,
                                 .org = "cloudspe",
                                 .key = {.subject = std::move(subject),
                                         .selection_outcome = "",
                                         .attribution_status = std::move(status),
                                         .attribution_reason = ""},
                                 .count = count};
  };
  Put(kAttributionQualityTable, "cloudspe", Hour(6),
      EncodeAttributionQualityRows({row(Hour(6), "payment", "linked", 4),
                                    row(Hour(6), "session", "resolved", 2),
                                    row(Hour(6), "session", "unresolved", 1)}));
  Put(kAttributionQualityTable, "cloudspe", Hour(7),
      EncodeAttributionQualityRows({row(Hour(7), "session", "resolved", 5)}));
  TableQuery q = Query(Hour(6), Hour(8), {"subject"});
  auto rows = QueryAttributionQuality(*store_, q);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].group, std::vector<std::string>{"payment"});
  EXPECT_EQ((*rows)[0].sums, 4);
  EXPECT_EQ((*rows)[1].group, std::vector<std::string>{"session"});
  EXPECT_EQ((*rows)[1].sums, 8);
}

// Percentiles come from the merged sketches of the rows, averages from Σsum ÷ Σcount.
TEST_F(QueryTest, DiscoveryLatencyMergesSketches) {
  auto row = [](Millis hour, std::vector<int64_t> latencies_ms) {
    DiscoveryRow r;
    r.window_start = hour;
    r.org = "cloudspe";
    r.key.orchestrator_address = kOrch;
    for (int64_t ms : latencies_ms) {
      ++r.sums.appearance_count;
      ++r.sums.sample_count;
      r.sums.latency_ms_sum_milli += ms * 1000;
      r.sums.latency_sketch.Add(static_cast<double>(ms));
    }
    return r;
  };
  Put(kDiscoveryLatencyTable, "cloudspe", Hour(8),
      EncodeRequestRows<DiscoveryRow>({row(Hour(8), {10, 10, 10})}));
  Put(kDiscoveryLatencyTable, "cloudspe", Hour(9),
      EncodeRequestRows<DiscoveryRow>({row(Hour(9), {1000})}));
  auto rows = QueryDiscoveryLatency(*store_, Query(Hour(8), Hour(10), {"orchestrator_address"}));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 1u);
  const auto& r = (*rows)[0];
  EXPECT_EQ(r.sums.sample_count, 4);
  EXPECT_EQ(r.derived.avg_latency_ms, 1030.0 / 4);
  // Ranks of 4 samples: p50 → the 2nd (10 ms), p95 → the 4th (1000 ms), as bucket values.
  EXPECT_NEAR(*r.derived.p50_latency_ms, 10, 0.1);
  EXPECT_NEAR(*r.derived.p95_latency_ms, 1000, 10);
}

}  // namespace
}  // namespace naap::publish
