#pragma once
// Internal to BuildSession: the sorted view of one session's records and the steps that fill a
// SessionFact from it. Each step reads the view and the fields earlier steps filled.
#include <string_view>
#include <vector>

#include "base/fixed_point.h"
#include "resolve/session.h"

namespace naap::resolve::session_internal {

// Source priority of §2.3 candidate-row order.
enum class Source { kTrace = 1, kStatus = 2, kEvent = 3 };

// One evidence event (§0.1), with what selections and hints read from it.
struct EvidenceRow {
  const HeldHeader* header = nullptr;
  Source source = Source::kTrace;
  const event::OrchInfo* orch = nullptr;
  std::string_view pipeline, model;
  bool is_swap = false;           // orchestrator_swap trace or AI stream event with is_swap
  bool is_params_update = false;  // never opens a session

  // identity = orch_reported_address when non-empty, else orch_url_norm.
  std::string_view Identity() const {
    return orch->orch_reported_address.empty() ? std::string_view(orch->orch_url_norm)
                                               : std::string_view(orch->orch_reported_address);
  }
};

// The session's records, each list sorted by (event_ts, event_id); `evidence` by
// (event_ts, source priority, event_id).
struct SessionView {
  std::vector<const Stamped<event::StreamTrace>*> traces;  // every trace type
  std::vector<const Stamped<StatusPoint>*> statuses;
  std::vector<const Stamped<event::StreamEvent>*> events;
  std::vector<const Stamped<IngestPoint>*> ingests;
  std::vector<EvidenceRow> evidence;
};

// The eight canonical trace types (events §4.1) are evidence; the runner_* two are not.
bool IsCanonicalTrace(std::string_view subtype);

// value × 10³ rounded half away from zero (§0.2); decoded values are finite, so the 0 fallback
// only guards values beyond ±9.2·10¹⁵.
inline Milli MilliOf(double value) { return ToMilli(value).value_or(0); }

// §2.3: selections with decisions, session attribution, dimensions and swap flags.
// Needs session_hint, no_orch_count, explicit_swap_count and gateway.
void ResolveSelections(const SessionView& view, const Matcher& matcher, SessionFact& fact);

// §2.8: failure events. Needs the selections and session dimensions.
void DeriveFailures(const SessionView& view, SessionFact& fact);

// §2.4 and §2.9: session hours with ingest transport and the terminal-tail flag. Needs the
// failures, session_start and last_seen.
void BuildSessionHours(const SessionView& view, SessionFact& fact);

}  // namespace naap::resolve::session_internal
