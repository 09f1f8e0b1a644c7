#include "sim/network.h"

#include <simdjson.h>

#include <charconv>

#include "base/strings.h"

namespace naap::sim {
namespace {

constexpr int kLiveVideoCapability = 35;

// Catalog pipelines of the request capabilities (spec/events.md §4.5).
std::string_view RequestPipeline(int capability_id) {
  switch (capability_id) {
    case 27: return "text-to-image";
    case 28: return "image-to-image";
    case 29: return "image-to-video";
    case 30: return "upscale";
    case 31: return "audio-to-text";
    case 32: return "segment-anything-2";
    case 33: return "llm";
    case 34: return "image-to-text";
    case 36: return "text-to-speech";
    default: return "";
  }
}

std::string_view StringMember(simdjson::dom::object obj, std::string_view key) {
  std::string_view value;
  if (obj[key].get_string().get(value) != simdjson::SUCCESS) return "";
  return value;
}

void AddRequestOffer(Orchestrator& orch, std::string_view pipeline, std::string_view model) {
  if (pipeline.empty() || model.empty()) return;
  for (const RequestOffer& offer : orch.request_offers) {
    if (offer.pipeline == pipeline && offer.model == model) return;
  }
  orch.request_offers.push_back({std::string(pipeline), std::string(model)});
}

// Reads offers (PerCapability models), hardware entries and the live-video price.
void ReadOffers(simdjson::dom::object element, Orchestrator& orch) {
  simdjson::dom::object per_capability;
  if (element.at_pointer("/capabilities/constraints/PerCapability").get(per_capability) == simdjson::SUCCESS) {
    for (auto [cap_key, cap_value] : per_capability) {
      int capability_id = 0;
      std::from_chars(cap_key.data(), cap_key.data() + cap_key.size(), capability_id);
      simdjson::dom::object models;
      if (cap_value["models"].get(models) != simdjson::SUCCESS) continue;
      for (auto [model, unused] : models) {
        if (capability_id == kLiveVideoCapability) {
          if (orch.live_model.empty()) orch.live_model = std::string(model);
        } else {
          AddRequestOffer(orch, RequestPipeline(capability_id), model);
        }
      }
    }
  }
  simdjson::dom::array hardware;
  if (element["hardware"].get(hardware) == simdjson::SUCCESS) {
    for (simdjson::dom::element entry : hardware) {
      simdjson::dom::object entry_obj;
      if (entry.get(entry_obj) != simdjson::SUCCESS) continue;
      std::string_view pipeline = StringMember(entry_obj, "pipeline");
      if (pipeline != "live-video-to-video") AddRequestOffer(orch, pipeline, StringMember(entry_obj, "model_id"));
    }
  }
  simdjson::dom::array prices;
  if (element["capabilities_prices"].get(prices) == simdjson::SUCCESS) {
    for (simdjson::dom::element price : prices) {
      int64_t capability = 0, per_unit = 0;
      if (price["capability"].get(capability) == simdjson::SUCCESS && capability == kLiveVideoCapability &&
          price["pricePerUnit"].get(per_unit) == simdjson::SUCCESS) {
        orch.live_price_wei_per_pixel = per_unit;
      }
    }
  }
}

// Splits `text` around every number following `"memory_free":` or `"capacityInUse":`.
template <typename TemplateT>
void SplitVolatile(const std::string& text, TemplateT& out) {
  static constexpr std::string_view kMemoryFree = "\"memory_free\":";
  static constexpr std::string_view kCapacityInUse = "\"capacityInUse\":";
  size_t copied = 0, pos = 0;
  while (pos < text.size()) {
    const size_t mem = text.find(kMemoryFree, pos);
    const size_t cap = text.find(kCapacityInUse, pos);
    const size_t hit = std::min(mem, cap);
    if (hit == std::string::npos) break;
    const bool is_memory = hit == mem;
    const size_t number_start = hit + (is_memory ? kMemoryFree.size() : kCapacityInUse.size());
    size_t number_end = number_start;
    while (number_end < text.size() && text[number_end] >= '0' && text[number_end] <= '9') ++number_end;
    if (number_end == number_start) {
      pos = number_start;
      continue;
    }
    int64_t value = 0;
    std::from_chars(text.data() + number_start, text.data() + number_end, value);
    out.texts.push_back(text.substr(copied, number_start - copied));
    out.memory_free_base.push_back(is_memory ? value : -1);
    copied = pos = number_end;
  }
  out.texts.push_back(text.substr(copied));
}

}  // namespace

Result<Network> Network::Parse(std::string_view capabilities_json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(capabilities_json);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root)) {
    return InvalidArgument(std::string("capabilities JSON: ") + simdjson::error_message(error));
  }
  simdjson::dom::array elements;
  if (root.get(elements) != simdjson::SUCCESS && root["orchestrators"].get(elements) != simdjson::SUCCESS) {
    return InvalidArgument("capabilities JSON: no orchestrators array");
  }
  Network network;
  for (simdjson::dom::element element : elements) {
    simdjson::dom::object obj;
    if (element.get(obj) != simdjson::SUCCESS) continue;
    Orchestrator orch;
    orch.address = std::string(StringMember(obj, "address"));
    if (orch.address.empty()) continue;
    orch.address_lower = ToLower(orch.address);
    orch.local_key = ToLower(StringMember(obj, "local_address"));
    orch.uri = std::string(StringMember(obj, "orch_uri"));
    ReadOffers(obj, orch);
    Template snapshot;
    SplitVolatile(simdjson::minify(element), snapshot);
    network.orchestrators_.push_back(std::move(orch));
    network.templates_.push_back(std::move(snapshot));
  }
  if (network.orchestrators_.empty()) return InvalidArgument("capabilities JSON: no orchestrator with an address");
  return network;
}

Result<Network> Network::Embedded() { return Parse(EmbeddedNetworkCapabilities()); }

void Network::AppendSnapshotArray(Rng& rng, std::string& out) const {
  out.push_back('[');
  char digits[24];
  for (size_t i = 0; i < templates_.size(); ++i) {
    if (i > 0) out.push_back(',');
    const Template& t = templates_[i];
    for (size_t slot = 0; slot < t.memory_free_base.size(); ++slot) {
      out += t.texts[slot];
      const int64_t base = t.memory_free_base[slot];
      // Free memory wanders below the captured value (model weights, frames in flight);
      // capacityInUse is 0–2 streams.
      const int64_t value = base >= 0 ? base - rng.Int(0, base / 8) : rng.Int(0, 2);
      out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
    }
    out += t.texts.back();
  }
  out.push_back(']');
}

}  // namespace naap::sim
