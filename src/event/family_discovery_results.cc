// discovery_results — a gateway's discovery pass (spec/events.md §4.6).
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {

bool DecodeDiscoveryResults(FamilyContext& ctx) {
  JsonArray candidates;
  if (ctx.data.get_array().get(candidates) != simdjson::SUCCESS) {
    return ctx.reader.Fail("", "data", ctx.data.is_null() ? "absent" : "not an array");
  }
  if (candidates.size() == 0) return ctx.reader.Fail("", "data", "empty array");
  constexpr std::string_view kPath = "data[]";
  PayloadReader& r = ctx.reader;
  int rank = 0;
  for (JsonElement value : candidates) {
    JsonObject candidate;
    DiscoveryRow row;
    row.rank = rank++;
    if (value.get_object().get(candidate) == simdjson::SUCCESS) {
      row.orch_reported_address = NormalizeAddress(r.Str(candidate, kPath, "address"));
      ReadUrl(r, candidate, kPath, "url", row.orch_url, row.orch_url_norm);
    }
    if (row.orch_reported_address.empty() && row.orch_url.empty()) {
      r.SkipElement("discovery element");
      continue;
    }
    row.latency_ms = r.Num(candidate, kPath, "latency_ms", true);
    ctx.records.discovery_rows.push_back(std::move(row));
  }
  return true;
}

}  // namespace naap::event
