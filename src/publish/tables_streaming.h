#pragma once
// The session-based streaming tables of spec/analytics.md §4.1, §4.2, §4.4 and §4.5, each a
// publish::Table whose slice (org, hour) is built from FactsView::SessionsAt(org, hour) (and, for
// the demand tables, the hour's linked payments). Rows hold the grain key, the (A) sums (a table
// keeps only its own columns of StreamingSums, the others stay zero), the (M) attributes where
// §4 names them, and the (D) values hourly rows store, computed by formulas.h from the row's own
// sums. Slice bytes are canonical: rows in key order, every value in one encoding.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "publish/formulas.h"
#include "publish/streaming_rows.h"
#include "publish/table.h"
#include "resolve/facts_view.h"

namespace naap::publish {

inline constexpr char kStreamingDemandTable[] = "api_hourly_streaming_demand";
inline constexpr char kGpuNetworkDemandTable[] = "api_hourly_gpu_network_demand";
inline constexpr char kStreamingSlaTable[] = "api_hourly_streaming_sla";
inline constexpr char kGpuMetricsTable[] = "api_hourly_streaming_gpu_metrics";
inline constexpr char kOrchStreamStatsTable[] = "api_hourly_orch_stream_stats";

template <typename Derived>
struct StreamingRow {
  Millis window_start = 0;
  std::string org;
  StreamingKey key;
  StreamingSums sums;
  SessionAttributes attributes;  // (M): SLA and GPU metrics; empty elsewhere
  Derived derived;
};

// ---- Block P input ----

// One linked payment (§2.5) with its linked session's dimensions.
struct LinkedPayment {
  std::string gateway, orchestrator_address, pipeline_id, model_id, gpu_id;
  unsigned __int128 face_value_total_wei = 0;
  unsigned __int128 fees_wei = 0;
};

// Where the demand tables read Block P: the linked payments with hour(event_ts) = hour, each
// carrying its linked session's dimensions. Unlinked payments are not returned.
class LinkedPayments {
 public:
  virtual ~LinkedPayments() = default;
  virtual std::vector<LinkedPayment> At(const resolve::FactsView& facts, std::string_view org,
                                        Millis hour) const = 0;
};

// ---- api_hourly_streaming_demand / api_hourly_gpu_network_demand (§4.1) ----

enum class DemandGrain {
  kPipeline,  // (gateway, pipeline_id, model_id)
  kGpu,       // (gateway, orchestrator_address, pipeline_id, model_id, gpu_id)
};

struct DemandDerived {
  std::optional<double> avg_output_fps, startup_success_rate, excused_failure_rate,
      effective_success_rate;
  double health_signal_coverage_ratio = 1;
  double total_minutes = 0;
  double ticket_face_value_eth = 0;
  std::string gpu_identity_status;  // kGpu grain: resolved | hardware_unresolved; else ""
};
using DemandRow = StreamingRow<DemandDerived>;

// Columns: sessions_count, Block O, the four core Block S columns (tail included),
// total_duration_ms, Block P.
std::vector<DemandRow> BuildDemandRows(const resolve::FactsView& facts,
                                       const LinkedPayments& payments, DemandGrain grain,
                                       std::string_view org, Millis hour);
DemandDerived DeriveDemand(const StreamingSums& sums, const StreamingKey& key, DemandGrain grain);
std::string EncodeDemandRows(const std::vector<DemandRow>& rows);
Result<std::vector<DemandRow>> DecodeDemandRows(std::string_view bytes);

// ---- api_hourly_streaming_sla (§4.2) ----

struct SlaDerived {
  std::optional<double> startup_success_rate, excused_failure_rate, effective_success_rate,
      no_swap_rate, output_viability_rate;
  double health_signal_coverage_ratio = 1;
  std::optional<double> avg_output_fps, avg_prompt_to_first_frame_ms, avg_e2e_latency_ms;
  SlaScores scores;
  std::string sla_semantics_version;
};
using SlaRow = StreamingRow<SlaDerived>;

// Key (orchestrator_address, pipeline_id, model_id, gpu_id). Columns: Block O, Block L, the four
// core Block S columns and Block E, tail-excluded. Derived values are left empty: these are the
// rows the benchmark reads.
std::vector<SlaRow> BuildSlaSumRows(const resolve::FactsView& facts, std::string_view org,
                                    Millis hour);
// BuildSlaSumRows(ctx.facts(), org, hour) through ctx.Memo: the benchmark of a day reads all its
// hours at every cycle that changes one of them.
std::vector<SlaRow> SlaSumRows(const PublishContext& ctx, std::string_view org, Millis hour);
// The same rows scored with the 7-day benchmark of (pipeline_id, model_id, date(hour)), read from
// the benchmark slices of the 7 previous cohort dates in `ctx`.
std::vector<SlaRow> BuildSlaRows(const PublishContext& ctx, std::string_view org, Millis hour);
SlaDerived DeriveSla(const StreamingSums& sums, std::string_view pipeline_id,
                     const SlaBenchmark& benchmark);
std::string EncodeSlaRows(const std::vector<SlaRow>& rows);
Result<std::vector<SlaRow>> DecodeSlaRows(std::string_view bytes);

// ---- api_hourly_streaming_gpu_metrics (§4.4) ----

struct GpuMetricsDerived {
  std::optional<double> avg_output_fps, avg_prompt_to_first_frame_ms, avg_startup_latency_ms,
      avg_e2e_latency_ms;
  std::optional<double> p95_output_fps, p95_prompt_to_first_frame_latency_ms,
      p95_startup_latency_ms, p95_e2e_latency_ms;
  std::optional<double> startup_failed_rate, swap_rate;
  double health_signal_coverage_ratio = 1;
  // cuda_version and fps_jitter_coefficient are always NULL and not stored.
};
using GpuMetricsRow = StreamingRow<GpuMetricsDerived>;

// The SLA rows with gpu_id ≠ "", without sessions_handled, plus session_hour_fps_sketch.
std::vector<GpuMetricsRow> BuildGpuMetricsRows(const resolve::FactsView& facts,
                                               std::string_view org, Millis hour);
GpuMetricsDerived DeriveGpuMetrics(const StreamingSums& sums);
std::string EncodeGpuMetricsRows(const std::vector<GpuMetricsRow>& rows);
Result<std::vector<GpuMetricsRow>> DecodeGpuMetricsRows(std::string_view bytes);

// ---- api_hourly_orch_stream_stats (§4.5) ----

using OrchStreamStatsRow = StreamingRow<ReliabilityRates>;

// Key (orchestrator_address, pipeline_id, model_id). Columns: sessions_handled,
// requested_sessions, startup_success_sessions, no_orch_sessions, total_swapped_sessions,
// completed_sessions, all of Block S with output_fps_sketch and input_fps_sketch, Block E; tail
// included.
std::vector<OrchStreamStatsRow> BuildOrchStreamStatsRows(const resolve::FactsView& facts,
                                                         std::string_view org, Millis hour);
std::string EncodeOrchStreamStatsRows(const std::vector<OrchStreamStatsRow>& rows);
Result<std::vector<OrchStreamStatsRow>> DecodeOrchStreamStatsRows(std::string_view bytes);

// ---- factory ----

// Every table of this area in publishing order: demand, GPU-network demand, GPU metrics,
// orch-stream stats, failures, ingest transport, then the SLA benchmark days and the SLA rows
// (which read the benchmark).
std::vector<std::unique_ptr<Table>> StreamingTables(std::shared_ptr<const LinkedPayments> payments);

}  // namespace naap::publish
