#include "api/routes_net_util.h"

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

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

// The existing sessions of one org at one session hour, by session key.
using SessionIndex = std::unordered_map<std::string_view, const resolve::SessionFact*>;
SessionIndex IndexSessions(const resolve::FactsView& facts, const std::string& org, Millis hour) {
  SessionIndex index;
  for (const resolve::SessionFact* session : facts.SessionsAt(org, hour)) {
    if (session->exists) index.emplace(session->session_key, session);
  }
  return index;
}

// An accepted ai_stream_status sample with a session key, before the join with its session.
struct DecodedSample {
  std::string org, event_id, gateway;
  Millis entry_ts = 0;  // the raw-log entry's event time, which the window filter reads
  Millis sample_ts = 0;
  event::StatusSample sample;
};
// One raw-log hour's samples in raw-log order, and their indices in B10's keyset order.
struct DecodedHour {
  std::vector<DecodedSample> samples;
  std::vector<uint32_t> newest_first;  // sample_ts DESC, (org, event_id) ASC, then raw-log order
  size_t string_bytes = 0;             // held by the samples' strings outside the structs
  size_t approx_bytes() const {        // ReadCache budget
    return samples.capacity() * sizeof(DecodedSample) + newest_first.capacity() * sizeof(uint32_t) +
           string_bytes;
  }
};

// Bytes a string holds outside itself (none while short enough to sit inside).
size_t OutOfLineBytes(const std::string& s) {
  static const size_t kInline = std::string().capacity();
  return s.capacity() > kInline ? s.capacity() + 1 : 0;
}

size_t OutOfLineBytes(const DecodedSample& s) {
  const event::StatusSample& x = s.sample;
  size_t n = 0;
  for (const std::string* text :
       {&s.org, &s.event_id, &s.gateway, &x.key.stream_id, &x.key.request_id, &x.key.session_key,
        &x.raw_pipeline_hint, &x.pipeline_id, &x.pipeline, &x.model, &x.state, &x.last_error,
        &x.orch.orch_reported_address, &x.orch.orch_url, &x.orch.orch_url_norm}) {
    n += OutOfLineBytes(*text);
  }
  return n;
}

// Every org's samples of the raw-log hour `hour`.
Result<std::shared_ptr<const DecodedHour>> DecodeHour(Backend& backend, Millis hour) {
  auto decoded_hour = std::make_shared<DecodedHour>();
  std::vector<DecodedSample>& samples = decoded_hour->samples;
  event::Decoder decoder;
  NAAP_RETURN_IF_ERROR(
      ingest::ScanRawLog(backend.store(), hour, hour, [&](const ingest::RawEntry& entry) {
        if (entry.family != "ai_stream_status" || !entry.ReachesFacts(false)) return Status::Ok();
        event::DecodeInput input;
        input.bytes = entry.envelope;
        input.org_override = entry.org;
        input.ingest_ms = entry.ingest_ms;
        const event::Decoded& decoded = decoder.Decode(input);
        if (decoded.cls != event::MessageClass::kAccepted) return Status::Ok();
        for (const event::StatusSample& sample : decoded.records.status_samples) {
          if (sample.key.session_key.empty()) continue;
          samples.push_back({.org = std::string(entry.org),
                             .event_id = decoded.event_id,
                             .gateway = ToLower(decoded.gateway),
                             .entry_ts = entry.event_ts,
                             .sample_ts = decoded.event_ts,
                             .sample = sample});
        }
        return Status::Ok();
      }));
  for (const DecodedSample& s : samples) decoded_hour->string_bytes += OutOfLineBytes(s);
  std::vector<uint32_t>& order = decoded_hour->newest_first;
  order.resize(samples.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&samples](uint32_t i, uint32_t j) {
    const DecodedSample &a = samples[i], &b = samples[j];
    if (a.sample_ts != b.sample_ts) return a.sample_ts > b.sample_ts;
    return std::tie(a.org, a.event_id) < std::tie(b.org, b.event_id);
  });
  return std::shared_ptr<const DecodedHour>(std::move(decoded_hour));
}

Result<std::shared_ptr<const DecodedHour>> ReadDecodedHour(Backend& backend, Millis hour) {
  return route_util::Memoized<DecodedHour>(
      backend, "status_samples/" + std::to_string(hour), [&] { return DecodeHour(backend, hour); });
}

// Joins decoded samples with their sessions: each (org, session hour)'s sessions are read and
// indexed once per joiner.
class SampleJoiner {
 public:
  SampleJoiner(const resolve::FactsView& facts, const SampleFilter& filter)
      : facts_(facts), filter_(filter) {}

  // The sample joined with its session; nullopt when `filter` leaves it out.
  std::optional<JoinedSample> Join(const DecodedSample& s) {
    if (s.entry_ts < filter_.from || s.entry_ts >= filter_.to) return std::nullopt;
    if (filter_.orgs && !filter_.orgs->count(s.org)) return std::nullopt;
    const std::string& key = s.sample.key.session_key;
    if (filter_.session_key && key != *filter_.session_key) return std::nullopt;
    const Millis sample_hour = HourFloor(s.sample_ts);
    auto [it, inserted] = sessions_.try_emplace({s.org, sample_hour});
    if (inserted) it->second = IndexSessions(facts_, s.org, sample_hour);
    const auto found = it->second.find(key);
    return JoinedSample{.org = s.org,
                        .event_id = s.event_id,
                        .gateway = s.gateway,
                        .sample_ts = s.sample_ts,
                        .sample = s.sample,
                        .session = found == it->second.end() ? nullptr : found->second};
  }

 private:
  const resolve::FactsView& facts_;
  const SampleFilter& filter_;
  std::map<std::pair<std::string, Millis>, SessionIndex> sessions_;
};

}  // namespace

Status AppendHourSamples(Backend& backend, const resolve::FactsView& facts,
                         const SampleFilter& filter, Millis hour, std::vector<JoinedSample>& out) {
  auto decoded = ReadDecodedHour(backend, hour);
  NAAP_RETURN_IF_ERROR(decoded.status());
  SampleJoiner joiner(facts, filter);
  for (const DecodedSample& s : (*decoded)->samples) {
    if (std::optional<JoinedSample> joined = joiner.Join(s)) out.push_back(std::move(*joined));
  }
  return Status::Ok();
}

Status VisitHourSamplesNewestFirst(Backend& backend, const resolve::FactsView& facts,
                                   const SampleFilter& filter, Millis hour,
                                   const std::function<bool(JoinedSample)>& visit) {
  auto decoded = ReadDecodedHour(backend, hour);
  NAAP_RETURN_IF_ERROR(decoded.status());
  SampleJoiner joiner(facts, filter);
  for (const uint32_t i : (*decoded)->newest_first) {
    std::optional<JoinedSample> joined = joiner.Join((*decoded)->samples[i]);
    if (joined && !visit(std::move(*joined))) break;
  }
  return Status::Ok();
}

Result<std::vector<JoinedSample>> ScanStatusSamples(Backend& backend,
                                                    const resolve::FactsView& facts,
                                                    const SampleFilter& filter) {
  std::vector<JoinedSample> samples;
  if (filter.from >= filter.to) return samples;
  for (Millis hour = HourFloor(filter.from); hour <= HourFloor(filter.to - 1); hour += kHourMs) {
    NAAP_RETURN_IF_ERROR(AppendHourSamples(backend, facts, filter, hour, samples));
  }
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
