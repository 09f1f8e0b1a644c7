#include "publish/tables_streaming.h"

#include <functional>
#include <map>
#include <utility>

#include "publish/sla_benchmark.h"
#include "publish/tables_session_events.h"
#include "resolve/session.h"

namespace naap::publish {
namespace {

// The session's dimensions, every grain column filled.
StreamingKey FullKey(const resolve::SessionFact& s) {
  return {s.gateway, s.orchestrator_address, s.pipeline_id, s.model_id, s.gpu_id};
}

StreamingKey DemandKey(StreamingKey key, DemandGrain grain) {
  if (grain == DemandGrain::kPipeline) {
    key.orchestrator_address.clear();
    key.gpu_id.clear();
  }
  return key;
}

StreamingKey SlaKey(const resolve::SessionFact& s) {
  StreamingKey key = FullKey(s);
  key.gateway.clear();
  return key;
}

// Turns accumulated rows into table rows, keeping the table's columns (`project`) and, when
// asked, the (M) attributes.
template <typename Derived>
std::vector<StreamingRow<Derived>> ToRows(
    const std::map<StreamingKey, StreamingAccumulation>& accumulated, std::string_view org,
    Millis hour, bool keep_attributes,
    const std::function<StreamingSums(const StreamingSums&)>& project) {
  std::vector<StreamingRow<Derived>> rows;
  rows.reserve(accumulated.size());
  for (const auto& [key, acc] : accumulated) {
    StreamingRow<Derived>& row = rows.emplace_back();
    row.window_start = hour;
    row.org = std::string(org);
    row.key = key;
    row.sums = project(acc.sums);
    if (keep_attributes) row.attributes = acc.attributes;
  }
  return rows;
}

StreamingSums SlaColumns(const StreamingSums& full) {
  StreamingSums s;
  CopyBlockO(full, s);
  CopyBlockL(full, s);
  CopyCoreSamples(full, s);
  CopyBlockE(full, s);
  return s;
}

// ---- codec ----

template <typename T, size_t N>
void WriteOptionals(ByteWriter& w, const T& value, std::optional<double> T::*const (&columns)[N]) {
  for (const auto column : columns) WriteOptionalDouble(w, value.*column);
}

template <typename T, size_t N>
bool ReadOptionals(ByteReader& r, T& value, std::optional<double> T::*const (&columns)[N]) {
  for (const auto column : columns) {
    if (!ReadOptionalDouble(r, value.*column)) return false;
  }
  return true;
}

template <typename Derived>
std::string EncodeStreamingRows(const std::vector<StreamingRow<Derived>>& rows,
                                void (*write_derived)(ByteWriter&, const Derived&)) {
  return EncodeHourlySlice<StreamingRow<Derived>>(
      rows, [write_derived](ByteWriter& w, const StreamingRow<Derived>& row) {
        WriteKey(w, row.key);
        WriteSums(w, row.sums);
        WriteAttributes(w, row.attributes);
        write_derived(w, row.derived);
      });
}

template <typename Derived>
Result<std::vector<StreamingRow<Derived>>> DecodeStreamingRows(std::string_view bytes,
                                                               bool (*read_derived)(ByteReader&,
                                                                                    Derived&)) {
  return DecodeHourlySlice<StreamingRow<Derived>>(
      bytes, [read_derived](ByteReader& r, StreamingRow<Derived>& row) {
        return ReadKey(r, row.key) && ReadSums(r, row.sums) && ReadAttributes(r, row.attributes) &&
               read_derived(r, row.derived);
      });
}

constexpr std::optional<double> DemandDerived::*kDemandOptionals[] = {
    &DemandDerived::avg_output_fps, &DemandDerived::startup_success_rate,
    &DemandDerived::excused_failure_rate, &DemandDerived::effective_success_rate};

void WriteDemandDerived(ByteWriter& w, const DemandDerived& d) {
  WriteOptionals(w, d, kDemandOptionals);
  WriteDouble(w, d.health_signal_coverage_ratio);
  WriteDouble(w, d.total_minutes);
  WriteDouble(w, d.ticket_face_value_eth);
  w.String(d.gpu_identity_status);
}

bool ReadDemandDerived(ByteReader& r, DemandDerived& d) {
  return ReadOptionals(r, d, kDemandOptionals) && ReadDouble(r, d.health_signal_coverage_ratio) &&
         ReadDouble(r, d.total_minutes) && ReadDouble(r, d.ticket_face_value_eth) &&
         r.String(d.gpu_identity_status);
}

constexpr std::optional<double> SlaDerived::*kSlaOptionals[] = {
    &SlaDerived::startup_success_rate,         &SlaDerived::excused_failure_rate,
    &SlaDerived::effective_success_rate,       &SlaDerived::no_swap_rate,
    &SlaDerived::output_viability_rate,        &SlaDerived::avg_output_fps,
    &SlaDerived::avg_prompt_to_first_frame_ms, &SlaDerived::avg_e2e_latency_ms};
constexpr std::optional<double> SlaScores::*kScoreColumns[] = {
    &SlaScores::reliability_score, &SlaScores::ptff_score,    &SlaScores::e2e_score,
    &SlaScores::fps_score,         &SlaScores::latency_score, &SlaScores::quality_score,
    &SlaScores::sla_score};

void WriteSlaDerived(ByteWriter& w, const SlaDerived& d) {
  WriteOptionals(w, d, kSlaOptionals);
  WriteDouble(w, d.health_signal_coverage_ratio);
  WriteOptionals(w, d.scores, kScoreColumns);
  w.String(d.sla_semantics_version);
}

bool ReadSlaDerived(ByteReader& r, SlaDerived& d) {
  return ReadOptionals(r, d, kSlaOptionals) && ReadDouble(r, d.health_signal_coverage_ratio) &&
         ReadOptionals(r, d.scores, kScoreColumns) && r.String(d.sla_semantics_version);
}

constexpr std::optional<double> GpuMetricsDerived::*kGpuOptionals[] = {
    &GpuMetricsDerived::avg_output_fps,
    &GpuMetricsDerived::avg_prompt_to_first_frame_ms,
    &GpuMetricsDerived::avg_startup_latency_ms,
    &GpuMetricsDerived::avg_e2e_latency_ms,
    &GpuMetricsDerived::p95_output_fps,
    &GpuMetricsDerived::p95_prompt_to_first_frame_latency_ms,
    &GpuMetricsDerived::p95_startup_latency_ms,
    &GpuMetricsDerived::p95_e2e_latency_ms,
    &GpuMetricsDerived::startup_failed_rate,
    &GpuMetricsDerived::swap_rate};

void WriteGpuDerived(ByteWriter& w, const GpuMetricsDerived& d) {
  WriteOptionals(w, d, kGpuOptionals);
  WriteDouble(w, d.health_signal_coverage_ratio);
}

bool ReadGpuDerived(ByteReader& r, GpuMetricsDerived& d) {
  return ReadOptionals(r, d, kGpuOptionals) && ReadDouble(r, d.health_signal_coverage_ratio);
}

constexpr std::optional<double> ReliabilityRates::*kReliabilityColumns[] = {
    &ReliabilityRates::startup_success_rate,
    &ReliabilityRates::no_orch_session_rate,
    &ReliabilityRates::orch_swap_rate,
    &ReliabilityRates::completion_rate,
    &ReliabilityRates::degraded_rate,
    &ReliabilityRates::inference_restart_rate,
    &ReliabilityRates::error_rate,
    &ReliabilityRates::pipeline_failure_rate,
    &ReliabilityRates::orchestrator_failure_rate};

void WriteReliability(ByteWriter& w, const ReliabilityRates& d) {
  WriteOptionals(w, d, kReliabilityColumns);
}

bool ReadReliability(ByteReader& r, ReliabilityRates& d) {
  return ReadOptionals(r, d, kReliabilityColumns);
}

}  // namespace

// ---- demand ----

std::vector<DemandRow> BuildDemandRows(const resolve::FactsView& facts,
                                       const LinkedPayments& payments, DemandGrain grain,
                                       std::string_view org, Millis hour) {
  const std::vector<const resolve::SessionFact*> sessions = facts.SessionsAt(org, hour);
  std::map<StreamingKey, StreamingAccumulation> accumulated = AccumulateStreaming(
      sessions, hour, TailRule::kIncluded,
      [grain](const resolve::SessionFact& s) { return DemandKey(FullKey(s), grain); });
  for (const LinkedPayment& p : payments.At(facts, org, hour)) {
    const StreamingKey key =
        DemandKey({p.gateway, p.orchestrator_address, p.pipeline_id, p.model_id, p.gpu_id}, grain);
    StreamingSums& sums = accumulated[key].sums;
    sums.face_value_wei += p.face_value_total_wei;
    sums.fees_wei += p.fees_wei;
  }
  std::vector<DemandRow> rows =
      ToRows<DemandDerived>(accumulated, org, hour, false, [](const StreamingSums& full) {
        StreamingSums s;
        s.sessions_count = full.sessions_count;
        CopyBlockO(full, s);
        CopyCoreSamples(full, s);
        s.total_duration_ms = full.total_duration_ms;
        s.face_value_wei = full.face_value_wei;
        s.fees_wei = full.fees_wei;
        return s;
      });
  for (DemandRow& row : rows) row.derived = DeriveDemand(row.sums, row.key, grain);
  return rows;
}

DemandDerived DeriveDemand(const StreamingSums& sums, const StreamingKey& key, DemandGrain grain) {
  DemandDerived d;
  d.avg_output_fps = AvgOutputFps(sums);
  d.startup_success_rate = StartupSuccessRate(sums);
  d.excused_failure_rate = ExcusedFailureRate(sums);
  d.effective_success_rate = EffectiveSuccessRate(sums);
  d.health_signal_coverage_ratio = HealthSignalCoverageRatio(sums);
  d.total_minutes = TotalMinutes(sums);
  d.ticket_face_value_eth = TicketFaceValueEth(sums);
  if (grain == DemandGrain::kGpu) {
    d.gpu_identity_status = key.gpu_id.empty() ? "hardware_unresolved" : "resolved";
  }
  return d;
}

std::string EncodeDemandRows(const std::vector<DemandRow>& rows) {
  return EncodeStreamingRows(rows, &WriteDemandDerived);
}

Result<std::vector<DemandRow>> DecodeDemandRows(std::string_view bytes) {
  return DecodeStreamingRows(bytes, &ReadDemandDerived);
}

// ---- SLA ----

std::vector<SlaRow> BuildSlaSumRows(const resolve::FactsView& facts, std::string_view org,
                                    Millis hour) {
  const std::vector<const resolve::SessionFact*> sessions = facts.SessionsAt(org, hour);
  return ToRows<SlaDerived>(AccumulateStreaming(sessions, hour, TailRule::kExcluded, SlaKey), org,
                            hour, true, SlaColumns);
}

std::vector<SlaRow> SlaSumRows(const PublishContext& ctx, std::string_view org, Millis hour) {
  const std::string& bytes = ctx.Memo("sla_sum_rows", org, hour, [&] {
    return EncodeSlaRows(BuildSlaSumRows(ctx.facts(), org, hour));
  });
  Result<std::vector<SlaRow>> rows = DecodeSlaRows(bytes);
  return rows.ok() ? std::move(*rows) : std::vector<SlaRow>{};  // encoded just above: always ok
}

std::vector<SlaRow> BuildSlaRows(const PublishContext& ctx, std::string_view org, Millis hour) {
  std::vector<SlaRow> rows = SlaSumRows(ctx, org, hour);
  if (rows.empty()) return rows;
  const auto days = ReadPreviousBenchmarkDays(ctx, hour);
  const int64_t score_day = CohortDate(hour);
  const std::map<int64_t, BenchmarkDay> no_days;
  for (SlaRow& row : rows) {
    const auto cohort = days.find({row.key.pipeline_id, row.key.model_id});
    const SlaBenchmark benchmark =
        SevenDayBenchmark(cohort == days.end() ? no_days : cohort->second, score_day);
    row.derived = DeriveSla(row.sums, row.key.pipeline_id, benchmark);
  }
  return rows;
}

SlaDerived DeriveSla(const StreamingSums& sums, std::string_view pipeline_id,
                     const SlaBenchmark& benchmark) {
  SlaDerived d;
  d.startup_success_rate = StartupSuccessRate(sums);
  d.excused_failure_rate = ExcusedFailureRate(sums);
  d.effective_success_rate = EffectiveSuccessRate(sums);
  d.no_swap_rate = NoSwapRate(sums);
  d.output_viability_rate = OutputViabilityRate(sums);
  d.health_signal_coverage_ratio = HealthSignalCoverageRatio(sums);
  d.avg_output_fps = AvgOutputFps(sums);
  d.avg_prompt_to_first_frame_ms = AvgPromptToFirstFrameMs(sums);
  d.avg_e2e_latency_ms = AvgE2eLatencyMs(sums);
  d.scores = ScoreSla(sums, pipeline_id, benchmark);
  d.sla_semantics_version = kSlaSemanticsVersion;
  return d;
}

std::string EncodeSlaRows(const std::vector<SlaRow>& rows) {
  return EncodeStreamingRows(rows, &WriteSlaDerived);
}

Result<std::vector<SlaRow>> DecodeSlaRows(std::string_view bytes) {
  return DecodeStreamingRows(bytes, &ReadSlaDerived);
}

// ---- GPU metrics ----

std::vector<GpuMetricsRow> BuildGpuMetricsRows(const resolve::FactsView& facts,
                                               std::string_view org, Millis hour) {
  const std::vector<const resolve::SessionFact*> sessions = facts.SessionsAt(org, hour);
  std::vector<GpuMetricsRow> rows = ToRows<GpuMetricsDerived>(
      AccumulateStreaming(sessions, hour, TailRule::kExcluded,
                          [](const resolve::SessionFact& s) -> std::optional<StreamingKey> {
                            if (s.gpu_id.empty()) return std::nullopt;
                            return SlaKey(s);
                          }),
      org, hour, true, [](const StreamingSums& full) {
        StreamingSums s = SlaColumns(full);
        s.sessions_handled = 0;
        s.session_hour_fps_sketch = full.session_hour_fps_sketch;
        return s;
      });
  for (GpuMetricsRow& row : rows) row.derived = DeriveGpuMetrics(row.sums);
  return rows;
}

GpuMetricsDerived DeriveGpuMetrics(const StreamingSums& sums) {
  GpuMetricsDerived d;
  d.avg_output_fps = AvgOutputFps(sums);
  d.avg_prompt_to_first_frame_ms = AvgPromptToFirstFrameMs(sums);
  d.avg_startup_latency_ms = AvgStartupLatencyMs(sums);
  d.avg_e2e_latency_ms = AvgE2eLatencyMs(sums);
  d.p95_output_fps = P95(sums.session_hour_fps_sketch);
  d.p95_prompt_to_first_frame_latency_ms = P95(sums.ptff_sketch);
  d.p95_startup_latency_ms = P95(sums.startup_latency_sketch);
  d.p95_e2e_latency_ms = P95(sums.e2e_latency_sketch);
  d.startup_failed_rate = StartupFailedRate(sums);
  d.swap_rate = SwapRate(sums);
  d.health_signal_coverage_ratio = HealthSignalCoverageRatio(sums);
  return d;
}

std::string EncodeGpuMetricsRows(const std::vector<GpuMetricsRow>& rows) {
  return EncodeStreamingRows(rows, &WriteGpuDerived);
}

Result<std::vector<GpuMetricsRow>> DecodeGpuMetricsRows(std::string_view bytes) {
  return DecodeStreamingRows(bytes, &ReadGpuDerived);
}

// ---- orch-stream stats ----

std::vector<OrchStreamStatsRow> BuildOrchStreamStatsRows(const resolve::FactsView& facts,
                                                         std::string_view org, Millis hour) {
  const std::vector<const resolve::SessionFact*> sessions = facts.SessionsAt(org, hour);
  std::vector<OrchStreamStatsRow> rows =
      ToRows<ReliabilityRates>(AccumulateStreaming(sessions, hour, TailRule::kIncluded,
                                                   [](const resolve::SessionFact& s) {
                                                     StreamingKey key = SlaKey(s);
                                                     key.gpu_id.clear();
                                                     return key;
                                                   }),
                               org, hour, false, [](const StreamingSums& full) {
                                 StreamingSums s;
                                 s.sessions_handled = full.sessions_handled;
                                 s.requested_sessions = full.requested_sessions;
                                 s.startup_success_sessions = full.startup_success_sessions;
                                 s.no_orch_sessions = full.no_orch_sessions;
                                 s.total_swapped_sessions = full.total_swapped_sessions;
                                 s.completed_sessions = full.completed_sessions;
                                 CopyBlockS(full, s);
                                 CopyBlockE(full, s);
                                 return s;
                               });
  for (OrchStreamStatsRow& row : rows) row.derived = ComputeReliabilityRates(row.sums);
  return rows;
}

std::string EncodeOrchStreamStatsRows(const std::vector<OrchStreamStatsRow>& rows) {
  return EncodeStreamingRows(rows, &WriteReliability);
}

Result<std::vector<OrchStreamStatsRow>> DecodeOrchStreamStatsRows(std::string_view bytes) {
  return DecodeStreamingRows(bytes, &ReadReliability);
}

// ---- factory ----

std::vector<std::unique_ptr<Table>> StreamingTables(
    std::shared_ptr<const LinkedPayments> payments) {
  std::vector<std::unique_ptr<Table>> tables;
  auto add = [&tables](std::string_view name, SliceTable::Build build) {
    tables.push_back(std::make_unique<SliceTable>(name, std::move(build)));
  };
  for (const auto& [name, grain] : {std::pair{kStreamingDemandTable, DemandGrain::kPipeline},
                                    std::pair{kGpuNetworkDemandTable, DemandGrain::kGpu}}) {
    add(name, [payments, grain](const PublishContext& ctx, std::string_view org, Millis hour) {
      return EncodeDemandRows(BuildDemandRows(ctx.facts(), *payments, grain, org, hour));
    });
  }
  add(kGpuMetricsTable, [](const PublishContext& ctx, std::string_view org, Millis hour) {
    return EncodeGpuMetricsRows(BuildGpuMetricsRows(ctx.facts(), org, hour));
  });
  add(kOrchStreamStatsTable, [](const PublishContext& ctx, std::string_view org, Millis hour) {
    return EncodeOrchStreamStatsRows(BuildOrchStreamStatsRows(ctx.facts(), org, hour));
  });
  add(kFailuresTable, [](const PublishContext& ctx, std::string_view org, Millis hour) {
    return EncodeFailureRows(BuildFailureRows(ctx.facts(), org, hour));
  });
  add(kIngestTransportTable, [](const PublishContext& ctx, std::string_view org, Millis hour) {
    return EncodeIngestTransportRows(BuildIngestTransportRows(ctx.facts(), org, hour));
  });
  add(kSlaBenchmarkTable, [](const PublishContext& ctx, std::string_view, Millis day_start) {
    return EncodeBenchmarkRows(BuildBenchmarkRows(ctx, day_start));
  });
  add(kStreamingSlaTable, [](const PublishContext& ctx, std::string_view org, Millis hour) {
    return EncodeSlaRows(BuildSlaRows(ctx, org, hour));
  });
  return tables;
}

}  // namespace naap::publish
