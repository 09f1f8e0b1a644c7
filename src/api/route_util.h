#pragma once
// Helpers shared by the route groups (routes_dashboard.cc, routes_streaming_requests.cc,
// routes_network.cc, routes_economics.cc, routes_operations.cc): parameter declarations, JSON
// values with the §1.3 null rules, the hourly query of a window, hourly arrays and list rows, and
// the current state read around the data clock (inventory views, orchestrator identities, active
// streams, sessions).
//  - "Current" is measured back from the data clock (§1.5.4, publish::CurrentWindow); without a
//    data clock nothing is current and every loader returns empty values.
//  - The loaders of shared state return immutable values that are pure functions of the store at
//    Backend::DataVersion() and their arguments, so they are memoized in Backend::read_cache().
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/backend.h"
#include "api/read_cache.h"
#include "api/route.h"
#include "base/json_writer.h"
#include "base/status.h"
#include "base/time.h"
#include "publish/query.h"
#include "publish/views.h"
#include "resolve/facts_view.h"
#include "resolve/session.h"

namespace naap::api::route_util {

// ---- parameter declarations ----

ParamSpec OrgParam(std::string description = "restrict to one org");
ParamSpec IdParam(std::string name, std::string description);
ParamSpec AddressParam(std::string name, std::string description = "on-chain orchestrator address");
// `limit` as a kInt 1..max with a default: a top-N size, not a list route's page size.
ParamSpec TopParam(int64_t max, int64_t default_value, std::string description);
// The concatenation of parameter lists, in order.
std::vector<ParamSpec> Params(std::initializer_list<std::vector<ParamSpec>> parts);
// The §1.6 keyset column "name" (ASC) or "-name" (DESC) of the given kind.
KeyColumn Key(std::string_view name, KeyKind kind = KeyKind::kString);

// ---- JSON (§1.3) ----

void WriteOptional(JsonWriter& w, const std::optional<double>& v);
void WriteOptional(JsonWriter& w, const std::optional<int64_t>& v);
void WriteOptional(JsonWriter& w, const std::optional<bool>& v);
// `key`, then its value or null.
inline void WriteOptional(JsonWriter& w, std::string_view key, const std::optional<double>& v) {
  WriteOptional(w.Key(key), v);
}
inline void WriteOptional(JsonWriter& w, std::string_view key, const std::optional<int64_t>& v) {
  WriteOptional(w.Key(key), v);
}
inline void WriteOptional(JsonWriter& w, std::string_view key, const std::optional<bool>& v) {
  WriteOptional(w.Key(key), v);
}
void WriteTime(JsonWriter& w, Millis t);
void WriteOptionalTime(JsonWriter& w, const std::optional<Millis>& t);
void WriteStrings(JsonWriter& w, const std::set<std::string>& values);
// `start_time` and `end_time` of a windowed object.
void WriteWindowTimes(JsonWriter& w, const Window& window);
// An object of each (name, count) pair in the given order.
template <typename Pairs>
void WriteCounts(JsonWriter& w, const Pairs& counts) {
  w.BeginObject();
  for (const auto& [name, count] : counts) w.Key(name).Int(count);
  w.EndObject();
}
// Sorts query rows by `rank(row)` DESC, then by their group values ASC.
template <typename Rows, typename Rank>
void SortByRankThenGroup(Rows& rows, Rank rank) {
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    const auto rank_a = rank(a), rank_b = rank(b);
    if (rank_a != rank_b) return rank_a > rank_b;
    return a.group < b.group;
  });
}
// A float as §1.3 writes it (also the cursor text of a float key).
std::string FloatText(double value);

// ---- windows and hourly queries ----

// The `org` parameter as an org set for TableQuery::orgs (nullopt: every org).
std::optional<std::set<std::string>> OrgFilter(const RequestContext& ctx);
// The first key value of the request's cursor as milliseconds (lists ordered by a time first,
// newest first); nullopt without a cursor or when it is not a number.
std::optional<Millis> CursorLeadingTime(const RequestContext& ctx);
// The rows a page of a newest-first record list (keyset: a time DESC, then more columns) can
// hold, for the router to page: of `sorted`, in keyset order, the records not newer than the
// cursor's time, up to the first limit + 1 older than it (all of them without a page size).
// `time_of(record)` is the leading key, `row_of(record)` the record's ListRow.
template <typename Record, typename TimeOf, typename RowOf>
std::vector<ListRow> NewestFirstPage(const RequestContext& ctx,
                                     const std::vector<const Record*>& sorted, TimeOf time_of,
                                     RowOf row_of) {
  const std::optional<Millis> cursor_ts = CursorLeadingTime(ctx);
  std::vector<ListRow> rows;
  int64_t after_cursor = 0;
  for (const Record* record : sorted) {
    const Millis t = time_of(*record);
    if (cursor_ts && t > *cursor_ts) continue;
    if (ctx.limit > 0 && after_cursor > ctx.limit) break;
    if (!cursor_ts || t < *cursor_ts) ++after_cursor;
    rows.push_back(row_of(*record));
  }
  return rows;
}
// The hours of the resolved window; empty when the route has none.
HourRange WindowHours(const RequestContext& ctx);
// A TableQuery over `hours` (which must not be empty) with the org filter of ctx.
publish::TableQuery HourQuery(const RequestContext& ctx, const HourRange& hours,
                              std::vector<std::string> group_by = {},
                              publish::TimeBucket bucket = publish::TimeBucket::kNone);

// A JSON array of one object per hour of `hours`, oldest first: "timestamp", then the fields
// `write_fields(w, hour)` adds.
template <typename WriteFields>
std::string HourArray(const HourRange& hours, WriteFields write_fields) {
  JsonWriter w;
  w.BeginArray();
  for (Millis hour = hours.first; hour < hours.last_exclusive; hour += kHourMs) {
    w.BeginObject();
    w.Key("timestamp");
    WriteTime(w, hour);
    write_fields(w, hour);
    w.EndObject();
  }
  w.EndArray();
  return w.Take();
}

// ---- hourly list routes (keyset window_start DESC, then the grain columns ASC) ----

// One row of an hourly list route, in any order.
struct HourlyListRow {
  Millis window_start = 0;
  std::vector<std::string> grain;  // the keyset's grain values, in keyset order
  std::string json;
};
// The rows in keyset order; a row's cursor key is window_start, then its grain values.
Reply HourlyListReply(std::vector<HourlyListRow> rows);
// Opens a row's object and writes its "window_start".
void BeginHourlyObject(JsonWriter& w, Millis window_start);

// ---- memoized reads (Backend::read_cache) ----

// `compute()` memoized in the backend's read cache under `key` at Backend::DataVersion()
// (computed afresh when the backend has no cache). `key` must name every input of `compute`.
template <typename T>
Result<std::shared_ptr<const T>> Memoized(
    Backend& backend, const std::string& key,
    const std::function<Result<std::shared_ptr<const T>>()>& compute) {
  ReadCache* cache = backend.read_cache();
  if (cache == nullptr) return compute();
  return cache->GetOrCompute<T>(key, backend.DataVersion(), compute);
}

// A serving-table query function of publish/query.h.
template <typename Rows>
using TableQueryFn = Result<Rows> (*)(store::Store&, const publish::TableQuery&);
// The cache key of `query_fn` over `q`: the function and every field of the query.
std::string TableQueryKey(const void* query_fn, const publish::TableQuery& q);
// `query_fn(backend.store(), q)` memoized by (query_fn, q, data version); the rows are shared and
// immutable, so a caller that reorders or filters them works on a copy.
template <typename Rows>
Result<std::shared_ptr<const Rows>> CachedQuery(Backend& backend, const publish::TableQuery& q,
                                                TableQueryFn<Rows> query_fn) {
  return Memoized<Rows>(backend, TableQueryKey(reinterpret_cast<const void*>(query_fn), q),
                        [&]() -> Result<std::shared_ptr<const Rows>> {
                          Result<Rows> rows = query_fn(backend.store(), q);
                          if (!rows.ok()) return rows.status();
                          return std::make_shared<const Rows>(std::move(*rows));
                        });
}

// The cache-key part of an optional org ("*" for every org).
std::string OrgKey(const std::optional<std::string>& org);

// CachedQuery of `q`, or no rows when `q` is nullopt (a window that selects no hour).
template <typename Rows>
Result<std::shared_ptr<const Rows>> CachedQuery(Backend& backend,
                                                const std::optional<publish::TableQuery>& q,
                                                TableQueryFn<Rows> query_fn) {
  if (!q) return std::make_shared<const Rows>();
  return CachedQuery(backend, *q, query_fn);
}

// ---- current inventory (data clock) ----

// The observed-inventory rows of the hours overlapping the current window at `clock` (of `org`
// when given) and the current views built from them.
struct CurrentInventory {
  std::optional<Millis> clock;
  publish::ObservedInventory observed;
  std::vector<publish::CurrentOrchestrator> orchestrators;
  std::vector<publish::CurrentCapability> capabilities;
  std::vector<publish::CurrentGpu> gpus;
  std::vector<publish::CurrentPrice> prices;
};
Result<std::shared_ptr<const CurrentInventory>> LoadCurrentInventory(
    Backend& backend, std::optional<Millis> clock, std::optional<std::string_view> org = {});

// publish::LoadObservedInventory of hours from_hour … to_hour (of `org` when given), memoized.
Result<std::shared_ptr<const publish::ObservedInventory>> LoadObservedHours(
    Backend& backend, Millis from_hour, Millis to_hour, const std::optional<std::string>& org);

// api_orchestrator_identity over every org's orchestrator rows of the retained hours (retention
// measured back from the data clock), with the latest raw snapshot element of each address.
struct Identities {
  std::optional<Millis> clock;
  std::vector<publish::OrchestratorIdentity> all;  // by address
  std::map<std::string, std::string> raw_capabilities;

  const publish::OrchestratorIdentity* Find(std::string_view address) const;
  // The orchestrator name of §1.8: the identity's name, else the address itself.
  std::string NameOf(std::string_view address) const;
  // The latest raw element of `address` ("" when unknown).
  const std::string& RawCapabilitiesOf(const std::string& address) const;
  // Last seen ≤ 10 min before the data clock.
  bool IsActive(std::string_view address) const;
};
Result<std::shared_ptr<const Identities>> LoadIdentities(Backend& backend,
                                                         std::optional<Millis> clock);

// A capability offered warm or with hardware present, or served by a current BYOC worker (the
// "warm orchestrator" rule of B5, B40 and B41; docs/api.md).
bool IsWarmOffer(const publish::CurrentCapability& capability);

// ---- facts ----

// Orgs holding facts, restricted to the `org` parameter when given.
std::vector<std::string> FactOrgs(const resolve::FactsView& facts,
                                  const std::optional<std::string>& org);
// Sessions not completed with last_seen in (clock − 24 h, clock] and last_seen ≥ clock − within,
// of `orgs`; empty without a data clock.
inline constexpr Millis kActiveStreamMs = 120'000;  // the "active" rule of B6/B7/B35/B40
std::vector<publish::ActiveStreamState> ActiveStreams(const resolve::FactsView& facts,
                                                      const std::vector<std::string>& orgs,
                                                      std::optional<Millis> clock,
                                                      Millis within = kActiveStreamMs);
// ActiveStreams of FactOrgs(org) at `clock`, read under the facts lock and memoized by
// (clock, org, within); so never called from inside Backend::ReadFacts.
Result<std::shared_ptr<const std::vector<publish::ActiveStreamState>>> LoadActiveStreams(
    Backend& backend, std::optional<Millis> clock, const std::optional<std::string>& org,
    Millis within = kActiveStreamMs);
// Existing sessions with a session hour in [from_hour, to_hour], each once, by (org, key).
std::vector<const resolve::SessionFact*> SessionsTouching(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          Millis from_hour, Millis to_hour);

}  // namespace naap::api::route_util
