// stream_trace — live-stream lifecycle milestones (spec/events.md §4.1).
#include <array>

#include "base/strings.h"
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
constexpr std::array<std::string_view, 10> kAcceptedSubtypes = {
    "gateway_receive_stream_request",       "gateway_send_first_ingest_segment",
    "gateway_receive_first_processed_segment", "gateway_receive_few_processed_segments",
    "gateway_receive_first_data_segment",   "gateway_no_orchestrators_available",
    "orchestrator_swap",                    "gateway_ingest_stream_closed",
    "runner_receive_first_ingest_segment",  "runner_send_first_processed_segment"};

constexpr std::array<std::string_view, 12> kScopeSubtypes = {
    "stream_heartbeat", "pipeline_load_start",  "pipeline_loaded",        "session_created",
    "stream_started",   "playback_ready",       "session_closed",         "stream_stopped",
    "pipeline_unloaded", "websocket_connected", "websocket_disconnected", "error"};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& list, std::string_view s) {
  for (auto x : list) {
    if (x == s) return true;
  }
  return false;
}
}  // namespace

std::string_view StreamTraceIgnoreReason(JsonElement data, std::string_view subtype) {
  if (StartsWith(subtype, "app_")) return "ignored_stream_trace_non_core_app";
  JsonObject obj;
  if (data.get_object().get(obj) == simdjson::SUCCESS && Contains(kScopeSubtypes, subtype)) {
    auto source = Member(obj, "client_source");
    std::string_view s;
    if (source && source->get_string().get(s) == simdjson::SUCCESS &&
        EqualsIgnoringCase(TrimView(s), "scope")) {
      return "ignored_stream_trace_scope_client_noise";
    }
  }
  if (!Contains(kAcceptedSubtypes, subtype)) return "unsupported_stream_trace_type";
  return "";
}

bool DecodeStreamTrace(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data)) return false;
  StreamTrace& t = ctx.records.stream_traces.emplace_back();
  if (!ReadStreamKey(ctx, data, t.key)) return false;
  PayloadReader& r = ctx.reader;
  t.pipeline_id = r.Str(data, kDataPath, "pipeline_id");
  t.raw_pipeline_hint = r.Str(data, kDataPath, "pipeline");
  t.message = r.Str(data, kDataPath, "message");
  t.orch = ReadOrchInfo(r, data);
  PipelineModel pm = NormalizeHints(t.pipeline_id, t.raw_pipeline_hint);
  t.pipeline = std::move(pm.pipeline);
  t.model = std::move(pm.model);
  return true;
}

}  // namespace naap::event
