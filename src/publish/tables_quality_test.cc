// api_hourly_attribution_quality over hand-built facts, with hand-counted rows.
#include "publish/tables_quality.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "publish/analytics.h"
#include "publish/streaming_test_util.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"
#include "resolve/session.h"

namespace naap::publish {
namespace {

using ::testing::ElementsAre;

constexpr Millis kH = 1767906000000;  // 2026-01-08T21:00:00Z

resolve::Decision DecisionOf(std::string status, std::string reason) {
  resolve::Decision d;
  d.status = std::move(status);
  d.reason = std::move(reason);
  return d;
}

resolve::SessionHour HourWith(Millis hour, int64_t status_samples) {
  resolve::SessionHour h;
  h.hour = hour;
  h.status_samples = status_samples;
  return h;
}

resolve::SessionFact Session(std::string key, Millis session_hour, std::string outcome,
                             resolve::Decision attribution,
                             std::vector<resolve::SessionHour> hours) {
  resolve::SessionFact s;
  s.exists = true;
  s.org = "acme";
  s.session_key = std::move(key);
  s.session_hour = session_hour;
  s.classification.selection_outcome = std::move(outcome);
  s.attribution = std::move(attribution);
  s.hours = std::move(hours);
  return s;
}

// The session facts of testing::FakeFacts plus jobs, payments and discovery rows of one hour.
class QualityFacts final : public testing::FakeFacts {
 public:
  using FakeFacts::FakeFacts;
  std::vector<const resolve::PaymentFact*> PaymentsAt(std::string_view org,
                                                      Millis hour) const override {
    return At(payments, org, hour);
  }
  std::vector<const resolve::AiBatchJobFact*> AiBatchJobsAt(std::string_view org,
                                                            Millis hour) const override {
    return At(ai_batch_jobs, org, hour);
  }
  std::vector<const resolve::ByocJobFact*> ByocJobsAt(std::string_view org,
                                                      Millis hour) const override {
    return At(byoc_jobs, org, hour);
  }
  std::vector<const resolve::DiscoveryFact*> DiscoveryAt(std::string_view org,
                                                         Millis hour) const override {
    return At(discovery, org, hour);
  }

  std::vector<resolve::PaymentFact> payments;
  std::vector<resolve::AiBatchJobFact> ai_batch_jobs;
  std::vector<resolve::ByocJobFact> byoc_jobs;
  std::vector<resolve::DiscoveryFact> discovery;

 private:
  static Millis HourOf(const resolve::PaymentFact& f) { return HourFloor(f.event_ts); }
  static Millis HourOf(const resolve::DiscoveryFact& f) { return HourFloor(f.event_ts); }
  static Millis HourOf(const resolve::AiBatchJobFact& f) { return HourFloor(f.completed_at); }
  static Millis HourOf(const resolve::ByocJobFact& f) { return HourFloor(f.completed_at); }
  template <typename Fact>
  static std::vector<const Fact*> At(const std::vector<Fact>& facts, std::string_view org,
                                     Millis hour) {
    std::vector<const Fact*> out;
    for (const Fact& f : facts) {
      if (f.org == org && HourOf(f) == hour) out.push_back(&f);
    }
    return out;
  }
};

QualityFacts HandBuiltFacts() {
  const resolve::Decision matched = DecisionOf("resolved", "matched");
  const resolve::Decision missing = DecisionOf("unresolved", "missing_candidate");
  std::vector<resolve::SessionFact> sessions = {
      // Starts in kH with samples in kH and kH + 1 h.
      Session("acme|a|1", kH, "selected", matched, {HourWith(kH, 4), HourWith(kH + kHourMs, 2)}),
      // Same outcome and attribution as a|1.
      Session("acme|b|1", kH, "selected", matched, {HourWith(kH, 1)}),
      // Started the hour before: only its kH samples count in kH.
      Session("acme|c|1", kH - kHourMs, "selected", DecisionOf("stale", "stale_candidate"),
              {HourWith(kH - kHourMs, 5), HourWith(kH, 3)}),
      // No orchestrator, no status samples: a session row only.
      Session("acme|d|1", kH, "no_orch", missing, {HourWith(kH, 0)}),
  };
  resolve::SessionFact ingest_only;  // exists = false: never counted
  ingest_only.org = "acme";
  ingest_only.session_key = "acme|e|1";
  ingest_only.hours = {HourWith(kH, 7)};
  sessions.push_back(ingest_only);
  QualityFacts facts(std::move(sessions));

  resolve::AiBatchJobFact job;
  job.org = "acme";
  job.completed_at = kH + 10;
  job.selection_outcome = "selected";
  job.selection.decision = matched;
  facts.ai_batch_jobs = {job, job};
  job.completed_at = kH + kHourMs;  // another hour
  facts.ai_batch_jobs.push_back(job);
  resolve::ByocJobFact byoc;
  byoc.org = "acme";
  byoc.completed_at = kH + 20;
  byoc.selection_outcome = "unknown";
  facts.byoc_jobs = {byoc};

  resolve::PaymentFact linked, unlinked;
  linked.org = unlinked.org = "acme";
  linked.event_ts = unlinked.event_ts = kH + 30;
  linked.link_status = "resolved";
  linked.link_method = "request_id";
  unlinked.link_status = "unresolved";
  unlinked.link_method = "unlinked";
  facts.payments = {linked, unlinked, unlinked};
  resolve::DiscoveryFact uri, unresolved;
  uri.org = unresolved.org = "acme";
  uri.event_ts = unresolved.event_ts = kH + 40;
  uri.resolution = "uri";
  unresolved.resolution = "unresolved";
  unresolved.org = "other";  // another org
  facts.discovery = {uri, unresolved};
  return facts;
}

AttributionQualityRow Row(std::string subject, std::string outcome, std::string status,
                          std::string reason, int64_t count) {
  return {.window_start = kH,
          .org = "acme",
          .key = {std::move(subject), std::move(outcome), std::move(status), std::move(reason)},
          .count = count};
}

TEST(AttributionQualityTest, CountsEverySubjectOfTheHourOnceByOutcomeAndAttribution) {
  const QualityFacts facts = HandBuiltFacts();
  EXPECT_THAT(BuildAttributionQualityRows(facts, "acme", kH),
              ElementsAre(Row("ai_batch_job", "selected", "resolved", "matched", 2),
                          Row("byoc_job", "unknown", "unresolved", "missing_candidate", 1),
                          Row("discovery", "", "uri", "", 1),
                          Row("payment", "", "resolved", "request_id", 1),
                          Row("payment", "", "unresolved", "unlinked", 2),
                          Row("session", "no_orch", "unresolved", "missing_candidate", 1),
                          Row("session", "selected", "resolved", "matched", 2),
                          Row("status_sample", "selected", "resolved", "matched", 5),  // 4 + 1
                          Row("status_sample", "selected", "stale", "stale_candidate", 3)));
}

TEST(AttributionQualityTest, SamplesCountInTheirOwnHourAndSessionsInTheirStartHour) {
  const QualityFacts facts = HandBuiltFacts();
  std::vector<AttributionQualityRow> before =
      BuildAttributionQualityRows(facts, "acme", kH - kHourMs);
  ASSERT_EQ(before.size(), 2u);
  EXPECT_EQ(before[0].key.subject, "session");
  EXPECT_EQ(before[0].key.attribution_status, "stale");
  EXPECT_EQ(before[0].count, 1);
  EXPECT_EQ(before[1].key.subject, "status_sample");
  EXPECT_EQ(before[1].count, 5);
  std::vector<AttributionQualityRow> after =
      BuildAttributionQualityRows(facts, "acme", kH + kHourMs);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].key.subject, "ai_batch_job");
  EXPECT_EQ(after[1].key.subject, "status_sample");
  EXPECT_EQ(after[1].count, 2);
  EXPECT_TRUE(BuildAttributionQualityRows(facts, "acme", kH + 2 * kHourMs).empty());
}

TEST(AttributionQualityTest, SliceRoundTripsAndRejectsNonCanonicalBytes) {
  const QualityFacts facts = HandBuiltFacts();
  testing::FakeContext ctx(facts);
  std::unique_ptr<Table> table = AttributionQualityTable();
  EXPECT_EQ(table->name(), "api_hourly_attribution_quality");
  const std::string bytes = table->BuildSlice(ctx, "acme", kH);
  Result<std::vector<AttributionQualityRow>> decoded = DecodeAttributionQualityRows(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, BuildAttributionQualityRows(facts, "acme", kH));
  EXPECT_EQ(EncodeAttributionQualityRows(*decoded), bytes);

  EXPECT_EQ(table->BuildSlice(ctx, "nobody", kH), "");
  EXPECT_TRUE(DecodeAttributionQualityRows("")->empty());
  EXPECT_FALSE(DecodeAttributionQualityRows(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeAttributionQualityRows(bytes + "x").ok());
  std::vector<AttributionQualityRow> swapped = *decoded;
  std::swap(swapped[0], swapped[1]);
  EXPECT_FALSE(DecodeAttributionQualityRows(EncodeAttributionQualityRows(swapped)).ok());
}

TEST(AttributionQualityTest, IsAServingTable) {
  EXPECT_THAT(ServingTableNames(), ::testing::Contains("api_hourly_attribution_quality"));
}

}  // namespace
}  // namespace naap::publish
