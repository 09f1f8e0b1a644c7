#pragma once
// Helpers shared by the route groups (routes_dashboard.cc, routes_streaming_requests.cc,
// routes_network.cc, routes_economics.cc, routes_operations.cc): parameter declarations, JSON
// values with the §1.3 null rules, the hourly query of a window, and the current state read
// around the data clock (inventory views, orchestrator identities, active streams, sessions).
//  - "Current" is measured back from the data clock (§1.5.4, publish::CurrentWindow); without a
//    data clock nothing is current and every loader returns empty values.
//  - The loaders of shared state return immutable values that are pure functions of the store at
//    Backend::DataVersion() and their arguments, so they are memoized in Backend::read_cache().
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
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
// A float as §1.3 writes it (also the cursor text of a float key).
std::string FloatText(double value);

// ---- windows and hourly queries ----

// The `org` parameter as an org set for TableQuery::orgs (nullopt: every org).
std::optional<std::set<std::string>> OrgFilter(const RequestContext& ctx);
// The hours of the resolved window; empty when the route has none.
HourRange WindowHours(const RequestContext& ctx);
// A TableQuery over `hours` (which must not be empty) with the org filter of ctx.
publish::TableQuery HourQuery(const RequestContext& ctx, const HourRange& hours,
                              std::vector<std::string> group_by = {},
                              publish::TimeBucket bucket = publish::TimeBucket::kNone);

// ---- current inventory (data clock) ----

// The observed-inventory rows of the hours overlapping the current window at `clock` (of `org`
// when given) and the current views built from them.
struct CurrentInventory {
  std::optional<Millis> clock;
  publish::ObservedInventory observed;
  std::vector<publish::CurrentOrchestrator> orchestrators;
  std::vector<publish::CurrentCapability> capabilities;
  std::vector<publish::CurrentGpu> gpus;
};
Result<std::shared_ptr<const CurrentInventory>> LoadCurrentInventory(
    Backend& backend, std::optional<Millis> clock, std::optional<std::string_view> org = {});

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

// A capability offered warm or with hardware present (the "warm orchestrator" rule of B5).
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
// Existing sessions with a session hour in [from_hour, to_hour], each once, by (org, key).
std::vector<const resolve::SessionFact*> SessionsTouching(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          Millis from_hour, Millis to_hour);

}  // namespace naap::api::route_util
