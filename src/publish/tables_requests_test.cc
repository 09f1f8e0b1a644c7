// The payment, request, BYOC and discovery tables (spec/analytics.md §4.8–§4.11) over a fake
// FactsView, with hand-worked sums.
#include "publish/tables_requests.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "base/decimal.h"
#include "publish/table_test_util.h"
#include "resolve/capability_registry.h"
#include "resolve/facts_view_test_util.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"
#include "resolve/session.h"

namespace naap::publish {
namespace {

constexpr Millis kHour = 1'773'151'200'000;  // 2026-03-10T14:00:00Z
constexpr char kGateway[] = "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b";
constexpr char kOrch[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";

template <typename Fact>
std::vector<const Fact*> InHour(const std::vector<Fact>& facts, std::string_view org, Millis hour,
                                Millis Fact::*ts) {
  std::vector<const Fact*> out;
  for (const Fact& f : facts) {
    if (f.org == org && HourFloor(f.*ts) == hour) out.push_back(&f);
  }
  return out;
}

// Returns the facts it holds in the order they were added (shuffled by some tests).
class FakeFacts : public resolve::testing::NoFacts {
 public:
  std::vector<resolve::PaymentFact> payments;
  std::vector<resolve::AiBatchJobFact> ai_jobs;
  std::vector<resolve::ByocJobFact> byoc_jobs;
  std::vector<resolve::AuthFact> auth;
  std::vector<resolve::ByocPaymentFact> byoc_payments;
  std::vector<resolve::DiscoveryFact> discovery;

  std::vector<std::string> Orgs() const override { return {"cloudspe"}; }
  std::vector<const resolve::PaymentFact*> PaymentsAt(std::string_view org,
                                                      Millis hour) const override {
    return InHour(payments, org, hour, &resolve::PaymentFact::event_ts);
  }
  std::vector<const resolve::AiBatchJobFact*> AiBatchJobsAt(std::string_view org,
                                                            Millis hour) const override {
    return InHour(ai_jobs, org, hour, &resolve::AiBatchJobFact::completed_at);
  }
  std::vector<const resolve::ByocJobFact*> ByocJobsAt(std::string_view org,
                                                      Millis hour) const override {
    return InHour(byoc_jobs, org, hour, &resolve::ByocJobFact::completed_at);
  }
  std::vector<const resolve::AuthFact*> AuthAt(std::string_view org, Millis hour) const override {
    return InHour(auth, org, hour, &resolve::AuthFact::event_ts);
  }
  std::vector<const resolve::ByocPaymentFact*> ByocPaymentsAt(std::string_view org,
                                                              Millis hour) const override {
    return InHour(byoc_payments, org, hour, &resolve::ByocPaymentFact::event_ts);
  }
  std::vector<const resolve::DiscoveryFact*> DiscoveryAt(std::string_view org,
                                                         Millis hour) const override {
    return InHour(discovery, org, hour, &resolve::DiscoveryFact::event_ts);
  }
};

resolve::PaymentFact Payment(std::string id, Millis ts, std::string sender, std::string recipient,
                             std::string pipeline, uint64_t face_total, uint64_t fees,
                             int64_t tickets, bool linked, double price = 1618) {
  resolve::PaymentFact p;
  p.event_id = std::move(id);
  p.org = "cloudspe";
  p.event_ts = ts;
  p.sender_address = std::move(sender);
  p.recipient_address = std::move(recipient);
  p.pipeline_id = std::move(pipeline);
  p.face_value_total_wei = *Wei::FromU128(face_total);
  p.fees_wei = *Wei::FromU128(fees);
  p.num_tickets = tickets;
  p.price_wei_per_pixel = price;
  p.link_status = linked ? "resolved" : "unresolved";
  p.link_method = linked ? "request_id" : "unlinked";
  return p;
}

// §9.1's E3 and E11, one unlinked payment of another gateway to another orchestrator, and one
// payment in the next hour.
FakeFacts PaymentFacts() {
  FakeFacts f;
  f.payments = {
      Payment("e3", kHour + 3'560'300, kGateway, kOrch, "live-video-to-video",
              4'800'000'000'000'000, 4'800'000'000'000, 2, true),
      Payment("e11", kHour + 3'591'000, kGateway, kOrch, "live-video-to-video",
              2'400'000'000'000'000, 2'400'000'000'000, 1, true),
      Payment("x1", kHour + 10, "0xg2", "0xo2", "", 1'000'000, 1'000, 1, false, 0.25),
      Payment("next", kHour + kHourMs, kGateway, kOrch, "live-video-to-video", 5, 5, 1, true),
  };
  return f;
}

TEST(PaymentsTable, WorkedExample91Row) {
  const FakeFacts facts = PaymentFacts();
  const std::vector<PaymentsRow> rows = BuildPaymentsRows(facts, "cloudspe", kHour);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key.gateway_address, "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b");
  const PaymentsRow& r = rows[0];
  EXPECT_EQ(r.window_start, kHour);
  EXPECT_EQ(r.org, "cloudspe");
  EXPECT_EQ(r.key.orchestrator_address, kOrch);
  EXPECT_EQ(r.key.pipeline_id, "live-video-to-video");
  EXPECT_EQ(r.sums.event_count, 2);
  EXPECT_EQ(r.sums.linked_count, 2);
  EXPECT_EQ(r.sums.ticket_count, 3);
  EXPECT_EQ(r.sums.face_value_wei, 7'200'000'000'000'000u);
  EXPECT_EQ(r.sums.fees_wei, 7'200'000'000'000u);
  EXPECT_EQ(r.sums.price_wei_per_pixel_sum_micro, 3'236'000'000);
  EXPECT_EQ(r.sums.price_samples, 2);
  EXPECT_EQ(DerivePayments(r.sums).avg_price_wei_per_pixel, 1618.0);
  EXPECT_EQ(rows[1].key.gateway_address, "0xg2");
  EXPECT_EQ(rows[1].sums.linked_count, 0);
  EXPECT_EQ(rows[1].sums.price_wei_per_pixel_sum_micro, 250'000);
  EXPECT_EQ(DerivePayments(PaymentsSums{}).avg_price_wei_per_pixel, std::nullopt);
}

// Invariant 21: Σfees by orchestrator = by gateway = by pipeline = total, over a window.
TEST(PaymentsTable, FeesAgreeAcrossEveryGrouping) {
  const FakeFacts facts = PaymentFacts();
  std::map<std::string, unsigned __int128> by_orch, by_gateway, by_pipeline;
  unsigned __int128 total_from_facts = 0;
  for (const auto& p : facts.payments) total_from_facts += p.fees_wei.value();
  for (Millis hour : {kHour, kHour + kHourMs}) {
    for (const PaymentsRow& r : BuildPaymentsRows(facts, "cloudspe", hour)) {
      by_orch[r.key.orchestrator_address] += r.sums.fees_wei;
      by_gateway[r.key.gateway_address] += r.sums.fees_wei;
      by_pipeline[r.key.pipeline_id] += r.sums.fees_wei;
    }
  }
  auto sum = [](const std::map<std::string, unsigned __int128>& m) {
    unsigned __int128 s = 0;
    for (const auto& [k, v] : m) s += v;
    return s;
  };
  EXPECT_EQ(total_from_facts, 7'200'000'001'005u);
  EXPECT_EQ(sum(by_orch), total_from_facts);
  EXPECT_EQ(sum(by_gateway), total_from_facts);
  EXPECT_EQ(sum(by_pipeline), total_from_facts);
}

resolve::AiBatchJobFact AiJob(std::string request_id, Millis ts, std::string outcome,
                              std::string pipeline, std::optional<bool> success) {
  resolve::AiBatchJobFact j;
  j.org = "cloudspe";
  j.request_id = std::move(request_id);
  j.completed_at = ts;
  j.gateway = "gw";
  j.selection_outcome = std::move(outcome);
  j.canonical_pipeline = std::move(pipeline);
  j.success = success;
  return j;
}

FakeFacts JobFacts() {
  FakeFacts f;
  // Two llm jobs on one orchestrator (one joined to an LLM fact), one text-to-image job without
  // an orchestrator, one job whose pipeline is not allow-listed.
  resolve::AiBatchJobFact llm1 = AiJob("r1", kHour + 1, "selected", "llm", true);
  llm1.attributed_model = "meta-llama/Llama-3.1-8B-Instruct";
  llm1.orch_url_norm = "https://llm-orch";
  llm1.selection.decision.status = "hardware_less";
  llm1.selection.decision.attributed_orch_address = kOrch;
  llm1.capability_id = 33;
  llm1.duration_ms = 800;
  llm1.price_per_unit = 0.0000125;
  resolve::LlmFact llm;
  llm.total_tokens = 120;
  llm.tokens_per_second = 45.5;
  llm.ttft_ms = 210;
  llm1.llm = llm;
  resolve::AiBatchJobFact llm2 = llm1;
  llm2.request_id = "r2";
  llm2.success = false;
  llm2.duration_ms = 1200;
  llm2.price_per_unit = std::nullopt;
  llm2.llm = std::nullopt;
  resolve::AiBatchJobFact none = AiJob("r3", kHour + 2, "no_orch", "text-to-image", false);
  none.capability_id = 27;
  resolve::AiBatchJobFact odd = AiJob("r4", kHour + 3, "unknown", "byoc-name", std::nullopt);
  f.ai_jobs = {llm1, llm2, none, odd};

  resolve::ByocJobFact b;
  b.job_id = "job-1";
  b.org = "cloudspe";
  b.completed_at = kHour + 4;
  b.gateway = "gw";
  b.capability = "openai-chat-completions";
  b.model = "m";
  b.orch_url_norm = "https://byoc";
  b.selection_outcome = "selected";
  b.selection.decision.status = "stale";
  b.selection.decision.attributed_orch_address = kOrch;
  b.success = true;
  b.worker_price_per_unit = 2.5;
  f.byoc_jobs = {b};
  return f;
}

TEST(RequestDemandTable, BuiltinAndByocRows) {
  const FakeFacts facts = JobFacts();
  const std::vector<RequestDemandRow> rows = BuildRequestDemandRows(facts, "cloudspe", kHour);
  ASSERT_EQ(rows.size(), 4u);
  // Key order: builtin "" < builtin llm < builtin text-to-image < byoc.
  EXPECT_EQ(rows[0].key.capability_name, "");  // not in the allow-list
  EXPECT_EQ(rows[0].attributes.capability_id, std::nullopt);
  EXPECT_EQ(rows[0].sums.unknown_count, 1);

  const RequestDemandRow& llm = rows[1];
  EXPECT_EQ(llm.key.execution_mode, "request");
  EXPECT_EQ(llm.key.capability_family, "builtin");
  EXPECT_EQ(llm.key.capability_name, "llm");
  EXPECT_EQ(llm.key.canonical_model, "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(llm.key.orchestrator_address, kOrch);
  EXPECT_EQ(llm.key.orchestrator_uri, "https://llm-orch");
  EXPECT_EQ(llm.attributes.capability_id, 33);
  EXPECT_EQ(llm.attributes.canonical_pipeline, "llm");
  const RequestDemandSums& s = llm.sums;
  EXPECT_EQ(s.job_count, 2);  // the LLM join does not multiply jobs (invariant 20)
  EXPECT_EQ(s.selected_count, 2);
  EXPECT_EQ(s.attributed_count, 2);
  EXPECT_EQ(s.success_count, 1);
  EXPECT_EQ(s.failure_count, 1);
  EXPECT_EQ(s.duration_ms_sum, 2000);
  EXPECT_EQ(s.duration_samples, 2);
  EXPECT_EQ(s.price_sum_micro, 13);  // 0.0000125 → 12.5 µ, rounded to 13
  EXPECT_EQ(s.price_samples, 1);
  EXPECT_EQ(s.llm_request_count, 1);
  EXPECT_EQ(s.llm_success_count, 1);
  EXPECT_EQ(s.llm_total_tokens_sum, 120);
  EXPECT_EQ(s.llm_tokens_per_second_sum_milli, 45'500);
  EXPECT_EQ(s.llm_ttft_ms_sum, 210);
  const RequestDemandDerived d = DeriveRequestDemand(s);
  EXPECT_EQ(d.success_rate, 0.5);
  EXPECT_EQ(d.avg_duration_ms, 1000.0);
  EXPECT_EQ(d.attributed_rate, 1.0);
  EXPECT_EQ(d.llm_success_rate, 1.0);
  EXPECT_EQ(d.avg_tokens_per_sec, 45.5);
  EXPECT_EQ(d.avg_ttft_ms, 210.0);

  const RequestDemandRow& t2i = rows[2];
  EXPECT_EQ(t2i.key.capability_name, "text-to-image");
  EXPECT_EQ(t2i.key.orchestrator_address, "");
  EXPECT_EQ(t2i.attributes.capability_id, 27);
  EXPECT_EQ(t2i.sums.no_orch_count, 1);
  EXPECT_EQ(t2i.sums.failure_count, 1);
  EXPECT_EQ(t2i.sums.attributed_count, 0);

  const RequestDemandRow& byoc = rows[3];
  EXPECT_EQ(byoc.key.capability_family, "byoc");
  EXPECT_EQ(byoc.key.capability_name, "openai-chat-completions");
  EXPECT_EQ(byoc.key.canonical_model, "m");
  EXPECT_EQ(byoc.key.orchestrator_address, kOrch);
  EXPECT_EQ(byoc.attributes.capability_id, 37);
  EXPECT_EQ(byoc.attributes.canonical_pipeline, "");
  EXPECT_EQ(byoc.sums.selected_count, 1);
  EXPECT_EQ(byoc.sums.attributed_count, 0);  // stale is not attributed
  EXPECT_EQ(byoc.sums.price_sum_micro, 2'500'000);
}

TEST(ByocTables, AuthPaymentsAndCurrency) {
  FakeFacts facts;
  facts.auth = {{"a1", "cloudspe", kHour + 1, "cap", "s", true},
                {"a2", "cloudspe", kHour + 2, "cap", "s", false},
                {"a3", "cloudspe", kHour + 3, "cap", "s", std::nullopt}};
  facts.byoc_payments = {
      {"p1", "cloudspe", kHour + 5, "cap", "payment_created", "0xl", Decimal::Parse("1.25"), "USD"},
      {"p2", "cloudspe", kHour + 9, "cap", "payment_created", "0xl", std::nullopt, "EUR"},
      {"p3", "cloudspe", kHour + 20, "cap", "payment_created", "0xl", Decimal::Parse("0.000001"),
       ""}};
  const std::vector<ByocAuthRow> auth = BuildByocAuthRows(facts, "cloudspe", kHour);
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(auth[0].sums.total_events, 3);
  EXPECT_EQ(auth[0].sums.success_count, 1);
  EXPECT_EQ(auth[0].sums.failure_count, 1);
  EXPECT_EQ(DeriveByocAuth(auth[0].sums).success_rate, 1.0 / 3);
  const std::vector<ByocPaymentsRow> pay = BuildByocPaymentsRows(facts, "cloudspe", kHour);
  ASSERT_EQ(pay.size(), 1u);
  EXPECT_EQ(pay[0].sums.payment_count, 3);
  EXPECT_EQ(pay[0].sums.amount_sum_micro, 1'250'001);
  EXPECT_EQ(pay[0].sums.amount_samples, 2);
  EXPECT_EQ(pay[0].attributes.currency, "EUR");  // latest with a currency
  EXPECT_EQ(pay[0].attributes.event_id, "p2");
}

TEST(DiscoveryTable, CountsSamplesAndSketch) {
  FakeFacts facts;
  auto row = [](std::string id, int rank, std::string address, std::optional<double> latency) {
    resolve::DiscoveryFact f;
    f.event_id = std::move(id);
    f.org = "cloudspe";
    f.event_ts = kHour + 7;
    f.rank = rank;
    f.orchestrator_address = std::move(address);
    f.latency_ms = latency;
    return f;
  };
  facts.discovery = {row("d1", 0, kOrch, 77.0), row("d1", 1, "", 120.5), row("d2", 0, kOrch, 0.0),
                     row("d2", 1, "", std::nullopt), row("d3", 0, kOrch, 17.0)};
  const std::vector<DiscoveryRow> rows = BuildDiscoveryRows(facts, "cloudspe", kHour);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].key.orchestrator_address, "");
  EXPECT_EQ(rows[0].sums.appearance_count, 2);
  EXPECT_EQ(rows[0].sums.first_rank_count, 0);
  EXPECT_EQ(rows[0].sums.sample_count, 1);
  EXPECT_EQ(rows[0].sums.latency_ms_sum_milli, 120'500);
  const DiscoverySums& s = rows[1].sums;
  EXPECT_EQ(s.appearance_count, 3);
  EXPECT_EQ(s.first_rank_count, 3);
  EXPECT_EQ(s.sample_count, 2);  // 0 is not a sample
  EXPECT_EQ(s.latency_ms_sum_milli, 94'000);
  EXPECT_EQ(s.latency_sketch.count(), 2u);
  const DiscoveryDerived d = DeriveDiscovery(s);
  EXPECT_EQ(d.avg_latency_ms, 47.0);
  EXPECT_NEAR(*d.p50_latency_ms, 16.946, 0.001);  // §0.3: 17.0 → 16.946
  EXPECT_NEAR(*d.p99_latency_ms, 77.0, 0.77);
}

TEST(RequestTables, CodecRoundTripAndCanonicalOrder) {
  FakeFacts facts = JobFacts();
  const FakeFacts pf = PaymentFacts();
  facts.payments = pf.payments;
  const std::vector<std::unique_ptr<Table>> tables = RequestTables();
  ASSERT_EQ(tables.size(), 5u);
  EXPECT_EQ(tables[0]->name(), "api_hourly_payments");
  EXPECT_EQ(tables[1]->name(), "api_hourly_request_demand");
  EXPECT_EQ(tables[2]->name(), "api_hourly_byoc_auth");
  EXPECT_EQ(tables[3]->name(), "api_hourly_byoc_payments");
  EXPECT_EQ(tables[4]->name(), "api_hourly_discovery_latency");
  const std::string payments =
      tables[0]->BuildSlice(testing::FakeContext(facts), "cloudspe", kHour);
  const std::string demand = tables[1]->BuildSlice(testing::FakeContext(facts), "cloudspe", kHour);
  ASSERT_FALSE(payments.empty());
  ASSERT_FALSE(demand.empty());
  EXPECT_EQ(tables[2]->BuildSlice(testing::FakeContext(facts), "cloudspe", kHour), "");  // no rows

  std::mt19937 rng(11);
  for (int round = 0; round < 5; ++round) {
    FakeFacts shuffled = facts;
    std::shuffle(shuffled.payments.begin(), shuffled.payments.end(), rng);
    std::shuffle(shuffled.ai_jobs.begin(), shuffled.ai_jobs.end(), rng);
    EXPECT_EQ(tables[0]->BuildSlice(testing::FakeContext(shuffled), "cloudspe", kHour), payments);
    EXPECT_EQ(tables[1]->BuildSlice(testing::FakeContext(shuffled), "cloudspe", kHour), demand);
  }

  Result<std::vector<PaymentsRow>> decoded = DecodeRequestRows<PaymentsRow>(payments);
  ASSERT_TRUE(decoded.ok());
  const std::vector<PaymentsRow> built = BuildPaymentsRows(facts, "cloudspe", kHour);
  ASSERT_EQ(decoded->size(), built.size());
  for (size_t i = 0; i < built.size(); ++i) {
    EXPECT_EQ((*decoded)[i].org, "cloudspe");
    EXPECT_EQ((*decoded)[i].window_start, kHour);
    EXPECT_EQ((*decoded)[i].key, built[i].key);
    EXPECT_EQ((*decoded)[i].sums, built[i].sums);
  }
  auto demand_rows = DecodeRequestRows<RequestDemandRow>(demand);
  ASSERT_TRUE(demand_rows.ok());
  EXPECT_EQ(EncodeRequestRows(*demand_rows), demand);

  // Out-of-order and truncated bytes are rejected.
  std::vector<PaymentsRow> reversed = built;
  std::reverse(reversed.begin(), reversed.end());
  EXPECT_FALSE(DecodeRequestRows<PaymentsRow>(EncodeRequestRows(reversed)).ok());
  EXPECT_FALSE(DecodeRequestRows<PaymentsRow>(payments.substr(0, payments.size() - 1)).ok());
}

TEST(RequestTables, OtherRowTypesRoundTrip) {
  FakeFacts facts;
  facts.auth = {{"a1", "cloudspe", kHour + 1, "cap-b", "s", true},
                {"a2", "cloudspe", kHour + 2, "cap-a", "s", false}};
  facts.byoc_payments = {
      {"p1", "cloudspe", kHour + 5, "cap", "t", "0xl", Decimal::Parse("-2.5"), "USD"}};
  resolve::DiscoveryFact d;
  d.org = "cloudspe";
  d.event_ts = kHour;
  d.latency_ms = 33.3;
  facts.discovery = {d};
  auto auth = DecodeRequestRows<ByocAuthRow>(
      EncodeRequestRows(BuildByocAuthRows(facts, "cloudspe", kHour)));
  ASSERT_TRUE(auth.ok());
  ASSERT_EQ(auth->size(), 2u);
  EXPECT_EQ((*auth)[0].key.capability_name, "cap-a");
  EXPECT_EQ((*auth)[0].sums.failure_count, 1);
  auto pay = DecodeRequestRows<ByocPaymentsRow>(
      EncodeRequestRows(BuildByocPaymentsRows(facts, "cloudspe", kHour)));
  ASSERT_TRUE(pay.ok());
  EXPECT_EQ(pay->at(0).sums.amount_sum_micro, -2'500'000);
  EXPECT_EQ(pay->at(0).attributes.currency, "USD");
  auto disc = DecodeRequestRows<DiscoveryRow>(
      EncodeRequestRows(BuildDiscoveryRows(facts, "cloudspe", kHour)));
  ASSERT_TRUE(disc.ok());
  EXPECT_EQ(disc->at(0).sums, BuildDiscoveryRows(facts, "cloudspe", kHour).at(0).sums);
}

}  // namespace
}  // namespace naap::publish
