// §2.4 session hours (per-sample sums, sketch inputs, terminal-tail flag) and §2.9 ingest
// transport with packet-counter deltas against the session's earlier hours.
#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include "resolve/session_internal.h"

namespace naap::resolve::session_internal {
namespace {

void AddStatus(const StatusPoint& r, SessionHour& h) {
  ++h.status_samples;
  if (r.is_running) ++h.running_state_samples;
  if (r.output_fps && *r.output_fps > 0) {
    ++h.fps_positive_samples;
    h.output_fps_sum += MilliOf(*r.output_fps);
    h.output_fps_sketch.Add(*r.output_fps);
    if (r.input_fps && *r.input_fps > 0) {
      ++h.input_fps_samples;
      h.input_fps_sum += MilliOf(*r.input_fps);
      h.input_fps_sketch.Add(*r.input_fps);
    }
  }
  if (r.state == "DEGRADED_INPUT") ++h.degraded_input_samples;
  if (r.state == "DEGRADED_INFERENCE") ++h.degraded_inference_samples;
  if (r.has_error) ++h.error_status_samples;
  if (r.e2e_latency_ms && *r.e2e_latency_ms > 0) {
    ++h.status_latency_samples;
    h.status_latency_sum_ms += MilliOf(*r.e2e_latency_ms);
    h.status_latency_sketch.Add(*r.e2e_latency_ms);
  }
}

// The four cumulative packet counters of an ingest sample, in IngestTransport field order.
using PacketCounters = std::array<std::optional<int64_t>, 4>;

PacketCounters CountersOf(const IngestPoint& r) {
  return {r.video.packets_lost, r.video.packets_received, r.audio.packets_lost,
          r.audio.packets_received};
}

std::array<int64_t*, 4> CounterSlots(IngestTransport& t) {
  return {&t.video_packets_lost, &t.video_packets_received, &t.audio_packets_lost,
          &t.audio_packets_received};
}

void AddIngest(const IngestPoint& r, IngestTransport& t) {
  ++t.ingest_samples;
  if (r.video.jitter) {
    ++t.video_jitter_samples;
    t.video_jitter_sum += MilliOf(*r.video.jitter);
  }
  if (r.audio.jitter) {
    ++t.audio_jitter_samples;
    t.audio_jitter_sum += MilliOf(*r.audio.jitter);
  }
  if (r.conn_quality == "good") ++t.conn_good;
  if (r.conn_quality == "fair") ++t.conn_fair;
  if (r.conn_quality == "poor") ++t.conn_poor;
}

// Fills the packet deltas: max in the hour minus the max over earlier hours, floored at 0.
void ApplyPacketDeltas(const SessionView& view, std::map<Millis, SessionHour>& hours) {
  std::map<Millis, PacketCounters> hour_max;
  for (const auto* in : view.ingests) {
    PacketCounters& slot = hour_max[HourFloor(in->header.event_ts)];
    const PacketCounters values = CountersOf(in->record);
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] && (!slot[i] || *values[i] > *slot[i])) slot[i] = values[i];
    }
  }
  std::array<int64_t, 4> earlier_max{};
  for (const auto& [hour, maxima] : hour_max) {
    const auto slots = CounterSlots(hours[hour].ingest);
    for (size_t i = 0; i < maxima.size(); ++i) {
      if (!maxima[i]) continue;
      *slots[i] = std::max<int64_t>(0, *maxima[i] - earlier_max[i]);
      earlier_max[i] = std::max(earlier_max[i], *maxima[i]);
    }
  }
}

bool QuietTail(const SessionHour& h) {
  return h.fps_positive_samples == 0 && h.running_state_samples == 0 && h.status_samples < 3;
}

void MarkTerminalTail(SessionFact& fact) {
  if (!fact.exists || !fact.last_seen) return;
  const SessionHour* previous_with_status = nullptr;
  for (SessionHour& h : fact.hours) {
    if (h.status_samples == 0) continue;
    const bool ends_here = h.hour <= *fact.last_seen && *fact.last_seen < h.hour + kHourMs;
    const bool previous_quiet = previous_with_status == nullptr || QuietTail(*previous_with_status);
    h.is_terminal_tail_artifact =
        fact.session_start < h.hour && ends_here && QuietTail(h) && previous_quiet;
    previous_with_status = &h;
  }
}

}  // namespace

void BuildSessionHours(const SessionView& view, SessionFact& fact) {
  std::map<Millis, SessionHour> hours;
  auto hour_of = [&hours](const HeldHeader& header) -> SessionHour& {
    const Millis hour = HourFloor(header.event_ts);
    SessionHour& h = hours[hour];
    h.hour = hour;
    return h;
  };
  for (const auto* t : view.traces) hour_of(t->header);
  for (const auto* e : view.events) hour_of(e->header);
  for (const EvidenceRow& row : view.evidence) ++hour_of(*row.header).evidence_events;
  for (const auto* s : view.statuses) AddStatus(s->record, hour_of(s->header));
  for (const auto* in : view.ingests) AddIngest(in->record, hour_of(in->header).ingest);
  ApplyPacketDeltas(view, hours);
  for (const FailureEvent& f : fact.failures) {
    SessionHour& h = hours[HourFloor(f.failure_ts)];
    if (f.failure_type == "inference_restart") ++h.inference_restarts;
    if (f.failure_type == "inference_error") ++h.inference_errors;
  }
  for (auto& [hour, h] : hours) {
    if (h.fps_positive_samples > 0) {
      h.avg_output_fps_hour =
          MilliToDouble(h.output_fps_sum) / static_cast<double>(h.fps_positive_samples);
    }
    fact.hours.push_back(std::move(h));
  }
  MarkTerminalTail(fact);
}

}  // namespace naap::resolve::session_internal
