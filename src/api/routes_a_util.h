#pragma once
// Helpers shared by the group A handlers (spec/api.md §2): parameter declarations, JSON values
// with the §1.3 null rules, the hour ranges a window or a fixed look-back selects, the current
// (data-clock) inventory and active streams, and the request-job summary block.
//  - Fixed look-backs are measured back from the data clock (§1.5.4): a look-back of width W at
//    clock c selects hourly rows whose window_start h satisfies c − W < h ≤ c, and sightings whose
//    time t satisfies c − W < t ≤ c (the CurrentWindow rule of publish/views.h).
//  - Without a data clock (nothing held) every current-state figure is empty.
#include <cstdint>
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
#include "publish/formulas.h"
#include "publish/query.h"
#include "publish/views.h"

namespace naap::api::routes_a {

inline constexpr char kLiveVideoToVideo[] = "live-video-to-video";
inline constexpr char kBuiltinFamily[] = "builtin";
inline constexpr char kByocFamily[] = "byoc";

// ---- parameter declarations ----

ParamSpec OrgParam();
ParamSpec IdParam(std::string name, std::string description);
ParamSpec AddressParam(std::string name);
// kInt 1..max with a default, not a list route's page size (a top-N size).
ParamSpec TopParam(int64_t max, int64_t default_value, std::string description);
// `head`, then WindowParams(), then `tail`.
std::vector<ParamSpec> WithWindow(std::vector<ParamSpec> head, std::vector<ParamSpec> tail);
// `params` followed by ListParams().
std::vector<ParamSpec> WithList(std::vector<ParamSpec> params);
// The §1.6 keyset of a route, from "name" (ASC) / "-name" (DESC) of the given kind.
KeyColumn Key(std::string_view name, KeyKind kind = KeyKind::kString);

// ---- JSON ----

void WriteOptional(JsonWriter& w, const std::optional<double>& v);
void WriteOptional(JsonWriter& w, const std::optional<int64_t>& v);
void WriteOptional(JsonWriter& w, const std::optional<bool>& v);
void WriteTime(JsonWriter& w, Millis t);
void WriteStrings(JsonWriter& w, const std::set<std::string>& values);
// The §1.6 cursor text of a float key.
std::string FloatKey(double v);

// ---- windows and look-backs ----

// The org filter of `org` when given.
std::optional<std::set<std::string>> OrgFilter(const RequestContext& ctx);
// The hours of the resolved window; empty when the route has none.
HourRange WindowHours(const RequestContext& ctx);
// Hours h with clock − width < h ≤ clock.
HourRange LookBackHours(Millis clock, Millis width);
// A TableQuery over `hours` (which must not be empty) for the orgs of `ctx`'s org filter.
publish::TableQuery HourQuery(const HourRange& hours, const RequestContext& ctx);
// True when a sighting [first_seen, last_seen] overlaps [start, end).
bool SeenIn(Millis first_seen, Millis last_seen, Millis start, Millis end);

// ---- current state (data clock) ----

// The observed-inventory rows of the hours overlapping (clock − width, clock] (of `org` when
// given).
Result<publish::ObservedInventory> LoadRecentInventory(Backend& backend, Millis clock, Millis width,
                                                       std::optional<std::string_view> org = {});
// Sessions not completed with last_seen in (clock − 24 h, clock] and last_seen ≥ clock −
// within, of `org` when given, else of every org.
Result<std::vector<publish::ActiveStreamState>> RecentActiveStreams(
    Backend& backend, Millis clock, Millis within, std::optional<std::string_view> org = {});

// ---- request jobs ----

// total_jobs, selected_jobs, no_orch_jobs, success_rate, avg_duration_ms (A1, A2, A15, A18).
void WriteJobSummaryFields(JsonWriter& w, const publish::RequestDemandSums& sums);
// Request-demand sums over `ctx`'s window grouped by capability_name for one capability family,
// without the empty name (and without `exclude`); sorted total_jobs DESC, then name.
Result<std::vector<std::pair<std::string, publish::RequestDemandSums>>> JobsByCapability(
    Backend& backend, const RequestContext& ctx, std::string_view family,
    std::string_view exclude = "");
// `[{<name_key>: name, …summary}]` of JobsByCapability.
std::string JobSummaryArray(
    const std::vector<std::pair<std::string, publish::RequestDemandSums>>& rows,
    std::string_view name_key);

}  // namespace naap::api::routes_a
