#pragma once
// Per-family payload decoders (spec/events.md §4), one .cc file per family, and the helpers
// they share. A decoder fills ctx.records and returns true, or returns false with the reject
// detail in ctx.reader (→ invalid_payload).
#include <string>
#include <string_view>

#include "event/payload_reader.h"
#include "event/records.h"

namespace naap::event {

struct FamilyContext {
  JsonElement data;             // the payload (a string holding JSON already parsed)
  // Exact JSON text of `data` when the decoder has it: always for the families that keep raw
  // JSON (network_capabilities, worker_lifecycle); else only when `data` came as a string.
  std::string_view data_text;
  std::string_view org;
  std::string& subtype;         // trimmed, lower-cased data.type; a decoder may canonicalise it
  PayloadReader& reader;
  Records& records;
  std::vector<std::string_view>& scratch_spans;  // reusable buffer
  std::string& scratch_text;                     // reusable buffer
};

using FamilyDecoder = bool (*)(FamilyContext& ctx);

// An accepted family (§4.0): its decoder, and whether `data.type` is its subtype.
struct Family {
  std::string_view name;
  FamilyDecoder decoder;
  bool has_subtype;
};
// The accepted family named `family`, or nullptr when it is not accepted.
const Family* FindFamily(std::string_view family);

// §3.1 rows 8–10 for stream_trace: the ignore reason, or "" when the subtype is accepted.
std::string_view StreamTraceIgnoreReason(JsonElement data, std::string_view subtype);

bool DecodeStreamTrace(FamilyContext& ctx);
bool DecodeAiStreamStatus(FamilyContext& ctx);
bool DecodeAiStreamEvents(FamilyContext& ctx);
bool DecodeStreamIngestMetrics(FamilyContext& ctx);
bool DecodeNetworkCapabilities(FamilyContext& ctx);
bool DecodeDiscoveryResults(FamilyContext& ctx);
bool DecodeCreateNewPayment(FamilyContext& ctx);
bool DecodeAiBatchRequest(FamilyContext& ctx);
bool DecodeAiLlmRequest(FamilyContext& ctx);
bool DecodeJobGateway(FamilyContext& ctx);
bool DecodeJobOrchestrator(FamilyContext& ctx);
bool DecodeJobAuth(FamilyContext& ctx);
bool DecodeJobPayment(FamilyContext& ctx);
bool DecodeWorkerLifecycle(FamilyContext& ctx);

// ---- shared helpers (family_common.cc) ----
inline constexpr std::string_view kDataPath = "data";

// data as an object; false + detail "data: not an object" otherwise.
bool RequireDataObject(FamilyContext& ctx, JsonObject& out);
// Required non-empty data.type (families whose subtype is required).
bool RequireSubtype(FamilyContext& ctx, JsonObject data);
// orchestrator_info (§4.0); absent object or members → "".
OrchInfo ReadOrchInfo(PayloadReader& reader, JsonObject data);
// A URL member as (trimmed url, normalised url).
void ReadUrl(PayloadReader& reader, JsonObject obj, std::string_view path, std::string_view key,
             std::string& url, std::string& url_norm);
// Required stream_id / request_id and the session key (§5.4), with note unkeyed_session.
bool ReadStreamKey(FamilyContext& ctx, JsonObject data, StreamKey& key);
// BYOC capability (§4.10): trimmed verbatim and lower-cased.
ByocCapability ReadByocCapability(PayloadReader& reader, JsonObject data);

}  // namespace naap::event
