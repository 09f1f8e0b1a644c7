// BuildSession: sorts the records into a SessionView, then fills the §2.2 counters and edges,
// the §2.3 attribution, §2.8 failures, §2.4 hours and the §3 classification.
#include "resolve/session.h"

#include <algorithm>
#include <tuple>

#include "base/strings.h"
#include "resolve/session_internal.h"

namespace naap::resolve {
namespace {

using session_internal::EvidenceRow;
using session_internal::SessionView;
using session_internal::Source;

template <typename Record>
std::vector<const Stamped<Record>*> SortedByTime(const std::vector<Stamped<Record>>& records) {
  std::vector<const Stamped<Record>*> sorted;
  sorted.reserve(records.size());
  for (const auto& r : records) sorted.push_back(&r);
  std::sort(sorted.begin(), sorted.end(), [](const auto* a, const auto* b) {
    return std::tie(a->header.event_ts, a->header.event_id) <
           std::tie(b->header.event_ts, b->header.event_id);
  });
  return sorted;
}

SessionView MakeView(const SessionRecords& records) {
  SessionView view;
  view.traces = SortedByTime(records.traces);
  view.statuses = SortedByTime(records.status_samples);
  view.events = SortedByTime(records.stream_events);
  view.ingests = SortedByTime(records.ingest_samples);
  for (const auto* t : view.traces) {
    if (!session_internal::IsCanonicalTrace(t->header.subtype)) continue;
    view.evidence.push_back({&t->header, Source::kTrace, &t->record.orch, t->record.pipeline,
                             t->record.model, t->header.subtype == "orchestrator_swap", false});
  }
  for (const auto* s : view.statuses) {
    view.evidence.push_back({&s->header, Source::kStatus, &s->record.orch, s->record.pipeline,
                             s->record.model, false, false});
  }
  for (const auto* e : view.events) {
    view.evidence.push_back({&e->header, Source::kEvent, &e->record.orch, e->record.pipeline,
                             e->record.model, e->record.is_swap, e->record.is_params_update});
  }
  std::sort(view.evidence.begin(), view.evidence.end(),
            [](const EvidenceRow& a, const EvidenceRow& b) {
              return std::tie(a.header->event_ts, a.source, a.header->event_id) <
                     std::tie(b.header->event_ts, b.source, b.header->event_id);
            });
  return view;
}

// "org|S|R" → S and R, with the _missing_* placeholders read as "".
void SplitKey(std::string_view key, SessionFact& fact) {
  const size_t last = key.rfind('|');
  const size_t middle = last == std::string_view::npos || last == 0 ? std::string_view::npos
                                                                    : key.rfind('|', last - 1);
  if (middle == std::string_view::npos) return;
  const std::string_view stream = key.substr(middle + 1, last - middle - 1);
  const std::string_view request = key.substr(last + 1);
  fact.stream_id = stream == "_missing_stream" ? "" : std::string(stream);
  fact.request_id = request == "_missing_request" ? "" : std::string(request);
}

void KeepMin(std::optional<Millis>& slot, Millis ts) {
  if (!slot || ts < *slot) slot = ts;
}

// §2.2 fields over traces (lifecycle edges and counts).
void ApplyTraces(const SessionView& view, SessionFact& fact) {
  for (const auto* t : view.traces) {
    const std::string& type = t->header.subtype;
    const Millis ts = t->header.event_ts;
    if (type == "gateway_receive_stream_request") {
      KeepMin(fact.requested_at, ts);
      ++fact.request_count;
    } else if (type == "gateway_send_first_ingest_segment") {
      KeepMin(fact.first_ingest_at, ts);
    } else if (type == "gateway_receive_first_processed_segment") {
      KeepMin(fact.first_processed_at, ts);
    } else if (type == "gateway_receive_few_processed_segments") {
      KeepMin(fact.playable_at, ts);
      ++fact.playable_count;
    } else if (type == "gateway_receive_first_data_segment") {
      KeepMin(fact.first_data_at, ts);
    } else if (type == "runner_send_first_processed_segment") {
      KeepMin(fact.runner_first_processed_at, ts);
    } else if (type == "gateway_ingest_stream_closed") {
      KeepMin(fact.closed_at, ts);
      ++fact.closed_count;
    } else if (type == "gateway_no_orchestrators_available") {
      ++fact.no_orch_count;
    } else if (type == "orchestrator_swap") {
      ++fact.explicit_swap_count;
    }
  }
}

void ApplyStatuses(const SessionView& view, SessionFact& fact) {
  for (const auto* s : view.statuses) {
    const StatusPoint& r = s->record;
    ++fact.status_sample_count;
    if (r.is_running) ++fact.running_state_samples;
    if (r.output_fps && *r.output_fps > 0) ++fact.fps_positive_samples;
    if (r.state == "DEGRADED_INPUT") ++fact.degraded_input_samples;
    if (r.state == "DEGRADED_INFERENCE") ++fact.degraded_inference_samples;
    if (r.has_error) ++fact.error_samples;
    if (r.restart_count)
      fact.max_restart_count = std::max(fact.max_restart_count, *r.restart_count);
    if (r.e2e_latency_ms && *r.e2e_latency_ms > 0) {
      ++fact.status_latency_samples;
      fact.status_latency_sum_ms += session_internal::MilliOf(*r.e2e_latency_ms);
    }
  }
  if (!view.statuses.empty()) {
    const auto& latest = *view.statuses.back();
    fact.latest_sample =
        LatestSample{latest.header.event_id, latest.header.event_ts, latest.record.state,
                     latest.record.output_fps, latest.record.input_fps};
  }
}

void ApplyEvents(const SessionView& view, SessionFact& fact) {
  for (const auto* e : view.events) {
    if (e->record.is_swap) ++fact.explicit_swap_count;
    if (e->record.is_error) ++fact.startup_error_count;
    if (e->record.is_excusable_error) ++fact.excusable_error_count;
  }
}

// Existence, first/last seen, session start, gateway and session_hint from evidence rows.
void ApplyEvidence(const SessionView& view, SessionFact& fact) {
  // Latest non-empty gateway per source; the status source wins, then traces, then events.
  const HeldHeader* gateway_by_source[3] = {nullptr, nullptr, nullptr};
  for (const EvidenceRow& row : view.evidence) {
    const Millis ts = row.header->event_ts;
    if (!row.is_params_update) fact.exists = true;
    KeepMin(fact.first_seen, ts);
    if (!fact.last_seen || ts > *fact.last_seen) fact.last_seen = ts;
    if (fact.session_hint.pipeline.empty()) fact.session_hint.pipeline = row.pipeline;
    if (fact.session_hint.model.empty()) fact.session_hint.model = row.model;
    if (!row.header->gateway.empty()) {
      const HeldHeader*& slot = gateway_by_source[static_cast<int>(row.source) - 1];
      if (!slot || std::tie(ts, row.header->event_id) > std::tie(slot->event_ts, slot->event_id)) {
        slot = row.header;
      }
    }
  }
  for (const Source source : {Source::kStatus, Source::kTrace, Source::kEvent}) {
    if (const auto* header = gateway_by_source[static_cast<int>(source) - 1]) {
      fact.gateway = ToLower(header->gateway);
      break;
    }
  }
  fact.session_start = fact.requested_at ? *fact.requested_at : fact.first_seen.value_or(0);
  fact.session_hour = HourFloor(fact.session_start);
}

// later − earlier; NULL when an edge is missing or the difference is negative (§3).
std::optional<Millis> Latency(std::optional<Millis> earlier, std::optional<Millis> later) {
  if (!earlier || !later || *later < *earlier) return std::nullopt;
  return *later - *earlier;
}

Classification Classify(const SessionFact& f) {
  Classification c;
  c.requested_seen = f.request_count > 0;
  c.playable_seen = f.playable_count > 0;
  c.completed = f.closed_count > 0;
  c.restart_seen = f.max_restart_count > 0;
  c.error_seen = f.error_samples > 0;
  c.degraded_input_seen = f.degraded_input_samples > 0;
  c.degraded_inference_seen = f.degraded_inference_samples > 0;
  const bool has_status = f.status_sample_count > 0;
  c.loading_only = has_status && f.running_state_samples == 0;
  c.zero_output_fps = has_status && f.fps_positive_samples == 0;
  c.output_failed = c.requested_seen && (c.loading_only || c.zero_output_fps);
  c.selection_outcome = !f.selections.empty() ? "selected"
                        : f.no_orch_count > 0 ? "no_orch"
                                              : "unknown";
  c.startup_result = !c.requested_seen ? "unknown" : c.playable_seen ? "success" : "failed";
  c.excusal_reason = "none";
  if (c.startup_result == "failed") {
    if (c.selection_outcome == "no_orch") {
      c.excusal_reason = "no_orch";
    } else if (f.startup_error_count > 0 && f.startup_error_count == f.excusable_error_count) {
      c.excusal_reason = "excusable_error";
    }
  }
  if (c.startup_result == "failed") {
    c.startup_outcome = c.excusal_reason == "none" ? "unexcused" : "excused";
  } else {
    c.startup_outcome = c.startup_result;
  }
  c.effective_failed =
      c.requested_seen && ((c.startup_result == "failed" && c.excusal_reason == "none") ||
                           c.loading_only || c.zero_output_fps);
  c.health_signal_count = int{has_status} + int{c.playable_seen} +
                          int{has_status && !(c.loading_only && c.zero_output_fps)};
  c.health_expected_signal_count = c.requested_seen ? 3 : 0;
  c.startup_latency_ms = Latency(f.requested_at, f.first_processed_at);
  c.prompt_to_first_frame_ms = Latency(f.requested_at, f.playable_at);
  if (f.status_latency_samples > 0) {
    c.e2e_latency_ms =
        MilliToDouble(f.status_latency_sum_ms) / static_cast<double>(f.status_latency_samples);
    c.e2e_source = "status";
  } else if (auto edge = Latency(f.first_ingest_at, f.runner_first_processed_at)) {
    c.e2e_latency_ms = static_cast<double>(*edge);
    c.e2e_source = "edge";
  } else {
    c.e2e_source = "none";
  }
  c.total_duration_ms = std::max<Millis>(0, f.last_seen.value_or(0) - f.session_start);
  return c;
}

}  // namespace

IngestPoint IngestPointOf(const event::IngestSample& sample) {
  return {.video = {sample.video.jitter, sample.video.packets_lost, sample.video.packets_received},
          .audio = {sample.audio.jitter, sample.audio.packets_lost, sample.audio.packets_received},
          .conn_quality = sample.conn_quality};
}

StatusPoint StatusPointOf(const event::StatusSample& sample) {
  return {.pipeline = sample.pipeline,
          .model = sample.model,
          .state = sample.state,
          .is_running = sample.is_running,
          .output_fps = sample.output_fps,
          .input_fps = sample.input_fps,
          .e2e_latency_ms = sample.e2e_latency_ms,
          .restart_count = sample.restart_count,
          .last_error = sample.last_error,
          .has_error = sample.has_error,
          .orch = sample.orch};
}

namespace session_internal {

bool IsCanonicalTrace(std::string_view subtype) {
  static constexpr std::string_view kCanonical[] = {"gateway_receive_stream_request",
                                                    "gateway_send_first_ingest_segment",
                                                    "gateway_receive_first_processed_segment",
                                                    "gateway_receive_few_processed_segments",
                                                    "gateway_receive_first_data_segment",
                                                    "gateway_no_orchestrators_available",
                                                    "orchestrator_swap",
                                                    "gateway_ingest_stream_closed"};
  return std::find(std::begin(kCanonical), std::end(kCanonical), subtype) != std::end(kCanonical);
}

}  // namespace session_internal

SessionFact BuildSession(std::string_view org, std::string_view session_key,
                         const SessionRecords& records, const Matcher& matcher) {
  const SessionView view = MakeView(records);
  SessionFact fact;
  fact.org = std::string(org);
  fact.session_key = std::string(session_key);
  SplitKey(session_key, fact);
  ApplyTraces(view, fact);
  ApplyStatuses(view, fact);
  ApplyEvents(view, fact);
  ApplyEvidence(view, fact);
  session_internal::ResolveSelections(view, matcher, fact);
  session_internal::DeriveFailures(view, fact);
  session_internal::BuildSessionHours(view, fact);
  fact.classification = Classify(fact);
  return fact;
}

}  // namespace naap::resolve
