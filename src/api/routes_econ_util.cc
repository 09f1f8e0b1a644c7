#include "api/routes_econ_util.h"

#include <utility>

#include "base/decimal.h"

namespace naap::api::econ {

std::string WeiText(unsigned __int128 wei) { return FixedUint<2>::FromU128(wei).ToString(); }

void WriteNullableString(JsonWriter& w, std::string_view s) {
  if (s.empty()) {
    w.Null();
  } else {
    w.String(s);
  }
}

ParamSpec EnumParam(std::string name, std::vector<std::string> values, std::string description) {
  return {.name = std::move(name),
          .type = ParamType::kEnum,
          .enum_values = std::move(values),
          .description = std::move(description)};
}

std::optional<publish::TableQuery> WindowQuery(const RequestContext& ctx,
                                               std::vector<std::string> group_by,
                                               publish::TimeBucket bucket) {
  const HourRange hours = route_util::WindowHours(ctx);
  if (hours.empty()) return std::nullopt;
  return route_util::HourQuery(ctx, hours, std::move(group_by), bucket);
}

Result<Inventory> LoadInventory(const RequestContext& ctx, Backend& backend) {
  Inventory inventory;
  auto identities = route_util::LoadIdentities(backend, ctx.data_clock);
  if (!identities.ok()) return identities.status();
  inventory.identities = std::move(*identities);
  auto current = route_util::LoadCurrentInventory(backend, ctx.data_clock, ctx.Get("org"));
  if (!current.ok()) return current.status();
  inventory.current = std::move(*current);
  return inventory;
}

}  // namespace naap::api::econ
