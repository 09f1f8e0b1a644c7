// worker_lifecycle — BYOC worker registration, drained from orchestrators (spec/events.md §4.14).
#include "base/strings.h"
#include "event/families.h"
#include "event/normalize.h"

namespace naap::event {

bool DecodeWorkerLifecycle(FamilyContext& ctx) {
  JsonObject data;
  if (!RequireDataObject(ctx, data) || !RequireSubtype(ctx, data)) return false;
  PayloadReader& r = ctx.reader;
  WorkerSnapshot& w = ctx.records.worker_snapshots.emplace_back();
  w.worker_event_id = r.Str(data, kDataPath, "id");
  constexpr std::string_view kPrefix = "worker_";
  w.lifecycle_action = ctx.subtype == "worker_registered" || ctx.subtype == "worker_unregistered" ||
                               ctx.subtype == "worker_capacity_exhausted"
                           ? ctx.subtype.substr(kPrefix.size())
                           : ctx.subtype;
  w.capability = ReadByocCapability(r, data);
  w.orch = ReadOrchInfo(r, data);
  ReadUrl(r, data, kDataPath, "worker_url", w.worker_url, w.worker_url_norm);
  w.price_per_unit = r.Num(data, kDataPath, "price_per_unit");
  auto options = Member(data, "worker_options");
  JsonArray list;
  if (options && options->get_array().get(list) == simdjson::SUCCESS) {
    constexpr std::string_view kPath = "data.worker_options[]";
    for (JsonElement value : list) {
      JsonObject option;
      if (value.get_object().get(option) != simdjson::SUCCESS) continue;
      std::string model = r.Str(option, kPath, "model");
      if (model.empty()) model = r.Str(option, kPath, "model_id");
      if (!model.empty()) w.models.push_back(NormalizeHints("", model).model);
    }
  } else if (options) {
    r.Mismatch(kDataPath, "worker_options", "not an array");
  }
  if (!w.models.empty()) w.model = w.models.front();
  return true;
}

}  // namespace naap::event
