#include "api/routes_a_util.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "resolve/facts_view.h"

namespace naap::api::routes_a {

ParamSpec OrgParam() {
  return {.name = "org", .type = ParamType::kOrg, .description = "organisation (event source)"};
}

ParamSpec IdParam(std::string name, std::string description) {
  return {.name = std::move(name), .type = ParamType::kId, .description = std::move(description)};
}

ParamSpec AddressParam(std::string name) {
  return {.name = std::move(name),
          .type = ParamType::kAddress,
          .description = "on-chain orchestrator address"};
}

ParamSpec TopParam(int64_t max, int64_t default_value, std::string description) {
  return {.name = "limit",
          .type = ParamType::kInt,
          .min = 1,
          .max = max,
          .default_int = default_value,
          .description = std::move(description)};
}

std::vector<ParamSpec> WithWindow(std::vector<ParamSpec> head, std::vector<ParamSpec> tail) {
  for (ParamSpec& p : WindowParams()) head.push_back(std::move(p));
  for (ParamSpec& p : tail) head.push_back(std::move(p));
  return head;
}

std::vector<ParamSpec> WithList(std::vector<ParamSpec> params) {
  for (ParamSpec& p : ListParams()) params.push_back(std::move(p));
  return params;
}

KeyColumn Key(std::string_view name, KeyKind kind) {
  const bool descending = !name.empty() && name.front() == '-';
  if (descending) name.remove_prefix(1);
  return {.name = std::string(name), .kind = kind, .descending = descending};
}

void WriteOptional(JsonWriter& w, const std::optional<double>& v) {
  if (v) {
    w.Double(*v);
  } else {
    w.Null();
  }
}

void WriteOptional(JsonWriter& w, const std::optional<int64_t>& v) {
  if (v) {
    w.Int(*v);
  } else {
    w.Null();
  }
}

void WriteOptional(JsonWriter& w, const std::optional<bool>& v) {
  if (v) {
    w.Bool(*v);
  } else {
    w.Null();
  }
}

void WriteTime(JsonWriter& w, Millis t) { w.String(FormatRfc3339Ms(t)); }

void WriteStrings(JsonWriter& w, const std::set<std::string>& values) {
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
}

std::string FloatKey(double v) {
  JsonWriter w;
  w.Double(v);
  return w.Take();
}

std::optional<std::set<std::string>> OrgFilter(const RequestContext& ctx) {
  if (std::optional<std::string> org = ctx.Get("org")) return std::set<std::string>{*org};
  return std::nullopt;
}

HourRange WindowHours(const RequestContext& ctx) {
  if (!ctx.window) return {};
  return HoursOf(*ctx.window);
}

HourRange LookBackHours(Millis clock, Millis width) {
  return HoursOf(Window{.start = clock - width + 1, .end = clock + 1});
}

publish::TableQuery HourQuery(const HourRange& hours, const RequestContext& ctx) {
  return {.from = hours.first, .to = hours.last_exclusive, .orgs = OrgFilter(ctx)};
}

bool SeenIn(Millis first_seen, Millis last_seen, Millis start, Millis end) {
  return first_seen < end && last_seen >= start;
}

Result<publish::ObservedInventory> LoadRecentInventory(Backend& backend, Millis clock, Millis width,
                                                       std::optional<std::string_view> org) {
  return publish::LoadObservedInventory(backend.store(), HourFloor(clock - width + 1),
                                        HourFloor(clock), org);
}

Result<std::vector<publish::ActiveStreamState>> RecentActiveStreams(
    Backend& backend, Millis clock, Millis within, std::optional<std::string_view> org) {
  std::vector<publish::ActiveStreamState> out;
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    std::vector<std::string> orgs = facts.Orgs();
    if (org) {
      const bool known = std::find(orgs.begin(), orgs.end(), *org) != orgs.end();
      orgs = known ? std::vector<std::string>{std::string(*org)} : std::vector<std::string>{};
    }
    for (publish::ActiveStreamState& s :
         publish::BuildActiveStreamStates(facts, orgs, publish::CurrentWindow{.now = clock})) {
      if (s.last_seen >= clock - within) out.push_back(std::move(s));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return out;
}

void WriteJobSummaryFields(JsonWriter& w, const publish::RequestDemandSums& sums) {
  w.Key("total_jobs").Int(sums.job_count);
  w.Key("selected_jobs").Int(sums.selected_count);
  w.Key("no_orch_jobs").Int(sums.no_orch_count);
  w.Key("success_rate");
  WriteOptional(w, publish::SuccessRate(sums));
  w.Key("avg_duration_ms");
  WriteOptional(w, publish::AvgDurationMs(sums));
}

Result<std::vector<std::pair<std::string, publish::RequestDemandSums>>> JobsByCapability(
    Backend& backend, const RequestContext& ctx, std::string_view family,
    std::string_view exclude) {
  std::vector<std::pair<std::string, publish::RequestDemandSums>> out;
  const HourRange hours = WindowHours(ctx);
  if (hours.empty()) return out;
  publish::TableQuery q = HourQuery(hours, ctx);
  q.equals["capability_family"] = std::string(family);
  q.group_by = {"capability_name"};
  auto rows = publish::QueryRequestDemand(backend.store(), q);
  if (!rows.ok()) return rows.status();
  for (auto& row : *rows) {
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
