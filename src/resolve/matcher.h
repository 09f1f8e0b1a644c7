#pragma once
// The attribution matcher's contract (spec/analytics.md §2.3 "Matcher"): given what a selection
// observed (service URL first, else a reported address) at a time, with hints, it returns one
// decision. Implemented by CapabilityRegistry; sessions, jobs, discovery and workers call it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "base/time.h"

namespace naap::resolve {

enum class MatchKind { kStream, kAiBatch, kByoc, kIdentity };

struct MatchRequest {
  std::string_view org;
  Millis ts = 0;
  std::string_view observed_url;      // orch_url_norm; "" when none
  std::string_view observed_address;  // orch_reported_address; "" when none
  std::string_view hint_pipeline;     // effective hints (stream, ai_batch)
  std::string_view hint_model;
  MatchKind kind = MatchKind::kStream;
  std::string_view capability;    // byoc: the job's capability
  std::string_view worker_model;  // byoc: the worker's model, "" when unknown
};

// One attribution decision. Defaults are the "no candidate" decision. A new field belongs in
// SameButVersionName too.
struct Decision {
  std::string status = "unresolved";  // resolved | hardware_less | stale | ambiguous | unresolved
  std::string reason = "missing_candidate";
  std::string method = "none";
  std::string confidence = "low";
  std::string capability_version_id;
  std::optional<Millis> attribution_snapshot_ts;  // the chosen version's valid_from
  std::string attributed_orch_address;            // on-chain; "" unless HasIdentity()
  std::string attributed_orch_uri;
  std::string pipeline;  // canonical pipeline of the chosen interval
  std::string model;
  std::string gpu_id;
  std::string gpu_model_name;
  std::optional<int64_t> gpu_memory_bytes_total;
  std::string runner_version;

  bool HasIdentity() const { return status == "resolved" || status == "hardware_less" || status == "stale"; }
  friend bool operator==(const Decision&, const Decision&) = default;
};

// Whether `a` and `b` are one decision but for the name of the capability version they chose, its
// id and valid_from (both named or both not): what a late snapshot at the start of a version
// changes (§2.1 names a version by its first snapshot). No serving table reads that name.
inline bool SameButVersionName(const Decision& a, const Decision& b) {
  // Every field of Decision but the two.
  const auto rest = [](const Decision& d) {
    return std::tie(d.status, d.reason, d.method, d.confidence, d.attributed_orch_address,
                    d.attributed_orch_uri, d.pipeline, d.model, d.gpu_id, d.gpu_model_name,
                    d.gpu_memory_bytes_total, d.runner_version);
  };
  return rest(a) == rest(b) && a.capability_version_id.empty() == b.capability_version_id.empty();
}

class Matcher {
 public:
  virtual ~Matcher() = default;
  virtual Decision Match(const MatchRequest& request) const = 0;
};

}  // namespace naap::resolve
