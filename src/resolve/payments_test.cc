// LinkPayments on spec/analytics.md §9.1, the public sample file and hand-built link cases.
#include "resolve/payments.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "event/json_span.h"
#include "event/normalize.h"
#include "event/test_util.h"
#include "resolve/capability_registry.h"
#include "resolve/session_test_util.h"

namespace naap::resolve {
namespace {

using testing::At;

constexpr char kSender[] = "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b";
constexpr char kRecipient[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";

Stamped<event::Payment> Payment(std::string id, Millis ts, std::string request_id,
                                std::string payment_session, std::string face_wei, int64_t tickets,
                                std::string sender = kSender) {
  Stamped<event::Payment> s;
  s.header.event_id = std::move(id);
  s.header.event_ts = ts;
  event::Payment& p = s.record;
  p.request_id = std::move(request_id);
  p.payment_session_id = std::move(payment_session);
  p.sender_address = std::move(sender);
  p.recipient_address = kRecipient;
  p.face_value_wei = *Wei::FromString(face_wei);
  p.num_tickets = tickets;
  p.win_prob = *Decimal::Parse("0.0010000000");
  p.expected_fee_wei = *event::ExpectedFeeWei(p.face_value_wei, tickets, p.win_prob);
  p.price_wei_per_pixel = 1618;
  return s;
}

SessionFact Session(std::string key, std::string request_id, Millis first, Millis last,
                    std::string pipeline = "live-video-to-video",
                    std::string model = "streamdiffusion-sdxl-faceid") {
  SessionFact f;
  f.exists = true;
  f.org = "cloudspe";
  f.session_key = std::move(key);
  f.request_id = std::move(request_id);
  f.first_seen = first;
  f.last_seen = last;
  f.pipeline_id = std::move(pipeline);
  f.model_id = std::move(model);
  return f;
}

const PaymentFact& ById(const std::vector<PaymentFact>& facts, std::string_view id) {
  auto it = std::find_if(facts.begin(), facts.end(),
                         [&](const PaymentFact& f) { return f.event_id == id; });
  EXPECT_NE(it, facts.end()) << id;
  return *it;
}

TEST(LinkPayments, WorkedExample91) {
  SessionIndex sessions;
  sessions.Add(Session("cloudspe|stream-ex1|aa11bb22", "aa11bb22", At(14, 59, 20), At(15, 0, 12)));
  std::vector<Stamped<event::Payment>> payments = {
      Payment("e11", At(14, 59, 51), "", "5e55107a", "2400000000000000", 1),
      Payment("e3", At(14, 59, 20, 300), "aa11bb22", "5e55107a", "2400000000000000", 2),
  };
  payments[1].record.manifest_id = "35_streamdiffusion-sdxl-faceid";
  payments[1].record.manifest_capability_id = 35;
  payments[0].record.manifest_id = "d05da5dd";
  const std::vector<PaymentFact> facts = LinkPayments("cloudspe", payments, sessions);
  ASSERT_EQ(facts.size(), 2u);
  EXPECT_EQ(facts[0].event_id, "e11");  // by event_id
  const PaymentFact& e3 = ById(facts, "e3");
  const PaymentFact& e11 = ById(facts, "e11");
  EXPECT_EQ(e3.link_method, "request_id");
  EXPECT_EQ(e11.link_method, "payment_session");
  for (const PaymentFact* f : {&e3, &e11}) {
    EXPECT_EQ(f->session_key, "cloudspe|stream-ex1|aa11bb22");
    EXPECT_EQ(f->link_status, "resolved");
    EXPECT_EQ(f->pipeline_id, "live-video-to-video");
    EXPECT_EQ(f->model_id, "streamdiffusion-sdxl-faceid");
    EXPECT_EQ(f->sender_address, kSender);
    EXPECT_EQ(f->recipient_address, kRecipient);
  }
  EXPECT_EQ(e3.face_value_total_wei.ToString(), "4800000000000000");
  EXPECT_EQ(e11.face_value_total_wei.ToString(), "2400000000000000");
  EXPECT_EQ(e3.fees_wei.ToString(), "4800000000000");
  EXPECT_EQ(e11.fees_wei.ToString(), "2400000000000");
  EXPECT_EQ((e3.fees_wei.value() + e11.fees_wei.value()), 7'200'000'000'000u);
  EXPECT_EQ(e3.manifest_capability_id, 35);
  EXPECT_EQ(e3.num_tickets, 2);
}

TEST(LinkPayments, SampleFileOneByRequestIdFiveByPaymentSession) {
  const std::string file = event::testing::ReadFileOrDie(std::string(NAAP_SHARED_DIR) +
                                                         "/data/livepeer-events-2026-01-08.json");
  std::vector<std::string_view> messages;
  event::JsonArrayElementSpans(file, messages);
  event::testing::DecoderHarness h;
  CapabilityRegistry registry;
  std::map<std::string, SessionRecords> by_key;
  std::vector<Stamped<event::Payment>> payments;
  std::string org;
  for (std::string_view message : messages) {
    const event::Decoded& d = h.File(message);
    const event::Records& r = d.records;
    for (const auto& snap : r.capability_snapshots) registry.Add(r.header, snap);
    for (const auto& t : r.stream_traces) by_key[t.key.session_key].traces.push_back({r.header, t});
    for (const auto& s : r.status_samples)
      by_key[s.key.session_key].status_samples.push_back({r.header, StatusPointOf(s)});
    for (const auto& e : r.stream_events)
      by_key[e.key.session_key].stream_events.push_back({r.header, e});
    for (const auto& i : r.ingest_samples)
      by_key[i.key.session_key].ingest_samples.push_back({r.header, IngestPointOf(i)});
    for (const auto& p : r.payments) payments.push_back({r.header, p});
    if (!r.payments.empty()) org = r.header.org;
  }
  ASSERT_EQ(payments.size(), 6u);
  SessionIndex sessions;
  for (const auto& [key, records] : by_key) {
    if (!key.empty()) sessions.Add(BuildSession(org, key, records, registry));
  }
  const std::vector<PaymentFact> facts = LinkPayments(org, payments, sessions);
  ASSERT_EQ(facts.size(), 6u);
  int by_request = 0, by_payment_session = 0;
  for (const PaymentFact& f : facts) {
    EXPECT_EQ(f.link_status, "resolved") << f.event_id;
    EXPECT_EQ(f.session_key, org + "|stream-o5s73x-mk5zc8fy|db936fab");
    EXPECT_EQ(f.pipeline_id, "live-video-to-video");
    EXPECT_EQ(f.model_id, "streamdiffusion-sdxl-faceid");
    by_request += f.link_method == "request_id";
    by_payment_session += f.link_method == "payment_session";
  }
  EXPECT_EQ(by_request, 1);
  EXPECT_EQ(by_payment_session, 5);
  // The first payment: 2402400000000000 × 2 × 0.0009990010 (events §4.7).
  const PaymentFact& first =
      *std::min_element(facts.begin(), facts.end(),
                        [](const auto& a, const auto& b) { return a.event_ts < b.event_ts; });
  EXPECT_EQ(first.fees_wei.ToString(), "4800000004800");
  EXPECT_EQ(first.face_value_total_wei.ToString(), "4804800000000000");
}

TEST(LinkPayments, PaymentSessionLinksUpToSixtySecondsAfterLastSeen) {
  SessionIndex sessions;
  const Millis last = At(15, 0, 12);
  sessions.Add(Session("cloudspe|s|r1", "r1", At(14, 59, 0), last));
  const std::vector<Stamped<event::Payment>> payments = {
      Payment("a", At(14, 59, 1), "r1", "ps", "1000", 1),
      Payment("b", last + 60'000, "", "ps", "1000", 1),
      Payment("c", last + 60'001, "", "ps", "1000", 1),
      Payment("d", At(14, 59, 30), "", "ps", "1000", 1, "0xother-sender"),  // other group
      Payment("e", At(14, 59, 30), "", "", "1000", 1),                      // no payment session
  };
  const std::vector<PaymentFact> facts = LinkPayments("cloudspe", payments, sessions);
  EXPECT_EQ(ById(facts, "b").link_method, "payment_session");
  EXPECT_EQ(ById(facts, "b").session_key, "cloudspe|s|r1");
  for (const char* id : {"c", "d", "e"}) {
    const PaymentFact& f = ById(facts, id);
    EXPECT_EQ(f.link_method, "unlinked") << id;
    EXPECT_EQ(f.link_status, "unresolved") << id;
    EXPECT_EQ(f.session_key, "") << id;
  }
}

// The manifest hints stand in for each dimension the link leaves empty, one at a time
// (docs/decisions.md "Payments"): both when unlinked, only the pipeline for a session without one.
TEST(LinkPayments, ManifestHintsFillEachDimensionTheLinkLacks) {
  SessionIndex sessions;
  sessions.Add(Session("cloudspe|s|r", "r", At(10, 0, 0), At(10, 5, 0), "", "session-model"));
  std::vector<Stamped<event::Payment>> payments = {Payment("a", At(10, 0, 0), "nope", "ps", "1", 1),
                                                   Payment("b", At(10, 1, 0), "r", "", "1", 1)};
  for (Stamped<event::Payment>& p : payments) {
    p.record.pipeline = "live-video-to-video";
    p.record.model = "streamdiffusion-sdxl";
  }
  const std::vector<PaymentFact> facts = LinkPayments("cloudspe", payments, sessions);
  const PaymentFact& unlinked = ById(facts, "a");
  EXPECT_EQ(unlinked.link_method, "unlinked");
  EXPECT_EQ(unlinked.pipeline_id, "live-video-to-video");
  EXPECT_EQ(unlinked.model_id, "streamdiffusion-sdxl");
  const PaymentFact& linked = ById(facts, "b");
  EXPECT_EQ(linked.link_method, "request_id");
  EXPECT_EQ(linked.session_key, "cloudspe|s|r");
  EXPECT_EQ(linked.pipeline_id, "live-video-to-video");
  EXPECT_EQ(linked.model_id, "session-model");
}

TEST(LinkPayments, SeveralSessionsWithOneRequestId) {
  SessionIndex sessions;
  sessions.Add(Session("cloudspe|s1|r", "r", At(10, 0, 0), At(10, 5, 0), "p1", "m1"));
  sessions.Add(Session("cloudspe|s2|r", "r", At(10, 10, 0), At(10, 20, 0), "p2", "m2"));
  sessions.Add(Session("cloudspe|s3|r", "r", At(10, 30, 0), At(10, 40, 0), "p3", "m3"));
  const std::vector<Stamped<event::Payment>> payments = {
      Payment("contained", At(10, 15, 0), "r", "", "1", 1),
      Payment("nearer-s1", At(10, 7, 0), "r", "", "1", 1),  // 2 min from s1, 3 min from s2
      Payment("tie", At(10, 25, 0), "r", "", "1", 1),       // 5 min from s2 and s3
      Payment("after-all", At(11, 0, 0), "r", "", "1", 1),
  };
  const std::vector<PaymentFact> facts = LinkPayments("cloudspe", payments, sessions);
  EXPECT_EQ(ById(facts, "contained").session_key, "cloudspe|s2|r");
  EXPECT_EQ(ById(facts, "contained").pipeline_id, "p2");
  EXPECT_EQ(ById(facts, "nearer-s1").session_key, "cloudspe|s1|r");
  EXPECT_EQ(ById(facts, "tie").session_key, "cloudspe|s2|r");
  EXPECT_EQ(ById(facts, "after-all").session_key, "cloudspe|s3|r");
  for (const PaymentFact& f : facts) EXPECT_EQ(f.link_method, "request_id");
}

TEST(LinkPayments, PaymentSessionAnchorsLatestBeforeElseEarliestAfter) {
  SessionIndex sessions;
  sessions.Add(Session("cloudspe|s1|r1", "r1", At(10, 0, 0), At(10, 10, 0), "p1", "m1"));
  sessions.Add(Session("cloudspe|s2|r2", "r2", At(10, 20, 0), At(10, 30, 0), "p2", "m2"));
  const std::vector<Stamped<event::Payment>> payments = {
      Payment("early", At(9, 59, 0), "", "ps", "1", 1),  // before every anchor: earliest after
      Payment("a1", At(10, 0, 0), "r1", "ps", "1", 1),
      Payment("mid", At(10, 10, 30), "", "ps", "1", 1),  // latest anchor before: a1 (s1)
      Payment("a2", At(10, 20, 0), "r2", "ps", "1", 1),
      Payment("late", At(10, 25, 0), "", "ps", "1", 1),  // latest anchor before: a2 (s2)
  };
  const std::vector<PaymentFact> facts = LinkPayments("cloudspe", payments, sessions);
  EXPECT_EQ(ById(facts, "early").session_key, "cloudspe|s1|r1");
  EXPECT_EQ(ById(facts, "mid").session_key, "cloudspe|s1|r1");
  EXPECT_EQ(ById(facts, "late").session_key, "cloudspe|s2|r2");
  EXPECT_EQ(ById(facts, "late").pipeline_id, "p2");
}

TEST(LinkPayments, IndependentOfInputOrder) {
  SessionIndex sessions;
  sessions.Add(Session("cloudspe|s1|r1", "r1", At(10, 0, 0), At(10, 10, 0)));
  std::vector<Stamped<event::Payment>> payments;
  for (int i = 0; i < 12; ++i) {
    payments.push_back(Payment("p" + std::to_string(i), At(10, i, 0), i == 3 ? "r1" : "", "ps",
                               "1000000", i % 3 + 1));
  }
  const std::vector<PaymentFact> expected = LinkPayments("cloudspe", payments, sessions);
  std::mt19937 rng(7);
  for (int round = 0; round < 5; ++round) {
    std::shuffle(payments.begin(), payments.end(), rng);
    EXPECT_EQ(LinkPayments("cloudspe", payments, sessions), expected);
  }
}

// With the facts already known, only payments whose link or dimensions change come out.
TEST(LinkPayments, KnownFactsComeOutOnlyWhenTheirLinkChanges) {
  SessionIndex sessions;
  sessions.Add(Session("cloudspe|s1|r1", "r1", At(10, 0, 0), At(10, 10, 0), "p1", "m1"));
  const std::vector<Stamped<event::Payment>> payments = {
      Payment("a", At(10, 1, 0), "r1", "ps", "1", 1), Payment("b", At(10, 5, 0), "", "ps", "1", 1),
      Payment("c", At(10, 11, 30), "", "ps", "1", 1),  // 90 s after last_seen: unlinked
      Payment("d", At(10, 2, 0), "", "", "1", 1),      // no payment session: never linked
  };
  std::map<std::string, PaymentFact, std::less<>> known;
  for (PaymentFact& f : LinkPayments("cloudspe", payments, sessions)) {
    known.emplace(f.event_id, std::move(f));
  }
  const KnownPayment lookup = [&](std::string_view id) -> const PaymentFact* {
    const auto it = known.find(id);
    return it == known.end() ? nullptr : &it->second;
  };
  EXPECT_TRUE(LinkPayments("cloudspe", payments, sessions, lookup).empty());

  // The session grows past "c" and its model changes: a, b and c change, d does not.
  sessions.Add(Session("cloudspe|s1|r1", "r1", At(10, 0, 0), At(10, 11, 0), "p1", "m2"));
  std::vector<PaymentFact> changed = LinkPayments("cloudspe", payments, sessions, lookup);
  ASSERT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed[2].event_id, "c");
  EXPECT_EQ(changed[2].link_method, "payment_session");
  EXPECT_EQ(changed[0].model_id, "m2");
  // What comes out equals what a full link gives.
  const std::vector<PaymentFact> full = LinkPayments("cloudspe", payments, sessions);
  for (const PaymentFact& f : changed) EXPECT_EQ(f, ById(full, f.event_id));

  known.erase("d");  // a payment without a known fact always comes out
  changed = LinkPayments("cloudspe", payments, sessions, lookup);
  ASSERT_FALSE(changed.empty());
  EXPECT_EQ(changed.back().event_id, "d");
}

// Writes index parts as the resolver's checkpoint does, into one buffer.
struct BufferParts {
  std::string bytes;
  uint64_t elements = 0;
  template <typename Elements, typename Encode>
  Status Write(uint64_t id, const Elements& all, Encode encode) {
    ByteWriter w(bytes);
    for (const auto& e : all) {
      encode(w, e);
      ++elements;
    }
    return Status::Ok();
  }
};

std::vector<std::string> KeysWithRequestId(const SessionIndex& index, std::string_view org,
                                           std::string_view request_id) {
  std::vector<std::string> keys;
  for (const SessionIndex::Entry& e : index.SessionsWithRequestId(org, request_id)) {
    keys.push_back(e.first.session_key + " " + *e.second.pipeline_id + " " + *e.second.model_id);
  }
  return keys;
}

TEST(SessionIndex, HoldsEachPipelineAndModelOnceAndReleasesThem) {
  SessionIndex index;
  index.Add(Session("cloudspe|s2|r", "r", At(10, 0, 0), At(10, 5, 0), "p", "m1"));
  index.Add(Session("cloudspe|s1|r", "r", At(10, 0, 0), At(10, 20, 0), "p", "m1"));
  index.Add(Session("cloudspe|s3|q", "q", At(11, 0, 0), At(11, 5, 0), "p", "m2"));
  SessionFact other_org = Session("other|s4|r", "r", At(10, 0, 0), At(10, 5, 0), "p", "m1");
  other_org.org = "other";
  index.Add(other_org);
  SessionFact gone = Session("cloudspe|s5|r", "r", At(10, 0, 0), At(10, 5, 0), "p", "m9");
  gone.exists = false;
  index.Add(gone);  // ignored
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.dimension_count(), 3u);  // p, m1, m2
  EXPECT_EQ(KeysWithRequestId(index, "cloudspe", "r"),
            (std::vector<std::string>{"cloudspe|s1|r p m1", "cloudspe|s2|r p m1"}));
  EXPECT_TRUE(KeysWithRequestId(index, "cloudspe", "none").empty());

  // A new fact of s3 replaces its entry and lets m2 go.
  index.Add(Session("cloudspe|s3|q", "q", At(11, 0, 0), At(11, 9, 0), "p", "m1"));
  EXPECT_EQ(index.size(), 4u);
  EXPECT_EQ(index.dimension_count(), 2u);
  EXPECT_EQ(KeysWithRequestId(index, "cloudspe", "q"),
            (std::vector<std::string>{"cloudspe|s3|q p m1"}));

  // Retention drops the sessions last seen before 10:10 and keeps the copies the others need.
  index.DropBefore(At(10, 10, 0));
  EXPECT_EQ(KeysWithRequestId(index, "cloudspe", "r"),
            (std::vector<std::string>{"cloudspe|s1|r p m1"}));
  EXPECT_TRUE(KeysWithRequestId(index, "other", "r").empty());
  EXPECT_EQ(index.dimension_count(), 2u);
  index.DropBefore(At(12, 0, 0));
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.dimension_count(), 0u);
}

TEST(SessionIndex, CheckpointRoundTripGivesTheSameLinks) {
  SessionIndex index;
  index.Add(Session("cloudspe|s1|r", "r", At(10, 0, 0), At(10, 5, 0), "p1", "m1"));
  index.Add(Session("cloudspe|s2|r", "r", At(10, 10, 0), At(10, 20, 0), "p2", "m1"));
  BufferParts parts;
  ASSERT_TRUE(index.EncodeSettled(5, parts).ok());
  ASSERT_EQ(parts.elements, 2u);

  SessionIndex restored;
  ByteReader r(parts.bytes);
  ASSERT_TRUE(restored.DecodeSettled(r, parts.elements));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(restored.dimension_count(), 3u);
  EXPECT_EQ(KeysWithRequestId(restored, "cloudspe", "r"),
            KeysWithRequestId(index, "cloudspe", "r"));
  const std::vector<Stamped<event::Payment>> payments = {
      Payment("a", At(10, 7, 0), "r", "", "1", 1), Payment("b", At(10, 15, 0), "r", "", "1", 1)};
  EXPECT_EQ(LinkPayments("cloudspe", payments, restored),
            LinkPayments("cloudspe", payments, index));

  ByteReader again(parts.bytes);
  EXPECT_FALSE(restored.DecodeSettled(again, parts.elements));  // keys already held
  ByteReader truncated(std::string_view(parts.bytes).substr(0, parts.bytes.size() - 3));
  SessionIndex bad;
  EXPECT_FALSE(bad.DecodeSettled(truncated, parts.elements));
}

}  // namespace
}  // namespace naap::resolve
