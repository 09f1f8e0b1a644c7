#pragma once
// Test helpers for BuildSession: record builders and a fake Matcher that answers by observed URL
// (else address) and time.
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "resolve/session.h"

namespace naap::resolve::testing {

// 2026-03-10 at h:m:s.ms UTC.
inline Millis At(int h, int m, int s, int ms = 0) {
  return DaysFromCivil(2026, 3, 10) * kDayMs + h * kHourMs + m * 60'000 + s * 1000 + ms;
}

inline event::OrchInfo Orch(std::string local_address, std::string url) {
  return {std::move(local_address), url, url};
}

// Appends records of one session key; every builder returns the record for further tweaks.
class SessionBuilder {
 public:
  explicit SessionBuilder(std::string org) : org_(std::move(org)) {}

  event::StreamTrace& Trace(std::string id, Millis ts, std::string type,
                            event::OrchInfo orch = {}) {
    auto& t = records_.traces.emplace_back();
    t.header = Header(std::move(id), ts, "stream_trace", std::move(type));
    t.record.orch = std::move(orch);
    return t.record;
  }
  event::StatusSample& Status(std::string id, Millis ts, std::string state,
                              std::optional<double> output_fps, event::OrchInfo orch = {}) {
    auto& s = records_.status_samples.emplace_back();
    s.header = Header(std::move(id), ts, "ai_stream_status", "status");
    s.record.state = state;
    s.record.is_running =
        state == "ONLINE" || state == "DEGRADED_INPUT" || state == "DEGRADED_INFERENCE";
    s.record.output_fps = output_fps;
    s.record.restart_count = 0;
    s.record.orch = std::move(orch);
    return s.record;
  }
  event::StreamEvent& Event(std::string id, Millis ts, std::string name, std::string message = "",
                            event::OrchInfo orch = {}) {
    auto& e = records_.stream_events.emplace_back();
    e.header = Header(std::move(id), ts, "ai_stream_events", name);
    e.record.event_name = name;
    e.record.message = std::move(message);
    e.record.is_error = name == "error";
    e.record.is_swap = name.find("swap") != std::string::npos;
    e.record.is_params_update = name == "params_update";
    e.record.orch = std::move(orch);
    return e.record;
  }
  event::IngestSample& Ingest(std::string id, Millis ts) {
    auto& i = records_.ingest_samples.emplace_back();
    i.header = Header(std::move(id), ts, "stream_ingest_metrics", "");
    return i.record;
  }

  SessionRecords& records() { return records_; }

 private:
  event::RecordHeader Header(std::string id, Millis ts, std::string family, std::string subtype) {
    event::RecordHeader h;
    h.org = org_;
    h.event_id = std::move(id);
    h.event_ts = ts;
    h.family = std::move(family);
    h.subtype = std::move(subtype);
    h.ingested_at = ts;
    return h;
  }

  std::string org_;
  SessionRecords records_;
};

// Answers with the decision registered for the observed URL (else the observed address) whose
// `from` is the latest at or before the request time; the default decision otherwise. Records
// every request it saw.
class FakeMatcher : public Matcher {
 public:
  void Add(std::string identity, Millis from, Decision decision) {
    decisions_[identity][from] = std::move(decision);
  }
  Decision Match(const MatchRequest& request) const override {
    requests_.push_back({std::string(request.observed_url), std::string(request.observed_address),
                         std::string(request.hint_pipeline), std::string(request.hint_model),
                         request.ts});
    const std::string key(request.observed_url.empty() ? request.observed_address
                                                       : request.observed_url);
    const auto chain = decisions_.find(key);
    if (chain == decisions_.end()) return {};
    auto it = chain->second.upper_bound(request.ts);
    if (it == chain->second.begin()) return {};
    return std::prev(it)->second;
  }

  struct Seen {
    std::string url, address, pipeline, model;
    Millis ts;
  };
  const std::vector<Seen>& requests() const { return requests_; }

 private:
  std::map<std::string, std::map<Millis, Decision>> decisions_;
  mutable std::vector<Seen> requests_;
};

// A resolved hardware decision.
inline Decision Resolved(std::string reason, std::string method, std::string address,
                         std::string uri, std::string gpu_id) {
  Decision d;
  d.status = "resolved";
  d.reason = std::move(reason);
  d.method = std::move(method);
  d.confidence = "high";
  d.capability_version_id = "version-" + address;
  d.attributed_orch_address = std::move(address);
  d.attributed_orch_uri = std::move(uri);
  d.pipeline = "live-video-to-video";
  d.model = "streamdiffusion-sdxl";
  d.gpu_id = std::move(gpu_id);
  return d;
}

}  // namespace naap::resolve::testing
