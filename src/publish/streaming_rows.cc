#include "publish/streaming_rows.h"

#include <bit>
#include <tuple>

#include "base/fixed_point.h"

namespace naap::publish {
namespace {

// One session-level latency sample (Block L or the edge E2E value).
void AddLatency(int64_t value_ms, int64_t& sum_ms, int64_t& count, QuantileSketch& sketch) {
  sum_ms += value_ms;
  ++count;
  sketch.Add(static_cast<double>(value_ms));
}

// Blocks O and L, the edge E2E value and total duration: once, in the session_hour.
void AddOutcomes(const resolve::SessionFact& f, StreamingSums& s) {
  const resolve::Classification& c = f.classification;
  ++s.sessions_handled;
  s.completed_sessions += c.completed;
  s.total_duration_ms += c.total_duration_ms;
  if (c.requested_seen) {
    ++s.requested_sessions;
    ++s.known_sessions_count;
    s.startup_success_sessions += c.startup_result == "success";
    s.startup_excused_sessions += c.startup_outcome == "excused";
    s.startup_failed_sessions += c.startup_outcome == "unexcused";
    s.no_orch_sessions += c.selection_outcome == "no_orch";
    s.loading_only_sessions += c.loading_only;
    s.zero_output_fps_sessions += c.zero_output_fps;
    s.output_failed_sessions += c.output_failed;
    s.effective_failed_sessions += c.effective_failed;
    s.confirmed_swapped_sessions += f.confirmed_swapped;
    s.inferred_swap_sessions += f.inferred_swapped;
    s.total_swapped_sessions += f.swapped;
    s.sessions_ending_in_error += c.error_seen;
    s.health_signal_count += c.health_signal_count;
    s.health_expected_signal_count += c.health_expected_signal_count;
  }
  if (c.prompt_to_first_frame_ms) {
    AddLatency(*c.prompt_to_first_frame_ms, s.prompt_to_first_frame_sum_ms,
               s.prompt_to_first_frame_sample_count, s.ptff_sketch);
  }
  if (c.startup_latency_ms) {
    AddLatency(*c.startup_latency_ms, s.startup_latency_sum_ms, s.startup_latency_sample_count,
               s.startup_latency_sketch);
  }
  if (c.e2e_source == "edge" && c.e2e_latency_ms) {
    s.e2e_latency_sum_ms_milli += ToMilli(*c.e2e_latency_ms).value_or(0);
    ++s.e2e_latency_sample_count;
    s.e2e_latency_sketch.Add(*c.e2e_latency_ms);
  }
}

// The samples of one session hour, in its own hour.
void AddSamples(const resolve::SessionHour& h, TailRule tail, StreamingSums& s) {
  s.sessions_count += h.evidence_events > 0;
  if (tail == TailRule::kExcluded && h.is_terminal_tail_artifact) return;
  s.status_samples += h.status_samples;
  s.fps_positive_samples += h.fps_positive_samples;
  s.output_fps_sum_milli += h.output_fps_sum;
  s.input_fps_samples += h.input_fps_samples;
  s.input_fps_sum_milli += h.input_fps_sum;
  s.running_state_samples += h.running_state_samples;
  s.degraded_input_samples += h.degraded_input_samples;
  s.degraded_inference_samples += h.degraded_inference_samples;
  s.error_status_samples += h.error_status_samples;
  s.inference_restarts += h.inference_restarts;
  s.inference_errors += h.inference_errors;
  s.output_fps_sketch += h.output_fps_sketch;
  s.input_fps_sketch += h.input_fps_sketch;
  if (h.fps_positive_samples > 0 && h.avg_output_fps_hour) {
    s.session_hour_fps_sketch.Add(*h.avg_output_fps_hour);
  }
  s.e2e_latency_sum_ms_milli += h.status_latency_sum_ms;
  s.e2e_latency_sample_count += h.status_latency_samples;
  s.e2e_latency_sketch += h.status_latency_sketch;
}

}  // namespace

SessionAttributes SessionAttributes::Of(const resolve::SessionFact& session) {
  SessionAttributes a;
  a.session_start = session.session_start;
  a.session_key = session.session_key;
  a.orchestrator_uri = session.attribution.attributed_orch_uri;
  a.gpu_model_name = session.attribution.gpu_model_name;
  a.runner_version = session.attribution.runner_version;
  a.gpu_memory_bytes_total = session.attribution.gpu_memory_bytes_total;
  return a;
}

void SessionAttributes::MergeLatest(const SessionAttributes& other) {
  if (other.session_key.empty()) return;
  if (session_key.empty() ||
      std::tie(other.session_start, other.session_key) > std::tie(session_start, session_key)) {
    *this = other;
  }
}

std::map<StreamingKey, StreamingAccumulation> AccumulateStreaming(
    std::span<const resolve::SessionFact* const> sessions, Millis hour, TailRule tail,
    const StreamingKeyOf& key_of) {
  std::map<StreamingKey, StreamingAccumulation> rows;
  for (const resolve::SessionFact* session : sessions) {
    if (!session->exists) continue;
    const std::optional<StreamingKey> key = key_of(*session);
    if (!key) continue;
    StreamingAccumulation& row = rows[*key];
    row.attributes.MergeLatest(SessionAttributes::Of(*session));
    if (session->session_hour == hour) AddOutcomes(*session, row.sums);
    for (const resolve::SessionHour& h : session->hours) {
      if (h.hour == hour) AddSamples(h, tail, row.sums);
    }
  }
  return rows;
}

void CopyBlockO(const StreamingSums& from, StreamingSums& to) {
  to.sessions_handled = from.sessions_handled;
  to.requested_sessions = from.requested_sessions;
  to.known_sessions_count = from.known_sessions_count;
  to.startup_success_sessions = from.startup_success_sessions;
  to.startup_excused_sessions = from.startup_excused_sessions;
  to.startup_failed_sessions = from.startup_failed_sessions;
  to.no_orch_sessions = from.no_orch_sessions;
  to.loading_only_sessions = from.loading_only_sessions;
  to.zero_output_fps_sessions = from.zero_output_fps_sessions;
  to.output_failed_sessions = from.output_failed_sessions;
  to.effective_failed_sessions = from.effective_failed_sessions;
  to.confirmed_swapped_sessions = from.confirmed_swapped_sessions;
  to.inferred_swap_sessions = from.inferred_swap_sessions;
  to.total_swapped_sessions = from.total_swapped_sessions;
  to.sessions_ending_in_error = from.sessions_ending_in_error;
  to.completed_sessions = from.completed_sessions;
  to.health_signal_count = from.health_signal_count;
  to.health_expected_signal_count = from.health_expected_signal_count;
}

void CopyBlockL(const StreamingSums& from, StreamingSums& to) {
  to.prompt_to_first_frame_sum_ms = from.prompt_to_first_frame_sum_ms;
  to.prompt_to_first_frame_sample_count = from.prompt_to_first_frame_sample_count;
  to.ptff_sketch = from.ptff_sketch;
  to.startup_latency_sum_ms = from.startup_latency_sum_ms;
  to.startup_latency_sample_count = from.startup_latency_sample_count;
  to.startup_latency_sketch = from.startup_latency_sketch;
}

void CopyBlockE(const StreamingSums& from, StreamingSums& to) {
  to.e2e_latency_sum_ms_milli = from.e2e_latency_sum_ms_milli;
  to.e2e_latency_sample_count = from.e2e_latency_sample_count;
  to.e2e_latency_sketch = from.e2e_latency_sketch;
}

void CopyBlockS(const StreamingSums& from, StreamingSums& to) {
  CopyCoreSamples(from, to);
  to.input_fps_samples = from.input_fps_samples;
  to.input_fps_sum_milli = from.input_fps_sum_milli;
  to.running_state_samples = from.running_state_samples;
  to.degraded_input_samples = from.degraded_input_samples;
  to.degraded_inference_samples = from.degraded_inference_samples;
  to.inference_restarts = from.inference_restarts;
  to.inference_errors = from.inference_errors;
  to.output_fps_sketch = from.output_fps_sketch;
  to.input_fps_sketch = from.input_fps_sketch;
}

void CopyCoreSamples(const StreamingSums& from, StreamingSums& to) {
  to.status_samples = from.status_samples;
  to.fps_positive_samples = from.fps_positive_samples;
  to.output_fps_sum_milli = from.output_fps_sum_milli;
  to.error_status_samples = from.error_status_samples;
}

// ---- codec ----

void WriteKey(ByteWriter& w, const StreamingKey& key) {
  w.String(key.gateway);
  w.String(key.orchestrator_address);
  w.String(key.pipeline_id);
  w.String(key.model_id);
  w.String(key.gpu_id);
}

bool ReadKey(ByteReader& r, StreamingKey& key) {
  return r.String(key.gateway) && r.String(key.orchestrator_address) && r.String(key.pipeline_id) &&
         r.String(key.model_id) && r.String(key.gpu_id);
}

void WriteSketch(ByteWriter& w, const QuantileSketch& sketch) { w.String(sketch.Serialize()); }

bool ReadSketch(ByteReader& r, QuantileSketch& sketch) {
  std::string bytes;
  if (!r.String(bytes)) return false;
  Result<QuantileSketch> parsed = QuantileSketch::Parse(bytes);
  if (!parsed.ok()) return false;
  sketch = std::move(parsed).value();
  return true;
}

void WriteDouble(ByteWriter& w, double v) { w.Fixed64(std::bit_cast<uint64_t>(v)); }

bool ReadDouble(ByteReader& r, double& v) {
  uint64_t bits = 0;
  if (!r.Fixed64(bits)) return false;
  v = std::bit_cast<double>(bits);
  return true;
}

void WriteOptionalDouble(ByteWriter& w, const std::optional<double>& v) {
  WriteOptional(w, v, &WriteDouble);
}

bool ReadOptionalDouble(ByteReader& r, std::optional<double>& v) {
  return ReadOptional(r, v, &ReadDouble);
}

void WriteOptionalInt(ByteWriter& w, const std::optional<int64_t>& v) {
  WriteOptional(w, v, [](ByteWriter& w, int64_t value) { w.Int(value); });
}

bool ReadOptionalInt(ByteReader& r, std::optional<int64_t>& v) {
  return ReadOptional(r, v, [](ByteReader& r, int64_t& value) { return r.Int(value); });
}

// The integer columns of StreamingSums in declaration order, then its sketches: one list for the
// writer and the reader.
constexpr int64_t StreamingSums::*kIntColumns[] = {
    &StreamingSums::sessions_count,
    &StreamingSums::sessions_handled,
    &StreamingSums::requested_sessions,
    &StreamingSums::known_sessions_count,
    &StreamingSums::startup_success_sessions,
    &StreamingSums::startup_excused_sessions,
    &StreamingSums::startup_failed_sessions,
    &StreamingSums::no_orch_sessions,
    &StreamingSums::loading_only_sessions,
    &StreamingSums::zero_output_fps_sessions,
    &StreamingSums::output_failed_sessions,
    &StreamingSums::effective_failed_sessions,
    &StreamingSums::confirmed_swapped_sessions,
    &StreamingSums::inferred_swap_sessions,
    &StreamingSums::total_swapped_sessions,
    &StreamingSums::sessions_ending_in_error,
    &StreamingSums::completed_sessions,
    &StreamingSums::health_signal_count,
    &StreamingSums::health_expected_signal_count,
    &StreamingSums::total_duration_ms,
    &StreamingSums::prompt_to_first_frame_sum_ms,
    &StreamingSums::prompt_to_first_frame_sample_count,
    &StreamingSums::startup_latency_sum_ms,
    &StreamingSums::startup_latency_sample_count,
    &StreamingSums::status_samples,
    &StreamingSums::fps_positive_samples,
    &StreamingSums::output_fps_sum_milli,
    &StreamingSums::input_fps_samples,
    &StreamingSums::input_fps_sum_milli,
    &StreamingSums::running_state_samples,
    &StreamingSums::degraded_input_samples,
    &StreamingSums::degraded_inference_samples,
    &StreamingSums::error_status_samples,
    &StreamingSums::inference_restarts,
    &StreamingSums::inference_errors,
    &StreamingSums::e2e_latency_sum_ms_milli,
    &StreamingSums::e2e_latency_sample_count};
constexpr QuantileSketch StreamingSums::*kSketchColumns[] = {
    &StreamingSums::ptff_sketch,
    &StreamingSums::startup_latency_sketch,
    &StreamingSums::output_fps_sketch,
    &StreamingSums::input_fps_sketch,
    &StreamingSums::session_hour_fps_sketch,
    &StreamingSums::e2e_latency_sketch};

void WriteSums(ByteWriter& w, const StreamingSums& s) {
  for (const auto column : kIntColumns) w.Int(s.*column);
  for (const auto column : kSketchColumns) WriteSketch(w, s.*column);
  w.U128(s.face_value_wei);
  w.U128(s.fees_wei);
}

bool ReadSums(ByteReader& r, StreamingSums& s) {
  for (const auto column : kIntColumns) {
    if (!r.Int(s.*column)) return false;
  }
  for (const auto column : kSketchColumns) {
    if (!ReadSketch(r, s.*column)) return false;
  }
  return r.U128(s.face_value_wei) && r.U128(s.fees_wei);
}

void WriteAttributes(ByteWriter& w, const SessionAttributes& a) {
  w.Int(a.session_start);
  w.String(a.session_key);
  w.String(a.orchestrator_uri);
  w.String(a.gpu_model_name);
  w.String(a.runner_version);
  WriteOptionalInt(w, a.gpu_memory_bytes_total);
}

bool ReadAttributes(ByteReader& r, SessionAttributes& a) {
  return r.Int(a.session_start) && r.String(a.session_key) && r.String(a.orchestrator_uri) &&
         r.String(a.gpu_model_name) && r.String(a.runner_version) &&
         ReadOptionalInt(r, a.gpu_memory_bytes_total);
}

}  // namespace naap::publish
