#pragma once
// Helpers of the group B economics routes only (routes_economics.cc, B21–B45; the helpers every
// group shares are in route_util.h): wei text, nullable grain strings, the window's optional
// hourly query (read through route_util::CachedQuery), the identities and current offers around the
// data clock.
//  - Every helper is a pure function of the store and facts for a given request context.
//  - Empty windows (no hour bucket selected) give empty results, never an error.
#include <cstdint>
#include <memory>
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
#include "publish/query.h"
#include "publish/views.h"

namespace naap::api::econ {

// ---- JSON values (§1.3) ----

// Exact decimal text of a wei amount (the full 128-bit range).
std::string WeiText(unsigned __int128 wei);
// "" is written as null (group B grain strings of the sla/demand/gpu rows).
void WriteNullableString(JsonWriter& w, std::string_view s);

// ---- parameters ----

ParamSpec EnumParam(std::string name, std::vector<std::string> values, std::string description);

// ---- hourly tables ----

// A query over the window's hour buckets with the org filter; nullopt when no bucket is selected.
std::optional<publish::TableQuery> WindowQuery(const RequestContext& ctx,
                                               std::vector<std::string> group_by,
                                               publish::TimeBucket bucket);
// ---- inventory around the data clock ----

struct Inventory {
  std::shared_ptr<const route_util::Identities> identities;     // over retention, every org
  std::shared_ptr<const route_util::CurrentInventory> current;  // `org` only when given
};
Result<Inventory> LoadInventory(const RequestContext& ctx, Backend& backend);

}  // namespace naap::api::econ
