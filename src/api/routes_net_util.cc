#include "api/routes_net_util.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "api/route_util.h"
#include "base/json_writer.h"
#include "base/strings.h"
#include "event/decoder.h"
#include "ingest/raw_log.h"

namespace naap::api::net {

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
  route_util::WriteTime(w, s.sample_ts);
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
  route_util::WriteOptional(w, s.sample.output_fps);
  w.Key("input_fps");
  route_util::WriteOptional(w, s.sample.input_fps);
  w.Key("e2e_latency_ms");
  route_util::WriteOptional(w, s.sample.e2e_latency_ms);
  w.Key("is_attributed").Bool(s.is_attributed());
  w.EndObject();
  return w.Take();
}

std::vector<const resolve::SessionFact*> SessionsOfStream(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          std::string_view stream_id,
                                                          Millis from_hour, Millis to_hour) {
  std::vector<const resolve::SessionFact*> sessions =
      route_util::SessionsTouching(facts, orgs, from_hour, to_hour);
  std::erase_if(sessions,
                [stream_id](const resolve::SessionFact* s) { return s->stream_id != stream_id; });
  return sessions;
}

}  // namespace naap::api::net
