#include "api/routes_net_util.h"

#include <algorithm>
#include <tuple>

#include "base/strings.h"
#include "event/decoder.h"
#include "ingest/raw_log.h"
#include "publish/tables_inventory.h"

namespace naap::api::net {

void WriteOptionalDouble(JsonWriter& w, const std::optional<double>& v) {
  if (v) {
    w.Double(*v);
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

void WriteWindowTimes(JsonWriter& w, const Window& window) {
  w.Key("start_time");
  WriteTime(w, window.start);
  w.Key("end_time");
  WriteTime(w, window.end);
}

void WriteStringArray(JsonWriter& w, const std::set<std::string>& values) {
  w.BeginArray();
  for (const std::string& v : values) w.String(v);
  w.EndArray();
}

void WriteCounts(JsonWriter& w, const std::map<std::string, int64_t>& counts) {
  w.BeginObject();
  for (const auto& [key, count] : counts) w.Key(key).Int(count);
  w.EndObject();
}

std::optional<std::set<std::string>> OrgRestriction(const RequestContext& ctx) {
  if (auto org = ctx.Get("org")) return std::set<std::string>{*org};
  return std::nullopt;
}

std::vector<std::string> OrgsToRead(const RequestContext& ctx, const resolve::FactsView& facts) {
  if (auto org = ctx.Get("org")) return {*org};
  return facts.Orgs();
}

publish::TableQuery HourQuery(const RequestContext& ctx, const HourRange& hours) {
  publish::TableQuery q;
  q.from = hours.first;
  q.to = hours.last_exclusive;
  q.orgs = OrgRestriction(ctx);
  return q;
}

Result<CurrentInventory> LoadCurrentInventory(Backend& backend, std::optional<Millis> clock,
                                              std::optional<std::string_view> org) {
  CurrentInventory current;
  current.clock = clock;
  if (!clock) return current;
  const publish::CurrentWindow window{*clock};
  Result<publish::ObservedInventory> inventory =
      publish::LoadObservedInventory(backend.store(), window.first_hour(), window.last_hour(), org);
  if (!inventory.ok()) return inventory.status();
  current.orchestrators = publish::BuildCurrentOrchestrators(*inventory, window);
  current.capabilities = publish::BuildCurrentCapabilities(*inventory, window);
  current.gpus = publish::BuildCurrentGpuInventory(inventory->offers, window);
  return current;
}

std::string Identities::NameOf(const std::string& address) const {
  auto it = by_address.find(address);
  return it == by_address.end() ? address : it->second.name;
}

Result<Identities> LoadIdentities(Backend& backend, std::optional<Millis> clock) {
  Identities ids;
  if (!clock) return ids;
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
  for (publish::OrchestratorIdentity& id : publish::BuildOrchestratorIdentities(rows)) {
    std::string address = id.orch_address;
    ids.by_address.emplace(std::move(address), std::move(id));
  }
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
    ids.raw_capabilities[address] = row->columns.raw_element;
  return ids;
}

bool IsWarmOffer(const publish::CurrentCapability& capability) {
  return capability.columns.warm.value_or(false) || capability.columns.hardware_present;
}

std::vector<publish::ActiveStreamState> ActiveStreams(const resolve::FactsView& facts,
                                                      const std::vector<std::string>& orgs,
                                                      std::optional<Millis> clock) {
  std::vector<publish::ActiveStreamState> active;
  if (!clock) return active;
  for (publish::ActiveStreamState& state :
       publish::BuildActiveStreamStates(facts, orgs, publish::CurrentWindow{*clock})) {
    if (state.last_seen >= *clock - kActiveStreamWithinMs && !state.stream_id.empty()) {
      active.push_back(std::move(state));
    }
  }
  return active;
}

bool JoinedSample::is_attributed() const {
  return session && (session->attribution.status == "resolved" ||
                     session->attribution.status == "hardware_less");
}

const std::string& JoinedSample::attribution_status() const {
  static const std::string kUnresolved = "unresolved";
  return session ? session->attribution.status : kUnresolved;
}

namespace {

const resolve::SessionFact* FindSession(const resolve::FactsView& facts, const std::string& org,
                                        const std::string& session_key, Millis hour) {
  for (const resolve::SessionFact* session : facts.SessionsAt(org, hour)) {
    if (session->exists && session->session_key == session_key) return session;
  }
  return nullptr;
}

}  // namespace

Result<std::vector<JoinedSample>> ScanStatusSamples(
    Backend& backend, const resolve::FactsView& facts,
    const std::optional<std::set<std::string>>& orgs, Millis from, Millis to,
    std::optional<std::string_view> session_key) {
  std::vector<JoinedSample> samples;
  if (from >= to) return samples;
  event::Decoder decoder;
  // Sessions found per (org, key, hour) so each SessionsAt is read once per hour.
  std::map<std::tuple<std::string, std::string, Millis>, const resolve::SessionFact*> sessions;
  Status scanned = ingest::ScanRawLog(
      backend.store(), HourFloor(from), HourFloor(to - 1), [&](const ingest::RawEntry& entry) {
        if (entry.family != "ai_stream_status" || !entry.ignore_reason.empty()) return Status::Ok();
        if (entry.event_ts < from || entry.event_ts >= to) return Status::Ok();
        if (orgs && !orgs->count(entry.org)) return Status::Ok();
        event::DecodeInput input;
        input.bytes = entry.envelope;
        input.org_override = entry.org;
        input.ingest_ms = entry.ingest_ms;
        const event::Decoded& decoded = decoder.Decode(input);
        if (decoded.cls != event::MessageClass::kAccepted) return Status::Ok();
        for (const event::StatusSample& sample : decoded.records.status_samples) {
          const std::string& key = sample.key.session_key;
          if (key.empty() || (session_key && key != *session_key)) continue;
          const Millis hour = HourFloor(decoded.event_ts);
          auto [it, inserted] = sessions.try_emplace({entry.org, key, hour}, nullptr);
          if (inserted) it->second = FindSession(facts, entry.org, key, hour);
          samples.push_back({.org = entry.org,
                             .event_id = decoded.event_id,
                             .gateway = ToLower(decoded.gateway),
                             .sample_ts = decoded.event_ts,
                             .sample = sample,
                             .session = it->second});
        }
        return Status::Ok();
      });
  NAAP_RETURN_IF_ERROR(scanned);
  return samples;
}

std::string SampleJson(const JoinedSample& s) {
  static const std::string kEmpty;
  const resolve::SessionFact* session = s.session;
  JsonWriter w;
  w.BeginObject();
  w.Key("sample_ts");
  WriteTime(w, s.sample_ts);
  w.Key("event_id").String(s.event_id);
  w.Key("org").String(s.org);
  w.Key("stream_id").String(s.sample.key.stream_id);
  w.Key("request_id").String(s.sample.key.request_id);
  w.Key("gateway").String(s.gateway);
  w.Key("orch_address").String(session ? session->orchestrator_address : kEmpty);
  w.Key("pipeline").String(session ? session->pipeline_id : s.sample.pipeline);
  w.Key("model_id").String(session ? session->model_id : s.sample.model);
  w.Key("state").String(s.sample.state);
  w.Key("output_fps");
  WriteOptionalDouble(w, s.sample.output_fps);
  w.Key("input_fps");
  WriteOptionalDouble(w, s.sample.input_fps);
  w.Key("e2e_latency_ms");
  WriteOptionalDouble(w, s.sample.e2e_latency_ms);
  w.Key("is_attributed").Bool(s.is_attributed());
  w.EndObject();
  return w.Take();
}

std::vector<const resolve::SessionFact*> SessionsOfStream(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          std::string_view stream_id,
                                                          Millis from_hour, Millis to_hour) {
  std::map<std::pair<std::string, std::string>, const resolve::SessionFact*> found;
  for (const std::string& org : orgs) {
    for (Millis hour = from_hour; hour <= to_hour; hour += kHourMs) {
      for (const resolve::SessionFact* session : facts.SessionsAt(org, hour)) {
        if (session->exists && session->stream_id == stream_id) {
          found.emplace(std::make_pair(session->org, session->session_key), session);
        }
      }
    }
  }
  std::vector<const resolve::SessionFact*> sessions;
  for (const auto& [key, session] : found) sessions.push_back(session);
  return sessions;
}

}  // namespace naap::api::net
