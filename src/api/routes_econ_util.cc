#include "api/routes_econ_util.h"

#include <algorithm>
#include <utility>

#include "base/decimal.h"

namespace naap::api::econ {

std::string WeiText(unsigned __int128 wei) { return FixedUint<2>::FromU128(wei).ToString(); }

std::string FloatText(double value) {
  JsonWriter w;
  w.Double(value);
  return w.Take();
}

void WriteOptionalDouble(JsonWriter& w, std::optional<double> value) {
  if (value) {
    w.Double(*value);
  } else {
    w.Null();
  }
}

void WriteTime(JsonWriter& w, Millis t) { w.String(FormatRfc3339Ms(t)); }

void WriteOptionalTime(JsonWriter& w, std::optional<Millis> t) {
  if (t) {
    WriteTime(w, *t);
  } else {
    w.Null();
  }
}

void WriteNullableString(JsonWriter& w, std::string_view s) {
  if (s.empty()) {
    w.Null();
  } else {
    w.String(s);
  }
}

namespace {

ParamSpec TypedParam(std::string name, ParamType type, std::string description) {
  ParamSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.description = std::move(description);
  return spec;
}

}  // namespace

ParamSpec OrgParam() { return TypedParam("org", ParamType::kOrg, "restrict to one org"); }

ParamSpec IdParam(std::string name, std::string description) {
  return TypedParam(std::move(name), ParamType::kId, std::move(description));
}

ParamSpec AddressParam(std::string name, std::string description) {
  return TypedParam(std::move(name), ParamType::kAddress, std::move(description));
}

ParamSpec EnumParam(std::string name, std::vector<std::string> values, std::string description) {
  ParamSpec spec = TypedParam(std::move(name), ParamType::kEnum, std::move(description));
  spec.enum_values = std::move(values);
  return spec;
}

std::vector<ParamSpec> Params(std::initializer_list<std::vector<ParamSpec>> parts) {
  std::vector<ParamSpec> all;
  for (const std::vector<ParamSpec>& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::optional<std::set<std::string>> OrgSet(const RequestContext& ctx) {
  if (auto org = ctx.Get("org")) return std::set<std::string>{*org};
  return std::nullopt;
}

std::string ParamOr(const RequestContext& ctx, std::string_view name) {
  return ctx.Get(name).value_or("");
}

std::vector<Millis> WindowHours(const RequestContext& ctx) {
  std::vector<Millis> hours;
  if (!ctx.window) return hours;
  const HourRange range = HoursOf(*ctx.window);
  for (Millis h = range.first; h < range.last_exclusive; h += kHourMs) hours.push_back(h);
  return hours;
}

std::optional<publish::TableQuery> WindowQuery(const RequestContext& ctx,
                                               std::vector<std::string> group_by,
                                               publish::TimeBucket bucket) {
  if (!ctx.window) return std::nullopt;
  const HourRange range = HoursOf(*ctx.window);
  if (range.empty()) return std::nullopt;
  return publish::TableQuery{.from = range.first,
                             .to = range.last_exclusive,
                             .orgs = OrgSet(ctx),
                             .equals = {},
                             .group_by = std::move(group_by),
                             .bucket = bucket};
}

publish::TableQuery HoursQuery(const RequestContext& ctx, Millis from_hour, Millis to_hour,
                               std::vector<std::string> group_by) {
  return publish::TableQuery{.from = from_hour,
                             .to = to_hour + kHourMs,
                             .orgs = OrgSet(ctx),
                             .equals = {},
                             .group_by = std::move(group_by)};
}

const publish::OrchestratorIdentity* Inventory::Find(std::string_view address) const {
  auto it = std::lower_bound(identities.begin(), identities.end(), address,
                             [](const publish::OrchestratorIdentity& id, std::string_view a) {
                               return id.orch_address < a;
                             });
  return it != identities.end() && it->orch_address == address ? &*it : nullptr;
}

std::string Inventory::NameOf(std::string_view address) const {
  const publish::OrchestratorIdentity* id = Find(address);
  return id ? id->name : std::string(address);
}

bool Inventory::IsActive(std::string_view address) const {
  const publish::OrchestratorIdentity* id = Find(address);
  return id && clock && id->last_seen >= *clock - publish::kActiveWithinMs;
}

Result<Inventory> LoadInventory(const RequestContext& ctx, Backend& backend) {
  Inventory inventory;
  inventory.clock = ctx.data_clock;
  if (!inventory.clock) return inventory;
  const Millis clock = *inventory.clock;
  Result<publish::ObservedInventory> observed = publish::LoadObservedInventory(
      backend.store(), HourFloor(clock - backend.config().raw_retention_ms), HourFloor(clock));
  if (!observed.ok()) return observed.status();
  inventory.identities = publish::BuildOrchestratorIdentities(observed->orchestrators);
  if (auto org = ctx.Get("org")) {
    auto other_org = [&org](const auto& row) { return row.org != *org; };
    std::erase_if(observed->orchestrators, other_org);
    std::erase_if(observed->offers, other_org);
    std::erase_if(observed->pricing, other_org);
    std::erase_if(observed->workers, other_org);
  }
  inventory.capabilities =
      publish::BuildCurrentCapabilities(*observed, publish::CurrentWindow{clock});
  return inventory;
}

bool IsWarmOffer(const publish::CurrentCapability& capability) {
  return capability.columns.warm.value_or(false) || capability.columns.hardware_present;
}

std::vector<std::string> FactOrgs(const resolve::FactsView& facts, const RequestContext& ctx) {
  std::vector<std::string> orgs = facts.Orgs();
  if (auto org = ctx.Get("org"))
    std::erase_if(orgs, [&org](const std::string& o) { return o != *org; });
  return orgs;
}

std::vector<const resolve::SessionFact*> SessionsTouching(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          Millis from_hour, Millis to_hour) {
  std::map<std::pair<std::string, std::string>, const resolve::SessionFact*> unique;
  for (const std::string& org : orgs) {
    for (Millis hour = from_hour; hour <= to_hour; hour += kHourMs) {
      for (const resolve::SessionFact* session : facts.SessionsAt(org, hour)) {
        if (session->exists) unique.emplace(std::pair(session->org, session->session_key), session);
      }
    }
  }
  std::vector<const resolve::SessionFact*> out;
  out.reserve(unique.size());
  for (const auto& [key, session] : unique) out.push_back(session);
  return out;
}

std::vector<const resolve::SessionFact*> SessionsStartedIn(const resolve::FactsView& facts,
                                                           const std::vector<std::string>& orgs,
                                                           const Window& window) {
  if (window.start >= window.end) return {};
  std::vector<const resolve::SessionFact*> sessions =
      SessionsTouching(facts, orgs, HourFloor(window.start), HourFloor(window.end - 1));
  std::erase_if(sessions, [&window](const resolve::SessionFact* s) {
    return s->session_start < window.start || s->session_start >= window.end;
  });
  return sessions;
}

std::vector<publish::ActiveStreamState> ActiveSessions(const resolve::FactsView& facts,
                                                       const std::vector<std::string>& orgs,
                                                       std::optional<Millis> clock) {
  if (!clock) return {};
  std::vector<publish::ActiveStreamState> states =
      publish::BuildActiveStreamStates(facts, orgs, publish::CurrentWindow{*clock});
  std::erase_if(states, [&clock](const publish::ActiveStreamState& s) {
    return s.last_seen < *clock - kActiveStreamMs;
  });
  return states;
}

}  // namespace naap::api::econ
