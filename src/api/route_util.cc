#include "api/route_util.h"

#include <charconv>

#include <algorithm>
#include <functional>
#include <tuple>
#include <utility>

#include "api/read_cache.h"
#include "publish/tables_inventory.h"

namespace naap::api::route_util {

ParamSpec OrgParam(std::string description) {
  return {.name = "org", .type = ParamType::kOrg, .description = std::move(description)};
}

ParamSpec IdParam(std::string name, std::string description) {
  return {.name = std::move(name), .type = ParamType::kId, .description = std::move(description)};
}

ParamSpec AddressParam(std::string name, std::string description) {
  return {
      .name = std::move(name), .type = ParamType::kAddress, .description = std::move(description)};
}

ParamSpec TopParam(int64_t max, int64_t default_value, std::string description) {
  return {.name = "limit",
          .type = ParamType::kInt,
          .min = 1,
          .max = max,
          .default_int = default_value,
          .description = std::move(description)};
}

std::vector<ParamSpec> Params(std::initializer_list<std::vector<ParamSpec>> parts) {
  std::vector<ParamSpec> all;
  for (const std::vector<ParamSpec>& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
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

void WriteOptionalTime(JsonWriter& w, const std::optional<Millis>& t) {
  if (t) {
    WriteTime(w, *t);
  } else {
    w.Null();
  }
}

void WriteStrings(JsonWriter& w, const std::set<std::string>& values) {
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
}

void WriteWindowTimes(JsonWriter& w, const Window& window) {
  w.Key("start_time");
  WriteTime(w, window.start);
  w.Key("end_time");
  WriteTime(w, window.end);
}

std::string FloatText(double value) {
  JsonWriter w;
  w.Double(value);
  return w.Take();
}

std::optional<std::set<std::string>> OrgFilter(const RequestContext& ctx) {
  if (std::optional<std::string> org = ctx.Get("org")) return std::set<std::string>{*org};
  return std::nullopt;
}

std::optional<Millis> CursorLeadingTime(const RequestContext& ctx) {
  if (!ctx.after_key || ctx.after_key->empty()) return std::nullopt;
  const std::string& text = ctx.after_key->front();
  Millis ts = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), ts);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return ts;
}

HourRange WindowHours(const RequestContext& ctx) {
  if (!ctx.window) return {};
  return HoursOf(*ctx.window);
}

publish::TableQuery HourQuery(const RequestContext& ctx, const HourRange& hours,
                              std::vector<std::string> group_by, publish::TimeBucket bucket) {
  return {.from = hours.first,
          .to = hours.last_exclusive,
          .orgs = OrgFilter(ctx),
          .equals = {},
          .group_by = std::move(group_by),
          .bucket = bucket};
}

Reply HourlyListReply(std::vector<HourlyListRow> rows) {
  std::sort(rows.begin(), rows.end(), [](const HourlyListRow& a, const HourlyListRow& b) {
    if (a.window_start != b.window_start) return a.window_start > b.window_start;
    return a.grain < b.grain;
  });
  std::vector<ListRow> out;
  out.reserve(rows.size());
  for (HourlyListRow& row : rows) {
    std::vector<std::string> key = {std::to_string(row.window_start)};
    key.insert(key.end(), row.grain.begin(), row.grain.end());
    out.push_back({std::move(key), std::move(row.json)});
  }
  return Reply::List(std::move(out));
}

void BeginHourlyObject(JsonWriter& w, Millis window_start) {
  w.BeginObject();
  w.Key("window_start");
  WriteTime(w, window_start);
}

namespace {

// Appends `text` length-prefixed, so distinct field lists never give the same key.
void AppendKeyPart(std::string& key, std::string_view text) {
  key += std::to_string(text.size());
  key += ':';
  key += text;
}

}  // namespace

std::string OrgKey(const std::optional<std::string>& org) {
  return org ? "org:" + *org : std::string("*");
}

std::string TableQueryKey(const void* query_fn, const publish::TableQuery& q) {
  std::string key = "query/" + std::to_string(reinterpret_cast<uintptr_t>(query_fn)) + "/" +
                    std::to_string(q.from) + "/" + std::to_string(q.to) + "/bucket" +
                    std::to_string(static_cast<int>(q.bucket)) + "/orgs";
  if (q.orgs) {
    key += std::to_string(q.orgs->size());
    for (const std::string& org : *q.orgs) AppendKeyPart(key, org);
  } else {
    key += '*';
  }
  key += "/equals";
  for (const auto& [column, value] : q.equals) {
    AppendKeyPart(key, column);
    AppendKeyPart(key, value);
  }
  key += "/group";
  for (const std::string& column : q.group_by) AppendKeyPart(key, column);
  return key;
}

namespace {

Result<std::shared_ptr<const CurrentInventory>> ComputeCurrentInventory(
    Backend& backend, std::optional<Millis> clock, std::optional<std::string_view> org) {
  auto current = std::make_shared<CurrentInventory>();
  current->clock = clock;
  if (!clock) return std::shared_ptr<const CurrentInventory>(std::move(current));
  const publish::CurrentWindow window{*clock};
  Result<publish::ObservedInventory> observed =
      publish::LoadObservedInventory(backend.store(), window.first_hour(), window.last_hour(), org);
  if (!observed.ok()) return observed.status();
  current->observed = std::move(*observed);
  current->orchestrators = publish::BuildCurrentOrchestrators(current->observed, window);
  current->capabilities = publish::BuildCurrentCapabilities(current->observed, window);
  current->gpus = publish::BuildCurrentGpuInventory(current->observed.offers, window);
  current->prices = publish::BuildCurrentPrices(current->observed, window);
  return std::shared_ptr<const CurrentInventory>(std::move(current));
}

Result<std::shared_ptr<const Identities>> ComputeIdentities(Backend& backend,
                                                            std::optional<Millis> clock) {
  auto ids = std::make_shared<Identities>();
  ids->clock = clock;
  if (!clock) return std::shared_ptr<const Identities>(std::move(ids));
  std::vector<publish::ObservedOrchestratorRow> rows;
  Status scanned = backend.store().ScanSlices(
      publish::kObservedOrchestratorTable, HourFloor(*clock - backend.config().raw_retention_ms),
      HourFloor(*clock), [&](const store::Slice& slice) {
        Result<std::vector<publish::ObservedOrchestratorRow>> decoded =
            publish::DecodeInventoryRows<publish::ObservedOrchestratorRow>(slice.rows);
        if (!decoded.ok()) return decoded.status();
        for (auto& row : *decoded) rows.push_back(std::move(row));
        return Status::Ok();
      });
  NAAP_RETURN_IF_ERROR(scanned);
  ids->all = publish::BuildOrchestratorIdentities(rows);
  // The latest element per address by (last_seen, latest_event_id), as the views pick "latest".
  std::map<std::string, const publish::ObservedOrchestratorRow*> latest;
  for (const auto& row : rows) {
    const publish::ObservedOrchestratorRow*& best = latest[row.key.orch_address];
    if (!best || std::tie(best->sighting.last_seen, best->sighting.latest_event_id) <
                     std::tie(row.sighting.last_seen, row.sighting.latest_event_id)) {
      best = &row;
    }
  }
  for (const auto& [address, row] : latest)
    ids->raw_capabilities[address] = row->columns.raw_element;
  return std::shared_ptr<const Identities>(std::move(ids));
}

}  // namespace

Result<std::shared_ptr<const CurrentInventory>> LoadCurrentInventory(
    Backend& backend, std::optional<Millis> clock, std::optional<std::string_view> org) {
  if (!clock) return ComputeCurrentInventory(backend, clock, org);
  const std::string key = "current_inventory/" + std::to_string(*clock) + "/" +
                          (org ? "org:" + std::string(*org) : std::string("*"));
  return Memoized<CurrentInventory>(backend, key,
                                    [&] { return ComputeCurrentInventory(backend, clock, org); });
}

Result<std::shared_ptr<const publish::ObservedInventory>> LoadObservedHours(
    Backend& backend, Millis from_hour, Millis to_hour, const std::optional<std::string>& org) {
  using Observed = publish::ObservedInventory;
  const std::string key = "observed_inventory/" + std::to_string(from_hour) + "/" +
                          std::to_string(to_hour) + "/" + OrgKey(org);
  return Memoized<Observed>(backend, key, [&]() -> Result<std::shared_ptr<const Observed>> {
    Result<Observed> observed =
        publish::LoadObservedInventory(backend.store(), from_hour, to_hour,
                                       org ? std::optional<std::string_view>(*org) : std::nullopt);
    if (!observed.ok()) return observed.status();
    return std::make_shared<const Observed>(std::move(*observed));
  });
}

Result<std::shared_ptr<const Identities>> LoadIdentities(Backend& backend,
                                                         std::optional<Millis> clock) {
  if (!clock) return ComputeIdentities(backend, clock);
  const std::string key = "identities/" + std::to_string(*clock) + "/" +
                          std::to_string(backend.config().raw_retention_ms);
  return Memoized<Identities>(backend, key, [&] { return ComputeIdentities(backend, clock); });
}

const publish::OrchestratorIdentity* Identities::Find(std::string_view address) const {
  auto it = std::lower_bound(all.begin(), all.end(), address,
                             [](const publish::OrchestratorIdentity& id, std::string_view a) {
                               return id.orch_address < a;
                             });
  return it != all.end() && it->orch_address == address ? &*it : nullptr;
}

std::string Identities::NameOf(std::string_view address) const {
  const publish::OrchestratorIdentity* id = Find(address);
  return id ? id->name : std::string(address);
}

const std::string& Identities::RawCapabilitiesOf(const std::string& address) const {
  static const std::string kNone;
  auto it = raw_capabilities.find(address);
  return it == raw_capabilities.end() ? kNone : it->second;
}

bool Identities::IsActive(std::string_view address) const {
  const publish::OrchestratorIdentity* id = Find(address);
  return id && clock && id->last_seen >= *clock - publish::kActiveWithinMs;
}

bool IsWarmOffer(const publish::CurrentCapability& capability) {
  return capability.columns.warm.value_or(false) || capability.columns.hardware_present ||
         capability.from_worker;
}

std::vector<std::string> FactOrgs(const resolve::FactsView& facts,
                                  const std::optional<std::string>& org) {
  std::vector<std::string> orgs = facts.Orgs();
  if (org) std::erase_if(orgs, [&org](const std::string& o) { return o != *org; });
  return orgs;
}

std::vector<publish::ActiveStreamState> ActiveStreams(const resolve::FactsView& facts,
                                                      const std::vector<std::string>& orgs,
                                                      std::optional<Millis> clock, Millis within) {
  if (!clock) return {};
  std::vector<publish::ActiveStreamState> states =
      publish::BuildActiveStreamStates(facts, orgs, publish::CurrentWindow{*clock});
  std::erase_if(states,
                [&](const publish::ActiveStreamState& s) { return s.last_seen < *clock - within; });
  return states;
}

Result<std::shared_ptr<const std::vector<publish::ActiveStreamState>>> LoadActiveStreams(
    Backend& backend, std::optional<Millis> clock, const std::optional<std::string>& org,
    Millis within) {
  using States = std::vector<publish::ActiveStreamState>;
  auto compute = [&]() -> Result<std::shared_ptr<const States>> {
    auto states = std::make_shared<States>();
    NAAP_RETURN_IF_ERROR(backend.ReadFacts([&](const resolve::FactsView& facts) {
      *states = ActiveStreams(facts, FactOrgs(facts, org), clock, within);
      return Status::Ok();
    }));
    return std::shared_ptr<const States>(std::move(states));
  };
  if (!clock) return compute();
  const std::string key =
      "active_streams/" + std::to_string(*clock) + "/" + std::to_string(within) + "/" + OrgKey(org);
  return Memoized<States>(backend, key, compute);
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

}  // namespace naap::api::route_util
