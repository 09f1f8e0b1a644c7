#pragma once
// The read-time views of spec/analytics.md §4.14 and the leaderboard inputs of §4.15: pure
// functions of observed-inventory rows, hourly rows and facts for a given `now`, plus the loaders
// that read those rows from a store.
//  - `now` is the data clock (§0.4): store::Store::DataClock gives it, for one org or over all.
//  - The current window is (now − 24 h, now]: current views merge the rows of the hours
//    overlapping it whose last_seen lies inside it. The identity view merges every row it is given.
//  - "Latest" is by (last_seen, latest_event_id) of the rows' Sighting (§0.1); merges never depend
//    on row order, and every output is sorted by its grain.
//  - Enrichment names are not known yet: name = the latest local key, else the address.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/decimal.h"
#include "base/status.h"
#include "base/time.h"
#include "publish/formulas.h"
#include "publish/tables_inventory.h"
#include "publish/tables_requests.h"
#include "publish/tables_streaming.h"
#include "resolve/facts_view.h"
#include "resolve/matcher.h"
#include "resolve/session.h"
#include "store/store.h"

namespace naap::publish {

inline constexpr Millis kCurrentWindowMs = kDayMs;
inline constexpr Millis kActiveWithinMs = 10 * 60'000;

// (now − 24 h, now] and the hours overlapping it.
struct CurrentWindow {
  Millis now = 0;
  bool Contains(Millis t) const { return t > now - kCurrentWindowMs && t <= now; }
  Millis first_hour() const { return HourFloor(now - kCurrentWindowMs + 1); }
  Millis last_hour() const { return HourFloor(now); }
};

// Rows of the four observed-inventory tables (§4.13), of any hours and orgs.
struct ObservedInventory {
  std::vector<ObservedOrchestratorRow> orchestrators;
  std::vector<ObservedOfferRow> offers;
  std::vector<ObservedPricingRow> pricing;
  std::vector<ObservedWorkerRow> workers;
};

// ---- api_orchestrator_identity ----

struct OrchestratorIdentity {
  std::string orch_address;
  std::set<std::string> orgs;
  std::string orchestrator_uri;  // latest; ties: longer, then greater string
  std::string version;           // of the latest observation
  Millis last_seen = 0;
  std::string name;   // latest non-empty local key (alias_address), else the address
  std::string label;  // name unless it starts with "0x" (then short); " (short)" on ci duplicates
  std::string short_address;  // first 8 characters + "..." + last 4
  friend bool operator==(const OrchestratorIdentity&, const OrchestratorIdentity&) = default;
};
// First 8 characters + "..." + last 4; the text itself when it has at most 12 characters.
std::string ShortAddress(std::string_view address);
// One per orch_address of `orchestrators`, by address.
std::vector<OrchestratorIdentity> BuildOrchestratorIdentities(
    const std::vector<ObservedOrchestratorRow>& orchestrators);

// ---- current workers ----

struct CurrentWorker {
  std::string org;
  ObservedWorkerKey key;
  Sighting sighting;              // first_seen min, last_seen max over the window's rows
  ObservedWorkerColumns columns;  // of the latest row
  friend bool operator==(const CurrentWorker&, const CurrentWorker&) = default;
};
// Worker rows in the window whose latest lifecycle_action is not "unregistered", by (org, key).
std::vector<CurrentWorker> BuildCurrentWorkers(const std::vector<ObservedWorkerRow>& workers,
                                               const CurrentWindow& window);

// ---- api_current_orchestrator ----

struct CurrentOrchestrator {
  OrchestratorIdentity identity;  // over every row given, not only the window's
  std::set<std::string> uris;
  std::string raw_capabilities;  // the latest element in the window
  bool is_active = false;        // identity.last_seen ≥ now − 10 min
  int64_t gpu_count = 0;         // distinct reported gpu_id ≠ "" of the window's offers
  std::set<std::string> streaming_models;
  std::set<std::pair<std::string, std::string>> request_capability_pairs;  // (pipeline, model)
  std::set<std::string> pipelines;
  std::set<std::pair<std::string, std::string>> pipeline_model_pairs;  // model ≠ ""
  friend bool operator==(const CurrentOrchestrator&, const CurrentOrchestrator&) = default;
};
// One per orchestrator with an orchestrator row in the window, by address. pipelines and
// pipeline_model_pairs cover every offer in the window and the current workers' capabilities.
std::vector<CurrentOrchestrator> BuildCurrentOrchestrators(const ObservedInventory& inventory,
                                                           const CurrentWindow& window);

// ---- api_current_capability ----

struct CurrentCapabilityKey {
  std::string org, orch_address;
  int64_t capability_id = 0;
  std::string pipeline_id, model_id, gpu_id;
  friend auto operator<=>(const CurrentCapabilityKey&, const CurrentCapabilityKey&) = default;
};
struct CurrentCapability {
  CurrentCapabilityKey key;
  Sighting sighting;             // first_seen min, last_seen max
  ObservedOfferColumns columns;  // latest offer row; a worker row fills only a few
  std::optional<int64_t> max_advertised_capacity;
  bool from_worker = false;                            // a current BYOC worker without an offer
  std::optional<Wei> price_per_unit, pixels_per_unit;  // the latest quote in the window
  std::optional<double> unit_price;  // price_per_unit ÷ pixels_per_unit; NULL when 0 pixels
  friend bool operator==(const CurrentCapability&, const CurrentCapability&) = default;
};
// Offers in the window merged per key, then the current workers with a resolved orchestrator
// address and no offer of the same (org, orch, 37, capability, model), by key.
std::vector<CurrentCapability> BuildCurrentCapabilities(const ObservedInventory& inventory,
                                                        const CurrentWindow& window);

// ---- api_current_gpu_inventory ----

struct CurrentGpu {
  std::string orch_address, gpu_id;
  std::optional<std::string> gpu_model_name;      // latest
  std::optional<int64_t> gpu_memory_bytes_total;  // latest
  Millis last_seen = 0;
  std::set<std::string> pipelines, models;
  friend bool operator==(const CurrentGpu&, const CurrentGpu&) = default;
};
// Offer rows with gpu_id ≠ "" in the window, over all orgs, by (orch_address, gpu_id).
std::vector<CurrentGpu> BuildCurrentGpuInventory(const std::vector<ObservedOfferRow>& offers,
                                                 const CurrentWindow& window);

// ---- current prices (api.md A6, B38 and B39) ----

struct CurrentPriceKey {
  std::string orch_address, pipeline, model;
  friend auto operator<=>(const CurrentPriceKey&, const CurrentPriceKey&) = default;
};
struct CurrentPrice {
  CurrentPriceKey key;
  Wei price_per_unit, pixels_per_unit;  // both > 0
  std::optional<double> unit_price;     // price_per_unit ÷ pixels_per_unit
  // An offer of the key in the window is warm or hardware-backed, or a current BYOC worker serves
  // it.
  bool is_warm = false;
  friend bool operator==(const CurrentPrice&, const CurrentPrice&) = default;
};
// The latest quote per key among the pricing rows in the window with a capability and both
// integers > 0, by (last_seen, capability_version_id); by key. A builtin quote's pipeline is its
// capability's catalog pipeline (rows of ids without one are left out) and its model the
// constraint. A BYOC quote's pipeline is the capability name, with one row per model of the
// current workers of that orchestrator and capability, else the name as its model.
std::vector<CurrentPrice> BuildCurrentPrices(const ObservedInventory& inventory,
                                             const CurrentWindow& window);

// ---- api_current_active_stream_state ----

struct ActiveStreamState {
  std::string org, session_key, stream_id, request_id;
  std::optional<resolve::LatestSample> latest_sample;
  std::string gateway, orchestrator_address, pipeline_id, model_id, gpu_id;
  resolve::Decision attribution;
  Millis session_start = 0;
  Millis last_seen = 0;
  friend bool operator==(const ActiveStreamState&, const ActiveStreamState&) = default;
};
// Existing sessions of `orgs` at the hours of the window with completed = false and last_seen in
// the window, by (org, session_key). Routes apply their own recency on last_seen.
std::vector<ActiveStreamState> BuildActiveStreamStates(const resolve::FactsView& facts,
                                                       const std::vector<std::string>& orgs,
                                                       const CurrentWindow& window);

// ---- api_current_gateway ----

struct GatewaySighting {
  std::string gateway;  // lower-cased value
  Millis first_seen = 0, last_seen = 0;
  std::set<std::string> orgs;
  friend bool operator==(const GatewaySighting&, const GatewaySighting&) = default;
};
// Every non-empty session gateway, AI-batch and BYOC job gateway and payment sender of the facts
// at hours from_hour … to_hour of `orgs`, by value. Sessions count first_seen … last_seen (else
// session_start), jobs received_at (else completed_at) … completed_at, payments event_ts.
std::vector<GatewaySighting> BuildGateways(const resolve::FactsView& facts,
                                           const std::vector<std::string>& orgs, Millis from_hour,
                                           Millis to_hour);

// ---- §4.15 leaderboard inputs ----

struct LeaderboardRow {
  LeaderboardInput input;
  std::optional<Millis> last_seen;  // identity; NULL for an orchestrator never observed
  bool is_active = false;           // last_seen ≥ now − 10 min
};
// One per orchestrator_address ≠ "" of the stream-stats or discovery rows given (the window's
// rows), by address: streams_handled = Σsessions_handled, avg_inference_fps = AvgOutputFps and
// degraded_rate = DegradedRate of the summed stream stats, avg_latency_ms of the summed discovery
// sums.
std::vector<LeaderboardRow> BuildLeaderboardRows(
    const std::vector<OrchStreamStatsRow>& stream_stats, const std::vector<DiscoveryRow>& discovery,
    const std::vector<OrchestratorIdentity>& identities, Millis now);
// RankLeaderboard (§5.6) over `rows`; input_index points into `rows`.
std::vector<LeaderboardEntry> RankLeaderboardRows(const std::vector<LeaderboardRow>& rows,
                                                  int64_t min_streams,
                                                  const LeaderboardWeights& weights);

// ---- loading from a store ----

// Decoded rows of the slices with from_hour ≤ hour ≤ to_hour; only `org`'s when given.
Result<ObservedInventory> LoadObservedInventory(store::Store& store, Millis from_hour,
                                                Millis to_hour,
                                                std::optional<std::string_view> org = {});
Result<std::vector<OrchStreamStatsRow>> LoadOrchStreamStats(
    store::Store& store, Millis from_hour, Millis to_hour,
    std::optional<std::string_view> org = {});
Result<std::vector<DiscoveryRow>> LoadDiscoveryLatency(store::Store& store, Millis from_hour,
                                                       Millis to_hour,
                                                       std::optional<std::string_view> org = {});

}  // namespace naap::publish
