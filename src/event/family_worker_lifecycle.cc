// worker_lifecycle — BYOC worker registration, drained from orchestrators (spec/events.md §4.14).
#include "base/strings.h"
#include "event/families.h"
#include "event/json_span.h"
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
    // The raw array (§4.14): its text as received, minified; from the DOM if the text is unknown.
    if (auto text = JsonMemberSpan(ctx.data_text, "worker_options")) {
      JsonMinify(*text, w.options_raw);
    } else {
      w.options_raw = simdjson::minify(*options);
    }
    constexpr std::string_view kPath = "data.worker_options[]";
    for (JsonElement value : list) {
      JsonObject option;
      if (value.get_object().get(option) != simdjson::SUCCESS) continue;
      std::string model = r.Str(option, kPath, "model");
      if (model.empty()) model = r.Str(option, kPath, "model_id");
      // Normalised (§5.5), a pipeline name in the model slot is no model: it is skipped.
      std::string normalized = NormalizeHints("", model).model;
      if (!normalized.empty()) w.models.push_back(std::move(normalized));
    }
  } else if (options) {
    r.Mismatch(kDataPath, "worker_options", "not an array");
  }
  if (!w.models.empty()) w.model = w.models.front();
  return true;
}

}  // namespace naap::event
