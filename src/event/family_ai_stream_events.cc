// ai_stream_events — generic AI stream events (spec/events.md §4.3).
#include <array>

#include "base/strings.h"
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
constexpr std::array<std::string_view, 6> kExcusableErrors = {
    "no orchestrators available", "mediamtx ingest disconnected", "whip disconnected",
    "missing video",              "ice connection state failed",  "user disconnected"};
}  // namespace

bool DecodeAiStreamEvents(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  StreamEvent& e = ctx.records.stream_events.emplace_back();
  if (!ReadStreamKey(ctx, data, e.key)) return false;
  PayloadReader& r = ctx.reader;
  e.event_name = ctx.subtype;
  e.raw_pipeline_hint = r.Str(data, kDataPath, "pipeline");
  e.pipeline_id = r.Str(data, kDataPath, "pipeline_id");
  PipelineModel pm = NormalizeHints("", e.raw_pipeline_hint);
  e.pipeline = std::move(pm.pipeline);
  e.model = std::move(pm.model);
  e.message = r.Str(data, kDataPath, "message");
  e.capability_label = r.Str(data, kDataPath, "capability");
  e.orch = ReadOrchInfo(r, data);
  e.is_error = e.event_name == "error";
  e.is_swap = e.event_name.find("swap") != std::string::npos;
  e.is_params_update = e.event_name == "params_update";
  if (e.is_error) {
    for (auto needle : kExcusableErrors) {
      if (ContainsIgnoringCase(e.message, needle)) e.is_excusable_error = true;
    }
  }
  return true;
}

}  // namespace naap::event
