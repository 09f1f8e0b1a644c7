// ai_stream_status — runner status samples (spec/events.md §4.2).
#include "base/strings.h"
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
constexpr std::string_view kInference = "data.inference_status";
constexpr std::string_view kInput = "data.input_status";

bool IsRunningState(std::string_view state) {
  return state == "ONLINE" || state == "DEGRADED_INPUT" || state == "DEGRADED_INFERENCE";
}
}  // namespace

bool DecodeAiStreamStatus(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data)) return false;
  StatusSample& s = ctx.records.status_samples.emplace_back();
  if (!ReadStreamKey(ctx, data, s.key)) return false;
  PayloadReader& r = ctx.reader;
  std::optional<JsonObject> inference = r.Obj(data, kDataPath, "inference_status");
  std::optional<JsonObject> input = r.Obj(data, kDataPath, "input_status");

  // pipeline, falling back to inference_status.pipeline; one of them is required.
  auto top = Member(data, "pipeline");
  bool has_pipeline = top && ReadString(*top, s.raw_pipeline_hint) == FieldState::kOk;
  if (s.raw_pipeline_hint.empty() && inference) {
    auto nested = Member(*inference, "pipeline");
    std::string nested_hint;
    if (nested && ReadString(*nested, nested_hint) == FieldState::kOk) {
      has_pipeline = true;
      s.raw_pipeline_hint = std::move(nested_hint);
    }
  }
  if (!has_pipeline) return r.Fail(kDataPath, "pipeline", "absent");

  s.pipeline_id = r.Str(data, kDataPath, "pipeline_id");
  PipelineModel pm = NormalizeHints("", s.raw_pipeline_hint);
  s.pipeline = std::move(pm.pipeline);
  s.model = std::move(pm.model);
  s.state = ToUpper(r.Str(data, kDataPath, "state"));
  s.is_running = IsRunningState(s.state);
  s.start_time_ms = r.Ts(data, kDataPath, "start_time");
  if (!s.start_time_ms && inference) s.start_time_ms = r.Ts(*inference, kInference, "start_time");
  if (inference) {
    JsonObject inf = *inference;
    s.output_fps = r.Num(inf, kInference, "fps", true);
    if (!s.output_fps) s.output_fps = r.Num(inf, kInference, "output_fps", true);
    s.e2e_latency_ms = r.Num(inf, kInference, "latency_ms");
    s.restart_count = r.Int(inf, kInference, "restart_count", true);
    s.last_error = r.Str(inf, kInference, "last_error");
    s.last_error_time_ms = r.Ts(inf, kInference, "last_error_time");
    s.last_restart_time_ms = r.Ts(inf, kInference, "last_restart_time");
  }
  if (input) s.input_fps = r.Num(*input, kInput, "fps", true);
  if (!s.input_fps && inference) s.input_fps = r.Num(*inference, kInference, "input_fps", true);
  s.has_error = !s.last_error.empty() && !EqualsIgnoringCase(s.last_error, "null");
  s.orch = ReadOrchInfo(r, data);
  return true;
}

}  // namespace naap::event
