// Group A streaming, request and discover handlers (A8–A22) called directly on a LocalBackend
// over a memory store.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/api.h"
#include "api/routes_a_test_util.h"

namespace naap::api::testing {
namespace {

constexpr Millis kDay0 = 1'767'830'400'000;                // 2026-01-08T00:00:00.000Z
constexpr Millis kCapabilitySnapshot = 1'767'909'021'590;  // the sample's network_capabilities
constexpr char kModel[] = "streamdiffusion-sdxl-faceid";
constexpr char kGpu[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";

class StreamingRequestRoutesTest : public ::testing::Test {
 protected:
  const RouteSpec& Route(std::string_view id) { return RouteHarness::Find(routes_, id); }
  std::vector<RouteSpec> routes_ = StreamingAndRequestRoutes();
  RouteHarness harness_;
  const Window day_{.start = kDay0, .end = kDay0 + kDayMs};
};

TEST_F(StreamingRequestRoutesTest, DeclaresListRoutesWithTheirKeysets) {
  std::vector<std::string> lists;
  for (const RouteSpec& r : routes_) {
    EXPECT_EQ(r.bare, !r.is_list()) << r.id;
    if (r.is_list()) lists.push_back(r.id);
  }
  EXPECT_EQ(lists, (std::vector<std::string>{"A10", "A11", "A12", "A16", "A19"}));
  std::vector<std::string> sla_keys;
  for (const KeyColumn& k : Route("A10").keyset)
    sla_keys.push_back((k.descending ? "-" : "") + k.name);
  EXPECT_EQ(sla_keys, (std::vector<std::string>{"-window_start", "org", "orchestrator_address",
                                                "pipeline_id", "model_id", "gpu_id"}));
  std::vector<std::string> job_keys;
  for (const KeyColumn& k : Route("A19").keyset)
    job_keys.push_back((k.descending ? "-" : "") + k.name);
  EXPECT_EQ(job_keys, (std::vector<std::string>{"-completed_at", "-org", "-request_id"}));
  std::vector<std::string> params;
  for (const ParamSpec& p : Route("A10").params) params.push_back(p.name);
  EXPECT_EQ(params,
            (std::vector<std::string>{"start", "end", "window", "org", "orchestrator_address",
                                      "model_id", "gpu_id", "limit", "cursor"}));
  const ParamSpec& caps = Route("A22").params.at(0);
  EXPECT_EQ(caps.name, "caps");
  EXPECT_EQ(caps.type, ParamType::kCap);
  EXPECT_TRUE(caps.repeatable);
}

TEST_F(StreamingRequestRoutesTest, EmptyStoreGivesEmptyLists) {
  for (const RouteSpec& r : routes_) EXPECT_EQ(harness_.Body(r), "[]") << r.id;
}

TEST_F(StreamingRequestRoutesTest, StreamingRowsOfTheSample) {
  harness_.IngestSample();
  const std::string prefix =
      R"([{"window_start":"2026-01-08T21:00:00.000Z","org":"cloudspe",)"
      R"("orchestrator_address":"0xd00354656922168815fcd1e51cbddb9e359e3c7f",)"
      R"("pipeline_id":"live-video-to-video","model_id":")" +
      std::string(kModel) + R"(","gpu_id":")" + kGpu + R"(",)";
  const std::string sla = harness_.Body(Route("A10"), {}, day_);
  EXPECT_EQ(sla.substr(0, sla.find(R"("sla_score")")),
            prefix + R"("requested_sessions":1,"startup_success_sessions":1,)"
                     R"("effective_success_rate":1,"no_swap_rate":1,)"
                     R"("avg_output_fps":15.999941176470589,)");
  const double score = std::stod(sla.substr(sla.find(R"("sla_score":)") + 12));
  EXPECT_GE(score, 0);
  EXPECT_LE(score, 100);
  EXPECT_EQ(
      harness_.Keys(Route("A10"), day_),
      (std::vector<std::vector<std::string>>{{"1767906000000", "cloudspe", kSampleOrchestrator,
                                              "live-video-to-video", kModel, kGpu}}));
  EXPECT_EQ(harness_.Body(Route("A10"), {{"gpu_id", {"GPU-other"}}}, day_), "[]");
  EXPECT_EQ(harness_.Body(Route("A10"), {{"org", {"daydream"}}}, day_), "[]");

  EXPECT_EQ(harness_.Body(Route("A11"), {}, day_),
            R"([{"window_start":"2026-01-08T21:00:00.000Z","org":"cloudspe","gateway":"",)"
            R"("pipeline_id":"live-video-to-video","model_id":"streamdiffusion-sdxl-faceid",)"
            R"("requested_sessions":1,"startup_success_sessions":1,"effective_success_rate":1,)"
            R"("total_minutes":2.8385333333333334,"no_orch_sessions":0}])");
  EXPECT_EQ(harness_.Body(Route("A11"), {{"gateway", {"gw"}}}, day_), "[]");
  const std::string gpu = harness_.Body(Route("A12"), {}, day_);
  EXPECT_EQ(gpu.substr(0, gpu.find(R"("avg_e2e_latency_ms")")),
            prefix + R"("gpu_model_name":"NVIDIA GeForce RTX 5090","known_sessions_count":1,)"
                     R"("startup_success_sessions":1,"avg_output_fps":15.999941176470589,)");
  EXPECT_NE(gpu.find(R"("swap_rate":0})"), std::string::npos);
}

TEST_F(StreamingRequestRoutesTest, CurrentStreamingSupply) {
  harness_.IngestSample();
  // avg_fps 15.99994… rounded to one decimal.
  EXPECT_EQ(harness_.Body(Route("A8")),
            R"([{"pipeline":"live-video-to-video","model":"streamdiffusion-sdxl-faceid",)"
            R"("warm_orch_count":1,"gpu_slots":1,"active_streams":1,"available_capacity":0,)"
            R"("avg_fps":16}])");
  EXPECT_EQ(harness_.Body(Route("A9")),
            R"([{"address":"0xd00354656922168815fcd1e51cbddb9e359e3c7f",)"
            R"("uri":"https://rtav-orch2.xodeapp.xyz:28935",)"
            R"("models":["streamdiffusion-sdxl-faceid"],"gpu_count":1,)"
            R"("last_seen":"2026-01-08T21:50:21.590Z"}])");
  // The sample's orchestrator offers no request-mode capability and there are no jobs.
  for (const char* id : {"A13", "A14", "A15", "A16", "A17", "A18", "A19", "A20", "A21"}) {
    EXPECT_EQ(harness_.Body(Route(id), {}, Route(id).window ? std::optional(day_) : std::nullopt),
              "[]")
        << id;
  }
}

TEST_F(StreamingRequestRoutesTest, DiscoverKeepsOffersSeenInTheLast30Minutes) {
  harness_.IngestSample();
  const std::string row = R"([{"address":"https://rtav-orch2.xodeapp.xyz:28935","score":)";
  const std::string tail =
      R"(,"capabilities":["live-video-to-video/streamdiffusion-sdxl-faceid"],)"
      R"("last_seen_ms":1767909021590,"last_seen":"2026-01-08T21:50:21.590Z","recent_work":true}])";
  const std::string now = harness_.Body(Route("A22"));
  ASSERT_EQ(now.substr(0, row.size()), row) << now;
  EXPECT_EQ(now.substr(now.find(R"(,"capabilities")")), tail);
  // The score is the SLA score of the orchestrator's live-video rows of the last 2 h ÷ 100.
  const std::string sla = harness_.Body(Route("A10"), {}, day_);
  const double sla_score = std::stod(sla.substr(sla.find(R"("sla_score":)") + 12));
  EXPECT_DOUBLE_EQ(std::stod(now.substr(row.size())), sla_score / 100);
  EXPECT_EQ(
      harness_.Body(
          Route("A22"),
          {{"caps", {"live-video-to-video/other", std::string("live-video-to-video/") + kModel}}}),
      now);
  EXPECT_EQ(harness_.Body(Route("A22"), {{"caps", {"live-video-to-video/other"}}}), "[]");
  EXPECT_EQ(harness_.Body(Route("A22"), {{"caps", {std::string("text-to-image/") + kModel}}}),
            "[]");
  std::vector<std::string> too_many(51, "live-video-to-video/x");
  Outcome refused = harness_.Call(Route("A22"), {{"caps", too_many}});
  ASSERT_TRUE(refused.problem.has_value());
  EXPECT_EQ(refused.problem->status, 400);
  EXPECT_EQ(refused.problem->detail, "parameter \"caps\": at most 50 values are allowed");

  // The data clock moves to 29 minutes after the snapshot: still offered.
  harness_.IngestLines({StreamRequestLine("later-29", kCapabilitySnapshot + 29 * 60'000, "s-29")});
  EXPECT_NE(harness_.Body(Route("A22")).find(kSampleUri), std::string::npos);
  // 31 minutes after it: gone.
  harness_.IngestLines({StreamRequestLine("later-31", kCapabilitySnapshot + 31 * 60'000, "s-31")});
  EXPECT_EQ(harness_.Body(Route("A22")), "[]");
}

}  // namespace
}  // namespace naap::api::testing
