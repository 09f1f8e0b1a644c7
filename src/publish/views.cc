#include "publish/views.h"

#include <algorithm>
#include <functional>
#include <map>
#include <tuple>

#include "base/strings.h"
#include "event/catalog.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"

namespace naap::publish {
namespace {

constexpr char kLiveVideoToVideo[] = "live-video-to-video";
constexpr char kUnregistered[] = "unregistered";

// True when sighting `a` is later than `b` by (last_seen, latest_event_id) (§0.1).
bool Later(const Sighting& a, const Sighting& b) {
  return std::tie(a.last_seen, a.latest_event_id) > std::tie(b.last_seen, b.latest_event_id);
}

// Widens `into` by `other`'s first and last sighting; the latest event id follows the later one.
void MergeSighting(Sighting& into, const Sighting& other) {
  into.first_seen = std::min(into.first_seen, other.first_seen);
  if (Later(other, into)) {
    into.last_seen = other.last_seen;
    into.latest_event_id = other.latest_event_id;
  }
}

// The orchestrator-row order of the identity's "latest": the sighting, then on a tie (one
// snapshot naming two URIs) the longer URI, then the greater string.
bool LaterOrchestratorRow(const ObservedOrchestratorRow& a, const ObservedOrchestratorRow& b) {
  if (Later(a.sighting, b.sighting)) return true;
  if (Later(b.sighting, a.sighting)) return false;
  const std::string& ua = a.columns.orch_uri;
  const std::string& ub = b.columns.orch_uri;
  return std::make_pair(ua.size(), std::string_view(ua)) >
         std::make_pair(ub.size(), std::string_view(ub));
}

bool StartsWith0x(std::string_view s) {
  return s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
}

std::optional<double> UnitPrice(const Wei& price, const Wei& pixels) {
  if (pixels.value() == 0) return std::nullopt;
  return static_cast<double>(price.value()) / static_cast<double>(pixels.value());
}

}  // namespace

std::string ShortAddress(std::string_view address) {
  if (address.size() <= 12) return std::string(address);
  return std::string(address.substr(0, 8)) + "..." +
         std::string(address.substr(address.size() - 4));
}

std::vector<OrchestratorIdentity> BuildOrchestratorIdentities(
    const std::vector<ObservedOrchestratorRow>& orchestrators) {
  struct Merge {
    std::set<std::string> orgs;
    const ObservedOrchestratorRow* latest = nullptr;
    const ObservedOrchestratorRow* latest_with_key = nullptr;  // latest non-empty local key
  };
  std::map<std::string, Merge> by_address;
  for (const ObservedOrchestratorRow& row : orchestrators) {
    Merge& m = by_address[row.key.orch_address];
    m.orgs.insert(row.org);
    if (m.latest == nullptr || LaterOrchestratorRow(row, *m.latest)) m.latest = &row;
    if (!row.columns.alias_address.empty() &&
        (m.latest_with_key == nullptr || LaterOrchestratorRow(row, *m.latest_with_key))) {
      m.latest_with_key = &row;
    }
  }
  std::vector<OrchestratorIdentity> out;
  std::map<std::string, int> names_ci;  // lower-cased name → orchestrators carrying it
  for (auto& [address, m] : by_address) {
    OrchestratorIdentity id;
    id.orch_address = address;
    id.orgs = std::move(m.orgs);
    id.orchestrator_uri = m.latest->columns.orch_uri;
    id.version = m.latest->columns.version;
    id.last_seen = m.latest->sighting.last_seen;
    id.name = m.latest_with_key ? m.latest_with_key->columns.alias_address : address;
    id.short_address = ShortAddress(address);
    ++names_ci[ToLower(id.name)];
    out.push_back(std::move(id));
  }
  for (OrchestratorIdentity& id : out) {
    if (StartsWith0x(id.name)) {
      id.label = id.short_address;
    } else if (names_ci[ToLower(id.name)] > 1) {
      id.label = id.name + " (" + id.short_address + ")";
    } else {
      id.label = id.name;
    }
  }
  return out;
}

std::vector<CurrentWorker> BuildCurrentWorkers(const std::vector<ObservedWorkerRow>& workers,
                                               const CurrentWindow& window) {
  std::map<std::pair<std::string, ObservedWorkerKey>, CurrentWorker> merged;
  for (const ObservedWorkerRow& row : workers) {
    if (!window.Contains(row.sighting.last_seen)) continue;
    auto [it, inserted] = merged.try_emplace({row.org, row.key});
    CurrentWorker& w = it->second;
    if (inserted) {
      w = {row.org, row.key, row.sighting, row.columns};
    } else {
      if (Later(row.sighting, w.sighting)) w.columns = row.columns;
      MergeSighting(w.sighting, row.sighting);
    }
  }
  std::vector<CurrentWorker> out;
  for (auto& [key, w] : merged) {
    if (w.columns.lifecycle_action != kUnregistered) out.push_back(std::move(w));
  }
  return out;
}

std::vector<CurrentOrchestrator> BuildCurrentOrchestrators(const ObservedInventory& inventory,
                                                           const CurrentWindow& window) {
  const std::vector<OrchestratorIdentity> identities =
      BuildOrchestratorIdentities(inventory.orchestrators);
  std::map<std::string, CurrentOrchestrator> current;
  std::map<std::string, const ObservedOrchestratorRow*> latest_row;
  for (const ObservedOrchestratorRow& row : inventory.orchestrators) {
    if (!window.Contains(row.sighting.last_seen)) continue;
    current[row.key.orch_address].uris.insert(row.columns.orch_uri);
    const ObservedOrchestratorRow*& latest = latest_row[row.key.orch_address];
    if (latest == nullptr || LaterOrchestratorRow(row, *latest)) latest = &row;
  }
  for (const OrchestratorIdentity& id : identities) {
    auto it = current.find(id.orch_address);
    if (it == current.end()) continue;
    it->second.identity = id;
    it->second.is_active = id.last_seen >= window.now - kActiveWithinMs;
    it->second.raw_capabilities = latest_row.at(id.orch_address)->columns.raw_element;
  }
  std::map<std::string, std::set<std::string>> gpus;
  for (const ObservedOfferRow& row : inventory.offers) {
    if (!window.Contains(row.sighting.last_seen)) continue;
    auto it = current.find(row.key.orch_address);
    if (it == current.end()) continue;
    CurrentOrchestrator& o = it->second;
    const ObservedOfferKey& k = row.key;
    if (!k.gpu_id.empty()) gpus[k.orch_address].insert(k.gpu_id);
    if (k.pipeline_id == kLiveVideoToVideo && row.columns.capability_family == "builtin" &&
        row.columns.supports_stream) {
      o.streaming_models.insert(k.model_id);
    }
    if (row.columns.supports_request && k.pipeline_id != kLiveVideoToVideo) {
      o.request_capability_pairs.insert({k.pipeline_id, k.model_id});
    }
    o.pipelines.insert(k.pipeline_id);
    if (!k.model_id.empty()) o.pipeline_model_pairs.insert({k.pipeline_id, k.model_id});
  }
  for (const CurrentWorker& w : BuildCurrentWorkers(inventory.workers, window)) {
    auto it = current.find(w.columns.orchestrator_address);
    if (it == current.end()) continue;
    CurrentOrchestrator& o = it->second;
    o.request_capability_pairs.insert({w.key.capability, w.columns.model});
    o.pipelines.insert(w.key.capability);
    if (!w.columns.model.empty())
      o.pipeline_model_pairs.insert({w.key.capability, w.columns.model});
  }
  std::vector<CurrentOrchestrator> out;
  for (auto& [address, o] : current) {
    o.gpu_count = static_cast<int64_t>(gpus[address].size());
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<CurrentCapability> BuildCurrentCapabilities(const ObservedInventory& inventory,
                                                        const CurrentWindow& window) {
  // Latest quote per (org, orch, capability_id, constraint); the global price_info row has none.
  using QuoteKey = std::tuple<std::string, std::string, int64_t, std::string>;
  std::map<QuoteKey, const ObservedPricingRow*> quotes;
  for (const ObservedPricingRow& row : inventory.pricing) {
    if (!window.Contains(row.sighting.last_seen) || !row.key.capability_id || !row.key.constraint) {
      continue;
    }
    const ObservedPricingRow*& q =
        quotes[{row.org, row.key.orch_address, *row.key.capability_id, *row.key.constraint}];
    if (q == nullptr || Later(row.sighting, q->sighting)) q = &row;
  }
  std::map<CurrentCapabilityKey, CurrentCapability> merged;
  for (const ObservedOfferRow& row : inventory.offers) {
    if (!window.Contains(row.sighting.last_seen)) continue;
    const ObservedOfferKey& k = row.key;
    auto [it, inserted] = merged.try_emplace(
        {row.org, k.orch_address, k.capability_id, k.pipeline_id, k.model_id, k.gpu_id});
    CurrentCapability& c = it->second;
    if (inserted) {
      c.key = it->first;
      c.sighting = row.sighting;
      c.columns = row.columns;
    } else {
      if (Later(row.sighting, c.sighting)) c.columns = row.columns;
      MergeSighting(c.sighting, row.sighting);
    }
    if (row.columns.advertised_capacity) {
      c.max_advertised_capacity =
          std::max(c.max_advertised_capacity.value_or(*row.columns.advertised_capacity),
                   *row.columns.advertised_capacity);
    }
  }
  std::set<std::tuple<std::string, std::string, std::string, std::string>> byoc_offers;
  for (const auto& [key, c] : merged) {
    if (key.capability_id == event::kByocCapabilityId) {
      byoc_offers.insert({key.org, key.orch_address, key.pipeline_id, key.model_id});
    }
  }
  for (const CurrentWorker& w : BuildCurrentWorkers(inventory.workers, window)) {
    const std::string& orch = w.columns.orchestrator_address;
    if (orch.empty() || byoc_offers.contains({w.org, orch, w.key.capability, w.columns.model})) {
      continue;
    }
    auto [it, inserted] = merged.try_emplace(
        {w.org, orch, event::kByocCapabilityId, w.key.capability, w.columns.model, ""});
    CurrentCapability& c = it->second;
    if (inserted) {
      c.key = it->first;
      c.sighting = w.sighting;
      c.from_worker = true;
      c.columns.orch_uri = w.columns.orch_url;
      c.columns.offered_name = w.key.capability;
      c.columns.capability_name = w.key.capability;
      c.columns.capability_family = "byoc";
      c.columns.supports_request = true;
      c.columns.supports_stream = false;
    } else {
      MergeSighting(c.sighting, w.sighting);
    }
  }
  std::vector<CurrentCapability> out;
  for (auto& [key, c] : merged) {
    const std::string& constraint =
        key.capability_id == event::kByocCapabilityId ? key.pipeline_id : key.model_id;
    auto q = quotes.find({key.org, key.orch_address, key.capability_id, constraint});
    if (q != quotes.end()) {
      c.price_per_unit = q->second->columns.price_per_unit;
      c.pixels_per_unit = q->second->columns.pixels_per_unit;
      c.unit_price = UnitPrice(*c.price_per_unit, *c.pixels_per_unit);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<CurrentPrice> BuildCurrentPrices(const ObservedInventory& inventory,
                                             const CurrentWindow& window) {
  std::map<std::pair<std::string, std::string>, std::set<std::string>> worker_models;
  std::set<CurrentPriceKey> warm;  // a current BYOC worker serves its key
  for (const CurrentWorker& w : BuildCurrentWorkers(inventory.workers, window)) {
    if (!w.columns.model.empty()) {
      worker_models[{w.columns.orchestrator_address, w.key.capability}].insert(w.columns.model);
      warm.insert({w.columns.orchestrator_address, w.key.capability, w.columns.model});
    }
  }
  std::map<CurrentPriceKey, const ObservedPricingRow*> latest;
  for (const ObservedPricingRow& row : inventory.pricing) {
    const ObservedPricingKey& k = row.key;
    if (!window.Contains(row.sighting.last_seen) || !k.capability_id || !k.constraint) continue;
    if (row.columns.price_per_unit.value() == 0 || row.columns.pixels_per_unit.value() == 0) {
      continue;
    }
    std::string pipeline;
    std::set<std::string> models;
    if (*k.capability_id == event::kByocCapabilityId) {
      pipeline = *k.constraint;
      auto it = worker_models.find({k.orch_address, pipeline});
      models = it != worker_models.end() ? it->second : std::set<std::string>{pipeline};
    } else {
      pipeline = std::string(event::CatalogPipeline(static_cast<int>(*k.capability_id)));
      models = {*k.constraint};
    }
    if (pipeline.empty()) continue;
    for (const std::string& model : models) {
      const ObservedPricingRow*& best = latest[{k.orch_address, pipeline, model}];
      if (best == nullptr ||
          std::tie(row.sighting.last_seen, row.columns.capability_version_id) >
              std::tie(best->sighting.last_seen, best->columns.capability_version_id)) {
        best = &row;
      }
    }
  }
  for (const ObservedOfferRow& row : inventory.offers) {
    if (window.Contains(row.sighting.last_seen) &&
        (row.columns.warm.value_or(false) || row.columns.hardware_present)) {
      warm.insert({row.key.orch_address, row.key.pipeline_id, row.key.model_id});
    }
  }
  std::vector<CurrentPrice> out;
  for (const auto& [key, row] : latest) {
    out.push_back(
        {.key = key,
         .price_per_unit = row->columns.price_per_unit,
         .pixels_per_unit = row->columns.pixels_per_unit,
         .unit_price = UnitPrice(row->columns.price_per_unit, row->columns.pixels_per_unit),
         .is_warm = warm.contains(key)});
  }
  return out;
}

std::vector<CurrentGpu> BuildCurrentGpuInventory(const std::vector<ObservedOfferRow>& offers,
                                                 const CurrentWindow& window) {
  std::map<std::pair<std::string, std::string>, std::pair<CurrentGpu, const ObservedOfferRow*>>
      merged;
  for (const ObservedOfferRow& row : offers) {
    if (row.key.gpu_id.empty() || !window.Contains(row.sighting.last_seen)) continue;
    auto& [gpu, latest] = merged[{row.key.orch_address, row.key.gpu_id}];
    gpu.pipelines.insert(row.key.pipeline_id);
    if (!row.key.model_id.empty()) gpu.models.insert(row.key.model_id);
    if (latest == nullptr || Later(row.sighting, latest->sighting)) latest = &row;
  }
  std::vector<CurrentGpu> out;
  for (auto& [key, entry] : merged) {
    auto& [gpu, latest] = entry;
    gpu.orch_address = key.first;
    gpu.gpu_id = key.second;
    gpu.gpu_model_name = latest->columns.gpu_model_name;
    gpu.gpu_memory_bytes_total = latest->columns.gpu_memory_bytes_total;
    gpu.last_seen = latest->sighting.last_seen;
    out.push_back(std::move(gpu));
  }
  return out;
}

std::vector<ActiveStreamState> BuildActiveStreamStates(const resolve::FactsView& facts,
                                                       const std::vector<std::string>& orgs,
                                                       const CurrentWindow& window) {
  std::map<std::pair<std::string, std::string>, ActiveStreamState> active;
  for (const std::string& org : orgs) {
    for (Millis hour = window.first_hour(); hour <= window.last_hour(); hour += kHourMs) {
      for (const resolve::SessionFact* s : facts.SessionsAt(org, hour)) {
        if (!s->exists || s->classification.completed || !s->last_seen ||
            !window.Contains(*s->last_seen)) {
          continue;
        }
        active.try_emplace({s->org, s->session_key},
                           ActiveStreamState{.org = s->org,
                                             .session_key = s->session_key,
                                             .stream_id = s->stream_id,
                                             .request_id = s->request_id,
                                             .latest_sample = s->latest_sample,
                                             .gateway = s->gateway,
                                             .orchestrator_address = s->orchestrator_address,
                                             .pipeline_id = s->pipeline_id,
                                             .model_id = s->model_id,
                                             .gpu_id = s->gpu_id,
                                             .attribution = s->attribution,
                                             .session_start = s->session_start,
                                             .last_seen = *s->last_seen});
      }
    }
  }
  std::vector<ActiveStreamState> out;
  for (auto& [key, state] : active) out.push_back(std::move(state));
  return out;
}

std::vector<GatewaySighting> BuildGateways(const resolve::FactsView& facts,
                                           const std::vector<std::string>& orgs, Millis from_hour,
                                           Millis to_hour) {
  std::map<std::string, GatewaySighting> gateways;
  auto sight = [&](const std::string& org, std::string_view value, Millis first, Millis last) {
    if (value.empty()) return;
    const std::string key = ToLower(value);
    auto [it, inserted] = gateways.try_emplace(key);
    GatewaySighting& g = it->second;
    if (inserted) {
      g.gateway = key;
      g.first_seen = first;
      g.last_seen = last;
    } else {
      g.first_seen = std::min(g.first_seen, first);
      g.last_seen = std::max(g.last_seen, last);
    }
    g.orgs.insert(org);
  };
  for (const std::string& org : orgs) {
    for (Millis hour = HourFloor(from_hour); hour <= to_hour; hour += kHourMs) {
      for (const resolve::SessionFact* s : facts.SessionsAt(org, hour)) {
        if (!s->exists) continue;
        sight(org, s->gateway, s->first_seen.value_or(s->session_start),
              s->last_seen.value_or(s->session_start));
      }
      for (const resolve::AiBatchJobFact* j : facts.AiBatchJobsAt(org, hour)) {
        sight(org, j->gateway, j->received_at.value_or(j->completed_at), j->completed_at);
      }
      for (const resolve::ByocJobFact* j : facts.ByocJobsAt(org, hour)) {
        sight(org, j->gateway, j->completed_at, j->completed_at);
      }
      for (const resolve::PaymentFact* p : facts.PaymentsAt(org, hour)) {
        sight(org, p->sender_address, p->event_ts, p->event_ts);
      }
    }
  }
  std::vector<GatewaySighting> out;
  for (auto& [key, g] : gateways) out.push_back(std::move(g));
  return out;
}

std::vector<LeaderboardRow> BuildLeaderboardRows(
    const std::vector<OrchStreamStatsRow>& stream_stats, const std::vector<DiscoveryRow>& discovery,
    const std::vector<OrchestratorIdentity>& identities, Millis now) {
  std::map<std::string, std::pair<StreamingSums, DiscoverySums>> sums;
  for (const OrchStreamStatsRow& row : stream_stats) {
    if (!row.key.orchestrator_address.empty()) {
      sums[row.key.orchestrator_address].first += row.sums;
    }
  }
  for (const DiscoveryRow& row : discovery) {
    if (!row.key.orchestrator_address.empty()) {
      sums[row.key.orchestrator_address].second += row.sums;
    }
  }
  std::map<std::string_view, Millis> last_seen;
  for (const OrchestratorIdentity& id : identities) last_seen[id.orch_address] = id.last_seen;
  std::vector<LeaderboardRow> out;
  for (const auto& [address, s] : sums) {
    LeaderboardRow row;
    row.input = {.address = address,
                 .streams_handled = s.first.sessions_handled,
                 .avg_inference_fps = AvgOutputFps(s.first),
                 .degraded_rate = DegradedRate(s.first),
                 .avg_latency_ms = DeriveDiscovery(s.second).avg_latency_ms};
    if (auto it = last_seen.find(address); it != last_seen.end()) {
      row.last_seen = it->second;
      row.is_active = it->second >= now - kActiveWithinMs;
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<LeaderboardEntry> RankLeaderboardRows(const std::vector<LeaderboardRow>& rows,
                                                  int64_t min_streams,
                                                  const LeaderboardWeights& weights) {
  std::vector<LeaderboardInput> inputs;
  inputs.reserve(rows.size());
  for (const LeaderboardRow& row : rows) inputs.push_back(row.input);
  return RankLeaderboard(inputs, min_streams, weights);
}

// ---- loading ----

namespace {

// Appends the decoded rows of every slice of `table` in the hours (of `org` when given).
template <typename Row, typename Decode>
Status AppendSliceRows(store::Store& store, std::string_view table, Millis from_hour,
                       Millis to_hour, std::optional<std::string_view> org, Decode decode,
                       std::vector<Row>& out) {
  return store.ScanSlices(table, from_hour, to_hour, [&](const store::Slice& slice) -> Status {
    if (org && slice.org != *org) return Status::Ok();
    Result<std::vector<Row>> rows = decode(slice.rows);
    if (!rows.ok()) return rows.status();
    out.insert(out.end(), std::make_move_iterator(rows->begin()),
               std::make_move_iterator(rows->end()));
    return Status::Ok();
  });
}

template <typename Row, typename Decode>
Result<std::vector<Row>> LoadSliceRows(store::Store& store, std::string_view table,
                                       Millis from_hour, Millis to_hour,
                                       std::optional<std::string_view> org, Decode decode) {
  std::vector<Row> rows;
  Status s = AppendSliceRows(store, table, from_hour, to_hour, org, decode, rows);
  if (!s.ok()) return s;
  return rows;
}

}  // namespace

Result<ObservedInventory> LoadObservedInventory(store::Store& store, Millis from_hour,
                                                Millis to_hour,
                                                std::optional<std::string_view> org) {
  ObservedInventory inv;
  Status s = AppendSliceRows(store, kObservedOrchestratorTable, from_hour, to_hour, org,
                             DecodeInventoryRows<ObservedOrchestratorRow>, inv.orchestrators);
  if (s.ok()) {
    s = AppendSliceRows(store, kObservedOfferTable, from_hour, to_hour, org,
                        DecodeInventoryRows<ObservedOfferRow>, inv.offers);
  }
  if (s.ok()) {
    s = AppendSliceRows(store, kObservedPricingTable, from_hour, to_hour, org,
                        DecodeInventoryRows<ObservedPricingRow>, inv.pricing);
  }
  if (s.ok()) {
    s = AppendSliceRows(store, kObservedByocWorkerTable, from_hour, to_hour, org,
                        DecodeInventoryRows<ObservedWorkerRow>, inv.workers);
  }
  if (!s.ok()) return s;
  return inv;
}

Result<std::vector<OrchStreamStatsRow>> LoadOrchStreamStats(store::Store& store, Millis from_hour,
                                                            Millis to_hour,
                                                            std::optional<std::string_view> org) {
  return LoadSliceRows<OrchStreamStatsRow>(store, kOrchStreamStatsTable, from_hour, to_hour, org,
                                           DecodeOrchStreamStatsRows);
}

Result<std::vector<DiscoveryRow>> LoadDiscoveryLatency(store::Store& store, Millis from_hour,
                                                       Millis to_hour,
                                                       std::optional<std::string_view> org) {
  return LoadSliceRows<DiscoveryRow>(store, kDiscoveryLatencyTable, from_hour, to_hour, org,
                                     DecodeRequestRows<DiscoveryRow>);
}

}  // namespace naap::publish
