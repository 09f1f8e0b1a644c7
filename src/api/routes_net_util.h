#pragma once
// Shared reads and JSON pieces of the network routes B1–B20 (spec/api.md §3.1–§3.3).
//  - "Current" figures (24 h inventory, active streams) are measured back from the data clock;
//    without a data clock nothing is current and every loader returns empty sets.
//  - Status samples (`api_fact_status_sample`) are the ai_stream_status records of the raw event
//    log, decoded as at ingest and joined at read with their session fact (spec/analytics.md §2.4).
//  - Windowed hourly reads select the hours of HoursOf(window); an empty hour range reads nothing.
#include <cstdint>
#include <map>
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

namespace naap::api::net {

// ---- JSON ----

void WriteOptionalDouble(JsonWriter& w, const std::optional<double>& v);
void WriteTime(JsonWriter& w, Millis t);
void WriteOptionalTime(JsonWriter& w, const std::optional<Millis>& t);
// `start_time` and `end_time` of a windowed object.
void WriteWindowTimes(JsonWriter& w, const Window& window);
void WriteStringArray(JsonWriter& w, const std::set<std::string>& values);
// An object mapping each key (byte order) to its count.
void WriteCounts(JsonWriter& w, const std::map<std::string, int64_t>& counts);

// ---- parameters ----

// The `org` parameter as a query restriction (nullopt: every org).
std::optional<std::set<std::string>> OrgRestriction(const RequestContext& ctx);
// The orgs whose facts a request reads: the `org` parameter, else every org holding facts.
std::vector<std::string> OrgsToRead(const RequestContext& ctx, const resolve::FactsView& facts);
// A TableQuery over `hours` with the org restriction of ctx; hours must not be empty.
publish::TableQuery HourQuery(const RequestContext& ctx, const HourRange& hours);

// ---- inventory ----

// The current (24 h) inventory views at the data clock, over `org`'s rows (every org when unset).
struct CurrentInventory {
  std::optional<Millis> clock;
  std::vector<publish::CurrentOrchestrator> orchestrators;
  std::vector<publish::CurrentCapability> capabilities;
  std::vector<publish::CurrentGpu> gpus;
};
Result<CurrentInventory> LoadCurrentInventory(Backend& backend, std::optional<Millis> clock,
                                              std::optional<std::string_view> org);

// api_orchestrator_identity: every orchestrator row of the retained hours (retention measured back
// from the data clock), with the latest raw snapshot element of each address.
struct Identities {
  std::map<std::string, publish::OrchestratorIdentity> by_address;
  std::map<std::string, std::string> raw_capabilities;
  // The orchestrator name (§1.8): the identity's name, else the address itself.
  std::string NameOf(const std::string& address) const;
};
Result<Identities> LoadIdentities(Backend& backend, std::optional<Millis> clock);

// A capability offered warm or with hardware present (B5, B7, B19, B20 warm counts).
bool IsWarmOffer(const publish::CurrentCapability& capability);

// ---- facts ----

// Streams now (B6, B7): current active stream states of `orgs` with last_seen ≥ clock − 120 s and
// a non-empty stream id.
inline constexpr Millis kActiveStreamWithinMs = 120'000;
std::vector<publish::ActiveStreamState> ActiveStreams(const resolve::FactsView& facts,
                                                      const std::vector<std::string>& orgs,
                                                      std::optional<Millis> clock);

// One status sample joined with its session (null when the session fact is missing).
struct JoinedSample {
  std::string org, event_id, gateway;
  Millis sample_ts = 0;
  event::StatusSample sample;
  const resolve::SessionFact* session = nullptr;
  bool is_attributed() const;
  const std::string& attribution_status() const;  // "unresolved" without a session
};
// Every status sample with a session key whose event time lies in [from, to), of `orgs` (every
// org when unset), in raw-log order; `session_key`, when given, keeps only that session's.
Result<std::vector<JoinedSample>> ScanStatusSamples(
    Backend& backend, const resolve::FactsView& facts,
    const std::optional<std::set<std::string>>& orgs, Millis from, Millis to,
    std::optional<std::string_view> session_key = {});
// The B10 row of a sample.
std::string SampleJson(const JoinedSample& s);

// Existing sessions of `orgs` with this stream id over the retained hours, each once.
std::vector<const resolve::SessionFact*> SessionsOfStream(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          std::string_view stream_id,
                                                          Millis from_hour, Millis to_hour);

}  // namespace naap::api::net
