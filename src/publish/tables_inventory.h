#pragma once
// The observed-inventory tables of spec/analytics.md §4.13, each a publish::Table whose slice
// (org, hour) is built from the capability snapshots (FactsView::ObservedSnapshotsAt) or the
// worker facts (FactsView::WorkersAt) of that hour.
//  - One row per item sighted in the hour. Every row carries its Sighting: first_seen, last_seen
//    and the event id of its latest observation by (ts, event_id) (§0.1), whose attributes the row
//    holds (M), so rows of several hours merge by the same rule. Only the orchestrator table has
//    an (A) column, snapshot_count; no table has (D) columns.
//  - Offer rows come from hardware rows (with or without a GPU) and from the offers no hardware
//    row of the same (capability_id, model, ci) covers (gpu_id ""); a hardware row takes warm,
//    capacities and runner_version from the offer it covers. Offers and prices whose capability id
//    is not in the catalog (0–26: transcoding) have no AI meaning and are left out. Within one
//    snapshot the first row of a key in the registry's canonical row order wins.
//  - Slice bytes are canonical (publish/streaming_rows.h EncodeSlice): rows in strictly ascending
//    key order, so the same facts in any order give the same bytes.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/decimal.h"
#include "base/status.h"
#include "base/time.h"
#include "publish/table.h"
#include "resolve/facts_view.h"

namespace naap::publish {

inline constexpr char kObservedOrchestratorTable[] = "api_observed_orchestrator";
inline constexpr char kObservedOfferTable[] = "api_observed_capability_offer";
inline constexpr char kObservedPricingTable[] = "api_observed_capability_pricing";
inline constexpr char kObservedByocWorkerTable[] = "api_observed_byoc_worker";

// When an item was sighted in the hour; (last_seen, latest_event_id) identifies the latest
// observation.
struct Sighting {
  Millis first_seen = 0;
  Millis last_seen = 0;
  std::string latest_event_id;
  friend bool operator==(const Sighting&, const Sighting&) = default;
};

// One stored row: (window_start, org) come from the slice; `columns` holds every column beyond
// the grain and the sighting.
template <typename Key, typename Columns>
struct InventoryRow {
  Millis window_start = 0;
  std::string org;
  Key key;
  Sighting sighting;
  Columns columns;
  friend bool operator==(const InventoryRow&, const InventoryRow&) = default;
};

// ---- api_observed_orchestrator: one row per chain ----

struct ObservedOrchestratorKey {
  std::string orch_address;  // on-chain, lower-case
  std::string orch_uri_norm;
  friend auto operator<=>(const ObservedOrchestratorKey&, const ObservedOrchestratorKey&) = default;
};
struct ObservedOrchestratorColumns {
  int64_t snapshot_count = 0;  // (A)
  std::string orch_uri, alias_address, version, capability_version_id;
  std::string raw_element;  // the latest snapshot's element as received
  friend bool operator==(const ObservedOrchestratorColumns&,
                         const ObservedOrchestratorColumns&) = default;
};
using ObservedOrchestratorRow = InventoryRow<ObservedOrchestratorKey, ObservedOrchestratorColumns>;
std::vector<ObservedOrchestratorRow> BuildObservedOrchestratorRows(const resolve::FactsView& facts,
                                                                   std::string_view org,
                                                                   Millis hour);

// ---- api_observed_capability_offer ----

struct ObservedOfferKey {
  std::string orch_address, orch_uri_norm;
  int64_t capability_id = 0;  // catalog id; 37 for BYOC names
  std::string pipeline_id;    // canonical pipeline (builtin), offered name (BYOC)
  std::string model_id;
  std::string gpu_id;  // "" for an offer without a GPU
  friend auto operator<=>(const ObservedOfferKey&, const ObservedOfferKey&) = default;
};
struct ObservedOfferColumns {
  std::string orch_uri;
  std::string offered_name;  // the hardware entry's pipeline; the catalog name for a bare offer
  std::string capability_name, capability_family;
  std::string canonical_pipeline;  // "" for BYOC
  std::optional<bool> warm;
  std::optional<int64_t> advertised_capacity, capacity_in_use;
  bool hardware_present = false;
  std::optional<std::string> gpu_model_name;
  std::optional<int64_t> gpu_memory_bytes_total;
  std::string runner_version;  // "" = NULL
  bool supports_stream = false, supports_request = false;
  std::string capability_version_id;
  friend bool operator==(const ObservedOfferColumns&, const ObservedOfferColumns&) = default;
};
using ObservedOfferRow = InventoryRow<ObservedOfferKey, ObservedOfferColumns>;
std::vector<ObservedOfferRow> BuildObservedOfferRows(const resolve::FactsView& facts,
                                                     std::string_view org, Millis hour);

// ---- api_observed_capability_pricing: one row per (orchestrator, capability, constraint) ----

struct ObservedPricingKey {
  std::string orch_address;
  std::optional<int64_t> capability_id;   // nullopt for the global price_info row
  std::optional<std::string> constraint;  // nullopt for the global price_info row
  friend auto operator<=>(const ObservedPricingKey&, const ObservedPricingKey&) = default;
};
struct ObservedPricingColumns {
  Wei price_per_unit, pixels_per_unit;
  std::string capability_version_id;
  std::optional<std::string> model_id;                  // = constraint for 27–36
  std::optional<std::string> external_capability_name;  // = constraint for 37
  friend bool operator==(const ObservedPricingColumns&, const ObservedPricingColumns&) = default;
};
using ObservedPricingRow = InventoryRow<ObservedPricingKey, ObservedPricingColumns>;
std::vector<ObservedPricingRow> BuildObservedPricingRows(const resolve::FactsView& facts,
                                                         std::string_view org, Millis hour);

// ---- api_observed_byoc_worker: worker facts (§2.6) ----

struct ObservedWorkerKey {
  std::string capability;  // verbatim (trimmed)
  std::string orch_reported_address, worker_url_norm;
  friend auto operator<=>(const ObservedWorkerKey&, const ObservedWorkerKey&) = default;
};
struct ObservedWorkerColumns {
  std::string worker_url, orch_url;
  std::string orchestrator_address;  // matcher identity by orch_url; "" unless unique
  std::string model;
  std::optional<double> price_per_unit;  // as reported
  std::string lifecycle_action;
  std::string worker_options_raw;  // worker_options as received, minified; "" when not an array
  friend bool operator==(const ObservedWorkerColumns&, const ObservedWorkerColumns&) = default;
};
using ObservedWorkerRow = InventoryRow<ObservedWorkerKey, ObservedWorkerColumns>;
std::vector<ObservedWorkerRow> BuildObservedWorkerRows(const resolve::FactsView& facts,
                                                       std::string_view org, Millis hour);

// ---- codec: instantiated for the four row types above ----

// "" when `rows` is empty; rows must be in strictly ascending key order and share org and hour.
template <typename Row>
std::string EncodeInventoryRows(const std::vector<Row>& rows);
// Fails on truncated, trailing or out-of-order bytes.
template <typename Row>
Result<std::vector<Row>> DecodeInventoryRows(std::string_view bytes);

// The four tables, in the order above.
std::vector<std::unique_ptr<Table>> InventoryTables();

}  // namespace naap::publish
