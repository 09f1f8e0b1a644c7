#include "resolve/jobs.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "base/hash.h"
#include "base/strings.h"
#include "event/catalog.h"

namespace naap::resolve {
namespace {

constexpr std::string_view kBatchCompleted = "ai_batch_request_completed";
constexpr std::string_view kBatchReceived = "ai_batch_request_received";

bool Later(const HeldHeader& a, const HeldHeader& b) {
  return std::tie(a.event_ts, a.event_id) > std::tie(b.event_ts, b.event_id);
}

// The latest record (§0.1) whose subtype is `subtype` ("" = any), nullptr when none.
template <typename Record>
const Stamped<Record>* Latest(std::span<const Stamped<Record>> records,
                              std::string_view subtype = "") {
  const Stamped<Record>* best = nullptr;
  for (const auto& r : records) {
    if (!subtype.empty() && r.header.subtype != subtype) continue;
    if (!best || Later(r.header, best->header)) best = &r;
  }
  return best;
}

// Fills the selection and asks the matcher when the job selected an orchestrator.
JobSelection Select(std::string selection_id, std::string trigger, Millis ts, bool selected,
                    const MatchRequest& request, const Matcher& matcher) {
  JobSelection s;
  s.selection_id = std::move(selection_id);
  s.selection_trigger = std::move(trigger);
  s.selection_ts = ts;
  s.observed_url = std::string(request.observed_url);
  s.observed_address = std::string(request.observed_address);
  if (selected) s.decision = matcher.Match(request);
  s.decision_id = Hid({s.selection_id, s.decision.status, s.decision.reason, s.decision.method,
                       s.decision.capability_version_id, s.decision.gpu_id});
  return s;
}

// The identity-kind match of workers and discovery rows: the on-chain address when unique, and
// the identity type the decision used (uri | address | alias), else "unresolved".
struct IdentityMatch {
  std::string orchestrator_address;
  std::string resolution = "unresolved";
};

IdentityMatch MatchIdentity(std::string_view org, Millis ts, std::string_view url,
                            std::string_view address, const Matcher& matcher) {
  MatchRequest request;
  request.org = org;
  request.ts = ts;
  request.observed_url = url;
  request.observed_address = address;
  request.kind = MatchKind::kIdentity;
  const Decision d = matcher.Match(request);
  IdentityMatch m;
  if (!d.HasIdentity()) return m;
  m.orchestrator_address = d.attributed_orch_address;
  m.resolution = d.method.substr(0, d.method.find('_'));  // "<type>_interval_<class>"
  return m;
}

// Builtin catalog id of an allow-listed pipeline (27–36), else NULL.
std::optional<int> BuiltinCapabilityId(std::string_view pipeline) {
  const int id = event::CapabilityIdForOfferedName(pipeline);
  if (pipeline.empty() || id == event::kByocCapabilityId) return std::nullopt;
  return id;
}

}  // namespace

std::optional<LlmFact> BuildLlmFact(std::string_view org, std::string_view request_id,
                                    std::span<const Stamped<event::LlmEvent>> records) {
  const auto* latest = Latest(records);
  if (!latest) return std::nullopt;
  const event::LlmEvent& e = latest->record;
  LlmFact f;
  f.org = std::string(org);
  f.request_id = std::string(request_id);
  f.event_id = latest->header.event_id;
  f.event_ts = latest->header.event_ts;
  f.subtype = latest->header.subtype;
  f.model = e.model;
  f.completion_id = e.completion_id;
  f.orch_url_norm = e.orch_url_norm;
  f.streaming = e.streaming;
  f.prompt_tokens = e.prompt_tokens;
  f.completion_tokens = e.completion_tokens;
  f.total_tokens = e.total_tokens;
  f.tokens_per_second = e.tokens_per_second;
  f.ttft_ms = e.ttft_ms;
  f.finish_reason = e.finish_reason;
  f.error = e.error;
  return f;
}

std::optional<AiBatchJobFact> BuildAiBatchJob(std::string_view org, std::string_view request_id,
                                              std::span<const Stamped<event::BatchEvent>> records,
                                              const LlmFact* llm, const Matcher& matcher) {
  if (request_id.empty()) return std::nullopt;
  const auto* completion = Latest(records, kBatchCompleted);
  if (!completion) return std::nullopt;
  const event::BatchEvent& c = completion->record;

  AiBatchJobFact f;
  f.org = std::string(org);
  f.request_id = std::string(request_id);
  f.completion_event_id = completion->header.event_id;
  f.completed_at = completion->header.event_ts;
  for (const auto& r : records) {
    if (r.header.subtype != kBatchReceived || r.header.event_ts > f.completed_at) continue;
    if (!f.received_at || r.header.event_ts < *f.received_at) f.received_at = r.header.event_ts;
  }
  f.gateway = ToLower(completion->header.gateway);
  f.pipeline = c.pipeline;
  f.model_id = c.model;
  f.success = c.success;
  f.tries = c.tries;
  f.duration_ms = c.duration_ms;
  f.orch_url = c.orch_url;
  f.orch_url_norm = c.orch_url_norm;
  f.latency_score = c.latency_score;
  f.price_per_unit = c.price_per_unit;
  f.error_type = c.error_type;
  f.error = c.error;
  f.selection_outcome = !c.orch_url_norm.empty()                                   ? "selected"
                        : c.success == false && c.error_type == "no_orchestrators" ? "no_orch"
                                                                                   : "unknown";
  AttributeAiBatchJob(f, matcher);
  if (llm) f.llm = *llm;
  return f;
}

void AttributeAiBatchJob(AiBatchJobFact& f, const Matcher& matcher) {
  MatchRequest request;
  request.org = f.org;
  request.ts = f.received_at.value_or(f.completed_at);
  request.observed_url = f.orch_url_norm;  // URL only
  request.hint_pipeline = f.pipeline;
  request.hint_model = f.model_id;
  request.kind = MatchKind::kAiBatch;
  f.selection = Select(Hid({f.org, f.request_id, "ai-batch"}), "ai_batch_completion", request.ts,
                       !f.orch_url_norm.empty(), request, matcher);
  const Decision& d = f.selection.decision;
  f.canonical_pipeline = d.pipeline.empty() ? f.pipeline : d.pipeline;
  f.attributed_model = d.model.empty() ? f.model_id : d.model;
  f.capability_id = BuiltinCapabilityId(f.canonical_pipeline);
}

WorkerFact BuildWorkerFact(const event::RecordHeader& header, const event::WorkerSnapshot& worker,
                           const Matcher& matcher) {
  WorkerFact f;
  f.event_id = header.event_id;
  f.org = header.org;
  f.event_ts = header.event_ts;
  f.worker_event_id = worker.worker_event_id;
  f.lifecycle_action = worker.lifecycle_action;
  f.capability = worker.capability.capability;
  f.capability_norm = worker.capability.capability_norm;
  f.orch_reported_address = worker.orch.orch_reported_address;
  f.orch_url = worker.orch.orch_url;
  f.orch_url_norm = worker.orch.orch_url_norm;
  f.worker_url = worker.worker_url;
  f.worker_url_norm = worker.worker_url_norm;
  f.price_per_unit = worker.price_per_unit;
  f.model = worker.model;
  f.models = worker.models;
  f.worker_options_raw = worker.options_raw;
  AttributeWorker(f, matcher);
  return f;
}

void AttributeWorker(WorkerFact& f, const Matcher& matcher) {
  // By orch_url only (§2.6): no URL, no identity.
  f.orchestrator_address =
      f.orch_url_norm.empty()
          ? ""
          : MatchIdentity(f.org, f.event_ts, f.orch_url_norm, "", matcher).orchestrator_address;
}

bool KeepLatestNamedWorker(Millis event_ts, const std::string& event_id,
                           const event::OrchestratorJobEvent& record,
                           std::optional<NamedWorker>& latest) {
  if (record.request_id.empty() || record.worker_url_norm.empty()) return false;
  if (latest && std::tie(event_ts, event_id) <= std::tie(latest->event_ts, latest->event_id)) {
    return false;
  }
  latest = NamedWorker{event_ts, event_id, record.worker_url, record.worker_url_norm};
  return true;
}

ByocJobFact ByocJobOf(const event::RecordHeader& header, const event::ByocJobEvent& completed) {
  ByocJobFact f;
  f.job_id = header.event_id;
  f.org = header.org;
  f.payload_request_id = completed.request_id;
  f.capability = completed.capability.capability;
  f.capability_norm = completed.capability.capability_norm;
  f.completed_at = header.event_ts;
  f.gateway = ToLower(header.gateway);
  f.success = completed.success;
  f.duration_ms = completed.duration_ms;
  f.http_status = completed.http_status;
  f.error = completed.error;
  f.orch_reported_address = completed.orch.orch_reported_address;
  f.orch_url = completed.orch.orch_url;
  f.orch_url_norm = completed.orch.orch_url_norm;
  return f;
}

void AttributeByocJob(ByocJobFact& f, const NamedWorker* named,
                      std::span<const WorkerFact* const> workers, const Matcher& matcher) {
  const bool names_worker = named != nullptr && !f.payload_request_id.empty();
  f.worker_url = names_worker ? named->worker_url : "";
  f.worker_url_norm = names_worker ? named->worker_url_norm : "";

  // §2.6 worker lookup: the latest in the window with the job's worker URL, else the latest.
  const WorkerFact* same_url = nullptr;
  const WorkerFact* any = nullptr;
  auto later = [](const WorkerFact* a, const WorkerFact* b) {
    return !b || std::tie(a->event_ts, a->event_id) > std::tie(b->event_ts, b->event_id);
  };
  for (const WorkerFact* w : workers) {
    if (w->org != f.org || !EqualsIgnoringCase(w->capability, f.capability) ||
        w->orch_reported_address != f.orch_reported_address ||
        w->event_ts < f.completed_at - kWorkerLookbackMs || w->event_ts > f.completed_at) {
      continue;
    }
    if (later(w, any)) any = w;
    if (!f.worker_url_norm.empty() && w->worker_url_norm == f.worker_url_norm &&
        later(w, same_url)) {
      same_url = w;
    }
  }
  const WorkerFact* worker = same_url ? same_url : any;
  f.worker_event_id = worker ? worker->event_id : "";
  f.worker_model = worker ? worker->model : "";
  f.worker_price_per_unit = worker ? worker->price_per_unit : std::nullopt;

  const bool selected = !f.orch_reported_address.empty() || !f.orch_url_norm.empty();
  f.selection_outcome = selected ? "selected" : "unknown";
  MatchRequest request;
  request.org = f.org;
  request.ts = f.completed_at;
  request.observed_url = f.orch_url_norm;
  request.observed_address = f.orch_reported_address;
  request.kind = MatchKind::kByoc;
  request.capability = f.capability;
  request.worker_model = f.worker_model;
  f.selection = Select(Hid({f.org, f.job_id, "byoc"}), "byoc_completion", f.completed_at, selected,
                       request, matcher);
  f.model = f.worker_model.empty() ? f.selection.decision.model : f.worker_model;
}

std::optional<AuthFact> BuildAuthFact(const event::RecordHeader& header,
                                      const event::AuthEvent& auth) {
  if (auth.capability_name.empty()) return std::nullopt;
  return AuthFact{header.event_id,      header.org,     header.event_ts,
                  auth.capability_name, header.subtype, auth.success};
}

ByocPaymentFact BuildByocPaymentFact(const event::RecordHeader& header,
                                     const event::ByocPayment& payment) {
  return ByocPaymentFact{header.event_id,      header.org,
                         header.event_ts,      payment.capability.capability,
                         payment.payment_type, payment.orch.orch_reported_address,
                         payment.amount,       payment.currency};
}

std::vector<DiscoveryFact> BuildDiscoveryFacts(const event::RecordHeader& header,
                                               std::span<const event::DiscoveryRow> rows,
                                               const Matcher& matcher) {
  std::vector<DiscoveryFact> facts;
  facts.reserve(rows.size());
  for (const event::DiscoveryRow& row : rows) {
    DiscoveryFact f;
    f.event_id = header.event_id;
    f.org = header.org;
    f.event_ts = header.event_ts;
    f.rank = row.rank;
    f.orch_reported_address = row.orch_reported_address;
    f.orch_url = row.orch_url;
    f.orch_url_norm = row.orch_url_norm;
    f.latency_ms = row.latency_ms;
    AttributeDiscovery(f, matcher);
    facts.push_back(std::move(f));
  }
  std::sort(facts.begin(), facts.end(),
            [](const DiscoveryFact& a, const DiscoveryFact& b) { return a.rank < b.rank; });
  return facts;
}

void AttributeDiscovery(DiscoveryFact& f, const Matcher& matcher) {
  IdentityMatch m =
      MatchIdentity(f.org, f.event_ts, f.orch_url_norm, f.orch_reported_address, matcher);
  f.orchestrator_address = std::move(m.orchestrator_address);
  f.resolution = std::move(m.resolution);
}

}  // namespace naap::resolve
