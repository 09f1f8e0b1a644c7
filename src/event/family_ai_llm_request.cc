// ai_llm_request — LLM request metrics (spec/events.md §4.9).
#include "base/strings.h"
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {

bool DecodeAiLlmRequest(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  PayloadReader& r = ctx.reader;
  std::string request_id;
  if (!r.RequireStr(data, kDataPath, "request_id", request_id)) return false;
  if (ctx.subtype == "llm_request_started") return true;  // accepted, no LLM record
  LlmEvent& e = ctx.records.llm_events.emplace_back();
  e.request_id = std::move(request_id);
  PipelineModel pm = NormalizeHints("llm", r.Str(data, kDataPath, "model"));
  e.pipeline = std::move(pm.pipeline);
  e.model = std::move(pm.model);
  e.completion_id = r.Str(data, kDataPath, "completion_id");
  ReadUrl(r, data, kDataPath, "orch_url", e.orch_url, e.orch_url_norm);
  e.streaming = r.Bool(data, kDataPath, "streaming");
  e.prompt_tokens = r.Int(data, kDataPath, "prompt_tokens", true);
  e.completion_tokens = r.Int(data, kDataPath, "completion_tokens", true);
  e.total_tokens = r.Int(data, kDataPath, "total_tokens", true);
  e.max_tokens_requested = r.Int(data, kDataPath, "max_tokens_requested", true);
  e.token_utilization = r.Num(data, kDataPath, "token_utilization");
  e.finish_reason = ToLower(r.Str(data, kDataPath, "finish_reason"));
  e.total_duration_ms = r.Int(data, kDataPath, "total_duration_ms");
  e.tokens_per_second = r.Num(data, kDataPath, "tokens_per_second");
  e.latency_score = r.Num(data, kDataPath, "latency_score");
  e.price_per_unit = r.Num(data, kDataPath, "price_per_unit");
  if (ctx.subtype == "llm_stream_completed") {
    e.ttft_ms = r.Int(data, kDataPath, "ttft_ms");
    e.error = r.Str(data, kDataPath, "error");
  }
  return true;
}

}  // namespace naap::event
