// spec/api.md §5 item 44: the same input gives byte-identical bodies on every group A and B route
// for every store backend (here SQLite and the in-memory store; generated_at and request_id fixed
// by a fake clock and the X-Request-Id header).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "api/api.h"
#include "api/local_backend.h"
#include "metrics/registry.h"
#include "store/store.h"
#include "test_util.h"

namespace naap {
namespace {

const std::string kNaap = NAAP_BINARY;
const std::string kSample = std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";
constexpr Millis kNow = 1767927600000;  // 2026-01-09T03:00:00.000Z, after the simulated hours

struct Served {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<api::LocalBackend> backend;
  metrics::Registry registry;
  std::unique_ptr<api::Api> api;
};

void Serve(Served& served, const std::string& uri, const Clock& clock,
           const std::vector<std::string>& files) {
  served.store = std::move(store::OpenStore(uri).value());
  api::ApiConfig config;
  config.rate_limit_rps = 0;
  served.backend = std::move(api::LocalBackend::Open(*served.store, clock, config).value());
  for (const std::string& file : files) ASSERT_TRUE(served.backend->IngestFiles({file}).ok());
  served.api = std::make_unique<api::Api>(api::AllRoutes(served.registry), *served.backend,
                                          served.registry);
}

api::HttpResponse Get(api::Api& api, const std::string& target) {
  api::HttpRequest request;
  request.method = "GET";
  request.target = target;
  request.headers = {{"x-request-id", "same-id"}};
  request.peer_ip = "127.0.0.1";
  return api.Handle(request);
}

TEST(ApiBackends, SqliteAndMemoryStoresGiveByteIdenticalBodies) {
  const std::string dir = testing::MakeTempDir();
  const std::string sim = dir + "/sim.ndjson";
  ASSERT_EQ(testing::RunCommand(kNaap + " simulate --hours 2 --scale 0.02 --seed 9 " +
                                "--start 2026-01-09T00:00:00Z --out " + sim)
                .exit_code,
            0);
  FakeClock clock(kNow);
  Served memory, sqlite;
  Serve(memory, "memory:", clock, {kSample, sim});
  Serve(sqlite, "sqlite:" + dir + "/naap.db", clock, {kSample, sim});

  int compared = 0;
  for (const api::RouteSpec& route : memory.api->routes()) {
    if (route.group != api::RouteGroup::kA && route.group != api::RouteGroup::kB) continue;
    if (route.pattern.find('{') != std::string::npos) continue;  // detail routes: by id below
    std::string target = route.pattern;
    for (const api::ParamSpec& param : route.params) {
      if (param.required) target += "?" + param.name + "=streamdiffusion-sdxl";
    }
    api::HttpResponse a = Get(*memory.api, target);
    api::HttpResponse b = Get(*sqlite.api, target);
    EXPECT_EQ(a.status, b.status) << target;
    EXPECT_EQ(a.body, b.body) << target;
    compared += a.status == 200 && a.body.size() > 64;
  }
  for (const std::string target :
       {"/v1/streams/stream-o5s73x-mk5zc8fy", "/v1/pipelines/live-video-to-video",
        "/v1/net/orchestrators/0xd00354656922168815fcd1e51cbddb9e359e3c7f"}) {
    api::HttpResponse a = Get(*memory.api, target);
    api::HttpResponse b = Get(*sqlite.api, target);
    EXPECT_EQ(a.status, b.status) << target;
    EXPECT_EQ(a.body, b.body) << target;
  }
  EXPECT_GE(compared, 50);  // most routes answered with real data, not an empty shell
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace naap
