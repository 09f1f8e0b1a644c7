// Group B routes B1–B20 (spec/api.md §3.1–§3.3): network inventory and live state, streams and
// performance. Each handler computes the value of `data` (or the rows of a list route); the router
// does parameters, windows, paging and envelopes.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "api/api.h"
#include "api/backend.h"
#include "api/route.h"
#include "api/route_util.h"
#include "api/routes_net_util.h"
#include "base/json_writer.h"
#include "publish/formulas.h"
#include "publish/query.h"
#include "publish/tables_session_events.h"
#include "publish/views.h"

namespace naap::api {
namespace {

using namespace route_util;  // NOLINT(google-build-using-namespace)
using publish::StreamingSums;

constexpr int64_t kActiveThresholdMinutes = 10;
constexpr Millis kProfileDaysMs = 7 * kDayMs;
constexpr size_t kStreamSampleLimit = 1000;
constexpr size_t kE2eTopN = 50;
constexpr double kBytesPerGb = 1024.0 * 1024.0 * 1024.0;

// ---- parameter declarations ----

ParamSpec PipelineParam() {
  return {.name = "pipeline", .type = ParamType::kId, .description = "canonical pipeline"};
}

RouteSpec Route(std::string id, std::string pattern, std::string summary,
                std::vector<ParamSpec> params, Handler handler) {
  RouteSpec route;
  route.id = std::move(id);
  route.pattern = std::move(pattern);
  route.group = RouteGroup::kB;
  route.summary = std::move(summary);
  route.params = std::move(params);
  route.handler = std::move(handler);
  return route;
}

RouteSpec Windowed(RouteSpec route) {
  route.window = WindowSpec{};
  return route;
}

// ---- shared reads ----

template <typename Value>
Outcome Failed(const Result<Value>& r) {
  return r.status();
}

// CachedQuery of `q` over a window's hours; no rows when the window selects no hour.
template <typename Rows>
Result<std::shared_ptr<const Rows>> QueryOver(Backend& backend, const HourRange& hours,
                                              const publish::TableQuery& q,
                                              TableQueryFn<Rows> query_fn) {
  return CachedQuery(backend, hours.empty() ? std::nullopt : std::optional(q), query_fn);
}

// Equality filters of the request's `pipeline` and `orch_address` parameters.
void AddFilters(const RequestContext& ctx, publish::TableQuery& q) {
  if (auto pipeline = ctx.Get("pipeline")) q.equals["pipeline_id"] = *pipeline;
  if (auto address = ctx.Get("orch_address")) q.equals["orchestrator_address"] = *address;
}

publish::TableQuery FilteredQuery(const RequestContext& ctx, const HourRange& hours,
                                  std::vector<std::string> group_by,
                                  publish::TimeBucket bucket = publish::TimeBucket::kNone) {
  publish::TableQuery q = HourQuery(ctx, hours);
  AddFilters(ctx, q);
  q.group_by = std::move(group_by);
  q.bucket = bucket;
  return q;
}

// The sums of the only group of a whole-window, ungrouped query (zero when it has none).
template <typename Row>
decltype(Row::sums) TotalOf(const std::vector<Row>& rows) {
  decltype(Row::sums) total{};
  for (const Row& row : rows) total += row.sums;
  return total;
}

// The history body: HourArray over `hours`, each hour with the sums of its rows (zero-filled)
// for `write_fields(w, hour, sums)`.
template <typename Row, typename WriteFields>
Reply HistoryReply(const HourRange& hours, const std::vector<Row>& rows, WriteFields write_fields) {
  std::map<Millis, decltype(Row::sums)> by_hour;
  for (const Row& row : rows) by_hour[row.bucket_start] += row.sums;
  return Reply::Data(
      HourArray(hours, [&](JsonWriter& w, Millis hour) { write_fields(w, hour, by_hour[hour]); }));
}

// ---- B1 / B2: current orchestrators ----

bool ReportedIn(const publish::CurrentOrchestrator& orch, const std::optional<std::string>& org) {
  return !org || orch.identity.orgs.count(*org) > 0;
}

Outcome NetSummary(const RequestContext& ctx, Backend& backend) {
  Result<std::shared_ptr<const CurrentInventory>> loaded =
      LoadCurrentInventory(backend, ctx.data_clock, {});
  if (!loaded.ok()) return Failed(loaded);
  const CurrentInventory* current = loaded->get();
  const std::optional<std::string> org = ctx.Get("org");
  int64_t registered = 0, active = 0;
  for (const publish::CurrentOrchestrator& orch : current->orchestrators) {
    if (!ReportedIn(orch, org)) continue;
    ++registered;
    if (orch.is_active) ++active;
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("org");
  if (org) {
    w.String(*org);
  } else {
    w.Null();
  }
  w.Key("snapshot_time");
  WriteOptionalTime(w, ctx.data_clock);
  w.Key("total_registered").Int(registered);
  w.Key("total_active").Int(active);
  w.Key("active_threshold_minutes").Int(kActiveThresholdMinutes);
  w.EndObject();
  return Reply::Data(w.Take());
}

// B2; each row carries the orchestrator's raw capabilities JSON, long to escape, so the rows are
// worth the router's memo (hour-grained: they depend on the data clock and the filters).
Outcome NetOrchestrators(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> org = ctx.Get("org");
  const bool active_only = ctx.Bool("active_only");
  Result<std::shared_ptr<const CurrentInventory>> loaded =
      LoadCurrentInventory(backend, ctx.data_clock, {});
  if (!loaded.ok()) return Failed(loaded);
  std::vector<ListRow> rows;
  for (const publish::CurrentOrchestrator& orch : (*loaded)->orchestrators) {  // by address
    if (!ReportedIn(orch, org) || (active_only && !orch.is_active)) continue;
    const publish::OrchestratorIdentity& id = orch.identity;
    JsonWriter w;
    w.BeginObject();
    w.Key("address").String(id.orch_address);
    w.Key("orgs");
    WriteStrings(w, id.orgs);
    w.Key("name").String(id.name);
    w.Key("label").String(id.label);
    w.Key("uri").String(id.orchestrator_uri);
    w.Key("version").String(id.version);
    w.Key("last_seen");
    WriteTime(w, id.last_seen);
    w.Key("is_active").Bool(orch.is_active);
    w.Key("raw_capabilities").String(orch.raw_capabilities);
    w.EndObject();
    rows.push_back({.key = {id.orch_address}, .json = w.Take()});
  }
  return Reply::List(std::move(rows));
}

// ---- B3: one orchestrator ----

Outcome NetOrchestrator(const RequestContext& ctx, Backend& backend) {
  const std::string& address = ctx.path_params.at("address");
  Result<std::shared_ptr<const Identities>> loaded_ids = LoadIdentities(backend, ctx.data_clock);
  if (!loaded_ids.ok()) return Failed(loaded_ids);
  const Identities* ids = loaded_ids->get();
  const publish::OrchestratorIdentity* found = ids->Find(address);
  if (found == nullptr) return Problem{.status = 404, .detail = "orchestrator not found"};
  const publish::OrchestratorIdentity& id = *found;
  const Millis clock = *ctx.data_clock;  // an identity exists only when data is held
  const HourRange hours = HoursOf(Window{clock - kProfileDaysMs, clock});
  publish::TableQuery q = HourQuery(ctx, hours);
  q.equals["orchestrator_address"] = address;
  auto stats = QueryOver(backend, hours, q, publish::QueryOrchStreamStats);
  if (!stats.ok()) return Failed(stats);
  auto discovery = QueryOver(backend, hours, q, publish::QueryDiscoveryLatency);
  if (!discovery.ok()) return Failed(discovery);
  const StreamingSums streams = TotalOf(**stats);
  const publish::DiscoveryDerived latency = publish::DeriveDiscovery(TotalOf(**discovery));

  JsonWriter w;
  w.BeginObject();
  w.Key("address").String(id.orch_address);
  w.Key("name").String(id.name);
  w.Key("label").String(id.label);
  w.Key("uri").String(id.orchestrator_uri);
  w.Key("version").String(id.version);
  w.Key("orgs");
  WriteStrings(w, id.orgs);
  w.Key("last_seen");
  WriteTime(w, id.last_seen);
  w.Key("is_active").Bool(id.last_seen >= clock - publish::kActiveWithinMs);
  w.Key("streams_handled").Int(streams.sessions_handled);
  WriteOptional(w, "avg_inference_fps", publish::AvgOutputFps(streams));
  WriteOptional(w, "degraded_rate", publish::DegradedRate(streams));
  WriteOptional(w, "avg_latency_ms", latency.avg_latency_ms);
  w.Key("raw_capabilities").String(ids->RawCapabilitiesOf(address));
  w.EndObject();
  return Reply::Data(w.Take());
}

// ---- B4: GPUs ----

Outcome NetGpu(const RequestContext& ctx, Backend& backend) {
  Result<std::shared_ptr<const CurrentInventory>> loaded =
      LoadCurrentInventory(backend, ctx.data_clock, ctx.Get("org"));
  if (!loaded.ok()) return Failed(loaded);
  const CurrentInventory* current = loaded->get();
  struct ModelTotal {
    int64_t count = 0;
    double bytes = 0;
  };
  std::map<std::string, ModelTotal> by_model;
  double total_bytes = 0;
  for (const publish::CurrentGpu& gpu : current->gpus) {
    const double bytes = static_cast<double>(gpu.gpu_memory_bytes_total.value_or(0));
    total_bytes += bytes;
    ModelTotal& model = by_model[gpu.gpu_model_name.value_or("")];
    ++model.count;
    model.bytes += bytes;
  }
  std::vector<std::pair<std::string, ModelTotal>> models(by_model.begin(), by_model.end());
  std::stable_sort(models.begin(), models.end(),
                   [](const auto& a, const auto& b) { return a.second.count > b.second.count; });
  JsonWriter w;
  w.BeginObject();
  w.Key("total_gpus").Int(static_cast<int64_t>(current->gpus.size()));
  w.Key("total_vram_gb").Double(total_bytes / kBytesPerGb);
  w.Key("by_model").BeginArray();
  for (const auto& [model, total] : models) {
    w.BeginObject();
    w.Key("model").String(model);
    w.Key("count").Int(total.count);
    w.Key("total_vram_gb").Double(total.bytes / kBytesPerGb);
    w.Key("vram_per_gpu_gb").Double(total.bytes / kBytesPerGb / static_cast<double>(total.count));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Reply::Data(w.Take());
}

// ---- B5 / B7 / B19 / B20: offers per (pipeline, model) ----

using PipelineModel = std::pair<std::string, std::string>;

// Per orchestrator offering a pair: whether one of its offers is warm, its latest offer, and its
// latest priced offer, each "latest" by (last_seen, latest_event_id).
struct OrchOffer {
  bool warm = false;
  const publish::CurrentCapability* latest = nullptr;
  const publish::CurrentCapability* latest_priced = nullptr;
};
struct PairOffers {
  std::map<std::string, OrchOffer> by_orch;
  std::set<std::pair<std::string, std::string>> gpus;  // (orch, gpu_id) with gpu_id ≠ ""
  int64_t warm_orch_count() const {
    return std::count_if(by_orch.begin(), by_orch.end(),
                         [](const auto& o) { return o.second.warm; });
  }
};

bool Later(const publish::CurrentCapability* current, const publish::CurrentCapability& candidate) {
  return !current || std::tie(current->sighting.last_seen, current->sighting.latest_event_id) <
                         std::tie(candidate.sighting.last_seen, candidate.sighting.latest_event_id);
}

// The current offers with a pipeline and a model, per pair; `pipeline` / `model` restrict them.
std::map<PipelineModel, PairOffers> OffersByPair(
    const std::vector<publish::CurrentCapability>& capabilities,
    const std::optional<std::string>& pipeline, const std::optional<std::string>& model) {
  std::map<PipelineModel, PairOffers> pairs;
  for (const publish::CurrentCapability& cap : capabilities) {
    const publish::CurrentCapabilityKey& key = cap.key;
    if (key.pipeline_id.empty() || key.model_id.empty()) continue;
    if ((pipeline && key.pipeline_id != *pipeline) || (model && key.model_id != *model)) continue;
    PairOffers& pair = pairs[{key.pipeline_id, key.model_id}];
    OrchOffer& orch = pair.by_orch[key.orch_address];
    orch.warm = orch.warm || IsWarmOffer(cap);
    if (Later(orch.latest, cap)) orch.latest = &cap;
    if (cap.unit_price && Later(orch.latest_priced, cap)) orch.latest_priced = &cap;
    if (!key.gpu_id.empty()) pair.gpus.emplace(key.orch_address, key.gpu_id);
  }
  return pairs;
}

// Sorts by `count` DESC, then the pair ASC.
template <typename Entry, typename Count>
void SortByCountThenPair(std::vector<Entry>& entries, Count count) {
  std::sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (count(a) != count(b)) return count(a) > count(b);
    return a.pair < b.pair;
  });
}

Outcome NetModels(const RequestContext& ctx, Backend& backend) {
  Result<std::shared_ptr<const CurrentInventory>> loaded =
      LoadCurrentInventory(backend, ctx.data_clock, ctx.Get("org"));
  if (!loaded.ok()) return Failed(loaded);
  const CurrentInventory* current = loaded->get();
  struct Entry {
    PipelineModel pair;
    int64_t warm = 0, capacity = 0;
    std::optional<double> min, max, avg;
  };
  std::vector<Entry> entries;
  for (const auto& [pair, offers] :
       OffersByPair(current->capabilities, ctx.Get("pipeline"), std::nullopt)) {
    Entry e{.pair = pair, .warm = offers.warm_orch_count()};
    double price_sum = 0;
    int64_t priced = 0;
    for (const auto& [orch, offer] : offers.by_orch) {
      if (offer.warm) e.capacity += offer.latest->columns.advertised_capacity.value_or(0);
      if (!offer.latest_priced) continue;
      const double price = *offer.latest_priced->unit_price;
      e.min = e.min ? std::min(*e.min, price) : price;
      e.max = e.max ? std::max(*e.max, price) : price;
      price_sum += price;
      ++priced;
    }
    if (priced > 0) e.avg = price_sum / static_cast<double>(priced);
    entries.push_back(std::move(e));
  }
  SortByCountThenPair(entries, [](const Entry& e) { return e.warm; });
  JsonWriter w;
  w.BeginArray();
  for (const Entry& e : entries) {
    w.BeginObject();
    w.Key("pipeline").String(e.pair.first);
    w.Key("model").String(e.pair.second);
    w.Key("warm_orch_count").Int(e.warm);
    w.Key("total_capacity").Int(e.capacity);
    WriteOptional(w, "price_min_wei_per_pixel", e.min);
    WriteOptional(w, "price_max_wei_per_pixel", e.max);
    WriteOptional(w, "price_avg_wei_per_pixel", e.avg);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- B6 / B7: live streams ----

Outcome StreamsActive(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> pipeline = ctx.Get("pipeline");
  int64_t total = 0;
  std::map<std::string, int64_t> by_org, by_pipeline, by_state;
  auto streams = LoadActiveStreams(backend, ctx.data_clock, ctx.Get("org"));
  if (!streams.ok()) return Failed(streams);
  for (const publish::ActiveStreamState& stream : **streams) {
    if (stream.stream_id.empty() || (pipeline && stream.pipeline_id != *pipeline)) continue;
    ++total;
    ++by_org[stream.org];
    ++by_pipeline[stream.pipeline_id.empty() ? "other" : stream.pipeline_id];
    const std::string state = stream.latest_sample ? stream.latest_sample->state : "";
    ++by_state[state.empty() ? "UNKNOWN" : state];
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("total_active").Int(total);
  w.Key("active_threshold_seconds").Int(kActiveStreamMs / 1000);
  w.Key("by_org");
  WriteCounts(w, by_org);
  w.Key("by_pipeline");
  WriteCounts(w, by_pipeline);
  w.Key("by_state");
  WriteCounts(w, by_state);
  w.EndObject();
  return Reply::Data(w.Take());
}

Outcome NetCapacity(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> org = ctx.Get("org");
  Result<std::shared_ptr<const CurrentInventory>> loaded =
      LoadCurrentInventory(backend, ctx.data_clock, org);
  if (!loaded.ok()) return Failed(loaded);
  const CurrentInventory* current = loaded->get();
  std::map<PipelineModel, int64_t> active;
  auto streams = LoadActiveStreams(backend, ctx.data_clock, org);
  if (!streams.ok()) return Failed(streams);
  for (const publish::ActiveStreamState& stream : **streams) {
    if (!stream.stream_id.empty() && !stream.pipeline_id.empty() && !stream.model_id.empty()) {
      ++active[{stream.pipeline_id, stream.model_id}];
    }
  }
  std::map<std::pair<std::string, std::string>, int64_t> gpu_memory;
  for (const publish::CurrentGpu& gpu : current->gpus) {
    gpu_memory[{gpu.orch_address, gpu.gpu_id}] = gpu.gpu_memory_bytes_total.value_or(0);
  }
  std::map<PipelineModel, PairOffers> offers =
      OffersByPair(current->capabilities, std::nullopt, std::nullopt);
  for (const auto& [pair, count] : active) offers.try_emplace(pair);
  struct Entry {
    PipelineModel pair;
    int64_t warm = 0, gpus = 0, active = 0, vram = 0;
  };
  std::vector<Entry> entries;
  for (const auto& [pair, offer] : offers) {
    Entry e{.pair = pair,
            .warm = offer.warm_orch_count(),
            .gpus = static_cast<int64_t>(offer.gpus.size())};
    if (auto it = active.find(pair); it != active.end()) e.active = it->second;
    for (const auto& gpu : offer.gpus) {
      if (auto it = gpu_memory.find(gpu); it != gpu_memory.end()) e.vram += it->second;
    }
    entries.push_back(e);
  }
  SortByCountThenPair(entries, [](const Entry& e) { return e.warm; });
  JsonWriter w;
  w.BeginObject();
  w.Key("snapshot_time");
  WriteOptionalTime(w, ctx.data_clock);
  w.Key("entries").BeginArray();
  for (const Entry& e : entries) {
    w.BeginObject();
    w.Key("pipeline").String(e.pair.first);
    w.Key("model_id").String(e.pair.second);
    w.Key("warm_orch_count").Int(e.warm);
    w.Key("gpu_count").Int(e.gpus);
    w.Key("active_streams").Int(e.active);
    w.Key("utilization_pct");
    WriteOptional(
        w, publish::Ratio(100.0 * static_cast<double>(e.active), static_cast<double>(e.gpus)));
    w.Key("total_vram_bytes").Int(e.vram);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Reply::Data(w.Take());
}

// ---- B8 / B9: session outcomes ----

Result<std::vector<publish::StreamingQueryRow<publish::DemandDerived>>> DemandRows(
    const RequestContext& ctx, Backend& backend, const HourRange& hours,
    std::vector<std::string> group_by, publish::TimeBucket bucket) {
  const publish::TableQuery q = FilteredQuery(ctx, hours, std::move(group_by), bucket);
  auto rows = QueryOver(backend, hours, q, publish::QueryStreamingDemand);
  if (!rows.ok()) return rows.status();
  return **rows;  // a copy: callers sort and filter it
}

Outcome StreamsSummary(const RequestContext& ctx, Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  auto rows = DemandRows(ctx, backend, hours, {}, publish::TimeBucket::kNone);
  if (!rows.ok()) return Failed(rows);
  const StreamingSums s = TotalOf(*rows);
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  w.Key("total_requested").Int(s.requested_sessions);
  w.Key("startup_successes").Int(s.startup_success_sessions);
  w.Key("no_orch_session_count").Int(s.no_orch_sessions);
  WriteOptional(w, "startup_success_rate", publish::StartupSuccessRate(s));
  WriteOptional(w, "no_orch_session_rate",
                publish::Ratio(static_cast<double>(s.no_orch_sessions),
                               static_cast<double>(s.requested_sessions)));
  w.Key("orch_swap_count").Int(s.total_swapped_sessions);
  w.EndObject();
  return Reply::Data(w.Take());
}

Outcome StreamsHistory(const RequestContext& ctx, Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  auto rows = DemandRows(ctx, backend, hours, {}, publish::TimeBucket::kHour);
  if (!rows.ok()) return Failed(rows);
  return HistoryReply(hours, *rows, [](JsonWriter& w, Millis, const StreamingSums& s) {
    w.Key("requested_sessions").Int(s.requested_sessions);
    w.Key("startup_success_sessions").Int(s.startup_success_sessions);
    w.Key("no_orch_sessions").Int(s.no_orch_sessions);
    w.Key("orch_swap_sessions").Int(s.total_swapped_sessions);
  });
}

// ---- B10 / B11 / B12: status samples and sessions ----

Outcome StreamsSamples(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> stream_id = ctx.Get("stream_id");
  const std::optional<std::string> pipeline = ctx.Get("pipeline");
  const std::optional<std::string> orch = ctx.Get("orch_address");
  // Rows come out newest hour first, each hour in keyset order (memoized), so the concatenation
  // is in keyset order. Rows before the cursor's sample_ts precede it and are skipped; rows are
  // taken until limit + 1 lie surely after the cursor (sample_ts below the cursor's; SelectPage
  // needs limit rows and one more to know a next page follows). None of the rows past that one
  // can be on the page, so it is the same as over the whole window, and only the rows taken are
  // joined and written as JSON.
  const std::optional<Millis> cursor_ts = CursorLeadingTime(ctx);
  const bool paged = ctx.limit > 0;  // limit 0 (no page size): every row of the window
  const net::SampleFilter filter{
      .orgs = OrgFilter(ctx), .from = ctx.window->start, .to = ctx.window->end};
  std::vector<ListRow> list;
  Status read = backend.ReadFacts([&](const resolve::FactsView& facts) {
    if (filter.from >= filter.to) return Status::Ok();
    int64_t after_cursor = 0;
    const auto take = [&](net::JoinedSample s) {
      if (cursor_ts && s.sample_ts > *cursor_ts) return true;
      if (stream_id && s.sample.key.stream_id != *stream_id) return true;
      const std::string& sample_pipeline = s.session ? s.session->pipeline_id : s.sample.pipeline;
      if (pipeline && sample_pipeline != *pipeline) return true;
      if (orch && (!s.session || s.session->orchestrator_address != *orch)) return true;
      list.push_back(
          {.key = {std::to_string(s.sample_ts), s.org, s.event_id}, .json = net::SampleJson(s)});
      if (!cursor_ts || s.sample_ts < *cursor_ts) ++after_cursor;
      return !paged || after_cursor <= ctx.limit;
    };
    for (Millis hour = HourFloor(filter.to - 1); hour >= HourFloor(filter.from); hour -= kHourMs) {
      if (paged && after_cursor > ctx.limit) break;
      if (cursor_ts && hour > *cursor_ts) continue;  // every row of the hour precedes the cursor
      NAAP_RETURN_IF_ERROR(net::VisitHourSamplesNewestFirst(backend, facts, filter, hour, take));
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  return Reply::List(std::move(list));
}

// B11's view of one raw-log hour, memoized by data version: each sample's time, org and
// attribution status in time order, and the whole hour's counts per org. A window then costs the
// counts of its whole hours and a binary search into its partial first and last hours.
struct AttributionHour {
  struct Sample {
    Millis sample_ts = 0;
    uint32_t org = 0;     // index into `orgs`
    uint32_t status = 0;  // index into `statuses`
  };
  std::vector<std::string> orgs, statuses;
  std::vector<bool> attributed;  // per status
  std::vector<Sample> samples;
  std::vector<std::vector<int64_t>> counts;  // [org][status] over the hour
};

Result<std::shared_ptr<const AttributionHour>> ReadAttributionHour(
    Backend& backend, const resolve::FactsView& facts, Millis hour) {
  return Memoized<AttributionHour>(
      backend, "attribution_hour/" + std::to_string(hour),
      [&]() -> Result<std::shared_ptr<const AttributionHour>> {
        std::vector<net::JoinedSample> joined;
        NAAP_RETURN_IF_ERROR(net::AppendHourSamples(
            backend, facts, {.from = hour, .to = hour + kHourMs}, hour, joined));
        auto result = std::make_shared<AttributionHour>();
        AttributionHour& h = *result;
        auto index_of = [](std::vector<std::string>& names, const std::string& name) {
          const auto it = std::find(names.begin(), names.end(), name);
          if (it != names.end()) return static_cast<uint32_t>(it - names.begin());
          names.push_back(name);
          return static_cast<uint32_t>(names.size() - 1);
        };
        for (const net::JoinedSample& s : joined) {
          const uint32_t org = index_of(h.orgs, s.org);
          const uint32_t status = index_of(h.statuses, s.attribution_status());
          if (status == h.attributed.size()) h.attributed.push_back(s.is_attributed());
          h.samples.push_back({.sample_ts = s.sample_ts, .org = org, .status = status});
        }
        std::stable_sort(h.samples.begin(), h.samples.end(), [](const auto& a, const auto& b) {
          return a.sample_ts < b.sample_ts;
        });
        h.counts.assign(h.orgs.size(), std::vector<int64_t>(h.statuses.size(), 0));
        for (const AttributionHour::Sample& s : h.samples) ++h.counts[s.org][s.status];
        return std::shared_ptr<const AttributionHour>(std::move(result));
      });
}

Outcome StreamsAttribution(const RequestContext& ctx, Backend& backend) {
  std::map<std::string, int64_t> by_status = {
      {"ambiguous", 0}, {"hardware_less", 0}, {"resolved", 0}, {"stale", 0}, {"unresolved", 0}};
  int64_t total = 0, attributed = 0;
  const Window window = *ctx.window;
  const std::optional<std::set<std::string>> orgs = OrgFilter(ctx);
  Status read = backend.ReadFacts([&](const resolve::FactsView& facts) {
    if (window.start >= window.end) return Status::Ok();
    for (Millis hour = HourFloor(window.start); hour < window.end; hour += kHourMs) {
      auto h = ReadAttributionHour(backend, facts, hour);
      if (!h.ok()) return h.status();
      const AttributionHour& a = **h;
      std::vector<int64_t> counts(a.statuses.size(), 0);
      if (hour >= window.start && hour + kHourMs <= window.end) {
        for (size_t org = 0; org < a.orgs.size(); ++org) {
          if (orgs && !orgs->contains(a.orgs[org])) continue;
          for (size_t i = 0; i < counts.size(); ++i) counts[i] += a.counts[org][i];
        }
      } else {
        const auto by_time = [](const AttributionHour::Sample& s, Millis t) {
          return s.sample_ts < t;
        };
        auto it = std::lower_bound(a.samples.begin(), a.samples.end(), window.start, by_time);
        const auto end = std::lower_bound(it, a.samples.end(), window.end, by_time);
        for (; it != end; ++it) {
          if (!orgs || orgs->contains(a.orgs[it->org])) ++counts[it->status];
        }
      }
      for (size_t i = 0; i < counts.size(); ++i) {
        total += counts[i];
        if (a.attributed[i]) attributed += counts[i];
        by_status[a.statuses[i]] += counts[i];
      }
    }
    return Status::Ok();
  });
  if (!read.ok()) return read;
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, window);
  w.Key("total_samples").Int(total);
  w.Key("attributed_count").Int(attributed);
  w.Key("unattributed_count").Int(total - attributed);
  WriteOptional(w, "attribution_rate",
                publish::Ratio(static_cast<double>(attributed), static_cast<double>(total)));
  w.Key("by_status");
  WriteCounts(w, by_status);
  w.EndObject();
  return Reply::Data(w.Take());
}

Millis LastSeenOf(const resolve::SessionFact& s) { return s.last_seen.value_or(s.session_start); }

// The session with the latest last_seen; ties: org, request_id ASC.
const resolve::SessionFact* LatestSession(
    const std::vector<const resolve::SessionFact*>& sessions) {
  const resolve::SessionFact* best = nullptr;
  for (const resolve::SessionFact* s : sessions) {
    if (!best) {
      best = s;
      continue;
    }
    const Millis a = LastSeenOf(*s), b = LastSeenOf(*best);
    if (a > b ||
        (a == b && std::tie(s->org, s->request_id) < std::tie(best->org, best->request_id))) {
      best = s;
    }
  }
  return best;
}

std::string StreamJson(const resolve::SessionFact& s, int64_t session_count,
                       std::vector<net::JoinedSample>& samples) {
  const resolve::Classification& c = s.classification;
  std::sort(samples.begin(), samples.end(), [](const auto& a, const auto& b) {
    return std::tie(a.sample_ts, a.event_id) < std::tie(b.sample_ts, b.event_id);
  });
  const bool truncated = samples.size() > kStreamSampleLimit;
  const size_t first = truncated ? samples.size() - kStreamSampleLimit : 0;
  JsonWriter w;
  w.BeginObject();
  w.Key("stream_id").String(s.stream_id);
  w.Key("request_id").String(s.request_id);
  w.Key("org").String(s.org);
  w.Key("pipeline").String(s.pipeline_id);
  w.Key("model_id").String(s.model_id);
  w.Key("gateway").String(s.gateway);
  w.Key("orch_address").String(s.orchestrator_address);
  w.Key("attribution_status").String(s.attribution.status);
  w.Key("state").String(s.latest_sample ? s.latest_sample->state : "");
  w.Key("started_at");
  WriteOptionalTime(w, s.requested_at ? s.requested_at : s.first_seen);
  w.Key("last_seen");
  WriteTime(w, LastSeenOf(s));
  w.Key("is_closed").Bool(c.completed);
  w.Key("has_failure").Bool(!s.failures.empty() || c.effective_failed);
  w.Key("startup_outcome").String(c.startup_outcome);
  w.Key("startup_latency_ms");
  WriteOptional(w,
                c.startup_latency_ms ? std::optional<double>(*c.startup_latency_ms) : std::nullopt);
  WriteOptional(w, "e2e_latency_ms", c.e2e_latency_ms);
  WriteOptional(w, "prompt_to_first_frame_ms",
                c.prompt_to_first_frame_ms ? std::optional<double>(*c.prompt_to_first_frame_ms)
                                           : std::nullopt);
  w.Key("session_count").Int(session_count);
  w.Key("samples").BeginArray();
  for (size_t i = first; i < samples.size(); ++i) w.Raw(net::SampleJson(samples[i]));
  w.EndArray();
  w.Key("samples_truncated").Bool(truncated);
  w.EndObject();
  return w.Take();
}

Outcome StreamById(const RequestContext& ctx, Backend& backend) {
  const std::string& stream_id = ctx.path_params.at("stream_id");
  std::optional<std::string> json;
  Status read = backend.ReadFacts([&](const resolve::FactsView& facts) {
    if (!ctx.data_clock) return Status::Ok();
    const Millis clock = *ctx.data_clock;
    const std::vector<const resolve::SessionFact*> sessions = net::SessionsOfStream(
        facts, FactOrgs(facts, ctx.Get("org")), stream_id,
        HourFloor(clock - backend.config().raw_retention_ms), HourFloor(clock));
    const resolve::SessionFact* session = LatestSession(sessions);
    if (!session) return Status::Ok();
    const Millis from =
        session->hours.empty() ? HourFloor(session->session_start) : session->hours.front().hour;
    const Millis to =
        (session->hours.empty() ? HourFloor(LastSeenOf(*session)) : session->hours.back().hour) +
        kHourMs;
    Result<std::vector<net::JoinedSample>> samples =
        net::ScanStatusSamples(backend, facts,
                               {.orgs = std::set<std::string>{session->org},
                                .from = from,
                                .to = to,
                                .session_key = session->session_key});
    if (!samples.ok()) return samples.status();
    json = StreamJson(*session, static_cast<int64_t>(sessions.size()), *samples);
    return Status::Ok();
  });
  if (!read.ok()) return read;
  if (!json) return Problem{.status = 404, .detail = "stream not found"};
  return Reply::Data(std::move(*json));
}

// ---- B13 – B20: performance ----

using StatsRows = std::vector<publish::StreamingQueryRow<publish::ReliabilityRates>>;

Result<StatsRows> StreamStats(const RequestContext& ctx, Backend& backend, const HourRange& hours,
                              std::vector<std::string> group_by,
                              publish::TimeBucket bucket = publish::TimeBucket::kNone) {
  const publish::TableQuery q = FilteredQuery(ctx, hours, std::move(group_by), bucket);
  auto rows = QueryOver(backend, hours, q, publish::QueryOrchStreamStats);
  if (!rows.ok()) return rows.status();
  return **rows;  // a copy: callers sort and filter it
}

// {avg, p5, p50, p99} of one FPS distribution.
void WriteFpsDistribution(JsonWriter& w, const std::optional<double>& avg,
                          const QuantileSketch& sketch) {
  w.BeginObject();
  WriteOptional(w, "avg", avg);
  WriteOptional(w, "p5", sketch.Quantile(0.05));
  WriteOptional(w, "p50", sketch.Quantile(0.50));
  WriteOptional(w, "p99", sketch.Quantile(0.99));
  w.EndObject();
}

void WriteFpsFields(JsonWriter& w, const StreamingSums& s) {
  w.Key("inference_fps");
  WriteFpsDistribution(w, publish::AvgOutputFps(s), s.output_fps_sketch);
  w.Key("input_fps");
  WriteFpsDistribution(w, publish::AvgInputFps(s), s.input_fps_sketch);
  w.Key("sample_count").Int(s.fps_positive_samples);
}

int64_t FpsSamples(const StreamingSums& s) { return s.fps_positive_samples; }
int64_t E2eSamples(const StreamingSums& s) { return s.e2e_latency_sample_count; }

// Drops the groups whose first value (the orchestrator address) is "".
void DropUnattributed(StatsRows& rows) {
  std::erase_if(rows, [](const auto& row) { return row.group.front().empty(); });
}

// The window's stats per pipeline and per attributed (orchestrator, pipeline), each sorted by
// `count` DESC, then the group; at most `pipeline_limit` and `orch_limit` groups.
struct PerfGroups {
  StatsRows by_pipeline, by_orch;
};
Result<PerfGroups> LoadPerfGroups(const RequestContext& ctx, Backend& backend,
                                  int64_t (*count)(const StreamingSums&), size_t pipeline_limit,
                                  size_t orch_limit) {
  const HourRange hours = HoursOf(*ctx.window);
  auto by_pipeline = StreamStats(ctx, backend, hours, {"pipeline_id"});
  if (!by_pipeline.ok()) return by_pipeline.status();
  auto by_orch = StreamStats(ctx, backend, hours, {"orchestrator_address", "pipeline_id"});
  if (!by_orch.ok()) return by_orch.status();
  const auto rank = [count](const auto& row) { return count(row.sums); };
  SortByRankThenGroup(*by_pipeline, rank);
  if (by_pipeline->size() > pipeline_limit) by_pipeline->resize(pipeline_limit);
  DropUnattributed(*by_orch);
  SortByRankThenGroup(*by_orch, rank);
  if (by_orch->size() > orch_limit) by_orch->resize(orch_limit);
  return PerfGroups{.by_pipeline = std::move(*by_pipeline), .by_orch = std::move(*by_orch)};
}

// "by_pipeline": [{pipeline, …}] and "by_orchestrator": [{address[, name], pipeline, …}], with
// the fields `write_fields(w, sums)` adds; the name (§1.8) only when `ids` is given.
template <typename WriteFields>
void WritePerfGroups(JsonWriter& w, const PerfGroups& groups, const Identities* ids,
                     WriteFields write_fields) {
  w.Key("by_pipeline").BeginArray();
  for (const auto& row : groups.by_pipeline) {
    w.BeginObject();
    w.Key("pipeline").String(row.group[0]);
    write_fields(w, row.sums);
    w.EndObject();
  }
  w.EndArray();
  w.Key("by_orchestrator").BeginArray();
  for (const auto& row : groups.by_orch) {
    w.BeginObject();
    w.Key("address").String(row.group[0]);
    if (ids != nullptr) w.Key("name").String(ids->NameOf(row.group[0]));
    w.Key("pipeline").String(row.group[1]);
    write_fields(w, row.sums);
    w.EndObject();
  }
  w.EndArray();
}

Outcome PerfFps(const RequestContext& ctx, Backend& backend) {
  Result<PerfGroups> groups =
      LoadPerfGroups(ctx, backend, FpsSamples, SIZE_MAX, static_cast<size_t>(ctx.Int("limit")));
  if (!groups.ok()) return Failed(groups);
  Result<std::shared_ptr<const Identities>> loaded_ids = LoadIdentities(backend, ctx.data_clock);
  if (!loaded_ids.ok()) return Failed(loaded_ids);
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  WritePerfGroups(w, *groups, loaded_ids->get(), WriteFpsFields);
  w.EndObject();
  return Reply::Data(w.Take());
}

Outcome PerfFpsHistory(const RequestContext& ctx, Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  auto totals = StreamStats(ctx, backend, hours, {}, publish::TimeBucket::kHour);
  if (!totals.ok()) return Failed(totals);
  // Pairs per hour, from the hour before the window (the first bucket's reference).
  const HourRange with_previous{hours.first - kHourMs, hours.last_exclusive};
  auto pairs = StreamStats(ctx, backend, hours.empty() ? hours : with_previous,
                           {"orchestrator_address", "pipeline_id"}, publish::TimeBucket::kHour);
  if (!pairs.ok()) return Failed(pairs);
  std::map<std::vector<std::string>, std::map<Millis, std::optional<double>>> fps_by_pair;
  for (const auto& row : *pairs) {
    if (!row.group[0].empty())
      fps_by_pair[row.group][row.bucket_start] = publish::AvgOutputFps(row.sums);
  }
  std::map<Millis, int64_t> degraded_pairs;
  for (const auto& [pair, by_hour] : fps_by_pair) {
    for (const auto& [hour, fps] : by_hour) {
      auto previous = by_hour.find(hour - kHourMs);
      if (previous != by_hour.end() && publish::FpsDegraded(previous->second, fps)) {
        ++degraded_pairs[hour];
      }
    }
  }
  return HistoryReply(hours, *totals, [&](JsonWriter& w, Millis hour, const StreamingSums& s) {
    const int64_t degraded = degraded_pairs.count(hour) ? degraded_pairs[hour] : 0;
    WriteOptional(w, "avg_inference_fps", publish::AvgOutputFps(s));
    WriteOptional(w, "avg_input_fps", publish::AvgInputFps(s));
    w.Key("sample_count").Int(s.fps_positive_samples);
    w.Key("degraded").Bool(degraded > 0);
    w.Key("degraded_pairs").Int(degraded);
  });
}

Outcome PerfLatency(const RequestContext& ctx, Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  publish::TableQuery q = HourQuery(ctx, hours);
  q.group_by = {"orchestrator_address"};
  auto queried = QueryOver(backend, hours, q, publish::QueryDiscoveryLatency);
  if (!queried.ok()) return Failed(queried);
  auto rows = **queried;  // a copy: filtered and sorted below
  Result<std::shared_ptr<const Identities>> loaded_ids = LoadIdentities(backend, ctx.data_clock);
  if (!loaded_ids.ok()) return Failed(loaded_ids);
  const Identities* ids = loaded_ids->get();
  std::erase_if(rows,
                [](const auto& row) { return row.group[0].empty() || row.sums.sample_count == 0; });
  publish::DiscoverySums network;
  for (const auto& row : rows) network += row.sums;
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return std::tie(*a.derived.avg_latency_ms, a.group) <
           std::tie(*b.derived.avg_latency_ms, b.group);
  });
  const size_t limit = static_cast<size_t>(ctx.Int("limit"));
  if (rows.size() > limit) rows.resize(limit);
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  w.Key("by_orchestrator").BeginArray();
  for (const auto& row : rows) {
    w.BeginObject();
    w.Key("address").String(row.group[0]);
    w.Key("name").String(ids->NameOf(row.group[0]));
    WriteOptional(w, "avg_ms", row.derived.avg_latency_ms);
    WriteOptional(w, "p50_ms", row.derived.p50_latency_ms);
    WriteOptional(w, "p95_ms", row.derived.p95_latency_ms);
    WriteOptional(w, "p99_ms", row.derived.p99_latency_ms);
    w.Key("sample_count").Int(row.sums.sample_count);
    w.EndObject();
  }
  w.EndArray();
  WriteOptional(w, "network_avg_ms", publish::DeriveDiscovery(network).avg_latency_ms);
  w.EndObject();
  return Reply::Data(w.Take());
}

// The api_hourly_ingest_transport rows of the window's hours matching the filters, summed (per
// stream rows, many: B16's reply is memoized by the router).
Result<resolve::IngestTransport> IngestTransportSums(const RequestContext& ctx, Backend& backend,
                                                     const HourRange& hours) {
  const std::optional<std::string> org = ctx.Get("org"), stream_id = ctx.Get("stream_id"),
                                   pipeline = ctx.Get("pipeline");
  resolve::IngestTransport sums;
  if (hours.empty()) return sums;
  NAAP_RETURN_IF_ERROR(backend.store().ScanSlices(
      publish::kIngestTransportTable, hours.first, hours.last_exclusive - kHourMs,
      [&](const store::Slice& slice) {
        if (org && slice.org != *org) return Status::Ok();
        Result<std::vector<publish::IngestTransportRow>> rows =
            publish::DecodeIngestTransportRows(slice.rows);
        if (!rows.ok()) return rows.status();
        for (const publish::IngestTransportRow& row : *rows) {
          if ((stream_id && row.stream_id != *stream_id) ||
              (pipeline && row.pipeline_id != *pipeline)) {
            continue;
          }
          publish::AddIngestTransport(row.sums, sums);
        }
        return Status::Ok();
      }));
  return sums;
}

Outcome PerfWebrtc(const RequestContext& ctx, Backend& backend) {
  auto sums = IngestTransportSums(ctx, backend, HoursOf(*ctx.window));
  if (!sums.ok()) return Failed(sums);
  const publish::IngestTransportDerived d = publish::DeriveIngestTransport(*sums);
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  w.Key("sample_count").Int(sums->ingest_samples);
  for (const auto& [media, jitter, loss] :
       {std::tuple("video", d.avg_video_jitter, d.video_packet_loss_rate),
        std::tuple("audio", d.avg_audio_jitter, d.audio_packet_loss_rate)}) {
    w.Key(media).BeginObject();
    WriteOptional(w, "avg_jitter_ms", jitter);
    WriteOptional(w, "packet_loss_rate", loss);
    w.EndObject();
  }
  w.Key("conn_quality").BeginObject();
  WriteOptional(w, "good", d.conn_good_share);
  WriteOptional(w, "fair", d.conn_fair_share);
  WriteOptional(w, "poor", d.conn_poor_share);
  w.EndObject();
  w.EndObject();
  return Reply::Data(w.Take());
}

// avg_ms, p50_ms, p95_ms[, p99_ms], sample_count of the e2e columns.
void WriteE2eFields(JsonWriter& w, const StreamingSums& s, bool with_p99) {
  WriteOptional(w, "avg_ms", publish::AvgE2eLatencyMs(s));
  WriteOptional(w, "p50_ms", s.e2e_latency_sketch.Quantile(0.50));
  WriteOptional(w, "p95_ms", s.e2e_latency_sketch.Quantile(0.95));
  if (with_p99) {
    WriteOptional(w, "p99_ms", s.e2e_latency_sketch.Quantile(0.99));
  }
  w.Key("sample_count").Int(s.e2e_latency_sample_count);
}

Outcome PerfE2eLatency(const RequestContext& ctx, Backend& backend) {
  auto overall = StreamStats(ctx, backend, HoursOf(*ctx.window), {});
  if (!overall.ok()) return Failed(overall);
  Result<PerfGroups> groups = LoadPerfGroups(ctx, backend, E2eSamples, kE2eTopN, kE2eTopN);
  if (!groups.ok()) return Failed(groups);
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  w.Key("overall").BeginObject();
  WriteE2eFields(w, TotalOf(*overall), true);
  w.EndObject();
  WritePerfGroups(w, *groups, nullptr,
                  [](JsonWriter& out, const StreamingSums& s) { WriteE2eFields(out, s, true); });
  w.EndObject();
  return Reply::Data(w.Take());
}

Outcome PerfE2eHistory(const RequestContext& ctx, Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  auto rows = StreamStats(ctx, backend, hours, {}, publish::TimeBucket::kHour);
  if (!rows.ok()) return Failed(rows);
  return HistoryReply(hours, *rows, [](JsonWriter& w, Millis, const StreamingSums& s) {
    WriteE2eFields(w, s, false);
  });
}

// FPS figures of one model: avg_fps, p50_fps, p99_fps, sample_count.
void WriteModelFps(JsonWriter& w, const StreamingSums& s) {
  WriteOptional(w, "avg_fps", publish::AvgOutputFps(s));
  WriteOptional(w, "p50_fps", s.output_fps_sketch.Quantile(0.50));
  WriteOptional(w, "p99_fps", s.output_fps_sketch.Quantile(0.99));
}

Outcome PerfByModel(const RequestContext& ctx, Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  auto stats = StreamStats(ctx, backend, hours, {"pipeline_id", "model_id"});
  if (!stats.ok()) return Failed(stats);
  auto demand =
      DemandRows(ctx, backend, hours, {"pipeline_id", "model_id"}, publish::TimeBucket::kNone);
  if (!demand.ok()) return Failed(demand);
  Result<std::shared_ptr<const CurrentInventory>> loaded =
      LoadCurrentInventory(backend, ctx.data_clock, ctx.Get("org"));
  if (!loaded.ok()) return Failed(loaded);
  const CurrentInventory* current = loaded->get();
  const std::map<PipelineModel, PairOffers> offers =
      OffersByPair(current->capabilities, ctx.Get("pipeline"), std::nullopt);
  struct Entry {
    PipelineModel pair;
    StreamingSums stats;
    int64_t requested = 0;
  };
  std::map<PipelineModel, Entry> by_pair;
  for (const auto& row : *stats) {
    by_pair[{row.group[0], row.group[1]}].stats += row.sums;
  }
  for (const auto& row : *demand) {
    by_pair[{row.group[0], row.group[1]}].requested += row.sums.requested_sessions;
  }
  std::vector<Entry> entries;
  for (auto& [pair, entry] : by_pair) {
    entry.pair = pair;
    entries.push_back(std::move(entry));
  }
  SortByCountThenPair(entries, [](const Entry& e) { return e.stats.fps_positive_samples; });
  JsonWriter w;
  w.BeginArray();
  for (const Entry& e : entries) {
    auto offer = offers.find(e.pair);
    w.BeginObject();
    w.Key("model_id").String(e.pair.second);
    w.Key("pipeline").String(e.pair.first);
    WriteModelFps(w, e.stats);
    w.Key("sample_count").Int(e.stats.fps_positive_samples);
    w.Key("warm_orch_count").Int(offer == offers.end() ? 0 : offer->second.warm_orch_count());
    w.Key("total_streams").Int(e.requested);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

Outcome NetModel(const RequestContext& ctx, Backend& backend) {
  const std::string model = *ctx.Get("model_id");
  const std::optional<std::string> pipeline = ctx.Get("pipeline");
  const HourRange hours = HoursOf(*ctx.window);
  publish::TableQuery q = HourQuery(ctx, hours);
  q.equals["model_id"] = model;
  if (pipeline) q.equals["pipeline_id"] = *pipeline;
  q.group_by = {"orchestrator_address"};
  auto stats = QueryOver(backend, hours, q, publish::QueryOrchStreamStats);
  if (!stats.ok()) return Failed(stats);
  q.group_by = {};
  auto demand = QueryOver(backend, hours, q, publish::QueryStreamingDemand);
  if (!demand.ok()) return Failed(demand);
  Result<std::shared_ptr<const CurrentInventory>> loaded =
      LoadCurrentInventory(backend, ctx.data_clock, ctx.Get("org"));
  if (!loaded.ok()) return Failed(loaded);
  const CurrentInventory* current = loaded->get();
  const std::map<PipelineModel, PairOffers> offers =
      OffersByPair(current->capabilities, pipeline, model);
  if (offers.empty() && (*stats)->empty() && (*demand)->empty()) {
    return Problem{.status = 404, .detail = "model not found"};
  }
  Result<std::shared_ptr<const Identities>> loaded_ids = LoadIdentities(backend, ctx.data_clock);
  if (!loaded_ids.ok()) return Failed(loaded_ids);
  const Identities* ids = loaded_ids->get();

  // Per orchestrator: window FPS sums and whether any of its current offers of the model is warm.
  struct Orch {
    std::optional<double> fps;
    bool warm = false;
  };
  std::map<std::string, Orch> orchs;
  std::set<std::string> warm_orchs;
  for (const auto& [pair, offer] : offers) {
    for (const auto& [address, o] : offer.by_orch) {
      Orch& orch = orchs[address];
      orch.warm = orch.warm || o.warm;
      if (o.warm) warm_orchs.insert(address);
    }
  }
  StreamingSums total;
  for (const auto& row : **stats) {
    total += row.sums;
    if (!row.group[0].empty()) orchs[row.group[0]].fps = publish::AvgOutputFps(row.sums);
  }
  std::vector<std::pair<std::string, Orch>> ranked(orchs.begin(), orchs.end());
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    if (a.second.fps.has_value() != b.second.fps.has_value()) return a.second.fps.has_value();
    return a.second.fps && *a.second.fps > *b.second.fps;
  });
  const std::string model_pipeline =
      pipeline ? *pipeline : (offers.empty() ? std::string() : offers.begin()->first.first);

  JsonWriter w;
  w.BeginObject();
  w.Key("model_id").String(model);
  w.Key("pipeline").String(model_pipeline);
  WriteModelFps(w, total);
  w.Key("sample_count").Int(total.fps_positive_samples);
  w.Key("warm_orch_count").Int(static_cast<int64_t>(warm_orchs.size()));
  w.Key("total_streams").Int(TotalOf(**demand).requested_sessions);
  w.Key("orchs").BeginArray();
  for (const auto& [address, orch] : ranked) {
    w.BeginObject();
    w.Key("address").String(address);
    w.Key("name").String(ids->NameOf(address));
    WriteOptional(w, "avg_fps", orch.fps);
    w.Key("is_warm").Bool(orch.warm);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return Reply::Data(w.Take());
}

}  // namespace

std::vector<RouteSpec> NetworkRoutes() {
  const auto org = std::vector<ParamSpec>{OrgParam()};
  const auto pipeline = std::vector<ParamSpec>{PipelineParam()};
  const auto orch = std::vector<ParamSpec>{AddressParam("orch_address")};
  std::vector<RouteSpec> routes;

  routes.push_back(Route("B1", "/v1/net/summary", "Orchestrator counts now", org, NetSummary));

  RouteSpec orchestrators =
      Route("B2", "/v1/net/orchestrators", "Orchestrators observed in the last 24 h",
            Params({org,
                    {{.name = "active_only",
                      .type = ParamType::kBool,
                      .default_bool = false,
                      .description = "only orchestrators seen in the last 10 minutes"}},
                    ListParams()}),
            NetOrchestrators);
  orchestrators.keyset = {{.name = "address"}};
  routes.push_back(std::move(orchestrators));

  RouteSpec profile = Route("B3", "/v1/net/orchestrators/{address}", "One orchestrator's profile",
                            {}, NetOrchestrator);
  profile.path_params = {{.name = "address",
                          .type = ParamType::kAddress,
                          .required = true,
                          .description = "on-chain orchestrator address"}};
  routes.push_back(std::move(profile));

  routes.push_back(Route("B4", "/v1/net/gpu", "GPUs reported in the last 24 h", org, NetGpu));
  routes.push_back(Route("B5", "/v1/net/models", "Models on offer with prices",
                         Params({org, pipeline}), NetModels));
  routes.push_back(Route("B6", "/v1/streams/active", "Live streams now", Params({org, pipeline}),
                         StreamsActive));
  routes.push_back(Route("B7", "/v1/net/capacity",
                         "Offered capacity and use per pipeline and model", org, NetCapacity));

  routes.push_back(Windowed(Route("B8", "/v1/streams/summary", "Session outcomes over the window",
                                  Params({WindowParams(), org, pipeline}), StreamsSummary)));
  routes.push_back(Windowed(Route("B9", "/v1/streams/history", "Hourly session outcomes",
                                  Params({WindowParams(), org, pipeline}), StreamsHistory)));

  RouteSpec samples = ReadsExactWindow(Windowed(
      Route("B10", "/v1/streams/samples", "Raw status samples",
            Params({WindowParams(),
                    org,
                    {{.name = "stream_id", .type = ParamType::kId, .description = "stream id"}},
                    pipeline,
                    orch,
                    ListParams()}),
            StreamsSamples)));
  samples.keyset = {{.name = "sample_ts", .kind = KeyKind::kTime, .descending = true},
                    {.name = "org"},
                    {.name = "event_id"}};
  routes.push_back(std::move(samples));

  routes.push_back(ReadsExactWindow(
      Windowed(Route("B11", "/v1/streams/attribution", "How many status samples are attributed",
                     Params({WindowParams(), org}), StreamsAttribution))));

  RouteSpec stream = Route("B12", "/v1/streams/{stream_id}", "One stream session with its samples",
                           org, StreamById);
  stream.path_params = {
      {.name = "stream_id", .type = ParamType::kId, .required = true, .description = "stream id"}};
  routes.push_back(std::move(stream));

  routes.push_back(Windowed(Route(
      "B13", "/v1/perf/fps", "FPS distribution per pipeline and orchestrator",
      Params(
          {WindowParams(), org, pipeline, orch, {TopParam(1000, 100, "size of by_orchestrator")}}),
      PerfFps)));
  routes.push_back(
      Windowed(Route("B14", "/v1/perf/fps/history", "Hourly FPS with a degradation flag",
                     Params({WindowParams(), org, pipeline, orch}), PerfFpsHistory)));
  routes.push_back(Windowed(
      Route("B15", "/v1/perf/latency", "Orchestrator discovery latency",
            Params({WindowParams(), org, {TopParam(1000, 200, "size of by_orchestrator")}}),
            PerfLatency)));
  routes.push_back(Windowed(
      Route("B16", "/v1/perf/webrtc", "Ingest transport quality",
            Params({WindowParams(),
                    org,
                    {{.name = "stream_id", .type = ParamType::kId, .description = "stream id"}},
                    pipeline}),
            PerfWebrtc)));
  routes.push_back(Windowed(Route("B17", "/v1/perf/e2e-latency", "End-to-end latency distribution",
                                  Params({WindowParams(), org, pipeline}), PerfE2eLatency)));
  routes.push_back(Windowed(Route("B18", "/v1/perf/e2e-latency/history", "Hourly e2e latency",
                                  Params({WindowParams(), org, pipeline}), PerfE2eHistory)));
  routes.push_back(Windowed(Route("B19", "/v1/perf/by-model", "FPS per model",
                                  Params({WindowParams(), org, pipeline}), PerfByModel)));
  routes.push_back(Windowed(Route("B20", "/v1/net/model", "One model across orchestrators",
                                  Params({{{.name = "model_id",
                                            .type = ParamType::kId,
                                            .required = true,
                                            .description = "model id"}},
                                          pipeline,
                                          WindowParams()}),
                                  NetModel)));
  return routes;
}

}  // namespace naap::api
