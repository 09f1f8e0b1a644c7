// Resolver: the 65 real events end to end (analytics §9.1 last paragraph), order independence
// (invariant 26), re-attribution by a late snapshot (the §9.2 F11 pattern), and settling: facts
// rebuilt after records were dropped and reloaded equal those built without eviction.
#include "resolve/resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "event/decoder.h"
#include "event/json_span.h"
#include "event/test_util.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"
#include "resolve/session_test_util.h"

namespace naap::resolve {
namespace {

using Slices = std::set<std::pair<std::string, Millis>>;

// A raw log of decoded messages for the resolver's loader, counting the loads.
class MessageLog {
 public:
  void Append(const event::Decoded& decoded) { messages_.push_back(decoded); }
  Eviction Settling(Millis lateness_ms) {
    return {.lateness_ms = lateness_ms,
            .loader = [this](std::string_view org, std::span<const std::string_view> families,
                             Millis from_hour, Millis to_hour, const MessageFn& fn) {
              ++loads_;
              ranges_.emplace_back(from_hour, to_hour);
              for (const event::Decoded& m : messages_) {
                const Millis hour = HourFloor(m.records.header.event_ts);
                if (m.records.header.org == org && hour >= from_hour && hour <= to_hour &&
                    std::ranges::find(families, m.family) != families.end()) {
                  fn(m);
                }
              }
              return Status::Ok();
            }};
  }
  int loads() const { return loads_; }
  // The [from_hour, to_hour] of every load, in order.
  const std::vector<std::pair<Millis, Millis>>& ranges() const { return ranges_; }

 private:
  std::vector<event::Decoded> messages_;
  int loads_ = 0;
  std::vector<std::pair<Millis, Millis>> ranges_;
};

constexpr char kSessionKey[] = "cloudspe|stream-o5s73x-mk5zc8fy|db936fab";
constexpr char kOnChain[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kGpu[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";
constexpr Millis kHour21 = 1'767'906'000'000;  // 2026-01-08T21:00:00Z: every sample event

class RealEvents : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = event::testing::ReadFileOrDie(std::string(NAAP_SHARED_DIR) +
                                          "/data/livepeer-events-2026-01-08.json");
    event::JsonArrayElementSpans(file_, messages_);
    ASSERT_EQ(messages_.size(), 65u);
  }

  // Decodes and adds messages [begin, end) of `order` (indexes into the file).
  void Feed(Resolver& resolver, const std::vector<size_t>& order, size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const event::Decoded& d = harness_.File(messages_[order[i]]);
      ASSERT_EQ(d.cls, event::MessageClass::kAccepted);
      resolver.Add(d);
    }
  }

  // Decodes messages [begin, end) of `order` into `log` and `resolver`.
  void Feed(Resolver& resolver, MessageLog& log, const std::vector<size_t>& order, size_t begin,
            size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const event::Decoded& d = harness_.File(messages_[order[i]]);
      ASSERT_EQ(d.cls, event::MessageClass::kAccepted);
      log.Append(d);
      resolver.Add(d);
    }
  }

  // Every payment fact of the hour, by value.
  static std::vector<PaymentFact> Payments(const Resolver& resolver) {
    std::vector<PaymentFact> out;
    for (const PaymentFact* p : resolver.PaymentsAt("cloudspe", kHour21)) out.push_back(*p);
    return out;
  }

  std::vector<size_t> InOrder() const {
    std::vector<size_t> order(messages_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    return order;
  }

  std::string file_;
  std::vector<std::string_view> messages_;
  event::testing::DecoderHarness harness_;
};

TEST_F(RealEvents, OneSessionAttributedByTheLateSnapshot) {
  Resolver resolver;
  const auto order = InOrder();
  Feed(resolver, order, 0, order.size());
  EXPECT_EQ(resolver.Resolve(), (Slices{{"cloudspe", kHour21}}));

  const auto sessions = resolver.SessionsAt("cloudspe", kHour21);
  ASSERT_EQ(sessions.size(), 1u);
  const SessionFact& s = *sessions[0];
  EXPECT_EQ(s.session_key, kSessionKey);
  EXPECT_TRUE(s.exists);
  EXPECT_EQ(s.session_hour, kHour21);
  EXPECT_EQ(s.status_sample_count, 17);
  ASSERT_EQ(s.selections.size(), 1u);
  EXPECT_EQ(s.attribution.status, "resolved");
  EXPECT_EQ(s.attribution.reason, "matched_first_snapshot");
  EXPECT_EQ(s.attribution.method, "uri_interval_first_after");
  EXPECT_EQ(s.attribution.confidence, "medium");
  EXPECT_EQ(s.orchestrator_address, kOnChain);
  EXPECT_EQ(s.pipeline_id, "live-video-to-video");
  EXPECT_EQ(s.model_id, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(s.gpu_id, kGpu);
  EXPECT_EQ(resolver.FindSession("cloudspe", kSessionKey), &s);

  // All six payments link (§9.1 last paragraph): the first by request_id, the others through its
  // payment session; they take the session's dimensions.
  const auto payments = resolver.PaymentsAt("cloudspe", kHour21);
  ASSERT_EQ(payments.size(), 6u);
  int by_request = 0;
  for (const PaymentFact* p : payments) {
    EXPECT_EQ(p->session_key, kSessionKey) << p->event_id;
    EXPECT_EQ(p->link_status, "resolved");
    EXPECT_EQ(p->pipeline_id, "live-video-to-video");
    EXPECT_EQ(p->model_id, "streamdiffusion-sdxl-faceid");
    by_request += p->link_method == "request_id";
  }
  EXPECT_EQ(by_request, 1);
  EXPECT_TRUE(std::is_sorted(
      payments.begin(), payments.end(),
      [](const PaymentFact* a, const PaymentFact* b) { return a->event_id < b->event_id; }));
  EXPECT_TRUE(resolver.PaymentsAt("cloudspe", kHour21 + kHourMs).empty());

  // The discovery row names the orchestrator by its URL (cold start, like the session).
  const auto discovery = resolver.DiscoveryAt("cloudspe", kHour21);
  ASSERT_EQ(discovery.size(), 1u);
  EXPECT_EQ(discovery[0]->orchestrator_address, kOnChain);
  EXPECT_EQ(discovery[0]->resolution, "uri");
  EXPECT_TRUE(resolver.SessionsAt("cloudspe", kHour21 - kHourMs).empty());
  EXPECT_TRUE(resolver.SessionsAt("cloudspe", kHour21 + kHourMs).empty());
  EXPECT_TRUE(resolver.SessionsAt("other", kHour21).empty());
  EXPECT_EQ(resolver.Orgs(), std::vector<std::string>{"cloudspe"});
  ASSERT_NE(resolver.Registry("cloudspe"), nullptr);
  EXPECT_EQ(resolver.Registry("cloudspe")->snapshot_count(), 1u);

  // Nothing new: nothing to do.
  EXPECT_TRUE(resolver.Resolve().empty());
  EXPECT_EQ(*resolver.FindSession("cloudspe", kSessionKey), s);
}

TEST_F(RealEvents, SnapshotArrivingAfterTheSessionReattributesIt) {
  Resolver resolver;
  const auto order = InOrder();
  Feed(resolver, order, 0, 33);  // everything before the snapshot (message 33)
  EXPECT_EQ(resolver.Resolve(), (Slices{{"cloudspe", kHour21}}));
  const SessionFact before = *resolver.FindSession("cloudspe", kSessionKey);
  EXPECT_EQ(before.attribution.status, "unresolved");
  EXPECT_EQ(before.attribution.reason, "missing_candidate");
  EXPECT_EQ(before.orchestrator_address, "");

  EXPECT_EQ(resolver.DiscoveryAt("cloudspe", kHour21)[0]->resolution, "unresolved");
  Feed(resolver, order, 33, 34);  // the snapshot alone: re-attribution, not new evidence
  EXPECT_EQ(resolver.Resolve(), (Slices{{"cloudspe", kHour21}}));
  const SessionFact* after = resolver.FindSession("cloudspe", kSessionKey);
  EXPECT_EQ(after->attribution.reason, "matched_first_snapshot");
  EXPECT_EQ(after->orchestrator_address, kOnChain);
  EXPECT_EQ(after->gpu_id, kGpu);
  EXPECT_EQ(resolver.DiscoveryAt("cloudspe", kHour21)[0]->orchestrator_address, kOnChain);
  for (const PaymentFact* p : resolver.PaymentsAt("cloudspe", kHour21)) {
    EXPECT_EQ(p->session_key, kSessionKey);
  }
}

TEST_F(RealEvents, AnyOrderAndAnySplitGivesTheSameFacts) {
  Resolver reference;
  const auto in_order = InOrder();
  Feed(reference, in_order, 0, in_order.size());
  reference.Resolve();
  const SessionFact expected = *reference.FindSession("cloudspe", kSessionKey);
  const std::vector<PaymentFact> expected_payments = Payments(reference);
  ASSERT_EQ(expected_payments.size(), 6u);

  auto reversed = in_order;
  std::reverse(reversed.begin(), reversed.end());
  std::vector<std::vector<size_t>> orders = {reversed};
  std::mt19937 rng(20260108);
  for (int i = 0; i < 4; ++i) {
    auto shuffled = in_order;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    orders.push_back(shuffled);
  }
  for (const auto& order : orders) {
    for (size_t step : {size_t{1}, size_t{7}, size_t{30}, order.size()}) {
      Resolver resolver;
      Slices changed;
      for (size_t begin = 0; begin < order.size(); begin += step) {
        Feed(resolver, order, begin, std::min(order.size(), begin + step));
        changed.merge(resolver.Resolve());
      }
      EXPECT_EQ(changed, (Slices{{"cloudspe", kHour21}})) << "step " << step;
      const SessionFact* fact = resolver.FindSession("cloudspe", kSessionKey);
      ASSERT_NE(fact, nullptr);
      EXPECT_EQ(*fact, expected) << "step " << step << " first message " << order[0];
      EXPECT_EQ(Payments(resolver), expected_payments) << "step " << step;
    }
  }
}

// Lateness 0 settles every entity whose records are older than the newest event after each
// Resolve(); later messages reload them from the log. The facts are those of one in-order pass.
TEST_F(RealEvents, SettledEntitiesReloadTheirRecordsAndKeepTheirFacts) {
  Resolver reference;
  const auto in_order = InOrder();
  Feed(reference, in_order, 0, in_order.size());
  reference.Resolve();
  const SessionFact expected = *reference.FindSession("cloudspe", kSessionKey);
  const std::vector<PaymentFact> expected_payments = Payments(reference);

  std::mt19937 rng(7);
  auto shuffled = in_order;
  std::shuffle(shuffled.begin(), shuffled.end(), rng);
  for (const std::vector<size_t>* order : {&in_order, &std::as_const(shuffled)}) {
    for (size_t step : {size_t{1}, size_t{5}}) {
      MessageLog log;
      Resolver resolver({}, log.Settling(0));
      for (size_t begin = 0; begin < order->size(); begin += step) {
        Feed(resolver, log, *order, begin, std::min(order->size(), begin + step));
        resolver.Resolve();
      }
      EXPECT_TRUE(resolver.status().ok());
      EXPECT_GT(log.loads(), 0) << "step " << step;
      ASSERT_NE(resolver.FindSession("cloudspe", kSessionKey), nullptr);
      EXPECT_EQ(*resolver.FindSession("cloudspe", kSessionKey), expected) << "step " << step;
      EXPECT_EQ(Payments(resolver), expected_payments) << "step " << step;
    }
  }
}

// §9.2 shape over two hours: A serves from 10:59:32, the stream swaps away at 11:00:00, B serves
// from 11:55:00 and its first snapshot arrives at 12:04:00 (9 min later: first_after).
class LateSnapshot : public ::testing::Test {
 protected:
  static constexpr char kA[] = "0xaaaa000000000000000000000000000000000001";
  static constexpr char kALocal[] = "0xaaaa0000000000000000000000000000000000f1";
  static constexpr char kAUri[] = "https://orch-a.example.com:8935";
  static constexpr char kB[] = "0xbbbb000000000000000000000000000000000002";
  static constexpr char kBLocal[] = "0xbbbb0000000000000000000000000000000000f2";
  static constexpr char kBUri[] = "https://orch-b.example.com:8935";
  static constexpr char kKey[] = "daydream|stream-ex2|bb33cc44";

  static event::Decoded Message(std::string id, Millis ts, std::string family,
                                std::string subtype) {
    event::Decoded d;
    d.cls = event::MessageClass::kAccepted;
    d.org = "daydream";
    d.event_id = id;
    d.family = family;
    auto& h = d.records.header;
    h.org = "daydream";
    h.event_id = std::move(id);
    h.event_ts = ts;
    h.family = std::move(family);
    h.subtype = std::move(subtype);
    h.ingested_at = ts;
    return d;
  }

  static event::Decoded Snapshot(std::string id, Millis ts, const char* address, const char* local,
                                 const char* uri, const char* gpu) {
    event::Decoded d = Message(std::move(id), ts, "network_capabilities", "");
    auto& s = d.records.capability_snapshots.emplace_back();
    s.orch_address = address;
    s.orch_local_address = local;
    s.alias_address = local;
    s.orch_uri = uri;
    s.orch_uri_norm = uri;
    s.version = "0.8.8";
    event::HardwareRow hw;
    hw.offered_name = "live-video-to-video";
    hw.capability_id = 35;
    hw.canonical_pipeline = "live-video-to-video";
    hw.model_id = "streamdiffusion-sdxl";
    hw.hardware_present = true;
    hw.gpu_slot = 0;
    hw.gpu_id = gpu;
    s.hardware.push_back(hw);
    return d;
  }

  static event::Decoded Trace(std::string id, Millis ts, std::string type,
                              event::OrchInfo orch = {}) {
    event::Decoded d = Message(std::move(id), ts, "stream_trace", type);
    auto& t = d.records.stream_traces.emplace_back();
    t.key = {"stream-ex2", "bb33cc44", kKey};
    t.orch = std::move(orch);
    return d;
  }

  static event::Decoded Status(std::string id, Millis ts, double fps, event::OrchInfo orch) {
    event::Decoded d = Message(std::move(id), ts, "ai_stream_status", "status");
    auto& s = d.records.status_samples.emplace_back();
    s.key = {"stream-ex2", "bb33cc44", kKey};
    s.state = "ONLINE";
    s.is_running = true;
    s.output_fps = fps;
    s.restart_count = 0;
    s.pipeline = "live-video-to-video";
    s.model = "streamdiffusion-sdxl";
    s.orch = std::move(orch);
    return d;
  }

  static std::vector<event::Decoded> SessionMessages() {
    using testing::At;
    using testing::Orch;
    const auto a = Orch(kALocal, kAUri);
    const auto b = Orch(kBLocal, kBUri);
    std::vector<event::Decoded> m;
    m.push_back(Trace("F2", At(10, 59, 30), "gateway_receive_stream_request"));
    m.push_back(Trace("F3", At(10, 59, 32), "gateway_send_first_ingest_segment", a));
    m.push_back(Trace("F5", At(10, 59, 37), "gateway_receive_few_processed_segments", a));
    m.push_back(Status("F6", At(10, 59, 40), 15.0, a));
    m.push_back(Trace("F8", At(11, 0, 0), "orchestrator_swap", a));
    m.push_back(Status("F9", At(11, 55, 0), 18.0, b));
    m.push_back(Status("F10", At(11, 56, 0), 17.0, b));
    m.push_back(Trace("F12", At(11, 57, 0), "gateway_ingest_stream_closed", b));
    // A payment of the stream, reported late (hour 13:00); it links by request id.
    event::Decoded payment = Message("PAY1", At(13, 10, 0), "create_new_payment", "");
    auto& p = payment.records.payments.emplace_back();
    p.request_id = "bb33cc44";
    p.payment_session_id = "5e55107a";
    p.sender_address = "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b";
    p.num_tickets = 1;
    m.push_back(std::move(payment));
    return m;
  }

  // Snapshots of A and B, then 24 sessions (statuses, a payment, an AI-batch and an LLM record
  // each) starting between 09:00 and 13:00, over 8 job request ids.
  static std::vector<event::Decoded> GeneratedEntities(std::mt19937& rng) {
    using testing::At;
    using testing::Orch;
    std::vector<event::Decoded> messages;
    messages.push_back(Snapshot("SA", At(9, 0, 0), kA, kALocal, kAUri, "GPU-a"));
    messages.push_back(Snapshot("SB", At(11, 30, 0), kB, kBLocal, kBUri, "GPU-b"));
    for (int i = 0; i < 24; ++i) {
      const std::string n = std::to_string(i);
      const event::StreamKey key{"stream-" + n, "req-" + n, "daydream|stream-" + n + "|req-" + n};
      const auto orch = i % 2 == 0 ? Orch(kALocal, kAUri) : Orch(kBLocal, kBUri);
      Millis ts = At(9, 0, 0) + static_cast<Millis>(rng() % (4 * kHourMs));
      event::Decoded request = Trace("R" + n, ts, "gateway_receive_stream_request");
      event::Decoded ingest = Trace("G" + n, ts + 2'000, "gateway_send_first_ingest_segment", orch);
      for (auto* m : {&request, &ingest}) {
        m->records.stream_traces[0].key = key;
        messages.push_back(std::move(*m));
      }
      for (int k = 0; k < 6; ++k) {
        ts += static_cast<Millis>(rng() % (40 * 60'000));
        event::Decoded status =
            Status("S" + n + "-" + std::to_string(k), ts, 10.0 + static_cast<double>(k), orch);
        status.records.status_samples[0].key = key;
        messages.push_back(std::move(status));
      }
      event::Decoded payment = Message("P" + n, ts + 30'000, "create_new_payment", "");
      auto& p = payment.records.payments.emplace_back();
      p.request_id = i % 3 == 0 ? key.request_id : "";
      p.payment_session_id = "ps-" + std::to_string(i % 4);
      p.sender_address = "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b";
      p.num_tickets = 1;
      messages.push_back(std::move(payment));
      event::Decoded completed =
          Message("B" + n, ts, "ai_batch_request", "ai_batch_request_completed");
      auto& c = completed.records.batch_events.emplace_back();
      c.request_id = "job-" + std::to_string(i % 8);
      c.success = true;
      c.orch_url = c.orch_url_norm = i % 2 == 0 ? kAUri : kBUri;
      messages.push_back(std::move(completed));
      event::Decoded llm = Message("L" + n, ts + 1'000, "ai_llm_request", "llm_request_completed");
      auto& l = llm.records.llm_events.emplace_back();
      l.request_id = "job-" + std::to_string(i % 8);
      l.total_tokens = i;
      messages.push_back(std::move(llm));
    }
    return messages;
  }

  // The received (10:19) and completed (10:20) records of AI-batch job "job-1", sent to B's URL.
  static std::vector<event::Decoded> BatchJobMessages() {
    using testing::At;
    std::vector<event::Decoded> m;
    m.push_back(Message("A1", At(10, 19, 0), "ai_batch_request", "ai_batch_request_received"));
    m.back().records.batch_events.emplace_back().request_id = "job-1";
    m.push_back(Message("A2", At(10, 20, 0), "ai_batch_request", "ai_batch_request_completed"));
    auto& completion = m.back().records.batch_events.emplace_back();
    completion.request_id = "job-1";
    completion.pipeline = "live-video-to-video";
    completion.success = true;
    completion.orch_url = completion.orch_url_norm = kBUri;
    return m;
  }

  // The sessions, payments and AI-batch jobs of the hours [from_hour, 16:00].
  static auto FactsOf(const Resolver& r, Millis from_hour) {
    std::vector<SessionFact> sessions;
    std::vector<PaymentFact> payments;
    std::vector<AiBatchJobFact> jobs;
    for (Millis hour = from_hour; hour <= HourFloor(testing::At(16, 0, 0)); hour += kHourMs) {
      for (const SessionFact* f : r.SessionsAt("daydream", hour)) sessions.push_back(*f);
      for (const PaymentFact* f : r.PaymentsAt("daydream", hour)) payments.push_back(*f);
      for (const AiBatchJobFact* f : r.AiBatchJobsAt("daydream", hour)) jobs.push_back(*f);
    }
    return std::make_tuple(sessions, payments, jobs);
  }
};

// A payment resolved before any record of its session is unlinked; the session's arrival relinks
// it by request id and marks the payment's hour.
TEST_F(LateSnapshot, APaymentResolvedBeforeItsSessionIsLinkedOnceTheSessionArrives) {
  using testing::At;
  const Millis h13 = HourFloor(At(13, 0, 0));
  std::vector<event::Decoded> messages = SessionMessages();
  const event::Decoded payment = messages.back();
  messages.pop_back();
  Resolver resolver;
  resolver.Add(payment);
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h13}}));
  ASSERT_EQ(resolver.PaymentsAt("daydream", h13).size(), 1u);
  EXPECT_EQ(resolver.PaymentsAt("daydream", h13)[0]->link_method, "unlinked");

  for (const auto& m : messages) resolver.Add(m);
  EXPECT_TRUE(resolver.Resolve().contains({"daydream", h13}));
  ASSERT_EQ(resolver.PaymentsAt("daydream", h13).size(), 1u);
  EXPECT_EQ(resolver.PaymentsAt("daydream", h13)[0]->session_key, kKey);
  EXPECT_EQ(resolver.PaymentsAt("daydream", h13)[0]->link_method, "request_id");
}

// A snapshot older than a chain's first gives the chain's first version another id: every hour
// that sighted the version is changed (its observed-inventory rows carry the id), not only the
// late snapshot's own hour.
TEST_F(LateSnapshot, AnEarlierFirstSnapshotChangesEveryHourOfItsVersion) {
  using testing::At;
  const Millis h10 = HourFloor(At(10, 0, 0)), h12 = h10 + 2 * kHourMs, h14 = h10 + 4 * kHourMs;
  const char* gpu = "GPU-aaaaaaaa-0000-0000-0000-000000000001";
  Resolver resolver;
  resolver.Add(Snapshot("F12", At(12, 5, 0), kA, kALocal, kAUri, gpu));
  resolver.Add(Snapshot("F14", At(14, 5, 0), kA, kALocal, kAUri, gpu));
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h12}, {"daydream", h14}}));
  resolver.Add(Snapshot("F10", At(10, 5, 0), kA, kALocal, kAUri, gpu));
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h10}, {"daydream", h12}, {"daydream", h14}}));
}

// A late sighting inside a version changes the matches between it and the version's next
// sighting: the selection an hour after the last sighting before it was stale, and is exact now.
TEST_F(LateSnapshot, ALateSightingInsideAVersionRematchesTheSelectionsBeforeTheNextSighting) {
  using testing::At;
  const char* gpu_a = "GPU-aaaaaaaa-0000-0000-0000-000000000001";
  const char* gpu_b = "GPU-bbbbbbbb-0000-0000-0000-000000000002";
  const auto add_all = [&](Resolver& r, bool with_late) {
    r.Add(Snapshot("A09", At(9, 0, 0), kA, kALocal, kAUri, gpu_a));
    r.Add(Snapshot("A14", At(14, 0, 0), kA, kALocal, kAUri, gpu_a));
    r.Add(Snapshot("B11", At(11, 50, 0), kB, kBLocal, kBUri, gpu_b));
    for (const auto& m : SessionMessages()) r.Add(m);
    if (with_late) r.Add(Snapshot("A10", At(10, 58, 0), kA, kALocal, kAUri, gpu_a));
  };
  Resolver resolver;
  add_all(resolver, false);
  resolver.Resolve();
  ASSERT_EQ(resolver.FindSession("daydream", kKey)->selections.size(), 3u);
  EXPECT_EQ(resolver.FindSession("daydream", kKey)->selections[1].decision.status, "stale");

  resolver.Add(Snapshot("A10", At(10, 58, 0), kA, kALocal, kAUri, gpu_a));
  EXPECT_TRUE(resolver.Resolve().contains({"daydream", HourFloor(At(10, 0, 0))}));
  const SessionFact* after = resolver.FindSession("daydream", kKey);
  EXPECT_EQ(after->selections[1].decision.status, "resolved");
  EXPECT_EQ(after->selections[1].decision.attributed_orch_address, kA);

  Resolver in_order;
  add_all(in_order, true);
  in_order.Resolve();
  EXPECT_EQ(*in_order.FindSession("daydream", kKey), *after);
}

TEST_F(LateSnapshot, ReattributesTheSessionAndMarksItsHours) {
  using testing::At;
  const Millis h10 = HourFloor(At(10, 0, 0)), h11 = h10 + kHourMs, h12 = h11 + kHourMs;
  const Millis h13 = h12 + kHourMs;
  Resolver resolver;
  resolver.Add(Snapshot("F1", At(10, 59, 0), kA, kALocal, kAUri,
                        "GPU-aaaaaaaa-0000-0000-0000-000000000001"));
  for (const auto& m : SessionMessages()) resolver.Add(m);
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h10}, {"daydream", h11}, {"daydream", h13}}));
  ASSERT_EQ(resolver.PaymentsAt("daydream", h13).size(), 1u);
  EXPECT_EQ(resolver.PaymentsAt("daydream", h13)[0]->session_key, kKey);
  EXPECT_EQ(resolver.PaymentsAt("daydream", h13)[0]->link_method, "request_id");
  const SessionFact before = *resolver.FindSession("daydream", kKey);
  ASSERT_EQ(before.selections.size(), 3u);
  EXPECT_EQ(before.selections[1].decision.attributed_orch_address, kA);
  EXPECT_EQ(before.attribution.status, "ambiguous");  // B unknown, two identities
  EXPECT_EQ(before.orchestrator_address, "");

  // A snapshot of an unrelated orchestrator, and A re-announced long after its selections: only
  // the observed-inventory hour.
  resolver.Add(Snapshot("C1", At(12, 4, 0), "0xcccc000000000000000000000000000000000003",
                        "0xcccc0000000000000000000000000000000000f3", "https://orch-c.example.com",
                        "GPU-c"));
  resolver.Add(Snapshot("F1b", At(12, 4, 30), kA, kALocal, kAUri,
                        "GPU-aaaaaaaa-0000-0000-0000-000000000001"));
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h12}}));
  EXPECT_EQ(*resolver.FindSession("daydream", kKey), before);

  // B's first snapshot, 9 min after S3: S3 resolves (cold start) and the session moves to B in
  // every hour it contributes to, its linked payment's hour included.
  resolver.Add(Snapshot("F11", At(12, 4, 0), kB, kBLocal, kBUri,
                        "GPU-bbbbbbbb-0000-0000-0000-000000000002"));
  EXPECT_EQ(resolver.Resolve(),
            (Slices{{"daydream", h10}, {"daydream", h11}, {"daydream", h12}, {"daydream", h13}}));
  const SessionFact* after = resolver.FindSession("daydream", kKey);
  EXPECT_EQ(after->attribution.status, "resolved");
  EXPECT_EQ(after->attribution.reason, "matched_first_snapshot");
  EXPECT_EQ(after->orchestrator_address, kB);
  EXPECT_EQ(after->gpu_id, "GPU-bbbbbbbb-0000-0000-0000-000000000002");
  EXPECT_TRUE(after->confirmed_swapped);
  EXPECT_EQ(resolver.SessionsAt("daydream", h10), std::vector<const SessionFact*>{after});
  EXPECT_EQ(resolver.SessionsAt("daydream", h11), std::vector<const SessionFact*>{after});
  EXPECT_TRUE(resolver.SessionsAt("daydream", h12).empty());

  // Invariant 26: the snapshot first gives the same fact.
  Resolver in_order;
  in_order.Add(Snapshot("F1", At(10, 59, 0), kA, kALocal, kAUri,
                        "GPU-aaaaaaaa-0000-0000-0000-000000000001"));
  in_order.Add(Snapshot("F11", At(12, 4, 0), kB, kBLocal, kBUri,
                        "GPU-bbbbbbbb-0000-0000-0000-000000000002"));
  for (const auto& m : SessionMessages()) in_order.Add(m);
  in_order.Resolve();
  EXPECT_EQ(*in_order.FindSession("daydream", kKey), *after);
}

TEST_F(LateSnapshot, NewRecordsMarkTheirHourAndTheSessionHourOnlyWhenNeeded) {
  using testing::At;
  using testing::Orch;
  const Millis h10 = HourFloor(At(10, 0, 0)), h11 = h10 + kHourMs;
  Resolver resolver;
  for (const auto& m : SessionMessages()) resolver.Add(m);
  resolver.Resolve();
  // An ingest sample changes only its session hour's transport.
  event::Decoded ingest = Message("I1", At(11, 55, 10), "stream_ingest_metrics", "");
  auto& sample = ingest.records.ingest_samples.emplace_back();
  sample.key = {"stream-ex2", "bb33cc44", kKey};
  sample.conn_quality = "good";
  resolver.Add(ingest);
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h11}}));
  EXPECT_EQ(resolver.FindSession("daydream", kKey)->hours.back().ingest.conn_good, 1);
  // A status sample in the middle of the session (same identity and hints) changes its hour's
  // samples and session-level counts (read by the session_hour row), not the dimensions.
  resolver.Add(Status("F9b", At(11, 55, 30), 16.0, Orch(kBLocal, kBUri)));
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h10}, {"daydream", h11}}));
  // Unkeyed records and other classes are dropped.
  event::Decoded unkeyed = Trace("U1", At(11, 0, 5), "gateway_receive_stream_request");
  unkeyed.records.stream_traces[0].key = {};
  resolver.Add(unkeyed);
  event::Decoded ignored = Trace("I2", At(11, 0, 6), "gateway_receive_stream_request");
  ignored.cls = event::MessageClass::kIgnored;
  resolver.Add(ignored);
  EXPECT_TRUE(resolver.Resolve().empty());
}

// Settled sessions are re-attributed by a late snapshot and take late records: both reload.
TEST_F(LateSnapshot, SettledSessionReloadsForALateSnapshotAndALateRecord) {
  using testing::At;
  using testing::Orch;
  const Millis h10 = HourFloor(At(10, 0, 0));
  MessageLog log;
  Resolver resolver({}, log.Settling(kHourMs));
  const auto add = [&](const event::Decoded& m) {
    log.Append(m);
    resolver.Add(m);
  };
  add(Snapshot("F1", At(10, 59, 0), kA, kALocal, kAUri, "GPU-aaaaaaaa-0000-0000-0000-000000000001"));
  for (const auto& m : SessionMessages()) add(m);
  // An unrelated stream at 15:00 moves the data clock: the session (newest record 13:10 with its
  // payment, 11:57 without) settles.
  event::Decoded other = Trace("X1", At(15, 0, 0), "gateway_receive_stream_request");
  other.records.stream_traces[0].key = {"stream-x", "x", "daydream|stream-x|x"};
  add(other);
  resolver.Resolve();
  EXPECT_EQ(log.loads(), 0);
  const SessionFact settled = *resolver.FindSession("daydream", kKey);

  add(Snapshot("F11", At(12, 4, 0), kB, kBLocal, kBUri, "GPU-bbbbbbbb-0000-0000-0000-000000000002"));
  EXPECT_EQ(resolver.Resolve().count({"daydream", h10}), 1u);
  EXPECT_EQ(log.loads(), 1);
  const SessionFact* after = resolver.FindSession("daydream", kKey);
  EXPECT_NE(*after, settled);
  EXPECT_EQ(after->orchestrator_address, kB);
  EXPECT_EQ(after->status_sample_count, 3);

  // The reloaded session stays held until the cutoff advances; then a late status sample.
  event::Decoded later = Trace("X2", At(16, 0, 0), "gateway_ingest_stream_closed");
  later.records.stream_traces[0].key = other.records.stream_traces[0].key;
  add(later);
  resolver.Resolve();
  EXPECT_EQ(log.loads(), 1);
  add(Status("F9b", At(11, 55, 30), 16.0, Orch(kBLocal, kBUri)));
  resolver.Resolve();
  EXPECT_EQ(log.loads(), 2);
  EXPECT_TRUE(resolver.status().ok());

  Resolver reference;
  reference.Add(Snapshot("F1", At(10, 59, 0), kA, kALocal, kAUri,
                         "GPU-aaaaaaaa-0000-0000-0000-000000000001"));
  reference.Add(Snapshot("F11", At(12, 4, 0), kB, kBLocal, kBUri,
                         "GPU-bbbbbbbb-0000-0000-0000-000000000002"));
  for (const auto& m : SessionMessages()) reference.Add(m);
  reference.Add(Status("F9b", At(11, 55, 30), 16.0, Orch(kBLocal, kBUri)));
  reference.Resolve();
  EXPECT_EQ(resolver.FindSession("daydream", kKey)->status_sample_count, 4);
  EXPECT_EQ(*resolver.FindSession("daydream", kKey), *reference.FindSession("daydream", kKey));
  const Millis h13 = h10 + 3 * kHourMs;
  ASSERT_EQ(resolver.PaymentsAt("daydream", h13).size(), 1u);
  EXPECT_EQ(*resolver.PaymentsAt("daydream", h13)[0], *reference.PaymentsAt("daydream", h13)[0]);

  // Without a loader, settled records cannot come back: the failure is reported.
  Resolver no_loader({}, Eviction{.lateness_ms = 0, .loader = nullptr});
  for (const auto& m : SessionMessages()) no_loader.Add(m);
  no_loader.Add(other);
  no_loader.Resolve();
  no_loader.Add(Status("F9c", At(11, 55, 40), 16.0, Orch(kBLocal, kBUri)));
  no_loader.Resolve();
  EXPECT_FALSE(no_loader.status().ok());
}

// A snapshot older than the first of its version, with the same content, renames the version
// (§2.1): a settled session that chose it is decided again from its fact, without reloading its
// records, and equals the session of an ingest in order.
TEST_F(LateSnapshot, ARenamedVersionRedecidesASettledSessionWithoutItsRecords) {
  using testing::At;
  const char* gpu = "GPU-aaaaaaaa-0000-0000-0000-000000000001";
  event::Decoded other = Trace("X1", At(15, 0, 0), "gateway_receive_stream_request");
  other.records.stream_traces[0].key = {"stream-x", "x", "daydream|stream-x|x"};
  MessageLog log;
  Resolver resolver({}, log.Settling(kHourMs));
  const auto add = [&](const event::Decoded& m) {
    log.Append(m);
    resolver.Add(m);
  };
  add(Snapshot("F1", At(10, 59, 0), kA, kALocal, kAUri, gpu));
  for (const auto& m : SessionMessages()) add(m);
  add(other);  // moves the data clock: the session settles
  resolver.Resolve();
  const SessionFact settled = *resolver.FindSession("daydream", kKey);
  ASSERT_EQ(settled.selections[0].decision.status, "resolved");

  add(Snapshot("F0", At(10, 30, 0), kA, kALocal, kAUri, gpu));
  resolver.Resolve();
  EXPECT_EQ(log.loads(), 0);
  const SessionFact* after = resolver.FindSession("daydream", kKey);
  EXPECT_NE(after->selections[0].decision.capability_version_id,
            settled.selections[0].decision.capability_version_id);
  EXPECT_EQ(after->selections[0].decision.attribution_snapshot_ts, At(10, 30, 0));
  EXPECT_TRUE(resolver.status().ok());

  Resolver in_order;
  in_order.Add(Snapshot("F0", At(10, 30, 0), kA, kALocal, kAUri, gpu));
  in_order.Add(Snapshot("F1", At(10, 59, 0), kA, kALocal, kAUri, gpu));
  for (const auto& m : SessionMessages()) in_order.Add(m);
  in_order.Add(other);
  in_order.Resolve();
  EXPECT_EQ(*after, *in_order.FindSession("daydream", kKey));
}

// A late snapshot attributes a settled AI-batch job again from its fact, without its records, as
// an ingest in order would.
TEST_F(LateSnapshot, ASettledAiBatchJobIsAttributedAgainWithoutItsRecords) {
  using testing::At;
  const std::vector<event::Decoded> job_messages = BatchJobMessages();
  event::Decoded other = Trace("X1", At(15, 0, 0), "gateway_receive_stream_request");
  other.records.stream_traces[0].key = {"stream-x", "x", "daydream|stream-x|x"};
  const event::Decoded snapshot = Snapshot("F11", At(10, 25, 0), kB, kBLocal, kBUri,
                                           "GPU-bbbbbbbb-0000-0000-0000-000000000002");
  MessageLog log;
  Resolver resolver({}, log.Settling(kHourMs));
  for (const auto& m : job_messages) {
    log.Append(m);
    resolver.Add(m);
  }
  log.Append(other);
  resolver.Add(other);
  resolver.Resolve();  // the job settles
  const Millis h10 = HourFloor(At(10, 0, 0));
  ASSERT_EQ(resolver.AiBatchJobsAt("daydream", h10).size(), 1u);
  EXPECT_EQ(resolver.AiBatchJobsAt("daydream", h10)[0]->selection.decision.status, "unresolved");

  log.Append(snapshot);
  resolver.Add(snapshot);
  EXPECT_TRUE(resolver.Resolve().contains({"daydream", h10}));
  EXPECT_EQ(log.loads(), 0);
  ASSERT_EQ(resolver.AiBatchJobsAt("daydream", h10).size(), 1u);
  const AiBatchJobFact& job = *resolver.AiBatchJobsAt("daydream", h10)[0];
  EXPECT_EQ(job.selection.decision.attributed_orch_address, kB);

  Resolver in_order;
  in_order.Add(snapshot);
  for (const auto& m : job_messages) in_order.Add(m);
  in_order.Add(other);
  in_order.Resolve();
  EXPECT_EQ(job, *in_order.AiBatchJobsAt("daydream", h10)[0]);
}

// A payment session id that recurs hours later (ids collide): the settled group reloads the hours
// that hold its records, not every hour in between.
TEST_F(LateSnapshot, ReloadReadsOnlyTheHoursThatHoldTheEntitysRecords) {
  using testing::At;
  const auto payment = [](std::string id, Millis ts) {
    event::Decoded m = Message(std::move(id), ts, "create_new_payment", "");
    auto& p = m.records.payments.emplace_back();
    p.payment_session_id = "5e55107a";
    p.sender_address = "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b";
    p.num_tickets = 1;
    return m;
  };
  event::Decoded other = Trace("X1", At(13, 0, 0), "gateway_receive_stream_request");
  other.records.stream_traces[0].key = {"stream-x", "x", "daydream|stream-x|x"};
  const std::vector<event::Decoded> first = {payment("P1", At(9, 10, 0)),
                                             payment("P2", At(9, 40, 0)), other};
  const event::Decoded recurring = payment("P3", At(15, 0, 0));

  MessageLog log;
  Resolver resolver({}, log.Settling(kHourMs));
  for (const auto& m : first) {
    log.Append(m);
    resolver.Add(m);
  }
  resolver.Resolve();  // the group (newest 09:40) settles: the cutoff is 12:00
  EXPECT_EQ(log.loads(), 0);
  log.Append(recurring);
  resolver.Add(recurring);
  resolver.Resolve();
  EXPECT_TRUE(resolver.status().ok());
  const Millis h9 = HourFloor(At(9, 0, 0));
  const Millis h15 = HourFloor(At(15, 0, 0));
  EXPECT_EQ(log.ranges(), (std::vector<std::pair<Millis, Millis>>{{h9, h9}, {h15, h15}}));

  Resolver reference;
  for (const auto& m : first) reference.Add(m);
  reference.Add(recurring);
  reference.Resolve();
  EXPECT_EQ(FactsOf(resolver, h9), FactsOf(reference, h9));
  EXPECT_EQ(resolver.PaymentsAt("daydream", h9).size(), 2u);
  EXPECT_EQ(resolver.PaymentsAt("daydream", h15).size(), 1u);
}

// A watermark behind the data clock (an input still working through its backlog) holds settling
// back: the late sample finds the session's records held, and no reload is needed; once the
// watermark passes, settling resumes.
TEST_F(LateSnapshot, WatermarkBehindTheDataClockHoldsSettlingBack) {
  using testing::At;
  using testing::Orch;
  MessageLog log;
  Resolver resolver({}, log.Settling(kHourMs));
  const auto add = [&](const event::Decoded& m) {
    log.Append(m);
    resolver.Add(m);
  };
  resolver.SetWatermark(At(12, 0, 0));
  for (const auto& m : SessionMessages()) add(m);
  event::Decoded other = Trace("X1", At(15, 0, 0), "gateway_receive_stream_request");
  other.records.stream_traces[0].key = {"stream-x", "x", "daydream|stream-x|x"};
  add(other);
  resolver.Resolve();
  add(Status("F9b", At(11, 55, 30), 16.0, Orch(kBLocal, kBUri)));
  resolver.Resolve();
  EXPECT_EQ(log.loads(), 0);  // clock min(15:00, 12:00) − 1 h: the session (to 13:10) is held

  resolver.SetWatermark(At(15, 0, 0));
  resolver.Resolve();  // cutoff 14:00: the session settles
  add(Status("F9c", At(11, 55, 40), 16.0, Orch(kBLocal, kBUri)));
  resolver.Resolve();
  EXPECT_EQ(log.loads(), 1);
  EXPECT_TRUE(resolver.status().ok());
  EXPECT_EQ(resolver.FindSession("daydream", kKey)->status_sample_count, 5);
}

// A backfill: older records arrive after newer ones settled the org up to 14:00, their input's
// watermark far behind. Settling follows the watermark back, so the backfilled session settles
// behind it (its records leave memory; a later sample reloads them) and its facts stay right.
TEST_F(LateSnapshot, AWatermarkBehindTheLastSettlingSettlesTheBackfillBehindIt) {
  using testing::At;
  using testing::Orch;
  MessageLog log;
  Resolver resolver({}, log.Settling(kHourMs));
  Resolver reference;
  const auto add = [&](const event::Decoded& m) {
    log.Append(m);
    resolver.Add(m);
    reference.Add(m);
  };
  event::Decoded newer = Trace("X1", At(15, 0, 0), "gateway_receive_stream_request");
  newer.records.stream_traces[0].key = {"stream-x", "x", "daydream|stream-x|x"};
  add(newer);
  resolver.Resolve();                    // settled up to 14:00
  resolver.SetWatermark(At(14, 20, 0));  // the backfill has reached 14:20
  for (const auto& m : SessionMessages()) add(m);
  resolver.Resolve();  // cutoff 13:20: the session (to 13:10) settles
  add(Status("F9b", At(11, 55, 30), 16.0, Orch(kBLocal, kBUri)));
  resolver.Resolve();
  EXPECT_EQ(log.loads(), 1);
  EXPECT_TRUE(resolver.status().ok());
  reference.Resolve();
  for (Millis h = HourFloor(At(10, 0, 0)); h <= HourFloor(At(15, 0, 0)); h += kHourMs) {
    EXPECT_EQ(FactsOf(resolver, h), FactsOf(reference, h));
  }
}

// Generated sessions, payments and AI-batch/LLM jobs over five hours, delivered shuffled in
// chunks with lateness 0 (every entity not touched by the newest event settles after each
// Resolve, and per-hour facts freeze an hour later, to be thawed by late records and reads):
// every fact equals the one built without eviction.
TEST_F(LateSnapshot, GeneratedEntitiesGiveTheSameFactsWithAndWithoutSettlingAndRefreezing) {
  using testing::At;
  std::mt19937 rng(42);
  std::vector<event::Decoded> messages = GeneratedEntities(rng);
  const auto facts_of = [](const Resolver& r) { return FactsOf(r, HourFloor(At(8, 0, 0))); };
  Resolver reference;
  for (const auto& m : messages) reference.Add(m);
  reference.Resolve();
  const auto expected = facts_of(reference);
  ASSERT_EQ(std::get<0>(expected).size() >= 24, true);
  ASSERT_EQ(std::get<2>(expected).size(), 8u);

  for (int round = 0; round < 3; ++round) {
    std::shuffle(messages.begin(), messages.end(), rng);
    MessageLog log;
    Resolver resolver({}, log.Settling(0));
    for (size_t begin = 0; begin < messages.size(); begin += 9) {
      for (size_t i = begin; i < std::min(messages.size(), begin + 9); ++i) {
        log.Append(messages[i]);
        resolver.Add(messages[i]);
      }
      resolver.Resolve();
    }
    // A discovery row at 18:00, read by none of the facts compared, moves the clock on: every
    // compared hour freezes, and the reads below thaw them.
    event::Decoded later = Message("D-later", At(18, 0, 0), "discovery_results", "");
    later.records.discovery_rows.emplace_back().orch_url_norm = kAUri;
    log.Append(later);
    resolver.Add(later);
    resolver.Resolve();
    EXPECT_TRUE(resolver.status().ok());
    EXPECT_GT(log.loads(), 0);
    const size_t frozen = resolver.FrozenHours();
    EXPECT_GT(frozen, 0u);
    EXPECT_EQ(facts_of(resolver), expected) << "round " << round;
    EXPECT_LT(resolver.FrozenHours(), frozen);  // the reads thawed hours
    resolver.Refreeze();
    EXPECT_EQ(resolver.FrozenHours(), frozen);
    EXPECT_EQ(facts_of(resolver), expected) << "round " << round;
  }
}

// Retention: Prune forgets every fact of the hours before the cut, frozen or not, and nothing
// after it; it marks nothing, and a kept entity still takes a late record.
TEST_F(LateSnapshot, PruneForgetsTheHoursBeforeTheCutAndNothingAfter) {
  using testing::At;
  std::mt19937 rng(7);
  MessageLog log;
  Resolver resolver({}, log.Settling(0));
  for (const event::Decoded& m : GeneratedEntities(rng)) {
    log.Append(m);
    resolver.Add(m);
  }
  resolver.Resolve();
  ASSERT_GT(resolver.FrozenHours(), 0u);
  const Millis h8 = HourFloor(At(8, 0, 0)), cut = HourFloor(At(12, 0, 0));
  const auto kept = FactsOf(resolver, cut);
  ASSERT_FALSE(std::get<0>(kept).empty());
  ASSERT_FALSE(std::get<2>(kept).empty());
  // Sessions and payments lie on both sides of the cut (the AI-batch jobs complete after it).
  const auto all = FactsOf(resolver, h8);
  ASSERT_GT(std::get<0>(all).size(), std::get<0>(kept).size());
  ASSERT_GT(std::get<1>(all).size(), std::get<1>(kept).size());
  resolver.Refreeze();

  resolver.Prune("daydream", cut + 5 * 60'000);  // floored to its hour
  resolver.Prune("unknown-org", cut);
  EXPECT_EQ(FactsOf(resolver, h8), kept);
  EXPECT_TRUE(resolver.Resolve().empty());
  EXPECT_TRUE(resolver.status().ok());

  // A late status sample of a kept session reloads its records and counts.
  const SessionFact session = std::get<0>(kept).back();
  ASSERT_TRUE(session.last_seen.has_value());
  event::Decoded late =
      Status("S-late", *session.last_seen - 1, 9.0, testing::Orch(kALocal, kAUri));
  late.records.status_samples[0].key = {session.stream_id, session.request_id, session.session_key};
  log.Append(late);
  resolver.Add(late);
  EXPECT_FALSE(resolver.Resolve().empty());
  EXPECT_TRUE(resolver.status().ok());
  ASSERT_NE(resolver.FindSession("daydream", session.session_key), nullptr);
  EXPECT_EQ(resolver.FindSession("daydream", session.session_key)->status_sample_count,
            session.status_sample_count + 1);
}

// AI-batch and BYOC jobs, workers, auth and BYOC payments: each record marks its own hour, late
// related records and a late snapshot rebuild what they change.
TEST_F(LateSnapshot, JobsWorkersAndPerRecordFacts) {
  using testing::At;
  using testing::Orch;
  const Millis h10 = HourFloor(At(10, 0, 0)), h11 = h10 + kHourMs;
  Resolver resolver;

  event::Decoded byoc = Message("G1", At(10, 30, 0), "job_gateway", "job_gateway_completed");
  auto& attempt = byoc.records.byoc_job_events.emplace_back();
  attempt.request_id = "r1";
  attempt.capability = {"My-Cap", "my-cap"};
  attempt.success = true;
  attempt.orch = Orch(kBLocal, "");
  attempt.is_job = true;
  event::Decoded auth = Message("U1", At(11, 5, 0), "job_auth", "job_auth_ok");
  auth.records.auth_events.emplace_back().capability_name = "my-cap";
  event::Decoded byoc_payment = Message("P1", At(11, 6, 0), "job_payment", "create_payment");
  byoc_payment.records.byoc_payments.emplace_back().payment_type = "create_payment";
  for (const auto& m : BatchJobMessages()) resolver.Add(m);
  for (const auto* m : {&byoc, &auth, &byoc_payment}) resolver.Add(*m);
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h10}, {"daydream", h11}}));

  const auto jobs = resolver.AiBatchJobsAt("daydream", h10);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0]->received_at, At(10, 19, 0));
  EXPECT_EQ(jobs[0]->selection.decision.status, "unresolved");
  ASSERT_EQ(resolver.ByocJobsAt("daydream", h10).size(), 1u);
  EXPECT_EQ(resolver.ByocJobsAt("daydream", h10)[0]->worker_model, "");
  EXPECT_EQ(resolver.AuthAt("daydream", h11).size(), 1u);
  EXPECT_EQ(resolver.ByocPaymentsAt("daydream", h11).size(), 1u);
  EXPECT_TRUE(resolver.AuthAt("daydream", h10).empty());

  // A worker announced before the job (same capability ci and reported address), the
  // orchestrator side naming the job's worker, and the LLM record arrive late.
  event::Decoded worker = Message("W1", At(9, 10, 0), "worker_lifecycle", "");
  auto& announced = worker.records.worker_snapshots.emplace_back();
  announced.worker_event_id = "w-1";
  announced.capability = {"my-cap", "my-cap"};
  announced.orch = Orch(kBLocal, "");
  announced.worker_url = announced.worker_url_norm = "http://w1:9000";
  announced.model = "worker-model";
  event::Decoded orchestrator = Message("O1", At(10, 29, 0), "job_orchestrator", "job_orch");
  auto& served = orchestrator.records.orchestrator_job_events.emplace_back();
  served.request_id = "r1";
  served.worker_url = served.worker_url_norm = "http://w1:9000";
  event::Decoded llm = Message("L1", At(10, 20, 0), "ai_llm_request", "llm_request_completed");
  auto& answer = llm.records.llm_events.emplace_back();
  answer.request_id = "job-1";
  answer.model = "llama";
  answer.total_tokens = 42;
  for (const auto* m : {&worker, &orchestrator, &llm}) resolver.Add(*m);
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h10 - kHourMs}, {"daydream", h10}}));
  const ByocJobFact& job = *resolver.ByocJobsAt("daydream", h10)[0];
  EXPECT_EQ(job.worker_event_id, "W1");
  EXPECT_EQ(job.worker_model, "worker-model");
  EXPECT_EQ(job.worker_url_norm, "http://w1:9000");
  EXPECT_EQ(job.model, "worker-model");
  ASSERT_TRUE(resolver.AiBatchJobsAt("daydream", h10)[0]->llm.has_value());
  EXPECT_EQ(resolver.AiBatchJobsAt("daydream", h10)[0]->llm->total_tokens, 42);
  ASSERT_EQ(resolver.WorkersAt("daydream", h10 - kHourMs).size(), 1u);

  // B's first snapshot 6 min after the AI-batch selection (received_at): the job resolves.
  resolver.Add(Snapshot("F11", At(10, 25, 0), kB, kBLocal, kBUri,
                        "GPU-bbbbbbbb-0000-0000-0000-000000000002"));
  EXPECT_EQ(resolver.Resolve(), (Slices{{"daydream", h10}}));
  const AiBatchJobFact& batch = *resolver.AiBatchJobsAt("daydream", h10)[0];
  EXPECT_EQ(batch.selection.decision.status, "resolved");
  EXPECT_EQ(batch.selection.decision.reason, "matched_first_snapshot");
  EXPECT_EQ(batch.selection.decision.attributed_orch_address, kB);

  EXPECT_TRUE(resolver.Resolve().empty());
  EXPECT_EQ(resolver.AuthAt("daydream", h11).size(), 1u);
}

// The resolver hands AttributeByocJob only the two workers the §2.6 lookup can pick (the latest of
// the key in the look-back window, and the latest with the job's worker URL): every job's fact
// equals AttributeByocJob over every worker of the org, with workers before, inside and after each
// job's window, with and without the job's URL, in other letter cases and of other keys.
TEST_F(LateSnapshot, ByocJobsPickTheSameWorkerAsALookupOverEveryWorker) {
  using testing::At;
  using testing::Orch;
  std::mt19937_64 rng(11);
  const Millis t0 = At(10, 0, 0);
  const std::vector<std::string> urls = {"http://w1:9000", "http://w2:9000", ""};
  const std::vector<std::pair<std::string, std::string>> capabilities = {
      {"my-cap", "my-cap"}, {"My-Cap", "my-cap"}, {"other", "other"}};
  const std::vector<std::string> addresses = {kBLocal, kALocal};
  auto pick = [&rng](const auto& v) { return v[rng() % v.size()]; };
  Resolver resolver;
  std::vector<Millis> worker_hours;
  std::vector<event::Decoded> jobs;
  std::vector<Stamped<event::OrchestratorJobEvent>> orchestrator_records;
  for (int i = 0; i < 300; ++i) {
    const Millis ts = t0 + static_cast<Millis>(rng() % (40 * kDayMs));
    if (i % 3 != 0) {
      event::Decoded worker = Message("W" + std::to_string(i), ts, "worker_lifecycle", "");
      auto& w = worker.records.worker_snapshots.emplace_back();
      w.worker_event_id = "w-" + std::to_string(i);
      const auto [capability, norm] = pick(capabilities);
      w.capability = {capability, norm};
      w.orch = Orch(pick(addresses), "");
      w.worker_url = w.worker_url_norm = pick(urls);
      w.model = "model-" + std::to_string(i);
      worker_hours.push_back(HourFloor(ts));
      resolver.Add(worker);
    } else {
      event::Decoded job =
          Message("G" + std::to_string(i), ts, "job_gateway", "job_gateway_completed");
      auto& j = job.records.byoc_job_events.emplace_back();
      j.request_id = "r" + std::to_string(i % 4);  // shared payload ids: several named URLs
      const auto [capability, norm] = pick(capabilities);
      j.capability = {capability, norm};
      j.orch = Orch(pick(addresses), "");
      j.is_job = true;
      jobs.push_back(job);
      resolver.Add(job);
      if (i % 2 == 0) {
        event::Decoded orchestrator =
            Message("O" + std::to_string(i), ts - 1000, "job_orchestrator", "job_orch");
        auto& o = orchestrator.records.orchestrator_job_events.emplace_back();
        o.request_id = j.request_id;
        o.worker_url = o.worker_url_norm = pick(urls);
        orchestrator_records.push_back({orchestrator.records.header, o});
        resolver.Add(orchestrator);
      }
    }
    if (i % 50 == 49) resolver.Resolve();
  }
  resolver.Resolve();

  std::vector<const WorkerFact*> every_worker;
  std::sort(worker_hours.begin(), worker_hours.end());
  worker_hours.erase(std::unique(worker_hours.begin(), worker_hours.end()), worker_hours.end());
  for (const Millis hour : worker_hours) {
    for (const WorkerFact* w : resolver.WorkersAt("daydream", hour)) every_worker.push_back(w);
  }
  ASSERT_EQ(every_worker.size(), 200u);
  int with_worker = 0, with_url = 0;
  for (const event::Decoded& job : jobs) {
    const auto& record = job.records.byoc_job_events[0];
    const ByocJobFact* fact = nullptr;
    for (const ByocJobFact* f :
         resolver.ByocJobsAt("daydream", HourFloor(job.records.header.event_ts))) {
      if (f->job_id == job.records.header.event_id) fact = f;
    }
    ASSERT_NE(fact, nullptr);
    std::optional<NamedWorker> named;
    for (const auto& o : orchestrator_records) {
      if (o.record.request_id == record.request_id) {
        KeepLatestNamedWorker(o.header.event_ts, o.header.event_id, o.record, named);
      }
    }
    ByocJobFact expected = ByocJobOf(job.records.header, record);
    AttributeByocJob(expected, named ? &*named : nullptr, every_worker,
                     *resolver.Registry("daydream"));
    EXPECT_EQ(*fact, expected) << job.records.header.event_id;
    with_worker += !fact->worker_event_id.empty();
    with_url += !fact->worker_url_norm.empty() && !fact->worker_event_id.empty();
  }
  EXPECT_GT(with_worker, 30);
  EXPECT_GT(with_url, 10);
}

}  // namespace
}  // namespace naap::resolve
