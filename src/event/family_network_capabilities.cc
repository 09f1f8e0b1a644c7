// network_capabilities — orchestrator capability snapshots (spec/events.md §4.5): one snapshot
// per usable element, with its offers, prices and hardware rows.
#include <algorithm>
#include <charconv>

#include "base/hash.h"
#include "base/strings.h"
#include "event/catalog.h"
#include "event/families.h"
#include "event/json_span.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
constexpr std::string_view kElement = "data[]";
constexpr std::string_view kCapabilities = "data[].capabilities";
constexpr std::string_view kConstraints = "data[].capabilities.constraints";
constexpr std::string_view kPerCapability = "data[].capabilities.constraints.PerCapability.{capId}";
constexpr std::string_view kOffer = "data[].capabilities.constraints.PerCapability.models";
constexpr std::string_view kHardware = "data[].hardware[]";
constexpr std::string_view kGpu = "data[].hardware[].gpu_info";
constexpr int64_t kMiB = 1'048'576;

std::optional<int> ParseDecimalKey(std::string_view key) {
  int v = 0;
  if (key.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
  if (ec != std::errc() || end != key.data() + key.size() || v < 0) return std::nullopt;
  return v;
}

// An exact integer > 0 within the wei range.
std::optional<Wei> PositiveExactInt(std::optional<JsonElement> e) {
  Decimal d;
  if (!e || ReadDecimal(*e, d) != FieldState::kOk || !d.IsInteger()) return std::nullopt;
  auto w = d.FloorToWei();
  if (!w || w->value() == 0) return std::nullopt;
  return w;
}

void ReadOffers(PayloadReader& r, JsonObject capabilities, CapabilitySnapshot& snap) {
  auto constraints = r.Obj(capabilities, kCapabilities, "constraints");
  if (!constraints) return;
  auto per_capability = r.Obj(*constraints, kConstraints, "PerCapability");
  if (!per_capability) return;
  for (auto [cap_key, cap_value] : *per_capability) {
    std::optional<int> capability_id = ParseDecimalKey(cap_key);
    JsonObject cap_obj;
    if (!capability_id || cap_value.get_object().get(cap_obj) != simdjson::SUCCESS) {
      r.SkipElement("offer key");
      continue;
    }
    auto models = r.Obj(cap_obj, kPerCapability, "models");
    if (!models) continue;
    for (auto [model_key, model_value] : *models) {
      JsonObject model;
      std::string model_id = CanonicalModelId(model_key);
      if (model_id.empty() || model_value.get_object().get(model) != simdjson::SUCCESS) {
        r.SkipElement("offer key");
        continue;
      }
      CapabilityOffer& offer = snap.offers.emplace_back();
      offer.capability_id = *capability_id;
      offer.canonical_pipeline = std::string(CatalogPipeline(*capability_id));
      offer.model_id = std::move(model_id);
      offer.warm = r.Bool(model, kOffer, "warm");
      offer.capacity = r.Int(model, kOffer, "capacity", true);
      offer.capacity_in_use = r.Int(model, kOffer, "capacityInUse", true);
      offer.runner_version = r.Str(model, kOffer, "runnerVersion");
    }
  }
}

void ReadPrices(PayloadReader& r, JsonObject element, CapabilitySnapshot& snap) {
  JsonArray prices;
  auto list = Member(element, "capabilities_prices");
  if (list && list->get_array().get(prices) == simdjson::SUCCESS) {
    for (JsonElement row : prices) {
      JsonObject obj;
      int64_t capability = 0;
      if (row.get_object().get(obj) != simdjson::SUCCESS) {
        r.SkipElement("price row");
        continue;
      }
      auto cap = Member(obj, "capability");
      auto price = PositiveExactInt(Member(obj, "pricePerUnit"));
      auto pixels = PositiveExactInt(Member(obj, "pixelsPerUnit"));
      if (!cap || ReadInt(*cap, capability) != FieldState::kOk || capability < 1 ||
          capability > INT32_MAX || !price || !pixels) {
        r.SkipElement("price row");
        continue;
      }
      snap.prices.push_back(CapabilityPrice{static_cast<int>(capability),
                                            r.Str(obj, "data[].capabilities_prices[]", "constraint"),
                                            *price, *pixels});
    }
  } else if (list) {
    r.Mismatch(kElement, "capabilities_prices", "not an array");
  }
  if (auto info = r.Obj(element, kElement, "price_info")) {
    auto price = PositiveExactInt(Member(*info, "pricePerUnit"));
    auto pixels = PositiveExactInt(Member(*info, "pixelsPerUnit"));
    if (price && pixels) {
      snap.prices.push_back(CapabilityPrice{std::nullopt, std::nullopt, *price, *pixels});
    } else {
      r.SkipElement("price row");
    }
  }
}

std::optional<int64_t> MemoryBytes(PayloadReader& r, JsonObject gpu, std::string_view key) {
  std::optional<int64_t> v = r.Int(gpu, kGpu, key, true);
  if (!v || *v == 0) return std::nullopt;
  return *v < kMiB ? *v * kMiB : *v;
}

// Appends a hardware row for one GPU; false when the GPU is unusable.
bool ReadGpu(PayloadReader& r, JsonElement value, int slot, const HardwareRow& base,
             CapabilitySnapshot& snap) {
  JsonObject gpu;
  std::string gpu_id;
  auto id = value.get_object().get(gpu) == simdjson::SUCCESS ? Member(gpu, "id") : std::nullopt;
  if (!id || ReadString(*id, gpu_id) != FieldState::kOk || gpu_id.empty()) {
    r.SkipElement("GPU entry");
    return false;
  }
  HardwareRow& row = snap.hardware.emplace_back(base);
  row.hardware_present = true;
  row.gpu_slot = slot;
  row.gpu_id = std::move(gpu_id);
  std::string name = r.Str(gpu, kGpu, "name");
  if (!name.empty()) row.gpu_model_name = std::move(name);
  row.gpu_memory_bytes_total = MemoryBytes(r, gpu, "memory_total");
  row.gpu_memory_bytes_free = MemoryBytes(r, gpu, "memory_free");
  auto major = r.Int(gpu, kGpu, "major", true);
  auto minor = r.Int(gpu, kGpu, "minor", true);
  if (major && *major <= INT32_MAX) row.gpu_compute_major = static_cast<int>(*major);
  if (minor && *minor <= INT32_MAX) {
    row.gpu_compute_minor = static_cast<int>(*minor);
  } else if (row.gpu_compute_major) {
    row.gpu_compute_minor = 0;
  }
  return true;
}

void ReadHardware(PayloadReader& r, JsonObject element, CapabilitySnapshot& snap) {
  JsonArray entries;
  auto list = Member(element, "hardware");
  if (!list) return;
  if (list->get_array().get(entries) != simdjson::SUCCESS) {
    r.Mismatch(kElement, "hardware", "not an array");
    return;
  }
  for (JsonElement entry_value : entries) {
    JsonObject entry;
    HardwareRow base;
    if (entry_value.get_object().get(entry) == simdjson::SUCCESS) {
      base.offered_name = r.Str(entry, kHardware, "pipeline");
    }
    if (base.offered_name.empty()) {
      r.SkipElement("hardware entry");
      continue;
    }
    base.capability_id = CapabilityIdForOfferedName(base.offered_name);
    base.canonical_pipeline = std::string(CatalogPipeline(base.capability_id));
    base.model_id = CanonicalModelId(r.Str(entry, kHardware, "model_id"));
    int usable = 0;
    auto gpu_info = Member(entry, "gpu_info");
    JsonObject by_key;
    JsonArray by_index;
    if (gpu_info && gpu_info->get_object().get(by_key) == simdjson::SUCCESS) {
      std::vector<std::pair<int, JsonElement>> ordered;
      for (auto [key, value] : by_key) {
        if (auto slot = ParseDecimalKey(key)) {
          ordered.emplace_back(*slot, value);
        } else {
          r.SkipElement("GPU entry");
        }
      }
      std::stable_sort(ordered.begin(), ordered.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (const auto& [slot, value] : ordered) usable += ReadGpu(r, value, slot, base, snap);
    } else if (gpu_info && gpu_info->get_array().get(by_index) == simdjson::SUCCESS) {
      int slot = 0;
      for (JsonElement value : by_index) usable += ReadGpu(r, value, slot++, base, snap);
    } else if (gpu_info) {
      r.Mismatch(kHardware, "gpu_info", "not an object or array");
    }
    if (usable == 0) snap.hardware.push_back(std::move(base));
  }
}

// One orchestrator element; false when skipped.
bool ReadElement(FamilyContext& ctx, JsonElement value, std::string_view text) {
  PayloadReader& r = ctx.reader;
  JsonObject element;
  std::string address;
  if (value.get_object().get(element) == simdjson::SUCCESS) {
    address = NormalizeAddress(r.Str(element, kElement, "address"));
  }
  if (address.empty()) {
    r.SkipElement("capability element without address");
    return false;
  }
  std::string uri = r.Str(element, kElement, "orch_uri");
  if (uri.empty()) uri = r.Str(element, kElement, "uri");
  std::string uri_norm = NormalizeUrl(uri);
  for (const auto& earlier : ctx.records.capability_snapshots) {
    if (earlier.orch_address == address && earlier.orch_uri_norm == uri_norm) {
      r.SkipElement("duplicate capability element");
      return false;
    }
  }
  CapabilitySnapshot& snap = ctx.records.capability_snapshots.emplace_back();
  snap.orch_address = std::move(address);
  snap.orch_local_address = NormalizeAddress(r.Str(element, kElement, "local_address"));
  if (IsEthAddress(snap.orch_local_address) && snap.orch_local_address != snap.orch_address) {
    snap.alias_address = snap.orch_local_address;
  }
  snap.orch_uri = std::move(uri);
  snap.orch_uri_norm = std::move(uri_norm);
  auto capabilities = r.Obj(element, kElement, "capabilities");
  if (capabilities) snap.version = r.Str(*capabilities, kCapabilities, "version");
  if (snap.version.empty()) snap.version = r.Str(element, kElement, "version");
  JsonMinify(text, snap.raw_element);
  snap.element_hash = Sha256Hex(snap.raw_element);
  if (capabilities) ReadOffers(r, *capabilities, snap);
  ReadPrices(r, element, snap);
  ReadHardware(r, element, snap);
  return true;
}
}  // namespace

bool DecodeNetworkCapabilities(FamilyContext& ctx) {
  JsonArray elements;
  JsonObject object;
  std::vector<std::string_view>& spans = ctx.scratch_spans;
  spans.clear();
  if (ctx.data.get_array().get(elements) == simdjson::SUCCESS) {
    JsonArrayElementSpans(ctx.data_text, spans);
  } else if (ctx.data.get_object().get(object) == simdjson::SUCCESS) {
    auto list = Member(object, "orchestrators");
    if (list && list->get_array().get(elements) == simdjson::SUCCESS) {
      if (auto text = JsonMemberSpan(ctx.data_text, "orchestrators")) {
        JsonArrayElementSpans(*text, spans);
      }
    } else {
      spans.push_back(JsonValueSpan(ctx.data_text));
      ReadElement(ctx, ctx.data, spans[0]);
      return true;
    }
  } else {
    return ctx.reader.Fail("", "data", ctx.data.is_null() ? "absent" : "not an array or object");
  }
  size_t index = 0;
  for (JsonElement value : elements) {
    std::string_view text;
    if (index < spans.size()) {
      text = spans[index];
    } else {
      ctx.scratch_text = simdjson::minify(value);
      text = ctx.scratch_text;
    }
    ReadElement(ctx, value, text);
    ++index;
  }
  return true;
}

}  // namespace naap::event
