#pragma once
// The session fact of spec/analytics.md §2.2–§2.4, §2.8, §2.9 and §3, built by one pure function
// from every record of one session key. BuildSession sorts its inputs itself: the result depends
// only on the set of records (§0.4, invariant 26), never on their order, a clock or hash order.
// Non-integer additive quantities are fixed point at 10⁻³ of their unit (type Milli, §0.2), each
// contribution rounded half away from zero; NULL values are std::nullopt, never 0.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/sketch.h"
#include "base/time.h"
#include "event/records.h"
#include "resolve/matcher.h"

namespace naap::resolve {

// A value × 10³ (e.g. 16.5 fps → 16500).
using Milli = int64_t;

// The header of a held record: the fields facts read. The org, family and schema version are the
// same for every record an entity holds, and no fact reads the ingest time.
struct HeldHeader {
  HeldHeader() = default;
  // Implicit: a record is stamped with its message's header.
  HeldHeader(const event::RecordHeader& header)  // NOLINT(google-explicit-constructor)
      : event_id(header.event_id),
        event_ts(header.event_ts),
        subtype(header.subtype),
        gateway(header.gateway) {}
  std::string event_id;
  Millis event_ts = 0;
  std::string subtype;
  std::string gateway;
};

// One held record with its header.
template <typename Record>
struct Stamped {
  HeldHeader header;
  Record record;
};

// What BuildSession reads of an ingest sample (§4.4): sessions hold these instead of whole
// IngestSamples, at a third of the size (the samples are the most numerous held records).
struct IngestTrack {
  std::optional<double> jitter;
  std::optional<int64_t> packets_lost;
  std::optional<int64_t> packets_received;
};
struct IngestPoint {
  IngestTrack video;
  IngestTrack audio;
  std::string conn_quality;  // lower-cased
};
IngestPoint IngestPointOf(const event::IngestSample& sample);

// What BuildSession reads of a status sample (§4.2): no stream key, pipeline id, raw pipeline hint
// or start, error and restart times.
struct StatusPoint {
  std::string pipeline;
  std::string model;
  std::string state;
  bool is_running = false;
  std::optional<double> output_fps;
  std::optional<double> input_fps;
  std::optional<double> e2e_latency_ms;
  std::optional<int64_t> restart_count;
  std::string last_error;
  bool has_error = false;
  event::OrchInfo orch;
};
StatusPoint StatusPointOf(const event::StatusSample& sample);

// The type a session holds a record of type Record as: the record itself, an IngestPoint or a
// StatusPoint.
template <typename Record>
struct KeptRecord {
  using type = Record;
};
template <>
struct KeptRecord<event::IngestSample> {
  using type = IngestPoint;
};
template <>
struct KeptRecord<event::StatusSample> {
  using type = StatusPoint;
};
template <typename Record>
using Kept = typename KeptRecord<Record>::type;

// Every record of one session key, in any order, without duplicate event ids.
struct SessionRecords {
  std::vector<Stamped<event::StreamTrace>> traces;
  std::vector<Stamped<StatusPoint>> status_samples;
  std::vector<Stamped<event::StreamEvent>> stream_events;
  std::vector<Stamped<IngestPoint>> ingest_samples;
};

struct Hints {
  std::string pipeline;
  std::string model;
  friend bool operator==(const Hints&, const Hints&) = default;
};

// §2.3 selection with its matcher decision.
struct Selection {
  std::string selection_id;  // hid(org, session_key, anchor event_id)
  int selection_seq = 0;     // 1 … n
  Millis selection_ts = 0;
  std::string selection_trigger;  // initial | swap | orch_change_fallback
  std::string observed_address;
  std::string observed_url;
  std::string identity;
  std::string anchor_event_id;
  std::string anchor_family;
  Hints hints;  // effective hints
  Decision decision;
  std::string decision_id;  // hid(selection_id, status, reason, method, version id, gpu_id)
  friend bool operator==(const Selection&, const Selection&) = default;
};

// §2.9 per session hour.
struct IngestTransport {
  int64_t ingest_samples = 0;
  Milli video_jitter_sum = 0;
  int64_t video_jitter_samples = 0;
  Milli audio_jitter_sum = 0;
  int64_t audio_jitter_samples = 0;
  int64_t conn_good = 0, conn_fair = 0, conn_poor = 0;
  // Deltas of the cumulative counters against the session's earlier hours (never negative).
  int64_t video_packets_lost = 0, video_packets_received = 0;
  int64_t audio_packets_lost = 0, audio_packets_received = 0;
  friend bool operator==(const IngestTransport&, const IngestTransport&) = default;
};

// §2.4 one (org, session_key, hour) in which the key has any record.
struct SessionHour {
  Millis hour = 0;
  int64_t evidence_events = 0;
  int64_t status_samples = 0, running_state_samples = 0;
  int64_t fps_positive_samples = 0;
  Milli output_fps_sum = 0;
  int64_t input_fps_samples = 0;
  Milli input_fps_sum = 0;
  QuantileSketch output_fps_sketch, input_fps_sketch;  // the same values, per sample
  int64_t degraded_input_samples = 0, degraded_inference_samples = 0, error_status_samples = 0;
  int64_t inference_restarts = 0, inference_errors = 0;
  int64_t status_latency_samples = 0;
  Milli status_latency_sum_ms = 0;
  QuantileSketch status_latency_sketch;
  std::optional<double> avg_output_fps_hour;  // ratio(output_fps_sum, fps_positive_samples)
  IngestTransport ingest;
  bool is_terminal_tail_artifact = false;
  friend bool operator==(const SessionHour&, const SessionHour&) = default;
};

// §2.8
struct FailureEvent {
  std::string failure_id;  // hid(org, event_id, failure_type)
  Millis failure_ts = 0;
  std::string failure_type;  // no_orch_available | orch_swap | inference_restart | inference_error
  std::string event_id;
  // The session's key and dimensions (§2.3).
  std::string org, session_key, stream_id, request_id, gateway, pipeline_id, model_id;
  std::string orchestrator_address;  // of the decision in force at failure_ts, else ""
  std::string detail;                // last_error for inference_error, else ""
  friend bool operator==(const FailureEvent&, const FailureEvent&) = default;
};

struct LatestSample {
  std::string event_id;
  Millis sample_ts = 0;
  std::string state;
  std::optional<double> output_fps, input_fps;
  friend bool operator==(const LatestSample&, const LatestSample&) = default;
};

// §3
struct Classification {
  bool requested_seen = false, playable_seen = false, completed = false;
  bool restart_seen = false, error_seen = false;
  bool degraded_input_seen = false, degraded_inference_seen = false;
  bool loading_only = false, zero_output_fps = false, output_failed = false;
  std::string selection_outcome;  // selected | no_orch | unknown
  std::string startup_result;     // unknown | success | failed
  std::string excusal_reason;     // none | no_orch | excusable_error
  std::string startup_outcome;    // success | excused | unexcused | unknown
  bool effective_failed = false;
  int health_signal_count = 0, health_expected_signal_count = 0;
  std::optional<Millis> startup_latency_ms, prompt_to_first_frame_ms;
  std::optional<double> e2e_latency_ms;
  std::string e2e_source;  // status | edge | none
  Millis total_duration_ms = 0;
  friend bool operator==(const Classification&, const Classification&) = default;
};

struct SessionFact {
  // A session exists once it has an evidence event other than a params_update; ingest records
  // never create one. When false, only the key and the session hours' ingest transport (§2.9,
  // kept under the key) are used.
  bool exists = false;
  std::string org, session_key, stream_id, request_id;
  std::optional<Millis> first_seen, last_seen;  // over evidence events
  std::optional<Millis> requested_at, first_ingest_at, first_processed_at, playable_at;
  std::optional<Millis> first_data_at, runner_first_processed_at, closed_at;
  Millis session_start = 0, session_hour = 0;
  std::string gateway;
  int64_t request_count = 0, playable_count = 0, no_orch_count = 0, closed_count = 0;
  int64_t explicit_swap_count = 0;
  int64_t status_sample_count = 0, running_state_samples = 0, fps_positive_samples = 0;
  int64_t degraded_input_samples = 0, degraded_inference_samples = 0;
  int64_t error_samples = 0, max_restart_count = 0;
  int64_t status_latency_samples = 0;
  Milli status_latency_sum_ms = 0;
  int64_t startup_error_count = 0, excusable_error_count = 0;
  Hints session_hint;
  std::optional<LatestSample> latest_sample;

  // §2.3 selections and the session attribution (latest-decision rule).
  std::vector<Selection> selections;
  Decision attribution;  // status, reason, method, confidence and identity fields
  int64_t selection_count = 0, distinct_identity_count = 0;
  bool has_snapshot_match = false, is_hardware_less = false, is_stale = false;
  bool has_ambiguous_identity = false;
  // Session dimensions.
  std::string orchestrator_address, pipeline_id, model_id, gpu_id;
  bool confirmed_swapped = false, inferred_swapped = false, swapped = false;

  Classification classification;
  std::vector<SessionHour> hours;      // ascending hour
  std::vector<FailureEvent> failures;  // by (failure_ts, event_id, failure_type)
  friend bool operator==(const SessionFact&, const SessionFact&) = default;
};

// Builds the fact of `session_key` (§5.4 form org|stream|request) from its records; `matcher`
// decides each selection at its selection_ts.
SessionFact BuildSession(std::string_view org, std::string_view session_key,
                         const SessionRecords& records, const Matcher& matcher);

// The matcher request BuildSession makes for `selection` of `fact`.
MatchRequest SelectionRequest(const SessionFact& fact, const Selection& selection);

// Decides every selection of `fact` with `matcher` again, then the session attribution and what
// the selections' decisions give the fact directly: its dimensions and swap flags. BuildSession's
// own last step; on its own, it gives what BuildSession would from the same records only when no
// decision changed beyond its version's name (SameButVersionName: the failures' and hours' inputs
// are then unchanged).
void DecideSelections(const Matcher& matcher, SessionFact& fact);

}  // namespace naap::resolve
