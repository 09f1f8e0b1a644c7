// Group C handlers (spec/api.md §4, behaviours 36 and 40–43), called directly with a hand-built
// RequestContext over a LocalBackend on a memory store.
#include <gtest/gtest.h>
#include <zstd.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/api.h"
#include "api/gzip.h"
#include "api/local_backend.h"
#include "api/rebuild_job.h"
#include "metrics/registry.h"
#include "publish/analytics.h"
#include "store/store.h"

namespace naap::api {
namespace {

constexpr Millis kNow = 1767913200000;       // 2026-01-08T23:00:00.000Z
constexpr Millis kDayStart = 1767830400000;  // 2026-01-08T00:00:00.000Z
const std::string kSample = std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";

// Forwards to a real backend; a test may replace the store ping, adjust the pipeline figures or
// answer StartRebuild itself.
class ForwardingBackend final : public Backend {
 public:
  explicit ForwardingBackend(Backend& inner) : inner_(inner) {}
  const ApiConfig& config() const override { return inner_.config(); }
  store::Store& store() override { return inner_.store(); }
  Millis NowMs() const override { return inner_.NowMs(); }
  Result<std::optional<Millis>> DataClock(std::optional<std::string_view> org) override {
    return inner_.DataClock(org);
  }
  Status ReadFacts(const std::function<Status(const resolve::FactsView&)>& fn) override {
    return inner_.ReadFacts(fn);
  }
  Result<AdminIngestResult> IngestBody(std::string_view body, std::optional<std::string_view> org,
                                       std::string_view source) override {
    return inner_.IngestBody(body, org, source);
  }
  Result<RebuildStatus> StartRebuild(std::string_view mode) override {
    return start_rebuild ? start_rebuild(mode) : inner_.StartRebuild(mode);
  }
  PipelineStatus Pipeline() override {
    PipelineStatus status = inner_.Pipeline();
    if (adjust_pipeline) adjust_pipeline(status);
    return status;
  }
  Status PingStore() override { return ping ? ping() : inner_.PingStore(); }

  std::function<Status()> ping;
  std::function<void(PipelineStatus&)> adjust_pipeline;
  std::function<Result<RebuildStatus>(std::string_view)> start_rebuild;

 private:
  Backend& inner_;
};

class OperationsRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.admin_max_body_bytes = 1 << 20;
    auto store = store::OpenStore("memory:");
    ASSERT_TRUE(store.ok());
    store_ = std::move(store.value());
    auto backend = LocalBackend::Open(*store_, clock_, config_);
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(backend.value());
    routes_ = OperationsRoutes(registry_);
  }

  const RouteSpec& Route(std::string_view id) const {
    for (const RouteSpec& route : routes_) {
      if (route.id == id) return route;
    }
    ADD_FAILURE() << "no route " << id;
    return routes_.front();
  }

  struct Call {
    std::map<std::string, std::vector<std::string>> params;
    std::optional<Window> window;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
  };
  Outcome Run(std::string_view id, Call call, Backend* backend = nullptr) {
    const RouteSpec& route = Route(id);
    RequestContext ctx;
    ctx.route = &route;
    ctx.method = route.methods.front();
    ctx.path = route.pattern;
    ctx.params = std::move(call.params);
    ctx.window = call.window;
    ctx.now = clock_.NowMs();
    ctx.body = std::move(call.body);
    ctx.headers = std::move(call.headers);
    return route.handler(ctx, backend ? *backend : *backend_);
  }

  Outcome PostEvents(std::string body, std::string content_type = "application/x-ndjson",
                     std::map<std::string, std::vector<std::string>> params = {{"org",
                                                                                {"daydream"}}},
                     std::string encoding = "") {
    Call call{.params = std::move(params), .body = std::move(body)};
    call.headers.emplace_back("content-type", std::move(content_type));
    if (!encoding.empty()) call.headers.emplace_back("content-encoding", std::move(encoding));
    return Run("C2", std::move(call));
  }

  std::string QualityData(std::map<std::string, std::vector<std::string>> params = {}) {
    Outcome out =
        Run("C1", {.params = std::move(params), .window = Window{kDayStart, kDayStart + kDayMs}});
    EXPECT_TRUE(out.reply.has_value()) << out.status.ToString();
    return out.reply ? out.reply->json : "";
  }

  RebuildStatus WaitForRebuild() {
    for (int i = 0; i < 3000; ++i) {
      RebuildStatus status = backend_->Pipeline().rebuild;
      if (status.state != "running") return status;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "rebuild did not finish";
    return {};
  }

  FakeClock clock_{kNow};
  ApiConfig config_;
  metrics::Registry registry_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LocalBackend> backend_;
  std::vector<RouteSpec> routes_;
};

// Behaviour 40: 6 accepted, 1 ignored, 2 rejected, 1 duplicate, and a blank line (line 9).
const char kTenLines[] =
    R"({"id":"a1","type":"job_auth","timestamp":"1767908945298","data":{"type":"auth_success"}})"
    "\n"
    R"({"id":"a2","type":"job_auth","timestamp":"1767908945298","data":{"type":"auth_failure"}})"
    "\n"
    R"({"id":"a3","type":"ai_batch_request","timestamp":"1767908945298","data":{"type":"ai_batch_request_received","request_id":"r1"}})"
    "\n"
    R"({"id":"a4","type":"job_payment","timestamp":"1767908945298","data":{"type":"payment"}})"
    "\n"
    R"({"id":"a5","type":"job_gateway","timestamp":"1767908945298","data":{"type":"job_gateway_submitted"}})"
    "\n"
    R"({"id":"a6","type":"job_orchestrator","timestamp":"1767908945298","data":{"type":"job_started"}})"
    "\n"
    R"({"id":"i1","type":"no_such_family","timestamp":"1767908945298","data":{}})"
    "\n"
    "not json\n"
    "   \n"
    R"({"id":"r2","type":"job_auth","timestamp":"yesterday","data":{"type":"x"}})"
    "\n"
    R"({"id":"a1","type":"job_auth","timestamp":"1767908945298","data":{"type":"auth_success"}})"
    "\n";

std::string IngestJson(std::string_view org, int accepted, int ignored, int rejected,
                       int duplicates, std::string_view first_rejections, int dirty) {
  const bool fresh = accepted > 0;
  return std::string("{\"org\":") + (org.empty() ? "null" : "\"" + std::string(org) + "\"") +
         ",\"lines_read\":10,\"accepted\":" + std::to_string(accepted) +
         ",\"ignored\":" + std::to_string(ignored) + ",\"rejected\":" + std::to_string(rejected) +
         ",\"duplicates\":" + std::to_string(duplicates) +
         ",\"accepted_by_family\":{\"ai_batch_request\":" + (fresh ? "1" : "0") +
         ",\"ai_llm_request\":0,\"ai_stream_events\":0,\"ai_stream_status\":0,"
         "\"create_new_payment\":0,\"discovery_results\":0,\"job_auth\":" +
         (fresh ? "2" : "0") + ",\"job_gateway\":" + (fresh ? "1" : "0") +
         ",\"job_orchestrator\":" + (fresh ? "1" : "0") +
         ",\"job_payment\":" + (fresh ? "1" : "0") +
         ",\"network_capabilities\":0,\"stream_ingest_metrics\":0,\"stream_trace\":0,"
         "\"worker_lifecycle\":0},\"ignored_by_reason\":{\"ignored_stream_trace_non_core_app\":0,"
         "\"ignored_stream_trace_scope_client_noise\":0,\"unsupported_event_family\":" +
         std::to_string(ignored) +
         ",\"unsupported_stream_trace_type\":0},\"rejected_by_reason\":{\"bad_timestamp\":" +
         (rejected ? "1" : "0") +
         ",\"invalid_payload\":0,\"malformed_json\":" + (rejected ? "1" : "0") +
         ",\"missing_event_id\":0,\"missing_event_type\":0,\"oversized_message\":0,"
         "\"unknown_org\":0},\"first_rejections\":" +
         std::string(first_rejections) + ",\"dirty_slices\":" + std::to_string(dirty) + "}";
}

TEST_F(OperationsRoutesTest, AdminEventsCountsEveryLineAndPostingAgainOnlyAddsDuplicates) {
  Outcome first = PostEvents(kTenLines);
  ASSERT_TRUE(first.reply.has_value()) << first.status.ToString();
  EXPECT_EQ(
      first.reply->json,
      IngestJson("daydream", 6, 1, 2, 1,
                 R"([{"line":8,"reason":"malformed_json"},{"line":10,"reason":"bad_timestamp"}])",
                 1));
  auto before = publish::StoredTableChecksums(*store_, publish::ServingTableNames());
  ASSERT_TRUE(before.ok());

  Outcome again = PostEvents(kTenLines);
  ASSERT_TRUE(again.reply.has_value()) << again.status.ToString();
  EXPECT_EQ(again.reply->json, IngestJson("daydream", 0, 0, 0, 10, "[]", 0));
  auto after = publish::StoredTableChecksums(*store_, publish::ServingTableNames());
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(before->size(), after->size());
  for (size_t i = 0; i < before->size(); ++i) {
    EXPECT_EQ((*before)[i].sha256_hex, (*after)[i].sha256_hex) << (*before)[i].table;
  }
}

TEST_F(OperationsRoutesTest, AdminEventsDecodesGzipAndZstdBodies) {
  Outcome gzip = PostEvents(GzipCompress(kTenLines), "application/x-ndjson; charset=utf-8",
                            {{"org", {"daydream"}}}, "gzip");
  ASSERT_TRUE(gzip.reply.has_value()) << gzip.status.ToString();
  EXPECT_NE(gzip.reply->json.find("\"lines_read\":10,\"accepted\":6,"), std::string::npos);

  std::string plain(kTenLines);
  std::string zstd(ZSTD_compressBound(plain.size()), '\0');
  zstd.resize(ZSTD_compress(zstd.data(), zstd.size(), plain.data(), plain.size(), 3));
  Outcome again = PostEvents(zstd, "text/plain", {{"org", {"daydream"}}}, "zstd");
  ASSERT_TRUE(again.reply.has_value()) << again.status.ToString();
  EXPECT_NE(again.reply->json.find("\"accepted\":0,\"ignored\":0,\"rejected\":0,\"duplicates\":10"),
            std::string::npos);
}

TEST_F(OperationsRoutesTest, AdminEventsWithoutOrgNeedsWrapperTopics) {
  Outcome refused =
      PostEvents(R"({"id":"a1","type":"job_auth","timestamp":"1767908945298","data":{"type":"x"}})",
                 "application/json", {});
  ASSERT_TRUE(refused.problem.has_value());
  EXPECT_EQ(refused.problem->status, 400);
  EXPECT_EQ(refused.problem->detail,
            "parameter \"org\" is required: line 1 has no topic that maps to an org");
  EXPECT_EQ(backend_->Pipeline().lines_read, 0);

  Outcome wrapped = PostEvents(
      R"({"id":"log-0","topic":"streaming-events","partition":0,"offset":0,"value":{"id":"w1","type":"job_auth","timestamp":"1767908945298","data":{"type":"x"}}})",
      "application/x-ndjson", {});
  ASSERT_TRUE(wrapped.reply.has_value()) << wrapped.status.ToString();
  EXPECT_EQ(wrapped.reply->json.rfind(
                R"({"org":null,"lines_read":1,"accepted":1,"ignored":0,"rejected":0,)", 0),
            0u);
  auto clock = store_->DataClock("cloudspe");
  ASSERT_TRUE(clock.ok());
  EXPECT_EQ(clock.value(), std::optional<Millis>(1767908945298));
}

TEST_F(OperationsRoutesTest, AdminEventsRefusesOtherContentTypesEncodingsAndLargeBodies) {
  Outcome csv = PostEvents(kTenLines, "text/csv");
  ASSERT_TRUE(csv.problem.has_value());
  EXPECT_EQ(csv.problem->status, 415);
  EXPECT_EQ(csv.problem->detail,
            "unsupported content type \"text/csv\"; use application/x-ndjson or application/json");
  Outcome boundary = PostEvents(kTenLines, "application/json; boundary=x");
  ASSERT_TRUE(boundary.problem.has_value());
  EXPECT_EQ(boundary.problem->status, 415);

  Outcome br = PostEvents(kTenLines, "application/x-ndjson", {{"org", {"daydream"}}}, "br");
  ASSERT_TRUE(br.problem.has_value());
  EXPECT_EQ(br.problem->status, 415);
  EXPECT_EQ(br.problem->detail, "unsupported content encoding \"br\"");

  // 2 MiB of newlines compress to a few KiB but decode past the 1 MiB limit.
  Outcome bomb = PostEvents(GzipCompress(std::string(2 << 20, '\n')), "application/x-ndjson",
                            {{"org", {"daydream"}}}, "gzip");
  ASSERT_TRUE(bomb.problem.has_value());
  EXPECT_EQ(bomb.problem->status, 413);
  EXPECT_EQ(bomb.problem->detail, "request body exceeds 1 MiB");

  Outcome corrupt = PostEvents("not gzip", "application/x-ndjson", {{"org", {"daydream"}}}, "gzip");
  ASSERT_TRUE(corrupt.problem.has_value());
  EXPECT_EQ(corrupt.problem->status, 400);
  EXPECT_EQ(backend_->Pipeline().lines_read, 0);
}

TEST_F(OperationsRoutesTest, VerifyRebuildSucceedsWithMatchingChecksums) {
  ASSERT_TRUE(backend_->IngestFiles({kSample}).ok());
  Outcome started = Run("C3", {.params = {{"mode", {"verify"}}}});
  ASSERT_TRUE(started.reply.has_value()) << started.status.ToString();
  EXPECT_EQ(started.reply->status, 202);
  ASSERT_EQ(started.reply->headers.size(), 1u);
  EXPECT_EQ(started.reply->headers[0],
            (std::pair<std::string, std::string>("Location", "/v1/admin/status")));
  EXPECT_EQ(started.reply->json,
            R"({"rebuild_id":"rebuild-1-1767913200000","mode":"verify","state":"running",)"
            R"("started_at":"2026-01-08T23:00:00.000Z"})");

  RebuildStatus done = WaitForRebuild();
  EXPECT_EQ(done.state, "succeeded") << done.error.value_or("");
  EXPECT_EQ(done.checksums_match, std::optional<bool>(true));
  EXPECT_EQ(done.lines_total, 65);
  EXPECT_EQ(done.lines_replayed, 65);

  Outcome status = Run("C4", {});
  ASSERT_TRUE(status.reply.has_value()) << status.status.ToString();
  EXPECT_NE(status.reply->json.find(
                R"("rebuild":{"state":"succeeded","rebuild_id":"rebuild-1-1767913200000",)"
                R"("mode":"verify","started_at":"2026-01-08T23:00:00.000Z",)"
                R"("finished_at":"2026-01-08T23:00:00.000Z","lines_replayed":65,"lines_total":65,)"
                R"("checksums_match":true,"mismatched_tables":[],"error":null}})"),
            std::string::npos)
      << status.reply->json;
  EXPECT_EQ(
      status.reply->json.rfind(
          R"({"version":"dev","store_backend":"sqlite","started_at":"2026-01-08T23:00:00.000Z",)"
          R"("uptime_seconds":0,"sources":[{"name":"file","kind":"file","org":null,)"
          R"("topic":null,"partitions":[],"lines_read":65,)"
          R"("last_event_at":"2026-01-08T21:51:55.610Z","lag_seconds":null}],)"
          R"("ingest":{"lines_read":65,"accepted":65,"ignored":0,"rejected":0,)"
          R"("duplicates":0},)",
          0),
      0u)
      << status.reply->json;
}

TEST_F(OperationsRoutesTest, ReplaceRebuildKeepsTheServingTables) {
  ASSERT_TRUE(backend_->IngestFiles({kSample}).ok());
  auto before = publish::StoredTableChecksums(*store_, publish::ServingTableNames());
  ASSERT_TRUE(before.ok());
  Outcome started = Run("C3", {});
  ASSERT_TRUE(started.reply.has_value()) << started.status.ToString();
  EXPECT_NE(started.reply->json.find(R"("mode":"replace")"), std::string::npos);
  RebuildStatus done = WaitForRebuild();
  EXPECT_EQ(done.state, "succeeded") << done.error.value_or("");
  EXPECT_EQ(done.checksums_match, std::nullopt);
  auto after = publish::StoredTableChecksums(*store_, publish::ServingTableNames());
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(before->size(), after->size());
  for (size_t i = 0; i < before->size(); ++i) {
    EXPECT_EQ((*before)[i].sha256_hex, (*after)[i].sha256_hex) << (*before)[i].table;
  }
}

TEST_F(OperationsRoutesTest, VerifyFindsALostSliceAndReplaceRestoresIt) {
  ASSERT_TRUE(backend_->IngestFiles({kSample}).ok());
  std::optional<store::Slice> lost;
  ASSERT_TRUE(store_
                  ->ForEachSliceChecksum([&](std::string_view table, std::string_view org,
                                             Millis hour, std::string_view) {
                    if (!lost && table == "api_hourly_payments") {
                      lost = store::Slice{
                          .table = std::string(table), .org = std::string(org), .hour = hour};
                    }
                  })
                  .ok());
  ASSERT_TRUE(lost.has_value());
  store::IngestBatch remove;
  remove.slices.push_back(*lost);  // rows "": deletes the stored slice
  ASSERT_TRUE(store_->Commit(remove).ok());

  ASSERT_TRUE(Run("C3", {.params = {{"mode", {"verify"}}}}).reply.has_value());
  RebuildStatus verified = WaitForRebuild();
  EXPECT_EQ(verified.state, "succeeded") << verified.error.value_or("");
  EXPECT_EQ(verified.checksums_match, std::optional<bool>(false));
  EXPECT_EQ(verified.mismatched_tables, std::vector<std::string>{"api_hourly_payments"});

  ASSERT_TRUE(Run("C3", {.params = {{"mode", {"replace"}}}}).reply.has_value());
  EXPECT_EQ(WaitForRebuild().state, "succeeded");
  ASSERT_TRUE(Run("C3", {.params = {{"mode", {"verify"}}}}).reply.has_value());
  RebuildStatus again = WaitForRebuild();
  EXPECT_EQ(again.rebuild_id, std::optional<std::string>("rebuild-3-1767913200000"));
  EXPECT_EQ(again.checksums_match, std::optional<bool>(true));
  EXPECT_TRUE(again.mismatched_tables.empty());
}

TEST_F(OperationsRoutesTest, SecondRebuildWhileRunningIsAConflict) {
  ForwardingBackend backend(*backend_);
  backend.start_rebuild = [](std::string_view) -> Result<RebuildStatus> {
    return InvalidArgument("rebuild-1-1767913200000");
  };
  Outcome conflict = Run("C3", {.params = {{"mode", {"verify"}}}}, &backend);
  ASSERT_TRUE(conflict.problem.has_value());
  EXPECT_EQ(conflict.problem->status, 409);
  EXPECT_EQ(conflict.problem->detail,
            "a rebuild is already running (rebuild_id rebuild-1-1767913200000)");

  backend.adjust_pipeline = [](PipelineStatus& p) { p.rebuild.state = "running"; };
  Outcome ingest = PostEvents(kTenLines);
  ASSERT_TRUE(ingest.reply.has_value());  // the real backend: no rebuild
  Call call{.params = {{"org", {"daydream"}}},
            .body = kTenLines,
            .headers = {{"content-type", "application/x-ndjson"}}};
  Outcome refused = Run("C2", call, &backend);
  ASSERT_TRUE(refused.problem.has_value());
  EXPECT_EQ(refused.problem->status, 409);
  EXPECT_EQ(refused.problem->detail, "a rebuild is running; retry when it finishes");
}

TEST(RebuildJobTest, OneRebuildAtATime) {
  FakeClock clock(kNow);
  RebuildJob job(clock);
  EXPECT_EQ(job.status().state, "idle");
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  auto first = job.Start("verify", [released](RebuildJob::Progress& progress) {
    progress.SetLinesTotal(7);
    released.wait();
    progress.SetLinesReplayed(7);
    progress.SetChecksums(false, {"api_hourly_payments"});
    return Status::Ok();
  });
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->state, "running");
  EXPECT_EQ(first->rebuild_id, std::optional<std::string>("rebuild-1-1767913200000"));
  auto second = job.Start("replace", [](RebuildJob::Progress&) { return Status::Ok(); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(second.status().message(), "rebuild-1-1767913200000");

  clock.Advance(1500);
  release.set_value();
  job.Wait();
  RebuildStatus done = job.status();
  EXPECT_EQ(done.state, "succeeded");
  EXPECT_EQ(done.finished_at, std::optional<Millis>(kNow + 1500));
  EXPECT_EQ(done.lines_total, 7);
  EXPECT_EQ(done.checksums_match, std::optional<bool>(false));
  EXPECT_EQ(done.mismatched_tables, std::vector<std::string>{"api_hourly_payments"});

  auto failing = job.Start("replace", [](RebuildJob::Progress&) { return IoError("disk"); });
  ASSERT_TRUE(failing.ok());
  EXPECT_EQ(failing->rebuild_id, std::optional<std::string>("rebuild-2-1767913201500"));
  job.Wait();
  EXPECT_EQ(job.status().state, "failed");
  EXPECT_TRUE(job.status().error.has_value());
  EXPECT_EQ(job.status().lines_total, 0);
}

TEST_F(OperationsRoutesTest, QualityAfterTheSampleIsBalancedAndEveryInvariantHolds) {
  ASSERT_TRUE(backend_->IngestFiles({kSample}).ok());
  const std::string data = QualityData();
  auto has = [&](std::string_view piece) {
    EXPECT_NE(data.find(piece), std::string::npos) << piece << "\nin " << data;
  };
  has(R"({"start_time":"2026-01-08T00:00:00.000Z","end_time":"2026-01-09T00:00:00.000Z",)"
      R"("ingest":{"lines_read":65,"accepted":65,"ignored":0,"rejected":0,"duplicates":0,)"
      R"("balanced":true},)");
  has(R"("accepted_by_family":{"ai_batch_request":0,"ai_llm_request":0,"ai_stream_events":0,)"
      R"("ai_stream_status":17,"create_new_payment":6,"discovery_results":1,"job_auth":0,)"
      R"("job_gateway":0,"job_orchestrator":0,"job_payment":0,"network_capabilities":1,)"
      R"("stream_ingest_metrics":34,"stream_trace":6,"worker_lifecycle":0},)");
  has(R"("ignored_by_reason":{"ignored_stream_trace_non_core_app":0,)"
      R"("ignored_stream_trace_scope_client_noise":0,"unsupported_event_family":0,)"
      R"("unsupported_stream_trace_type":0},)");
  has(R"("rejected_by_reason":{"bad_timestamp":0,"invalid_payload":0,"malformed_json":0,)"
      R"("missing_event_id":0,"missing_event_type":0,"oversized_message":0,"unknown_org":0},)");
  has(R"("hourly":[{"hour":"2026-01-08T21:00:00.000Z","org":"cloudspe","lines_read":65,)"
      R"("accepted":65,"ignored":0,"rejected":0,"duplicates":0}],)");
  has(R"("sessions":{"total":1,"requested":1,)");
  has(R"("status_samples":{"total":17,)");
  has(R"("payments":{"events":6,)");
  has(R"("invariants":[{"name":"lines_balance","holds":true,"violations":0},)"
      R"({"name":"sla_score_range","holds":true,"violations":0},)"
      R"({"name":"rates_in_unit_interval","holds":true,"violations":0},)"
      R"({"name":"coverage_le_one","holds":true,"violations":0},)"
      R"({"name":"output_failed_le_parts","holds":true,"violations":0},)"
      R"({"name":"hourly_sums_equal_window_sums","holds":true,"violations":0}],)");
  has(R"("freshness":{"last_event_at":"2026-01-08T21:51:55.610Z",)"
      R"("last_ingested_at":"2026-01-08T23:00:00.000Z",)");

  // Another org selects nothing; every key is still present.
  const std::string other = QualityData({{"org", {"daydream"}}});
  EXPECT_NE(other.find(R"("ingest":{"lines_read":0,"accepted":0,"ignored":0,"rejected":0,)"
                       R"("duplicates":0,"balanced":true},)"),
            std::string::npos);
  EXPECT_NE(other.find(R"("hourly":[],"sessions":{"total":0,"requested":0,"selected":0,)"
                       R"("no_orch":0,"unknown_selection":0,"unkeyed_events":0,)"
                       R"("attribution":{"ambiguous":0,"hardware_less":0,"resolved":0,"stale":0,)"
                       R"("unresolved":0},"attributed_rate":null},)"),
            std::string::npos)
      << other;
  EXPECT_NE(other.find(R"("last_event_at":null,)"), std::string::npos);
}

// The report's figures are memoized per data version: an ingest between two reads shows.
TEST_F(OperationsRoutesTest, QualityFollowsEveryIngest) {
  ASSERT_TRUE(backend_->IngestFiles({kSample}).ok());
  EXPECT_NE(QualityData().find(R"("ingest":{"lines_read":65,"accepted":65,"ignored":0,)"
                               R"("rejected":0,"duplicates":0,)"),
            std::string::npos);
  ASSERT_TRUE(backend_->IngestFiles({kSample}).ok());
  const std::string again = QualityData();
  EXPECT_NE(again.find(R"("ingest":{"lines_read":130,"accepted":65,"ignored":0,)"
                       R"("rejected":0,"duplicates":65,)"),
            std::string::npos)
      << again;
}

TEST_F(OperationsRoutesTest, ReadinessReportsEachCheck) {
  ForwardingBackend backend(*backend_);
  Outcome ready = Run("C6", {}, &backend);
  ASSERT_TRUE(ready.reply.has_value()) << ready.status.ToString();
  EXPECT_EQ(ready.reply->status, 200);
  const std::string& body = ready.reply->body;
  EXPECT_EQ(body.rfind(R"({"status":"ready","checks":[{"name":"store","ok":true,"observed":)", 0),
            0u)
      << body;
  EXPECT_NE(body.find(R"(,"limit":2000,"unit":"ms","message":"store answered in )"),
            std::string::npos);
  EXPECT_NE(body.find(R"({"name":"ingest_lag","ok":true,"observed":null,"limit":300,"unit":"s",)"
                      R"("message":"no live source"},{"name":"publish_lag","ok":true,)"
                      R"("observed":null,"limit":600,"unit":"s","message":"no dirty slice"},)"
                      R"({"name":"facts","ok":true,"observed":0,"limit":0,"unit":"hours",)"
                      R"("message":"restored: 0 of 0 hours"}]})"
                      "\n"),
            std::string::npos)
      << body;

  backend.ping = [] { return Unavailable("connection refused"); };
  Outcome store_down = Run("C6", {}, &backend);
  ASSERT_TRUE(store_down.problem.has_value());
  EXPECT_EQ(store_down.problem->status, 503);
  EXPECT_EQ(store_down.problem->detail, "not ready: store");
  EXPECT_EQ(store_down.problem->extension_json.rfind(
                R"("checks":[{"name":"store","ok":false,"observed":null,"limit":2000,)"
                R"("unit":"ms","message":"store round trip failed"},)",
                0),
            0u)
      << store_down.problem->extension_json;

  Outcome alive = Run("C5", {}, &backend);
  ASSERT_TRUE(alive.reply.has_value());
  EXPECT_EQ(alive.reply->status, 200);
  EXPECT_EQ(alive.reply->body, "{\"status\":\"ok\",\"version\":\"dev\"}\n");

  backend.ping = nullptr;
  backend.adjust_pipeline = [](PipelineStatus& p) {
    SourceStatus kafka{.name = "kafka-daydream", .kind = "kafka"};
    kafka.live = true;
    kafka.lag_seconds = 301;
    p.sources.push_back(kafka);
    p.oldest_dirty_slice_age_s = 12.5;
  };
  Outcome lagging = Run("C6", {}, &backend);
  ASSERT_TRUE(lagging.problem.has_value());
  EXPECT_EQ(lagging.problem->detail, "not ready: ingest_lag");
  EXPECT_NE(lagging.problem->extension_json.find(
                R"({"name":"ingest_lag","ok":false,"observed":301,"limit":300,"unit":"s",)"
                R"x("message":"worst lag 301 s (source kafka-daydream)"},{"name":"publish_lag",)x"
                R"("ok":true,"observed":12.5,"limit":600,"unit":"s",)"
                R"("message":"oldest dirty slice is 12.5 s old"},)"),
            std::string::npos)
      << lagging.problem->extension_json;

  backend.adjust_pipeline = [](PipelineStatus& p) {
    p.restoring = true;
    p.restore_hours_replayed = 12;
    p.restore_hours_total = 168;
  };
  Outcome restoring = Run("C6", {}, &backend);
  ASSERT_TRUE(restoring.problem.has_value());
  EXPECT_EQ(restoring.problem->status, 503);
  EXPECT_EQ(restoring.problem->detail, "not ready: facts");
  EXPECT_NE(restoring.problem->extension_json.find(
                R"({"name":"facts","ok":false,"observed":12,"limit":168,"unit":"hours",)"
                R"("message":"the facts are being restored from the raw log: 12 of 168 hours"}])"),
            std::string::npos)
      << restoring.problem->extension_json;
}

TEST_F(OperationsRoutesTest, MetricsRendersTheRegistry) {
  registry_.GetCounter("naap_test_events_total", "events seen").Add(3);
  Outcome out = Run("C7", {});
  ASSERT_TRUE(out.reply.has_value());
  EXPECT_EQ(out.reply->kind, Reply::Kind::kRaw);
  EXPECT_EQ(out.reply->content_type, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(out.reply->body, registry_.Render());
  EXPECT_NE(out.reply->body.find("naap_test_events_total 3\n"), std::string::npos);
}

}  // namespace
}  // namespace naap::api
