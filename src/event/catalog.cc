#include "event/catalog.h"

#include <array>

#include "base/strings.h"

namespace naap::event {
namespace {
constexpr std::array<CapabilityInfo, 11> kCatalog = {{
    {27, "text-to-image", "builtin", "text-to-image", "model_id", false, true},
    {28, "image-to-image", "builtin", "image-to-image", "model_id", false, true},
    {29, "image-to-video", "builtin", "image-to-video", "model_id", false, true},
    {30, "upscale", "builtin", "upscale", "model_id", false, true},
    {31, "audio-to-text", "builtin", "audio-to-text", "model_id", false, true},
    {32, "segment-anything-2", "builtin", "segment-anything-2", "model_id", false, true},
    {33, "llm", "builtin", "llm", "model_id", false, true},
    {34, "image-to-text", "builtin", "image-to-text", "model_id", false, true},
    {35, "live-video-to-video", "builtin", "live-video-to-video", "model_id", true, false},
    {36, "text-to-speech", "builtin", "text-to-speech", "model_id", false, true},
    {37, "byoc", "byoc", "", "external_capability_name", true, true},
}};
}  // namespace

const CapabilityInfo* FindCapability(int capability_id) {
  for (const auto& c : kCatalog) {
    if (c.capability_id == capability_id) return &c;
  }
  return nullptr;
}

std::string_view CatalogPipeline(int capability_id) {
  const CapabilityInfo* c = FindCapability(capability_id);
  return c ? c->canonical_pipeline : std::string_view();
}

int CapabilityIdForOfferedName(std::string_view name) {
  std::string_view trimmed = TrimView(name);
  for (const auto& c : kCatalog) {
    if (!c.canonical_pipeline.empty() && EqualsIgnoringCase(c.canonical_pipeline, trimmed)) {
      return c.capability_id;
    }
  }
  return kByocCapabilityId;
}

}  // namespace naap::event
