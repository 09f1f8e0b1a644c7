// §2.8: failure events of one session, each naming the orchestrator of the decision in force at
// its time.
#include <algorithm>
#include <tuple>

#include "base/hash.h"
#include "resolve/session_internal.h"

namespace naap::resolve::session_internal {
namespace {

// The attributed address of the selection with the highest seq and selection_ts ≤ ts.
std::string AddressInForce(const std::vector<Selection>& selections, Millis ts) {
  const Selection* in_force = nullptr;
  for (const Selection& s : selections) {
    if (s.selection_ts <= ts) in_force = &s;
  }
  if (in_force == nullptr || !in_force->decision.HasIdentity()) return "";
  return in_force->decision.attributed_orch_address;
}

}  // namespace

void DeriveFailures(const SessionView& view, SessionFact& fact) {
  auto add = [&fact](const HeldHeader& header, std::string_view type, std::string detail) {
    FailureEvent f;
    f.failure_id = Hid({fact.org, header.event_id, type});
    f.failure_ts = header.event_ts;
    f.failure_type = std::string(type);
    f.event_id = header.event_id;
    f.org = fact.org;
    f.session_key = fact.session_key;
    f.stream_id = fact.stream_id;
    f.request_id = fact.request_id;
    f.gateway = fact.gateway;
    f.pipeline_id = fact.pipeline_id;
    f.model_id = fact.model_id;
    f.orchestrator_address = AddressInForce(fact.selections, header.event_ts);
    f.detail = std::move(detail);
    fact.failures.push_back(std::move(f));
  };
  for (const auto* t : view.traces) {
    if (t->header.subtype == "gateway_no_orchestrators_available") {
      add(t->header, "no_orch_available", "");
    } else if (t->header.subtype == "orchestrator_swap") {
      add(t->header, "orch_swap", "");
    }
  }
  for (const auto* e : view.events) {
    if (e->record.is_swap) add(e->header, "orch_swap", "");
  }
  // Restarts compare with the latest earlier non-NULL restart_count (0 before any); errors with
  // the previous sample's last_error ("" before any).
  int64_t previous_restarts = 0;
  std::string_view previous_error;
  for (const auto* s : view.statuses) {
    const StatusPoint& r = s->record;
    if (r.restart_count) {
      if (*r.restart_count > previous_restarts) add(s->header, "inference_restart", "");
      previous_restarts = *r.restart_count;
    }
    if (r.has_error && r.last_error != previous_error) {
      add(s->header, "inference_error", r.last_error);
    }
    previous_error = r.last_error;
  }
  std::sort(fact.failures.begin(), fact.failures.end(),
            [](const FailureEvent& a, const FailureEvent& b) {
              return std::tie(a.failure_ts, a.event_id, a.failure_type) <
                     std::tie(b.failure_ts, b.event_id, b.failure_type);
            });
}

}  // namespace naap::resolve::session_internal
