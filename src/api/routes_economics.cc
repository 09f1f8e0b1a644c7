// Group B routes B21–B45 (spec/api.md §3.4–§3.8): payments, reliability, failures, leaderboard,
// gateways, pricing, pipelines and the SLA / demand / GPU hourly rows. Handlers read the serving
// tables through publish/query.h, the current views through publish/views.h and the facts through
// Backend::ReadFacts; the router does validation, windows, paging and envelopes.
#include <algorithm>
#include <cctype>
#include <climits>
#include <functional>
#include <iterator>
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
#include "api/routes_econ_util.h"
#include "base/json_writer.h"
#include "publish/formulas.h"
#include "publish/query.h"
#include "publish/views.h"
#include "resolve/payments.h"
#include "resolve/session.h"

namespace naap::api {
namespace {

using namespace route_util;  // NOLINT(google-build-using-namespace)
using econ::WeiText;
using econ::WriteNullableString;
using publish::StreamingSums;
using publish::TimeBucket;
using Wei128 = unsigned __int128;

constexpr int64_t kReliabilityMinStreams = 10;
constexpr size_t kMaxOrchsUsed = 100;

Problem NotFoundProblem(std::string detail) {
  return Problem{.status = 404, .detail = std::move(detail), .headers = {}, .extension_json = ""};
}

void WriteWei(JsonWriter& w, Wei128 wei) { w.String(WeiText(wei)); }

template <typename Rows>
StreamingSums SumAll(const Rows& rows) {
  StreamingSums total;
  for (const auto& row : rows) total += row.sums;
  return total;
}

std::string LowerCase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The equality filters of the request: query parameter → table key column; `gateway` values are
// lower-cased (§1.5.5).
std::map<std::string, std::string> Equals(
    const RequestContext& ctx, const std::vector<std::pair<std::string, std::string>>& map) {
  std::map<std::string, std::string> equals;
  for (const auto& [param, column] : map) {
    const std::optional<std::string> value = ctx.Get(param);
    if (!value) continue;
    equals[column] = param == "gateway" ? LowerCase(*value) : *value;
  }
  return equals;
}

std::optional<publish::TableQuery> FilteredWindowQuery(
    const RequestContext& ctx, std::vector<std::string> group_by, TimeBucket bucket,
    const std::vector<std::pair<std::string, std::string>>& filters) {
  std::optional<publish::TableQuery> q = econ::WindowQuery(ctx, std::move(group_by), bucket);
  if (q) q->equals = Equals(ctx, filters);
  return q;
}

// ====================================== §3.4 payments ======================================

// B21
Outcome PaymentsSummary(const RequestContext& ctx, Backend& backend) {
  auto rows = CachedQuery(
      backend, econ::WindowQuery(ctx, {"org", "orchestrator_address"}, TimeBucket::kNone),
      publish::QueryPayments);
  if (!rows.ok()) return rows.status();
  publish::PaymentsSums total;
  std::map<std::string, publish::PaymentsSums> by_org;
  std::set<std::string> orchestrators;
  for (const auto& row : **rows) {
    total += row.sums;
    by_org[row.group[0]] += row.sums;
    if (!row.group[1].empty() && row.sums.event_count > 0) orchestrators.insert(row.group[1]);
  }
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  w.Key("total_payments_wei");
  WriteWei(w, total.fees_wei);
  w.Key("total_face_value_wei");
  WriteWei(w, total.face_value_wei);
  w.Key("payment_event_count").Int(total.event_count);
  w.Key("ticket_count").Int(total.ticket_count);
  w.Key("unique_orchestrators").Int(static_cast<int64_t>(orchestrators.size()));
  w.Key("by_org").BeginObject();
  for (const auto& [org, sums] : by_org) {
    w.Key(org).BeginObject();
    w.Key("total_wei");
    WriteWei(w, sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, sums.face_value_wei);
    w.Key("count").Int(sums.event_count);
    w.EndObject();
  }
  w.EndObject().EndObject();
  return Reply::Data(w.Take());
}

// B22
Outcome PaymentsHistory(const RequestContext& ctx, Backend& backend) {
  auto rows =
      CachedQuery(backend, econ::WindowQuery(ctx, {"orchestrator_address"}, TimeBucket::kHour),
                  publish::QueryPayments);
  if (!rows.ok()) return rows.status();
  struct Hour {
    publish::PaymentsSums sums;
    std::set<std::string> orchs;
  };
  std::map<Millis, Hour> hours;
  for (const auto& row : **rows) {
    Hour& hour = hours[row.bucket_start];
    hour.sums += row.sums;
    if (!row.group[0].empty() && row.sums.event_count > 0) hour.orchs.insert(row.group[0]);
  }
  return Reply::Data(HourArray(WindowHours(ctx), [&](JsonWriter& w, Millis h) {
    const Hour& hour = hours[h];
    w.Key("total_wei");
    WriteWei(w, hour.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, hour.sums.face_value_wei);
    w.Key("event_count").Int(hour.sums.event_count);
    w.Key("unique_orchs").Int(static_cast<int64_t>(hour.orchs.size()));
  }));
}

// B23
Outcome PaymentsByPipeline(const RequestContext& ctx, Backend& backend) {
  auto queried = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                             publish::QueryPayments);
  if (!queried.ok()) return queried.status();
  auto rows = **queried;  // a copy: sorted below
  SortByRankThenGroup(rows, [](const auto& row) { return row.sums.fees_wei; });
  JsonWriter w;
  w.BeginArray();
  for (const auto& row : rows) {
    w.BeginObject();
    w.Key("pipeline").String(row.group[0]);
    w.Key("total_wei");
    WriteWei(w, row.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, row.sums.face_value_wei);
    w.Key("event_count").Int(row.sums.event_count);
    WriteOptional(w, "avg_price_wei_per_pixel", row.derived.avg_price_wei_per_pixel);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// B24
Outcome PaymentsByOrch(const RequestContext& ctx, Backend& backend) {
  auto queried = CachedQuery(backend,
                             FilteredWindowQuery(ctx, {"orchestrator_address"}, TimeBucket::kNone,
                                                 {{"orch_address", "orchestrator_address"}}),
                             publish::QueryPayments);
  if (!queried.ok()) return queried.status();
  auto rows = **queried;  // a copy: sorted below
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  SortByRankThenGroup(rows, [](const auto& row) { return row.sums.fees_wei; });
  std::vector<ListRow> out;
  for (const auto& row : rows) {
    const std::string& address = row.group[0];
    JsonWriter w;
    w.BeginObject();
    w.Key("address").String(address);
    w.Key("name").String(inventory->identities->NameOf(address));
    w.Key("total_received_wei");
    WriteWei(w, row.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, row.sums.face_value_wei);
    w.Key("payment_count").Int(row.sums.event_count);
    w.EndObject();
    out.push_back({{WeiText(row.sums.fees_wei), address}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// B25
Outcome PaymentsByGateway(const RequestContext& ctx, Backend& backend) {
  auto rows = CachedQuery(
      backend,
      econ::WindowQuery(ctx, {"gateway_address", "orchestrator_address"}, TimeBucket::kNone),
      publish::QueryPayments);
  if (!rows.ok()) return rows.status();
  struct Gateway {
    std::string address;
    publish::PaymentsSums sums;
    std::set<std::string> orchs;
  };
  std::map<std::string, Gateway> by_gateway;
  for (const auto& row : **rows) {
    Gateway& g = by_gateway[row.group[0]];
    g.address = row.group[0];
    g.sums += row.sums;
    if (!row.group[1].empty() && row.sums.event_count > 0) g.orchs.insert(row.group[1]);
  }
  std::vector<Gateway> gateways;
  for (auto& [address, g] : by_gateway) gateways.push_back(std::move(g));
  std::sort(gateways.begin(), gateways.end(), [](const Gateway& a, const Gateway& b) {
    if (a.sums.fees_wei != b.sums.fees_wei) return a.sums.fees_wei > b.sums.fees_wei;
    return a.address < b.address;
  });
  std::vector<ListRow> out;
  for (const Gateway& g : gateways) {
    JsonWriter w;
    w.BeginObject();
    w.Key("gateway_address").String(g.address);
    w.Key("name").String("");
    w.Key("total_wei");
    WriteWei(w, g.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, g.sums.face_value_wei);
    w.Key("event_count").Int(g.sums.event_count);
    w.Key("unique_orchs").Int(static_cast<int64_t>(g.orchs.size()));
    w.EndObject();
    out.push_back({{WeiText(g.sums.fees_wei), g.address}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// (stream_id, request_id) of a session key `org|stream|request` (spec/analytics.md §2.2), with
// the `_missing_*` placeholders read back as "".
std::pair<std::string, std::string> StreamAndRequestOf(std::string_view org,
                                                       std::string_view session_key) {
  std::string_view rest = session_key.substr(std::min(session_key.size(), org.size() + 1));
  const size_t bar = rest.rfind('|');
  std::string stream(rest.substr(0, bar == std::string_view::npos ? rest.size() : bar));
  std::string request(bar == std::string_view::npos ? "" : rest.substr(bar + 1));
  if (stream == "_missing_stream") stream.clear();
  if (request == "_missing_request") request.clear();
  return {stream, request};
}

// B26
Outcome PaymentsByStream(const RequestContext& ctx, Backend& backend) {
  struct StreamPayments {
    std::string org, stream_id, request_id, pipeline;
    Wei128 fees = 0, face_value = 0;
    int64_t count = 0;
  };
  std::map<std::tuple<std::string, std::string, std::string>, StreamPayments> streams;
  const Window window = *ctx.window;
  const std::optional<std::string> stream_filter = ctx.Get("stream_id");
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    if (window.start >= window.end) return Status::Ok();
    for (const std::string& org : FactOrgs(facts, ctx.Get("org"))) {
      for (Millis h = HourFloor(window.start); h <= HourFloor(window.end - 1); h += kHourMs) {
        for (const resolve::PaymentFact* p : facts.PaymentsAt(org, h)) {
          if (p->session_key.empty() || p->event_ts < window.start || p->event_ts >= window.end) {
            continue;
          }
          auto [stream_id, request_id] = StreamAndRequestOf(org, p->session_key);
          if (stream_filter && stream_id != *stream_filter) continue;
          StreamPayments& s = streams[{org, stream_id, request_id}];
          s.org = org;
          s.stream_id = stream_id;
          s.request_id = request_id;
          s.pipeline = p->pipeline_id;
          s.fees += p->fees_wei.value();
          s.face_value += p->face_value_total_wei.value();
          ++s.count;
        }
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  std::vector<StreamPayments> rows;
  for (auto& [key, s] : streams) rows.push_back(std::move(s));
  std::stable_sort(rows.begin(), rows.end(), [](const StreamPayments& a, const StreamPayments& b) {
    return a.fees > b.fees;
  });
  std::vector<ListRow> out;
  for (const StreamPayments& s : rows) {
    JsonWriter w;
    w.BeginObject();
    w.Key("stream_id").String(s.stream_id);
    w.Key("request_id").String(s.request_id);
    w.Key("org").String(s.org);
    w.Key("pipeline").String(s.pipeline);
    w.Key("total_wei");
    WriteWei(w, s.fees);
    w.Key("total_face_value_wei");
    WriteWei(w, s.face_value);
    w.Key("event_count").Int(s.count);
    w.EndObject();
    out.push_back({{WeiText(s.fees), s.org, s.stream_id, s.request_id}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// ============================ §3.5 reliability, failures, leaderboard ============================

// The session rows (streaming demand) and sample rows (orch stream stats) of the window at
// `bucket`, filtered by the `pipeline` parameter (B27, B28).
struct ReliabilityRows {
  std::shared_ptr<const std::vector<publish::StreamingQueryRow<publish::DemandDerived>>> demand;
  std::shared_ptr<const std::vector<publish::StreamingQueryRow<publish::ReliabilityRates>>> stats;
};
Result<ReliabilityRows> QueryReliabilityRows(const RequestContext& ctx, Backend& backend,
                                             TimeBucket bucket) {
  const std::optional<publish::TableQuery> q =
      FilteredWindowQuery(ctx, {}, bucket, {{"pipeline", "pipeline_id"}});
  auto demand = CachedQuery(backend, q, publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  auto stats = CachedQuery(backend, q, publish::QueryOrchStreamStats);
  if (!stats.ok()) return stats.status();
  return ReliabilityRows{.demand = std::move(*demand), .stats = std::move(*stats)};
}

// B27
Outcome ReliabilitySummary(const RequestContext& ctx, Backend& backend) {
  Result<ReliabilityRows> rows = QueryReliabilityRows(ctx, backend, TimeBucket::kNone);
  if (!rows.ok()) return rows.status();
  const StreamingSums d = SumAll(*rows->demand);
  const StreamingSums s = SumAll(*rows->stats);
  const publish::ReliabilityRates session_rates = publish::ComputeReliabilityRates(d);
  const publish::ReliabilityRates sample_rates = publish::ComputeReliabilityRates(s);
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  WriteOptional(w, "startup_success_rate", session_rates.startup_success_rate);
  WriteOptional(w, "no_orch_session_rate", session_rates.no_orch_session_rate);
  WriteOptional(w, "orch_swap_rate", session_rates.orch_swap_rate);
  w.Key("orch_swap_count").Int(d.total_swapped_sessions);
  WriteOptional(w, "inference_restart_rate", sample_rates.inference_restart_rate);
  WriteOptional(w, "degraded_state_rate", sample_rates.degraded_rate);
  w.Key("failure_breakdown").BeginObject();
  w.Key("no_orch_sessions").Int(d.no_orch_sessions);
  w.Key("orch_swap").Int(d.total_swapped_sessions);
  w.Key("inference_restart").Int(s.inference_restarts);
  w.Key("inference_error").Int(s.inference_errors);
  w.Key("degraded_inference").Int(s.degraded_inference_samples);
  w.Key("degraded_input").Int(s.degraded_input_samples);
  w.EndObject().EndObject();
  return Reply::Data(w.Take());
}

// B28
Outcome ReliabilityHistory(const RequestContext& ctx, Backend& backend) {
  Result<ReliabilityRows> rows = QueryReliabilityRows(ctx, backend, TimeBucket::kHour);
  if (!rows.ok()) return rows.status();
  std::map<Millis, StreamingSums> demand_by_hour, stats_by_hour;
  for (const auto& row : *rows->demand) demand_by_hour[row.bucket_start] += row.sums;
  for (const auto& row : *rows->stats) stats_by_hour[row.bucket_start] += row.sums;
  return Reply::Data(HourArray(WindowHours(ctx), [&](JsonWriter& w, Millis h) {
    const StreamingSums& d = demand_by_hour[h];
    const publish::ReliabilityRates session_rates = publish::ComputeReliabilityRates(d);
    const publish::ReliabilityRates sample_rates =
        publish::ComputeReliabilityRates(stats_by_hour[h]);
    w.Key("requested_sessions").Int(d.requested_sessions);
    WriteOptional(w, "startup_success_rate", session_rates.startup_success_rate);
    WriteOptional(w, "no_orch_session_rate", session_rates.no_orch_session_rate);
    WriteOptional(w, "degraded_rate", sample_rates.degraded_rate);
  }));
}

// Orchestrator rows (address ≠ "") of api_hourly_orch_stream_stats over the window.
Result<std::vector<publish::StreamingQueryRow<publish::ReliabilityRates>>> OrchStatsByAddress(
    const RequestContext& ctx, Backend& backend) {
  auto rows = CachedQuery(backend,
                          FilteredWindowQuery(ctx, {"orchestrator_address"}, TimeBucket::kNone,
                                              {{"orch_address", "orchestrator_address"}}),
                          publish::QueryOrchStreamStats);
  if (!rows.ok()) return rows.status();
  std::vector<publish::StreamingQueryRow<publish::ReliabilityRates>> with_address;
  std::copy_if((*rows)->begin(), (*rows)->end(), std::back_inserter(with_address),
               [](const auto& row) { return !row.group[0].empty(); });
  return with_address;
}

// B29
Outcome ReliabilityOrchs(const RequestContext& ctx, Backend& backend) {
  auto rows = OrchStatsByAddress(ctx, backend);
  if (!rows.ok()) return rows.status();
  std::erase_if(*rows,
                [](const auto& row) { return row.sums.sessions_handled < kReliabilityMinStreams; });
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  SortByRankThenGroup(*rows, [](const auto& row) { return row.sums.sessions_handled; });
  std::vector<ListRow> out;
  for (const auto& row : *rows) {
    JsonWriter w;
    w.BeginObject();
    w.Key("address").String(row.group[0]);
    w.Key("name").String(inventory->identities->NameOf(row.group[0]));
    w.Key("streams_handled").Int(row.sums.sessions_handled);
    WriteOptional(w, "degraded_rate", row.derived.degraded_rate);
    WriteOptional(w, "restart_rate", row.derived.inference_restart_rate);
    WriteOptional(w, "error_rate", row.derived.error_rate);
    w.EndObject();
    out.push_back({{std::to_string(row.sums.sessions_handled), row.group[0]}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// B30
Outcome Failures(const RequestContext& ctx, Backend& backend) {
  const Window window = *ctx.window;
  const std::optional<std::string> type_filter = ctx.Get("failure_type");
  const std::optional<std::string> orch_filter = ctx.Get("orch_address");
  std::vector<resolve::FailureEvent> failures;
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    if (window.start >= window.end) return Status::Ok();
    for (const resolve::SessionFact* session :
         SessionsTouching(facts, FactOrgs(facts, ctx.Get("org")), HourFloor(window.start),
                          HourFloor(window.end - 1))) {
      for (const resolve::FailureEvent& f : session->failures) {
        if (f.failure_ts < window.start || f.failure_ts >= window.end) continue;
        if (type_filter && f.failure_type != *type_filter) continue;
        if (orch_filter && f.orchestrator_address != *orch_filter) continue;
        failures.push_back(f);
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  std::sort(failures.begin(), failures.end(),
            [](const resolve::FailureEvent& a, const resolve::FailureEvent& b) {
              if (a.failure_ts != b.failure_ts) return a.failure_ts > b.failure_ts;
              return std::tie(a.org, a.event_id, a.failure_type) <
                     std::tie(b.org, b.event_id, b.failure_type);
            });
  std::vector<ListRow> out;
  for (const resolve::FailureEvent& f : failures) {
    JsonWriter w;
    w.BeginObject();
    w.Key("timestamp");
    WriteTime(w, f.failure_ts);
    w.Key("failure_type").String(f.failure_type);
    w.Key("event_id").String(f.event_id);
    w.Key("org").String(f.org);
    w.Key("stream_id").String(f.stream_id);
    w.Key("request_id").String(f.request_id);
    w.Key("gateway").String(f.gateway);
    w.Key("orch_address").String(f.orchestrator_address);
    w.Key("pipeline").String(f.pipeline_id);
    w.Key("detail").String(f.detail);
    w.EndObject();
    out.push_back({{std::to_string(f.failure_ts), f.org, f.event_id, f.failure_type}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// B31
Outcome FailuresByPipeline(const RequestContext& ctx, Backend& backend) {
  auto demand = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                            publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  auto stats = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                           publish::QueryOrchStreamStats);
  if (!stats.ok()) return stats.status();
  struct Pipeline {
    std::string name;
    StreamingSums demand, stats;
    int64_t total() const {
      return demand.no_orch_sessions + demand.total_swapped_sessions + stats.inference_restarts +
             stats.inference_errors;
    }
  };
  std::map<std::string, Pipeline> by_name;
  for (const auto& row : **demand) by_name[row.group[0]].demand += row.sums;
  for (const auto& row : **stats) by_name[row.group[0]].stats += row.sums;
  std::vector<Pipeline> pipelines;
  for (auto& [name, p] : by_name) {
    p.name = name;
    pipelines.push_back(std::move(p));
  }
  std::stable_sort(pipelines.begin(), pipelines.end(),
                   [](const Pipeline& a, const Pipeline& b) { return a.total() > b.total(); });
  JsonWriter w;
  w.BeginArray();
  for (const Pipeline& p : pipelines) {
    w.BeginObject();
    w.Key("pipeline").String(p.name);
    w.Key("no_orch_count").Int(p.demand.no_orch_sessions);
    w.Key("orch_swap_count").Int(p.demand.total_swapped_sessions);
    w.Key("inference_restart_count").Int(p.stats.inference_restarts);
    w.Key("inference_error_count").Int(p.stats.inference_errors);
    w.Key("total_failures").Int(p.total());
    WriteOptional(w, "failure_rate",
                  publish::ComputeReliabilityRates(p.demand).pipeline_failure_rate);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// B32
Outcome FailuresByOrch(const RequestContext& ctx, Backend& backend) {
  auto rows = OrchStatsByAddress(ctx, backend);
  if (!rows.ok()) return rows.status();
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  auto total = [](const auto& row) {
    return row.sums.inference_errors + row.sums.inference_restarts;
  };
  SortByRankThenGroup(*rows, total);
  std::vector<ListRow> out;
  for (const auto& row : *rows) {
    JsonWriter w;
    w.BeginObject();
    w.Key("orch_address").String(row.group[0]);
    w.Key("name").String(inventory->identities->NameOf(row.group[0]));
    w.Key("inference_errors").Int(row.sums.inference_errors);
    w.Key("inference_restarts").Int(row.sums.inference_restarts);
    w.Key("total_failures").Int(total(row));
    w.Key("streams_handled").Int(row.sums.sessions_handled);
    WriteOptional(w, "failure_rate", row.derived.orchestrator_failure_rate);
    w.EndObject();
    out.push_back({{std::to_string(total(row)), row.group[0]}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// The §5.6 leaderboard of the window: every orchestrator's inputs and the ranked eligible set.
struct Leaderboard {
  econ::Inventory inventory;
  std::vector<publish::LeaderboardRow> rows;
  std::vector<publish::LeaderboardEntry> ranked;
};

Result<std::shared_ptr<const Leaderboard>> ComputeLeaderboard(const RequestContext& ctx,
                                                              Backend& backend) {
  auto shared = std::make_shared<Leaderboard>();
  Leaderboard& board = *shared;
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  board.inventory = std::move(*inventory);
  const HourRange hours = HoursOf(*ctx.window);
  if (!hours.empty()) {
    const std::optional<std::string> org = ctx.Get("org");
    const std::optional<std::string_view> org_view =
        org ? std::optional<std::string_view>(*org) : std::nullopt;
    auto stats = publish::LoadOrchStreamStats(backend.store(), hours.first,
                                              hours.last_exclusive - kHourMs, org_view);
    if (!stats.ok()) return stats.status();
    auto discovery = publish::LoadDiscoveryLatency(backend.store(), hours.first,
                                                   hours.last_exclusive - kHourMs, org_view);
    if (!discovery.ok()) return discovery.status();
    board.rows = publish::BuildLeaderboardRows(*stats, *discovery, board.inventory.identities->all,
                                               board.inventory.identities->clock.value_or(0));
  }
  const ApiConfig& config = backend.config();
  const publish::LeaderboardWeights weights{.fps = config.leaderboard_weights[0],
                                            .deg = config.leaderboard_weights[1],
                                            .vol = config.leaderboard_weights[2],
                                            .lat = config.leaderboard_weights[3]};
  board.ranked = publish::RankLeaderboardRows(board.rows, config.leaderboard_min_streams, weights);
  return std::shared_ptr<const Leaderboard>(std::move(shared));
}

// ComputeLeaderboard memoized by what it reads: the data clock, the window's hours and the org
// (the weights and the minimum are the backend's fixed configuration).
Result<std::shared_ptr<const Leaderboard>> LoadLeaderboard(const RequestContext& ctx,
                                                           Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  const std::string key = "leaderboard/" +
                          (ctx.data_clock ? std::to_string(*ctx.data_clock) : std::string("-")) +
                          "/" + std::to_string(hours.first) + "/" +
                          std::to_string(hours.last_exclusive) + "/" + OrgKey(ctx.Get("org"));
  return Memoized<Leaderboard>(backend, key, [&] { return ComputeLeaderboard(ctx, backend); });
}

// A B33 row; rank and score null for an orchestrator outside the eligible set.
void WriteLeaderboardRow(JsonWriter& w, const econ::Inventory& inventory, std::string_view address,
                         const publish::LeaderboardRow* row,
                         const publish::LeaderboardEntry* entry) {
  w.Key("rank");
  entry ? w.Int(entry->rank) : w.Null();
  w.Key("address").String(address);
  w.Key("name").String(inventory.identities->NameOf(address));
  w.Key("score");
  entry ? w.Double(entry->score) : w.Null();
  w.Key("streams_handled").Int(row ? row->input.streams_handled : 0);
  WriteOptional(w, "avg_inference_fps", row ? row->input.avg_inference_fps : std::nullopt);
  WriteOptional(w, "degraded_rate", row ? row->input.degraded_rate : std::nullopt);
  WriteOptional(w, "avg_latency_ms", row ? row->input.avg_latency_ms : std::nullopt);
  const publish::OrchestratorIdentity* identity = inventory.identities->Find(address);
  w.Key("last_seen");
  WriteOptionalTime(w, identity ? std::optional<Millis>(identity->last_seen) : std::nullopt);
  w.Key("is_active").Bool(inventory.identities->IsActive(address));
}

// B33
Outcome LeaderboardList(const RequestContext& ctx, Backend& backend) {
  auto loaded = LoadLeaderboard(ctx, backend);
  if (!loaded.ok()) return loaded.status();
  const Leaderboard* board = loaded->get();
  std::vector<ListRow> out;
  for (const publish::LeaderboardEntry& entry : board->ranked) {
    const publish::LeaderboardRow& row = board->rows[entry.input_index];
    JsonWriter w;
    w.BeginObject();
    WriteLeaderboardRow(w, board->inventory, row.input.address, &row, &entry);
    w.EndObject();
    out.push_back(
        {{FloatText(entry.score), std::to_string(row.input.streams_handled), row.input.address},
         w.Take()});
  }
  return Reply::List(std::move(out));
}

// B34
Outcome LeaderboardEntryRoute(const RequestContext& ctx, Backend& backend) {
  const std::string& address = ctx.path_params.at("address");
  auto loaded = LoadLeaderboard(ctx, backend);
  if (!loaded.ok()) return loaded.status();
  const Leaderboard* board = loaded->get();
  if (board->inventory.identities->Find(address) == nullptr) {
    return NotFoundProblem("orchestrator not found");
  }
  const publish::LeaderboardRow* row = nullptr;
  for (const publish::LeaderboardRow& r : board->rows) {
    if (r.input.address == address) row = &r;
  }
  const publish::LeaderboardEntry* entry = nullptr;
  for (const publish::LeaderboardEntry& e : board->ranked) {
    if (board->rows[e.input_index].input.address == address) entry = &e;
  }
  JsonWriter w;
  w.BeginObject();
  WriteLeaderboardRow(w, board->inventory, address, row, entry);
  w.Key("eligible").Bool(entry != nullptr);
  w.Key("eligible_count").Int(static_cast<int64_t>(board->ranked.size()));
  w.EndObject();
  return Reply::Data(w.Take());
}

// ================================ §3.6 gateways and pricing ================================

// The enrichment fields of B35/B36: the enrichment poller is not part of naap, so all null.
void WriteGatewayEnrichment(JsonWriter& w, std::string_view address) {
  w.Key("address").String(address);
  for (const char* key : {"name", "avatar", "deposit_wei", "reserve_wei", "updated_at"}) {
    w.Key(key).Null();
  }
}

std::map<std::string, int64_t> ActiveStreamsByGateway(const resolve::FactsView& facts,
                                                      const std::vector<std::string>& orgs,
                                                      std::optional<Millis> clock) {
  std::map<std::string, int64_t> counts;
  for (const publish::ActiveStreamState& s : ActiveStreams(facts, orgs, clock)) {
    ++counts[s.gateway];
  }
  return counts;
}

// Σrequested_sessions of the window per gateway (after the request's gateway filter).
Result<std::map<std::string, int64_t>> StreamsRoutedByGateway(const RequestContext& ctx,
                                                              Backend& backend,
                                                              std::optional<std::string> gateway) {
  std::optional<publish::TableQuery> q = econ::WindowQuery(ctx, {"gateway"}, TimeBucket::kNone);
  if (q && gateway) q->equals["gateway"] = *gateway;
  auto rows = CachedQuery(backend, q, publish::QueryStreamingDemand);
  if (!rows.ok()) return rows.status();
  std::map<std::string, int64_t> routed;
  for (const auto& row : **rows) routed[row.group[0]] += row.sums.requested_sessions;
  return routed;
}

// B35
Outcome Gateways(const RequestContext& ctx, Backend& backend) {
  const Window window = *ctx.window;
  std::vector<publish::GatewaySighting> gateways;
  std::map<std::string, int64_t> active;
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    const std::vector<std::string> orgs = FactOrgs(facts, ctx.Get("org"));
    if (window.start < window.end) {
      gateways =
          publish::BuildGateways(facts, orgs, HourFloor(window.start), HourFloor(window.end - 1));
    }
    active = ActiveStreamsByGateway(facts, orgs, ctx.data_clock);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  std::erase_if(gateways, [&window](const publish::GatewaySighting& g) {
    return g.last_seen < window.start || g.first_seen >= window.end;
  });
  auto routed = StreamsRoutedByGateway(ctx, backend, std::nullopt);
  if (!routed.ok()) return routed.status();
  std::stable_sort(gateways.begin(), gateways.end(),
                   [&active](const publish::GatewaySighting& a, const publish::GatewaySighting& b) {
                     return active[a.gateway] > active[b.gateway];
                   });
  std::vector<ListRow> out;
  for (const publish::GatewaySighting& g : gateways) {
    JsonWriter w;
    w.BeginObject();
    WriteGatewayEnrichment(w, g.gateway);
    w.Key("last_seen");
    WriteTime(w, g.last_seen);
    w.Key("active_streams").Int(active[g.gateway]);
    w.Key("streams_routed").Int((*routed)[g.gateway]);
    w.EndObject();
    out.push_back({{std::to_string(active[g.gateway]), g.gateway}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// The gateway of a B36/B37 path over the retention before the data clock; nullopt when naap
// holds no evidence of it.
std::optional<publish::GatewaySighting> FindGateway(const resolve::FactsView& facts,
                                                    const RequestContext& ctx, Backend& backend,
                                                    std::string_view address) {
  if (!ctx.data_clock) return std::nullopt;
  const Millis clock = *ctx.data_clock;
  for (publish::GatewaySighting& g : publish::BuildGateways(
           facts, facts.Orgs(), HourFloor(clock - backend.config().raw_retention_ms),
           HourFloor(clock))) {
    if (g.gateway == address) return std::move(g);
  }
  return std::nullopt;
}

// B36
Outcome GatewayDetail(const RequestContext& ctx, Backend& backend) {
  const std::string address = LowerCase(ctx.path_params.at("address"));
  std::optional<publish::GatewaySighting> gateway;
  int64_t active = 0;
  std::set<std::string> orchs;
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    gateway = FindGateway(facts, ctx, backend, address);
    if (!gateway) return Status::Ok();
    active = ActiveStreamsByGateway(facts, facts.Orgs(), ctx.data_clock)[address];
    for (const resolve::SessionFact* s :
         econ::SessionsStartedIn(facts, facts.Orgs(), *ctx.window)) {
      if (s->gateway == address && !s->orchestrator_address.empty()) {
        orchs.insert(s->orchestrator_address);
      }
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!gateway) return NotFoundProblem("gateway not found");
  auto routed = StreamsRoutedByGateway(ctx, backend, address);
  if (!routed.ok()) return routed.status();
  std::optional<publish::TableQuery> q = econ::WindowQuery(ctx, {}, TimeBucket::kNone);
  if (q) q->equals["gateway_address"] = address;
  auto payments = CachedQuery(backend, q, publish::QueryPayments);
  if (!payments.ok()) return payments.status();
  Wei128 fees = 0;
  for (const auto& row : **payments) fees += row.sums.fees_wei;
  JsonWriter w;
  w.BeginObject();
  WriteGatewayEnrichment(w, address);
  w.Key("first_seen");
  WriteTime(w, gateway->first_seen);
  w.Key("last_seen");
  WriteTime(w, gateway->last_seen);
  w.Key("streams_routed").Int((*routed)[address]);
  w.Key("active_streams").Int(active);
  w.Key("total_payments_wei");
  WriteWei(w, fees);
  w.Key("orchs_used").BeginArray();
  size_t written = 0;
  for (const std::string& orch : orchs) {
    if (written++ == kMaxOrchsUsed) break;
    w.String(orch);
  }
  w.EndArray().EndObject();
  return Reply::Data(w.Take());
}

// B37
Outcome GatewayOrchs(const RequestContext& ctx, Backend& backend) {
  const std::string address = LowerCase(ctx.path_params.at("address"));
  struct Orch {
    std::string address;
    int64_t streams = 0;
    Millis last_seen = 0;
  };
  std::map<std::string, Orch> by_orch;
  bool found = false;
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    found = FindGateway(facts, ctx, backend, address).has_value();
    if (!found) return Status::Ok();
    for (const resolve::SessionFact* s :
         econ::SessionsStartedIn(facts, facts.Orgs(), *ctx.window)) {
      if (s->gateway != address || s->orchestrator_address.empty()) continue;
      Orch& o = by_orch[s->orchestrator_address];
      o.address = s->orchestrator_address;
      ++o.streams;
      o.last_seen = std::max(o.last_seen, s->last_seen.value_or(s->session_start));
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  if (!found) return NotFoundProblem("gateway not found");
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  std::vector<Orch> orchs;
  for (auto& [key, o] : by_orch) orchs.push_back(std::move(o));
  std::stable_sort(orchs.begin(), orchs.end(),
                   [](const Orch& a, const Orch& b) { return a.streams > b.streams; });
  std::vector<ListRow> out;
  for (const Orch& o : orchs) {
    JsonWriter w;
    w.BeginObject();
    w.Key("orch_address").String(o.address);
    w.Key("name").String(inventory->identities->NameOf(o.address));
    w.Key("stream_count").Int(o.streams);
    w.Key("last_seen");
    WriteTime(w, o.last_seen);
    w.EndObject();
    out.push_back({{std::to_string(o.streams), o.address}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// The latest price quote per (orchestrator, pipeline, model) among the current offers: the
// quoted offer with the newest sighting (ties: the first in key order); warm when any offer of
// the triple is warm.
struct PriceQuote {
  Wei price_per_unit, pixels_per_unit;
  std::optional<double> unit_price;
  Millis last_seen = 0;
  bool is_warm = false;
};
using QuoteKey = std::tuple<std::string, std::string, std::string>;  // orch, pipeline, model

std::map<QuoteKey, PriceQuote> LatestQuotes(const econ::Inventory& inventory,
                                            const std::optional<std::string>& pipeline,
                                            const std::optional<std::string>& address) {
  std::map<QuoteKey, PriceQuote> quotes;
  std::set<QuoteKey> warm;
  for (const publish::CurrentCapability& c : inventory.current->capabilities) {
    if (pipeline && c.key.pipeline_id != *pipeline) continue;
    if (address && c.key.orch_address != *address) continue;
    const QuoteKey key{c.key.orch_address, c.key.pipeline_id, c.key.model_id};
    if (c.columns.warm.value_or(false)) warm.insert(key);
    if (!c.price_per_unit || !c.pixels_per_unit) continue;
    auto [it, inserted] = quotes.try_emplace(key);
    if (inserted || c.sighting.last_seen > it->second.last_seen) {
      it->second = {.price_per_unit = *c.price_per_unit,
                    .pixels_per_unit = *c.pixels_per_unit,
                    .unit_price = c.unit_price,
                    .last_seen = c.sighting.last_seen};
    }
  }
  for (auto& [key, quote] : quotes) quote.is_warm = warm.contains(key);
  return quotes;
}

void WriteQuotePrice(JsonWriter& w, const PriceQuote& quote) {
  w.Key("price_per_unit").String(quote.price_per_unit.ToString());
  w.Key("pixels_per_unit")
      .Int(static_cast<int64_t>(
          std::min<unsigned __int128>(quote.pixels_per_unit.value(), INT64_MAX)));
  WriteOptional(w, "price_wei_per_pixel", quote.unit_price);
  w.Key("is_warm").Bool(quote.is_warm);
}

// B38
Outcome Pricing(const RequestContext& ctx, Backend& backend) {
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  std::vector<ListRow> out;
  for (const auto& [key, quote] : LatestQuotes(*inventory, ctx.Get("pipeline"), std::nullopt)) {
    const auto& [orch, pipeline, model] = key;
    JsonWriter w;
    w.BeginObject();
    w.Key("orch_address").String(orch);
    w.Key("name").String(inventory->identities->NameOf(orch));
    w.Key("pipeline").String(pipeline);
    w.Key("model_id").String(model);
    WriteQuotePrice(w, quote);
    w.EndObject();
    out.push_back({{orch, pipeline, model}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// B39
Outcome PricingDetail(const RequestContext& ctx, Backend& backend) {
  const std::string& address = ctx.path_params.at("address");
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  if (inventory->identities->Find(address) == nullptr) {
    return NotFoundProblem("orchestrator not found");
  }
  std::map<std::string, std::vector<std::pair<std::string, PriceQuote>>> by_pipeline;
  for (const auto& [key, quote] : LatestQuotes(*inventory, std::nullopt, address)) {
    by_pipeline[std::get<1>(key)].emplace_back(std::get<2>(key), quote);
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("orch_address").String(address);
  w.Key("name").String(inventory->identities->NameOf(address));
  w.Key("is_active").Bool(inventory->identities->IsActive(address));
  w.Key("pipelines").BeginArray();
  for (const auto& [pipeline, models] : by_pipeline) {
    w.BeginObject();
    w.Key("pipeline").String(pipeline);
    w.Key("models").BeginArray();
    for (const auto& [model, quote] : models) {
      w.BeginObject();
      w.Key("model_id").String(model);
      WriteQuotePrice(w, quote);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return Reply::Data(w.Take());
}

// ====================================== §3.7 pipelines ======================================

struct ModelFigures {
  std::set<std::string> warm_orchs;
  StreamingSums demand, stats;
};
struct PipelineFigures {
  int64_t active_streams = 0, job_count = 0;
  Wei128 fees = 0;
  StreamingSums demand, stats;
  std::set<std::string> warm_orchs;
  std::map<std::string, int64_t> requested_by_orch;
  std::map<std::string, ModelFigures> models;  // model_id ≠ ""
};

// Every pipeline (≠ "") with a current offer or data in the window, with its B40/B41 figures.
Result<std::map<std::string, PipelineFigures>> LoadPipelines(const RequestContext& ctx,
                                                             Backend& backend) {
  std::map<std::string, PipelineFigures> pipelines;
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  for (const publish::CurrentCapability& c : inventory->current->capabilities) {
    if (c.key.pipeline_id.empty()) continue;
    PipelineFigures& p = pipelines[c.key.pipeline_id];
    if (!IsWarmOffer(c)) continue;
    p.warm_orchs.insert(c.key.orch_address);
    if (!c.key.model_id.empty()) p.models[c.key.model_id].warm_orchs.insert(c.key.orch_address);
  }
  auto demand =
      CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id", "model_id"}, TimeBucket::kNone),
                  publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  for (const auto& row : **demand) {
    if (row.group[0].empty()) continue;
    PipelineFigures& p = pipelines[row.group[0]];
    p.demand += row.sums;
    if (!row.group[1].empty()) p.models[row.group[1]].demand += row.sums;
  }
  auto stats =
      CachedQuery(backend,
                  econ::WindowQuery(ctx, {"pipeline_id", "model_id", "orchestrator_address"},
                                    TimeBucket::kNone),
                  publish::QueryOrchStreamStats);
  if (!stats.ok()) return stats.status();
  for (const auto& row : **stats) {
    if (row.group[0].empty()) continue;
    PipelineFigures& p = pipelines[row.group[0]];
    p.stats += row.sums;
    if (!row.group[1].empty()) p.models[row.group[1]].stats += row.sums;
    if (!row.group[2].empty()) p.requested_by_orch[row.group[2]] += row.sums.requested_sessions;
  }
  auto jobs = CachedQuery(backend, econ::WindowQuery(ctx, {"capability_name"}, TimeBucket::kNone),
                          publish::QueryRequestDemand);
  if (!jobs.ok()) return jobs.status();
  for (const auto& row : **jobs) {
    if (!row.group[0].empty()) pipelines[row.group[0]].job_count += row.sums.job_count;
  }
  auto payments = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                              publish::QueryPayments);
  if (!payments.ok()) return payments.status();
  for (const auto& row : **payments) {
    if (!row.group[0].empty()) pipelines[row.group[0]].fees += row.sums.fees_wei;
  }
  auto streams = LoadActiveStreams(backend, ctx.data_clock, ctx.Get("org"));
  if (!streams.ok()) return streams.status();
  for (const publish::ActiveStreamState& s : **streams) {
    if (!s.pipeline_id.empty()) ++pipelines[s.pipeline_id].active_streams;
  }
  return pipelines;
}

// The B40 fields from active_streams to warm_orch_count.
void WritePipelineFigures(JsonWriter& w, const PipelineFigures& p) {
  w.Key("active_streams").Int(p.active_streams);
  w.Key("requested_count").Int(p.demand.requested_sessions);
  WriteOptional(w, "success_rate", publish::StartupSuccessRate(p.demand));
  WriteOptional(w, "avg_inference_fps", publish::AvgOutputFps(p.stats));
  w.Key("job_count").Int(p.job_count);
  w.Key("total_payments_wei");
  WriteWei(w, p.fees);
  w.Key("warm_orch_count").Int(static_cast<int64_t>(p.warm_orchs.size()));
}

// B40
Outcome PipelinesList(const RequestContext& ctx, Backend& backend) {
  auto pipelines = LoadPipelines(ctx, backend);
  if (!pipelines.ok()) return pipelines.status();
  std::vector<std::pair<std::string, const PipelineFigures*>> sorted;
  for (const auto& [name, p] : *pipelines) sorted.emplace_back(name, &p);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.second->demand.requested_sessions, a.second->job_count) >
           std::pair(b.second->demand.requested_sessions, b.second->job_count);
  });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [name, p] : sorted) {
    std::string top;
    int64_t top_requested = 0;
    for (const auto& [orch, requested] : p->requested_by_orch) {
      if (requested > top_requested) {
        top = orch;
        top_requested = requested;
      }
    }
    w.BeginObject();
    w.Key("pipeline").String(name);
    WritePipelineFigures(w, *p);
    w.Key("top_orch_address").String(top);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// Whether `pipeline` has data in the serving tables over the retention before the data clock.
Result<bool> PipelineHasRetainedData(const RequestContext& ctx, Backend& backend,
                                     const std::string& pipeline) {
  if (!ctx.data_clock) return false;
  const Millis to = HourFloor(*ctx.data_clock);
  const Millis from = HourFloor(*ctx.data_clock - backend.config().raw_retention_ms);
  publish::TableQuery q = HourQuery(ctx, HourRange{from, to + kHourMs});
  q.equals = {{"pipeline_id", pipeline}};
  auto demand = CachedQuery(backend, q, publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  auto payments = CachedQuery(backend, q, publish::QueryPayments);
  if (!payments.ok()) return payments.status();
  q.equals = {{"capability_name", pipeline}};
  auto jobs = CachedQuery(backend, q, publish::QueryRequestDemand);
  if (!jobs.ok()) return jobs.status();
  return !(*demand)->empty() || !(*payments)->empty() || !(*jobs)->empty();
}

// B41
Outcome PipelineDetail(const RequestContext& ctx, Backend& backend) {
  const std::string& name = ctx.path_params.at("pipeline");
  auto pipelines = LoadPipelines(ctx, backend);
  if (!pipelines.ok()) return pipelines.status();
  auto found = pipelines->find(name);
  if (found == pipelines->end()) {
    Result<bool> retained = PipelineHasRetainedData(ctx, backend, name);
    if (!retained.ok()) return retained.status();
    if (!*retained) return NotFoundProblem("pipeline not found");
  }
  const PipelineFigures p = found == pipelines->end() ? PipelineFigures{} : found->second;
  std::vector<std::pair<std::string, const ModelFigures*>> models;
  for (const auto& [model, m] : p.models) models.emplace_back(model, &m);
  std::stable_sort(models.begin(), models.end(), [](const auto& a, const auto& b) {
    return a.second->demand.requested_sessions > b.second->demand.requested_sessions;
  });
  JsonWriter w;
  w.BeginObject();
  w.Key("pipeline").String(name);
  WriteWindowTimes(w, *ctx.window);
  WritePipelineFigures(w, p);
  w.Key("by_model").BeginArray();
  for (const auto& [model, m] : models) {
    w.BeginObject();
    w.Key("model_id").String(model);
    w.Key("warm_orch_count").Int(static_cast<int64_t>(m->warm_orchs.size()));
    w.Key("requested_count").Int(m->demand.requested_sessions);
    WriteOptional(w, "avg_fps", publish::AvgOutputFps(m->stats));
    w.EndObject();
  }
  w.EndArray().EndObject();
  return Reply::Data(w.Take());
}

// =========================== §3.8 SLA, demand and GPU hourly rows ===========================

// The grain of an hourly-row route: "org" first when the org filter is given (§1.6), then the
// table's columns.
std::vector<std::string> HourlyGrain(const RequestContext& ctx, std::vector<std::string> columns) {
  if (ctx.Has("org")) columns.insert(columns.begin(), "org");
  return columns;
}

// The grain column `name` of a row: the group value, or the org filter's value for "org"
// (null without it).
struct HourlyGrainWriter {
  const std::vector<std::string>& grain;
  void Write(JsonWriter& w, const std::vector<std::string>& group, const char* name) const {
    w.Key(name);
    for (size_t i = 0; i < grain.size(); ++i) {
      if (grain[i] == name) return WriteNullableString(w, group[i]);
    }
    w.Null();  // org without the filter, region (not tracked)
  }
};

// A §3.8 hourly list route: the rows of `query_fn` per hour over the window at the grain
// HourlyGrain(ctx, columns), each column filtered by the same-named parameter, without the rows
// `keep` rejects. Each object opens with window_start and the `output_columns`, then the fields
// `write_fields(w, row)` adds.
template <typename Rows, typename WriteFields>
Outcome HourlyGrainList(const RequestContext& ctx, Backend& backend, TableQueryFn<Rows> query_fn,
                        const std::vector<std::string>& columns,
                        std::initializer_list<const char*> output_columns, WriteFields write_fields,
                        const std::function<bool(const typename Rows::value_type&)>& keep = {}) {
  const std::vector<std::string> grain = HourlyGrain(ctx, columns);
  std::vector<std::pair<std::string, std::string>> filters;
  for (const std::string& column : columns) filters.emplace_back(column, column);
  auto rows =
      CachedQuery(backend, FilteredWindowQuery(ctx, grain, TimeBucket::kHour, filters), query_fn);
  if (!rows.ok()) return rows.status();
  const HourlyGrainWriter g{grain};
  std::vector<HourlyListRow> out;
  for (const auto& row : **rows) {
    if (keep && !keep(row)) continue;
    JsonWriter w;
    BeginHourlyObject(w, row.bucket_start);
    for (const char* column : output_columns) g.Write(w, row.group, column);
    write_fields(w, row);
    w.EndObject();
    out.push_back({row.bucket_start, row.group, w.Take()});
  }
  return HourlyListReply(std::move(out));
}

// The B42 count fields from known_sessions_count to health_expected_signal_count.
void WriteSessionCounts(JsonWriter& w, const StreamingSums& s) {
  const std::pair<const char*, int64_t> counts[] = {
      {"known_sessions_count", s.known_sessions_count},
      {"requested_sessions", s.requested_sessions},
      {"startup_success_sessions", s.startup_success_sessions},
      {"no_orch_sessions", s.no_orch_sessions},
      {"startup_excused_sessions", s.startup_excused_sessions},
      {"startup_failed_sessions", s.startup_failed_sessions},
      {"loading_only_sessions", s.loading_only_sessions},
      {"zero_output_fps_sessions", s.zero_output_fps_sessions},
      {"output_failed_sessions", s.output_failed_sessions},
      {"effective_failed_sessions", s.effective_failed_sessions},
      {"confirmed_swapped_sessions", s.confirmed_swapped_sessions},
      {"inferred_swap_sessions", s.inferred_swap_sessions},
      {"total_swapped_sessions", s.total_swapped_sessions},
      {"sessions_ending_in_error", s.sessions_ending_in_error},
      {"error_status_samples", s.error_status_samples},
      {"health_signal_count", s.health_signal_count},
      {"health_expected_signal_count", s.health_expected_signal_count},
  };
  for (const auto& [name, value] : counts) w.Key(name).Int(value);
}

// B42
Outcome SlaCompliance(const RequestContext& ctx, Backend& backend) {
  return HourlyGrainList(
      ctx, backend, publish::QueryStreamingSla,
      {"orchestrator_address", "pipeline_id", "model_id", "gpu_id"},
      {"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id", "region"},
      [](JsonWriter& w, const auto& row) {
        const publish::SlaDerived& d = row.derived;
        WriteSessionCounts(w, row.sums);
        w.Key("health_signal_coverage_ratio").Double(d.health_signal_coverage_ratio);
        WriteOptional(w, "startup_success_rate", d.startup_success_rate);
        WriteOptional(w, "excused_failure_rate", d.excused_failure_rate);
        WriteOptional(w, "effective_success_rate", d.effective_success_rate);
        WriteOptional(w, "no_swap_rate", d.no_swap_rate);
        WriteOptional(w, "output_viability_rate", d.output_viability_rate);
        WriteOptional(w, "reliability_score", d.scores.reliability_score);
        WriteOptional(w, "quality_score", d.scores.quality_score);
        WriteOptional(w, "sla_score", d.scores.sla_score);
        w.Key("sla_semantics_version").String(publish::kSlaSemanticsVersion);
      });
}

// The B43 fields from sessions_count on.
void WriteDemandFigures(JsonWriter& w, const StreamingSums& s, const publish::DemandDerived& d) {
  w.Key("sessions_count").Int(s.sessions_count);
  WriteOptional(w, "avg_output_fps", d.avg_output_fps);
  w.Key("total_minutes").Double(d.total_minutes);
  WriteSessionCounts(w, s);
  w.Key("health_signal_coverage_ratio").Double(d.health_signal_coverage_ratio);
  WriteOptional(w, "startup_success_rate", d.startup_success_rate);
  WriteOptional(w, "excused_failure_rate", d.excused_failure_rate);
  WriteOptional(w, "effective_success_rate", d.effective_success_rate);
  w.Key("ticket_face_value_eth").Double(d.ticket_face_value_eth);
  w.Key("fees_wei");
  WriteWei(w, s.fees_wei);
}

// B43
Outcome NetworkDemand(const RequestContext& ctx, Backend& backend) {
  return HourlyGrainList(
      ctx, backend, publish::QueryStreamingDemand, {"gateway", "pipeline_id", "model_id"},
      {"org", "gateway", "region", "pipeline_id", "model_id"},
      [](JsonWriter& w, const auto& row) { WriteDemandFigures(w, row.sums, row.derived); });
}

// B44
Outcome GpuNetworkDemand(const RequestContext& ctx, Backend& backend) {
  return HourlyGrainList(
      ctx, backend, publish::QueryGpuNetworkDemand,
      {"gateway", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"},
      {"org", "gateway", "orchestrator_address", "region", "pipeline_id", "model_id", "gpu_id"},
      [](JsonWriter& w, const auto& row) {
        w.Key("gpu_identity_status").String(row.derived.gpu_identity_status);
        WriteDemandFigures(w, row.sums, row.derived);
      });
}

// B45
Outcome GpuMetrics(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> model_name = ctx.Get("gpu_model_name");
  return HourlyGrainList(
      ctx, backend, publish::QueryGpuMetrics,
      {"orchestrator_address", "pipeline_id", "model_id", "gpu_id"},
      {"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id", "region"},
      [](JsonWriter& w, const auto& row) {
        const StreamingSums& s = row.sums;
        const publish::GpuMetricsDerived& d = row.derived;
        w.Key("gpu_model_name");
        WriteNullableString(w, row.attributes.gpu_model_name);
        w.Key("gpu_memory_bytes_total");
        row.attributes.gpu_memory_bytes_total ? w.Int(*row.attributes.gpu_memory_bytes_total)
                                              : w.Null();
        w.Key("runner_version");
        WriteNullableString(w, row.attributes.runner_version);
        w.Key("cuda_version").Null();
        WriteOptional(w, "avg_output_fps", d.avg_output_fps);
        WriteOptional(w, "p95_output_fps", d.p95_output_fps);
        w.Key("fps_jitter_coefficient").Null();
        w.Key("status_samples").Int(s.status_samples);
        w.Key("error_status_samples").Int(s.error_status_samples);
        w.Key("health_signal_coverage_ratio").Double(d.health_signal_coverage_ratio);
        const std::pair<const char*, std::optional<double>> latencies[] = {
            {"avg_prompt_to_first_frame_ms", d.avg_prompt_to_first_frame_ms},
            {"avg_startup_latency_ms", d.avg_startup_latency_ms},
            {"avg_e2e_latency_ms", d.avg_e2e_latency_ms},
            {"p95_prompt_to_first_frame_latency_ms", d.p95_prompt_to_first_frame_latency_ms},
            {"p95_startup_latency_ms", d.p95_startup_latency_ms},
            {"p95_e2e_latency_ms", d.p95_e2e_latency_ms},
        };
        for (const auto& [name, value] : latencies) {
          w.Key(name);
          WriteOptional(w, value);
        }
        const std::pair<const char*, int64_t> counts[] = {
            {"prompt_to_first_frame_sample_count", s.prompt_to_first_frame_sample_count},
            {"startup_latency_sample_count", s.startup_latency_sample_count},
            {"e2e_latency_sample_count", s.e2e_latency_sample_count},
            {"known_sessions_count", s.known_sessions_count},
            {"startup_success_sessions", s.startup_success_sessions},
            {"no_orch_sessions", s.no_orch_sessions},
            {"startup_excused_sessions", s.startup_excused_sessions},
            {"startup_failed_sessions", s.startup_failed_sessions},
            {"confirmed_swapped_sessions", s.confirmed_swapped_sessions},
            {"inferred_swap_sessions", s.inferred_swap_sessions},
            {"total_swapped_sessions", s.total_swapped_sessions},
            {"sessions_ending_in_error", s.sessions_ending_in_error},
        };
        for (const auto& [name, value] : counts) w.Key(name).Int(value);
        WriteOptional(w, "startup_failed_rate", d.startup_failed_rate);
        WriteOptional(w, "swap_rate", d.swap_rate);
      },
      [&](const auto& row) { return !model_name || row.attributes.gpu_model_name == *model_name; });
}

// ====================================== route table ======================================

// The §3.8 keyset: window_start DESC, "org" when the org filter is given, then `columns` ASC.
std::vector<KeyColumn> HourlyKeyset(std::initializer_list<const char*> columns) {
  std::vector<KeyColumn> keyset = {
      Key("-window_start", KeyKind::kTime),
      {.name = "org", .kind = KeyKind::kString, .only_with_param = "org"}};
  for (const char* column : columns) keyset.push_back(Key(column, KeyKind::kString));
  return keyset;
}

ParamSpec AddressPath() { return AddressParam("address", "orchestrator on-chain address"); }

// A windowed group B route; a list route when `keyset` is given.
RouteSpec Route(std::string id, std::string pattern, std::string summary,
                std::vector<ParamSpec> params, Handler handler,
                std::vector<KeyColumn> keyset = {}) {
  return RouteSpec{.id = std::move(id),
                   .pattern = std::move(pattern),
                   .group = RouteGroup::kB,
                   .summary = std::move(summary),
                   .path_params = {},
                   .params = std::move(params),
                   .window = WindowSpec{},
                   .keyset = std::move(keyset),
                   .handler = std::move(handler)};
}

}  // namespace

std::vector<RouteSpec> EconomicsRoutes() {
  const std::vector<ParamSpec> window = WindowParams();
  const std::vector<ParamSpec> list = ListParams();
  const std::vector<ParamSpec> org = {OrgParam()};
  const ParamSpec orch_address = AddressParam("orch_address", "on-chain orchestrator address");
  const ParamSpec pipeline = IdParam("pipeline", "canonical pipeline");
  std::vector<RouteSpec> routes;

  // §3.4 payments
  routes.push_back(Route("B21", "/v1/payments/summary", "payment totals over the window",
                         Params({window, org}), PaymentsSummary));
  routes.push_back(Route("B22", "/v1/payments/history", "hourly payment totals",
                         Params({window, org}), PaymentsHistory));
  routes.push_back(Route("B23", "/v1/payments/by-pipeline", "payment totals per pipeline",
                         Params({window, org}), PaymentsByPipeline));
  routes.push_back(
      Route("B24", "/v1/payments/by-orch", "payments received per orchestrator",
            Params({window, org, {orch_address}, list}), PaymentsByOrch,
            {Key("-total_received_wei", KeyKind::kWei), Key("address", KeyKind::kString)}));
  routes.push_back(
      Route("B25", "/v1/payments/by-gateway", "payments sent per gateway",
            Params({window, org, list}), PaymentsByGateway,
            {Key("-total_wei", KeyKind::kWei), Key("gateway_address", KeyKind::kString)}));
  routes.push_back(
      Route("B26", "/v1/payments/by-stream", "linked payments per stream session",
            Params({window, org, {IdParam("stream_id", "stream id")}, list}), PaymentsByStream,
            {Key("-total_wei", KeyKind::kWei), Key("org", KeyKind::kString),
             Key("stream_id", KeyKind::kString), Key("request_id", KeyKind::kString)}));

  // §3.5 reliability, failures, leaderboard
  routes.push_back(Route("B27", "/v1/reliability/summary", "session and sample reliability rates",
                         Params({window, org, {pipeline}}), ReliabilitySummary));
  routes.push_back(Route("B28", "/v1/reliability/history", "hourly reliability rates",
                         Params({window, org, {pipeline}}), ReliabilityHistory));
  routes.push_back(
      Route("B29", "/v1/reliability/orchs", "reliability per orchestrator",
            Params({window, org, {orch_address}, list}), ReliabilityOrchs,
            {Key("-streams_handled", KeyKind::kInt), Key("address", KeyKind::kString)}));
  const ParamSpec failure_type = econ::EnumParam(
      "failure_type", {"no_orch_available", "orch_swap", "inference_restart", "inference_error"},
      "failure type");
  routes.push_back(
      Route("B30", "/v1/failures", "failure occurrences, newest first",
            Params({window, org, {failure_type, orch_address}, list}), Failures,
            {Key("-timestamp", KeyKind::kTime), Key("org", KeyKind::kString),
             Key("event_id", KeyKind::kString), Key("failure_type", KeyKind::kString)}));
  routes.push_back(Route("B31", "/v1/failures/by-pipeline", "failure counts per pipeline",
                         Params({window, org}), FailuresByPipeline));
  routes.push_back(
      Route("B32", "/v1/failures/by-orch", "failures per orchestrator", Params({window, org, list}),
            FailuresByOrch,
            {Key("-total_failures", KeyKind::kInt), Key("orch_address", KeyKind::kString)}));
  routes.push_back(Route("B33", "/v1/leaderboard", "composite orchestrator ranking",
                         Params({window, org, list}), LeaderboardList,
                         {Key("-score", KeyKind::kFloat), Key("-streams_handled", KeyKind::kInt),
                          Key("address", KeyKind::kString)}));
  RouteSpec leaderboard_entry =
      Route("B34", "/v1/leaderboard/{address}", "one orchestrator's leaderboard entry",
            Params({window, org}), LeaderboardEntryRoute);
  leaderboard_entry.path_params = {AddressPath()};
  routes.push_back(std::move(leaderboard_entry));

  // §3.6 gateways and pricing
  const ParamSpec gateway_path = IdParam("address", "gateway value (lower-cased)");
  routes.push_back(
      Route("B35", "/v1/net/gateways", "gateways with evidence in the window",
            Params({window, org, list}), Gateways,
            {Key("-active_streams", KeyKind::kInt), Key("address", KeyKind::kString)}));
  RouteSpec gateway =
      Route("B36", "/v1/net/gateways/{address}", "one gateway", Params({window}), GatewayDetail);
  gateway.path_params = {gateway_path};
  routes.push_back(std::move(gateway));
  RouteSpec gateway_orchs =
      Route("B37", "/v1/net/gateways/{address}/orchs", "orchestrators a gateway's sessions used",
            Params({window, list}), GatewayOrchs,
            {Key("-stream_count", KeyKind::kInt), Key("orch_address", KeyKind::kString)});
  gateway_orchs.path_params = {gateway_path};
  routes.push_back(std::move(gateway_orchs));
  RouteSpec pricing = Route("B38", "/v1/net/pricing", "latest price per orchestrator and model",
                            Params({org, {pipeline}, list}), Pricing,
                            {Key("orch_address", KeyKind::kString),
                             Key("pipeline", KeyKind::kString), Key("model_id", KeyKind::kString)});
  pricing.window.reset();
  routes.push_back(std::move(pricing));
  RouteSpec pricing_detail =
      Route("B39", "/v1/net/pricing/{address}", "one orchestrator's prices", {}, PricingDetail);
  pricing_detail.window.reset();
  pricing_detail.path_params = {AddressPath()};
  routes.push_back(std::move(pricing_detail));

  // §3.7 pipelines
  routes.push_back(Route("B40", "/v1/pipelines", "pipelines with offers or data",
                         Params({window, org}), PipelinesList));
  RouteSpec pipeline_detail = Route("B41", "/v1/pipelines/{pipeline}", "one pipeline",
                                    Params({window, org}), PipelineDetail);
  pipeline_detail.path_params = {IdParam("pipeline", "pipeline")};
  routes.push_back(std::move(pipeline_detail));

  // §3.8 SLA, demand and GPU hourly rows
  const ParamSpec orchestrator_address =
      AddressParam("orchestrator_address", "on-chain orchestrator address");
  const ParamSpec pipeline_id = IdParam("pipeline_id", "canonical pipeline");
  const ParamSpec model_id = IdParam("model_id", "model id");
  const ParamSpec gpu_id = IdParam("gpu_id", "GPU id");
  const ParamSpec gateway_param = IdParam("gateway", "gateway value (lower-cased)");
  constexpr Millis kMinute = 60'000;
  const WindowSpec demand_window{
      .default_width = 3 * kHourMs, .min_width = kMinute, .max_width = 30 * kDayMs};
  RouteSpec sla = Route(
      "B42", "/v1/sla/compliance", "hourly SLA rows",
      Params({window, {orchestrator_address, pipeline_id, model_id, gpu_id}, org, list}),
      SlaCompliance, HourlyKeyset({"orchestrator_address", "pipeline_id", "model_id", "gpu_id"}));
  sla.window = WindowSpec{.default_width = kDayMs, .min_width = kHourMs, .max_width = 30 * kDayMs};
  routes.push_back(std::move(sla));
  RouteSpec demand = Route("B43", "/v1/network/demand", "hourly demand rows",
                           Params({window, {gateway_param, pipeline_id, model_id}, org, list}),
                           NetworkDemand, HourlyKeyset({"gateway", "pipeline_id", "model_id"}));
  demand.window = demand_window;
  routes.push_back(std::move(demand));
  RouteSpec gpu_demand =
      Route("B44", "/v1/gpu/network-demand", "hourly demand rows per GPU",
            Params({window,
                    {gateway_param, orchestrator_address, pipeline_id, model_id, gpu_id},
                    org,
                    list}),
            GpuNetworkDemand,
            HourlyKeyset({"gateway", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"}));
  gpu_demand.window = demand_window;
  routes.push_back(std::move(gpu_demand));
  RouteSpec gpu_metrics = Route(
      "B45", "/v1/gpu/metrics", "hourly GPU metrics rows",
      Params({window,
              {orchestrator_address, gpu_id, pipeline_id, model_id,
               IdParam("gpu_model_name", "GPU model name")},
              org,
              list}),
      GpuMetrics, HourlyKeyset({"orchestrator_address", "pipeline_id", "model_id", "gpu_id"}));
  gpu_metrics.window =
      WindowSpec{.default_width = kDayMs, .min_width = kMinute, .max_width = 72 * kHourMs};
  routes.push_back(std::move(gpu_metrics));
  return routes;
}

}  // namespace naap::api
