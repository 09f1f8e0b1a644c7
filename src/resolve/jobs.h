#pragma once
// Job, worker, BYOC auth/payment and discovery facts (spec/analytics.md §2.6, §2.7), each built by
// a pure function of its records (and, where the spec says so, of the matcher and other facts).
// Builders sort what they read themselves: results never depend on input order, a clock or hash
// order. "latest" is by (event_ts, event_id) (§0.1).
//
// Calling contract for the resolver (what to rebuild when):
//  - LlmFact of (org, request_id): on any LLM record of the key.
//  - AiBatchJobFact of (org, request_id): on any ai_batch_request record of the key, when its LLM
//    fact changes, and on re-attribution (its URL matches a changed chain, §7.1).
//  - WorkerFact: per worker_lifecycle record; again on re-attribution.
//  - ByocJobFact: per job_gateway_completed record; again when a worker fact of the same org,
//    capability (ci) and reported address lands in [completed_at − 30 d, completed_at], when a
//    job_orchestrator record with the job's payload request id arrives, or on re-attribution.
//  - AuthFact, ByocPaymentFact, DiscoveryFact: per record (discovery again on re-attribution).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/decimal.h"
#include "base/time.h"
#include "event/records.h"
#include "resolve/matcher.h"
#include "resolve/session.h"

namespace naap::resolve {

inline constexpr Millis kWorkerLookbackMs = 30 * kDayMs;

// The selection a job makes (trigger ai_batch_completion or byoc_completion) with its decision.
// The decision is the default (unresolved, missing_candidate, none, low) unless the job selected
// an orchestrator (selection_outcome = selected).
struct JobSelection {
  std::string selection_id;
  std::string selection_trigger;
  Millis selection_ts = 0;
  std::string observed_url, observed_address;
  Decision decision;
  std::string decision_id;  // hid(selection_id, status, reason, method, version id, gpu_id)
  friend bool operator==(const JobSelection&, const JobSelection&) = default;
};

// The latest llm_request_completed / llm_stream_completed record of (org, request_id).
struct LlmFact {
  std::string org, request_id, event_id;
  Millis event_ts = 0;
  std::string subtype;
  std::string model, completion_id, orch_url_norm;
  std::optional<bool> streaming;
  std::optional<int64_t> prompt_tokens, completion_tokens, total_tokens;
  std::optional<double> tokens_per_second;
  std::optional<int64_t> ttft_ms;
  std::string finish_reason, error;
  friend bool operator==(const LlmFact&, const LlmFact&) = default;
};

// api_fact_ai_batch_job: one per (org, request_id ≠ "") once a completed record exists.
struct AiBatchJobFact {
  std::string org, request_id;
  std::string completion_event_id;  // the latest completed record
  Millis completed_at = 0;
  std::optional<Millis> received_at;  // earliest received record at or before completed_at
  std::string gateway;                // lower-cased
  std::string pipeline, model_id;     // the completion record's hints
  std::optional<bool> success;
  std::optional<int64_t> tries, duration_ms;
  std::string orch_url, orch_url_norm;
  std::optional<double> latency_score, price_per_unit;
  std::string error_type, error;
  std::string selection_outcome;  // selected | no_orch | unknown
  JobSelection selection;
  std::string canonical_pipeline;    // decision pipeline, else the hint pipeline
  std::string attributed_model;      // decision model, else the hint model
  std::optional<int> capability_id;  // catalog id of canonical_pipeline (27–36), else NULL
  std::optional<LlmFact> llm;        // the LLM fact of the same key, when any
  friend bool operator==(const AiBatchJobFact&, const AiBatchJobFact&) = default;
};

// api_observed_byoc_worker source: one per worker_lifecycle record.
struct WorkerFact {
  std::string event_id, org;
  Millis event_ts = 0;
  std::string worker_event_id, lifecycle_action;
  std::string capability, capability_norm;
  std::string orch_reported_address, orch_url, orch_url_norm;
  std::string worker_url, worker_url_norm;
  std::optional<double> price_per_unit;
  std::string model;
  std::vector<std::string> models;
  std::string worker_options_raw;    // the record's options_raw
  std::string orchestrator_address;  // matcher, identity kind, by orch_url; "" unless unique
  friend bool operator==(const WorkerFact&, const WorkerFact&) = default;
};

// api_fact_byoc_job: one per job_gateway_completed record (every attempt is a job).
struct ByocJobFact {
  std::string job_id;  // event_id, served as request_id
  std::string org, payload_request_id;
  std::string capability, capability_norm;
  Millis completed_at = 0;
  std::string gateway;  // lower-cased
  std::optional<bool> success;
  std::optional<int64_t> duration_ms, http_status;
  std::string error;
  std::string orch_reported_address, orch_url, orch_url_norm;
  // From the latest job_orchestrator record of the payload request id naming a worker.
  std::string worker_url, worker_url_norm;
  std::string selection_outcome;  // selected | unknown
  std::string worker_event_id;    // the worker fact found by the §2.6 lookup, "" when none
  std::string worker_model;
  std::optional<double> worker_price_per_unit;
  JobSelection selection;
  std::string model;  // worker_model, else the decision model
  friend bool operator==(const ByocJobFact&, const ByocJobFact&) = default;
};

// One job_auth record with a non-empty capability_name.
struct AuthFact {
  std::string event_id, org;
  Millis event_ts = 0;
  std::string capability_name, subtype;
  std::optional<bool> success;
  friend bool operator==(const AuthFact&, const AuthFact&) = default;
};

// One job_payment record.
struct ByocPaymentFact {
  std::string event_id, org;
  Millis event_ts = 0;
  std::string capability, payment_type, orch_reported_address;
  std::optional<Decimal> amount;
  std::string currency;
  friend bool operator==(const ByocPaymentFact&, const ByocPaymentFact&) = default;
};

// One discovery row (§2.7). Reported addresses are local keys, never identities.
struct DiscoveryFact {
  std::string event_id, org;
  Millis event_ts = 0;
  int rank = 0;
  std::string orch_reported_address, orch_url, orch_url_norm;
  std::optional<double> latency_ms;
  std::string orchestrator_address;  // "" when unresolved or not unique
  std::string resolution;            // uri | address | alias | unresolved
  friend bool operator==(const DiscoveryFact&, const DiscoveryFact&) = default;
};

// Every LLM record of (org, request_id); nullopt when there is none.
std::optional<LlmFact> BuildLlmFact(std::string_view org, std::string_view request_id,
                                    std::span<const Stamped<event::LlmEvent>> records);

// Every ai_batch_request record of (org, request_id ≠ ""), with the key's LLM fact (nullptr when
// none); nullopt while no completed record exists.
std::optional<AiBatchJobFact> BuildAiBatchJob(std::string_view org, std::string_view request_id,
                                              std::span<const Stamped<event::BatchEvent>> records,
                                              const LlmFact* llm, const Matcher& matcher);
// Sets the selection and what derives from it (canonical pipeline, attributed model, capability
// id) from the fact's own fields: BuildAiBatchJob's last step, so that a snapshot re-attributes a
// job without its records.
void AttributeAiBatchJob(AiBatchJobFact& fact, const Matcher& matcher);

// Workers, BYOC jobs and discovery rows keep no records in memory: each fact holds every field
// of its record that it is built from, so when a snapshot or worker may change an attribution the
// resolver re-runs only the Attribute* step on the fact. Attribute* sets every field it derives,
// so attributing a fact built from the record and attributing an earlier fact of the same record
// give equal facts.
WorkerFact BuildWorkerFact(const event::RecordHeader& header, const event::WorkerSnapshot& worker,
                           const Matcher& matcher);
void AttributeWorker(WorkerFact& fact, const Matcher& matcher);  // orchestrator_address

// The job_orchestrator record that names the worker URL of the BYOC jobs of its payload request
// id: the latest by (event_ts, event_id) of those with a request id and a worker URL.
struct NamedWorker {
  Millis event_ts = 0;
  std::string event_id, worker_url, worker_url_norm;
  friend bool operator==(const NamedWorker&, const NamedWorker&) = default;
};
// Replaces `latest` (of the record's request id) by `record` when the record names a worker and
// is later; true when it did.
bool KeepLatestNamedWorker(Millis event_ts, const std::string& event_id,
                           const event::OrchestratorJobEvent& record,
                           std::optional<NamedWorker>& latest);

// The fields of a job_gateway_completed record; AttributeByocJob derives the others.
ByocJobFact ByocJobOf(const event::RecordHeader& header, const event::ByocJobEvent& completed);
// Sets the worker URL, the worker lookup, the selection and the model. `named` is the NamedWorker
// of the job's payload request id (nullptr when none). `workers` are candidate worker facts of the
// org in any order: the §2.6 lookup filters them by capability (ci), reported address and
// [completed_at − 30 d, completed_at] and takes the latest with the job's worker URL, else the
// latest; so passing only those two (when they exist) gives the same fact as passing every worker.
void AttributeByocJob(ByocJobFact& fact, const NamedWorker* named,
                      std::span<const WorkerFact* const> workers, const Matcher& matcher);

// nullopt when the record's capability_name is "".
std::optional<AuthFact> BuildAuthFact(const event::RecordHeader& header,
                                      const event::AuthEvent& auth);

ByocPaymentFact BuildByocPaymentFact(const event::RecordHeader& header,
                                     const event::ByocPayment& payment);

// One fact per row, by rank.
std::vector<DiscoveryFact> BuildDiscoveryFacts(const event::RecordHeader& header,
                                               std::span<const event::DiscoveryRow> rows,
                                               const Matcher& matcher);
void AttributeDiscovery(DiscoveryFact& fact, const Matcher& matcher);  // orchestrator, resolution

}  // namespace naap::resolve
