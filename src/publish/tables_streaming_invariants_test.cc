// Invariants 5–15 and 22 of spec/analytics.md §8, codec round trips and canonical bytes, on
// randomly generated sessions of two orgs over four hours.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "publish/sla_benchmark.h"
#include "publish/streaming_test_util.h"
#include "publish/tables_session_events.h"
#include "publish/tables_streaming.h"
#include "resolve/session_test_util.h"

namespace naap::publish {
namespace {

using resolve::SessionFact;
using resolve::SessionRecords;
using resolve::testing::AddResolvedAndHardwareLess;
using resolve::testing::At;
using resolve::testing::FakeMatcher;
using resolve::testing::Orch;
using resolve::testing::SessionBuilder;
using testing::FakeContext;
using testing::FakeFacts;
using testing::FakePayments;

const char* const kTraceTypes[] = {"gateway_receive_stream_request",
                                   "gateway_send_first_ingest_segment",
                                   "gateway_receive_first_processed_segment",
                                   "gateway_receive_few_processed_segments",
                                   "gateway_no_orchestrators_available",
                                   "orchestrator_swap",
                                   "gateway_ingest_stream_closed",
                                   "runner_send_first_processed_segment"};
const char* const kStates[] = {"ONLINE", "LOADING", "DEGRADED_INPUT", "DEGRADED_INFERENCE"};
const char* const kOrgs[] = {"o1", "o2"};
constexpr int kFirstHour = 10, kHours = 4;

// u0 resolved with a GPU, u1 hardware-less, u2 unknown.
FakeMatcher Matcher() {
  FakeMatcher m;
  AddResolvedAndHardwareLess(m);
  return m;
}

struct Generated {
  std::string org, key;
  SessionRecords records;
};

Generated RandomSession(std::mt19937_64& rng, int index) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  Generated g;
  g.org = kOrgs[pick(2)];
  g.key = g.org + "|s" + std::to_string(index) + "|r";
  SessionBuilder b(g.org);
  const Millis start = At(kFirstHour, 0, 0) + pick(3) * kHourMs + pick(3600) * 1000;
  auto ts = [&] { return start + pick(90 * 60) * 1000; };
  auto orch = [&]() -> event::OrchInfo {
    const int o = pick(4);
    if (o == 3) return {};
    return Orch("0xl" + std::to_string(o), "u" + std::to_string(o));
  };
  int id = 0;
  auto next_id = [&] { return g.key + "#" + std::to_string(id++); };
  for (int i = pick(6); i > 0; --i) b.Trace(next_id(), ts(), kTraceTypes[pick(8)], orch());
  for (int i = pick(10); i > 0; --i) {
    auto& s = b.Status(next_id(), ts(), kStates[pick(4)],
                       pick(3) ? std::optional<double>(pick(300) / 10.0) : std::nullopt, orch());
    s.input_fps = pick(2) ? std::optional<double>(pick(300) / 10.0) : std::nullopt;
    s.restart_count = pick(3);
    s.e2e_latency_ms = pick(2) ? std::optional<double>(pick(5000) / 8.0) : std::nullopt;
    s.last_error = pick(4) == 0 ? "err" : "";
    s.has_error = !s.last_error.empty();
    s.pipeline = pick(4) ? "live-video-to-video" : "";
    s.model = pick(2) ? "streamdiffusion-sdxl" : "m2";
  }
  for (int i = pick(3); i > 0; --i)
    b.Event(next_id(), ts(), pick(2) ? "error" : "orchestrator_swap", "", orch());
  for (int i = pick(3); i > 0; --i) b.Ingest(next_id(), ts()).video.packets_received = pick(1000);
  g.records = b.records();
  return g;
}

std::vector<Generated> RandomSessions(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<Generated> out;
  for (int i = 0; i < n; ++i) out.push_back(RandomSession(rng, i));
  // A session whose quiet last hour is a terminal-tail artifact (§2.4).
  Generated tail{"o1", "o1|tail|r", {}};
  SessionBuilder b("o1");
  b.Trace("tail#0", At(kFirstHour, 59, 0), "gateway_receive_stream_request");
  b.Status("tail#1", At(kFirstHour, 59, 30), "LOADING", 0.0, Orch("0xl0", "u0"));
  b.Status("tail#2", At(kFirstHour + 1, 0, 10), "LOADING", 0.0, Orch("0xl0", "u0"));
  tail.records = b.records();
  out.push_back(std::move(tail));
  return out;
}

std::vector<SessionFact> Build(const std::vector<Generated>& generated) {
  const FakeMatcher matcher = Matcher();
  std::vector<SessionFact> facts;
  for (const Generated& g : generated) {
    facts.push_back(BuildSession(g.org, g.key, g.records, matcher));
  }
  return facts;
}

Millis Hour(int i) { return At(kFirstHour, 0, 0) + i * kHourMs; }

template <typename Row>
StreamingSums Total(const std::vector<Row>& rows) {
  StreamingSums total;
  for (const Row& r : rows) total += r.sums;
  return total;
}

void ExpectRate(std::optional<double> rate) {
  if (rate) {
    EXPECT_GE(*rate, 0.0);
    EXPECT_LE(*rate, 1.0);
  }
}

// 13 within one row.
void CheckSamples(const StreamingSums& s) {
  for (int64_t counter : {s.fps_positive_samples, s.running_state_samples, s.degraded_input_samples,
                          s.degraded_inference_samples, s.error_status_samples}) {
    EXPECT_LE(counter, s.status_samples);
  }
  EXPECT_LE(s.input_fps_samples, s.fps_positive_samples);
  // Sketches hold the positive values of their counters (a 0 ms latency is a sample the
  // sketch does not count, §0.3).
  EXPECT_LE(s.ptff_sketch.count(), static_cast<uint64_t>(s.prompt_to_first_frame_sample_count));
  EXPECT_LE(s.startup_latency_sketch.count(),
            static_cast<uint64_t>(s.startup_latency_sample_count));
  EXPECT_LE(s.e2e_latency_sketch.count(), static_cast<uint64_t>(s.e2e_latency_sample_count));
}

// 6–13 within a row holding all of Block O.
void CheckRow(const StreamingSums& s) {
  CheckSamples(s);
  EXPECT_EQ(s.startup_success_sessions + s.startup_excused_sessions + s.startup_failed_sessions,
            s.requested_sessions);
  EXPECT_LE(s.no_orch_sessions, s.startup_excused_sessions + s.startup_success_sessions);
  EXPECT_LE(std::max(s.loading_only_sessions, s.zero_output_fps_sessions),
            s.output_failed_sessions);
  EXPECT_LE(s.output_failed_sessions, s.loading_only_sessions + s.zero_output_fps_sessions);
  EXPECT_LE(s.loading_only_sessions + s.zero_output_fps_sessions, 2 * s.requested_sessions);
  EXPECT_LE(std::max(s.startup_failed_sessions, s.output_failed_sessions),
            s.effective_failed_sessions);
  EXPECT_LE(s.effective_failed_sessions,
            std::min(s.requested_sessions, s.startup_failed_sessions + s.output_failed_sessions));
  EXPECT_EQ(s.total_swapped_sessions, s.confirmed_swapped_sessions + s.inferred_swap_sessions);
  EXPECT_LE(s.health_signal_count, s.health_expected_signal_count);
  EXPECT_EQ(s.health_expected_signal_count, 3 * s.requested_sessions);
}

void CheckSla(const SlaRow& row) {
  CheckRow(row.sums);
  const SlaDerived& d = row.derived;
  for (auto rate :
       {d.startup_success_rate, d.excused_failure_rate, d.effective_success_rate, d.no_swap_rate,
        d.output_viability_rate, d.scores.reliability_score, d.scores.ptff_score,
        d.scores.e2e_score, d.scores.fps_score, d.scores.latency_score, d.scores.quality_score}) {
    ExpectRate(rate);
  }
  ExpectRate(d.health_signal_coverage_ratio);
  EXPECT_EQ(d.scores.sla_score.has_value(), row.sums.requested_sessions > 0);
  if (d.scores.sla_score) {
    EXPECT_GE(*d.scores.sla_score, 0.0);
    EXPECT_LE(*d.scores.sla_score, 100.0);
  }
}

// The shared (A) columns of a GPU-metrics row and its SLA twin as bytes.
std::string SharedColumns(StreamingSums s) {
  s.sessions_handled = 0;
  s.session_hour_fps_sketch = QuantileSketch();
  std::string out;
  ByteWriter w(out);
  WriteSums(w, s);
  return out;
}

class GeneratedSessions : public ::testing::Test {
 protected:
  GeneratedSessions()
      : generated_(RandomSessions(7, 120)), facts_(Build(generated_)), ctx_(facts_) {
    InjectBenchmark(ctx_);
  }
  // A benchmark day before the sessions so that scores use real thresholds.
  static void InjectBenchmark(FakeContext& ctx) {
    BenchmarkDay day;
    for (int i = 1; i <= 60; ++i) {
      day.ptff_sketch.Add(i * 200.0);
      day.e2e_sketch.Add(i * 10.0);
      day.fps_sketch.Add(i * 0.5);
    }
    day.ptff_row_count = day.e2e_row_count = day.fps_row_count = 60;
    const int64_t yesterday = CohortDate(Hour(0)) - 1;
    ctx.Put(
        kSlaBenchmarkTable, "", yesterday * kDayMs,
        EncodeBenchmarkRows({BenchmarkRow{yesterday, "live-video-to-video", "streamdiffusion-sdxl",
                                          day, BenchmarkThresholds(day)}}));
  }
  std::vector<Generated> generated_;
  FakeFacts facts_;
  FakeContext ctx_;
  FakePayments no_payments_;
};

TEST_F(GeneratedSessions, InvariantsPerHour) {
  int64_t requested_total = 0, sla_requested_total = 0, status_total = 0, demand_status_total = 0;
  int64_t gpu_rows = 0, tail_total = 0;
  for (const std::string org : kOrgs) {
    for (int i = -1; i <= kHours; ++i) {
      const Millis hour = Hour(i);
      const auto demand = BuildDemandRows(facts_, no_payments_, DemandGrain::kPipeline, org, hour);
      const auto gpu_demand = BuildDemandRows(facts_, no_payments_, DemandGrain::kGpu, org, hour);
      const auto sla = BuildSlaRows(ctx_, org, hour);
      const auto gpu = BuildGpuMetricsRows(facts_, org, hour);
      const auto orch = BuildOrchStreamStatsRows(facts_, org, hour);

      // 5: one Block O per session, in its session_hour.
      int64_t requested = 0, handled = 0, status_records = 0, tail_samples = 0;
      for (const SessionFact& f : facts_.sessions()) {
        if (f.org != org || !f.exists) continue;
        if (f.session_hour == hour) {
          ++handled;
          requested += f.classification.requested_seen;
        }
        for (const auto& h : f.hours) {
          if (h.hour != hour) continue;
          status_records += h.status_samples;
          if (h.is_terminal_tail_artifact) tail_samples += h.status_samples;
        }
      }
      for (const StreamingSums& total :
           {Total(demand), Total(gpu_demand), Total(sla), Total(orch)}) {
        EXPECT_EQ(total.requested_sessions, requested);
        EXPECT_EQ(total.sessions_handled, handled);
      }
      requested_total += requested;
      sla_requested_total += Total(sla).requested_sessions;
      // 14: status samples per table.
      EXPECT_EQ(Total(demand).status_samples, status_records);
      EXPECT_EQ(Total(orch).status_samples, status_records);
      EXPECT_EQ(Total(sla).status_samples + tail_samples, status_records);
      status_total += status_records;
      demand_status_total += Total(demand).status_samples;

      // 6–13 per row.
      for (const auto& r : demand) CheckRow(r.sums);
      for (const auto& r : sla) CheckSla(r);
      for (const auto& r : orch) {
        CheckSamples(r.sums);
        EXPECT_EQ(r.sums.output_fps_sketch.count(),
                  static_cast<uint64_t>(r.sums.fps_positive_samples));
        EXPECT_EQ(r.sums.input_fps_sketch.count(), static_cast<uint64_t>(r.sums.input_fps_samples));
      }
      // 15: GPU rows are the SLA rows with gpu_id ≠ "".
      std::vector<const SlaRow*> sla_with_gpu;
      for (const auto& r : sla) {
        if (!r.key.gpu_id.empty()) sla_with_gpu.push_back(&r);
      }
      ASSERT_EQ(gpu.size(), sla_with_gpu.size());
      gpu_rows += gpu.size();
      tail_total += tail_samples;
      for (size_t k = 0; k < gpu.size(); ++k) {
        EXPECT_EQ(gpu[k].key, sla_with_gpu[k]->key);
        EXPECT_EQ(SharedColumns(gpu[k].sums), SharedColumns(sla_with_gpu[k]->sums));
        CheckRow(gpu[k].sums);
      }
    }
  }
  // 5 and 22 over the whole window: hourly sums = window sums.
  int64_t requested_sessions = 0, status_records = 0;
  for (const SessionFact& f : facts_.sessions()) {
    if (!f.exists) continue;
    requested_sessions += f.classification.requested_seen;
    status_records += f.status_sample_count;
  }
  EXPECT_GT(requested_sessions, 10);
  EXPECT_GT(gpu_rows, 0);
  EXPECT_GT(tail_total, 0);  // the generator does produce terminal-tail artifacts
  EXPECT_EQ(requested_total, requested_sessions);
  EXPECT_EQ(sla_requested_total, requested_sessions);
  EXPECT_EQ(status_total, status_records);
  EXPECT_EQ(demand_status_total, status_records);
}

TEST_F(GeneratedSessions, FailuresCountEachFailureOnceInItsHour) {
  int64_t failures = 0, counted = 0;
  for (const SessionFact& f : facts_.sessions()) failures += f.failures.size();
  for (const std::string org : kOrgs) {
    for (int i = -1; i <= kHours; ++i) {
      for (const FailureRow& r : BuildFailureRows(facts_, org, Hour(i))) counted += r.failure_count;
    }
  }
  EXPECT_GT(failures, 0);
  EXPECT_EQ(counted, failures);
}

TEST_F(GeneratedSessions, SlicesRoundTripAndAreCanonical) {
  // The same records, each session's records and the sessions themselves shuffled.
  std::vector<Generated> shuffled = generated_;
  std::mt19937_64 rng(99);
  for (Generated& g : shuffled) {
    std::shuffle(g.records.traces.begin(), g.records.traces.end(), rng);
    std::shuffle(g.records.status_samples.begin(), g.records.status_samples.end(), rng);
    std::shuffle(g.records.stream_events.begin(), g.records.stream_events.end(), rng);
    std::shuffle(g.records.ingest_samples.begin(), g.records.ingest_samples.end(), rng);
  }
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  const FakeFacts other_facts(Build(shuffled));
  FakeContext other_ctx(other_facts);
  InjectBenchmark(other_ctx);
  const auto tables = StreamingTables(std::make_shared<FakePayments>());
  int non_empty = 0;
  for (const auto& table : tables) {
    for (const std::string org : kOrgs) {
      for (int i = -1; i <= kHours; ++i) {
        const bool benchmark = table->name() == kSlaBenchmarkTable;
        const Millis hour = benchmark ? CohortDate(Hour(i)) * kDayMs : Hour(i);
        const std::string_view slice_org = benchmark ? "" : org;
        const std::string bytes = table->BuildSlice(ctx_, slice_org, hour);
        EXPECT_TRUE(table->BuildSlice(other_ctx, slice_org, hour) == bytes) << table->name();
        if (bytes.empty()) continue;
        ++non_empty;
        std::string again;
        const std::string_view name = table->name();
        if (name == kStreamingDemandTable || name == kGpuNetworkDemandTable) {
          again = EncodeDemandRows(DecodeDemandRows(bytes).value());
        } else if (name == kStreamingSlaTable) {
          again = EncodeSlaRows(DecodeSlaRows(bytes).value());
        } else if (name == kGpuMetricsTable) {
          again = EncodeGpuMetricsRows(DecodeGpuMetricsRows(bytes).value());
        } else if (name == kOrchStreamStatsTable) {
          again = EncodeOrchStreamStatsRows(DecodeOrchStreamStatsRows(bytes).value());
        } else if (name == kFailuresTable) {
          again = EncodeFailureRows(DecodeFailureRows(bytes).value());
        } else if (name == kIngestTransportTable) {
          again = EncodeIngestTransportRows(DecodeIngestTransportRows(bytes).value());
        } else {
          again = EncodeBenchmarkRows(DecodeBenchmarkRows(bytes).value());
        }
        EXPECT_TRUE(again == bytes) << name;
      }
    }
  }
  EXPECT_GT(non_empty, 40);
}

TEST_F(GeneratedSessions, BenchmarkSketchesMergeInAnyOrder) {
  // 24: the 7-day thresholds equal the quantiles of one sketch of the days' rows.
  const Millis day_start = CohortDate(Hour(0)) * kDayMs;
  const auto rows = BuildBenchmarkRows(FakeContext(facts_), day_start);
  ASSERT_FALSE(rows.empty());
  std::map<int64_t, BenchmarkDay> forward, backward;
  BenchmarkDay all;
  for (int d = 1; d <= 7; ++d) forward[d] = rows[0].day;
  for (int d = 7; d >= 1; --d) backward.emplace(d, rows[0].day);
  for (int d = 1; d <= 7; ++d) all += rows[0].day;
  const SlaBenchmark a = SevenDayBenchmark(forward, 8), b = SevenDayBenchmark(backward, 8);
  const SlaBenchmark c = BenchmarkThresholds(all);
  EXPECT_EQ(a.ptff_p50, c.ptff_p50);
  EXPECT_EQ(b.fps_p10, c.fps_p10);
  EXPECT_EQ(a.n_e2e, 7 * rows[0].day.e2e_row_count);
}

}  // namespace
}  // namespace naap::publish
