// Each fact type lists its fields once, in Fields(); encoding and decoding both walk that list
// (state_codec.h).
#include "resolve/fact_codec.h"

#include <zstd.h>

#include <concepts>
#include <cstdlib>
#include <type_traits>

#include "resolve/state_codec.h"

namespace naap::resolve {

// The field lists (state_codec.h). `Self` is the fact type, const when encoding.
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, Decision>
bool Fields(Self& d, Fn&& fn) {
  return fn(d.status, d.reason, d.method, d.confidence, d.capability_version_id,
            d.attribution_snapshot_ts, d.attributed_orch_address, d.attributed_orch_uri, d.pipeline,
            d.model, d.gpu_id, d.gpu_model_name, d.gpu_memory_bytes_total, d.runner_version);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, JobSelection>
bool Fields(Self& s, Fn&& fn) {
  return fn(s.selection_id, s.selection_trigger, s.selection_ts, s.observed_url, s.observed_address,
            s.decision, s.decision_id);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, LlmFact>
bool Fields(Self& l, Fn&& fn) {
  return fn(l.org, l.request_id, l.event_id, l.event_ts, l.subtype, l.model, l.completion_id,
            l.orch_url_norm, l.streaming, l.prompt_tokens, l.completion_tokens, l.total_tokens,
            l.tokens_per_second, l.ttft_ms, l.finish_reason, l.error);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, PaymentFact>
bool Fields(Self& p, Fn&& fn) {
  return fn(p.event_id, p.org, p.event_ts, p.gateway, p.sender_address, p.recipient_address,
            p.orch_url, p.orch_url_norm, p.payment_session_id, p.request_id, p.manifest_id,
            p.manifest_capability_id, p.face_value_wei, p.num_tickets, p.win_prob,
            p.price_wei_per_pixel, p.face_value_total_wei, p.fees_wei, p.session_key, p.link_method,
            p.link_status, p.pipeline_id, p.model_id);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, AiBatchJobFact>
bool Fields(Self& j, Fn&& fn) {
  return fn(j.org, j.request_id, j.completion_event_id, j.completed_at, j.received_at, j.gateway,
            j.pipeline, j.model_id, j.success, j.tries, j.duration_ms, j.orch_url, j.orch_url_norm,
            j.latency_score, j.price_per_unit, j.error_type, j.error, j.selection_outcome,
            j.selection, j.canonical_pipeline, j.attributed_model, j.capability_id, j.llm);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, WorkerFact>
bool Fields(Self& w, Fn&& fn) {
  return fn(w.event_id, w.org, w.event_ts, w.worker_event_id, w.lifecycle_action, w.capability,
            w.capability_norm, w.orch_reported_address, w.orch_url, w.orch_url_norm, w.worker_url,
            w.worker_url_norm, w.price_per_unit, w.model, w.models, w.worker_options_raw,
            w.orchestrator_address);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, ByocJobFact>
bool Fields(Self& j, Fn&& fn) {
  return fn(j.job_id, j.org, j.payload_request_id, j.capability, j.capability_norm, j.completed_at,
            j.gateway, j.success, j.duration_ms, j.http_status, j.error, j.orch_reported_address,
            j.orch_url, j.orch_url_norm, j.worker_url, j.worker_url_norm, j.selection_outcome,
            j.worker_event_id, j.worker_model, j.worker_price_per_unit, j.selection, j.model);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, AuthFact>
bool Fields(Self& a, Fn&& fn) {
  return fn(a.event_id, a.org, a.event_ts, a.capability_name, a.subtype, a.success);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, ByocPaymentFact>
bool Fields(Self& p, Fn&& fn) {
  return fn(p.event_id, p.org, p.event_ts, p.capability, p.payment_type, p.orch_reported_address,
            p.amount, p.currency);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, DiscoveryFact>
bool Fields(Self& f, Fn&& fn) {
  return fn(f.event_id, f.org, f.event_ts, f.rank, f.orch_reported_address, f.orch_url,
            f.orch_url_norm, f.latency_ms, f.orchestrator_address, f.resolution);
}

template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, Hints>
bool Fields(Self& h, Fn&& fn) { return fn(h.pipeline, h.model); }
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, Selection>
bool Fields(Self& s, Fn&& fn) {
  return fn(s.selection_id, s.selection_seq, s.selection_ts, s.selection_trigger,
            s.observed_address, s.observed_url, s.identity, s.anchor_event_id, s.anchor_family,
            s.hints, s.decision, s.decision_id);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, IngestTransport>
bool Fields(Self& t, Fn&& fn) {
  return fn(t.ingest_samples, t.video_jitter_sum, t.video_jitter_samples, t.audio_jitter_sum,
            t.audio_jitter_samples, t.conn_good, t.conn_fair, t.conn_poor, t.video_packets_lost,
            t.video_packets_received, t.audio_packets_lost, t.audio_packets_received);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, SessionHour>
bool Fields(Self& h, Fn&& fn) {
  return fn(h.hour, h.evidence_events, h.status_samples, h.running_state_samples,
            h.fps_positive_samples, h.output_fps_sum, h.input_fps_samples, h.input_fps_sum,
            h.output_fps_sketch, h.input_fps_sketch, h.degraded_input_samples,
            h.degraded_inference_samples, h.error_status_samples, h.inference_restarts,
            h.inference_errors, h.status_latency_samples, h.status_latency_sum_ms,
            h.status_latency_sketch, h.avg_output_fps_hour, h.ingest, h.is_terminal_tail_artifact);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, FailureEvent>
bool Fields(Self& f, Fn&& fn) {
  return fn(f.failure_id, f.failure_ts, f.failure_type, f.event_id, f.org, f.session_key,
            f.stream_id, f.request_id, f.gateway, f.pipeline_id, f.model_id, f.orchestrator_address,
            f.detail);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, LatestSample>
bool Fields(Self& l, Fn&& fn) {
  return fn(l.event_id, l.sample_ts, l.state, l.output_fps, l.input_fps);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, Classification>
bool Fields(Self& c, Fn&& fn) {
  return fn(c.requested_seen, c.playable_seen, c.completed, c.restart_seen, c.error_seen,
            c.degraded_input_seen, c.degraded_inference_seen, c.loading_only, c.zero_output_fps,
            c.output_failed, c.selection_outcome, c.startup_result, c.excusal_reason,
            c.startup_outcome, c.effective_failed, c.health_signal_count,
            c.health_expected_signal_count, c.startup_latency_ms, c.prompt_to_first_frame_ms,
            c.e2e_latency_ms, c.e2e_source, c.total_duration_ms);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, SessionFact>
bool Fields(Self& s, Fn&& fn) {
  return fn(s.exists, s.org, s.session_key, s.stream_id, s.request_id, s.first_seen, s.last_seen,
            s.requested_at, s.first_ingest_at, s.first_processed_at, s.playable_at, s.first_data_at,
            s.runner_first_processed_at, s.closed_at, s.session_start, s.session_hour, s.gateway,
            s.request_count, s.playable_count, s.no_orch_count, s.closed_count,
            s.explicit_swap_count, s.status_sample_count, s.running_state_samples,
            s.fps_positive_samples, s.degraded_input_samples, s.degraded_inference_samples,
            s.error_samples, s.max_restart_count, s.status_latency_samples, s.status_latency_sum_ms,
            s.startup_error_count, s.excusable_error_count, s.session_hint, s.latest_sample,
            s.selections, s.attribution, s.selection_count, s.distinct_identity_count,
            s.has_snapshot_match, s.is_hardware_less, s.is_stale, s.has_ambiguous_identity,
            s.orchestrator_address, s.pipeline_id, s.model_id, s.gpu_id, s.confirmed_swapped,
            s.inferred_swapped, s.swapped, s.classification, s.hours, s.failures);
}

template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, NamedWorker>
bool Fields(Self& w, Fn&& fn) {
  return fn(w.event_ts, w.event_id, w.worker_url, w.worker_url_norm);
}

// A field added to a fact belongs in its Fields() list above. Most additions change these sizes
// (x86-64, libstdc++), which stops the build as a reminder.
static_assert(sizeof(Decision) == 416);
static_assert(sizeof(JobSelection) == 584);
static_assert(sizeof(LlmFact) == 384);
static_assert(sizeof(PaymentFact) == 608);
static_assert(sizeof(AiBatchJobFact) == 1496);
static_assert(sizeof(WorkerFact) == 496);
static_assert(sizeof(ByocJobFact) == 1160);
static_assert(sizeof(AuthFact) == 144);
static_assert(sizeof(ByocPaymentFact) == 256);
static_assert(sizeof(DiscoveryFact) == 256);
static_assert(sizeof(Selection) == 752);
static_assert(sizeof(IngestTransport) == 96);
static_assert(sizeof(SessionHour) == 336);
static_assert(sizeof(FailureEvent) == 392);
static_assert(sizeof(LatestSample) == 104);
static_assert(sizeof(Classification) == 248);
static_assert(sizeof(SessionFact) == 1528);
static_assert(sizeof(NamedWorker) == 104);

void EncodeFact(ByteWriter& w, const SessionFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const PaymentFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const AiBatchJobFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const ByocJobFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const WorkerFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const AuthFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const ByocPaymentFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const DiscoveryFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const LlmFact& fact) { state_codec::Put(w, fact); }
void EncodeFact(ByteWriter& w, const NamedWorker& worker) { state_codec::Put(w, worker); }

bool DecodeFact(ByteReader& r, SessionFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, PaymentFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, AiBatchJobFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, ByocJobFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, WorkerFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, AuthFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, ByocPaymentFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, DiscoveryFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, LlmFact& fact) { return state_codec::Get(r, fact); }
bool DecodeFact(ByteReader& r, NamedWorker& worker) { return state_codec::Get(r, worker); }

void EncodeKey(ByteWriter& w, const std::string& key) { state_codec::Put(w, key); }
void EncodeKey(ByteWriter& w, const std::pair<std::string, int>& key) { state_codec::Put(w, key); }
bool DecodeKey(ByteReader& r, std::string& key) { return state_codec::Get(r, key); }
bool DecodeKey(ByteReader& r, std::pair<std::string, int>& key) { return state_codec::Get(r, key); }

std::string Compress(std::string_view bytes) {
  std::string frame(ZSTD_compressBound(bytes.size()), '\0');
  const size_t n = ZSTD_compress(frame.data(), frame.size(), bytes.data(), bytes.size(), 1);
  if (ZSTD_isError(n)) std::abort();  // only on allocation failure: the bound always fits
  frame.resize(n);
  frame.shrink_to_fit();
  return frame;
}

bool Decompress(std::string_view frame, std::string& bytes) {
  const unsigned long long size = ZSTD_getFrameContentSize(frame.data(), frame.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR) return false;
  bytes.resize(size);
  const size_t n = ZSTD_decompress(bytes.data(), bytes.size(), frame.data(), frame.size());
  return !ZSTD_isError(n) && n == size;
}

}  // namespace naap::resolve
