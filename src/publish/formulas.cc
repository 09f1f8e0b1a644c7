#include "publish/formulas.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/fixed_point.h"

namespace naap::publish {
namespace {

// 1 − ratio(n, d), NULL when d = 0.
std::optional<double> OneMinusRatio(int64_t numerator, int64_t denominator) {
  const std::optional<double> r =
      Ratio(static_cast<double>(numerator), static_cast<double>(denominator));
  if (!r) return std::nullopt;
  return 1 - *r;
}

std::optional<double> IntRatio(int64_t numerator, int64_t denominator) {
  return Ratio(static_cast<double>(numerator), static_cast<double>(denominator));
}

std::optional<double> MilliRatio(int64_t numerator_milli, int64_t denominator) {
  return Ratio(MilliToDouble(numerator_milli), static_cast<double>(denominator));
}

// Step 2 of §5.2: whether a row average can be compared with the benchmark at all.
bool BenchmarkApplies(std::string_view pipeline_id, int64_t benchmark_rows,
                      std::optional<double> average, std::optional<double> low_threshold,
                      std::optional<double> high_threshold) {
  return !pipeline_id.empty() && benchmark_rows >= kMinBenchmarkRows && average && low_threshold &&
         high_threshold;
}

// Lower is better: 1 at or below p50, 0 at or above p90, linear between.
double LowerIsBetterRaw(double average, double p50, double p90) {
  if (p90 <= p50) return average <= p50 ? 1 : 0;
  if (average <= p50) return 1;
  if (average >= p90) return 0;
  return 1 - (average - p50) / (p90 - p50);
}

// Higher is better: 1 at or above p50, 0 at or below p10, linear between.
double HigherIsBetterRaw(double average, double p10, double p50) {
  if (p50 <= p10) return average >= p50 ? 1 : 0;
  if (average >= p50) return 1;
  if (average <= p10) return 0;
  return (average - p10) / (p50 - p10);
}

// Step 3: shrink toward 0.5 until `samples` reaches `full_weight_samples`.
double Shrink(double raw, int64_t samples, double full_weight_samples) {
  const double weight = std::min(static_cast<double>(samples) / full_weight_samples, 1.0);
  return std::clamp(0.5 + weight * (raw - 0.5), 0.0, 1.0);
}

std::optional<double> ReliabilityScore(const StreamingSums& s) {
  if (s.requested_sessions == 0) return std::nullopt;
  return std::clamp(
      0.4 * *StartupSuccessRate(s) + 0.2 * *NoSwapRate(s) + 0.4 * *OutputViabilityRate(s), 0.0,
      1.0);
}

// Min-max normalisation of one leaderboard dimension over the non-NULL values of the eligible set.
class Normaliser {
 public:
  Normaliser(double when_missing, double when_all_equal)
      : when_missing_(when_missing), when_all_equal_(when_all_equal) {}
  void Observe(std::optional<double> v) {
    if (!v) return;
    min_ = std::min(min_, *v);
    max_ = std::max(max_, *v);
  }
  // v must have been observed when present.
  double operator()(std::optional<double> v) const {
    if (!v) return when_missing_;
    if (max_ == min_) return when_all_equal_;
    return (*v - min_) / (max_ - min_);
  }

 private:
  double when_missing_, when_all_equal_;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

// §5.7: a NULL score is 0 without recent work.
DiscoveryScore ToDiscoveryScore(std::optional<double> fraction) {
  if (!fraction) return {};
  return {RoundHalfAwayFromZero(*fraction, 3), true};
}

}  // namespace

StreamingSums& StreamingSums::operator+=(const StreamingSums& o) {
  sessions_count += o.sessions_count;
  sessions_handled += o.sessions_handled;
  requested_sessions += o.requested_sessions;
  known_sessions_count += o.known_sessions_count;
  startup_success_sessions += o.startup_success_sessions;
  startup_excused_sessions += o.startup_excused_sessions;
  startup_failed_sessions += o.startup_failed_sessions;
  no_orch_sessions += o.no_orch_sessions;
  loading_only_sessions += o.loading_only_sessions;
  zero_output_fps_sessions += o.zero_output_fps_sessions;
  output_failed_sessions += o.output_failed_sessions;
  effective_failed_sessions += o.effective_failed_sessions;
  confirmed_swapped_sessions += o.confirmed_swapped_sessions;
  inferred_swap_sessions += o.inferred_swap_sessions;
  total_swapped_sessions += o.total_swapped_sessions;
  sessions_ending_in_error += o.sessions_ending_in_error;
  completed_sessions += o.completed_sessions;
  health_signal_count += o.health_signal_count;
  health_expected_signal_count += o.health_expected_signal_count;
  total_duration_ms += o.total_duration_ms;
  prompt_to_first_frame_sum_ms += o.prompt_to_first_frame_sum_ms;
  prompt_to_first_frame_sample_count += o.prompt_to_first_frame_sample_count;
  ptff_sketch += o.ptff_sketch;
  startup_latency_sum_ms += o.startup_latency_sum_ms;
  startup_latency_sample_count += o.startup_latency_sample_count;
  startup_latency_sketch += o.startup_latency_sketch;
  status_samples += o.status_samples;
  fps_positive_samples += o.fps_positive_samples;
  output_fps_sum_milli += o.output_fps_sum_milli;
  input_fps_samples += o.input_fps_samples;
  input_fps_sum_milli += o.input_fps_sum_milli;
  running_state_samples += o.running_state_samples;
  degraded_input_samples += o.degraded_input_samples;
  degraded_inference_samples += o.degraded_inference_samples;
  error_status_samples += o.error_status_samples;
  inference_restarts += o.inference_restarts;
  inference_errors += o.inference_errors;
  output_fps_sketch += o.output_fps_sketch;
  input_fps_sketch += o.input_fps_sketch;
  session_hour_fps_sketch += o.session_hour_fps_sketch;
  e2e_latency_sum_ms_milli += o.e2e_latency_sum_ms_milli;
  e2e_latency_sample_count += o.e2e_latency_sample_count;
  e2e_latency_sketch += o.e2e_latency_sketch;
  face_value_wei += o.face_value_wei;
  fees_wei += o.fees_wei;
  return *this;
}

std::optional<double> Ratio(double numerator, double denominator) {
  if (denominator == 0) return std::nullopt;
  return numerator / denominator;
}

// §5.1

std::optional<double> StartupSuccessRate(const StreamingSums& s) {
  return IntRatio(s.startup_success_sessions, s.requested_sessions);
}

std::optional<double> ExcusedFailureRate(const StreamingSums& s) {
  return IntRatio(s.startup_excused_sessions, s.requested_sessions);
}

std::optional<double> EffectiveSuccessRate(const StreamingSums& s) {
  return OneMinusRatio(s.effective_failed_sessions, s.requested_sessions);
}

std::optional<double> NoSwapRate(const StreamingSums& s) {
  return OneMinusRatio(s.total_swapped_sessions, s.requested_sessions);
}

std::optional<double> OutputViabilityRate(const StreamingSums& s) {
  return OneMinusRatio(s.output_failed_sessions, s.requested_sessions);
}

double HealthSignalCoverageRatio(const StreamingSums& s) {
  const std::optional<double> r = IntRatio(s.health_signal_count, s.health_expected_signal_count);
  return r ? std::min(*r, 1.0) : 1.0;
}

std::optional<double> AvgOutputFps(const StreamingSums& s) {
  return MilliRatio(s.output_fps_sum_milli, s.fps_positive_samples);
}

std::optional<double> AvgInputFps(const StreamingSums& s) {
  return MilliRatio(s.input_fps_sum_milli, s.input_fps_samples);
}

std::optional<double> AvgPromptToFirstFrameMs(const StreamingSums& s) {
  return IntRatio(s.prompt_to_first_frame_sum_ms, s.prompt_to_first_frame_sample_count);
}

std::optional<double> AvgStartupLatencyMs(const StreamingSums& s) {
  return IntRatio(s.startup_latency_sum_ms, s.startup_latency_sample_count);
}

std::optional<double> AvgE2eLatencyMs(const StreamingSums& s) {
  return MilliRatio(s.e2e_latency_sum_ms_milli, s.e2e_latency_sample_count);
}

double TotalMinutes(const StreamingSums& s) {
  return static_cast<double>(s.total_duration_ms) / 60'000;
}

double TicketFaceValueEth(const StreamingSums& s) { return WeiToEth(s.face_value_wei); }

// §4.3

void BenchmarkDay::AddScoringRow(const StreamingSums& row) {
  auto add = [](std::optional<double> average, QuantileSketch* sketch, int64_t* rows) {
    if (!average) return;
    sketch->Add(*average);
    ++*rows;
  };
  add(AvgPromptToFirstFrameMs(row), &ptff_sketch, &ptff_row_count);
  add(AvgE2eLatencyMs(row), &e2e_sketch, &e2e_row_count);
  add(AvgOutputFps(row), &fps_sketch, &fps_row_count);
}

BenchmarkDay& BenchmarkDay::operator+=(const BenchmarkDay& other) {
  ptff_sketch += other.ptff_sketch;
  e2e_sketch += other.e2e_sketch;
  fps_sketch += other.fps_sketch;
  ptff_row_count += other.ptff_row_count;
  e2e_row_count += other.e2e_row_count;
  fps_row_count += other.fps_row_count;
  return *this;
}

SlaBenchmark BenchmarkThresholds(const BenchmarkDay& population) {
  SlaBenchmark b;
  b.ptff_p50 = population.ptff_sketch.Quantile(0.5);
  b.ptff_p90 = population.ptff_sketch.Quantile(0.9);
  b.e2e_p50 = population.e2e_sketch.Quantile(0.5);
  b.e2e_p90 = population.e2e_sketch.Quantile(0.9);
  b.fps_p10 = population.fps_sketch.Quantile(0.1);
  b.fps_p50 = population.fps_sketch.Quantile(0.5);
  b.n_ptff = population.ptff_row_count;
  b.n_e2e = population.e2e_row_count;
  b.n_fps = population.fps_row_count;
  return b;
}

SlaBenchmark SevenDayBenchmark(const std::map<int64_t, BenchmarkDay>& days, int64_t score_day) {
  BenchmarkDay merged;
  for (auto it = days.lower_bound(score_day - 7); it != days.end() && it->first < score_day; ++it) {
    merged += it->second;
  }
  return BenchmarkThresholds(merged);
}

// §5.2

double PtffRaw(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b) {
  const std::optional<double> avg = AvgPromptToFirstFrameMs(s);
  if (!BenchmarkApplies(pipeline_id, b.n_ptff, avg, b.ptff_p50, b.ptff_p90)) return 0.5;
  return LowerIsBetterRaw(*avg, *b.ptff_p50, *b.ptff_p90);
}

double E2eRaw(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b) {
  const std::optional<double> avg = AvgE2eLatencyMs(s);
  if (!BenchmarkApplies(pipeline_id, b.n_e2e, avg, b.e2e_p50, b.e2e_p90)) return 0.5;
  return LowerIsBetterRaw(*avg, *b.e2e_p50, *b.e2e_p90);
}

double FpsRaw(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b) {
  const std::optional<double> avg = AvgOutputFps(s);
  if (!BenchmarkApplies(pipeline_id, b.n_fps, avg, b.fps_p10, b.fps_p50)) return 0.5;
  return HigherIsBetterRaw(*avg, *b.fps_p10, *b.fps_p50);
}

SlaScores ScoreSla(const StreamingSums& s, std::string_view pipeline_id, const SlaBenchmark& b) {
  SlaScores scores;
  scores.reliability_score = ReliabilityScore(s);
  const double ptff = Shrink(PtffRaw(s, pipeline_id, b), s.prompt_to_first_frame_sample_count, 10);
  const double e2e = Shrink(E2eRaw(s, pipeline_id, b), s.e2e_latency_sample_count, 10);
  const double fps = Shrink(FpsRaw(s, pipeline_id, b), s.status_samples, 30);
  const double latency = std::clamp(0.6 * ptff + 0.4 * e2e, 0.0, 1.0);
  const double quality = std::clamp(0.6 * latency + 0.4 * fps, 0.0, 1.0);
  scores.ptff_score = ptff;
  scores.e2e_score = e2e;
  scores.fps_score = fps;
  scores.latency_score = latency;
  scores.quality_score = quality;
  if (scores.reliability_score) {
    scores.sla_score = std::clamp(
        100 * HealthSignalCoverageRatio(s) * (0.7 * *scores.reliability_score + 0.3 * quality), 0.0,
        100.0);
  }
  return scores;
}

SlaScores CombineSlaGroups(std::span<const SlaGroup> groups) {
  if (groups.size() == 1) {
    return ScoreSla(groups[0].sums, groups[0].pipeline_id, groups[0].benchmark);
  }
  StreamingSums total;
  std::optional<double> SlaScores::*const kWeighted[] = {
      &SlaScores::ptff_score,    &SlaScores::e2e_score,     &SlaScores::fps_score,
      &SlaScores::latency_score, &SlaScores::quality_score, &SlaScores::sla_score};
  double weighted[std::size(kWeighted)] = {};
  double requested = 0;
  for (const SlaGroup& group : groups) {
    total += group.sums;
    if (group.sums.requested_sessions <= 0) continue;
    const SlaScores g = ScoreSla(group.sums, group.pipeline_id, group.benchmark);
    const auto req = static_cast<double>(group.sums.requested_sessions);
    for (size_t i = 0; i < std::size(kWeighted); ++i) weighted[i] += *(g.*kWeighted[i]) * req;
    requested += req;
  }
  SlaScores combined;
  combined.reliability_score = ReliabilityScore(total);
  if (requested > 0) {
    for (size_t i = 0; i < std::size(kWeighted); ++i) {
      combined.*kWeighted[i] = weighted[i] / requested;
    }
  }
  return combined;
}

// §5.3

std::optional<double> StartupFailedRate(const StreamingSums& s) {
  return IntRatio(s.startup_failed_sessions, s.known_sessions_count);
}

std::optional<double> SwapRate(const StreamingSums& s) {
  return IntRatio(s.total_swapped_sessions, s.known_sessions_count);
}

std::optional<double> P95(const QuantileSketch& sketch) { return sketch.Quantile(0.95); }

// §5.4

std::optional<double> MinimumSampleRatio(int64_t numerator, int64_t denominator) {
  if (denominator < kMinReliabilitySamples) return std::nullopt;
  return IntRatio(numerator, denominator);
}

ReliabilityRates ComputeReliabilityRates(const StreamingSums& s) {
  ReliabilityRates r;
  r.startup_success_rate = MinimumSampleRatio(s.startup_success_sessions, s.requested_sessions);
  r.no_orch_session_rate = MinimumSampleRatio(s.no_orch_sessions, s.requested_sessions);
  r.orch_swap_rate = MinimumSampleRatio(s.total_swapped_sessions, s.requested_sessions);
  r.completion_rate = MinimumSampleRatio(s.completed_sessions, s.sessions_handled);
  r.degraded_rate =
      MinimumSampleRatio(s.degraded_input_samples + s.degraded_inference_samples, s.status_samples);
  r.inference_restart_rate = MinimumSampleRatio(s.inference_restarts, s.status_samples);
  r.error_rate = MinimumSampleRatio(s.inference_errors, s.status_samples);
  r.pipeline_failure_rate =
      MinimumSampleRatio(s.no_orch_sessions + s.total_swapped_sessions, s.requested_sessions);
  r.orchestrator_failure_rate =
      MinimumSampleRatio(s.inference_errors + s.inference_restarts, s.status_samples);
  return r;
}

std::optional<double> DegradedRate(const StreamingSums& s) {
  return IntRatio(s.degraded_input_samples + s.degraded_inference_samples, s.status_samples);
}

bool FpsDegraded(std::optional<double> previous_hour_avg_fps, std::optional<double> hour_avg_fps) {
  return previous_hour_avg_fps && *previous_hour_avg_fps > 0 && hour_avg_fps &&
         *hour_avg_fps < 0.8 * *previous_hour_avg_fps;
}

// §5.5

RequestDemandSums& RequestDemandSums::operator+=(const RequestDemandSums& o) {
  job_count += o.job_count;
  selected_count += o.selected_count;
  no_orch_count += o.no_orch_count;
  unknown_count += o.unknown_count;
  success_count += o.success_count;
  failure_count += o.failure_count;
  attributed_count += o.attributed_count;
  duration_ms_sum += o.duration_ms_sum;
  duration_samples += o.duration_samples;
  price_sum_micro += o.price_sum_micro;
  price_samples += o.price_samples;
  llm_request_count += o.llm_request_count;
  llm_success_count += o.llm_success_count;
  llm_total_tokens_sum += o.llm_total_tokens_sum;
  llm_total_tokens_sample_count += o.llm_total_tokens_sample_count;
  llm_tokens_per_second_sum_milli += o.llm_tokens_per_second_sum_milli;
  llm_tokens_per_second_sample_count += o.llm_tokens_per_second_sample_count;
  llm_ttft_ms_sum += o.llm_ttft_ms_sum;
  llm_ttft_ms_sample_count += o.llm_ttft_ms_sample_count;
  return *this;
}

std::optional<double> SuccessRate(const RequestDemandSums& s) {
  return IntRatio(s.success_count, s.job_count);
}

std::optional<double> AvgDurationMs(const RequestDemandSums& s) {
  return IntRatio(s.duration_ms_sum, s.duration_samples);
}

std::optional<double> AvgPricePerUnit(const RequestDemandSums& s) {
  return Ratio(MicroToDouble(s.price_sum_micro), static_cast<double>(s.price_samples));
}

std::optional<double> LlmSuccessRate(const RequestDemandSums& s) {
  return IntRatio(s.llm_success_count, s.llm_request_count);
}

std::optional<double> AvgTokensPerSec(const RequestDemandSums& s) {
  return MilliRatio(s.llm_tokens_per_second_sum_milli, s.llm_tokens_per_second_sample_count);
}

std::optional<double> AvgTtftMs(const RequestDemandSums& s) {
  return IntRatio(s.llm_ttft_ms_sum, s.llm_ttft_ms_sample_count);
}

std::optional<double> AvgTotalTokens(const RequestDemandSums& s) {
  return IntRatio(s.llm_total_tokens_sum, s.llm_total_tokens_sample_count);
}

std::optional<double> AttributedRate(const RequestDemandSums& s) {
  return IntRatio(s.attributed_count, s.selected_count);
}

ByocAuthSums& ByocAuthSums::operator+=(const ByocAuthSums& o) {
  total_events += o.total_events;
  success_count += o.success_count;
  failure_count += o.failure_count;
  return *this;
}

std::optional<double> SuccessRate(const ByocAuthSums& s) {
  return IntRatio(s.success_count, s.total_events);
}

// §5.6

Status ValidateLeaderboardWeights(const LeaderboardWeights& w) {
  for (double weight : {w.fps, w.deg, w.vol, w.lat}) {
    if (!std::isfinite(weight) || weight < 0 || weight > 1) {
      return InvalidArgument("leaderboard weights must each be in [0, 1]");
    }
  }
  if (std::fabs(w.fps + w.deg + w.vol + w.lat - 1) > 1e-9) {
    return InvalidArgument("leaderboard weights must sum to 1");
  }
  return Status::Ok();
}

std::vector<LeaderboardEntry> RankLeaderboard(std::span<const LeaderboardInput> orchestrators,
                                              int64_t min_streams, const LeaderboardWeights& w) {
  std::vector<size_t> eligible;
  for (size_t i = 0; i < orchestrators.size(); ++i) {
    const LeaderboardInput& o = orchestrators[i];
    if (!o.address.empty() && o.streams_handled >= min_streams) eligible.push_back(i);
  }
  Normaliser fps(/*when_missing=*/0, /*when_all_equal=*/1);
  Normaliser deg(/*when_missing=*/1, /*when_all_equal=*/0);
  Normaliser vol(/*when_missing=*/0, /*when_all_equal=*/1);
  Normaliser lat(/*when_missing=*/1, /*when_all_equal=*/0);
  auto volume = [](const LeaderboardInput& o) {
    return std::optional<double>(static_cast<double>(o.streams_handled));
  };
  for (size_t i : eligible) {
    const LeaderboardInput& o = orchestrators[i];
    fps.Observe(o.avg_inference_fps);
    deg.Observe(o.degraded_rate);
    vol.Observe(volume(o));
    lat.Observe(o.avg_latency_ms);
  }
  std::vector<LeaderboardEntry> entries;
  entries.reserve(eligible.size());
  for (size_t i : eligible) {
    const LeaderboardInput& o = orchestrators[i];
    const double score =
        100 * (w.fps * fps(o.avg_inference_fps) + w.deg * (1 - deg(o.degraded_rate)) +
               w.vol * vol(volume(o)) + w.lat * (1 - lat(o.avg_latency_ms)));
    entries.push_back({i, std::clamp(score, 0.0, 100.0), 0});
  }
  std::sort(entries.begin(), entries.end(),
            [&](const LeaderboardEntry& a, const LeaderboardEntry& b) {
              const LeaderboardInput& x = orchestrators[a.input_index];
              const LeaderboardInput& y = orchestrators[b.input_index];
              if (a.score != b.score) return a.score > b.score;
              if (x.streams_handled != y.streams_handled)
                return x.streams_handled > y.streams_handled;
              return x.address < y.address;
            });
  for (size_t r = 0; r < entries.size(); ++r) entries[r].rank = static_cast<int64_t>(r) + 1;
  return entries;
}

// §5.7

double RoundHalfAwayFromZero(double x, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(x * scale) / scale;
}

DiscoveryScore StreamDiscoveryScore(const SlaScores& combined) {
  if (!combined.sla_score) return {};
  return ToDiscoveryScore(*combined.sla_score / 100);
}

DiscoveryScore RequestDiscoveryScore(const RequestDemandSums& sums) {
  return ToDiscoveryScore(SuccessRate(sums));
}

// §5.8

double PercentChange(double previous, double current) {
  if (previous == 0) return 0;
  return 100 * (current - previous) / previous;
}

DashboardKpi ComputeDashboardKpi(std::span<const StreamingSums> hour_buckets) {
  StreamingSums window, first, second;
  const size_t n = hour_buckets.size();
  const size_t half = n / 2;
  for (size_t i = 0; i < n; ++i) {
    window += hour_buckets[i];
    if (i < half) first += hour_buckets[i];
    if (i >= n - half) second += hour_buckets[i];
  }
  auto success_percent = [](const StreamingSums& s) -> std::optional<double> {
    const std::optional<double> rate = StartupSuccessRate(s);
    if (!rate) return std::nullopt;
    return 100 * *rate;
  };
  auto sessions = [](const StreamingSums& s) { return static_cast<double>(s.requested_sessions); };
  auto fees_eth = [](const StreamingSums& s) { return WeiToEth(s.fees_wei); };

  DashboardKpi kpi;
  kpi.success_rate.value = success_percent(window);
  kpi.daily_session_count.value = sessions(window);
  kpi.daily_usage_mins.value = TotalMinutes(window);
  kpi.daily_network_fees_eth.value = fees_eth(window);
  if (half == 0) return kpi;
  const std::optional<double> first_rate = success_percent(first);
  const std::optional<double> second_rate = success_percent(second);
  if (first_rate && second_rate) kpi.success_rate.delta = *second_rate - *first_rate;
  kpi.daily_session_count.delta = PercentChange(sessions(first), sessions(second));
  kpi.daily_usage_mins.delta = PercentChange(TotalMinutes(first), TotalMinutes(second));
  kpi.daily_network_fees_eth.delta = PercentChange(fees_eth(first), fees_eth(second));
  return kpi;
}

}  // namespace naap::publish
