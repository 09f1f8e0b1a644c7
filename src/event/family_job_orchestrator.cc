// job_orchestrator — orchestrator-side BYOC job events, relayed (spec/events.md §4.11).
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {

bool DecodeJobOrchestrator(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  PayloadReader& r = ctx.reader;
  OrchestratorJobEvent& j = ctx.records.orchestrator_job_events.emplace_back();
  j.request_id = r.Str(data, kDataPath, "request_id");
  j.capability = ReadByocCapability(r, data);
  j.success = r.Bool(data, kDataPath, "success");
  j.duration_ms = r.Int(data, kDataPath, "duration_ms");
  j.http_status = r.Int(data, kDataPath, "http_status");
  ReadUrl(r, data, kDataPath, "worker_url", j.worker_url, j.worker_url_norm);
  j.charged_compute = r.Bool(data, kDataPath, "charged_compute");
  j.has_payment = r.Bool(data, kDataPath, "has_payment");
  j.price_per_unit = r.Num(data, kDataPath, "price_per_unit");
  j.pixels_per_unit = r.Num(data, kDataPath, "pixels_per_unit");
  j.error = r.Str(data, kDataPath, "error");
  j.orch = ReadOrchInfo(r, data);
  return true;
}

}  // namespace naap::event
