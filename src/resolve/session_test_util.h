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
  StatusPoint& Status(std::string id, Millis ts, std::string state,
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
  IngestPoint& Ingest(std::string id, Millis ts) {
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

// Registers, from time 0, u0 resolved to 0xc0 with GPU gpu0 and u1 hardware-less on 0xc1.
inline void AddResolvedAndHardwareLess(FakeMatcher& m) {
  m.Add("u0", 0, Resolved("matched", "uri_interval_exact", "0xc0", "u0", "gpu0"));
  Decision hardware_less =
      Resolved("matched_without_hardware", "uri_interval_exact", "0xc1", "u1", "");
  hardware_less.status = "hardware_less";
  m.Add("u1", 0, hardware_less);
}

// ---- the worked examples of spec/analytics.md §9.1 and §9.2 ----

inline constexpr char kExampleLv2v[] = "live-video-to-video";

// §9.1: one session of "cloudspe", on one orchestrator at kUri1 (local address kLocal1).
inline constexpr char kLocal1[] = "0x52cf2968b3dc6016778742d3539449a6597d5954";
inline constexpr char kOnChain1[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
inline constexpr char kUri1[] = "https://rtav-orch2.xodeapp.xyz:28935";
inline constexpr char kGpu1[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";
inline constexpr char kFaceId[] = "streamdiffusion-sdxl-faceid";

inline SessionRecords Example91Records() {
  SessionBuilder b("cloudspe");
  const auto orch = Orch(kLocal1, kUri1);
  b.Trace("E2", At(14, 59, 20), "gateway_receive_stream_request");
  b.Trace("E4", At(14, 59, 22), "gateway_send_first_ingest_segment", orch);
  b.Trace("E5", At(14, 59, 22, 110), "runner_send_first_processed_segment", orch);
  b.Trace("E6", At(14, 59, 22, 400), "gateway_receive_first_processed_segment", orch);
  b.Trace("E7", At(14, 59, 26, 500), "gateway_receive_few_processed_segments", orch);
  struct Sample {
    const char* id;
    Millis ts;
    const char* state;
    double fps, input;
  };
  for (const Sample& s : {Sample{"E8", At(14, 59, 30), "LOADING", 0.0, 20.0},
                          Sample{"E9", At(14, 59, 40), "ONLINE", 17.0, 20.0},
                          Sample{"E10", At(14, 59, 50), "ONLINE", 16.0, 20.0},
                          Sample{"E12", At(15, 0, 0), "ONLINE", 18.0, 20.0},
                          Sample{"E13", At(15, 0, 10), "ONLINE", 15.0, 19.0}}) {
    auto& status = b.Status(s.id, s.ts, s.state, s.fps, orch);
    status.input_fps = s.input;
    status.pipeline = kExampleLv2v;
    status.model = kFaceId;
  }
  b.Trace("E14", At(15, 0, 12), "gateway_ingest_stream_closed", orch);
  return b.records();
}

// §9.2: one session of "daydream" that swaps from orchestrator A to B.
inline constexpr char kA[] = "0xaaaa000000000000000000000000000000000001";
inline constexpr char kLocalA[] = "0xaaaa0000000000000000000000000000000000f1";
inline constexpr char kUriA[] = "https://orch-a.example.com:8935";
inline constexpr char kGpuA[] = "GPU-aaaaaaaa-0000-0000-0000-000000000001";
inline constexpr char kB[] = "0xbbbb000000000000000000000000000000000002";
inline constexpr char kLocalB[] = "0xbbbb0000000000000000000000000000000000f2";
inline constexpr char kUriB[] = "https://orch-b.example.com:8935";
inline constexpr char kGpuB[] = "GPU-bbbbbbbb-0000-0000-0000-000000000002";
inline constexpr char kSdxl[] = "streamdiffusion-sdxl";

// Without the swap trace F8 when `with_swap_trace` is false.
inline SessionRecords Example92Records(bool with_swap_trace) {
  SessionBuilder b("daydream");
  const auto a = Orch(kLocalA, kUriA);
  const auto bo = Orch(kLocalB, kUriB);
  b.Trace("F2", At(10, 0, 0), "gateway_receive_stream_request");
  b.Trace("F3", At(10, 0, 2), "gateway_send_first_ingest_segment", a);
  b.Trace("F4", At(10, 0, 3), "gateway_receive_first_processed_segment", a);
  b.Trace("F5", At(10, 0, 7), "gateway_receive_few_processed_segments", a);
  auto hint = [](StatusPoint& s) {
    s.pipeline = kExampleLv2v;
    s.model = kSdxl;
  };
  hint(b.Status("F6", At(10, 0, 10), "ONLINE", 15.0, a));
  hint(b.Status("F7", At(10, 0, 20), "DEGRADED_INFERENCE", 4.0, a));
  if (with_swap_trace) {
    auto& swap = b.Trace("F8", At(10, 0, 25), "orchestrator_swap", a);
    swap.pipeline = kExampleLv2v;
    swap.model = kSdxl;
    swap.message = "trickle subscribe error, swapping: EOF";
  }
  hint(b.Status("F9", At(10, 0, 35), "ONLINE", 18.0, bo));
  hint(b.Status("F10", At(10, 0, 45), "ONLINE", 17.0, bo));
  b.Trace("F12", At(10, 0, 55), "gateway_ingest_stream_closed", bo);
  return b.records();
}

// The matcher before (B unknown) or after F11 (B found 15 s ahead of S3).
inline FakeMatcher Example92Matcher(bool b_known) {
  FakeMatcher m;
  m.Add(kUriA, At(9, 59, 40), Resolved("matched", "uri_interval_exact", kA, kUriA, kGpuA));
  if (b_known) {
    Decision b = Resolved("future_skew", "uri_interval_future", kB, kUriB, kGpuB);
    b.gpu_model_name = "NVIDIA L40S";
    m.Add(kUriB, At(10, 0, 35), b);
  }
  return m;
}

}  // namespace naap::resolve::testing
