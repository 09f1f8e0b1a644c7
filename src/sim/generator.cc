#include "sim/generator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <vector>

#include "sim/json_object.h"
#include "sim/network.h"
#include "sim/random.h"

namespace naap::sim {
namespace {

constexpr Millis kDone = std::numeric_limits<Millis>::max();
constexpr Millis kSecond = 1000, kMinute = 60 * kSecond;
constexpr int kPartitions = 8;
constexpr char kHex[] = "0123456789abcdef";
constexpr char kBase36[] = "0123456789abcdefghijklmnopqrstuvwxyz";
constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

// Arrival rates at scale 1, per second over both orgs (calibrated to ≈ 5M events a day).
constexpr double kSessionsPerSecond = 0.24;
constexpr double kBatchJobsPerSecond = 0.6;
constexpr double kByocJobsPerSecond = 0.25;
constexpr double kDaydreamShare = 0.35;  // of sessions and jobs; the rest is cloudspe

// Mean spacing of faults, in produced messages.
constexpr double kDuplicateEvery = 400, kOutOfOrderEvery = 40, kLateEvery = 500;
constexpr double kMalformedEvery = 1500, kEmptyIdEvery = 2500, kFaultCopyEvery = 3;
constexpr double kWorkerRedrainEvery = 4;  // in worker_lifecycle events

void AppendHex(std::string& out, uint64_t bits, int digits) {
  for (int i = digits - 1; i >= 0; --i) out.push_back(kHex[(bits >> (4 * i)) & 15]);
}

void AppendUuid(std::string& out, Rng& rng) {
  const uint64_t hi = rng.Next(), lo = rng.Next();
  AppendHex(out, hi >> 32, 8);
  out.push_back('-');
  AppendHex(out, (hi >> 16) & 0xffff, 4);
  out.push_back('-');
  AppendHex(out, 0x4000 | (hi & 0x0fff), 4);
  out.push_back('-');
  AppendHex(out, 0x8000 | ((lo >> 48) & 0x3fff), 4);
  out.push_back('-');
  AppendHex(out, lo & 0xffffffffffffull, 12);
}

std::string RandomChars(Rng& rng, std::string_view alphabet, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(alphabet[rng.Int(0, static_cast<int64_t>(alphabet.size()) - 1)]);
  return s;
}

std::string HexId(uint64_t bits, int digits) {
  std::string s;
  AppendHex(s, bits, digits);
  return s;
}

// A bijection of 32-bit integers: distinct counters give distinct request ids.
uint32_t Permute32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

struct Gateway {
  Org org;
  std::string host;    // the envelope `gateway` member
  std::string sender;  // its payment (ETH) address, EIP-55
};

struct Queued {
  Millis deliver_ts = 0;
  uint64_t seq = 0;
  Millis event_ts = 0;
  std::string bytes;
  Org org = Org::kNone;
  LineClass cls;
  bool malformed = false;
  int partition = 0;
  int64_t offset = 0;
};

struct LaterDelivery {
  bool operator()(const Queued& a, const Queued& b) const {
    return a.deliver_ts != b.deliver_ts ? a.deliver_ts > b.deliver_ts : a.seq > b.seq;
  }
};

}  // namespace

struct ByocProvider {
  int orch;
  std::string_view capability;
  std::string model;
};

class Actor {
 public:
  virtual ~Actor() = default;
  // Emits the events due at `now`; returns the next wake-up time, or kDone.
  virtual Millis Step(Millis now, World& world) = 0;
  // Called once when the actor is done or the run ends: records its ground truth.
  virtual void Finish(World& world) {}
};

class World {
 public:
  World(const Config& config, Network network);

  Rng rng;
  const Config config;
  const Network network;
  std::vector<Gateway> gateways;
  std::vector<int> live_orchestrators;
  std::vector<ByocProvider> byoc_providers;
  Truth truth;

  Org PickOrg() { return rng.Chance(kDaydreamShare) ? Org::kDaydream : Org::kCloudspe; }
  const Gateway& PickGateway(Org org);
  const Orchestrator& orch(int index) const { return network.orchestrators()[index]; }
  std::string NextRequestId() { return HexId(Permute32(request_counter_++), 8); }

  // Starts an envelope of `family` at `ts` in the scratch buffer, up to `"data":`.
  std::string& Begin(std::string_view family, Millis ts, std::string_view gateway);
  // Same with an explicit id (empty-id faults).
  std::string& BeginWithId(std::string_view id, std::string_view family, Millis ts, std::string_view gateway);
  // The scratch buffer holds the data value: closes the envelope and produces it, with faults.
  void Emit(Org org, Millis ts, LineClass cls);

  void Spawn(std::unique_ptr<Actor> actor, Millis at);
  bool NextLine(Message& out);
  size_t state_size() const { return live_actors_ + delayed_.size() + ready_.size() - ready_pos_; }

 private:
  struct Wake {
    Millis ts;
    uint64_t seq;
    uint32_t slot;
    bool operator>(const Wake& o) const { return ts != o.ts ? ts > o.ts : seq > o.seq; }
  };
  std::string TakeBuffer();
  void Produce(Queued q, Millis delay);
  void EmitFaultCopies(const Queued& original);
  void FinishAll();

  std::vector<std::unique_ptr<Actor>> actors_;
  std::vector<uint32_t> free_slots_;
  std::vector<Wake> wakes_;  // min-heap
  size_t live_actors_ = 0;
  uint64_t seq_ = 0;
  uint32_t request_counter_;

  std::string scratch_;
  std::vector<std::string> spare_buffers_;
  std::vector<Queued> ready_;  // produced at the current time, in order
  size_t ready_pos_ = 0;
  std::vector<Queued> delayed_;  // min-heap by delivery time
  Queued current_;
  std::array<std::array<int64_t, kPartitions>, static_cast<size_t>(Org::kCount)> offsets_{};
  Countdown duplicate_, out_of_order_, late_, malformed_, empty_id_, malformed_copy_, empty_id_copy_;
  bool finished_ = false;
};

namespace {

// ---------------------------------------------------------------- shared payload pieces

void OrchInfo(JsonObject& o, std::string_view address, std::string_view url) {
  o.Object("orchestrator_info").Str("address", address).Str("url", url).Close();
}

// A stream_trace payload, members in the producer's (alphabetical) order.
void StreamTrace(std::string& out, std::string_view type, const Orchestrator* orch, std::string_view stream_id,
                 std::string_view request_id, Millis payload_ts, std::string_view message = {},
                 std::string_view pipeline_hint = {}) {
  JsonObject o(out);
  if (!message.empty()) o.Str("message", message);
  OrchInfo(o, orch ? std::string_view(orch->local_key) : "", orch ? std::string_view(orch->uri) : "");
  if (!pipeline_hint.empty()) o.Str("pipeline", pipeline_hint);
  o.Str("pipeline_id", "").Str("request_id", request_id).Str("stream_id", stream_id).Int("timestamp", payload_ts);
  o.Str("type", type).Close();
}

// The model-like name gateways put into a swap trace's `pipeline` (spec/events.md §5.5 aliases).
std::string_view SwapPipelineHint(std::string_view model) {
  if (model == "streamdiffusion-sdxl-faceid") return "pip_sdxl-turbo-faceid";
  if (model == "streamdiffusion-sdxl-v2v") return "pip_sdxl-turbo-v2v";
  if (model == "streamdiffusion-sdxl") return "pip_sdxl-turbo";
  return model;
}

// ---------------------------------------------------------------- capability snapshots

class CapabilityPublisher final : public Actor {
 public:
  explicit CapabilityPublisher(size_t gateway) : gateway_(gateway) {}
  Millis Step(Millis now, World& w) override {
    const Gateway& gw = w.gateways[gateway_];
    std::string& out = w.Begin("network_capabilities", now, gw.host);
    w.network.AppendSnapshotArray(w.rng, out);
    w.Emit(gw.org, now, LineClass::Accepted(Family::kNetworkCapabilities));
    return now + w.rng.Int(60 * kSecond, 120 * kSecond);
  }

 private:
  size_t gateway_;
};

// ---------------------------------------------------------------- live video sessions

enum class SessionKind : uint8_t {
  kPlayable, kLongRunning, kSwap, kNoOrchestrator, kLoadingOnly, kExcusableFailure, kUnexcusableFailure
};

// Outcome mix, drawn as a shuffled deck so every class appears within each 20 sessions.
constexpr std::array<SessionKind, 20> kSessionDeck = {
    SessionKind::kPlayable,       SessionKind::kPlayable,          SessionKind::kPlayable,
    SessionKind::kPlayable,       SessionKind::kPlayable,          SessionKind::kPlayable,
    SessionKind::kPlayable,       SessionKind::kPlayable,          SessionKind::kPlayable,
    SessionKind::kPlayable,       SessionKind::kPlayable,          SessionKind::kPlayable,
    SessionKind::kLongRunning,    SessionKind::kSwap,              SessionKind::kSwap,
    SessionKind::kNoOrchestrator, SessionKind::kNoOrchestrator,    SessionKind::kLoadingOnly,
    SessionKind::kExcusableFailure, SessionKind::kUnexcusableFailure};

constexpr std::string_view kExcusableErrors[] = {"WHIP disconnected", "ICE connection state failed",
                                                 "user disconnected", "MediaMTX ingest disconnected"};
constexpr std::string_view kUnexcusableErrors[] = {
    "trickle publish error: connection refused", "runner crashed: CUDA error: out of memory",
    "pipeline load timeout after 120s", "control channel closed: context deadline exceeded"};

enum class Milestone : uint8_t {
  kRequest, kDiscovery, kFirstPayment, kFirstIngest, kRunnerReceive, kRunnerSend, kFirstProcessed,
  kFewProcessed, kSwap, kNoOrchestrators, kError, kClosed, kStreamStopped
};

class LiveSession final : public Actor {
 public:
  LiveSession(World& w, SessionKind kind, Millis t0) : kind_(kind), org_(w.PickOrg()), gateway_(&w.PickGateway(org_)) {
    Rng& r = w.rng;
    stream_id_ = org_ == Org::kDaydream ? "str_" + RandomChars(r, kAlnum, 16)
                                        : "stream-" + RandomChars(r, kBase36, 6) + "-" + RandomChars(r, kBase36, 8);
    request_id_ = w.NextRequestId();
    manifest_id_ = HexId(r.Next(), 8);
    params_hash_ = HexId(r.Next(), 16) + HexId(r.Next(), 16);
    const auto& live = w.live_orchestrators;
    orch_ = live[r.Int(0, static_cast<int64_t>(live.size()) - 1)];
    next_orch_ = PickSwapTarget(w);
    base_fps_ = r.Uniform(13.0, 24.0);
    input_fps_ = r.Chance(0.7) ? 20.0 : 30.0;
    start_time_ = t0 + r.Int(250, 400);

    const Millis first_ingest = t0 + r.Int(1200, 3000);
    Millis duration = 0;
    switch (kind_) {
      case SessionKind::kPlayable: duration = 30 * kSecond + static_cast<Millis>(r.Exponential(300.0 * kSecond)); break;
      case SessionKind::kLongRunning: duration = r.Int(30 * kMinute, 120 * kMinute); break;
      case SessionKind::kSwap: duration = r.Int(2 * kMinute, 15 * kMinute); break;
      case SessionKind::kLoadingOnly: duration = r.Int(25 * kSecond, 80 * kSecond); break;
      default: duration = r.Int(3 * kSecond, 20 * kSecond); break;
    }
    duration = std::min(duration, 4 * 60 * kMinute);
    end_ = t0 + duration;

    Add(Milestone::kRequest, t0);
    if (kind_ == SessionKind::kNoOrchestrator) {
      const Millis t = t0 + r.Int(200, 900);
      Add(Milestone::kNoOrchestrators, t);
      Add(Milestone::kError, t + r.Int(1, 20));
      Add(Milestone::kClosed, t + r.Int(500, 2000));
      return;
    }
    const Millis discovery = t0 + r.Int(150, 400);
    Add(Milestone::kDiscovery, discovery);
    Add(Milestone::kFirstPayment, discovery + r.Int(1, 3));
    Add(Milestone::kFirstIngest, first_ingest);
    Add(Milestone::kRunnerReceive, first_ingest);
    next_ingest_ = t0 + r.Int(4800, 5400);
    next_payment_ = first_ingest + r.Int(3000, 5000);
    switch (kind_) {
      case SessionKind::kExcusableFailure:
      case SessionKind::kUnexcusableFailure: {
        const Millis error = first_ingest + r.Int(2 * kSecond, 15 * kSecond);
        if (kind_ == SessionKind::kUnexcusableFailure && r.Chance(0.5)) {
          Add(Milestone::kRunnerSend, first_ingest + r.Int(60, 200));
          Add(Milestone::kFirstProcessed, first_ingest + r.Int(250, 800));
        }
        Add(Milestone::kError, error);
        end_ = error + r.Int(100, 1000);
        break;
      }
      case SessionKind::kLoadingOnly:
        next_status_ = first_ingest + r.Int(7 * kSecond, 9 * kSecond);
        break;
      default:
        Add(Milestone::kRunnerSend, first_ingest + r.Int(60, 200));
        Add(Milestone::kFirstProcessed, first_ingest + r.Int(250, 800));
        Add(Milestone::kFewProcessed, first_ingest + r.Int(3500, 6000));
        next_status_ = first_ingest + r.Int(7 * kSecond, 9 * kSecond);
        next_params_ = first_ingest + static_cast<Millis>(r.Exponential(120.0 * kSecond));
        if (kind_ == SessionKind::kSwap) Add(Milestone::kSwap, first_ingest + (end_ - first_ingest) * r.Int(30, 70) / 100);
        break;
    }
    Add(Milestone::kClosed, std::max(end_, first_ingest + 7 * kSecond));
    end_ = std::max(end_, first_ingest + 7 * kSecond);
    if (r.Chance(0.5)) Add(Milestone::kStreamStopped, end_ + r.Int(5, 50));
    std::stable_sort(script_.begin(), script_.begin() + script_size_,
                     [](const auto& a, const auto& b) { return a.ts < b.ts; });
  }

  Millis Step(Millis now, World& w) override {
    if (script_pos_ < script_size_ && script_[script_pos_].ts == now) {
      RunMilestone(script_[script_pos_++].what, now, w);
    } else if (next_status_ == now) {
      EmitStatus(now, w);
      next_status_ += 10 * kSecond + w.rng.Int(-20, 20);
    } else if (next_ingest_ == now) {
      EmitIngest(now, w);
      next_ingest_ += 5 * kSecond + w.rng.Int(-3, 3);
    } else if (next_payment_ == now) {
      EmitPayment(now, w, false);
      next_payment_ += w.rng.Int(6 * kSecond, 60 * kSecond);
    } else if (next_params_ == now) {
      EmitParamsUpdate(now, w);
      next_params_ += static_cast<Millis>(w.rng.Exponential(180.0 * kSecond)) + 1;
    }
    // Periodic timers stop at the session's end; the script finishes it.
    for (Millis* timer : {&next_status_, &next_ingest_, &next_payment_, &next_params_}) {
      if (*timer >= end_) *timer = kDone;
    }
    Millis next = script_pos_ < script_size_ ? script_[script_pos_].ts : kDone;
    return std::min({next, next_status_, next_ingest_, next_payment_, next_params_});
  }

  void Finish(World& w) override {
    if (finished_ || !requested_) return;
    finished_ = true;
    const auto org = static_cast<size_t>(org_);
    std::string key = "|";
    if (last_orch_ >= 0) key = w.orch(last_orch_).address_lower + "|" + w.orch(last_orch_).live_model;
    StreamCounts& s = w.truth.streams[org][key];
    ++s.requested;
    s.startup_success += playable_ ? 1 : 0;
    s.swapped += swapped_ ? 1 : 0;
    if (no_orchestrators_ && last_orch_ < 0) ++w.truth.no_orchestrator_sessions[org];
  }

 private:
  struct Scheduled {
    Millis ts;
    Milestone what;
  };
  void Add(Milestone what, Millis ts) { script_[script_size_++] = {ts, what}; }

  int PickSwapTarget(World& w) const {
    std::vector<int> same_model;
    for (int i : w.live_orchestrators) {
      if (i != orch_ && w.orch(i).live_model == w.orch(orch_).live_model) same_model.push_back(i);
    }
    if (same_model.empty()) {
      for (int i : w.live_orchestrators) {
        if (i != orch_) same_model.push_back(i);
      }
    }
    return same_model.empty() ? orch_ : same_model[w.rng.Int(0, static_cast<int64_t>(same_model.size()) - 1)];
  }

  const Orchestrator& Current(World& w) const { return w.orch(orch_); }
  Millis PayloadTs(Millis now, World& w) const { return now + w.rng.Int(0, 2); }

  // A trace that names the current orchestrator is selection evidence for it.
  void Trace(std::string_view type, Millis now, World& w, bool with_orch, bool evidence) {
    std::string& out = w.Begin("stream_trace", now, gateway_->host);
    StreamTrace(out, type, with_orch ? &Current(w) : nullptr, stream_id_, request_id_, PayloadTs(now, w));
    w.Emit(org_, now, LineClass::Accepted(Family::kStreamTrace));
    if (with_orch && evidence) last_orch_ = orch_;
  }

  void RunMilestone(Milestone what, Millis now, World& w) {
    switch (what) {
      case Milestone::kRequest:
        Trace("gateway_receive_stream_request", now, w, false, false);
        requested_ = true;
        break;
      case Milestone::kDiscovery: EmitDiscovery(now, w); break;
      case Milestone::kFirstPayment: EmitPayment(now, w, true); break;
      case Milestone::kFirstIngest: Trace("gateway_send_first_ingest_segment", now, w, true, true); break;
      case Milestone::kRunnerReceive: Trace("runner_receive_first_ingest_segment", now, w, true, false); break;
      case Milestone::kRunnerSend: Trace("runner_send_first_processed_segment", now, w, true, false); break;
      case Milestone::kFirstProcessed: Trace("gateway_receive_first_processed_segment", now, w, true, true); break;
      case Milestone::kFewProcessed:
        Trace("gateway_receive_few_processed_segments", now, w, true, true);
        playable_ = true;
        break;
      case Milestone::kSwap: {
        std::string& out = w.Begin("stream_trace", now, gateway_->host);
        StreamTrace(out, "orchestrator_swap", &Current(w), stream_id_, request_id_, PayloadTs(now, w),
                    "trickle subscribe error, swapping: EOF", SwapPipelineHint(Current(w).live_model));
        w.Emit(org_, now, LineClass::Accepted(Family::kStreamTrace));
        last_orch_ = orch_;
        swapped_ = true;
        orch_ = next_orch_;
        first_payment_to_orch_ = true;
        break;
      }
      case Milestone::kNoOrchestrators:
        Trace("gateway_no_orchestrators_available", now, w, false, false);
        no_orchestrators_ = true;
        break;
      case Milestone::kError: EmitError(now, w); break;
      case Milestone::kClosed:
        Trace("gateway_ingest_stream_closed", now, w, kind_ != SessionKind::kNoOrchestrator, true);
        break;
      case Milestone::kStreamStopped: {
        std::string& out = w.Begin("stream_trace", now, gateway_->host);
        JsonObject o(out);
        o.Int("duration_ms", now - start_time_).Str("error", "").Str("request_id", request_id_);
        o.Str("stream_id", stream_id_).Int("swap_count", swapped_ ? 1 : 0).Str("type", "stream_stopped").Close();
        w.Emit(org_, now, LineClass::Ignored(IgnoreReason::kUnsupportedStreamTraceType));
        break;
      }
    }
  }

  void EmitDiscovery(Millis now, World& w) {
    std::string& out = w.Begin("discovery_results", now, gateway_->host);
    out.push_back('[');
    int64_t latency = w.rng.Int(20, 120);
    const int extra = static_cast<int>(w.rng.Int(0, 3));
    std::array<int, 4> listed{orch_, -1, -1, -1};
    for (int i = 0; i <= extra; ++i) {
      if (i > 0) {
        const int candidate = w.live_orchestrators[w.rng.Int(0, static_cast<int64_t>(w.live_orchestrators.size()) - 1)];
        if (std::find(listed.begin(), listed.end(), candidate) != listed.end()) continue;
        listed[i] = candidate;
        out.push_back(',');
        latency += w.rng.Int(1, 150);
      }
      const Orchestrator& o = w.orch(listed[i]);
      char digits[24];
      JsonObject e(out);
      e.Str("address", o.local_key)
          .Str("latency_ms", std::string_view(digits, std::to_chars(digits, digits + sizeof digits, latency).ptr - digits))
          .Str("url", o.uri)
          .Close();
    }
    out.push_back(']');
    w.Emit(org_, now, LineClass::Accepted(Family::kDiscoveryResults));
  }

  void EmitPayment(Millis now, World& w, bool first) {
    const Orchestrator& o = Current(w);
    const bool carries_request = first || first_payment_to_orch_;
    if (carries_request) payment_session_ = HexId(w.rng.Next(), 8);
    first_payment_to_orch_ = false;
    std::string face_value;
    AppendInt(face_value, w.rng.Int(2400000, 2410000));
    face_value += "000000000 WEI";
    std::string price;
    AppendInt(price, std::max<int64_t>(o.live_price_wei_per_pixel, 1500) + w.rng.Int(0, 60));
    price.push_back('.');
    AppendInt(price, w.rng.Int(100, 999));
    price += " wei/pixel";
    std::string& out = w.Begin("create_new_payment", now, gateway_->host);
    JsonObject p(out);
    p.Str("capability", "").Str("clientIP", "").Str("faceValue", face_value);
    p.Str("manifestID", carries_request ? "35_" + o.live_model : manifest_id_);
    p.Str("numTickets", carries_request ? "2" : (w.rng.Chance(0.8) ? "1" : "2"));
    p.Str("orchestrator", o.uri).Str("price", price).Str("recipient", o.address);
    p.Str("requestID", carries_request ? std::string_view(request_id_) : "").Str("sender", gateway_->sender);
    p.Str("sessionID", payment_session_).Str("winProb", w.rng.Chance(0.5) ? "0.0009990010" : "0.0010000000").Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kCreateNewPayment));
  }

  void EmitStatus(Millis now, World& w) {
    Rng& r = w.rng;
    const bool loading = kind_ == SessionKind::kLoadingOnly;
    std::string_view state = "ONLINE";
    double fps = std::max(0.0, base_fps_ + r.Uniform(-2.0, 2.0));
    if (loading) {
      state = "LOADING";
      fps = 0.0;
    } else if (r.Chance(0.03)) {
      state = "DEGRADED_INPUT";
    } else if (r.Chance(0.02)) {
      state = "DEGRADED_INFERENCE";
      fps *= 0.3;
    }
    const bool error = !loading && r.Chance(0.005);
    if (error) {
      ++restart_count_;
      last_error_ = now - r.Int(100, 5000);
    }
    const double input = loading ? 0.0 : input_fps_ + r.Uniform(-0.6, 0.6);
    std::string& out = w.Begin("ai_stream_status", now, gateway_->host);
    JsonObject d(out);
    JsonObject inf = d.Object("inference_status");
    inf.Num("fps", fps);
    if (last_error_ > 0) {
      inf.Str("last_error", "CUDA error: an illegal memory access was encountered").Int("last_error_time", last_error_);
    } else {
      inf.Null("last_error").Null("last_error_time");
    }
    inf.Int("last_output_time", now - r.Int(20, 120));
    inf.Object("last_params").Int("height", 512).Int("width", 512).Close();
    inf.Str("last_params_hash", params_hash_).Int("last_params_update_time", start_time_).Null("last_restart_logs");
    if (restart_count_ > 0) {
      inf.Int("last_restart_time", last_error_ + 50);
    } else {
      inf.Null("last_restart_time");
    }
    inf.Int("restart_count", restart_count_).Close();
    d.Object("input_status").Num("fps", input).Int("last_input_time", now - r.Int(20, 120)).Close();
    d.Int("last_state_update_time", now - r.Int(1000, 9000)).Int("last_status_timestamp", start_time_);
    OrchInfo(d, Current(w).local_key, Current(w).uri);
    d.Str("pipeline", Current(w).live_model).Str("pipeline_id", "").Str("request_id", request_id_);
    d.Int("start_time", start_time_).Str("state", state).Str("stream_id", stream_id_);
    d.Int("timestamp", PayloadTs(now, w)).Str("type", "status").Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kAiStreamStatus));
    last_orch_ = orch_;
    if (!error) last_error_ = 0;
  }

  void EmitIngest(Millis now, World& w) {
    Rng& r = w.rng;
    bytes_received_ += r.Int(420000, 520000);
    bytes_sent_ += r.Int(3500, 4500);
    video_packets_ += r.Int(380, 440);
    audio_packets_ += r.Int(240, 255);
    if (r.Chance(0.05)) video_lost_ += r.Int(1, 12);
    const double seconds = static_cast<double>(now - start_time_) / 1000.0;
    std::string& out = w.Begin("stream_ingest_metrics", now, gateway_->host);
    JsonObject d(out);
    d.Str("pipeline_id", "").Str("request_id", request_id_);
    JsonObject stats = d.Object("stats");
    stats.Object("peer_conn_stats").Str("ID", "iceTransport").Int("BytesReceived", bytes_received_).Int("BytesSent", bytes_sent_).Close();
    std::string& tracks = stats.Member("track_stats");
    tracks.push_back('[');
    JsonObject video(tracks);
    video.Str("type", "video").Num("jitter", r.Uniform(2.0, 25.0)).Int("packets_lost", video_lost_);
    video.Int("packets_received", video_packets_).Num("packet_loss_pct", 100.0 * video_lost_ / (video_packets_ + video_lost_));
    video.Int("rtt", 0).Num("last_input_ts", seconds).Int("last_output_ts", 0).Int("latency", 0).Close();
    tracks.push_back(',');
    JsonObject audio(tracks);
    audio.Str("type", "audio").Num("jitter", r.Uniform(5.0, 30.0)).Int("packets_lost", 0);
    audio.Int("packets_received", audio_packets_).Int("packet_loss_pct", 0).Int("rtt", 0);
    audio.Num("last_input_ts", seconds).Int("last_output_ts", 0).Int("latency", 0).Close();
    tracks.push_back(']');
    stats.Str("conn_quality", r.Chance(0.9) ? "good" : (r.Chance(0.7) ? "fair" : "poor")).Close();
    d.Str("stream_id", stream_id_).Int("timestamp", PayloadTs(now, w)).Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kStreamIngestMetrics));
  }

  void EmitError(Millis now, World& w) {
    std::string_view message;
    if (kind_ == SessionKind::kNoOrchestrator) {
      message = "no orchestrators available";
    } else if (kind_ == SessionKind::kExcusableFailure) {
      message = kExcusableErrors[w.rng.Int(0, std::size(kExcusableErrors) - 1)];
    } else {
      message = kUnexcusableErrors[w.rng.Int(0, std::size(kUnexcusableErrors) - 1)];
    }
    std::string& out = w.Begin("ai_stream_events", now, gateway_->host);
    JsonObject d(out);
    d.Str("capability", "LiveVideoToVideo").Str("message", message).Str("pipeline", "live-video-to-video");
    d.Str("pipeline_id", "").Str("request_id", request_id_).Str("stream_id", stream_id_);
    d.Int("timestamp", PayloadTs(now, w)).Str("type", "error").Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kAiStreamEvents));
  }

  void EmitParamsUpdate(Millis now, World& w) {
    static constexpr std::string_view kPrompts[] = {"a watercolor portrait", "cyberpunk city at night",
                                                    "studio ghibli style", "oil painting, baroque"};
    std::string& out = w.Begin("ai_stream_events", now, gateway_->host);
    JsonObject d(out);
    d.Object("params").Str("prompt", kPrompts[w.rng.Int(0, std::size(kPrompts) - 1)]).Int("seed", w.rng.Int(1, 99999)).Close();
    d.Str("pipeline", "live-video-to-video").Str("pipeline_id", "").Str("request_id", request_id_);
    d.Str("stream_id", stream_id_).Int("timestamp", PayloadTs(now, w)).Str("type", "params_update").Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kAiStreamEvents));
  }

  SessionKind kind_;
  Org org_;
  const Gateway* gateway_;
  std::string stream_id_, request_id_, manifest_id_, params_hash_, payment_session_;
  int orch_ = 0, next_orch_ = 0, last_orch_ = -1;
  double base_fps_ = 0, input_fps_ = 0;
  Millis start_time_ = 0, end_ = 0, last_error_ = 0;
  std::array<Scheduled, 16> script_{};
  int script_size_ = 0, script_pos_ = 0;
  Millis next_status_ = kDone, next_ingest_ = kDone, next_payment_ = kDone, next_params_ = kDone;
  int64_t bytes_received_ = 0, bytes_sent_ = 0, video_packets_ = 0, audio_packets_ = 0, video_lost_ = 0;
  int64_t restart_count_ = 0;
  bool requested_ = false, playable_ = false, swapped_ = false, no_orchestrators_ = false;
  bool first_payment_to_orch_ = false, finished_ = false;
};

// ---------------------------------------------------------------- AI-batch and LLM jobs

class BatchJob final : public Actor {
 public:
  BatchJob(World& w, const Orchestrator* orch, const RequestOffer& offer, Millis t0)
      : org_(w.PickOrg()), gateway_(&w.PickGateway(org_)), orch_(orch), offer_(&offer) {
    Rng& r = w.rng;
    request_id_ = HexId(r.Next(), 16);
    llm_ = offer.pipeline == "llm";
    streaming_ = llm_ && r.Chance(0.7);
    if (orch_ == nullptr) {
      outcome_ = Outcome::kNoOrchestrator;
    } else {
      outcome_ = r.Chance(0.95) ? Outcome::kSuccess : Outcome::kError;
    }
    duration_ = llm_ ? r.Int(800, 15000) : r.Int(500, 9000);
    if (outcome_ == Outcome::kNoOrchestrator) duration_ = r.Int(5, 80);
    completed_at_ = t0 + duration_;
  }

  Millis Step(Millis now, World& w) override {
    switch (step_++) {
      case 0: {
        std::string& out = w.Begin("ai_batch_request", now, gateway_->host);
        JsonObject d(out);
        d.Str("type", "ai_batch_request_received").Str("request_id", request_id_).Str("pipeline", offer_->pipeline);
        d.Str("model_id", offer_->model).Str("client_ip", "").Str("orchestrator", "").Int("timestamp", now).Close();
        w.Emit(org_, now, LineClass::Accepted(Family::kAiBatchRequest));
        return llm_ ? now + w.rng.Int(1, 5) : completed_at_;
      }
      case 1:
        if (llm_) {
          std::string& out = w.Begin("ai_llm_request", now, gateway_->host);
          JsonObject d(out);
          d.Str("type", "llm_request_started").Str("request_id", request_id_).Str("model", offer_->model);
          d.Bool("streaming", streaming_).Int("max_tokens_requested", 512).Close();
          w.Emit(org_, now, LineClass::Accepted(Family::kAiLlmRequest));
          return completed_at_;
        }
        [[fallthrough]];
      case 2: {
        step_ = 3;
        EmitCompleted(now, w);
        return llm_ && outcome_ == Outcome::kSuccess ? now + w.rng.Int(1, 4) : kDone;
      }
      default:
        EmitLlmCompleted(now, w);
        return kDone;
    }
  }

 private:
  enum class Outcome : uint8_t { kSuccess, kError, kNoOrchestrator };

  void EmitCompleted(Millis now, World& w) {
    const bool success = outcome_ == Outcome::kSuccess;
    std::string& out = w.Begin("ai_batch_request", now, gateway_->host);
    JsonObject d(out);
    d.Str("type", "ai_batch_request_completed").Str("request_id", request_id_).Str("pipeline", offer_->pipeline);
    d.Str("model_id", offer_->model).Bool("success", success);
    d.Int("tries", outcome_ == Outcome::kNoOrchestrator ? 0 : (w.rng.Chance(0.9) ? 1 : 2)).Int("duration_ms", duration_);
    d.Str("orch_url", orch_ ? std::string_view(orch_->uri) : "").Num("latency_score", w.rng.Uniform(0.5, 1.0));
    d.Num("price_per_unit", orch_ ? w.rng.Uniform(0.00005, 0.0002) : 0.0);
    switch (outcome_) {
      case Outcome::kSuccess: d.Str("error_type", "").Str("error", ""); break;
      case Outcome::kError: d.Str("error_type", "orchestrator_error").Str("error", "inference request failed: 500 Internal Server Error"); break;
      case Outcome::kNoOrchestrator: d.Str("error_type", "no_orchestrators").Str("error", "no orchestrators available"); break;
    }
    d.Str("client_ip", "").Str("orchestrator", orch_ ? std::string_view(orch_->address) : "").Int("timestamp", now).Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kAiBatchRequest));
    JobCounts& job = w.truth.jobs[static_cast<size_t>(org_)][offer_->pipeline];
    ++job.jobs;
    job.success += success ? 1 : 0;
  }

  void EmitLlmCompleted(Millis now, World& w) {
    Rng& r = w.rng;
    const int64_t prompt = r.Int(20, 800), completion = r.Int(10, 512);
    std::string& out = w.Begin("ai_llm_request", now, gateway_->host);
    JsonObject d(out);
    d.Str("type", streaming_ ? "llm_stream_completed" : "llm_request_completed").Str("request_id", request_id_);
    d.Str("model", offer_->model).Str("completion_id", "chatcmpl-" + HexId(r.Next(), 16)).Str("orch_url", orch_->uri);
    d.Bool("streaming", streaming_).Int("prompt_tokens", prompt).Int("completion_tokens", completion);
    d.Int("total_tokens", prompt + completion).Int("max_tokens_requested", 512);
    d.Num("token_utilization", static_cast<double>(completion) / 512.0);
    d.Str("finish_reason", completion == 512 ? "length" : "stop").Int("total_duration_ms", duration_);
    d.Num("tokens_per_second", 1000.0 * static_cast<double>(completion) / static_cast<double>(duration_));
    if (streaming_) d.Int("ttft_ms", r.Int(80, 900)).Str("error", "");
    d.Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kAiLlmRequest));
  }

  Org org_;
  const Gateway* gateway_;
  const Orchestrator* orch_;
  const RequestOffer* offer_;
  std::string request_id_;
  bool llm_ = false, streaming_ = false;
  Outcome outcome_ = Outcome::kSuccess;
  Millis duration_ = 0, completed_at_ = 0;
  int step_ = 0;
};

// ---------------------------------------------------------------- BYOC jobs and workers

void ByocOrchInfo(JsonObject& o, const Orchestrator& orch) { OrchInfo(o, orch.address_lower, orch.uri); }

class ByocJob final : public Actor {
 public:
  ByocJob(World& w, const ByocProvider& provider, Org org, Millis t0)
      : org_(org), gateway_(&w.PickGateway(org)), provider_(provider) {
    request_id_ = HexId(w.rng.Next(), 16);
    ScheduleAttempt(w, t0);
  }

  Millis Step(Millis now, World& w) override {
    const Orchestrator& orch = w.orch(provider_.orch);
    switch (step_++) {
      case 0: {
        std::string& out = w.Begin("job_payment", now, gateway_->host);
        JsonObject d(out);
        d.Str("type", "payment_balance_sync").Str("request_id", request_id_).Str("capability", provider_.capability);
        d.Str("sender", gateway_->sender).Str("orchestrator_addr", orch.address).Str("balance", "120.000");
        d.Str("diff", "10.000").Bool("min_bal_covered", true).Bool("reset_to_zero", false).Close();
        w.Emit(org_, now, LineClass::Accepted(Family::kJobPayment));
        if (w.rng.Chance(0.3)) {
          std::string& auth = w.Begin("job_auth", now, gateway_->host);
          JsonObject a(auth);
          a.Str("type", "job_credential_verify_result").Str("capability", provider_.capability).Str("request_id", request_id_);
          a.Bool("success", true).Null("error");
          ByocOrchInfo(a, orch);
          a.Close();
          w.Emit(org_, now, LineClass::Accepted(Family::kJobAuth));
        }
        return submitted_at_;
      }
      case 1: {
        std::string& out = w.Begin("job_gateway", now, gateway_->host);
        JsonObject d(out);
        d.Str("type", "job_gateway_submitted").Str("request_id", request_id_).Int("attempt_index", attempt_);
        d.Str("capability", provider_.capability);
        ByocOrchInfo(d, orch);
        d.Close();
        w.Emit(org_, now, LineClass::Accepted(Family::kJobGateway));
        return success_ ? worker_done_at_ : completed_at_;
      }
      case 2:
        if (success_) {
          std::string& out = w.Begin("job_orchestrator", now, gateway_->host);
          JsonObject d(out);
          d.Str("type", "job_orchestrator_completed").Str("request_id", request_id_).Str("capability", provider_.capability);
          d.Int("duration_ms", duration_ - (completed_at_ - now)).Int("http_status", 200);
          d.Str("worker_url", "http://10.0.0." + std::to_string(5 + provider_.orch % 200) + ":8000");
          d.Bool("charged_compute", true);
          ByocOrchInfo(d, orch);
          d.Close();
          w.Emit(org_, now, LineClass::Accepted(Family::kJobOrchestrator));
          return completed_at_;
        }
        [[fallthrough]];
      default: {
        EmitCompleted(now, w, orch);
        if (!success_ && attempt_ == 0 && w.rng.Chance(0.6)) {
          ++attempt_;
          ScheduleAttempt(w, now + w.rng.Int(5, 200));
          step_ = 1;
          return submitted_at_;
        }
        return kDone;
      }
    }
  }

 private:
  void ScheduleAttempt(World& w, Millis t) {
    Rng& r = w.rng;
    success_ = r.Chance(0.92);
    submitted_at_ = t + r.Int(2, 20);
    duration_ = success_ ? r.Int(400, 12000) : r.Int(50, 3000);
    completed_at_ = submitted_at_ + duration_;
    worker_done_at_ = completed_at_ - r.Int(20, std::min<Millis>(300, duration_ - 1));
  }

  void EmitCompleted(Millis now, World& w, const Orchestrator& orch) {
    std::string& out = w.Begin("job_gateway", now, gateway_->host);
    JsonObject d(out);
    // Some gateways send the short subtype form (spec/events.md §4.10).
    d.Str("type", w.rng.Chance(0.3) ? "completed" : "job_gateway_completed").Str("request_id", request_id_);
    d.Int("attempt_index", attempt_).Str("capability", provider_.capability).Bool("success", success_);
    if (success_) {
      d.Null("error");
    } else {
      d.Str("error", "orchestrator returned 503: insufficient capacity");
    }
    d.Int("duration_ms", duration_).Int("completed_at", now);
    if (success_) d.Int("http_status", 200);
    d.Bool("streaming", provider_.capability == "openai-chat-completions");
    ByocOrchInfo(d, orch);
    d.Close();
    w.Emit(org_, now, LineClass::Accepted(Family::kJobGateway));
    JobCounts& job = w.truth.jobs[static_cast<size_t>(org_)][std::string(provider_.capability)];
    ++job.jobs;
    job.success += success_ ? 1 : 0;
  }

  Org org_;
  const Gateway* gateway_;
  ByocProvider provider_;
  std::string request_id_;
  int attempt_ = 0, step_ = 0;
  bool success_ = true;
  Millis submitted_at_ = 0, duration_ = 0, completed_at_ = 0, worker_done_at_ = 0;
};

// One BYOC worker's lifecycle, drained from its orchestrator about every 10 minutes; some
// drains are repeated (new envelope id, same data.id): duplicates by spec/events.md §7.1.
class WorkerLifecycle final : public Actor {
 public:
  WorkerLifecycle(World& w, const ByocProvider& provider, Org org)
      : org_(org), gateway_(&w.PickGateway(org)), provider_(provider), redrain_(kWorkerRedrainEvery, w.rng) {}

  Millis Step(Millis now, World& w) override {
    if (now == redrain_at_) {
      w.Begin("worker_lifecycle", now, gateway_->host) += redrain_data_;
      w.Emit(org_, now, LineClass::Duplicate());
      redrain_at_ = kDone;
    } else {
      const Orchestrator& orch = w.orch(provider_.orch);
      const double roll = w.rng.Uniform();
      std::string data;
      JsonObject d(data);
      d.Str("id", "w-" + HexId(w.rng.Next(), 16));
      d.Str("type", roll < 0.85 ? "worker_registered" : (roll < 0.95 ? "worker_capacity_exhausted" : "worker_unregistered"));
      d.Str("capability", provider_.capability);
      d.Str("worker_url", "http://10.0.0." + std::to_string(5 + provider_.orch % 200) + ":8000").Int("price_per_unit", 2500);
      std::string& options = d.Member("worker_options");
      options.push_back('[');
      JsonObject(options).Str("model", provider_.model).Close();
      options.push_back(']');
      ByocOrchInfo(d, orch);
      d.Close();
      w.Begin("worker_lifecycle", now, gateway_->host) += data;
      w.Emit(org_, now, LineClass::Accepted(Family::kWorkerLifecycle));
      if (redrain_.Tick(w.rng)) {
        redrain_data_ = std::move(data);
        redrain_at_ = now + w.rng.Int(kSecond, 2 * kMinute);
      }
      next_drain_ = now + w.rng.Int(8 * kMinute, 12 * kMinute);
    }
    return std::min(next_drain_, redrain_at_);
  }

 private:
  Org org_;
  const Gateway* gateway_;
  ByocProvider provider_;
  Countdown redrain_;
  std::string redrain_data_;
  Millis redrain_at_ = kDone, next_drain_ = kDone;
};

// ---------------------------------------------------------------- ignored traffic

enum class NoiseKind : uint8_t { kWebrtcStats, kPipelinesApi, kSignedTicket, kAppTrace, kScopeTrace, kTokenRefresh };

struct NoiseSpec {
  NoiseKind kind;
  double per_second;  // at scale 1, both orgs
  double daydream_share;
};

constexpr NoiseSpec kNoise[] = {
    {NoiseKind::kWebrtcStats, 8.0, 0.8},  {NoiseKind::kPipelinesApi, 4.0, 0.8},
    {NoiseKind::kSignedTicket, 1.0, 0.3}, {NoiseKind::kAppTrace, 2.0, 0.5},
    {NoiseKind::kScopeTrace, 1.0, 0.6},   {NoiseKind::kTokenRefresh, 0.2, 0.5},
};

class NoiseSource final : public Actor {
 public:
  NoiseSource(const NoiseSpec& spec, Org org, double mean_gap_ms) : spec_(spec), org_(org), mean_gap_ms_(mean_gap_ms) {}

  Millis Step(Millis now, World& w) override {
    static constexpr std::string_view kAppTypes[] = {"app_send_stream_request", "app_capacity_query_response",
                                                     "app_user_page_unload", "app_start_broadcast_stream",
                                                     "app_param_update", "app_receive_first_segment"};
    static constexpr std::string_view kScopeTypes[] = {"stream_heartbeat", "pipeline_load_start", "pipeline_loaded",
                                                       "session_created", "playback_ready", "websocket_connected"};
    Rng& r = w.rng;
    const Gateway& gw = w.PickGateway(org_);
    const std::string stream = "str_" + RandomChars(r, kAlnum, 16);
    LineClass cls = LineClass::Ignored(IgnoreReason::kUnsupportedEventFamily);
    switch (spec_.kind) {
      case NoiseKind::kWebrtcStats: {
        JsonObject d(w.Begin("webrtc_stats", now, gw.host));
        d.Str("stream_id", stream).Num("rtt", r.Uniform(0.01, 0.2)).Int("bytes_received", r.Int(1000, 9000000));
        d.Int("frames_decoded", r.Int(0, 90000)).Num("jitter", r.Uniform(0.001, 0.05)).Close();
        break;
      }
      case NoiseKind::kPipelinesApi: {
        JsonObject d(w.Begin("pipelines_api_request", now, gw.host));
        d.Str("method", r.Chance(0.7) ? "GET" : "POST").Str("path", "/v1/streams/" + stream + "/status");
        d.Int("status", r.Chance(0.97) ? 200 : 404).Int("duration_ms", r.Int(2, 300)).Close();
        break;
      }
      case NoiseKind::kSignedTicket: {
        JsonObject d(w.Begin("create_signed_ticket", now, gw.host));
        d.Str("session_id", "state-" + HexId(r.Next(), 8)).Str("session_status", "continuing");
        d.Str("pipeline", "live-video-to-video").Str("request_id", HexId(r.Next(), 8));
        d.Str("orch_address", w.orch(w.live_orchestrators[0]).address_lower).Str("computed_fee", "100").Int("num_tickets", 1).Close();
        break;
      }
      case NoiseKind::kAppTrace: {
        JsonObject d(w.Begin("stream_trace", now, gw.host));
        d.Str("type", kAppTypes[r.Int(0, std::size(kAppTypes) - 1)]).Str("stream_id", stream).Str("request_id", "");
        d.Str("client_source", "app").Int("timestamp", now).Close();
        cls = LineClass::Ignored(IgnoreReason::kNonCoreApp);
        break;
      }
      case NoiseKind::kScopeTrace: {
        JsonObject d(w.Begin("stream_trace", now, gw.host));
        d.Str("type", kScopeTypes[r.Int(0, std::size(kScopeTypes) - 1)]).Str("client_source", "scope");
        d.Str("session_id", HexId(r.Next(), 12)).Int("timestamp", now).Close();
        cls = LineClass::Ignored(IgnoreReason::kScopeClientNoise);
        break;
      }
      case NoiseKind::kTokenRefresh: {
        JsonObject d(w.Begin("stream_trace", now, gw.host));
        d.Str("type", "stream_orchestrator_token_refresh").Str("stream_id", stream).Str("request_id", HexId(r.Next(), 8));
        d.Int("timestamp", now).Close();
        cls = LineClass::Ignored(IgnoreReason::kUnsupportedStreamTraceType);
        break;
      }
    }
    w.Emit(org_, now, cls);
    return now + 1 + static_cast<Millis>(r.Exponential(mean_gap_ms_));
  }

 private:
  NoiseSpec spec_;
  Org org_;
  double mean_gap_ms_;
};

// ---------------------------------------------------------------- arrivals

// A Poisson process that spawns one actor per arrival.
class Arrivals final : public Actor {
 public:
  using Factory = std::unique_ptr<Actor> (*)(World& w, Millis now, Arrivals& self);
  Arrivals(double mean_gap_ms, Factory factory) : mean_gap_ms_(mean_gap_ms), factory_(factory) {}
  Millis Step(Millis now, World& w) override {
    if (auto actor = factory_(w, now, *this)) w.Spawn(std::move(actor), now);
    return now + 1 + static_cast<Millis>(w.rng.Exponential(mean_gap_ms_));
  }
  SessionKind DrawSessionKind(Rng& rng) {
    if (deck_pos_ == deck_.size()) {
      deck_ = kSessionDeck;
      for (size_t i = deck_.size() - 1; i > 0; --i) std::swap(deck_[i], deck_[rng.Int(0, static_cast<int64_t>(i))]);
      deck_pos_ = 0;
    }
    return deck_[deck_pos_++];
  }

 private:
  double mean_gap_ms_;
  Factory factory_;
  std::array<SessionKind, kSessionDeck.size()> deck_{};
  size_t deck_pos_ = kSessionDeck.size();
};

std::unique_ptr<Actor> NewSession(World& w, Millis now, Arrivals& self) {
  return std::make_unique<LiveSession>(w, self.DrawSessionKind(w.rng), now);
}

std::unique_ptr<Actor> NewBatchJob(World& w, Millis now, Arrivals&) {
  // Demand follows the offers; a few requests ask for a model nobody serves (no orchestrator).
  static const RequestOffer kUnserved{"image-to-video", "stabilityai/stable-video-diffusion-img2vid-xt-1-1"};
  if (w.rng.Chance(0.04)) return std::make_unique<BatchJob>(w, nullptr, kUnserved, now);
  const auto& orchs = w.network.orchestrators();
  for (int attempt = 0; attempt < 64; ++attempt) {
    const Orchestrator& o = orchs[w.rng.Int(0, static_cast<int64_t>(orchs.size()) - 1)];
    if (!o.request_offers.empty()) {
      const RequestOffer& offer = o.request_offers[w.rng.Int(0, static_cast<int64_t>(o.request_offers.size()) - 1)];
      return std::make_unique<BatchJob>(w, &o, offer, now);
    }
  }
  return nullptr;
}

}  // namespace

namespace {

std::unique_ptr<Actor> NewByocJob(World& w, Millis now, Arrivals&) {
  const auto& providers = w.byoc_providers;
  const ByocProvider& provider = providers[w.rng.Int(0, static_cast<int64_t>(providers.size()) - 1)];
  return std::make_unique<ByocJob>(w, provider, w.PickOrg(), now);
}

double MeanGapMs(double per_second) { return 1000.0 / per_second; }

}  // namespace

// ---------------------------------------------------------------- the world

World::World(const Config& cfg, Network net)
    : rng(cfg.seed),
      config(cfg),
      network(std::move(net)),
      request_counter_(static_cast<uint32_t>(rng.Next())),
      duplicate_(kDuplicateEvery, rng),
      out_of_order_(kOutOfOrderEvery, rng),
      late_(kLateEvery, rng),
      malformed_(kMalformedEvery, rng),
      empty_id_(kEmptyIdEvery, rng),
      malformed_copy_(kFaultCopyEvery, rng),
      empty_id_copy_(kFaultCopyEvery, rng) {
  gateways = {{Org::kCloudspe, "", "0x5aE4E42dB3671370a0c25AfF451E7482aAEc3D0B"},
              {Org::kCloudspe, "", "0x3C3fF2e35c7E3b8A8c5f5D6AE1a2B4c9d8E7f6A1"},
              {Org::kDaydream, "10.0.1.42:8935", "0x1D2C3B4A5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B"},
              {Org::kDaydream, "10.0.1.43:8935", "0x7A16fF8270133F063aAb6C9977183D9e72835428"}};
  const auto& orchs = network.orchestrators();
  bool image_provider = false;
  for (int i = 0; i < static_cast<int>(orchs.size()); ++i) {
    if (!orchs[i].live_model.empty()) live_orchestrators.push_back(i);
    for (const RequestOffer& offer : orchs[i].request_offers) {
      if (offer.pipeline == "llm") {
        byoc_providers.push_back({i, "openai-chat-completions", offer.model});
      } else if (offer.pipeline == "text-to-image" && !image_provider) {
        byoc_providers.push_back({i, "image-generation", offer.model});
        image_provider = true;
      }
    }
  }
  const Millis start = config.start_ms;
  const double scale = config.scale;
  for (size_t g = 0; g < gateways.size(); ++g) Spawn(std::make_unique<CapabilityPublisher>(g), start + rng.Int(0, 5 * kSecond));
  if (!live_orchestrators.empty()) {
    Spawn(std::make_unique<Arrivals>(MeanGapMs(kSessionsPerSecond * scale), &NewSession), start + rng.Int(0, kSecond));
  }
  Spawn(std::make_unique<Arrivals>(MeanGapMs(kBatchJobsPerSecond * scale), &NewBatchJob), start + rng.Int(0, kSecond));
  if (!byoc_providers.empty()) {
    Spawn(std::make_unique<Arrivals>(MeanGapMs(kByocJobsPerSecond * scale), &NewByocJob), start + rng.Int(0, kSecond));
    for (const ByocProvider& provider : byoc_providers) {
      for (Org org : {Org::kCloudspe, Org::kDaydream}) {
        Spawn(std::make_unique<WorkerLifecycle>(*this, provider, org), start + rng.Int(0, 10 * kMinute));
      }
    }
  }
  for (const NoiseSpec& spec : kNoise) {
    for (Org org : {Org::kCloudspe, Org::kDaydream}) {
      const double share = org == Org::kDaydream ? spec.daydream_share : 1.0 - spec.daydream_share;
      const double gap = MeanGapMs(spec.per_second * share * scale);
      Spawn(std::make_unique<NoiseSource>(spec, org, gap), start + static_cast<Millis>(rng.Exponential(gap)));
    }
  }
}

const Gateway& World::PickGateway(Org org) {
  // Two gateways per org, in `gateways` order.
  const size_t first = org == Org::kDaydream ? 2 : 0;
  return gateways[first + rng.Int(0, 1)];
}

std::string World::TakeBuffer() {
  if (spare_buffers_.empty()) {
    std::string s;
    s.reserve(2048);
    return s;
  }
  std::string s = std::move(spare_buffers_.back());
  spare_buffers_.pop_back();
  s.clear();
  return s;
}

std::string& World::BeginWithId(std::string_view id, std::string_view family, Millis ts, std::string_view gateway) {
  scratch_ = TakeBuffer();
  scratch_.append("{\"id\":\"").append(id).append("\",\"type\":\"").append(family).append("\",\"timestamp\":\"");
  AppendInt(scratch_, ts);
  scratch_.append("\",\"gateway\":\"").append(gateway).append("\",\"data\":");
  return scratch_;
}

std::string& World::Begin(std::string_view family, Millis ts, std::string_view gateway) {
  std::string uuid;
  uuid.reserve(36);
  AppendUuid(uuid, rng);
  return BeginWithId(uuid, family, ts, gateway);
}

void World::Emit(Org org, Millis ts, LineClass cls) {
  scratch_.push_back('}');
  Queued q;
  q.event_ts = ts;
  q.bytes = std::move(scratch_);
  q.org = org;
  q.cls = cls;
  q.partition = static_cast<int>(rng.Int(0, kPartitions - 1));
  q.offset = offsets_[static_cast<size_t>(org)][q.partition]++;
  Millis delay = 0;
  if (out_of_order_.Tick(rng)) delay = rng.Int(200, 30 * kSecond);
  if (late_.Tick(rng)) delay = rng.Int(kMinute, kMaxDeliveryDelayMs);
  const bool duplicate = duplicate_.Tick(rng), malformed = malformed_.Tick(rng), empty_id = empty_id_.Tick(rng);
  if (duplicate) {
    Queued copy = q;
    copy.cls = LineClass::Duplicate();
    Produce(std::move(copy), std::min(delay + rng.Int(200, kMinute), kMaxDeliveryDelayMs));
  }
  if (malformed) {
    // A partial write: the envelope cut short, after its id.
    Queued broken;
    broken.event_ts = ts;
    broken.bytes = q.bytes.substr(0, rng.Int(46, static_cast<int64_t>(q.bytes.size()) - 2));
    broken.malformed = true;
    broken.cls = LineClass::Rejected(RejectReason::kMalformedJson);
    EmitFaultCopies(broken);
  }
  if (empty_id) {
    std::string& out = BeginWithId("", "stream_trace", ts, "");
    JsonObject d(out);
    OrchInfo(d, "", "");
    d.Str("pipeline_id", "").Str("request_id", NextRequestId()).Str("stream_id", "stream-" + RandomChars(rng, kBase36, 6));
    d.Int("timestamp", ts).Str("type", "gateway_receive_stream_request").Close();
    out.push_back('}');
    Queued rejected;
    rejected.event_ts = ts;
    rejected.bytes = std::move(out);
    rejected.org = org;
    rejected.cls = LineClass::Rejected(RejectReason::kMissingEventId);
    rejected.partition = q.partition;
    rejected.offset = offsets_[static_cast<size_t>(org)][q.partition]++;
    EmitFaultCopies(rejected);
  }
  Produce(std::move(q), delay);
}

// A fault line, and now and then a byte-identical copy of it (a duplicate by SHA-256).
void World::EmitFaultCopies(const Queued& original) {
  if (original.malformed ? malformed_copy_.Tick(rng) : empty_id_copy_.Tick(rng)) {
    Queued copy = original;
    copy.cls = LineClass::Duplicate();
    Produce(std::move(copy), rng.Int(200, kMinute));
  }
  Produce(Queued(original), 0);
}

void World::Produce(Queued q, Millis delay) {
  q.deliver_ts = q.event_ts + delay;
  q.seq = seq_++;
  if (delay == 0) {
    ready_.push_back(std::move(q));
  } else {
    delayed_.push_back(std::move(q));
    std::push_heap(delayed_.begin(), delayed_.end(), LaterDelivery());
  }
}

void World::Spawn(std::unique_ptr<Actor> actor, Millis at) {
  uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<uint32_t>(actors_.size());
    actors_.push_back(std::move(actor));
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
    actors_[slot] = std::move(actor);
  }
  ++live_actors_;
  wakes_.push_back({at, seq_++, slot});
  std::push_heap(wakes_.begin(), wakes_.end(), std::greater<>());
}

void World::FinishAll() {
  if (finished_) return;
  finished_ = true;
  for (auto& actor : actors_) {
    if (actor) actor->Finish(*this);
  }
}

bool World::NextLine(Message& out) {
  for (;;) {
    Queued* next = nullptr;
    bool from_delayed = false;
    if (ready_pos_ < ready_.size()) {
      next = &ready_[ready_pos_++];
    } else {
      ready_.clear();
      ready_pos_ = 0;
      Millis next_wake = wakes_.empty() ? kDone : wakes_.front().ts;
      if (next_wake >= config.end_ms) next_wake = kDone;
      if (!delayed_.empty() && delayed_.front().deliver_ts <= next_wake) {
        std::pop_heap(delayed_.begin(), delayed_.end(), LaterDelivery());
        next = &delayed_.back();
        from_delayed = true;
      } else if (next_wake == kDone) {
        FinishAll();
        return false;
      } else {
        const Wake wake = wakes_.front();
        std::pop_heap(wakes_.begin(), wakes_.end(), std::greater<>());
        wakes_.pop_back();
        const Millis again = actors_[wake.slot]->Step(wake.ts, *this);
        if (again == kDone) {
          actors_[wake.slot]->Finish(*this);
          actors_[wake.slot].reset();
          free_slots_.push_back(wake.slot);
          --live_actors_;
        } else {
          wakes_.push_back({again, seq_++, wake.slot});
          std::push_heap(wakes_.begin(), wakes_.end(), std::greater<>());
        }
        continue;
      }
    }
    if (current_.bytes.capacity() > 0 && spare_buffers_.size() < 64) spare_buffers_.push_back(std::move(current_.bytes));
    current_ = std::move(*next);
    if (from_delayed) delayed_.pop_back();
    truth.CountLine(current_.org, current_.cls);
    out.topic = current_.malformed ? std::string_view() : OrgTopic(current_.org);
    out.bytes = current_.bytes;
    out.malformed = current_.malformed;
    out.event_ts = current_.event_ts;
    out.partition = current_.partition;
    out.offset = current_.offset;
    return true;
  }
}

// ---------------------------------------------------------------- public API

Generator::Generator(std::unique_ptr<World> world) : world_(std::move(world)) {}
Generator::~Generator() = default;

Result<std::unique_ptr<Generator>> Generator::Create(const Config& config) {
  if (!(config.scale > 0) || config.scale > 1e4) return InvalidArgument("scale must be in (0, 10000]");
  if (config.end_ms <= config.start_ms) return InvalidArgument("the end must be after the start");
  if (config.start_ms < 1420070400000) return InvalidArgument("the start must be on or after 2015-01-01");
  Result<Network> network = Network::Embedded();
  if (!network.ok()) return network.status();
  return std::unique_ptr<Generator>(new Generator(std::make_unique<World>(config, std::move(network).value())));
}

bool Generator::Next(Message& out) { return world_->NextLine(out); }
const Truth& Generator::truth() const { return world_->truth; }
size_t Generator::state_size() const { return world_->state_size(); }

void WriteWrapperLine(const Message& msg, std::string& out) {
  if (msg.malformed) {
    out.append(msg.bytes);
  } else {
    out.append("{\"topic\":\"").append(msg.topic).append("\",\"partition\":");
    AppendInt(out, msg.partition);
    out.append(",\"offset\":");
    AppendInt(out, msg.offset);
    out.append(",\"value\":").append(msg.bytes).push_back('}');
  }
  out.push_back('\n');
}

Result<Millis> ParseUtcTime(std::string_view text) {
  // Reads `n` digits at `pos` into `value`.
  auto digits = [&](size_t pos, size_t n, int64_t& value) {
    if (pos + n > text.size()) return false;
    value = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    return true;
  };
  const auto bad = [&] { return InvalidArgument("not a UTC time (YYYY-MM-DD[THH:MM[:SS[.mmm]]][Z]): " + std::string(text)); };
  int64_t y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
  if (!digits(0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(5, 2, mo) || text[7] != '-' || !digits(8, 2, d)) return bad();
  size_t pos = 10;
  if (pos < text.size() && (text[pos] == 'T' || text[pos] == ' ')) {
    if (!digits(pos + 1, 2, h) || pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(pos + 4, 2, mi)) return bad();
    pos += 6;
    if (pos < text.size() && text[pos] == ':') {
      if (!digits(pos + 1, 2, s)) return bad();
      pos += 3;
      if (pos < text.size() && text[pos] == '.') {
        size_t end = pos + 1;
        int scale = 100;
        while (end < text.size() && text[end] >= '0' && text[end] <= '9') {
          ms += (text[end] - '0') * scale;
          scale /= 10;
          ++end;
        }
        if (end == pos + 1) return bad();
        pos = end;
      }
    }
  }
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) ++pos;
  if (pos != text.size() || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return bad();
  return ((DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 24 + h) * 60 + mi) * 60000 + s * 1000 + ms;
}

}  // namespace naap::sim
