#include <algorithm>
#include <array>

#include "base/strings.h"
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
// §4.0's table: four families have no subtype ("—").
constexpr std::array<Family, 14> kFamilies = {{
    {"stream_trace", DecodeStreamTrace, true},
    {"ai_stream_status", DecodeAiStreamStatus, true},
    {"ai_stream_events", DecodeAiStreamEvents, true},
    {"stream_ingest_metrics", DecodeStreamIngestMetrics, false},
    {"network_capabilities", DecodeNetworkCapabilities, false},
    {"discovery_results", DecodeDiscoveryResults, false},
    {"create_new_payment", DecodeCreateNewPayment, false},
    {"ai_batch_request", DecodeAiBatchRequest, true},
    {"ai_llm_request", DecodeAiLlmRequest, true},
    {"job_gateway", DecodeJobGateway, true},
    {"job_orchestrator", DecodeJobOrchestrator, true},
    {"job_auth", DecodeJobAuth, true},
    {"job_payment", DecodeJobPayment, true},
    {"worker_lifecycle", DecodeWorkerLifecycle, true},
}};
}  // namespace

std::vector<std::string_view> AcceptedFamilyNames() {
  std::vector<std::string_view> names;
  for (const auto& f : kFamilies) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  return names;
}

const Family* FindFamily(std::string_view family) {
  for (const Family& f : kFamilies) {
    if (f.name == family) return &f;
  }
  return nullptr;
}

bool RequireDataObject(FamilyContext& ctx, JsonObject& out) {
  if (ctx.data.get_object().get(out) != simdjson::SUCCESS) {
    return ctx.reader.Fail("", "data", ctx.data.is_null() ? "absent" : "not an object");
  }
  return true;
}

bool RequireSubtype(FamilyContext& ctx, JsonObject data) {
  std::string type;
  return ctx.reader.RequireStr(data, kDataPath, "type", type, /*non_empty=*/true);
}

void ReadUrl(PayloadReader& reader, JsonObject obj, std::string_view path, std::string_view key,
             std::string& url, std::string& url_norm) {
  url = reader.Str(obj, path, key);
  url_norm = NormalizeUrl(url);
}

OrchInfo ReadOrchInfo(PayloadReader& reader, JsonObject data) {
  OrchInfo info;
  auto member = Member(data, "orchestrator_info");
  if (!member) return info;
  JsonObject obj;
  if (member->get_object().get(obj) != simdjson::SUCCESS) {
    reader.Mismatch(kDataPath, "orchestrator_info", "not an object");
    return info;
  }
  constexpr std::string_view kPath = "data.orchestrator_info";
  info.orch_reported_address = NormalizeAddress(reader.Str(obj, kPath, "address"));
  ReadUrl(reader, obj, kPath, "url", info.orch_url, info.orch_url_norm);
  return info;
}

bool ReadStreamKey(FamilyContext& ctx, JsonObject data, StreamKey& key) {
  if (!ctx.reader.RequireStr(data, kDataPath, "stream_id", key.stream_id) ||
      !ctx.reader.RequireStr(data, kDataPath, "request_id", key.request_id)) {
    return false;
  }
  key.session_key = SessionKey(ctx.org, key.stream_id, key.request_id);
  if (key.session_key.empty()) {
    ctx.reader.AddNote("unkeyed_session", kDataPath, "stream_id", "stream_id and request_id empty");
  }
  return true;
}

ByocCapability ReadByocCapability(PayloadReader& reader, JsonObject data) {
  ByocCapability c;
  c.capability = reader.Str(data, kDataPath, "capability");
  c.capability_norm = ToLower(c.capability);
  return c;
}

}  // namespace naap::event
