#pragma once
// The built-in capability catalog (spec/events.md §4.5). Ids 0–26 are transcoding capabilities
// with no AI meaning and are not listed; 27–36 are builtin AI pipelines; 37 is BYOC.
#include <string_view>

namespace naap::event {

inline constexpr int kByocCapabilityId = 37;

struct CapabilityInfo {
  int capability_id;
  std::string_view capability_name;
  std::string_view family;              // "builtin" | "byoc"
  std::string_view canonical_pipeline;  // "" for BYOC (NULL in the catalog table)
  std::string_view constraint_kind;     // "model_id" | "external_capability_name"
  bool supports_stream;
  bool supports_request;
};

const CapabilityInfo* FindCapability(int capability_id);  // nullptr when not in the catalog
// Canonical pipeline of a builtin id (27–36), else "".
std::string_view CatalogPipeline(int capability_id);
// The builtin id whose pipeline equals lower(trim(name)), else 37 (BYOC).
int CapabilityIdForOfferedName(std::string_view name);

}  // namespace naap::event
