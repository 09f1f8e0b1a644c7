// Routes B1–B20 called directly: the real sample (one stream attributed to 0xd003… via its URI,
// one RTX 5090) and hand-built events in a LocalBackend over a memory store, and an empty store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/local_backend.h"
#include "api/read_cache.h"
#include "api/route.h"
#include "base/time.h"
#include "store/store.h"

namespace naap::api {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kD003[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kStream[] = "stream-o5s73x-mk5zc8fy";
constexpr Millis kSampleClock = 1'767'909'115'610;  // the sample's newest event
constexpr Millis kSampleHour = 1'767'906'000'000;   // 2026-01-08T21:00:00Z
constexpr Millis kDay9 = 1'767'916'800'000;         // 2026-01-09T00:00:00Z

using Params = std::map<std::string, std::vector<std::string>>;

class NetworkRoutesTest : public ::testing::Test {
 protected:
  void Open(Millis now) {
    clock_ = std::make_unique<FakeClock>(now);
    store_ = std::move(*store::OpenStore("memory:"));
    auto backend = LocalBackend::Open(*store_, *clock_, ApiConfig{});
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(*backend);
  }
  void OpenWithSample() {
    Open(kSampleClock + kHourMs);
    auto counts = backend_->IngestFiles(
        {std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json"});
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    ASSERT_EQ(counts->accepted, 65);
  }

  const RouteSpec& RouteById(const std::string& id) {
    for (const RouteSpec& route : routes_) {
      if (route.id == id) return route;
    }
    ADD_FAILURE() << "no route " << id;
    return routes_.front();
  }

  // Calls the handler as the router would, with the data clock of the `org` parameter.
  Outcome Call(const std::string& id, Params params = {}, std::optional<Window> window = {},
               std::map<std::string, std::string> path = {}) {
    const RouteSpec& route = RouteById(id);
    RequestContext ctx;
    ctx.route = &route;
    ctx.method = "GET";
    ctx.path = route.pattern;
    ctx.path_params = std::move(path);
    ctx.params = std::move(params);
    if (route.window) {
      ctx.window = window.value_or(Window{clock_->NowMs() - kDayMs, clock_->NowMs()});
    }
    ctx.now = clock_->NowMs();
    std::optional<std::string_view> org;
    if (auto it = ctx.params.find("org"); it != ctx.params.end()) org = it->second.front();
    ctx.data_clock = *backend_->DataClock(org);
    return route.handler(ctx, *backend_);
  }
  std::string Data(const std::string& id, Params params = {}, std::optional<Window> window = {},
                   std::map<std::string, std::string> path = {}) {
    Outcome out = Call(id, std::move(params), window, std::move(path));
    EXPECT_TRUE(out.status.ok()) << out.status.ToString();
    EXPECT_FALSE(out.problem.has_value()) << (out.problem ? out.problem->detail : "");
    if (!out.reply) return "";
    EXPECT_EQ(out.reply->kind, Reply::Kind::kData);
    return out.reply->json;
  }
  std::vector<ListRow> Rows(const std::string& id, Params params = {},
                            std::optional<Window> window = {}) {
    Outcome out = Call(id, std::move(params), window);
    EXPECT_TRUE(out.status.ok()) << out.status.ToString();
    if (!out.reply) return {};
    EXPECT_EQ(out.reply->kind, Reply::Kind::kList);
    return out.reply->list_rows();
  }
  std::string NotFound(const std::string& id, Params params = {},
                       std::map<std::string, std::string> path = {}) {
    Outcome out = Call(id, std::move(params), {}, std::move(path));
    EXPECT_TRUE(out.problem.has_value());
    if (!out.problem) return "";
    EXPECT_EQ(out.problem->status, 404);
    return out.problem->detail;
  }

  std::vector<RouteSpec> routes_ = NetworkRoutes();
  std::unique_ptr<FakeClock> clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LocalBackend> backend_;
};

// ---- the route table ----

std::vector<std::string> NamesOf(const std::vector<ParamSpec>& params) {
  std::vector<std::string> names;
  for (const ParamSpec& p : params) names.push_back(p.name);
  return names;
}

TEST_F(NetworkRoutesTest, TableDeclaresB1ToB20WithTheSpecParameters) {
  ASSERT_EQ(routes_.size(), 20u);
  for (size_t i = 0; i < routes_.size(); ++i) {
    EXPECT_EQ(routes_[i].id, "B" + std::to_string(i + 1));
    EXPECT_EQ(routes_[i].group, RouteGroup::kB);
    EXPECT_TRUE(routes_[i].handler);
  }
  EXPECT_EQ(RouteById("B3").pattern, "/v1/net/orchestrators/{address}");
  EXPECT_EQ(RouteById("B3").path_params.at(0).type, ParamType::kAddress);
  EXPECT_EQ(RouteById("B12").pattern, "/v1/streams/{stream_id}");
  using V = std::vector<std::string>;
  EXPECT_EQ(NamesOf(RouteById("B2").params), (V{"org", "active_only", "limit", "cursor"}));
  EXPECT_EQ(NamesOf(RouteById("B10").params), (V{"start", "end", "window", "org", "stream_id",
                                                 "pipeline", "orch_address", "limit", "cursor"}));
  EXPECT_EQ(NamesOf(RouteById("B13").params),
            (V{"start", "end", "window", "org", "pipeline", "orch_address", "limit"}));
  EXPECT_EQ(*RouteById("B13").params.back().default_int, 100);
  EXPECT_EQ(*RouteById("B15").params.back().default_int, 200);
  EXPECT_EQ(NamesOf(RouteById("B20").params),
            (V{"model_id", "pipeline", "start", "end", "window"}));
  EXPECT_TRUE(RouteById("B20").params.front().required);
  // Lists: B2 and B10 only; their keysets.
  int lists = 0;
  for (const RouteSpec& r : routes_) lists += r.is_list();
  EXPECT_EQ(lists, 2);
  ASSERT_EQ(RouteById("B10").keyset.size(), 3u);
  EXPECT_TRUE(RouteById("B10").keyset[0].descending);
  EXPECT_EQ(RouteById("B10").keyset[0].kind, KeyKind::kTime);
  // Windowed: B8–B11 and B13–B20, 24 h default, the retention maximum.
  for (const char* id :
       {"B8", "B9", "B10", "B11", "B13", "B14", "B15", "B16", "B17", "B18", "B19", "B20"}) {
    ASSERT_TRUE(RouteById(id).window.has_value()) << id;
    EXPECT_EQ(RouteById(id).window->default_width, kDayMs);
    EXPECT_FALSE(RouteById(id).window->max_width.has_value());
  }
  for (const char* id : {"B1", "B2", "B3", "B4", "B5", "B6", "B7", "B12"}) {
    EXPECT_FALSE(RouteById(id).window.has_value()) << id;
  }
}

// ---- behaviour 21: an empty store ----

TEST_F(NetworkRoutesTest, EmptyStoreListsAreEmptyAndEveryFieldIsPresent) {
  ASSERT_NO_FATAL_FAILURE(Open(kDay9 + 10 * kHourMs + 17 * 60'000));  // 10:17
  EXPECT_EQ(Data("B1"), R"({"org":null,"snapshot_time":null,"total_registered":0,"total_active":0,)"
                        R"("active_threshold_minutes":10})");
  EXPECT_TRUE(Rows("B2").empty());
  EXPECT_EQ(Data("B4"), R"({"total_gpus":0,"total_vram_gb":0,"by_model":[]})");
  EXPECT_EQ(Data("B5"), "[]");
  EXPECT_EQ(Data("B6"),
            R"({"total_active":0,"active_threshold_seconds":120,"by_org":{},"by_pipeline":{},)"
            R"("by_state":{}})");
  EXPECT_EQ(Data("B7"), R"({"snapshot_time":null,"entries":[]})");
  const Window w{kDay9, kDay9 + 3 * kHourMs};
  EXPECT_EQ(Data("B8", {}, w),
            R"({"start_time":"2026-01-09T00:00:00.000Z","end_time":"2026-01-09T03:00:00.000Z",)"
            R"("total_requested":0,"startup_successes":0,"no_orch_session_count":0,)"
            R"("startup_success_rate":null,"no_orch_session_rate":null,"orch_swap_count":0})");
  EXPECT_EQ(Data("B9", {}, w),
            R"([{"timestamp":"2026-01-09T00:00:00.000Z","requested_sessions":0,)"
            R"("startup_success_sessions":0,"no_orch_sessions":0,"orch_swap_sessions":0},)"
            R"({"timestamp":"2026-01-09T01:00:00.000Z","requested_sessions":0,)"
            R"("startup_success_sessions":0,"no_orch_sessions":0,"orch_swap_sessions":0},)"
            R"({"timestamp":"2026-01-09T02:00:00.000Z","requested_sessions":0,)"
            R"("startup_success_sessions":0,"no_orch_sessions":0,"orch_swap_sessions":0}])");
  EXPECT_TRUE(Rows("B10").empty());
  EXPECT_THAT(Data("B11"),
              HasSubstr(R"("total_samples":0,"attributed_count":0,"unattributed_count":0,)"
                        R"("attribution_rate":null,"by_status":{"ambiguous":0,"hardware_less":0,)"
                        R"("resolved":0,"stale":0,"unresolved":0}})"));
  EXPECT_THAT(Data("B13"), HasSubstr(R"("by_pipeline":[],"by_orchestrator":[]})"));
  // The default window at 10:17 selects the 24 buckets 11:00 yesterday … 10:00 today.
  const std::string history = Data("B14");
  EXPECT_EQ(std::count(history.begin(), history.end(), '{'), 24);
  EXPECT_THAT(history, HasSubstr(R"([{"timestamp":"2026-01-08T11:00:00.000Z","avg_inference_fps":)"
                                 R"(null,"avg_input_fps":null,"sample_count":0,"degraded":false,)"
                                 R"("degraded_pairs":0})"));
  EXPECT_THAT(Data("B15"), HasSubstr(R"("by_orchestrator":[],"network_avg_ms":null})"));
  EXPECT_THAT(
      Data("B16"),
      HasSubstr(R"("sample_count":0,"video":{"avg_jitter_ms":null,"packet_loss_rate":null},)"
                R"("audio":{"avg_jitter_ms":null,"packet_loss_rate":null},)"
                R"("conn_quality":{"good":null,"fair":null,"poor":null}})"));
  EXPECT_THAT(Data("B17"),
              HasSubstr(R"("overall":{"avg_ms":null,"p50_ms":null,"p95_ms":null,"p99_ms":null,)"
                        R"("sample_count":0},"by_pipeline":[],"by_orchestrator":[]})"));
  EXPECT_THAT(Data("B18"),
              HasSubstr(R"("avg_ms":null,"p50_ms":null,"p95_ms":null,"sample_count":0})"));
  EXPECT_EQ(Data("B19"), "[]");
  // Behaviour 25: unknown entities are 404 with the exact details.
  EXPECT_EQ(NotFound("B3", {}, {{"address", "0x0000000000000000000000000000000000000000"}}),
            "orchestrator not found");
  EXPECT_EQ(NotFound("B12", {}, {{"stream_id", "nosuch"}}), "stream not found");
  EXPECT_EQ(NotFound("B20", {{"model_id", {"x"}}}), "model not found");
}

// ---- the real sample ----

TEST_F(NetworkRoutesTest, InventoryOfTheSample) {
  ASSERT_NO_FATAL_FAILURE(OpenWithSample());
  // The snapshot (21:50:21.590) is 94 s before the data clock: registered and active.
  EXPECT_EQ(Data("B1"),
            R"({"org":null,"snapshot_time":"2026-01-08T21:51:55.610Z","total_registered":1,)"
            R"("total_active":1,"active_threshold_minutes":10})");
  EXPECT_THAT(Data("B1", {{"org", {"cloudspe"}}}), HasSubstr(R"("total_registered":1)"));
  EXPECT_THAT(Data("B1", {{"org", {"nosuchorg"}}}),
              HasSubstr(R"("snapshot_time":null,"total_registered":0)"));

  const std::vector<ListRow> orchs = Rows("B2", {{"active_only", {"true"}}});
  ASSERT_EQ(orchs.size(), 1u);
  EXPECT_EQ(orchs[0].key, std::vector<std::string>{kD003});
  EXPECT_THAT(
      orchs[0].json,
      HasSubstr(std::string(R"({"address":")") + kD003 +
                R"(","orgs":["cloudspe"],"name":"0x52cf2968b3dc6016778742d3539449a6597d5954",)"
                R"("label":"0xd00354...3c7f","uri":"https://rtav-orch2.xodeapp.xyz:28935",)"
                R"("version":"0.8.8-3a5678ec-dirty","last_seen":"2026-01-08T21:50:21.590Z",)"
                R"("is_active":true,"raw_capabilities":"{)"));

  // One RTX 5090 of 34 190 917 632 bytes = 31.842… GiB.
  EXPECT_THAT(Data("B4"), HasSubstr(R"({"total_gpus":1,"total_vram_gb":31.84)"));
  EXPECT_THAT(Data("B4"),
              HasSubstr(R"("by_model":[{"model":"NVIDIA GeForce RTX 5090","count":1,)"));

  const std::string models = Data("B5");
  EXPECT_THAT(models, HasSubstr(R"({"pipeline":"live-video-to-video",)"
                                R"("model":"streamdiffusion-sdxl-faceid","warm_orch_count":1,)"));
  EXPECT_EQ(Data("B5", {{"pipeline", {"nosuch"}}}), "[]");

  // The open stream is the one active stream of its pair, on one GPU: 100 %.
  EXPECT_THAT(
      Data("B7"),
      HasSubstr(R"({"pipeline":"live-video-to-video","model_id":"streamdiffusion-sdxl-faceid",)"
                R"("warm_orch_count":1,"gpu_count":1,"active_streams":1,)"
                R"("utilization_pct":100,"total_vram_bytes":34190917632})"));
}

TEST_F(NetworkRoutesTest, OrchestratorProfileOverSevenDays) {
  ASSERT_NO_FATAL_FAILURE(OpenWithSample());
  const std::string profile = Data("B3", {}, {}, {{"address", kD003}});
  // One session; 17 samples whose output FPS (at 10⁻³) sum to 271.999, so 271.999 ÷ 17; one
  // DEGRADED_INFERENCE sample of 17; one discovery latency of 77 ms.
  EXPECT_THAT(profile, HasSubstr(std::string(R"({"address":")") + kD003 + R"(","name":)"));
  EXPECT_THAT(profile, HasSubstr(R"("orgs":["cloudspe"],"last_seen":"2026-01-08T21:50:21.590Z",)"
                                 R"("is_active":true,"streams_handled":1,)"
                                 R"("avg_inference_fps":15.999941176470589,)"));
  EXPECT_THAT(profile, HasSubstr(R"("degraded_rate":0.058823529411764705,"avg_latency_ms":77,)"));
  EXPECT_EQ(NotFound("B3", {}, {{"address", "0x0000000000000000000000000000000000000000"}}),
            "orchestrator not found");
}

TEST_F(NetworkRoutesTest, ActiveStreamsAnswerTheActiveRouteAndFilterByPipeline) {
  ASSERT_NO_FATAL_FAILURE(OpenWithSample());
  EXPECT_EQ(Data("B6"),
            R"({"total_active":1,"active_threshold_seconds":120,"by_org":{"cloudspe":1},)"
            R"("by_pipeline":{"live-video-to-video":1},"by_state":{"ONLINE":1}})");
  EXPECT_THAT(Data("B6", {{"pipeline", {"live-video-to-video"}}}),
              HasSubstr(R"("total_active":1,)"));
  EXPECT_EQ(Data("B6", {{"pipeline", {"text-to-image"}}}),
            R"({"total_active":0,"active_threshold_seconds":120,"by_org":{},"by_pipeline":{},)"
            R"("by_state":{}})");
  EXPECT_THAT(Data("B6", {{"org", {"daydream"}}}), HasSubstr(R"("total_active":0,)"));
}

TEST_F(NetworkRoutesTest, SamplesAttributionAndStreamDetail) {
  ASSERT_NO_FATAL_FAILURE(OpenWithSample());
  const Window hour{kSampleHour, kSampleHour + kHourMs};
  const std::vector<ListRow> samples = Rows("B10", {}, hour);
  ASSERT_EQ(samples.size(), 17u);
  // Newest first: log-64 at 21:51:55.610.
  EXPECT_EQ(samples[0].key, (std::vector<std::string>{"1767909115610", "cloudspe",
                                                      "8b35b1b6-38ca-4acb-bc55-84ecc5cb73b5"}));
  EXPECT_THAT(
      samples[0].json,
      HasSubstr(std::string(R"({"sample_ts":"2026-01-08T21:51:55.610Z","event_id":)"
                            R"("8b35b1b6-38ca-4acb-bc55-84ecc5cb73b5","org":"cloudspe",)"
                            R"("stream_id":"stream-o5s73x-mk5zc8fy","request_id":"db936fab",)"
                            R"("gateway":"","orch_address":")") +
                kD003 +
                R"(","pipeline":"live-video-to-video","model_id":"streamdiffusion-sdxl-faceid",)"
                R"("state":"ONLINE","output_fps":16.983902096084837,)"
                R"("input_fps":17.28361801542751,"e2e_latency_ms":null,"is_attributed":true})"));
  EXPECT_EQ(samples.back().key[0], "1767908955607");
  EXPECT_EQ(Rows("B10", {{"stream_id", {"other"}}}, hour).size(), 0u);
  EXPECT_EQ(Rows("B10", {{"orch_address", {kD003}}}, hour).size(), 17u);
  EXPECT_EQ(Rows("B10", {{"pipeline", {"text-to-image"}}}, hour).size(), 0u);
  // Half-open window: the first sample (21:49:15.607) sits exactly on the start.
  EXPECT_EQ(Rows("B10", {}, Window{1'767'908'955'607, 1'767'908'975'605}).size(), 2u);

  EXPECT_EQ(Data("B11", {}, hour),
            R"({"start_time":"2026-01-08T21:00:00.000Z","end_time":"2026-01-08T22:00:00.000Z",)"
            R"("total_samples":17,"attributed_count":17,"unattributed_count":0,)"
            R"("attribution_rate":1,"by_status":{"ambiguous":0,"hardware_less":0,"resolved":17,)"
            R"("stale":0,"unresolved":0}})");
  // Windows that cut the hour (B11 counts whole hours from its per-hour memo, the cut ones
  // sample by sample) count the samples B10 lists.
  EXPECT_THAT(Data("B11", {}, Window{1'767'908'955'607, 1'767'908'975'605}),
              HasSubstr(R"("total_samples":2,"attributed_count":2,)"));
  const Window from_third{1'767'908'975'605, kSampleHour + 2 * kHourMs};
  ASSERT_EQ(Rows("B10", {}, from_third).size(), 15u);
  EXPECT_THAT(Data("B11", {}, from_third), HasSubstr(R"("total_samples":15,)"));
  EXPECT_THAT(Data("B11", {{"org", {"daydream"}}}, hour), HasSubstr(R"("total_samples":0,)"));
  EXPECT_THAT(Data("B11", {{"org", {"daydream"}}}, from_third), HasSubstr(R"("total_samples":0,)"));

  const std::string stream = Data("B12", {}, {}, {{"stream_id", kStream}});
  EXPECT_THAT(stream, HasSubstr(std::string(R"({"stream_id":"stream-o5s73x-mk5zc8fy",)"
                                            R"("request_id":"db936fab","org":"cloudspe",)"
                                            R"("pipeline":"live-video-to-video",)"
                                            R"("model_id":"streamdiffusion-sdxl-faceid",)"
                                            R"("gateway":"","orch_address":")") +
                                kD003 +
                                R"(","attribution_status":"resolved","state":"ONLINE",)"
                                R"("started_at":"2026-01-08T21:49:05.298Z",)"
                                R"("last_seen":"2026-01-08T21:51:55.610Z","is_closed":false,)"));
  EXPECT_THAT(stream, HasSubstr(R"("session_count":1,"samples":[{"sample_ts":)"
                                R"("2026-01-08T21:49:15.607Z")"));
  EXPECT_THAT(stream, HasSubstr(R"("is_attributed":true}],"samples_truncated":false})"));
  EXPECT_EQ(NotFound("B12", {}, {{"stream_id", "nosuch"}}), "stream not found");
  EXPECT_EQ(NotFound("B12", {{"org", {"daydream"}}}, {{"stream_id", kStream}}), "stream not found");
}

TEST_F(NetworkRoutesTest, PerformanceOfTheSample) {
  ASSERT_NO_FATAL_FAILURE(OpenWithSample());
  const Window hour{kSampleHour, kSampleHour + kHourMs};
  const std::string fps = Data("B13", {}, hour);
  EXPECT_THAT(fps, HasSubstr(R"("by_pipeline":[{"pipeline":"live-video-to-video","inference_fps":)"
                             R"({"avg":)"));
  EXPECT_THAT(fps, HasSubstr(std::string(R"("by_orchestrator":[{"address":")") + kD003 +
                             R"(","name":"0x52cf2968b3dc6016778742d3539449a6597d5954",)"
                             R"("pipeline":"live-video-to-video")"));
  EXPECT_THAT(fps, HasSubstr(R"("sample_count":17})"));
  EXPECT_THAT(Data("B13", {{"orch_address", {"0x0000000000000000000000000000000000000000"}}}, hour),
              HasSubstr(R"("by_pipeline":[],"by_orchestrator":[]})"));

  const std::string history = Data("B14", {}, Window{kSampleHour - kHourMs, kSampleHour + kHourMs});
  EXPECT_THAT(history,
              HasSubstr(R"({"timestamp":"2026-01-08T20:00:00.000Z","avg_inference_fps":null,)"));
  EXPECT_THAT(history, HasSubstr(R"("sample_count":17,"degraded":false,"degraded_pairs":0}])"));

  // One discovery row: 77 ms for 0xd003.
  const std::string latency = Data("B15", {}, hour);
  EXPECT_THAT(latency, HasSubstr(std::string(R"("by_orchestrator":[{"address":")") + kD003));
  EXPECT_THAT(latency, HasSubstr(R"("avg_ms":77,)"));
  EXPECT_THAT(latency, HasSubstr(R"("sample_count":1}],"network_avg_ms":77})"));

  const std::string webrtc = Data("B16", {}, hour);
  EXPECT_THAT(webrtc, HasSubstr(R"("sample_count":34,)"));

  EXPECT_THAT(Data("B17", {}, hour),
              HasSubstr(R"("by_pipeline":[{"pipeline":"live-video-to-video",)"));

  const std::string by_model = Data("B19", {}, hour);
  EXPECT_THAT(by_model, HasSubstr(R"([{"model_id":"streamdiffusion-sdxl-faceid",)"
                                  R"("pipeline":"live-video-to-video","avg_fps":)"));
  EXPECT_THAT(by_model, HasSubstr(R"("sample_count":17,"warm_orch_count":1,"total_streams":1}])"));

  const std::string model = Data("B20", {{"model_id", {"streamdiffusion-sdxl-faceid"}}}, hour);
  EXPECT_THAT(model, HasSubstr(R"({"model_id":"streamdiffusion-sdxl-faceid",)"
                               R"("pipeline":"live-video-to-video","avg_fps":)"));
  EXPECT_THAT(model, HasSubstr(R"("sample_count":17,"warm_orch_count":1,"total_streams":1,)"
                               R"("orchs":[{"address":")"));
  EXPECT_THAT(model, HasSubstr(R"("avg_fps":15.999941176470589,"is_warm":true}]})"));
  EXPECT_EQ(NotFound("B20", {{"model_id", {"x"}}}), "model not found");
}

// ---- behaviour 24 and 28 with hand-built sessions ----

constexpr Millis kAt1050 = kDay9 + 10 * kHourMs + 50 * 60'000;

std::string Trace(const std::string& id, Millis ts, const std::string& type,
                  const std::string& stream) {
  return R"({"id":")" + id + R"(","type":"stream_trace","timestamp":")" + std::to_string(ts) +
         R"(","data":{"type":")" + type + R"(","stream_id":")" + stream + R"(","request_id":"r-)" +
         stream +
         R"(","pipeline_id":"","orchestrator_info":)"
         R"({"address":"","url":""}}})"
         "\n";
}
std::string Status(const std::string& id, Millis ts, const std::string& stream) {
  return R"({"id":")" + id + R"(","type":"ai_stream_status","timestamp":")" + std::to_string(ts) +
         R"(","data":{"type":"status","stream_id":")" + stream + R"(","request_id":"r-)" + stream +
         R"(","pipeline":"streamdiffusion-sdxl-faceid","state":"ONLINE",)"
         R"("inference_status":{"fps":20,"restart_count":0},"input_status":{"fps":20}}})"
         "\n";
}

TEST_F(NetworkRoutesTest, HourlyOutcomesSumToTheWindowAndASessionCountsOnce) {
  ASSERT_NO_FATAL_FAILURE(Open(kDay9 + 13 * kHourMs));
  // a: requested 10:50, samples 11:10 and 12:10 (spans three hours); b: requested 11:20, no
  // orchestrator; c: requested 12:30, playable 12:30:05.
  const std::string body =
      Trace("a1", kAt1050, "gateway_receive_stream_request", "a") +
      Status("a2", kAt1050 + 20 * 60'000, "a") + Status("a3", kAt1050 + 80 * 60'000, "a") +
      Trace("b1", kAt1050 + 30 * 60'000, "gateway_receive_stream_request", "b") +
      Trace("b2", kAt1050 + 30 * 60'000 + 1000, "gateway_no_orchestrators_available", "b") +
      Trace("c1", kAt1050 + 100 * 60'000, "gateway_receive_stream_request", "c") +
      Trace("c2", kAt1050 + 100 * 60'000 + 5000, "gateway_receive_few_processed_segments", "c");
  auto ingested = backend_->IngestBody(body, "daydream", "test");
  ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  ASSERT_EQ(ingested->accepted, 7);

  const Window w{kDay9 + 10 * kHourMs, kDay9 + 13 * kHourMs};
  EXPECT_EQ(
      Data("B8", {}, w),
      R"({"start_time":"2026-01-09T10:00:00.000Z","end_time":"2026-01-09T13:00:00.000Z",)"
      R"("total_requested":3,"startup_successes":1,"no_orch_session_count":1,)"
      R"("startup_success_rate":0.3333333333333333,"no_orch_session_rate":0.3333333333333333,)"
      R"("orch_swap_count":0})");
  EXPECT_EQ(Data("B9", {}, w),
            R"([{"timestamp":"2026-01-09T10:00:00.000Z","requested_sessions":1,)"
            R"("startup_success_sessions":0,"no_orch_sessions":0,"orch_swap_sessions":0},)"
            R"({"timestamp":"2026-01-09T11:00:00.000Z","requested_sessions":1,)"
            R"("startup_success_sessions":0,"no_orch_sessions":1,"orch_swap_sessions":0},)"
            R"({"timestamp":"2026-01-09T12:00:00.000Z","requested_sessions":1,)"
            R"("startup_success_sessions":1,"no_orch_sessions":0,"orch_swap_sessions":0}])");
  // The window from 11:00 leaves a's start hour out: a is not requested there.
  EXPECT_THAT(Data("B8", {}, Window{kDay9 + 11 * kHourMs, kDay9 + 13 * kHourMs}),
              HasSubstr(R"("total_requested":2,)"));
  EXPECT_THAT(Data("B8", {{"org", {"cloudspe"}}}, w), HasSubstr(R"("total_requested":0,)"));

  // a's two samples, unattributed; the whole stream detail.
  const std::vector<ListRow> samples = Rows("B10", {{"stream_id", {"a"}}}, w);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].key[2], "a3");
  EXPECT_THAT(samples[0].json, HasSubstr(R"("orch_address":"",)"));
  EXPECT_THAT(samples[0].json, HasSubstr(R"("output_fps":20,"input_fps":20,"e2e_latency_ms":null,)"
                                         R"("is_attributed":false})"));
  EXPECT_THAT(Data("B11", {}, w), HasSubstr(R"("total_samples":2,"attributed_count":0,)"
                                            R"("unattributed_count":2,"attribution_rate":0,)"));
  EXPECT_THAT(Data("B12", {}, {}, {{"stream_id", "a"}}),
              HasSubstr(R"("started_at":"2026-01-09T10:50:00.000Z","last_seen":)"
                        R"("2026-01-09T12:10:00.000Z")"));
  // The active stream (c's last_seen 12:30:05 is the data clock) has no pipeline: "other".
  EXPECT_THAT(Data("B6"), HasSubstr(R"("by_pipeline":{"other":1},"by_state":{"UNKNOWN":1}})"));
}

TEST_F(NetworkRoutesTest, ARepeatedReadComesFromTheCacheAndAnIngestChangesTheAnswer) {
  ASSERT_NO_FATAL_FAILURE(Open(kDay9 + 13 * kHourMs));
  auto ingest = [&](const std::string& body) {
    auto ingested = backend_->IngestBody(body, "daydream", "test");
    ASSERT_TRUE(ingested.ok()) << ingested.status().ToString();
  };
  ingest(Trace("a1", kAt1050, "gateway_receive_stream_request", "a") +
         Status("a2", kAt1050 + 20 * 60'000, "a"));
  const Window w{kDay9 + 10 * kHourMs, kDay9 + 13 * kHourMs};
  const std::string first = Data("B8", {}, w);
  EXPECT_THAT(first, HasSubstr(R"("total_requested":1,"startup_successes":0,)"));
  const std::vector<ListRow> samples = Rows("B10", {}, w);
  ASSERT_EQ(samples.size(), 1u);

  const int64_t hits = backend_->read_cache()->hits();
  EXPECT_EQ(Data("B8", {}, w), first);
  // The data clock and the window's demand rows are both reused.
  EXPECT_EQ(backend_->read_cache()->hits(), hits + 2);
  const int64_t sample_hits = backend_->read_cache()->hits();
  ASSERT_EQ(Rows("B10", {}, w).size(), 1u);
  // The data clock and the three decoded hours of the window.
  EXPECT_EQ(backend_->read_cache()->hits(), sample_hits + 4);

  // b: requested at 11:20 without an orchestrator, and a third sample of a at 12:10.
  ingest(Trace("b1", kAt1050 + 30 * 60'000, "gateway_receive_stream_request", "b") +
         Trace("b2", kAt1050 + 30 * 60'000 + 1000, "gateway_no_orchestrators_available", "b") +
         Status("a3", kAt1050 + 80 * 60'000, "a"));
  EXPECT_THAT(Data("B8", {}, w), HasSubstr(R"("total_requested":2,"startup_successes":0,)"
                                           R"("no_orch_session_count":1,)"));
  const std::vector<ListRow> after = Rows("B10", {}, w);
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].key[2], "a3");
  EXPECT_EQ(after[1].key[2], "a2");
}

TEST_F(NetworkRoutesTest, GroupBKeysAreSnakeCase) {
  ASSERT_NO_FATAL_FAILURE(OpenWithSample());
  const Window hour{kSampleHour, kSampleHour + kHourMs};
  const std::regex camel(R"re("[a-z0-9_]*[A-Z][A-Za-z0-9_]*":)re");
  std::vector<std::string> bodies = {Data("B1"),
                                     Data("B3", {}, {}, {{"address", kD003}}),
                                     Data("B4"),
                                     Data("B5"),
                                     Data("B7"),
                                     Data("B8", {}, hour),
                                     Data("B11", {}, hour),
                                     Data("B12", {}, {}, {{"stream_id", kStream}}),
                                     Data("B13", {}, hour),
                                     Data("B15", {}, hour),
                                     Data("B17", {}, hour),
                                     Data("B19", {}, hour)};
  for (const ListRow& row : Rows("B2")) bodies.push_back(row.json);
  // B6's by_* objects have data-driven keys (states such as "ONLINE"); its fields are checked
  // verbatim in ActiveStreamsAnswerTheActiveRouteAndFilterByPipeline.
  for (const std::string& body : bodies) {
    // raw_capabilities holds the snapshot as received (camelCase upstream); strip it first.
    const std::string keys =
        std::regex_replace(body, std::regex(R"("raw_capabilities":"(\\.|[^"\\])*")"), "");
    EXPECT_FALSE(std::regex_search(keys, camel)) << keys.substr(0, 300);
  }
  EXPECT_THAT(Data("B1"), HasSubstr(R"("total_registered":)"));
  EXPECT_THAT(Data("B15", {}, hour), HasSubstr(R"("p50_ms":)"));
  EXPECT_THAT(Data("B3", {}, {}, {{"address", kD003}}), HasSubstr(R"("avg_inference_fps":)"));
  EXPECT_THAT(Data("B1"), Not(HasSubstr("totalRegistered")));
}

}  // namespace
}  // namespace naap::api
