#include "api/routes_a_util.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "resolve/facts_view.h"

namespace naap::api::routes_a {

RouteSpec Bare(std::string id, std::string pattern, std::string summary, Handler handler,
               std::vector<ParamSpec> params, std::optional<WindowSpec> window) {
  return {.id = std::move(id),
          .pattern = std::move(pattern),
          .group = RouteGroup::kA,
          .bare = true,
          .summary = std::move(summary),
          .params = std::move(params),
          .window = std::move(window),
          .handler = std::move(handler)};
}

std::vector<ParamSpec> WithWindow(std::vector<ParamSpec> head, std::vector<ParamSpec> tail) {
  return route_util::Params({std::move(head), WindowParams(), std::move(tail)});
}

std::vector<ParamSpec> WithList(std::vector<ParamSpec> params) {
  return route_util::Params({std::move(params), ListParams()});
}

HourRange LookBackHours(Millis clock, Millis width) {
  return HoursOf(Window{.start = clock - width + 1, .end = clock + 1});
}

bool SeenIn(Millis first_seen, Millis last_seen, Millis start, Millis end) {
  return first_seen < end && last_seen >= start;
}

void WriteJobSummaryFields(JsonWriter& w, const publish::RequestDemandSums& sums) {
  w.Key("total_jobs").Int(sums.job_count);
  w.Key("selected_jobs").Int(sums.selected_count);
  w.Key("no_orch_jobs").Int(sums.no_orch_count);
  w.Key("success_rate");
  route_util::WriteOptional(w, publish::SuccessRate(sums));
  w.Key("avg_duration_ms");
  route_util::WriteOptional(w, publish::AvgDurationMs(sums));
}

Result<std::vector<std::pair<std::string, publish::RequestDemandSums>>> JobsByCapability(
    Backend& backend, const RequestContext& ctx, std::string_view family,
    std::string_view exclude) {
  std::vector<std::pair<std::string, publish::RequestDemandSums>> out;
  const HourRange hours = route_util::WindowHours(ctx);
  if (hours.empty()) return out;
  publish::TableQuery q = route_util::HourQuery(ctx, hours, {"capability_name"});
  q.equals["capability_family"] = std::string(family);
  auto rows = route_util::CachedQuery(backend, q, publish::QueryRequestDemand);
  if (!rows.ok()) return rows.status();
  for (auto& row : **rows) {
    const std::string& name = row.group[0];
    if (name.empty() || name == exclude) continue;
    out.emplace_back(name, row.sums);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(b.second.job_count, a.first) < std::tie(a.second.job_count, b.first);
  });
  return out;
}

std::string JobSummaryArray(
    const std::vector<std::pair<std::string, publish::RequestDemandSums>>& rows,
    std::string_view name_key) {
  JsonWriter w;
  w.BeginArray();
  for (const auto& [name, sums] : rows) {
    w.BeginObject().Key(name_key).String(name);
    WriteJobSummaryFields(w, sums);
    w.EndObject();
  }
  w.EndArray();
  return w.Take();
}

}  // namespace naap::api::routes_a
