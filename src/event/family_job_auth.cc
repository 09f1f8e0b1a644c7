// job_auth — BYOC authorisation results (spec/events.md §4.12).
#include "event/families.h"

namespace naap::event {

bool DecodeJobAuth(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  PayloadReader& r = ctx.reader;
  AuthEvent& a = ctx.records.auth_events.emplace_back();
  a.capability = r.Str(data, kDataPath, "capability");
  a.pipeline = r.Str(data, kDataPath, "pipeline");
  a.pipeline_id = r.Str(data, kDataPath, "pipeline_id");
  a.stream_name = r.Str(data, kDataPath, "stream_name");
  a.stream_id = r.Str(data, kDataPath, "stream_id");
  a.request_id = r.Str(data, kDataPath, "request_id");
  a.gateway_host = r.Str(data, kDataPath, "gateway_host");
  a.capability_name = a.capability.empty() ? a.pipeline : a.capability;
  a.success = r.Bool(data, kDataPath, "success");
  a.error = r.Str(data, kDataPath, "error");
  a.orch = ReadOrchInfo(r, data);
  return true;
}

}  // namespace naap::event
