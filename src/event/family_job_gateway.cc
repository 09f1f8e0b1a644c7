// job_gateway — BYOC job lifecycle on the gateway (spec/events.md §4.10).
#include <array>

#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
struct ShortForm {
  std::string_view short_name;
  std::string_view composite;
};
constexpr std::array<ShortForm, 4> kShortForms = {{
    {"submitted", "job_gateway_submitted"},
    {"completed", "job_gateway_completed"},
    {"discovery_result", "job_orchestrator_discovery_result"},
    {"token_fetch_result", "job_orchestrator_token_fetch_result"},
}};
}  // namespace

bool DecodeJobGateway(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  for (const auto& f : kShortForms) {
    if (ctx.subtype == f.short_name) ctx.subtype = f.composite;
  }
  PayloadReader& r = ctx.reader;
  ByocJobEvent& j = ctx.records.byoc_job_events.emplace_back();
  j.request_id = r.Str(data, kDataPath, "request_id");
  j.capability = ReadByocCapability(r, data);
  j.attempt_index = r.Int(data, kDataPath, "attempt_index");
  j.success = r.Bool(data, kDataPath, "success");
  j.error = r.Str(data, kDataPath, "error");
  j.duration_ms = r.Int(data, kDataPath, "duration_ms");
  j.completed_at_ms = r.Ts(data, kDataPath, "completed_at");
  j.http_status = r.Int(data, kDataPath, "http_status");
  j.streaming = r.Bool(data, kDataPath, "streaming");
  j.orch = ReadOrchInfo(r, data);
  if (j.orch.orch_url.empty()) {
    ReadUrl(r, data, kDataPath, "orch_url", j.orch.orch_url, j.orch.orch_url_norm);
  }
  j.latency_ms = r.Int(data, kDataPath, "latency_ms");
  j.available_capacity = r.Int(data, kDataPath, "available_capacity");
  j.selected = r.Int(data, kDataPath, "selected");
  j.is_job = ctx.subtype == "job_gateway_completed";
  return true;
}

}  // namespace naap::event
