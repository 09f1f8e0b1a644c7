#include "publish/tables_inventory.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <type_traits>
#include <utility>

#include "base/bytes.h"
#include "base/strings.h"
#include "event/catalog.h"
#include "publish/streaming_rows.h"
#include "resolve/capability_registry.h"
#include "resolve/jobs.h"

namespace naap::publish {
namespace {

// ---- building: rows per key, each holding its latest observation ----

// The row of `key` (created for the hour on its first sighting), widened by one observation at
// (ts, event_id), and whether that observation is the row's latest so far (its columns win).
template <typename Row>
std::pair<Row&, bool> Observe(KeyedRows<Row>& rows, std::string_view org, Millis hour,
                              const decltype(Row::key)& key, Millis ts, std::string_view event_id) {
  auto [it, inserted] = rows.try_emplace(key);
  Row& row = it->second;
  Sighting& s = row.sighting;
  if (inserted) {
    row.window_start = hour;
    row.org = std::string(org);
    row.key = key;
    s = {ts, ts, std::string(event_id)};
    return {row, true};
  }
  s.first_seen = std::min(s.first_seen, ts);
  if (ts < s.last_seen || (ts == s.last_seen && event_id <= s.latest_event_id)) {
    return {row, false};
  }
  s.last_seen = ts;
  s.latest_event_id = std::string(event_id);
  return {row, true};
}

// ---- offer rows of one snapshot (§4.13 last paragraph) ----

struct OfferRow {
  ObservedOfferKey key;
  ObservedOfferColumns columns;
};

ObservedOfferColumns CatalogColumns(const resolve::ObservedSnapshot& snapshot,
                                    const event::CapabilityInfo& info) {
  ObservedOfferColumns c;
  c.orch_uri = snapshot.content->orch_uri;
  c.capability_name = std::string(info.capability_name);
  c.capability_family = std::string(info.family);
  c.canonical_pipeline = std::string(info.canonical_pipeline);
  c.supports_stream = info.supports_stream;
  c.supports_request = info.supports_request;
  c.capability_version_id = snapshot.capability_version_id;
  return c;
}

// The index of the offer of (capability_id, model, ci) in the snapshot's content, if any.
std::optional<size_t> OfferIndex(const resolve::VersionContent& content, int capability_id,
                                 std::string_view model) {
  for (size_t i = 0; i < content.offers.size(); ++i) {
    const event::CapabilityOffer& offer = content.offers[i];
    if (offer.capability_id == capability_id && EqualsIgnoringCase(offer.model_id, model)) return i;
  }
  return std::nullopt;
}

void SetOfferColumns(const resolve::ObservedSnapshot& snapshot, size_t offer_index,
                     ObservedOfferColumns& c) {
  const event::CapabilityOffer& offer = snapshot.content->offers[offer_index];
  c.warm = offer.warm;
  c.advertised_capacity = offer.capacity;
  c.capacity_in_use = snapshot.capacity_in_use[offer_index];
  c.runner_version = offer.runner_version;
}

// Hardware rows first, then the offers no hardware row covers; both in the content's canonical
// order. Capability ids outside the catalog are left out.
std::vector<OfferRow> OfferRowsOf(const resolve::ObservedSnapshot& snapshot) {
  const resolve::VersionContent& content = *snapshot.content;
  std::vector<OfferRow> out;
  auto add = [&](const event::CapabilityInfo& info, std::string offered_name, std::string model_id,
                 std::string gpu_id) -> ObservedOfferColumns& {
    OfferRow& row = out.emplace_back();
    row.key = {.orch_address = snapshot.chain->orch_address,
               .orch_uri_norm = snapshot.chain->orch_uri_norm,
               .capability_id = info.capability_id,
               .pipeline_id = info.canonical_pipeline.empty()
                                  ? offered_name
                                  : std::string(info.canonical_pipeline),
               .model_id = std::move(model_id),
               .gpu_id = std::move(gpu_id)};
    row.columns = CatalogColumns(snapshot, info);
    row.columns.offered_name = std::move(offered_name);
    return row.columns;
  };
  for (const event::HardwareRow& hardware : content.hardware) {
    const event::CapabilityInfo* info = event::FindCapability(hardware.capability_id);
    if (info == nullptr) continue;
    ObservedOfferColumns& c = add(*info, hardware.offered_name, hardware.model_id, hardware.gpu_id);
    c.hardware_present = hardware.hardware_present;
    c.gpu_model_name = hardware.gpu_model_name;
    c.gpu_memory_bytes_total = hardware.gpu_memory_bytes_total;
    if (const auto offer = OfferIndex(content, hardware.capability_id, hardware.model_id)) {
      SetOfferColumns(snapshot, *offer, c);
    }
  }
  for (size_t i = 0; i < content.offers.size(); ++i) {
    const event::CapabilityOffer& offer = content.offers[i];
    const bool covered = std::any_of(content.hardware.begin(), content.hardware.end(),
                                     [&](const event::HardwareRow& hardware) {
                                       return hardware.capability_id == offer.capability_id &&
                                              EqualsIgnoringCase(hardware.model_id, offer.model_id);
                                     });
    const event::CapabilityInfo* info = event::FindCapability(offer.capability_id);
    if (covered || info == nullptr) continue;
    SetOfferColumns(snapshot, i,
                    add(*info, std::string(info->canonical_pipeline), offer.model_id, ""));
  }
  return out;
}

// ---- codec pieces ----

void WriteOptionalString(ByteWriter& w, const std::optional<std::string>& v) {
  WriteOptional(w, v, [](ByteWriter& w, const std::string& value) { w.String(value); });
}
bool ReadOptionalString(ByteReader& r, std::optional<std::string>& v) {
  return ReadOptional(r, v, [](ByteReader& r, std::string& value) { return r.String(value); });
}
void WriteOptionalBool(ByteWriter& w, const std::optional<bool>& v) {
  WriteOptional(w, v, [](ByteWriter& w, bool value) { w.Bool(value); });
}
bool ReadOptionalBool(ByteReader& r, std::optional<bool>& v) {
  return ReadOptional(r, v, [](ByteReader& r, bool& value) { return r.Bool(value); });
}
void WriteWei(ByteWriter& w, const Wei& v) { w.U128(v.value()); }
bool ReadWei(ByteReader& r, Wei& v) {
  unsigned __int128 u = 0;
  if (!r.U128(u)) return false;
  const std::optional<Wei> wei = Wei::FromU128(u);
  if (!wei) return false;
  v = *wei;
  return true;
}
void WriteStrings(ByteWriter& w, std::initializer_list<const std::string*> strings) {
  for (const std::string* s : strings) w.String(*s);
}
bool ReadStrings(ByteReader& r, std::initializer_list<std::string*> strings) {
  return std::all_of(strings.begin(), strings.end(), [&](std::string* s) { return r.String(*s); });
}

void Write(ByteWriter& w, const Sighting& s) {
  w.Int(s.first_seen);
  w.Int(s.last_seen);
  w.String(s.latest_event_id);
}
bool Read(ByteReader& r, Sighting& s) {
  return r.Int(s.first_seen) && r.Int(s.last_seen) && r.String(s.latest_event_id);
}

void Write(ByteWriter& w, const ObservedOrchestratorKey& k) {
  WriteStrings(w, {&k.orch_address, &k.orch_uri_norm});
}
bool Read(ByteReader& r, ObservedOrchestratorKey& k) {
  return ReadStrings(r, {&k.orch_address, &k.orch_uri_norm});
}
void Write(ByteWriter& w, const ObservedOrchestratorColumns& c) {
  w.Int(c.snapshot_count);
  WriteStrings(
      w, {&c.orch_uri, &c.alias_address, &c.version, &c.capability_version_id, &c.raw_element});
}
bool Read(ByteReader& r, ObservedOrchestratorColumns& c) {
  return r.Int(c.snapshot_count) && ReadStrings(r, {&c.orch_uri, &c.alias_address, &c.version,
                                                    &c.capability_version_id, &c.raw_element});
}

void Write(ByteWriter& w, const ObservedOfferKey& k) {
  WriteStrings(w, {&k.orch_address, &k.orch_uri_norm});
  w.Int(k.capability_id);
  WriteStrings(w, {&k.pipeline_id, &k.model_id, &k.gpu_id});
}
bool Read(ByteReader& r, ObservedOfferKey& k) {
  return ReadStrings(r, {&k.orch_address, &k.orch_uri_norm}) && r.Int(k.capability_id) &&
         ReadStrings(r, {&k.pipeline_id, &k.model_id, &k.gpu_id});
}
void Write(ByteWriter& w, const ObservedOfferColumns& c) {
  WriteStrings(w, {&c.orch_uri, &c.offered_name, &c.capability_name, &c.capability_family,
                   &c.canonical_pipeline});
  WriteOptionalBool(w, c.warm);
  WriteOptionalInt(w, c.advertised_capacity);
  WriteOptionalInt(w, c.capacity_in_use);
  w.Bool(c.hardware_present);
  WriteOptionalString(w, c.gpu_model_name);
  WriteOptionalInt(w, c.gpu_memory_bytes_total);
  w.String(c.runner_version);
  w.Bool(c.supports_stream);
  w.Bool(c.supports_request);
  w.String(c.capability_version_id);
}
bool Read(ByteReader& r, ObservedOfferColumns& c) {
  return ReadStrings(r, {&c.orch_uri, &c.offered_name, &c.capability_name, &c.capability_family,
                         &c.canonical_pipeline}) &&
         ReadOptionalBool(r, c.warm) && ReadOptionalInt(r, c.advertised_capacity) &&
         ReadOptionalInt(r, c.capacity_in_use) && r.Bool(c.hardware_present) &&
         ReadOptionalString(r, c.gpu_model_name) && ReadOptionalInt(r, c.gpu_memory_bytes_total) &&
         r.String(c.runner_version) && r.Bool(c.supports_stream) && r.Bool(c.supports_request) &&
         r.String(c.capability_version_id);
}

void Write(ByteWriter& w, const ObservedPricingKey& k) {
  w.String(k.orch_address);
  WriteOptionalInt(w, k.capability_id);
  WriteOptionalString(w, k.constraint);
}
bool Read(ByteReader& r, ObservedPricingKey& k) {
  return r.String(k.orch_address) && ReadOptionalInt(r, k.capability_id) &&
         ReadOptionalString(r, k.constraint);
}
void Write(ByteWriter& w, const ObservedPricingColumns& c) {
  WriteWei(w, c.price_per_unit);
  WriteWei(w, c.pixels_per_unit);
  w.String(c.capability_version_id);
  WriteOptionalString(w, c.model_id);
  WriteOptionalString(w, c.external_capability_name);
}
bool Read(ByteReader& r, ObservedPricingColumns& c) {
  return ReadWei(r, c.price_per_unit) && ReadWei(r, c.pixels_per_unit) &&
         r.String(c.capability_version_id) && ReadOptionalString(r, c.model_id) &&
         ReadOptionalString(r, c.external_capability_name);
}

void Write(ByteWriter& w, const ObservedWorkerKey& k) {
  WriteStrings(w, {&k.capability, &k.orch_reported_address, &k.worker_url_norm});
}
bool Read(ByteReader& r, ObservedWorkerKey& k) {
  return ReadStrings(r, {&k.capability, &k.orch_reported_address, &k.worker_url_norm});
}
void Write(ByteWriter& w, const ObservedWorkerColumns& c) {
  WriteStrings(w, {&c.worker_url, &c.orch_url, &c.orchestrator_address, &c.model});
  WriteOptionalDouble(w, c.price_per_unit);
  WriteStrings(w, {&c.lifecycle_action, &c.worker_options_raw});
}
// The columns of a slice written before worker_options_raw was stored: they end with
// lifecycle_action (docs/decisions.md, "Observed inventory").
bool ReadWithoutOptions(ByteReader& r, ObservedWorkerColumns& c) {
  return ReadStrings(r, {&c.worker_url, &c.orch_url, &c.orchestrator_address, &c.model}) &&
         ReadOptionalDouble(r, c.price_per_unit) && r.String(c.lifecycle_action);
}
bool Read(ByteReader& r, ObservedWorkerColumns& c) {
  return ReadWithoutOptions(r, c) && r.String(c.worker_options_raw);
}

}  // namespace

std::vector<ObservedOrchestratorRow> BuildObservedOrchestratorRows(const resolve::FactsView& facts,
                                                                   std::string_view org,
                                                                   Millis hour) {
  KeyedRows<ObservedOrchestratorRow> rows;
  for (const resolve::ObservedSnapshot& snapshot : facts.ObservedSnapshotsAt(org, hour)) {
    auto [row, latest] =
        Observe(rows, org, hour, {snapshot.chain->orch_address, snapshot.chain->orch_uri_norm},
                snapshot.snapshot_ts, snapshot.event_id);
    ObservedOrchestratorColumns& c = row.columns;
    ++c.snapshot_count;
    if (!latest) continue;
    c.orch_uri = snapshot.content->orch_uri;
    c.alias_address = snapshot.content->alias_address;
    c.version = snapshot.content->version;
    c.capability_version_id = snapshot.capability_version_id;
    c.raw_element = std::string(snapshot.raw_element);
  }
  return RowsInKeyOrder(rows);
}

std::vector<ObservedOfferRow> BuildObservedOfferRows(const resolve::FactsView& facts,
                                                     std::string_view org, Millis hour) {
  KeyedRows<ObservedOfferRow> rows;
  for (const resolve::ObservedSnapshot& snapshot : facts.ObservedSnapshotsAt(org, hour)) {
    for (OfferRow& offer : OfferRowsOf(snapshot)) {
      auto [row, latest] =
          Observe(rows, org, hour, offer.key, snapshot.snapshot_ts, snapshot.event_id);
      if (latest) row.columns = std::move(offer.columns);
    }
  }
  return RowsInKeyOrder(rows);
}

std::vector<ObservedPricingRow> BuildObservedPricingRows(const resolve::FactsView& facts,
                                                         std::string_view org, Millis hour) {
  KeyedRows<ObservedPricingRow> rows;
  for (const resolve::ObservedSnapshot& snapshot : facts.ObservedSnapshotsAt(org, hour)) {
    for (const event::CapabilityPrice& price : snapshot.content->prices) {
      if (price.capability_id && event::FindCapability(*price.capability_id) == nullptr) continue;
      ObservedPricingKey key{.orch_address = snapshot.chain->orch_address,
                             .capability_id = price.capability_id,
                             .constraint = price.constraint};
      auto [row, latest] = Observe(rows, org, hour, key, snapshot.snapshot_ts, snapshot.event_id);
      if (!latest) continue;
      ObservedPricingColumns& c = row.columns;
      c.price_per_unit = price.price_per_unit;
      c.pixels_per_unit = price.pixels_per_unit;
      c.capability_version_id = snapshot.capability_version_id;
      const bool byoc = price.capability_id == event::kByocCapabilityId;
      c.model_id = price.capability_id && !byoc ? price.constraint : std::nullopt;
      c.external_capability_name = byoc ? price.constraint : std::nullopt;
    }
  }
  return RowsInKeyOrder(rows);
}

std::vector<ObservedWorkerRow> BuildObservedWorkerRows(const resolve::FactsView& facts,
                                                       std::string_view org, Millis hour) {
  KeyedRows<ObservedWorkerRow> rows;
  for (const resolve::WorkerFact* worker : facts.WorkersAt(org, hour)) {
    auto [row, latest] =
        Observe(rows, org, hour,
                {worker->capability, worker->orch_reported_address, worker->worker_url_norm},
                worker->event_ts, worker->event_id);
    if (!latest) continue;
    row.columns = {.worker_url = worker->worker_url,
                   .orch_url = worker->orch_url,
                   .orchestrator_address = worker->orchestrator_address,
                   .model = worker->model,
                   .price_per_unit = worker->price_per_unit,
                   .lifecycle_action = worker->lifecycle_action,
                   .worker_options_raw = worker->worker_options_raw};
  }
  return RowsInKeyOrder(rows);
}

template <typename Row>
std::string EncodeInventoryRows(const std::vector<Row>& rows) {
  return EncodeHourlySlice<Row>(rows, [](ByteWriter& w, const Row& row) {
    Write(w, row.key);
    Write(w, row.sighting);
    Write(w, row.columns);
  });
}

template <typename Row>
Result<std::vector<Row>> DecodeInventoryRows(std::string_view bytes) {
  Result<std::vector<Row>> rows = DecodeHourlySlice<Row>(bytes, [](ByteReader& r, Row& row) {
    return Read(r, row.key) && Read(r, row.sighting) && Read(r, row.columns);
  });
  if constexpr (std::is_same_v<Row, ObservedWorkerRow>) {
    // A worker slice of an older build, whose rows lack the last column, fails above: it is read
    // without it.
    if (!rows.ok()) {
      Result<std::vector<Row>> older = DecodeHourlySlice<Row>(bytes, [](ByteReader& r, Row& row) {
        return Read(r, row.key) && Read(r, row.sighting) && ReadWithoutOptions(r, row.columns);
      });
      if (older.ok()) return older;
    }
  }
  return rows;
}

#define NAAP_INVENTORY_ROW_CODEC(Row)                                          \
  template std::string EncodeInventoryRows<Row>(const std::vector<Row>& rows); \
  template Result<std::vector<Row>> DecodeInventoryRows<Row>(std::string_view bytes);
NAAP_INVENTORY_ROW_CODEC(ObservedOrchestratorRow)
NAAP_INVENTORY_ROW_CODEC(ObservedOfferRow)
NAAP_INVENTORY_ROW_CODEC(ObservedPricingRow)
NAAP_INVENTORY_ROW_CODEC(ObservedWorkerRow)
#undef NAAP_INVENTORY_ROW_CODEC

std::vector<std::unique_ptr<Table>> InventoryTables() {
  std::vector<std::unique_ptr<Table>> tables;
  tables.push_back(FactsRowsTable(kObservedOrchestratorTable, &BuildObservedOrchestratorRows,
                                  &EncodeInventoryRows<ObservedOrchestratorRow>));
  tables.push_back(FactsRowsTable(kObservedOfferTable, &BuildObservedOfferRows,
                                  &EncodeInventoryRows<ObservedOfferRow>));
  tables.push_back(FactsRowsTable(kObservedPricingTable, &BuildObservedPricingRows,
                                  &EncodeInventoryRows<ObservedPricingRow>));
  tables.push_back(FactsRowsTable(kObservedByocWorkerTable, &BuildObservedWorkerRows,
                                  &EncodeInventoryRows<ObservedWorkerRow>));
  return tables;
}

}  // namespace naap::publish
