#pragma once
// Typed, normalised records per event family (spec/events.md §4, §5). Plain data: field names
// follow the spec's normalised names. Absent numbers/booleans are std::nullopt (NULL ≠ 0);
// absent strings are "". Exact wei amounts are naap::Wei, exact decimals naap::Decimal.
// One accepted message fills `header` and the vector(s) of its family; everything else is empty.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/decimal.h"
#include "base/time.h"

namespace naap::event {

struct RecordHeader {
  std::string org;
  std::string event_id;
  Millis event_ts = 0;
  std::string family;
  std::string subtype;
  std::string gateway;
  std::string schema_version;
  Millis ingested_at = 0;
};

// orchestrator_info (§4.0). The reported address is a local key, never an identity.
struct OrchInfo {
  std::string orch_reported_address;  // trimmed, lower-cased
  std::string orch_url;               // trimmed, case kept
  std::string orch_url_norm;          // §5.3
};

// Streaming-family session identity (§5.4); session_key "" = unkeyed.
struct StreamKey {
  std::string stream_id;
  std::string request_id;
  std::string session_key;
};

// §4.1; the trace type is header.subtype.
struct StreamTrace {
  StreamKey key;
  std::string pipeline_id;
  std::string raw_pipeline_hint;  // data.pipeline (orchestrator_swap)
  std::string message;
  OrchInfo orch;
  std::string pipeline;  // §5.5
  std::string model;
};

// §4.2
struct StatusSample {
  StreamKey key;
  std::string raw_pipeline_hint;
  std::string pipeline_id;
  std::string pipeline;
  std::string model;
  std::string state;  // trimmed, upper-cased
  bool is_running = false;
  std::optional<Millis> start_time_ms;
  std::optional<double> output_fps;
  std::optional<double> input_fps;
  std::optional<double> e2e_latency_ms;
  std::optional<int64_t> restart_count;
  std::string last_error;
  bool has_error = false;
  std::optional<Millis> last_error_time_ms;
  std::optional<Millis> last_restart_time_ms;
  OrchInfo orch;
};

// §4.3
struct StreamEvent {
  StreamKey key;
  std::string event_name;
  std::string raw_pipeline_hint;
  std::string pipeline_id;
  std::string pipeline;
  std::string model;
  std::string message;
  std::string capability_label;
  OrchInfo orch;
  bool is_error = false;
  bool is_swap = false;
  bool is_params_update = false;
  bool is_excusable_error = false;
};

// §4.4 one track (video_* / audio_*).
struct TrackStats {
  std::optional<double> jitter;
  std::optional<int64_t> packets_lost;
  std::optional<int64_t> packets_received;
  std::optional<double> packet_loss_pct;
  std::optional<double> rtt;
  std::optional<double> latency;
};

struct IngestSample {
  StreamKey key;
  std::string pipeline_id;
  std::optional<int64_t> bytes_received;
  std::optional<int64_t> bytes_sent;
  TrackStats video;
  TrackStats audio;
  std::string conn_quality;  // lower-cased
};

// §4.5 capability snapshot rows.
struct CapabilityOffer {
  int capability_id = 0;
  std::string canonical_pipeline;  // catalog pipeline for 27–36, else ""
  std::string model_id;
  std::optional<bool> warm;
  std::optional<int64_t> capacity;
  std::optional<int64_t> capacity_in_use;
  std::string runner_version;
};

struct CapabilityPrice {
  std::optional<int> capability_id;       // nullopt for the global price_info row
  std::optional<std::string> constraint;  // nullopt for the global price_info row
  Wei price_per_unit;                     // > 0
  Wei pixels_per_unit;                    // > 0
};

struct HardwareRow {
  std::string offered_name;  // trimmed, verbatim
  int capability_id = 0;     // catalog id of lower(offered_name), else 37
  std::string canonical_pipeline;
  std::string model_id;
  bool hardware_present = false;  // false: the entry had no usable GPU; GPU fields empty
  std::optional<int> gpu_slot;
  std::string gpu_id;
  std::optional<std::string> gpu_model_name;
  std::optional<int64_t> gpu_memory_bytes_total;
  std::optional<int64_t> gpu_memory_bytes_free;
  std::optional<int> gpu_compute_major;
  std::optional<int> gpu_compute_minor;
};

struct CapabilitySnapshot {
  std::string orch_address;        // on-chain identity, lower-cased
  std::string orch_local_address;  // lower-cased
  std::string alias_address;       // local_address when 0x+40 hex and ≠ orch_address, else ""
  std::string orch_uri;
  std::string orch_uri_norm;
  std::string version;
  std::string raw_element;   // the element's minified JSON text, as received
  std::string element_hash;  // lower-hex SHA-256 of raw_element
  std::vector<CapabilityOffer> offers;
  std::vector<CapabilityPrice> prices;
  std::vector<HardwareRow> hardware;
};

// §4.6
struct DiscoveryRow {
  int rank = 0;  // index in data[]
  std::string orch_reported_address;
  std::string orch_url;
  std::string orch_url_norm;
  std::optional<double> latency_ms;
};

// §4.7
struct Payment {
  std::string payment_session_id;
  std::string request_id;
  std::string manifest_id;
  std::optional<int> manifest_capability_id;
  std::string pipeline;
  std::string model;
  std::string sender_address;
  std::string recipient_address;
  std::string orch_url;
  std::string orch_url_norm;
  Wei face_value_wei;
  int64_t num_tickets = 0;
  Decimal win_prob;
  double price_wei_per_pixel = 0;
  Wei expected_fee_wei;
  std::string capability_label;
};

// §4.8
struct BatchEvent {
  std::string request_id;
  std::string pipeline;
  std::string model;
  std::optional<bool> success;
  std::optional<int64_t> tries;
  std::optional<int64_t> duration_ms;
  std::string orch_url;
  std::string orch_url_norm;
  std::optional<double> latency_score;
  std::optional<double> price_per_unit;
  std::string error_type;  // lower-cased
  std::string error;
};

// §4.9 (llm_request_started yields no record)
struct LlmEvent {
  std::string request_id;
  std::string pipeline;  // "llm"
  std::string model;
  std::string completion_id;
  std::string orch_url;
  std::string orch_url_norm;
  std::optional<bool> streaming;
  std::optional<int64_t> prompt_tokens;
  std::optional<int64_t> completion_tokens;
  std::optional<int64_t> total_tokens;
  std::optional<int64_t> max_tokens_requested;
  std::optional<double> token_utilization;
  std::string finish_reason;  // lower-cased
  std::optional<int64_t> total_duration_ms;
  std::optional<double> tokens_per_second;
  std::optional<double> latency_score;
  std::optional<double> price_per_unit;
  std::optional<int64_t> ttft_ms;  // llm_stream_completed only
  std::string error;               // llm_stream_completed only
};

// BYOC capability name: trimmed verbatim and lower-cased (§4.10).
struct ByocCapability {
  std::string capability;
  std::string capability_norm;
};

// §4.10 job_gateway; header.subtype is the composite name.
struct ByocJobEvent {
  std::string request_id;
  ByocCapability capability;
  std::optional<int64_t> attempt_index;
  std::optional<bool> success;
  std::string error;
  std::optional<int64_t> duration_ms;
  std::optional<Millis> completed_at_ms;
  std::optional<int64_t> http_status;
  std::optional<bool> streaming;
  OrchInfo orch;  // orch_url falls back to data.orch_url
  std::optional<int64_t> latency_ms;
  std::optional<int64_t> available_capacity;
  std::optional<int64_t> selected;
  bool is_job = false;  // job_gateway_completed: one BYOC job keyed by event_id
};

// §4.11
struct OrchestratorJobEvent {
  std::string request_id;
  ByocCapability capability;
  std::optional<bool> success;
  std::optional<int64_t> duration_ms;
  std::optional<int64_t> http_status;
  std::string worker_url;
  std::string worker_url_norm;
  std::optional<bool> charged_compute;
  std::optional<bool> has_payment;
  std::optional<double> price_per_unit;
  std::optional<double> pixels_per_unit;
  std::string error;
  OrchInfo orch;
};

// §4.12
struct AuthEvent {
  std::string capability;
  std::string pipeline;
  std::string pipeline_id;
  std::string stream_name;
  std::string stream_id;
  std::string request_id;
  std::string gateway_host;
  std::string capability_name;  // capability, else pipeline
  std::optional<bool> success;
  std::string error;
  OrchInfo orch;
};

// §4.13
struct ByocPayment {
  std::string payment_type;  // = subtype
  std::string request_id;
  std::string stream_id;
  ByocCapability capability;
  std::string sender_address;
  OrchInfo orch;  // reported address falls back to data.orchestrator_addr
  std::optional<Decimal> balance;
  std::optional<Decimal> diff;
  std::optional<bool> min_bal_covered;
  std::optional<bool> reset_to_zero;
  std::optional<bool> with_tickets;
  std::optional<bool> success;
  std::string error;
  std::optional<Decimal> amount;
  std::string currency;
};

// §4.14
struct WorkerSnapshot {
  std::string worker_event_id;
  std::string lifecycle_action;
  ByocCapability capability;
  OrchInfo orch;
  std::string worker_url;
  std::string worker_url_norm;
  std::optional<double> price_per_unit;
  std::string model;                // first non-empty worker_options[].model (or model_id)
  std::vector<std::string> models;  // all non-empty, in order
  std::string options_raw;          // worker_options when an array: its text minified, else ""
};

struct Records {
  RecordHeader header;
  std::vector<StreamTrace> stream_traces;
  std::vector<StatusSample> status_samples;
  std::vector<StreamEvent> stream_events;
  std::vector<IngestSample> ingest_samples;
  std::vector<CapabilitySnapshot> capability_snapshots;
  std::vector<DiscoveryRow> discovery_rows;
  std::vector<Payment> payments;
  std::vector<BatchEvent> batch_events;
  std::vector<LlmEvent> llm_events;
  std::vector<ByocJobEvent> byoc_job_events;
  std::vector<OrchestratorJobEvent> orchestrator_job_events;
  std::vector<AuthEvent> auth_events;
  std::vector<ByocPayment> byoc_payments;
  std::vector<WorkerSnapshot> worker_snapshots;

  // Empties every vector and resets the header, keeping vector capacity.
  void Clear();
  // Total number of top-level records (snapshot sub-rows not counted).
  size_t Count() const;
};

}  // namespace naap::event
