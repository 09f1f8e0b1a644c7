// ai_batch_request — non-live AI jobs (spec/events.md §4.8).
#include "base/strings.h"
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {

bool DecodeAiBatchRequest(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  PayloadReader& r = ctx.reader;
  BatchEvent& b = ctx.records.batch_events.emplace_back();
  if (!r.RequireStr(data, kDataPath, "request_id", b.request_id)) return false;
  PipelineModel pm =
      NormalizeHints(r.Str(data, kDataPath, "pipeline"), r.Str(data, kDataPath, "model_id"));
  b.pipeline = std::move(pm.pipeline);
  b.model = std::move(pm.model);
  b.success = r.Bool(data, kDataPath, "success");
  b.tries = r.Int(data, kDataPath, "tries", true);
  b.duration_ms = r.Int(data, kDataPath, "duration_ms");
  ReadUrl(r, data, kDataPath, "orch_url", b.orch_url, b.orch_url_norm);
  b.latency_score = r.Num(data, kDataPath, "latency_score");
  b.price_per_unit = r.Num(data, kDataPath, "price_per_unit");
  b.error_type = ToLower(r.Str(data, kDataPath, "error_type"));
  b.error = r.Str(data, kDataPath, "error");
  return true;
}

}  // namespace naap::event
