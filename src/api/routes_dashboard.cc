// Group A dashboard routes A1–A7 (spec/api.md §2.1).
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "api/api.h"
#include "api/routes_a_util.h"
#include "base/fixed_point.h"
#include "event/catalog.h"

namespace naap::api {
namespace {

using namespace routes_a;    // NOLINT(google-build-using-namespace)
using namespace route_util;  // NOLINT(google-build-using-namespace)
using publish::StreamingSums;

constexpr Millis kGpuActiveWithinMs = 30 * 60'000;
constexpr Millis kJobFeedActiveWithinMs = 120'000;

WindowSpec DashboardWindow() { return {.max_width = 7 * kDayMs}; }

// ---- A1 ----

// Distinct orchestrators with a stream-capable offer sighted in [start, end), optionally of one
// pipeline and model.
int64_t CountStreamOrchestrators(const std::vector<publish::ObservedOfferRow>& offers, Millis start,
                                 Millis end, const std::optional<std::string>& pipeline,
                                 const std::optional<std::string>& model) {
  std::set<std::string> orchestrators;
  for (const publish::ObservedOfferRow& row : offers) {
    if (!row.columns.supports_stream) continue;
    if (pipeline && row.key.pipeline_id != *pipeline) continue;
    if (model && row.key.model_id != *model) continue;
    if (SeenIn(row.sighting.first_seen, row.sighting.last_seen, start, end)) {
      orchestrators.insert(row.key.orch_address);
    }
  }
  return static_cast<int64_t>(orchestrators.size());
}

void WriteFigure(JsonWriter& w, std::string_view key, const publish::KpiFigure& figure,
                 bool integral) {
  w.Key(key).BeginObject().Key("value");
  if (!figure.value) {
    w.Null();
  } else if (integral) {
    w.Int(static_cast<int64_t>(*figure.value));
  } else {
    w.Double(*figure.value);
  }
  w.Key("delta").Double(figure.delta).EndObject();
}

Outcome Kpi(const RequestContext& ctx, Backend& backend) {
  const Window window = *ctx.window;
  const HourRange hours = WindowHours(ctx);
  const std::optional<std::string> pipeline = ctx.Get("pipeline");
  const std::optional<std::string> model = ctx.Get("model_id");

  std::vector<Millis> bucket_hours;
  for (Millis h = hours.first; h < hours.last_exclusive; h += kHourMs) bucket_hours.push_back(h);
  std::vector<StreamingSums> buckets(bucket_hours.size());
  if (!hours.empty()) {
    publish::TableQuery q = HourQuery(ctx, hours);
    q.bucket = publish::TimeBucket::kHour;
    if (pipeline) q.equals["pipeline_id"] = *pipeline;
    if (model) q.equals["model_id"] = *model;
    auto rows = CachedQuery(backend, q, publish::QueryStreamingDemand);
    if (!rows.ok()) return rows.status();
    for (const auto& row : **rows) buckets[(row.bucket_start - hours.first) / kHourMs] += row.sums;
  }
  const publish::DashboardKpi kpi = publish::ComputeDashboardKpi(buckets);

  const Millis width = window.end - window.start;
  auto inventory = LoadObservedHours(backend, HourFloor(window.start - width),
                                     HourFloor(window.end - 1), ctx.Get("org"));
  if (!inventory.ok()) return inventory.status();
  const int64_t observed =
      CountStreamOrchestrators((*inventory)->offers, window.start, window.end, pipeline, model);
  const int64_t previous = CountStreamOrchestrators((*inventory)->offers, window.start - width,
                                                    window.start, pipeline, model);

  JsonWriter w;
  w.BeginObject().Key("streaming").BeginObject();
  WriteFigure(w, "successRate", kpi.success_rate, false);
  WriteFigure(w, "orchestratorsObserved",
              {.value = static_cast<double>(observed),
               .delta = publish::PercentChange(static_cast<double>(previous),
                                               static_cast<double>(observed))},
              true);
  WriteFigure(w, "dailyUsageMins", kpi.daily_usage_mins, false);
  WriteFigure(w, "dailySessionCount", kpi.daily_session_count, true);
  WriteFigure(w, "dailyNetworkFeesEth", kpi.daily_network_fees_eth, false);
  w.Key("timeframeHours").Int((width + kHourMs - 1) / kHourMs);
  w.Key("hourlySessions").BeginArray();
  for (size_t i = 0; i < buckets.size(); ++i) {
    w.BeginObject().Key("hour");
    WriteTime(w, bucket_hours[i]);
    w.Key("value").Int(buckets[i].requested_sessions).EndObject();
  }
  w.EndArray().Key("hourlyUsage").BeginArray();
  for (size_t i = 0; i < buckets.size(); ++i) {
    w.BeginObject().Key("hour");
    WriteTime(w, bucket_hours[i]);
    w.Key("value").Double(publish::TotalMinutes(buckets[i])).EndObject();
  }
  w.EndArray().EndObject();

  w.Key("requests").BeginObject();
  for (auto [key, family] :
       {std::pair{"ai_batch", kBuiltinFamily}, std::pair{"byoc", kByocFamily}}) {
    publish::RequestDemandSums sums;
    if (!hours.empty()) {
      publish::TableQuery q = HourQuery(ctx, hours);
      q.equals["capability_family"] = family;
      if (pipeline) q.equals["capability_name"] = *pipeline;
      if (model) q.equals["canonical_model"] = *model;
      auto rows = CachedQuery(backend, q, publish::QueryRequestDemand);
      if (!rows.ok()) return rows.status();
      for (const auto& row : **rows) sums += row.sums;
    }
    w.Key(key).BeginObject();
    WriteJobSummaryFields(w, sums);
    w.EndObject();
  }
  w.EndObject().EndObject();
  return Reply::Data(w.Take());
}

// ---- A2 ----

struct Usage {
  std::string name;
  StreamingSums sums;
};

// Sorted sessions DESC, name ASC.
void SortUsage(std::vector<Usage>& rows) {
  std::sort(rows.begin(), rows.end(), [](const Usage& a, const Usage& b) {
    return std::tie(b.sums.requested_sessions, a.name) <
           std::tie(a.sums.requested_sessions, b.name);
  });
}

void WriteUsageFields(JsonWriter& w, const StreamingSums& sums) {
  w.Key("mins").Double(publish::TotalMinutes(sums));
  w.Key("sessions").Int(sums.requested_sessions);
  WriteOptional(w, "avgFps", publish::AvgOutputFps(sums));
}

Outcome Pipelines(const RequestContext& ctx, Backend& backend) {
  std::map<std::string, std::vector<Usage>> models_of;
  std::map<std::string, StreamingSums> pipeline_sums;
  const HourRange hours = WindowHours(ctx);
  if (!hours.empty()) {
    publish::TableQuery q = HourQuery(ctx, hours);
    q.group_by = {"pipeline_id", "model_id"};
    auto rows = CachedQuery(backend, q, publish::QueryStreamingDemand);
    if (!rows.ok()) return rows.status();
    for (const auto& row : **rows) {
      const std::string& pipeline = row.group[0];
      if (pipeline.empty()) continue;
      models_of[pipeline].push_back({row.group[1], row.sums});
      pipeline_sums[pipeline] += row.sums;
    }
  }
  std::vector<Usage> pipelines;
  for (auto& [name, sums] : pipeline_sums) pipelines.push_back({name, sums});
  SortUsage(pipelines);
  if (static_cast<int64_t>(pipelines.size()) > ctx.Int("limit")) pipelines.resize(ctx.Int("limit"));

  auto by_pipeline = JobsByCapability(backend, ctx, kBuiltinFamily);
  if (!by_pipeline.ok()) return by_pipeline.status();
  auto by_capability = JobsByCapability(backend, ctx, kByocFamily);
  if (!by_capability.ok()) return by_capability.status();

  JsonWriter w;
  w.BeginObject().Key("streaming").BeginArray();
  for (const Usage& p : pipelines) {
    w.BeginObject().Key("name").String(p.name);
    WriteUsageFields(w, p.sums);
    w.Key("modelMins").BeginArray();
    std::vector<Usage>& models = models_of[p.name];
    SortUsage(models);
    for (const Usage& m : models) {
      w.BeginObject().Key("model").String(m.name);
      WriteUsageFields(w, m.sums);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().Key("requests").BeginObject();
  w.Key("by_pipeline").Raw(JobSummaryArray(*by_pipeline, "pipeline"));
  w.Key("by_capability").Raw(JobSummaryArray(*by_capability, "capability"));
  w.EndObject().EndObject();
  return Reply::Data(w.Take());
}

// ---- A3 ----

struct OrchestratorRow {
  std::string address, service_uri;
  StreamingSums sums;
  std::optional<double> sla_score;
  std::optional<Millis> sla_window_start;
  const publish::CurrentOrchestrator* current = nullptr;
};

Outcome Orchestrators(const RequestContext& ctx, Backend& backend) {
  std::map<std::string, OrchestratorRow> rows;
  auto inventory = LoadCurrentInventory(backend, ctx.data_clock);
  if (!inventory.ok()) return inventory.status();
  for (const publish::CurrentOrchestrator& o : (*inventory)->orchestrators) {
    OrchestratorRow& row = rows[o.identity.orch_address];
    row.current = &o;
    row.service_uri = o.identity.orchestrator_uri;
  }
  const HourRange hours = WindowHours(ctx);
  if (!hours.empty()) {
    publish::TableQuery q = HourQuery(ctx, hours);
    q.group_by = {"orchestrator_address"};
    auto totals = CachedQuery(backend, q, publish::QueryStreamingSla);
    if (!totals.ok()) return totals.status();
    for (const auto& t : **totals) {
      if (t.group[0].empty()) continue;
      OrchestratorRow& row = rows[t.group[0]];
      row.sums = t.sums;
      if (row.service_uri.empty()) row.service_uri = t.attributes.orchestrator_uri;
    }
    q.bucket = publish::TimeBucket::kHour;
    auto hourly = CachedQuery(backend, q, publish::QueryStreamingSla);
    if (!hourly.ok()) return hourly.status();
    for (const auto& h : **hourly) {  // ascending hour: the last one kept is the latest
      if (h.group[0].empty() || h.sums.requested_sessions == 0) continue;
      OrchestratorRow& row = rows[h.group[0]];
      row.sla_score = h.derived.scores.sla_score;
      row.sla_window_start = h.bucket_start;
    }
  }
  std::vector<OrchestratorRow*> order;
  for (auto& [address, row] : rows) {
    row.address = address;
    order.push_back(&row);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const OrchestratorRow* a, const OrchestratorRow* b) {
                     return a->sums.known_sessions_count > b->sums.known_sessions_count;
                   });
  JsonWriter w;
  w.BeginArray();
  for (const OrchestratorRow* row : order) {
    const std::optional<double> effective = publish::EffectiveSuccessRate(row->sums);
    w.BeginObject().Key("address").String(row->address);
    w.Key("serviceUri").String(row->service_uri);
    w.Key("knownSessions").Int(row->sums.known_sessions_count);
    w.Key("successSessions").Int(row->sums.startup_success_sessions);
    WriteOptional(w, "successRatio",
                  effective ? std::optional<double>(100 * *effective) : std::nullopt);
    WriteOptional(w, "effectiveSuccessRate", effective);
    WriteOptional(w, "noSwapRatio", publish::NoSwapRate(row->sums));
    WriteOptional(w, "slaScore", row->sla_score);
    w.Key("slaWindowStart");
    if (row->sla_window_start) {
      WriteTime(w, *row->sla_window_start);
    } else {
      w.Null();
    }
    std::map<std::string, std::set<std::string>> models_of;
    if (row->current) {
      for (const auto& [pipeline, model] : row->current->pipeline_model_pairs) {
        models_of[pipeline].insert(model);
      }
    }
    w.Key("pipelines");
    WriteStrings(w, row->current ? row->current->pipelines : std::set<std::string>{});
    w.Key("pipelineModels").BeginArray();
    for (const auto& [pipeline, models] : models_of) {
      w.BeginObject().Key("pipelineId").String(pipeline).Key("modelIds");
      WriteStrings(w, models);
      w.EndObject();
    }
    w.EndArray();
    w.Key("gpuCount").Int(row->current ? row->current->gpu_count : 0);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A4 ----

using GpuKey = std::pair<std::string, std::string>;  // (orchestrator address, gpu_id)

struct Count {
  std::string name;
  int64_t count = 0;
};
// count DESC, name ASC.
std::vector<Count> Ranked(const std::map<std::string, std::set<GpuKey>>& sets) {
  std::vector<Count> out;
  for (const auto& [name, gpus] : sets) out.push_back({name, static_cast<int64_t>(gpus.size())});
  std::stable_sort(out.begin(), out.end(),
                   [](const Count& a, const Count& b) { return a.count > b.count; });
  return out;
}

// A4 at the data clock: a pure function of the current inventory and active streams.
Outcome GpuCapacity(const RequestContext& ctx, Backend& backend) {
  auto inventory = LoadCurrentInventory(backend, ctx.data_clock);
  if (!inventory.ok()) return inventory.status();
  auto streams = LoadActiveStreams(backend, ctx.data_clock, std::nullopt, kGpuActiveWithinMs);
  if (!streams.ok()) return streams.status();
  const std::vector<publish::ActiveStreamState>& active = **streams;
  std::set<GpuKey> total;
  std::map<std::string, std::set<GpuKey>> by_model_name;
  for (const publish::CurrentGpu& gpu : (*inventory)->gpus) {
    if (gpu.pipelines.empty() || gpu.models.empty()) continue;
    total.insert({gpu.orch_address, gpu.gpu_id});
    by_model_name[gpu.gpu_model_name.value_or("Unknown")].insert({gpu.orch_address, gpu.gpu_id});
  }
  std::map<std::string, std::set<GpuKey>> by_pipeline;
  std::map<std::string, std::map<std::string, std::set<GpuKey>>> by_pipeline_model;
  const publish::CurrentWindow current{.now = ctx.data_clock.value_or(0)};
  for (const publish::ObservedOfferRow& row : (*inventory)->observed.offers) {
    const publish::ObservedOfferKey& k = row.key;
    if (k.gpu_id.empty() || !current.Contains(row.sighting.last_seen)) continue;
    if (!total.contains({k.orch_address, k.gpu_id})) continue;
    by_pipeline[k.pipeline_id].insert({k.orch_address, k.gpu_id});
    if (!k.model_id.empty())
      by_pipeline_model[k.pipeline_id][k.model_id].insert({k.orch_address, k.gpu_id});
  }
  std::set<GpuKey> in_use;
  for (const publish::ActiveStreamState& s : active) {
    if (!s.gpu_id.empty()) in_use.insert({s.orchestrator_address, s.gpu_id});
  }
  const auto total_gpus = static_cast<int64_t>(total.size());
  const auto active_gpus = static_cast<int64_t>(in_use.size());

  JsonWriter w;
  w.BeginObject().Key("totalGPUs").Int(total_gpus).Key("activeGPUs").Int(active_gpus);
  w.Key("availableCapacity").Int(std::max<int64_t>(total_gpus - active_gpus, 0));
  w.Key("models").BeginArray();
  for (const Count& c : Ranked(by_model_name)) {
    w.BeginObject().Key("model").String(c.name).Key("count").Int(c.count).EndObject();
  }
  w.EndArray().Key("pipelineGPUs").BeginArray();
  for (const Count& p : Ranked(by_pipeline)) {
    w.BeginObject().Key("name").String(p.name).Key("gpus").Int(p.count).Key("models").BeginArray();
    for (const Count& m : Ranked(by_pipeline_model[p.name])) {
      w.BeginObject().Key("model").String(m.name).Key("gpus").Int(m.count).EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return Reply::Data(w.Take());
}

// ---- A5 ----

Outcome PipelineCatalog(const RequestContext& ctx, Backend& backend) {
  std::map<std::string, std::set<std::string>> models_of;
  auto inventory = LoadCurrentInventory(backend, ctx.data_clock);
  if (!inventory.ok()) return inventory.status();
  for (const publish::CurrentCapability& c : (*inventory)->capabilities) {
    if (!c.key.pipeline_id.empty() && !c.key.model_id.empty()) {
      models_of[c.key.pipeline_id].insert(c.key.model_id);
    }
  }
  JsonWriter w;
  w.BeginArray();
  for (const auto& [pipeline, models] : models_of) {
    w.BeginObject().Key("id").String(pipeline).Key("name").String(pipeline).Key("models");
    WriteStrings(w, models);
    w.Key("regions").BeginArray().EndArray().EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A6 ----

// The host of a service URI ("https://host:port/path" → "host"); "" when there is none.
std::string HostOf(std::string_view uri) {
  if (size_t scheme = uri.find("://"); scheme != std::string_view::npos) {
    uri.remove_prefix(scheme + 3);
  }
  uri = uri.substr(0, uri.find_first_of("/?#"));
  if (size_t at = uri.rfind('@'); at != std::string_view::npos) uri.remove_prefix(at + 1);
  if (!uri.empty() && uri.front() == '[') return std::string(uri.substr(1, uri.find(']') - 1));
  return std::string(uri.substr(0, uri.find(':')));
}

Outcome Pricing(const RequestContext& ctx, Backend& backend) {
  auto loaded = LoadCurrentInventory(backend, ctx.data_clock);
  if (!loaded.ok()) return loaded.status();
  std::map<std::string, std::string> uri_of;
  for (const publish::OrchestratorIdentity& id :
       publish::BuildOrchestratorIdentities((*loaded)->observed.orchestrators)) {
    uri_of[id.orch_address] = id.orchestrator_uri;
  }
  JsonWriter w;
  w.BeginArray();
  for (const publish::CurrentPrice& price : (*loaded)->prices) {
    const publish::CurrentPriceKey& key = price.key;
    w.BeginObject().Key("orchAddress").String(key.orch_address);
    w.Key("orchName").String(HostOf(uri_of[key.orch_address]));
    w.Key("pipeline").String(key.pipeline).Key("model").String(key.model);
    w.Key("priceWeiPerUnit").Raw(price.price_per_unit.ToString());
    w.Key("pixelsPerUnit").Raw(price.pixels_per_unit.ToString());
    w.Key("isWarm").Bool(price.is_warm).EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A7 ----

Outcome JobFeed(const RequestContext& ctx, Backend& backend) {
  std::vector<publish::ActiveStreamState> streams;
  if (ctx.data_clock) {
    auto active =
        LoadActiveStreams(backend, ctx.data_clock, ctx.Get("org"), kJobFeedActiveWithinMs);
    if (!active.ok()) return active.status();
    for (const publish::ActiveStreamState& s : **active) {
      if (!s.stream_id.empty()) streams.push_back(s);
    }
  }
  auto id_of = [](const publish::ActiveStreamState& s) {
    return s.latest_sample ? s.latest_sample->event_id : std::string();
  };
  std::sort(streams.begin(), streams.end(), [&](const auto& a, const auto& b) {
    if (a.last_seen != b.last_seen) return a.last_seen > b.last_seen;
    return std::make_tuple(id_of(a), a.org, a.session_key) <
           std::make_tuple(id_of(b), b.org, b.session_key);
  });
  if (static_cast<int64_t>(streams.size()) > ctx.Int("limit")) streams.resize(ctx.Int("limit"));
  JsonWriter w;
  w.BeginArray();
  for (const publish::ActiveStreamState& s : streams) {
    const std::optional<resolve::LatestSample>& sample = s.latest_sample;
    w.BeginObject().Key("id").String(id_of(s));
    w.Key("pipeline").String(s.pipeline_id).Key("model").String(s.model_id);
    w.Key("gateway").String(s.gateway);
    w.Key("orchestratorAddress").String(s.orchestrator_address);
    w.Key("orchestratorUrl")
        .String(s.orchestrator_address.empty() ? "" : s.attribution.attributed_orch_uri);
    w.Key("state").String(sample ? sample->state : "");
    WriteOptional(w, "inputFps", sample ? sample->input_fps : std::nullopt);
    WriteOptional(w, "outputFps", sample ? sample->output_fps : std::nullopt);
    w.Key("firstSeen");
    WriteTime(w, s.session_start);
    w.Key("lastSeen");
    WriteTime(w, s.last_seen);
    w.Key("durationSeconds").Double(static_cast<double>(*ctx.data_clock - s.session_start) / 1000);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

}  // namespace

std::vector<RouteSpec> DashboardRoutes() {
  std::vector<RouteSpec> routes;
  // The deltas compare with the window just before, whose hours follow the exact width.
  routes.push_back(ReadsExactWindow(
      Bare("A1", "/v1/dashboard/kpi", "Headline streaming KPIs and request-job totals", Kpi,
           WithWindow(
               {}, {OrgParam(), IdParam("pipeline", "pipeline"), IdParam("model_id", "model id")}),
           DashboardWindow())));
  routes.push_back(
      Bare("A2", "/v1/dashboard/pipelines", "Usage per pipeline and model", Pipelines,
           WithWindow({}, {OrgParam(), TopParam(20, 5, "number of streaming pipelines")}),
           DashboardWindow()));
  routes.push_back(Bare("A3", "/v1/dashboard/orchestrators",
                        "Orchestrators with identity, pipelines and SLA", Orchestrators,
                        WindowParams(), DashboardWindow()));
  routes.push_back(
      Bare("A4", "/v1/dashboard/gpu-capacity", "GPUs offered and GPUs in use now", GpuCapacity));
  routes.push_back(Bare("A5", "/v1/dashboard/pipeline-catalog", "Pipelines and models on offer",
                        PipelineCatalog));
  routes.push_back(Bare("A6", "/v1/dashboard/pricing",
                        "Latest price per orchestrator, pipeline and model", Pricing));
  routes.push_back(Bare("A7", "/v1/dashboard/job-feed", "Live streams, most recently active first",
                        JobFeed, {TopParam(200, 50, "number of streams"), OrgParam()}));
  return routes;
}

}  // namespace naap::api
