// §2.3: selection events over the candidate rows, effective hints, one matcher decision per
// selection, the latest-decision rule, session dimensions and swap flags.
#include <limits>
#include <set>

#include "base/hash.h"
#include "resolve/session_internal.h"

namespace naap::resolve {
namespace session_internal {
namespace {

std::string_view FamilyOf(Source source) {
  switch (source) {
    case Source::kTrace:
      return "stream_trace";
    case Source::kStatus:
      return "ai_stream_status";
    case Source::kEvent:
      return "ai_stream_events";
  }
  return "";
}

// Effective hints: the anchor's own component, else the first non-empty one among evidence rows
// with selection_ts ≤ ts < segment_end, else the session_hint component.
Hints EffectiveHints(const SessionView& view, const EvidenceRow& anchor, Millis segment_end,
                     const Hints& session_hint) {
  Hints hints{std::string(anchor.pipeline), std::string(anchor.model)};
  const Millis start = anchor.header->event_ts;
  for (const EvidenceRow& row : view.evidence) {
    if (!hints.pipeline.empty() && !hints.model.empty()) break;
    const Millis ts = row.header->event_ts;
    if (ts < start || ts >= segment_end) continue;
    if (hints.pipeline.empty()) hints.pipeline = row.pipeline;
    if (hints.model.empty()) hints.model = row.model;
  }
  if (hints.pipeline.empty()) hints.pipeline = session_hint.pipeline;
  if (hints.model.empty()) hints.model = session_hint.model;
  return hints;
}

// Anchors of the selection events, in row order, with their triggers.
struct Anchor {
  const EvidenceRow* row;
  std::string_view trigger;
};

std::vector<Anchor> SelectionAnchors(const SessionView& view,
                                     std::set<std::string_view>& identities) {
  std::vector<Anchor> anchors;
  std::string_view last_identity;
  for (const EvidenceRow& row : view.evidence) {
    const std::string_view identity = row.Identity();
    if (identity.empty()) continue;
    if (identity != last_identity) identities.emplace(identity);  // runs of one identity: once
    std::string_view trigger;
    if (anchors.empty()) {
      trigger = "initial";
    } else if (row.is_swap) {
      trigger = "swap";
    } else if (identity != last_identity) {
      trigger = "orch_change_fallback";
    } else {
      continue;
    }
    anchors.push_back({&row, trigger});
    last_identity = identity;
  }
  return anchors;
}

Decision SessionDecision(const SessionFact& fact) {
  if (fact.selections.empty()) {
    Decision none;
    if (fact.no_orch_count > 0) none.reason = "no_selection_no_orch_excused";
    return none;
  }
  const Decision& latest = fact.selections.back().decision;
  if (latest.status == "unresolved" && latest.reason == "missing_candidate" &&
      fact.distinct_identity_count > 1) {
    Decision ambiguous;
    ambiguous.status = "ambiguous";
    ambiguous.reason = "ambiguous_candidates";
    ambiguous.method = "ambiguous";
    ambiguous.confidence = "low";
    return ambiguous;
  }
  return latest;
}

}  // namespace

void ResolveSelections(const SessionView& view, const Matcher& matcher, SessionFact& fact) {
  std::set<std::string_view> identities;  // views into the session's records
  const std::vector<Anchor> anchors = SelectionAnchors(view, identities);
  fact.distinct_identity_count = static_cast<int64_t>(identities.size());
  for (size_t i = 0; i < anchors.size(); ++i) {
    const EvidenceRow& row = *anchors[i].row;
    const Millis segment_end = i + 1 < anchors.size() ? anchors[i + 1].row->header->event_ts
                                                      : std::numeric_limits<Millis>::max();
    Selection s;
    s.selection_id = Hid({fact.org, fact.session_key, row.header->event_id});
    s.selection_seq = static_cast<int>(i + 1);
    s.selection_ts = row.header->event_ts;
    s.selection_trigger = std::string(anchors[i].trigger);
    s.observed_address = row.orch->orch_reported_address;
    s.observed_url = row.orch->orch_url_norm;
    s.identity = std::string(row.Identity());
    s.anchor_event_id = row.header->event_id;
    s.anchor_family = std::string(FamilyOf(row.source));
    s.hints = EffectiveHints(view, row, segment_end, fact.session_hint);
    fact.selections.push_back(std::move(s));
  }
  fact.selection_count = static_cast<int64_t>(fact.selections.size());
  DecideSelections(matcher, fact);
}

}  // namespace session_internal

MatchRequest SelectionRequest(const SessionFact& fact, const Selection& selection) {
  MatchRequest request;
  request.org = fact.org;
  request.ts = selection.selection_ts;
  request.observed_url = selection.observed_url;
  request.observed_address = selection.observed_address;
  request.hint_pipeline = selection.hints.pipeline;
  request.hint_model = selection.hints.model;
  request.kind = MatchKind::kStream;
  return request;
}

void DecideSelections(const Matcher& matcher, SessionFact& fact) {
  for (Selection& s : fact.selections) {
    s.decision = matcher.Match(SelectionRequest(fact, s));
    s.decision_id = Hid({s.selection_id, s.decision.status, s.decision.reason, s.decision.method,
                         s.decision.capability_version_id, s.decision.gpu_id});
  }
  fact.attribution = session_internal::SessionDecision(fact);
  const Decision& d = fact.attribution;
  fact.has_snapshot_match = !d.capability_version_id.empty();
  fact.is_hardware_less = d.status == "hardware_less";
  fact.is_stale = d.status == "stale";
  fact.has_ambiguous_identity = d.status == "ambiguous";
  fact.orchestrator_address = d.HasIdentity() ? d.attributed_orch_address : "";
  fact.pipeline_id = d.pipeline.empty() ? fact.session_hint.pipeline : d.pipeline;
  fact.model_id = d.model.empty() ? fact.session_hint.model : d.model;
  fact.gpu_id = d.gpu_id;

  std::set<std::string> attributed;
  for (const Selection& s : fact.selections) {
    if (!s.decision.attributed_orch_address.empty()) {
      attributed.insert(s.decision.attributed_orch_address);
    }
  }
  fact.confirmed_swapped = fact.explicit_swap_count > 0;
  fact.inferred_swapped = !fact.confirmed_swapped && attributed.size() >= 2;
  fact.swapped = fact.confirmed_swapped || fact.inferred_swapped;
}

}  // namespace naap::resolve
