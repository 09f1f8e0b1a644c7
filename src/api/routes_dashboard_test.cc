// Group A dashboard handlers (A1–A7) called directly on a LocalBackend over a memory store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/api.h"
#include "api/routes_a_test_util.h"

namespace naap::api::testing {
namespace {

constexpr Millis kDay0 = 1'767'830'400'000;  // 2026-01-08T00:00:00.000Z

class DashboardRoutesTest : public ::testing::Test {
 protected:
  const RouteSpec& Route(std::string_view id) { return RouteHarness::Find(routes_, id); }
  std::vector<RouteSpec> routes_ = DashboardRoutes();
  RouteHarness harness_;
};

// n zero buckets from `first`, each `{"hour":…,"value":0}`.
std::string ZeroBuckets(Millis first, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ",";
    out += R"({"hour":")" + FormatRfc3339Ms(first + i * kHourMs) + R"(","value":0})";
  }
  return out;
}

TEST_F(DashboardRoutesTest, DeclaresTheSpecRoutesInOrder) {
  std::vector<std::string> ids, patterns;
  for (const RouteSpec& r : routes_) {
    ids.push_back(r.id);
    patterns.push_back(r.pattern);
    EXPECT_TRUE(r.bare) << r.id;
    EXPECT_FALSE(r.is_list()) << r.id;
    EXPECT_EQ(r.group, RouteGroup::kA);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"A1", "A2", "A3", "A4", "A5", "A6", "A7"}));
  EXPECT_EQ(patterns[3], "/v1/dashboard/gpu-capacity");
  std::vector<std::string> kpi_params;
  for (const ParamSpec& p : Route("A1").params) kpi_params.push_back(p.name);
  EXPECT_EQ(kpi_params,
            (std::vector<std::string>{"start", "end", "window", "org", "pipeline", "model_id"}));
  EXPECT_EQ(Route("A1").window->max_width, 7 * kDayMs);
  EXPECT_EQ(Route("A2").params.back().max, 20);
  EXPECT_EQ(Route("A7").params.front().max, 200);
  EXPECT_TRUE(Route("A4").params.empty());
}

TEST_F(DashboardRoutesTest, EmptyStoreGivesEveryFieldWithNullsAndEmptyLists) {
  const Window two_hours{.start = kDay0, .end = kDay0 + 2 * kHourMs};
  const std::string requests =
      R"({"total_jobs":0,"selected_jobs":0,"no_orch_jobs":0,"success_rate":null,)"
      R"("avg_duration_ms":null})";
  EXPECT_EQ(
      harness_.Body(Route("A1"), {}, two_hours),
      R"({"streaming":{"successRate":{"value":null,"delta":0},)"
      R"("orchestratorsObserved":{"value":0,"delta":0},"dailyUsageMins":{"value":0,"delta":0},)"
      R"("dailySessionCount":{"value":0,"delta":0},)"
      R"("dailyNetworkFeesEth":{"value":0,"delta":0},"timeframeHours":2,"hourlySessions":[)" +
          ZeroBuckets(kDay0, 2) + R"(],"hourlyUsage":[)" + ZeroBuckets(kDay0, 2) +
          R"(]},"requests":{"ai_batch":)" + requests + R"(,"byoc":)" + requests + "}}");
  EXPECT_EQ(harness_.Body(Route("A2")),
            R"({"streaming":[],"requests":{"by_pipeline":[],"by_capability":[]}})");
  EXPECT_EQ(harness_.Body(Route("A3")), "[]");
  EXPECT_EQ(
      harness_.Body(Route("A4")),
      R"({"totalGPUs":0,"activeGPUs":0,"availableCapacity":0,"models":[],"pipelineGPUs":[]})");
  EXPECT_EQ(harness_.Body(Route("A5")), "[]");
  EXPECT_EQ(harness_.Body(Route("A6")), "[]");
  EXPECT_EQ(harness_.Body(Route("A7")), "[]");
}

TEST_F(DashboardRoutesTest, KpiOnTheSampleSumsItsHours) {
  harness_.IngestSample();
  const Window day{.start = kDay0, .end = kDay0 + kDayMs};
  const std::string body = harness_.Body(Route("A1"), {}, day);
  // One session (requested and playable) from 21:49:05.298 to 21:51:55.610: 170.312 s.
  // Fees: Σ face value × win probability × tickets of the six linked payments
  // = 4800000004800 + 2400000002400 + 4 × 2400000000000 = 16800000007200 wei.
  EXPECT_NE(body.find(R"("successRate":{"value":100,"delta":0})"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("orchestratorsObserved":{"value":1,"delta":0})"), std::string::npos);
  EXPECT_NE(body.find(R"("dailyUsageMins":{"value":2.8385333333333334,"delta":0})"),
            std::string::npos);
  EXPECT_NE(body.find(R"("dailySessionCount":{"value":1,"delta":0})"), std::string::npos);
  EXPECT_NE(body.find(R"("dailyNetworkFeesEth":{"value":0.0000168000000072,"delta":0})"),
            std::string::npos);
  EXPECT_NE(body.find(R"("timeframeHours":24,"hourlySessions":[)" + ZeroBuckets(kDay0, 21) +
                      R"(,{"hour":"2026-01-08T21:00:00.000Z","value":1},)" +
                      ZeroBuckets(kDay0 + 22 * kHourMs, 2) + "]"),
            std::string::npos)
      << body;
  // Filters apply: another pipeline or an unknown org select nothing.
  const std::string other = harness_.Body(Route("A1"), {{"pipeline", {"text-to-image"}}}, day);
  EXPECT_NE(other.find(R"("successRate":{"value":null,"delta":0})"), std::string::npos);
  EXPECT_NE(other.find(R"("orchestratorsObserved":{"value":0,"delta":0})"), std::string::npos);
  const std::string model =
      harness_.Body(Route("A1"), {{"model_id", {"streamdiffusion-sdxl-faceid"}}}, day);
  EXPECT_NE(model.find(R"("dailySessionCount":{"value":1,"delta":0})"), std::string::npos);
  const std::string nosuch = harness_.Body(Route("A1"), {{"org", {"nosuchorg"}}}, day);
  EXPECT_NE(nosuch.find(R"("dailySessionCount":{"value":0,"delta":0})"), std::string::npos);
}

TEST_F(DashboardRoutesTest, KpiDeltasCompareTheOuterHalves) {
  // Three hours: 1 session in the first, 5 in the middle, 3 in the last. Halves are the first and
  // the last hour (⌊3/2⌋ = 1; the middle one is in neither).
  const Millis h0 = kDay0 + 10 * kHourMs;
  std::vector<std::string> lines = {StreamRequestLine("e-0", h0 + 60'000, "s-0")};
  for (int i = 1; i <= 5; ++i) {
    lines.push_back(StreamRequestLine("e-m" + std::to_string(i), h0 + kHourMs + i * 1000,
                                      "s-m" + std::to_string(i)));
  }
  for (int i = 1; i <= 3; ++i) {
    lines.push_back(StreamRequestLine("e-l" + std::to_string(i), h0 + 2 * kHourMs + i * 1000,
                                      "s-l" + std::to_string(i)));
  }
  harness_.IngestLines(lines);
  const std::string body =
      harness_.Body(Route("A1"), {}, Window{.start = h0, .end = h0 + 3 * kHourMs});
  // 9 sessions; delta = 100 × (3 − 1) ÷ 1 = 200.
  EXPECT_NE(body.find(R"("dailySessionCount":{"value":9,"delta":200})"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("hourlySessions":[{"hour":"2026-01-08T10:00:00.000Z","value":1},)"
                      R"({"hour":"2026-01-08T11:00:00.000Z","value":5},)"
                      R"({"hour":"2026-01-08T12:00:00.000Z","value":3}])"),
            std::string::npos);
  // No session reached playback: 0 % in both halves, so the delta is 0 points.
  EXPECT_NE(body.find(R"("successRate":{"value":0,"delta":0})"), std::string::npos);
  // One hour: n < 2, every delta is 0.
  const std::string one =
      harness_.Body(Route("A1"), {}, Window{.start = h0 + 2 * kHourMs, .end = h0 + 3 * kHourMs});
  EXPECT_NE(one.find(R"("dailySessionCount":{"value":3,"delta":0})"), std::string::npos);
}

TEST_F(DashboardRoutesTest, PipelinesGroupUsageByModel) {
  harness_.IngestSample();
  // Output FPS are summed at 10⁻³: Σ of the 17 samples = 271.999, ÷ 17 = 15.999941176470589.
  EXPECT_EQ(harness_.Body(Route("A2"), {}, Window{.start = kDay0, .end = kDay0 + kDayMs}),
            R"({"streaming":[{"name":"live-video-to-video","mins":2.8385333333333334,"sessions":1,)"
            R"("avgFps":15.999941176470589,"modelMins":[{"model":"streamdiffusion-sdxl-faceid",)"
            R"("mins":2.8385333333333334,"sessions":1,"avgFps":15.999941176470589}]}],)"
            R"("requests":{"by_pipeline":[],"by_capability":[]}})");
}

TEST_F(DashboardRoutesTest, OrchestratorsJoinCurrentIdentityAndWindowSla) {
  harness_.IngestSample();
  const std::string body =
      harness_.Body(Route("A3"), {}, Window{.start = kDay0, .end = kDay0 + kDayMs});
  EXPECT_EQ(body.substr(0, body.find(R"("slaScore")")),
            R"([{"address":"0xd00354656922168815fcd1e51cbddb9e359e3c7f",)"
            R"("serviceUri":"https://rtav-orch2.xodeapp.xyz:28935","knownSessions":1,)"
            R"("successSessions":1,"successRatio":100,"effectiveSuccessRate":1,"noSwapRatio":1,)");
  EXPECT_NE(body.find(R"("slaWindowStart":"2026-01-08T21:00:00.000Z","pipelines":)"
                      R"(["live-video-to-video"],"pipelineModels":[{"pipelineId":)"
                      R"("live-video-to-video","modelIds":["streamdiffusion-sdxl-faceid"]}],)"
                      R"("gpuCount":1}])"),
            std::string::npos)
      << body;
  const size_t score = body.find(R"("slaScore":)") + 11;
  const double sla = std::stod(body.substr(score));
  EXPECT_GE(sla, 0);
  EXPECT_LE(sla, 100);
}

TEST_F(DashboardRoutesTest, CurrentInventoryRoutesOnTheSample) {
  harness_.IngestSample();
  EXPECT_EQ(harness_.Body(Route("A4")),
            R"({"totalGPUs":1,"activeGPUs":1,"availableCapacity":0,)"
            R"("models":[{"model":"NVIDIA GeForce RTX 5090","count":1}],)"
            R"("pipelineGPUs":[{"name":"live-video-to-video","gpus":1,)"
            R"("models":[{"model":"streamdiffusion-sdxl-faceid","gpus":1}]}]})");
  EXPECT_EQ(harness_.Body(Route("A5")),
            R"([{"id":"live-video-to-video","name":"live-video-to-video",)"
            R"("models":["streamdiffusion-sdxl-faceid"],"regions":[]}])");
  // capabilities_prices: pricePerUnit 1618, pixelsPerUnit 1, capability 35 (live-video-to-video).
  EXPECT_EQ(harness_.Body(Route("A6")),
            R"([{"orchAddress":"0xd00354656922168815fcd1e51cbddb9e359e3c7f",)"
            R"("orchName":"rtav-orch2.xodeapp.xyz","pipeline":"live-video-to-video",)"
            R"("model":"streamdiffusion-sdxl-faceid","priceWeiPerUnit":1618,"pixelsPerUnit":1,)"
            R"("isWarm":true}])");
}

TEST_F(DashboardRoutesTest, JobFeedListsTheLiveStream) {
  harness_.IngestSample();
  // The last status sample (event 8b35b1b6…) is the data clock itself; duration = 21:51:55.610 −
  // 21:49:05.298 = 170.312 s.
  const std::string expected =
      R"([{"id":"8b35b1b6-38ca-4acb-bc55-84ecc5cb73b5","pipeline":"live-video-to-video",)"
      R"("model":"streamdiffusion-sdxl-faceid","gateway":"",)"
      R"("orchestratorAddress":"0xd00354656922168815fcd1e51cbddb9e359e3c7f",)"
      R"("orchestratorUrl":"https://rtav-orch2.xodeapp.xyz:28935","state":"ONLINE",)"
      R"("inputFps":17.28361801542751,"outputFps":16.983902096084837,)"
      R"("firstSeen":"2026-01-08T21:49:05.298Z","lastSeen":"2026-01-08T21:51:55.610Z",)"
      R"("durationSeconds":170.312}])";
  EXPECT_EQ(harness_.Body(Route("A7")), expected);
  EXPECT_EQ(harness_.Body(Route("A7"), {{"org", {"cloudspe"}}}), expected);
  EXPECT_EQ(harness_.Body(Route("A7"), {{"org", {"daydream"}}}), "[]");
  // 121 s later (a new event moves the data clock) the stream is no longer in the feed.
  harness_.IngestLines({StreamRequestLine("late", kSampleClock + 121'000, "")});
  EXPECT_EQ(harness_.Body(Route("A7")), "[]");
}

}  // namespace
}  // namespace naap::api::testing
