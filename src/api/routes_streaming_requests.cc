// Group A streaming, request and discover routes A8–A22 (spec/api.md §2.2–§2.4).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "api/api.h"
#include "api/routes_a_util.h"
#include "base/strings.h"
#include "event/catalog.h"
#include "event/normalize.h"
#include "resolve/facts_view.h"
#include "resolve/jobs.h"

namespace naap::api {
namespace {

using namespace routes_a;    // NOLINT(google-build-using-namespace)
using namespace route_util;  // NOLINT(google-build-using-namespace)
using publish::StreamingSums;

constexpr Millis kActiveStreamWithinMs = 30 * 60'000;
constexpr Millis kDiscoverSupplyMs = 30 * 60'000;
constexpr Millis kDiscoverScoreMs = 2 * kHourMs;
constexpr size_t kMaxCaps = 50;

// A windowed group A list route; its parameters are WindowParams(), `filters`, ListParams().
RouteSpec List(std::string id, std::string pattern, std::string summary,
               std::vector<KeyColumn> keyset, Handler handler, std::vector<ParamSpec> filters) {
  return {.id = std::move(id),
          .pattern = std::move(pattern),
          .group = RouteGroup::kA,
          .summary = std::move(summary),
          .params = WithList(WithWindow({}, std::move(filters))),
          .window = WindowSpec{},
          .keyset = std::move(keyset),
          .handler = std::move(handler)};
}

// ---- hourly list rows (A10–A12) ----

// Opens a row's object: window_start, then `names[i]`: `values[i]` for the grain columns.
void WriteGrain(JsonWriter& w, Millis window_start, const std::vector<std::string>& names,
                const std::vector<std::string>& values) {
  BeginHourlyObject(w, window_start);
  for (size_t i = 0; i < names.size(); ++i) w.Key(names[i]).String(values[i]);
}

// Parameters given among `names`, as equality filters on the same-named columns.
void AddEquals(publish::TableQuery& q, const RequestContext& ctx,
               std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (std::optional<std::string> v = ctx.Get(name)) q.equals[name] = *v;
  }
}

// ---- A8 ----

Outcome StreamingModels(const RequestContext& ctx, Backend& backend) {
  struct Model {
    std::set<std::string> orchestrators;
    std::set<std::pair<std::string, std::string>> gpu_slots;
    int64_t active_streams = 0;
    std::optional<double> avg_fps;
  };
  std::map<std::string, Model> models;
  if (ctx.data_clock) {
    const Millis clock = *ctx.data_clock;
    auto inventory = LoadCurrentInventory(backend, clock);
    if (!inventory.ok()) return inventory.status();
    for (const publish::CurrentCapability& c : (*inventory)->capabilities) {
      if (c.key.pipeline_id != kLiveVideoToVideo || c.columns.capability_family != kBuiltinFamily ||
          c.key.model_id.empty()) {
        continue;
      }
      Model& m = models[c.key.model_id];
      m.orchestrators.insert(c.key.orch_address);
      if (!c.key.gpu_id.empty()) m.gpu_slots.insert({c.key.orch_address, c.key.gpu_id});
    }
    auto active = LoadActiveStreams(backend, clock, std::nullopt, kActiveStreamWithinMs);
    if (!active.ok()) return active.status();
    for (const publish::ActiveStreamState& s : **active) {
      if (s.pipeline_id != kLiveVideoToVideo) continue;
      if (auto it = models.find(s.model_id); it != models.end()) ++it->second.active_streams;
    }
    publish::TableQuery q = HourQuery(ctx, LookBackHours(clock, publish::kCurrentWindowMs));
    q.equals["pipeline_id"] = kLiveVideoToVideo;
    q.group_by = {"model_id"};
    auto sla = CachedQuery(backend, q, publish::QueryStreamingSla);
    if (!sla.ok()) return sla.status();
    for (const auto& row : **sla) {
      auto it = models.find(row.group[0]);
      std::optional<double> fps = publish::AvgOutputFps(row.sums);
      if (it != models.end() && fps) it->second.avg_fps = publish::RoundHalfAwayFromZero(*fps, 1);
    }
  }
  std::vector<std::pair<std::string, const Model*>> order;
  for (const auto& [name, m] : models) order.emplace_back(name, &m);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return a.second->orchestrators.size() > b.second->orchestrators.size();
  });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [name, m] : order) {
    const auto slots = static_cast<int64_t>(m->gpu_slots.size());
    w.BeginObject().Key("pipeline").String(kLiveVideoToVideo).Key("model").String(name);
    w.Key("warm_orch_count").Int(static_cast<int64_t>(m->orchestrators.size()));
    w.Key("gpu_slots").Int(slots).Key("active_streams").Int(m->active_streams);
    w.Key("available_capacity").Int(slots - m->active_streams).Key("avg_fps");
    WriteOptional(w, m->avg_fps);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A9, A14 ----

// Current orchestrators selected by `keep`, sorted gpu_count DESC, address ASC; `write_list`
// writes the route's list field.
template <typename Keep, typename WriteList>
Outcome CurrentOrchestratorArray(const RequestContext& ctx, Backend& backend, Keep keep,
                                 std::string_view list_key, WriteList write_list) {
  std::vector<publish::CurrentOrchestrator> rows;
  if (ctx.data_clock) {
    auto inventory = LoadCurrentInventory(backend, ctx.data_clock);
    if (!inventory.ok()) return inventory.status();
    for (const publish::CurrentOrchestrator& o : (*inventory)->orchestrators) {
      if (keep(o)) rows.push_back(o);
    }
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const auto& a, const auto& b) { return a.gpu_count > b.gpu_count; });
  JsonWriter w;
  w.BeginArray();
  for (const publish::CurrentOrchestrator& o : rows) {
    w.BeginObject().Key("address").String(o.identity.orch_address);
    w.Key("uri").String(o.identity.orchestrator_uri).Key(list_key);
    write_list(w, o);
    w.Key("gpu_count").Int(o.gpu_count).Key("last_seen");
    WriteTime(w, o.identity.last_seen);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

Outcome StreamingOrchestrators(const RequestContext& ctx, Backend& backend) {
  return CurrentOrchestratorArray(
      ctx, backend, [](const auto& o) { return !o.streaming_models.empty(); }, "models",
      [](JsonWriter& w, const auto& o) { WriteStrings(w, o.streaming_models); });
}

Outcome RequestOrchestrators(const RequestContext& ctx, Backend& backend) {
  return CurrentOrchestratorArray(
      ctx, backend, [](const auto& o) { return !o.request_capability_pairs.empty(); },
      "capabilities",
      [](JsonWriter& w, const auto& o) {
        std::set<std::string> capabilities;
        for (const auto& [pipeline, model] : o.request_capability_pairs) {
          capabilities.insert(pipeline + ":" + model);
        }
        WriteStrings(w, capabilities);
      });
}

// ---- A10 ----

Outcome StreamingSla(const RequestContext& ctx, Backend& backend) {
  std::vector<HourlyListRow> rows;
  const HourRange hours = WindowHours(ctx);
  if (hours.empty()) return HourlyListReply({});
  const std::optional<std::string> org = ctx.Get("org"), address = ctx.Get("orchestrator_address"),
                                   model = ctx.Get("model_id"), gpu = ctx.Get("gpu_id");
  Status status = backend.store().ScanSlices(
      publish::kStreamingSlaTable, hours.first, hours.last_exclusive - 1,
      [&](const store::Slice& slice) -> Status {
        if (org && slice.org != *org) return Status::Ok();
        auto decoded = publish::DecodeSlaRows(slice.rows);
        if (!decoded.ok()) return decoded.status();
        for (const publish::SlaRow& row : *decoded) {
          const publish::StreamingKey& k = row.key;
          if (k.pipeline_id != kLiveVideoToVideo ||
              (address && k.orchestrator_address != *address) || (model && k.model_id != *model) ||
              (gpu && k.gpu_id != *gpu)) {
            continue;
          }
          std::vector<std::string> grain = {row.org, k.orchestrator_address, k.pipeline_id,
                                            k.model_id, k.gpu_id};
          JsonWriter w;
          WriteGrain(w, row.window_start,
                     {"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"}, grain);
          w.Key("requested_sessions").Int(row.sums.requested_sessions);
          w.Key("startup_success_sessions").Int(row.sums.startup_success_sessions);
          WriteOptional(w, "effective_success_rate", publish::EffectiveSuccessRate(row.sums));
          WriteOptional(w, "no_swap_rate", publish::NoSwapRate(row.sums));
          WriteOptional(w, "avg_output_fps", publish::AvgOutputFps(row.sums));
          w.Key("sla_score");
          WriteOptional(
              w, row.sums.requested_sessions == 0 ? std::nullopt : row.derived.scores.sla_score);
          w.EndObject();
          rows.push_back({row.window_start, std::move(grain), w.Take()});
        }
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return HourlyListReply(std::move(rows));
}

// A11, A12: the live-video rows of `query_fn` per hour over the window at the grain `group_by`,
// filtered by the same-named parameters `filters`, without the rows `keep` rejects. Each object
// opens with window_start and the grain, then the fields `write_fields(w, row)` adds.
template <typename Rows, typename Keep, typename WriteFields>
Outcome LiveVideoHourlyList(const RequestContext& ctx, Backend& backend,
                            TableQueryFn<Rows> query_fn, std::vector<std::string> group_by,
                            std::initializer_list<const char*> filters, Keep keep,
                            WriteFields write_fields) {
  const HourRange hours = WindowHours(ctx);
  if (hours.empty()) return HourlyListReply({});
  publish::TableQuery q = HourQuery(ctx, hours, std::move(group_by), publish::TimeBucket::kHour);
  q.equals["pipeline_id"] = kLiveVideoToVideo;
  AddEquals(q, ctx, filters);
  auto result = CachedQuery(backend, q, query_fn);
  if (!result.ok()) return result.status();
  std::vector<HourlyListRow> rows;
  for (const auto& row : **result) {
    if (!keep(row)) continue;
    JsonWriter w;
    WriteGrain(w, row.bucket_start, q.group_by, row.group);
    write_fields(w, row);
    w.EndObject();
    rows.push_back({row.bucket_start, row.group, w.Take()});
  }
  return HourlyListReply(std::move(rows));
}

// ---- A11 ----

Outcome StreamingDemand(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> gateway = ctx.Get("gateway");
  return LiveVideoHourlyList(
      ctx, backend, publish::QueryStreamingDemand, {"org", "gateway", "pipeline_id", "model_id"},
      {"model_id"},
      [&](const auto& row) { return !gateway || ToLower(row.group[1]) == ToLower(*gateway); },
      [](JsonWriter& w, const auto& row) {
        w.Key("requested_sessions").Int(row.sums.requested_sessions);
        w.Key("startup_success_sessions").Int(row.sums.startup_success_sessions);
        WriteOptional(w, "effective_success_rate", publish::EffectiveSuccessRate(row.sums));
        w.Key("total_minutes").Double(publish::TotalMinutes(row.sums));
        w.Key("no_orch_sessions").Int(row.sums.no_orch_sessions);
      });
}

// ---- A12 ----

Outcome StreamingGpuMetrics(const RequestContext& ctx, Backend& backend) {
  return LiveVideoHourlyList(
      ctx, backend, publish::QueryGpuMetrics,
      {"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"},
      {"orchestrator_address", "model_id", "gpu_id"}, [](const auto&) { return true; },
      [](JsonWriter& w, const auto& row) {
        w.Key("gpu_model_name").String(row.attributes.gpu_model_name);
        w.Key("known_sessions_count").Int(row.sums.known_sessions_count);
        w.Key("startup_success_sessions").Int(row.sums.startup_success_sessions);
        WriteOptional(w, "avg_output_fps", publish::AvgOutputFps(row.sums));
        WriteOptional(w, "avg_e2e_latency_ms", publish::AvgE2eLatencyMs(row.sums));
        WriteOptional(w, "swap_rate", publish::SwapRate(row.sums));
      });
}

// ---- A13 ----

Outcome RequestModels(const RequestContext& ctx, Backend& backend) {
  struct Offer {
    std::set<std::string> orchestrators;
    std::set<std::pair<std::string, std::string>> gpu_slots;
    publish::RequestDemandSums demand;
  };
  // (pipeline, model, job_type) → offer
  std::map<std::tuple<std::string, std::string, std::string>, Offer> offers;
  if (ctx.data_clock) {
    const Millis clock = *ctx.data_clock;
    const publish::CurrentWindow current{.now = clock};
    auto inventory = LoadCurrentInventory(backend, clock);
    if (!inventory.ok()) return inventory.status();
    for (const publish::CurrentCapability& c : (*inventory)->capabilities) {
      if (c.columns.capability_family != kBuiltinFamily || !c.columns.supports_request ||
          c.key.pipeline_id == kLiveVideoToVideo || c.key.model_id.empty()) {
        continue;
      }
      Offer& o = offers[{c.key.pipeline_id, c.key.model_id, "ai-batch"}];
      o.orchestrators.insert(c.key.orch_address);
      if (!c.key.gpu_id.empty()) o.gpu_slots.insert({c.key.orch_address, c.key.gpu_id});
    }
    for (const publish::CurrentWorker& wk :
         publish::BuildCurrentWorkers((*inventory)->observed.workers, current)) {
      if (wk.key.capability.empty() || wk.columns.model.empty()) continue;
      Offer& o = offers[{wk.key.capability, wk.columns.model, "byoc"}];
      o.orchestrators.insert(wk.columns.orchestrator_address.empty()
                                 ? wk.key.orch_reported_address
                                 : wk.columns.orchestrator_address);
    }
    publish::TableQuery q = HourQuery(ctx, LookBackHours(clock, publish::kCurrentWindowMs));
    q.group_by = {"capability_family", "capability_name", "canonical_model"};
    auto demand = CachedQuery(backend, q, publish::QueryRequestDemand);
    if (!demand.ok()) return demand.status();
    for (const auto& row : **demand) {
      const std::string job_type = row.group[0] == kByocFamily ? "byoc" : "ai-batch";
      auto it = offers.find({row.group[1], row.group[2], job_type});
      if (it != offers.end()) it->second.demand += row.sums;
    }
  }
  std::vector<std::pair<const std::tuple<std::string, std::string, std::string>*, const Offer*>>
      order;
  for (const auto& [key, o] : offers) order.emplace_back(&key, &o);
  std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
    return std::make_pair(a.second->demand.job_count, a.second->orchestrators.size()) >
           std::make_pair(b.second->demand.job_count, b.second->orchestrators.size());
  });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [key, o] : order) {
    const auto& [pipeline, model, job_type] = *key;
    w.BeginObject().Key("pipeline").String(pipeline).Key("model").String(model);
    w.Key("job_type").String(job_type);
    w.Key("warm_orch_count").Int(static_cast<int64_t>(o->orchestrators.size()));
    w.Key("gpu_slots").Int(static_cast<int64_t>(o->gpu_slots.size()));
    w.Key("job_count_24h").Int(o->demand.job_count).Key("success_rate");
    const std::optional<double> rate = publish::SuccessRate(o->demand);
    WriteOptional(w, rate ? std::optional(publish::RoundHalfAwayFromZero(*rate, 3)) : std::nullopt);
    w.Key("avg_duration_ms");
    const std::optional<double> duration = publish::AvgDurationMs(o->demand);
    WriteOptional(
        w, duration ? std::optional(publish::RoundHalfAwayFromZero(*duration, 0)) : std::nullopt);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A15, A18 ----

Outcome AiBatchSummary(const RequestContext& ctx, Backend& backend) {
  auto rows = JobsByCapability(backend, ctx, kBuiltinFamily, kLiveVideoToVideo);
  if (!rows.ok()) return rows.status();
  return Reply::Data(JobSummaryArray(*rows, "pipeline"));
}

Outcome ByocSummary(const RequestContext& ctx, Backend& backend) {
  auto rows = JobsByCapability(backend, ctx, kByocFamily);
  if (!rows.ok()) return rows.status();
  return Reply::Data(JobSummaryArray(*rows, "capability"));
}

// ---- A16, A19: job facts, completed_at DESC, org DESC, request_id DESC ----

// A job list (A16, A19): the window's jobs of `jobs_at(facts, org, hour)` that `wanted`, in the
// keyset order (completed_at, org, id, all DESC), each written by `write` under the facts lock.
// Only rows a page can hold are written: jobs completed after the cursor's time precede it, and
// jobs past the first limit + 1 completed surely before it cannot be on the page (the router
// pages the rest, as over every row).
template <typename JobsAt, typename Wanted, typename IdOf, typename Write>
Outcome JobPage(const RequestContext& ctx, Backend& backend, JobsAt jobs_at, Wanted wanted,
                IdOf id_of, Write write) {
  const Window window = *ctx.window;
  const std::optional<std::string> only = ctx.Get("org");
  const std::optional<Millis> cursor_ts = CursorLeadingTime(ctx);
  std::vector<ListRow> rows;
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    using Job = std::remove_cvref_t<decltype(*jobs_at(facts, std::string(), Millis{}).front())>;
    std::vector<const Job*> jobs;
    for (const std::string& org : facts.Orgs()) {
      if (only && org != *only) continue;
      for (Millis hour = HourFloor(window.start); hour < window.end; hour += kHourMs) {
        for (const Job* j : jobs_at(facts, org, hour)) {
          if (j->completed_at < window.start || j->completed_at >= window.end) continue;
          if (cursor_ts && j->completed_at > *cursor_ts) continue;
          if (wanted(*j)) jobs.push_back(j);
        }
      }
    }
    std::sort(jobs.begin(), jobs.end(), [&id_of](const Job* a, const Job* b) {
      return std::tie(a->completed_at, a->org, id_of(*a)) >
             std::tie(b->completed_at, b->org, id_of(*b));
    });
    rows = NewestFirstPage(
        ctx, jobs, [](const Job& j) { return j.completed_at; },
        [&](const Job& j) -> ListRow {
          return {{std::to_string(j.completed_at), j.org, id_of(j)}, write(j)};
        });
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return Reply::List(std::move(rows));
}

void WriteAttribution(JsonWriter& w, const resolve::JobSelection& selection) {
  w.Key("gpu_model_name").String(selection.decision.gpu_model_name);
  w.Key("attribution_status").String(selection.decision.status);
}

Outcome AiBatchJobs(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> pipeline = ctx.Get("pipeline"), model = ctx.Get("model_id");
  return JobPage(
      ctx, backend,
      [](const resolve::FactsView& facts, const std::string& org, Millis hour) {
        return facts.AiBatchJobsAt(org, hour);
      },
      [&](const resolve::AiBatchJobFact& j) {
        return (!pipeline || j.canonical_pipeline == *pipeline) &&
               (!model || j.attributed_model == *model);
      },
      [](const resolve::AiBatchJobFact& j) -> const std::string& { return j.request_id; },
      [](const resolve::AiBatchJobFact& j) {
        JsonWriter w;
        w.BeginObject().Key("request_id").String(j.request_id).Key("org").String(j.org);
        w.Key("gateway").String(j.gateway).Key("pipeline").String(j.canonical_pipeline);
        w.Key("model_id").String(j.attributed_model).Key("completed_at");
        WriteTime(w, j.completed_at);
        WriteOptional(w, "success", j.success);
        WriteOptional(w, "tries", j.tries);
        WriteOptional(w, "duration_ms", j.duration_ms);
        w.Key("orch_url").String(j.orch_url);
        w.Key("selection_outcome").String(j.selection_outcome);
        WriteAttribution(w, j.selection);
        w.EndObject();
        return w.Take();
      });
}

Outcome ByocJobs(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> capability = ctx.Get("capability");
  return JobPage(
      ctx, backend,
      [](const resolve::FactsView& facts, const std::string& org, Millis hour) {
        return facts.ByocJobsAt(org, hour);
      },
      [&](const resolve::ByocJobFact& j) { return !capability || j.capability == *capability; },
      [](const resolve::ByocJobFact& j) -> const std::string& { return j.job_id; },
      [](const resolve::ByocJobFact& j) {
        JsonWriter w;
        w.BeginObject().Key("request_id").String(j.job_id).Key("org").String(j.org);
        w.Key("capability").String(j.capability).Key("model").String(j.model);
        w.Key("completed_at");
        WriteTime(w, j.completed_at);
        WriteOptional(w, "success", j.success);
        WriteOptional(w, "duration_ms", j.duration_ms);
        WriteOptional(w, "http_status", j.http_status);
        w.Key("orch_address").String(j.selection.decision.attributed_orch_address);
        w.Key("orch_url").String(j.orch_url).Key("worker_url").String(j.worker_url);
        w.Key("selection_outcome").String(j.selection_outcome);
        WriteAttribution(w, j.selection);
        w.Key("error").String(j.error);
        w.EndObject();
        return w.Take();
      });
}

// ---- A17 ----

Outcome LlmSummary(const RequestContext& ctx, Backend& backend) {
  std::vector<std::pair<std::string, publish::RequestDemandSums>> models;
  const HourRange hours = WindowHours(ctx);
  if (!hours.empty()) {
    publish::TableQuery q = HourQuery(ctx, hours);
    q.equals = {{"capability_family", kBuiltinFamily}, {"capability_name", "llm"}};
    q.group_by = {"canonical_model"};
    auto rows = CachedQuery(backend, q, publish::QueryRequestDemand);
    if (!rows.ok()) return rows.status();
    for (const auto& row : **rows) {
      if (!row.group[0].empty() && row.sums.llm_request_count > 0) {
        models.emplace_back(row.group[0], row.sums);
      }
    }
  }
  std::stable_sort(models.begin(), models.end(), [](const auto& a, const auto& b) {
    return a.second.llm_request_count > b.second.llm_request_count;
  });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [model, sums] : models) {
    w.BeginObject().Key("model").String(model);
    w.Key("total_requests").Int(sums.llm_request_count).Key("success_rate");
    WriteOptional(w, publish::LlmSuccessRate(sums));
    WriteOptional(w, "avg_tokens_per_sec", publish::AvgTokensPerSec(sums));
    WriteOptional(w, "avg_ttft_ms", publish::AvgTtftMs(sums));
    WriteOptional(w, "avg_total_tokens", publish::AvgTotalTokens(sums));
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A20 ----

Outcome ByocWorkers(const RequestContext& ctx, Backend& backend) {
  const Window window = *ctx.window;
  auto inventory =
      LoadObservedHours(backend, HourFloor(window.start), HourFloor(window.end - 1), std::nullopt);
  if (!inventory.ok()) return inventory.status();
  struct Worker {
    const publish::ObservedWorkerRow* latest = nullptr;         // latest sighting
    const publish::ObservedWorkerRow* latest_priced = nullptr;  // latest reporting a price
  };
  // capability → worker URL → worker
  std::map<std::string, std::map<std::string, Worker>> capabilities;
  std::map<std::string, std::set<std::string>> models_of;
  auto later = [](const publish::ObservedWorkerRow* a, const publish::ObservedWorkerRow& b) {
    return a == nullptr || std::tie(b.sighting.last_seen, b.sighting.latest_event_id) >
                               std::tie(a->sighting.last_seen, a->sighting.latest_event_id);
  };
  for (const publish::ObservedWorkerRow& row : (*inventory)->workers) {
    if (row.key.capability.empty() ||
        !SeenIn(row.sighting.first_seen, row.sighting.last_seen, window.start, window.end)) {
      continue;
    }
    Worker& wk = capabilities[row.key.capability][row.key.worker_url_norm];
    if (later(wk.latest, row)) wk.latest = &row;
    if (row.columns.price_per_unit && later(wk.latest_priced, row)) wk.latest_priced = &row;
    if (!row.columns.model.empty()) models_of[row.key.capability].insert(row.columns.model);
  }
  std::vector<std::pair<std::string, int64_t>> order;
  for (const auto& [capability, workers] : capabilities) {
    order.emplace_back(capability, static_cast<int64_t>(workers.size()));
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [capability, count] : order) {
    double price_sum = 0;
    int64_t priced = 0;
    for (const auto& [url, wk] : capabilities[capability]) {
      if (wk.latest_priced) {
        price_sum += *wk.latest_priced->columns.price_per_unit;
        ++priced;
      }
    }
    w.BeginObject().Key("capability").String(capability).Key("worker_count").Int(count);
    w.Key("models");
    WriteStrings(w, models_of[capability]);
    WriteOptional(w, "avg_price_per_unit",
                  priced == 0 ? std::nullopt : std::optional(price_sum / priced));
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A21 ----

Outcome ByocAuth(const RequestContext& ctx, Backend& backend) {
  std::vector<std::pair<std::string, publish::ByocAuthSums>> rows;
  const HourRange hours = WindowHours(ctx);
  if (!hours.empty()) {
    publish::TableQuery q = HourQuery(ctx, hours);
    q.group_by = {"capability_name"};
    auto result = CachedQuery(backend, q, publish::QueryByocAuth);
    if (!result.ok()) return result.status();
    for (const auto& row : **result) {
      if (!row.group[0].empty()) rows.emplace_back(row.group[0], row.sums);
    }
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.second.total_events > b.second.total_events;
  });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [capability, sums] : rows) {
    w.BeginObject().Key("capability").String(capability);
    w.Key("total_events").Int(sums.total_events).Key("success_rate");
    WriteOptional(w, publish::SuccessRate(sums));
    w.Key("failure_count").Int(sums.failure_count).EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// ---- A22 ----

struct Supply {
  std::string orchestrator_address;  // on-chain; "" for a worker without a resolved identity
  std::string uri, uri_norm;         // latest seen
  Millis uri_seen = 0;
  bool stream_capable = false;
  std::set<std::string> capabilities;
};

// Keeps the later URI (ties: the greater string).
void SeeUri(Supply& s, const std::string& uri, Millis seen) {
  if (std::tie(seen, uri) > std::tie(s.uri_seen, s.uri)) {
    s.uri = uri;
    s.uri_norm = event::NormalizeUrl(uri);
    s.uri_seen = seen;
  }
}

Outcome DiscoverOrchestrators(const RequestContext& ctx, Backend& backend) {
  std::vector<std::string> caps;
  if (auto it = ctx.params.find("caps"); it != ctx.params.end()) caps = it->second;
  if (caps.size() > kMaxCaps) {
    return Problem{.status = 400, .detail = "parameter \"caps\": at most 50 values are allowed"};
  }
  if (!ctx.data_clock) return Reply::Data("[]");
  const Millis clock = *ctx.data_clock;
  auto inventory = LoadObservedHours(backend, HourFloor(clock - kDiscoverSupplyMs + 1),
                                     HourFloor(clock), std::nullopt);
  if (!inventory.ok()) return inventory.status();
  auto recent = [clock](Millis t) { return t > clock - kDiscoverSupplyMs && t <= clock; };

  // (orchestrator, pipeline) → supply; an orchestrator is its on-chain address, or for a worker
  // without one its normalised orchestrator URL.
  std::map<std::pair<std::string, std::string>, Supply> rows;
  std::map<std::string, Millis> last_seen;
  for (const publish::ObservedOfferRow& row : (*inventory)->offers) {
    if (row.key.pipeline_id.empty() || !recent(row.sighting.last_seen)) continue;
    Supply& s = rows[{row.key.orch_address, row.key.pipeline_id}];
    s.orchestrator_address = row.key.orch_address;
    SeeUri(s, row.columns.orch_uri, row.sighting.last_seen);
    s.stream_capable = s.stream_capable || row.columns.supports_stream;
    if (!row.key.model_id.empty())
      s.capabilities.insert(row.key.pipeline_id + "/" + row.key.model_id);
    Millis& seen = last_seen[row.key.orch_address];
    seen = std::max(seen, row.sighting.last_seen);
  }
  for (const publish::ObservedWorkerRow& row : (*inventory)->workers) {
    if (row.key.capability.empty() || !recent(row.sighting.last_seen)) continue;
    const std::string& address = row.columns.orchestrator_address;
    const std::string orchestrator =
        address.empty() ? event::NormalizeUrl(row.columns.orch_url) : address;
    Supply& s = rows[{orchestrator, row.key.capability}];
    s.orchestrator_address = address;
    SeeUri(s, row.columns.orch_url, row.sighting.last_seen);
    if (!row.columns.model.empty())
      s.capabilities.insert(row.key.capability + "/" + row.columns.model);
    Millis& seen = last_seen[orchestrator];
    seen = std::max(seen, row.sighting.last_seen);
  }

  const HourRange score_hours = LookBackHours(clock, kDiscoverScoreMs);
  std::map<std::pair<std::string, std::string>, publish::SlaScores> sla;
  publish::TableQuery sla_query{.from = score_hours.first,
                                .to = score_hours.last_exclusive,
                                .group_by = {"orchestrator_address", "pipeline_id"}};
  auto sla_rows = CachedQuery(backend, sla_query, publish::QueryStreamingSla);
  if (!sla_rows.ok()) return sla_rows.status();
  for (const auto& row : **sla_rows) sla[{row.group[0], row.group[1]}] = row.derived.scores;
  std::map<std::pair<std::string, std::string>, publish::RequestDemandSums> jobs;
  publish::TableQuery job_query{.from = score_hours.first,
                                .to = score_hours.last_exclusive,
                                .equals = {{"execution_mode", "request"}},
                                .group_by = {"orchestrator_uri", "capability_name"}};
  auto job_rows = CachedQuery(backend, job_query, publish::QueryRequestDemand);
  if (!job_rows.ok()) return job_rows.status();
  for (const auto& row : **job_rows) jobs[{row.group[0], row.group[1]}] = row.sums;

  struct Out {
    const Supply* supply;
    publish::DiscoveryScore score;
    Millis last_seen;
  };
  std::vector<Out> out;
  for (const auto& [key, s] : rows) {
    const std::string& pipeline = key.second;
    const bool wanted = caps.empty() || std::any_of(caps.begin(), caps.end(), [&](const auto& cap) {
                          return s.capabilities.contains(cap);
                        });
    if (!wanted) continue;
    publish::DiscoveryScore score;
    if (s.stream_capable) {
      if (auto it = sla.find({s.orchestrator_address, pipeline}); it != sla.end()) {
        score = publish::StreamDiscoveryScore(it->second);
      }
    } else if (auto it = jobs.find({s.uri_norm, pipeline}); it != jobs.end()) {
      score = publish::RequestDiscoveryScore(it->second);
    }
    out.push_back({&s, score, last_seen[key.first]});
  }
  std::stable_sort(out.begin(), out.end(), [](const Out& a, const Out& b) {
    if (a.score.score != b.score.score) return a.score.score > b.score.score;
    if (a.supply->capabilities.size() != b.supply->capabilities.size()) {
      return a.supply->capabilities.size() > b.supply->capabilities.size();
    }
    return a.supply->uri < b.supply->uri;
  });
  JsonWriter w;
  w.BeginArray();
  for (const Out& o : out) {
    w.BeginObject().Key("address").String(o.supply->uri).Key("score").Double(o.score.score);
    w.Key("capabilities");
    WriteStrings(w, o.supply->capabilities);
    w.Key("last_seen_ms").Int(o.last_seen).Key("last_seen");
    WriteTime(w, o.last_seen);
    w.Key("recent_work").Bool(o.score.recent_work).EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

std::vector<KeyColumn> HourlyKeyset(std::initializer_list<const char*> grain) {
  std::vector<KeyColumn> keyset = {Key("-window_start", KeyKind::kTime)};
  for (const char* name : grain) keyset.push_back(Key(name));
  return keyset;
}

std::vector<KeyColumn> JobKeyset() {
  return {Key("-completed_at", KeyKind::kTime), Key("-org"), Key("-request_id")};
}

}  // namespace

std::vector<RouteSpec> StreamingAndRequestRoutes() {
  const std::vector<ParamSpec> gpu_filters = {OrgParam(), AddressParam("orchestrator_address"),
                                              IdParam("model_id", "model id"),
                                              IdParam("gpu_id", "GPU id")};
  const std::vector<ParamSpec> org_window = WithWindow({}, {OrgParam()});
  std::vector<RouteSpec> routes;
  routes.push_back(Bare("A8", "/v1/streaming/models",
                        "Live-video models on offer, capacity and FPS", StreamingModels));
  routes.push_back(Bare("A9", "/v1/streaming/orchestrators", "Orchestrators offering live video",
                        StreamingOrchestrators));
  routes.push_back(
      List("A10", "/v1/streaming/sla", "Hourly SLA rows",
           HourlyKeyset({"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"}),
           StreamingSla, gpu_filters));
  routes.push_back(
      List("A11", "/v1/streaming/demand", "Hourly gateway-side demand",
           HourlyKeyset({"org", "gateway", "pipeline_id", "model_id"}), StreamingDemand,
           {OrgParam(), IdParam("gateway", "gateway"), IdParam("model_id", "model id")}));
  routes.push_back(
      List("A12", "/v1/streaming/gpu-metrics", "Hourly per-GPU quality",
           HourlyKeyset({"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"}),
           StreamingGpuMetrics, gpu_filters));
  routes.push_back(Bare("A13", "/v1/requests/models",
                        "Request-mode models on offer with 24 h demand", RequestModels));
  routes.push_back(Bare("A14", "/v1/requests/orchestrators",
                        "Orchestrators offering request-mode capabilities", RequestOrchestrators));
  routes.push_back(Bare("A15", "/v1/requests/ai-batch/summary", "AI-batch jobs per pipeline",
                        AiBatchSummary, org_window, WindowSpec{}));
  routes.push_back(ReadsExactWindow(List(
      "A16", "/v1/requests/ai-batch/jobs", "AI-batch jobs, newest first", JobKeyset(), AiBatchJobs,
      {OrgParam(), IdParam("pipeline", "pipeline"), IdParam("model_id", "model id")})));
  routes.push_back(Bare("A17", "/v1/requests/ai-batch/llm-summary", "LLM metrics per model",
                        LlmSummary, org_window, WindowSpec{}));
  routes.push_back(Bare("A18", "/v1/requests/byoc/summary", "BYOC jobs per capability", ByocSummary,
                        org_window, WindowSpec{}));
  routes.push_back(
      ReadsExactWindow(List("A19", "/v1/requests/byoc/jobs", "BYOC jobs, newest first",
                            JobKeyset(), ByocJobs,
                            {OrgParam(), IdParam("capability", "BYOC capability")})));
  routes.push_back(ReadsExactWindow(Bare("A20", "/v1/requests/byoc/workers",
                                         "BYOC workers per capability", ByocWorkers,
                                         WindowParams(), WindowSpec{})));
  routes.push_back(Bare("A21", "/v1/requests/byoc/auth", "BYOC authentication outcomes", ByocAuth,
                        org_window, WindowSpec{}));
  routes.push_back(Bare("A22", "/v1/discover/orchestrators",
                        "Orchestrators a gateway can use now, ranked by recent work",
                        DiscoverOrchestrators,
                        {{.name = "caps",
                          .type = ParamType::kCap,
                          .repeatable = true,
                          .description = "pipeline/model offered (any of the values)"}}));
  return routes;
}

}  // namespace naap::api
