#include "api/routes_a_test_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace naap::api::testing {

std::string StreamRequestLine(std::string_view event_id, Millis ts, std::string_view stream_id) {
  const std::string t = std::to_string(ts);
  const std::string id(event_id), stream(stream_id);
  return R"({"id":")" + id + R"(","timestamp":)" + t +
         R"(,"type":"stream_trace","topic":"streaming-events","partition":0,"offset":0,)"
         R"("value":{"id":")" +
         id + R"(","type":"stream_trace","timestamp":")" + t +
         R"(","gateway":"","data":{"orchestrator_info":{"address":"","url":""},)"
         R"("pipeline_id":"","request_id":"req-)" +
         stream + R"(","stream_id":")" + stream + R"(","timestamp":)" + t +
         R"(,"type":"gateway_receive_stream_request"}}})";
}

RouteHarness::RouteHarness() {
  auto store = store::OpenStore("memory:");
  EXPECT_TRUE(store.ok());
  store_ = std::move(*store);
  auto backend = LocalBackend::Open(*store_, clock_, ApiConfig{.store_backend = "memory"});
  EXPECT_TRUE(backend.ok()) << backend.status().ToString();
  backend_ = std::move(*backend);
}

RouteHarness::~RouteHarness() = default;

void RouteHarness::IngestSample() {
  auto counts = backend_->IngestFiles(
      {std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json"});
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->accepted, 65);
}

void RouteHarness::IngestLines(const std::vector<std::string>& lines) {
  const std::string path = ::testing::TempDir() + "/routes_a_" + std::to_string(getpid()) + "_" +
                           std::to_string(++files_) + ".ndjson";
  {
    std::ofstream out(path);
    for (const std::string& line : lines) out << line << '\n';
  }
  auto counts = backend_->IngestFiles({path});
  std::remove(path.c_str());
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  ASSERT_EQ(counts->accepted, static_cast<int64_t>(lines.size()));
}

const RouteSpec& RouteHarness::Find(const std::vector<RouteSpec>& routes, std::string_view id) {
  for (const RouteSpec& route : routes) {
    if (route.id == id) return route;
  }
  ADD_FAILURE() << "no route " << id;
  return routes.front();
}

Outcome RouteHarness::Call(const RouteSpec& route,
                           std::map<std::string, std::vector<std::string>> params,
                           std::optional<Window> window) {
  RequestContext ctx;
  ctx.route = &route;
  ctx.method = "GET";
  ctx.path = route.pattern;
  ctx.params = std::move(params);
  ctx.now = clock_.NowMs();
  if (route.window && !window) {
    window = Window{.start = ctx.now - route.window->default_width, .end = ctx.now};
  }
  ctx.window = window;
  ctx.limit = ctx.Int("limit");
  std::optional<std::string> org = ctx.Get("org");
  auto clock = backend_->DataClock(org ? std::optional<std::string_view>(*org) : std::nullopt);
  EXPECT_TRUE(clock.ok());
  if (clock.ok()) ctx.data_clock = *clock;
  return route.handler(ctx, *backend_);
}

std::string RouteHarness::Body(const RouteSpec& route,
                               std::map<std::string, std::vector<std::string>> params,
                               std::optional<Window> window) {
  Outcome outcome = Call(route, std::move(params), window);
  EXPECT_TRUE(outcome.reply.has_value()) << outcome.status.ToString();
  if (!outcome.reply) return "";
  const Reply& reply = *outcome.reply;
  if (reply.kind == Reply::Kind::kData) return reply.json;
  std::string out = "[";
  for (const ListRow& row : reply.rows) {
    if (out.size() > 1) out += ",";
    out += row.json;
  }
  return out + "]";
}

std::vector<std::vector<std::string>> RouteHarness::Keys(const RouteSpec& route,
                                                         std::optional<Window> window) {
  Outcome outcome = Call(route, {}, window);
  std::vector<std::vector<std::string>> keys;
  if (outcome.reply) {
    for (const ListRow& row : outcome.reply->list_rows()) keys.push_back(row.key);
  }
  return keys;
}

}  // namespace naap::api::testing
