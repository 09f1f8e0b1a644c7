#pragma once
// Helpers of the group A handlers only (spec/api.md §2; the helpers every group shares are in
// route_util.h): bare routes, window/list parameter lists, fixed look-backs and the request-job
// summary block.
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
#include "api/route_util.h"
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

// ---- routes and parameters ----

// A bare group A route (RouteSpec::bare): the handler's JSON is the whole body.
RouteSpec Bare(std::string id, std::string pattern, std::string summary, Handler handler,
               std::vector<ParamSpec> params = {}, std::optional<WindowSpec> window = {});
// `head`, then WindowParams(), then `tail`.
std::vector<ParamSpec> WithWindow(std::vector<ParamSpec> head, std::vector<ParamSpec> tail);
// `params` followed by ListParams().
std::vector<ParamSpec> WithList(std::vector<ParamSpec> params);

// ---- look-backs ----

// Hours h with clock − width < h ≤ clock.
HourRange LookBackHours(Millis clock, Millis width);
// True when a sighting [first_seen, last_seen] overlaps [start, end).
bool SeenIn(Millis first_seen, Millis last_seen, Millis start, Millis end);

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
