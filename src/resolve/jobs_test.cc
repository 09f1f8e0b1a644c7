// Job, worker, auth, BYOC payment and discovery builders (spec/analytics.md §2.6, §2.7).
#include "resolve/jobs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "base/hash.h"
#include "resolve/session_test_util.h"

namespace naap::resolve {
namespace {

using testing::At;

// Answers with `answer` and records every request it saw.
class RecordingMatcher : public Matcher {
 public:
  explicit RecordingMatcher(std::function<Decision(const MatchRequest&)> answer = {})
      : answer_(std::move(answer)) {}
  Decision Match(const MatchRequest& r) const override {
    seen.push_back({std::string(r.observed_url), std::string(r.observed_address),
                    std::string(r.hint_pipeline), std::string(r.hint_model), r.kind,
                    std::string(r.capability), std::string(r.worker_model), r.ts});
    return answer_ ? answer_(r) : Decision{};
  }
  struct Seen {
    std::string url, address, pipeline, model;
    MatchKind kind;
    std::string capability, worker_model;
    Millis ts;
  };
  mutable std::vector<Seen> seen;

 private:
  std::function<Decision(const MatchRequest&)> answer_;
};

Decision ResolvedTo(std::string address, std::string method, std::string pipeline = "",
                    std::string model = "") {
  Decision d;
  d.status = "resolved";
  d.reason = "matched";
  d.method = std::move(method);
  d.confidence = "high";
  d.attributed_orch_address = std::move(address);
  d.pipeline = std::move(pipeline);
  d.model = std::move(model);
  return d;
}

event::RecordHeader Header(std::string id, Millis ts, std::string subtype) {
  event::RecordHeader h;
  h.org = "o";
  h.event_id = std::move(id);
  h.event_ts = ts;
  h.subtype = std::move(subtype);
  h.gateway = "GW-1";
  return h;
}

Stamped<event::BatchEvent> Batch(std::string id, Millis ts, std::string subtype,
                                 std::string url = "") {
  Stamped<event::BatchEvent> b{Header(std::move(id), ts, std::move(subtype)), {}};
  b.record.request_id = "req";
  b.record.pipeline = "text-to-image";
  b.record.model = "stabilityai/sd-turbo";
  b.record.orch_url = url;
  b.record.orch_url_norm = url;
  return b;
}

Stamped<event::LlmEvent> Llm(std::string id, Millis ts, int64_t total_tokens) {
  Stamped<event::LlmEvent> l{Header(std::move(id), ts, "llm_request_completed"), {}};
  l.record.request_id = "req";
  l.record.model = "meta-llama/Llama-3.1-8B-Instruct";
  l.record.total_tokens = total_tokens;
  return l;
}

TEST(AiBatchJob, LatestCompletionWinsAndReceivedIsEarliestBeforeIt) {
  std::vector<Stamped<event::BatchEvent>> records = {
      Batch("c2", At(10, 5, 0), "ai_batch_request_completed", "https://orch-b"),
      Batch("r2", At(10, 1, 0), "ai_batch_request_received"),
      Batch("c1", At(10, 2, 0), "ai_batch_request_completed", "https://orch-a"),
      Batch("r1", At(10, 0, 30), "ai_batch_request_received"),
      Batch("r3", At(10, 6, 0), "ai_batch_request_received"),  // after the completion
  };
  records[0].record.success = true;
  records[0].record.duration_ms = 1200;
  RecordingMatcher matcher([](const MatchRequest&) {
    return ResolvedTo("0xb", "uri_interval_exact", "text-to-image", "");
  });
  const std::optional<AiBatchJobFact> job = BuildAiBatchJob("o", "req", records, nullptr, matcher);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->completion_event_id, "c2");
  EXPECT_EQ(job->completed_at, At(10, 5, 0));
  EXPECT_EQ(job->received_at, At(10, 0, 30));
  EXPECT_EQ(job->gateway, "gw-1");
  EXPECT_EQ(job->success, true);
  EXPECT_EQ(job->duration_ms, 1200);
  EXPECT_EQ(job->selection_outcome, "selected");
  EXPECT_EQ(job->selection.selection_id, Hid({"o", "req", "ai-batch"}));
  EXPECT_EQ(job->selection.selection_trigger, "ai_batch_completion");
  EXPECT_EQ(job->selection.selection_ts, At(10, 0, 30));
  EXPECT_EQ(job->selection.decision.attributed_orch_address, "0xb");
  EXPECT_EQ(job->canonical_pipeline, "text-to-image");
  EXPECT_EQ(job->attributed_model, "stabilityai/sd-turbo");  // decision model empty: the hint
  EXPECT_EQ(job->capability_id, 27);
  EXPECT_FALSE(job->llm.has_value());
  ASSERT_EQ(matcher.seen.size(), 1u);
  EXPECT_EQ(matcher.seen[0].url, "https://orch-b");
  EXPECT_EQ(matcher.seen[0].address, "");  // URL only
  EXPECT_EQ(matcher.seen[0].kind, MatchKind::kAiBatch);
  EXPECT_EQ(matcher.seen[0].pipeline, "text-to-image");
  EXPECT_EQ(matcher.seen[0].model, "stabilityai/sd-turbo");
  EXPECT_EQ(matcher.seen[0].ts, At(10, 0, 30));
}

TEST(AiBatchJob, IndependentOfRecordOrder) {
  std::vector<Stamped<event::BatchEvent>> records = {
      Batch("c2", At(10, 5, 0), "ai_batch_request_completed", "https://orch-b"),
      Batch("c3", At(10, 5, 0), "ai_batch_request_completed", "https://orch-c"),
      Batch("r1", At(10, 0, 30), "ai_batch_request_received"),
      Batch("r2", At(10, 0, 30), "ai_batch_request_received"),
      Batch("c1", At(10, 2, 0), "ai_batch_request_completed", "https://orch-a"),
  };
  RecordingMatcher matcher;
  const std::optional<AiBatchJobFact> expected =
      BuildAiBatchJob("o", "req", records, nullptr, matcher);
  ASSERT_TRUE(expected.has_value());
  EXPECT_EQ(expected->completion_event_id, "c3");  // equal times: the greater event_id
  std::sort(records.begin(), records.end(),
            [](const auto& a, const auto& b) { return a.header.event_id > b.header.event_id; });
  do {
    EXPECT_EQ(BuildAiBatchJob("o", "req", records, nullptr, matcher), expected);
  } while (std::next_permutation(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return a.header.event_id > b.header.event_id;
  }));
}

TEST(AiBatchJob, NoJobWithoutCompletionOrRequestId) {
  RecordingMatcher matcher;
  const std::vector<Stamped<event::BatchEvent>> received = {
      Batch("r1", At(10, 0, 0), "ai_batch_request_received")};
  EXPECT_FALSE(BuildAiBatchJob("o", "req", received, nullptr, matcher).has_value());
  const std::vector<Stamped<event::BatchEvent>> completed = {
      Batch("c1", At(10, 0, 0), "ai_batch_request_completed")};
  EXPECT_FALSE(BuildAiBatchJob("o", "", completed, nullptr, matcher).has_value());
}

TEST(AiBatchJob, NoOrchAndUnknownOutcomesSkipTheMatcher) {
  RecordingMatcher matcher;
  std::vector<Stamped<event::BatchEvent>> records = {
      Batch("c1", At(10, 0, 0), "ai_batch_request_completed")};
  records[0].record.success = false;
  records[0].record.error_type = "no_orchestrators";
  std::optional<AiBatchJobFact> job = BuildAiBatchJob("o", "req", records, nullptr, matcher);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->selection_outcome, "no_orch");
  EXPECT_EQ(job->received_at, std::nullopt);
  EXPECT_EQ(job->selection.selection_ts, At(10, 0, 0));  // no received record: completed_at
  EXPECT_EQ(job->selection.decision, Decision{});
  records[0].record.error_type = "timeout";
  job = BuildAiBatchJob("o", "req", records, nullptr, matcher);
  EXPECT_EQ(job->selection_outcome, "unknown");
  EXPECT_TRUE(matcher.seen.empty());
}

TEST(LlmFact, LatestRecordJoinsTheOneJob) {
  const std::vector<Stamped<event::LlmEvent>> llm = {
      Llm("l2", At(10, 0, 9), 300), Llm("l1", At(10, 0, 5), 100), Llm("l0", At(10, 0, 9), 200)};
  const std::optional<LlmFact> fact = BuildLlmFact("o", "req", llm);
  ASSERT_TRUE(fact.has_value());
  EXPECT_EQ(fact->event_id, "l2");  // latest by (event_ts, event_id)
  EXPECT_EQ(fact->total_tokens, 300);
  EXPECT_FALSE(BuildLlmFact("o", "req", {}).has_value());
  std::vector<Stamped<event::BatchEvent>> records = {
      Batch("c1", At(10, 0, 10), "ai_batch_request_completed")};
  records[0].record.pipeline = "llm";
  const std::optional<AiBatchJobFact> job =
      BuildAiBatchJob("o", "req", records, &*fact, RecordingMatcher());
  ASSERT_TRUE(job.has_value());
  ASSERT_TRUE(job->llm.has_value());
  EXPECT_EQ(job->llm->event_id, "l2");
  EXPECT_EQ(job->capability_id, 33);  // llm is catalog id 33
}

WorkerFact Worker(std::string id, Millis ts, std::string capability, std::string address,
                  std::string worker_url, std::string model) {
  WorkerFact w;
  w.event_id = std::move(id);
  w.org = "o";
  w.event_ts = ts;
  w.capability = std::move(capability);
  w.orch_reported_address = std::move(address);
  w.worker_url_norm = std::move(worker_url);
  w.model = std::move(model);
  w.price_per_unit = 0.5;
  return w;
}

struct ByocCase {
  event::RecordHeader header = Header("job-1", At(12, 0, 0), "job_gateway_completed");
  event::ByocJobEvent job;
  std::vector<Stamped<event::OrchestratorJobEvent>> orchestrator;
  std::vector<WorkerFact> workers;

  ByocCase() {
    job.request_id = "payload-1";
    job.capability = {"Openai-Chat-Completions", "openai-chat-completions"};
    job.orch.orch_reported_address = "0xlocal";
    job.orch.orch_url = job.orch.orch_url_norm = "https://byoc-orch";
    job.is_job = true;
  }
  ByocJobFact Build(const Matcher& matcher) const {
    std::vector<const WorkerFact*> pointers;
    for (const WorkerFact& w : workers) pointers.push_back(&w);
    std::optional<NamedWorker> named;
    for (const auto& o : orchestrator) {
      if (o.record.request_id == job.request_id) {
        KeepLatestNamedWorker(o.header.event_ts, o.header.event_id, o.record, named);
      }
    }
    ByocJobFact fact = ByocJobOf(header, job);
    AttributeByocJob(fact, named ? &*named : nullptr, pointers, matcher);
    return fact;
  }
};

TEST(ByocJob, WorkerWithTheJobsUrlElseTheLatest) {
  ByocCase c;
  c.workers = {
      Worker("w-url", At(9, 0, 0), "openai-chat-completions", "0xlocal", "http://w1", "m-url"),
      Worker("w-latest", At(11, 0, 0), "OPENAI-chat-completions", "0xlocal", "http://w2", "m-new"),
      Worker("w-future", At(12, 0, 1), "openai-chat-completions", "0xlocal", "http://w1", "x"),
      Worker("w-old", At(12, 0, 0) - kWorkerLookbackMs - 1, "openai-chat-completions", "0xlocal",
             "http://w1", "x"),
      Worker("w-other-orch", At(11, 30, 0), "openai-chat-completions", "0xother", "http://w1", "x"),
      Worker("w-other-cap", At(11, 30, 0), "image-generation", "0xlocal", "http://w1", "x"),
  };
  RecordingMatcher matcher([](const MatchRequest&) {
    return ResolvedTo("0xchain", "uri_interval_exact", "openai-chat-completions", "decision-model");
  });
  // No worker URL known for the job: the latest worker in the window.
  ByocJobFact f = c.Build(matcher);
  EXPECT_EQ(f.worker_event_id, "w-latest");
  EXPECT_EQ(f.worker_model, "m-new");
  EXPECT_EQ(f.model, "m-new");
  EXPECT_EQ(f.worker_price_per_unit, 0.5);
  EXPECT_EQ(f.selection_outcome, "selected");
  EXPECT_EQ(f.selection.selection_id, Hid({"o", "job-1", "byoc"}));
  EXPECT_EQ(f.selection.selection_trigger, "byoc_completion");
  EXPECT_EQ(f.selection.decision.attributed_orch_address, "0xchain");
  ASSERT_EQ(matcher.seen.size(), 1u);
  EXPECT_EQ(matcher.seen[0].kind, MatchKind::kByoc);
  EXPECT_EQ(matcher.seen[0].url, "https://byoc-orch");
  EXPECT_EQ(matcher.seen[0].address, "0xlocal");
  EXPECT_EQ(matcher.seen[0].capability, "Openai-Chat-Completions");
  EXPECT_EQ(matcher.seen[0].worker_model, "m-new");
  EXPECT_EQ(matcher.seen[0].ts, At(12, 0, 0));

  // The orchestrator side names worker http://w1: that worker wins although older.
  Stamped<event::OrchestratorJobEvent> o{Header("oj", At(11, 59, 0), "job_orchestrator_x"), {}};
  o.record.request_id = "payload-1";
  o.record.worker_url = o.record.worker_url_norm = "http://w1";
  c.orchestrator.push_back(o);
  f = c.Build(matcher);
  EXPECT_EQ(f.worker_url_norm, "http://w1");
  EXPECT_EQ(f.worker_event_id, "w-url");
  EXPECT_EQ(f.model, "m-url");

  // No worker at all: the decision model.
  c.workers.clear();
  f = c.Build(matcher);
  EXPECT_EQ(f.worker_event_id, "");
  EXPECT_EQ(f.model, "decision-model");
}

TEST(ByocJob, WithoutOrchestratorIsUnknownAndUnmatched) {
  ByocCase c;
  c.job.orch = {};
  RecordingMatcher matcher;
  const ByocJobFact f = c.Build(matcher);
  EXPECT_EQ(f.selection_outcome, "unknown");
  EXPECT_EQ(f.selection.decision, Decision{});
  EXPECT_TRUE(matcher.seen.empty());
  EXPECT_EQ(f.job_id, "job-1");
  EXPECT_EQ(f.payload_request_id, "payload-1");
}

TEST(WorkerFact, OrchestratorAddressByUrlOnly) {
  event::WorkerSnapshot w;
  w.capability = {"cap", "cap"};
  w.orch.orch_reported_address = "0xlocal";
  w.orch.orch_url = w.orch.orch_url_norm = "https://orch";
  w.model = "m";
  RecordingMatcher matcher(
      [](const MatchRequest&) { return ResolvedTo("0xchain", "uri_interval_stale"); });
  WorkerFact f = BuildWorkerFact(Header("w", At(9, 0, 0), "worker_registered"), w, matcher);
  EXPECT_EQ(f.orchestrator_address, "0xchain");
  ASSERT_EQ(matcher.seen.size(), 1u);
  EXPECT_EQ(matcher.seen[0].kind, MatchKind::kIdentity);
  EXPECT_EQ(matcher.seen[0].address, "");
  // Not unique: no address.
  RecordingMatcher ambiguous([](const MatchRequest&) {
    Decision d;
    d.status = "ambiguous";
    return d;
  });
  EXPECT_EQ(BuildWorkerFact(Header("w", At(9, 0, 0), "x"), w, ambiguous).orchestrator_address, "");
}

TEST(DiscoveryFacts, ResolutionIsTheIdentityTypeUsed) {
  std::vector<event::DiscoveryRow> rows(3);
  rows[0] = {2, "0xlocal-c", "", "", std::nullopt};
  rows[1] = {0, "0xlocal-a", "https://a", "https://a", 77.0};
  rows[2] = {1, "0xlocal-b", "https://b", "https://b", 12.5};
  RecordingMatcher matcher([](const MatchRequest& r) {
    if (r.observed_url == "https://a") return ResolvedTo("0xa", "uri_interval_exact");
    if (r.observed_address == "0xlocal-c") return ResolvedTo("0xc", "alias_interval_prior");
    return Decision{};
  });
  const std::vector<DiscoveryFact> facts =
      BuildDiscoveryFacts(Header("d", At(8, 0, 0), "discovery_results"), rows, matcher);
  ASSERT_EQ(facts.size(), 3u);
  EXPECT_EQ(facts[0].rank, 0);
  EXPECT_EQ(facts[0].orchestrator_address, "0xa");
  EXPECT_EQ(facts[0].resolution, "uri");
  EXPECT_EQ(facts[0].latency_ms, 77.0);
  EXPECT_EQ(facts[1].orchestrator_address, "");
  EXPECT_EQ(facts[1].resolution, "unresolved");
  EXPECT_EQ(facts[2].orchestrator_address, "0xc");
  EXPECT_EQ(facts[2].resolution, "alias");
  for (const auto& seen : matcher.seen) EXPECT_EQ(seen.kind, MatchKind::kIdentity);
}

TEST(AuthAndByocPayment, Facts) {
  event::AuthEvent auth;
  EXPECT_FALSE(BuildAuthFact(Header("a", 1, "job_auth_webhook_result"), auth).has_value());
  auth.capability_name = "cap";
  auth.success = false;
  const std::optional<AuthFact> a = BuildAuthFact(Header("a", 1, "job_auth_webhook_result"), auth);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->capability_name, "cap");
  EXPECT_EQ(a->subtype, "job_auth_webhook_result");
  EXPECT_EQ(a->success, false);

  event::ByocPayment p;
  p.payment_type = "payment_created";
  p.capability = {"Cap", "cap"};
  p.orch.orch_reported_address = "0xlocal";
  p.amount = Decimal::Parse("1.5");
  p.currency = "USD";
  const ByocPaymentFact f = BuildByocPaymentFact(Header("p", 2, "payment_created"), p);
  EXPECT_EQ(f.capability, "Cap");
  EXPECT_EQ(f.payment_type, "payment_created");
  EXPECT_EQ(f.orch_reported_address, "0xlocal");
  EXPECT_EQ(f.amount->ToString(), "1.5");
  EXPECT_EQ(f.currency, "USD");
}

}  // namespace
}  // namespace naap::resolve
