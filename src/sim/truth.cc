#include "sim/truth.h"

#include "base/json_writer.h"

namespace naap::sim {
namespace {

constexpr std::string_view kIgnoreReasonNames[] = {
    "unsupported_event_family", "ignored_stream_trace_non_core_app",
    "ignored_stream_trace_scope_client_noise", "unsupported_stream_trace_type"};
constexpr std::string_view kRejectReasonNames[] = {"malformed_json", "missing_event_id"};

// Writes the non-zero entries of a counter array as an object keyed by name.
template <size_t N, typename NameFn>
void WriteCounterMap(JsonWriter& w, std::string_view key, const std::array<int64_t, N>& counts, NameFn name) {
  w.Key(key).BeginObject();
  for (size_t i = 0; i < N; ++i) {
    if (counts[i] != 0) w.Key(name(i)).Int(counts[i]);
  }
  w.EndObject();
}

void WriteClassCounts(JsonWriter& w, const ClassCounts& c) {
  w.Key("lines").Int(c.lines).Key("accepted").Int(c.accepted);
  WriteCounterMap(w, "ignored", c.ignored, [](size_t i) { return kIgnoreReasonNames[i]; });
  WriteCounterMap(w, "rejected", c.rejected, [](size_t i) { return kRejectReasonNames[i]; });
  w.Key("duplicates").Int(c.duplicates);
  WriteCounterMap(w, "accepted_by_family", c.accepted_by_family,
                  [](size_t i) { return FamilyName(static_cast<Family>(i)); });
}

template <typename Fn>
void ForEachOrgWithLines(const Truth& t, Fn fn) {
  for (size_t i = 0; i < t.by_org.size(); ++i) {
    if (t.by_org[i].lines > 0) fn(static_cast<Org>(i), i);
  }
}

}  // namespace

std::string_view OrgName(Org org) {
  switch (org) {
    case Org::kCloudspe: return "cloudspe";
    case Org::kDaydream: return "daydream";
    default: return "";
  }
}

std::string_view OrgTopic(Org org) {
  switch (org) {
    case Org::kCloudspe: return "streaming_events";
    case Org::kDaydream: return "network_events";
    default: return "";
  }
}

std::string_view FamilyName(Family family) {
  static constexpr std::string_view kNames[] = {
      "stream_trace",      "ai_stream_status", "ai_stream_events", "stream_ingest_metrics",
      "network_capabilities", "discovery_results", "create_new_payment", "ai_batch_request",
      "ai_llm_request",    "job_gateway",      "job_orchestrator", "job_auth",
      "job_payment",       "worker_lifecycle"};
  return kNames[static_cast<size_t>(family)];
}

void ClassCounts::Count(LineClass c) {
  ++lines;
  switch (c.kind) {
    case LineClass::kAccepted:
      ++accepted;
      ++accepted_by_family[c.code];
      break;
    case LineClass::kIgnored: ++ignored[c.code]; break;
    case LineClass::kRejected: ++rejected[c.code]; break;
    case LineClass::kDuplicate: ++duplicates; break;
  }
}

std::string Truth::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  WriteClassCounts(w, total);
  w.Key("by_org").BeginObject();
  ForEachOrgWithLines(*this, [&](Org org, size_t i) {
    w.Key(OrgName(org)).BeginObject();
    WriteClassCounts(w, by_org[i]);
    w.EndObject();
  });
  w.EndObject();
  w.Key("streams").BeginObject();
  ForEachOrgWithLines(*this, [&](Org org, size_t i) {
    if (org == Org::kNone) return;
    w.Key(OrgName(org)).BeginObject();
    for (const auto& [key, s] : streams[i]) {
      w.Key(key).BeginObject().Key("requested").Int(s.requested).Key("startup_success").Int(s.startup_success);
      w.Key("swapped").Int(s.swapped).EndObject();
    }
    w.EndObject();
  });
  w.EndObject();
  w.Key("no_orchestrator_sessions").BeginObject();
  ForEachOrgWithLines(*this, [&](Org org, size_t i) {
    if (org != Org::kNone) w.Key(OrgName(org)).Int(no_orchestrator_sessions[i]);
  });
  w.EndObject();
  w.Key("jobs").BeginObject();
  ForEachOrgWithLines(*this, [&](Org org, size_t i) {
    if (org == Org::kNone) return;
    w.Key(OrgName(org)).BeginObject();
    for (const auto& [name, j] : jobs[i]) {
      w.Key(name).BeginObject().Key("jobs").Int(j.jobs).Key("success").Int(j.success).EndObject();
    }
    w.EndObject();
  });
  w.EndObject();
  w.EndObject();
  return w.Take();
}

}  // namespace naap::sim
