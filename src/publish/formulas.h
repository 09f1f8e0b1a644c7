#pragma once
// Every formula of spec/analytics.md §5, implemented once, as pure functions over plain structs of
// additive (A) sums. A wider grain is the operator+= of its rows (§6.2: hourly sums = window sums);
// derived (D) values are doubles recomputed from those sums and never summed or averaged, except
// the requested-weighted combination of SLA scores across (date, cohort) groups (§5.2).
// NULL is std::nullopt; ratio(a, b) is NULL when b = 0.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/sketch.h"
#include "base/status.h"

namespace naap::publish {

// The (A) columns shared by the streaming tables (§4.0 blocks O, L, S, E, P, plus the per-table
// sums and sketches of §4.1–§4.5). A table leaves the columns it lacks at zero / empty.
// Fixed-point sums are at 10⁻³ (…_milli); latencies and durations are integer milliseconds.
struct StreamingSums {
  int64_t sessions_count = 0;  // demand tables: session-hours with evidence
  // Block O (session_hour).
  int64_t sessions_handled = 0;
  int64_t requested_sessions = 0;
  int64_t known_sessions_count = 0;
  int64_t startup_success_sessions = 0;
  int64_t startup_excused_sessions = 0;
  int64_t startup_failed_sessions = 0;
  int64_t no_orch_sessions = 0;
  int64_t loading_only_sessions = 0;
  int64_t zero_output_fps_sessions = 0;
  int64_t output_failed_sessions = 0;
  int64_t effective_failed_sessions = 0;
  int64_t confirmed_swapped_sessions = 0;
  int64_t inferred_swap_sessions = 0;
  int64_t total_swapped_sessions = 0;
  int64_t sessions_ending_in_error = 0;
  int64_t completed_sessions = 0;
  int64_t health_signal_count = 0;
  int64_t health_expected_signal_count = 0;
  int64_t total_duration_ms = 0;  // total_minutes is held in ms
  // Block L (session_hour).
  int64_t prompt_to_first_frame_sum_ms = 0;
  int64_t prompt_to_first_frame_sample_count = 0;
  QuantileSketch ptff_sketch;
  int64_t startup_latency_sum_ms = 0;
  int64_t startup_latency_sample_count = 0;
  QuantileSketch startup_latency_sketch;
  // Block S (sample hour).
  int64_t status_samples = 0;
  int64_t fps_positive_samples = 0;
  int64_t output_fps_sum_milli = 0;
  int64_t input_fps_samples = 0;
  int64_t input_fps_sum_milli = 0;
  int64_t running_state_samples = 0;
  int64_t degraded_input_samples = 0;
  int64_t degraded_inference_samples = 0;
  int64_t error_status_samples = 0;
  int64_t inference_restarts = 0;
  int64_t inference_errors = 0;
  QuantileSketch output_fps_sketch;        // orch-stream stats
  QuantileSketch input_fps_sketch;         // orch-stream stats
  QuantileSketch session_hour_fps_sketch;  // GPU metrics
  // Block E. The sum is in milliseconds at 10⁻³ (status latencies are fractional).
  int64_t e2e_latency_sum_ms_milli = 0;
  int64_t e2e_latency_sample_count = 0;
  QuantileSketch e2e_latency_sketch;
  // Block P (payment hour). Exact wei.
  unsigned __int128 face_value_wei = 0;
  unsigned __int128 fees_wei = 0;

  StreamingSums& operator+=(const StreamingSums& other);
  friend bool operator==(const StreamingSums&, const StreamingSums&) = default;
};

// ratio(a, b) of §0.1.
std::optional<double> Ratio(double numerator, double denominator);

// §5.1 streaming ratios.
std::optional<double> StartupSuccessRate(const StreamingSums& s);
std::optional<double> ExcusedFailureRate(const StreamingSums& s);
std::optional<double> EffectiveSuccessRate(const StreamingSums& s);
std::optional<double> NoSwapRate(const StreamingSums& s);
std::optional<double> OutputViabilityRate(const StreamingSums& s);
double HealthSignalCoverageRatio(const StreamingSums& s);
std::optional<double> AvgOutputFps(const StreamingSums& s);
std::optional<double> AvgInputFps(const StreamingSums& s);
std::optional<double> AvgPromptToFirstFrameMs(const StreamingSums& s);
std::optional<double> AvgStartupLatencyMs(const StreamingSums& s);
std::optional<double> AvgE2eLatencyMs(const StreamingSums& s);
double TotalMinutes(const StreamingSums& s);
// §4.1: face_value_wei ÷ 10^18.
double TicketFaceValueEth(const StreamingSums& s);

// §4.3 benchmark. One cohort day's (A) columns; a day's population is its scoring-grain rows
// (pipeline_id ≠ "", summed across orgs), each adding its non-NULL averages.
struct BenchmarkDay {
  QuantileSketch ptff_sketch, e2e_sketch, fps_sketch;
  int64_t ptff_row_count = 0, e2e_row_count = 0, fps_row_count = 0;

  void AddScoringRow(const StreamingSums& row);
  BenchmarkDay& operator+=(const BenchmarkDay& other);
  friend bool operator==(const BenchmarkDay&, const BenchmarkDay&) = default;
};

// Thresholds and row counts; a NULL threshold comes from an empty sketch.
struct SlaBenchmark {
  std::optional<double> ptff_p50, ptff_p90, e2e_p50, e2e_p90, fps_p10, fps_p50;
  int64_t n_ptff = 0, n_e2e = 0, n_fps = 0;
};

// The quantiles of one merged population (a day's display values or a 7-day benchmark).
SlaBenchmark BenchmarkThresholds(const BenchmarkDay& population);
// The 7-day benchmark for scores on day `score_day` (days since the epoch): the merge of cohort
// days score_day − 7 … score_day − 1 (the current day excluded).
SlaBenchmark SevenDayBenchmark(const std::map<int64_t, BenchmarkDay>& days, int64_t score_day);

// §5.2 SLA score (sla_semantics_version naap-1).
inline constexpr char kSlaSemanticsVersion[] = "naap-1";
inline constexpr int64_t kMinBenchmarkRows = 48;

// Raw quality scores of step 2 (0.5 for a NULL average, a NULL threshold, too few benchmark rows
// or an empty pipeline_id).
double PtffRaw(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b);
double E2eRaw(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b);
double FpsRaw(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b);

struct SlaScores {
  std::optional<double> reliability_score;
  std::optional<double> ptff_score, e2e_score, fps_score, latency_score, quality_score;
  std::optional<double> sla_score;
};

// Steps 1–5 for the sums of one (date, cohort) group. Component scores always have a value;
// reliability_score and sla_score are NULL when requested_sessions = 0.
SlaScores ScoreSla(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b);

// One (date, cohort) group of rows, already summed.
struct SlaGroup {
  StreamingSums sums;
  std::string pipeline_id;
  SlaBenchmark benchmark;
};

// Scores above the stored grain: one group is scored exactly; several groups give sla_score and
// the component scores as Σ(score_g × req_g) ÷ Σreq_g over groups with req_g > 0 (NULL when
// none), while reliability_score is recomputed from the total sums.
SlaScores CombineSlaGroups(std::span<const SlaGroup> groups);

// §5.3 GPU metrics.
std::optional<double> StartupFailedRate(const StreamingSums& s);
std::optional<double> SwapRate(const StreamingSums& s);
std::optional<double> P95(const QuantileSketch& sketch);

// §5.4 reliability (minimum sample rule: NULL when the denominator is < 5).
inline constexpr int64_t kMinReliabilitySamples = 5;
std::optional<double> MinimumSampleRatio(int64_t numerator, int64_t denominator);

struct ReliabilityRates {
  std::optional<double> startup_success_rate, no_orch_session_rate, orch_swap_rate;
  std::optional<double> completion_rate;
  std::optional<double> degraded_rate, inference_restart_rate, error_rate;
  std::optional<double> pipeline_failure_rate;      // (no_orch + swapped) ÷ requested
  std::optional<double> orchestrator_failure_rate;  // (errors + restarts) ÷ status samples
};
ReliabilityRates ComputeReliabilityRates(const StreamingSums& s);
// degraded_rate without the minimum sample rule (the leaderboard's DEG).
std::optional<double> DegradedRate(const StreamingSums& s);
// The FPS degradation flag for hour h, given avg_fps of the preceding clock hour and of h.
bool FpsDegraded(std::optional<double> previous_hour_avg_fps, std::optional<double> hour_avg_fps);

// §4.9 / §4.10 sums and the §5.5 figures. price_sum is at 10⁻⁶, tokens/s at 10⁻³.
struct RequestDemandSums {
  int64_t job_count = 0, selected_count = 0, no_orch_count = 0, unknown_count = 0;
  int64_t success_count = 0, failure_count = 0, attributed_count = 0;
  int64_t duration_ms_sum = 0, duration_samples = 0;
  __int128 price_sum_micro = 0;
  int64_t price_samples = 0;
  int64_t llm_request_count = 0, llm_success_count = 0;
  int64_t llm_total_tokens_sum = 0, llm_total_tokens_sample_count = 0;
  int64_t llm_tokens_per_second_sum_milli = 0, llm_tokens_per_second_sample_count = 0;
  int64_t llm_ttft_ms_sum = 0, llm_ttft_ms_sample_count = 0;

  RequestDemandSums& operator+=(const RequestDemandSums& other);
  friend bool operator==(const RequestDemandSums&, const RequestDemandSums&) = default;
};
std::optional<double> SuccessRate(const RequestDemandSums& s);
std::optional<double> AvgDurationMs(const RequestDemandSums& s);
std::optional<double> AvgPricePerUnit(const RequestDemandSums& s);
std::optional<double> LlmSuccessRate(const RequestDemandSums& s);
std::optional<double> AvgTokensPerSec(const RequestDemandSums& s);
std::optional<double> AvgTtftMs(const RequestDemandSums& s);
std::optional<double> AvgTotalTokens(const RequestDemandSums& s);
std::optional<double> AttributedRate(const RequestDemandSums& s);

struct ByocAuthSums {
  int64_t total_events = 0, success_count = 0, failure_count = 0;
  ByocAuthSums& operator+=(const ByocAuthSums& other);
};
std::optional<double> SuccessRate(const ByocAuthSums& s);

// §5.6 leaderboard composite.
struct LeaderboardWeights {
  double fps = 0.30, deg = 0.30, vol = 0.20, lat = 0.20;
};
// Each weight finite and in [0, 1], the four summing to 1 (within 1e-9).
Status ValidateLeaderboardWeights(const LeaderboardWeights& w);

struct LeaderboardInput {
  std::string address;
  int64_t streams_handled = 0;
  std::optional<double> avg_inference_fps, degraded_rate, avg_latency_ms;
};
struct LeaderboardEntry {
  size_t input_index = 0;  // into the inputs given
  double score = 0;        // 0 … 100
  int64_t rank = 0;        // 1-based over the eligible set
};
inline constexpr int64_t kDefaultLeaderboardMinStreams = 10;
// The eligible orchestrators (address ≠ "", streams_handled ≥ min_streams) in rank order: score
// DESC, streams_handled DESC, address ASC. Weights must have passed ValidateLeaderboardWeights.
std::vector<LeaderboardEntry> RankLeaderboard(std::span<const LeaderboardInput> orchestrators,
                                              int64_t min_streams, const LeaderboardWeights& w);

// §5.7 discovery score of one (orchestrator, pipeline): sla_score ÷ 100 of the §5.2 combination
// (stream offers) or the request success rate; a NULL score is served as 0 without recent work.
// Rounded half away from zero to 3 decimals.
struct DiscoveryScore {
  double score = 0;
  bool recent_work = false;
};
DiscoveryScore StreamDiscoveryScore(const SlaScores& combined);
DiscoveryScore RequestDiscoveryScore(const RequestDemandSums& sums);
// x rounded half away from zero to `decimals` places (the API's rounding rule).
double RoundHalfAwayFromZero(double x, int decimals);

// §5.8 dashboard KPI over the window's hour buckets (oldest first, zero-filled, each the sum of
// the bucket's api_hourly_streaming_demand rows). Deltas compare the first ⌊n/2⌋ buckets with the
// last ⌊n/2⌋ and are 0 when n < 2 or a denominator is empty.
struct KpiFigure {
  std::optional<double> value;
  double delta = 0;
};
struct DashboardKpi {
  KpiFigure success_rate;  // percent; NULL value when Σrequested = 0; delta in points
  KpiFigure daily_session_count, daily_usage_mins, daily_network_fees_eth;
};
DashboardKpi ComputeDashboardKpi(std::span<const StreamingSums> hour_buckets);
// 100 × (value − prev) ÷ prev; 0 when prev = 0 (orchestratorsObserved and the sum deltas).
double PercentChange(double previous, double current);

}  // namespace naap::publish
