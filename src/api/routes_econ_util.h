#pragma once
// Helpers shared by the group B economics routes (routes_economics.cc, B21–B45): JSON values of
// §1.3 (wei as exact decimal text, nullable numbers, times), the window's hourly table query,
// the orchestrator identities and current offers around the data clock, and the facts a route
// reads (sessions of the window, active sessions).
//  - Every helper is a pure function of the store and facts for a given request context.
//  - Empty windows (no hour bucket selected) give empty results, never an error.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "api/backend.h"
#include "api/route.h"
#include "base/json_writer.h"
#include "base/status.h"
#include "base/time.h"
#include "publish/query.h"
#include "publish/views.h"
#include "resolve/facts_view.h"
#include "resolve/session.h"

namespace naap::api::econ {

// ---- JSON values (§1.3) ----

// Exact decimal text of a wei amount (the full 128-bit range).
std::string WeiText(unsigned __int128 wei);
// A float as §1.3 writes it (also the cursor text of a float key).
std::string FloatText(double value);
void WriteOptionalDouble(JsonWriter& w, std::optional<double> value);
void WriteOptionalTime(JsonWriter& w, std::optional<Millis> t);
void WriteTime(JsonWriter& w, Millis t);
// "" is written as null (group B grain strings of the sla/demand/gpu rows).
void WriteNullableString(JsonWriter& w, std::string_view s);

// ---- parameters ----

ParamSpec OrgParam();
ParamSpec IdParam(std::string name, std::string description);
ParamSpec AddressParam(std::string name, std::string description);
ParamSpec EnumParam(std::string name, std::vector<std::string> values, std::string description);
// The concatenation of parameter lists, in order.
std::vector<ParamSpec> Params(std::initializer_list<std::vector<ParamSpec>> parts);

// The `org` parameter as an org set for TableQuery::orgs (nullopt: every org).
std::optional<std::set<std::string>> OrgSet(const RequestContext& ctx);
// A single-valued parameter, or "" when absent.
std::string ParamOr(const RequestContext& ctx, std::string_view name);

// ---- hourly tables ----

// The hour buckets of the request's window (§1.5.4), oldest first.
std::vector<Millis> WindowHours(const RequestContext& ctx);
// A query over the window's hour buckets with the org filter; nullopt when no bucket is selected.
std::optional<publish::TableQuery> WindowQuery(const RequestContext& ctx,
                                               std::vector<std::string> group_by,
                                               publish::TimeBucket bucket);
// Runs `query_fn` on `q`, or returns no rows when `q` is nullopt (an empty window).
template <typename QueryFn>
auto QueryOrEmpty(store::Store& store, const std::optional<publish::TableQuery>& q,
                  QueryFn query_fn) -> decltype(query_fn(store, *q)) {
  using Rows = std::decay_t<decltype(query_fn(store, *q).value())>;
  if (!q) return Rows{};
  return query_fn(store, *q);
}
// A query over [from_hour, to_hour] hours inclusive with the org filter.
publish::TableQuery HoursQuery(const RequestContext& ctx, Millis from_hour, Millis to_hour,
                               std::vector<std::string> group_by);

// ---- inventory around the data clock ----

struct Inventory {
  std::optional<Millis> clock;  // the data clock; nullopt while nothing is held
  std::vector<publish::OrchestratorIdentity> identities;  // over retention, every org
  std::vector<publish::CurrentCapability> capabilities;   // current (24 h), `org` only when given

  const publish::OrchestratorIdentity* Find(std::string_view address) const;
  // The orchestrator name of §1.8: identity name, else the address itself.
  std::string NameOf(std::string_view address) const;
  // Last seen ≤ 10 min before the data clock.
  bool IsActive(std::string_view address) const;
};
Result<Inventory> LoadInventory(const RequestContext& ctx, Backend& backend);

// A warm or hardware-backed current offer (B5's "warm orchestrator" rule).
bool IsWarmOffer(const publish::CurrentCapability& capability);

// ---- facts ----

// Orgs holding facts, restricted to the `org` parameter when given.
std::vector<std::string> FactOrgs(const resolve::FactsView& facts, const RequestContext& ctx);
// Existing sessions with a session hour in [from_hour, to_hour], each once, by (org, key).
std::vector<const resolve::SessionFact*> SessionsTouching(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          Millis from_hour, Millis to_hour);
// Existing sessions whose session_start lies in `window`, by (org, key).
std::vector<const resolve::SessionFact*> SessionsStartedIn(const resolve::FactsView& facts,
                                                           const std::vector<std::string>& orgs,
                                                           const Window& window);
// Sessions not completed with last_seen ≥ clock − 120 s (the "active" rule of B6/B35/B40);
// empty without a data clock.
inline constexpr Millis kActiveStreamMs = 120'000;
std::vector<publish::ActiveStreamState> ActiveSessions(const resolve::FactsView& facts,
                                                       const std::vector<std::string>& orgs,
                                                       std::optional<Millis> clock);

}  // namespace naap::api::econ
