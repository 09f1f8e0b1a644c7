// The §1 conventions through Api::Handle, with small fake routes and a fake Backend over a memory
// store and a FakeClock. Numbers refer to spec/api.md §5.
#include "api/api.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "api/api_test_util.h"
#include "api/conventions.h"
#include "api/cursor.h"
#include "base/json_writer.h"
#include "metrics/registry.h"

namespace naap::api {
namespace {

using test_util::Gunzip;
using test_util::kApr2;

constexpr Millis kNow = kApr2 + 10 * kHourMs + 17 * 60'000;   // 2026-04-02T10:17:00.000Z
constexpr Millis kClock = kApr2 + 9 * kHourMs + 59 * 60'000;  // data clock 09:59
constexpr char kOrch[] = "0xabcdef0000000000000000000000000000000001";

class FakeBackend final : public Backend {
 public:
  FakeBackend() : store_(store::OpenStore("memory:").value()) {}

  const ApiConfig& config() const override { return config_; }
  store::Store& store() override { return *store_; }
  Millis NowMs() const override { return clock_.NowMs(); }
  Result<std::optional<Millis>> DataClock(std::optional<std::string_view> org) override {
    if (store_down) return Unavailable("connection refused");
    if (restoring) return Unavailable(std::string(kRestoringFacts));
    if (!org) return std::optional<Millis>(kClock);
    if (*org == "daydream") return std::optional<Millis>(kClock - kHourMs);
    return std::optional<Millis>();
  }
  Status ReadFacts(const std::function<Status(const resolve::FactsView&)>&) override {
    return Unavailable("no facts");
  }
  Result<AdminIngestResult> IngestBody(std::string_view, std::optional<std::string_view>,
                                       std::string_view) override {
    return Unavailable("no ingest");
  }
  Result<RebuildStatus> StartRebuild(std::string_view) override {
    return Unavailable("no rebuild");
  }
  PipelineStatus Pipeline() override { return {}; }
  Status PingStore() override { return Status::Ok(); }

  ApiConfig config_;
  FakeClock clock_{kNow};
  bool store_down = false;
  bool restoring = false;

 private:
  std::unique_ptr<store::Store> store_;
};

std::vector<ParamSpec> Concat(std::vector<std::vector<ParamSpec>> parts) {
  std::vector<ParamSpec> all;
  for (auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

const ParamSpec kOrgParam{.name = "org", .type = ParamType::kOrg};

// Seven SLA-like rows in keyset order (window_start DESC, org, orchestrator); rows 2 and 3 differ
// only by org.
struct SlaRow {
  Millis hour;
  std::string org, orch;
};
std::vector<SlaRow> SlaRows() {
  const Millis h10 = kApr2 + 10 * kHourMs, h9 = kApr2 + 9 * kHourMs, h8 = kApr2 + 8 * kHourMs;
  return {{h10, "cloudspe", "0xa"},
          {h10, "daydream", "0xa"},
          {h9, "cloudspe", "0xb"},
          {h9, "daydream", "0xb"},
          {h9, "daydream", "0xc"},
          {h8, "cloudspe", "0xa"},
          {h8 - 21 * kHourMs, "cloudspe", "0xd"}};
}

Outcome SlaHandler(const RequestContext& ctx, Backend&) {
  std::vector<ListRow> rows;
  for (const SlaRow& row : SlaRows()) {
    if (row.hour < ctx.window->start || row.hour >= ctx.window->end) continue;
    if (ctx.Has("org") && *ctx.Get("org") != row.org) continue;
    JsonWriter w;
    w.BeginObject()
        .Key("window_start")
        .String(FormatRfc3339Ms(row.hour))
        .Key("org")
        .String(row.org)
        .Key("orchestrator_address")
        .String(row.orch)
        .EndObject();
    rows.push_back({.key = {std::to_string(row.hour), row.org, row.orch}, .json = w.Take()});
  }
  return Reply::List(std::move(rows));
}

std::vector<KeyColumn> SlaKeyset(bool org_only_with_filter) {
  return {{.name = "window_start", .kind = KeyKind::kTime, .descending = true},
          {.name = "org", .only_with_param = org_only_with_filter ? "org" : ""},
          {.name = "orchestrator_address"}};
}

Outcome EchoWindow(const RequestContext& ctx, Backend&) {
  JsonWriter w;
  w.BeginObject()
      .Key("start")
      .String(FormatRfc3339Ms(ctx.window->start))
      .Key("end")
      .String(FormatRfc3339Ms(ctx.window->end))
      .EndObject();
  return Reply::Data(w.Take());
}

std::vector<RouteSpec> FakeRoutes() {
  std::vector<RouteSpec> routes;
  routes.push_back({.id = "A1",
                    .pattern = "/v1/dashboard/kpi",
                    .group = RouteGroup::kA,
                    .bare = true,
                    .params = Concat({WindowParams(), {kOrgParam}}),
                    .window = WindowSpec{.max_width = 7 * kDayMs},
                    .handler = EchoWindow});
  routes.push_back(
      {.id = "A2",
       .pattern = "/v1/dashboard/pipelines",
       .group = RouteGroup::kA,
       .bare = true,
       .params =
           {{.name = "limit", .type = ParamType::kInt, .min = 1, .max = 20, .default_int = 5}},
       .handler = [](const RequestContext& ctx, Backend&) -> Outcome {
         return Reply::Data("{\"limit\":" + std::to_string(ctx.Int("limit")) + "}");
       }});
  routes.push_back({.id = "A3",
                    .pattern = "/v1/dashboard/orchestrators",
                    .group = RouteGroup::kA,
                    .bare = true,
                    .params = WindowParams(),
                    .window = WindowSpec{},
                    .handler = EchoWindow});
  routes.push_back({.id = "A10",
                    .pattern = "/v1/streaming/sla",
                    .group = RouteGroup::kA,
                    .params = Concat({WindowParams(), {kOrgParam}, ListParams()}),
                    .window = WindowSpec{},
                    .keyset = SlaKeyset(false),
                    .handler = SlaHandler});
  routes.push_back({.id = "A11",
                    .pattern = "/v1/streaming/demand",
                    .group = RouteGroup::kA,
                    .params = Concat({WindowParams(), {kOrgParam}, ListParams()}),
                    .window = WindowSpec{},
                    .keyset = SlaKeyset(false),
                    .handler = SlaHandler});
  routes.push_back({.id = "A22",
                    .pattern = "/v1/discover/orchestrators",
                    .group = RouteGroup::kA,
                    .bare = true,
                    .params = {{.name = "caps", .type = ParamType::kCap, .repeatable = true}},
                    .handler = [](const RequestContext& ctx, Backend&) -> Outcome {
                      JsonWriter w;
                      w.BeginArray();
                      if (ctx.Has("caps")) {
                        for (const std::string& cap : ctx.params.at("caps")) w.String(cap);
                      }
                      return Reply::Data(w.EndArray().Take());
                    }});
  routes.push_back({.id = "B3",
                    .pattern = "/v1/net/orchestrators/{address}",
                    .group = RouteGroup::kB,
                    .path_params = {{.name = "address", .type = ParamType::kAddress}},
                    .params = {kOrgParam},
                    .handler = [](const RequestContext& ctx, Backend&) -> Outcome {
                      const std::string& address = ctx.path_params.at("address");
                      if (address != kOrch)
                        return Problem{.status = 404, .detail = "orchestrator not found"};
                      return Reply::Data("{\"address\":\"" + address + "\"}");
                    }});
  routes.push_back({.id = "B6",
                    .pattern = "/v1/streams/active",
                    .group = RouteGroup::kB,
                    .handler = [](const RequestContext&, Backend&) -> Outcome {
                      return Reply::Data("\"active\"");
                    }});
  routes.push_back({.id = "B12",
                    .pattern = "/v1/streams/{stream_id}",
                    .group = RouteGroup::kB,
                    .path_params = {{.name = "stream_id", .type = ParamType::kId}},
                    .handler = [](const RequestContext& ctx, Backend&) -> Outcome {
                      return Reply::Data(
                          JsonWriter().String(ctx.path_params.at("stream_id")).Take());
                    }});
  routes.push_back({.id = "B9",
                    .pattern = "/v1/streams/history",
                    .group = RouteGroup::kB,
                    .params = Concat({WindowParams(), {kOrgParam}}),
                    .window = WindowSpec{},
                    .handler = [](const RequestContext& ctx, Backend&) -> Outcome {
                      const HourRange hours = HoursOf(*ctx.window);
                      JsonWriter w;
                      w.BeginObject()
                          .Key("count")
                          .Int(hours.count())
                          .Key("first")
                          .String(FormatRfc3339Ms(hours.first))
                          .Key("last")
                          .String(FormatRfc3339Ms(hours.last_exclusive - kHourMs))
                          .EndObject();
                      return Reply::Data(w.Take());
                    }});
  routes.push_back({.id = "B40",
                    .pattern = "/v1/sla/compliance",
                    .group = RouteGroup::kB,
                    .params = Concat({WindowParams(), {kOrgParam}, ListParams()}),
                    .window = WindowSpec{.min_width = kHourMs},
                    .keyset = SlaKeyset(true),
                    .handler = SlaHandler});
  routes.push_back(
      {.id = "B20",
       .pattern = "/v1/net/model",
       .group = RouteGroup::kB,
       .params = {{.name = "model_id", .type = ParamType::kId, .required = true},
                  {.name = "active_only", .type = ParamType::kBool, .default_bool = false}},
       .handler = [](const RequestContext& ctx, Backend&) -> Outcome {
         return Reply::Data(ctx.Bool("active_only") ? "true" : "false");
       }});
  routes.push_back({.id = "B99",
                    .pattern = "/v1/net/big",
                    .group = RouteGroup::kB,
                    .handler = [](const RequestContext&, Backend&) -> Outcome {
                      return Reply::Data("\"" + std::string(2000, 'x') + "\"");
                    }});
  routes.push_back({.id = "F1",
                    .pattern = "/v1/fail/unavailable",
                    .group = RouteGroup::kB,
                    .handler = [](const RequestContext&, Backend&) -> Outcome {
                      return Unavailable("sqlite: database is locked");
                    }});
  routes.push_back({.id = "F2",
                    .pattern = "/v1/fail/internal",
                    .group = RouteGroup::kB,
                    .handler = [](const RequestContext&, Backend&) -> Outcome {
                      return Internal("secret internal text");
                    }});
  routes.push_back({.id = "F3",
                    .pattern = "/v1/fail/slow",
                    .group = RouteGroup::kB,
                    .handler = [](const RequestContext&, Backend&) -> Outcome {
                      std::this_thread::sleep_for(std::chrono::milliseconds(300));
                      return Reply::Data("1");
                    }});
  routes.push_back({.id = "C3",
                    .pattern = "/v1/admin/status",
                    .group = RouteGroup::kC,
                    .admin = true,
                    .handler = [](const RequestContext&, Backend&) -> Outcome {
                      return Reply::Data("{\"ok\":true}");
                    }});
  routes.push_back({.id = "C2",
                    .pattern = "/v1/admin/events",
                    .group = RouteGroup::kC,
                    .methods = {"POST"},
                    .admin = true,
                    .params = {kOrgParam},
                    .handler = [](const RequestContext& ctx, Backend&) -> Outcome {
                      return Reply::Data(JsonWriter().String(ctx.body).Take());
                    }});
  routes.push_back({.id = "C4",
                    .pattern = "/healthz",
                    .group = RouteGroup::kC,
                    .handler = [](const RequestContext&, Backend&) -> Outcome {
                      return Reply{.kind = Reply::Kind::kRaw, .body = "{\"status\":\"ok\"}\n"};
                    }});
  return routes;
}

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() { backend_.config_.query_timeout_ms = 2'000; }

  Api& api() {
    if (!api_) api_ = std::make_unique<Api>(FakeRoutes(), backend_, registry_);
    return *api_;
  }

  HttpResponse Send(std::string method, std::string target,
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    std::string peer = "192.0.2.1") {
    HttpRequest request{.method = std::move(method),
                        .target = std::move(target),
                        .headers = std::move(headers),
                        .peer_ip = std::move(peer)};
    return api().Handle(request);
  }
  HttpResponse Get(std::string target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    headers.emplace_back("x-request-id", "rid");
    return Send("GET", std::move(target), std::move(headers));
  }
  // The 400 detail of a GET, or the status when it is not a 400.
  std::string Detail(std::string target) {
    HttpResponse response = Get(std::move(target));
    if (response.status != 400) return "status " + std::to_string(response.status);
    const std::string marker = "\"detail\":";
    const size_t start = response.body.find(marker) + marker.size();
    const size_t end = response.body.find(",\"instance\"");
    return response.body.substr(start, end - start);
  }
  double Requests(std::string method, std::string route, std::string status) {
    return registry_
        .GetCounter("http_requests_total", "HTTP responses sent",
                    {{"method", method}, {"route", route}, {"status", status}})
        .value();
  }

  FakeBackend backend_;
  metrics::Registry registry_;
  std::unique_ptr<Api> api_;
};

std::string ProblemJson(int status, std::string_view title, std::string_view detail_json,
                        std::string_view instance, std::string_view request_id = "rid") {
  return "{\"type\":\"about:blank\",\"title\":\"" + std::string(title) +
         "\",\"status\":" + std::to_string(status) + ",\"detail\":" + std::string(detail_json) +
         ",\"instance\":\"" + std::string(instance) + "\",\"request_id\":\"" +
         std::string(request_id) + "\"}\n";
}

std::string Between(const std::string& text, std::string_view from, std::string_view to) {
  const size_t start = text.find(from);
  if (start == std::string::npos) return "";
  const size_t end = text.find(to, start + from.size());
  return text.substr(start + from.size(), end - start - from.size());
}

// §5.1
TEST_F(ApiTest, UnknownPathIsProblem404) {
  HttpResponse response = Get("/v1/nope?x=1");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body,
            ProblemJson(404, "Not Found", "\"no route for path \\\"/v1/nope\\\"\"", "/v1/nope"));
  EXPECT_EQ(*response.Header("Content-Type"), "application/problem+json");
  EXPECT_EQ(*response.Header("Cache-Control"), "no-store");
  EXPECT_EQ(response.Header("ETag"), nullptr);
  EXPECT_EQ(*response.Header("X-Content-Type-Options"), "nosniff");
  for (const char* path :
       {"/v1/dashboard/kpi/", "/V1/dashboard/kpi", "/v1//dashboard/kpi", "/v1/./dashboard/kpi",
        "/v1/streams/..", "/v1/net/orchestrators/", "/", ""}) {
    EXPECT_EQ(Get(path).status, 404) << path;
  }
}

// §5.2 and §5.37 (partially)
TEST_F(ApiTest, WrongMethodIs405WithAllow) {
  HttpResponse response = Send("POST", "/v1/dashboard/kpi", {{"x-request-id", "rid"}});
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(*response.Header("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(response.body,
            ProblemJson(405, "Method Not Allowed",
                        "\"method POST is not allowed; allowed: GET, HEAD, OPTIONS\"",
                        "/v1/dashboard/kpi"));
  EXPECT_EQ(Requests("POST", "/v1/dashboard/kpi", "405"), 1);
  EXPECT_EQ(*Send("GET", "/v1/admin/events").Header("Allow"), "POST, OPTIONS");
  EXPECT_EQ(Send("BREW", "/v1/dashboard/kpi").status, 405);
  EXPECT_EQ(Requests("OTHER", "/v1/dashboard/kpi", "405"), 1);
}

TEST_F(ApiTest, MetricsCountPatternsAndOneUnmatchedSeries) {
  for (int i = 0; i < 100; ++i) Get("/v1/unknown/" + std::to_string(i));
  Get("/v1/net/orchestrators/" + std::string(kOrch));
  EXPECT_EQ(Requests("GET", "unmatched", "404"), 100);
  EXPECT_EQ(Requests("GET", "/v1/net/orchestrators/{address}", "200"), 1);
  const std::string text = registry_.Render();
  EXPECT_NE(text.find("naap_build_info{version=\"dev\",store=\"sqlite\"} 1"), std::string::npos)
      << text;
  for (const char* le :
       {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10"}) {
    EXPECT_NE(
        text.find("http_request_duration_seconds_bucket{method=\"GET\",route=\"unmatched\",le=\"" +
                  std::string(le) + "\"} "),
        std::string::npos)
        << le;
  }
  EXPECT_NE(text.find("http_request_duration_seconds_bucket{method=\"GET\",route=\"unmatched\",le="
                      "\"+Inf\"} 100"),
            std::string::npos);
  EXPECT_NE(text.find("http_requests_in_flight 0"), std::string::npos);
}

// §5.3
TEST_F(ApiTest, HeadHasTheGetHeadersWithoutBody) {
  HttpResponse get = Get("/v1/net/big");
  HttpResponse head = Send("HEAD", "/v1/net/big", {{"x-request-id", "rid"}});
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers, get.headers);
  EXPECT_EQ(*head.Header("Content-Length"), std::to_string(get.body.size()));
  EXPECT_NE(head.Header("ETag"), nullptr);
  EXPECT_TRUE(head.body.empty());
}

// §5.4, §5.5
TEST_F(ApiTest, WindowErrors) {
  EXPECT_EQ(Detail("/v1/dashboard/kpi?start=2026-04-02T00:00:00Z&end=2026-04-01T00:00:00Z"),
            "\"window is empty or inverted: start 2026-04-02T00:00:00.000Z is not before end "
            "2026-04-01T00:00:00.000Z\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?start=2026-04-02T00:00:00Z&end=2026-04-02T00:00:00Z"),
            "\"window is empty or inverted: start 2026-04-02T00:00:00.000Z is not before end "
            "2026-04-02T00:00:00.000Z\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?window=200h"),
            "\"window of 200h exceeds the maximum of 7d for this route\"");
  EXPECT_EQ(Detail("/v1/streaming/sla?window=91d"),
            "\"window of 91d exceeds the maximum of 90d for this route\"");
  EXPECT_EQ(Detail("/v1/sla/compliance?window=30m"),
            "\"window of 30m is below the minimum of 1h for this route\"");
  EXPECT_EQ(
      Detail("/v1/dashboard/kpi?start=2026-04-01T00:00:00Z&end=2026-04-02T00:00:00Z&window=1h"),
      "\"parameters \\\"start\\\", \\\"end\\\" and \\\"window\\\" cannot be combined; give at most "
      "two\"");
}

// §5.6
TEST_F(ApiTest, TimeAndDurationValues) {
  EXPECT_EQ(Detail("/v1/dashboard/kpi?start=yesterday"),
            "\"parameter \\\"start\\\": invalid time \\\"yesterday\\\": expected RFC 3339 or epoch "
            "milliseconds\"");
  // 1775000000000 ms = 2026-03-31T23:33:20.000Z, never seconds.
  EXPECT_EQ(Get("/v1/dashboard/kpi?start=1775000000000&end=1775003600000").body,
            "{\"start\":\"2026-03-31T23:33:20.000Z\",\"end\":\"2026-04-01T00:33:20.000Z\"}\n");
  EXPECT_EQ(Get("/v1/dashboard/kpi?start=2026-04-02T10:00:00+02:00&window=1h").body,
            "{\"start\":\"2026-04-02T08:00:00.000Z\",\"end\":\"2026-04-02T09:00:00.000Z\"}\n");
  EXPECT_EQ(Get("/v1/dashboard/kpi?start=2026-04-02T10:00:00%2B02:00&window=1h").body,
            "{\"start\":\"2026-04-02T08:00:00.000Z\",\"end\":\"2026-04-02T09:00:00.000Z\"}\n");
  for (const char* bad : {"1.5h", "0h"}) {
    EXPECT_EQ(Detail(std::string("/v1/dashboard/kpi?window=") + bad),
              "\"parameter \\\"window\\\": invalid duration \\\"" + std::string(bad) +
                  "\\\": expected <n>m, <n>h, <n>d or a whole number of hours\"");
  }
  EXPECT_EQ(Get("/v1/dashboard/kpi?window=24").body, Get("/v1/dashboard/kpi?window=24h").body);
  EXPECT_EQ(Get("/v1/dashboard/kpi?window=24").body,
            "{\"start\":\"2026-04-01T10:17:00.000Z\",\"end\":\"2026-04-02T10:17:00.000Z\"}\n");
}

// §5.7
TEST_F(ApiTest, LimitBounds) {
  for (const char* value : {"0", "1001", "abc"}) {
    EXPECT_EQ(Detail(std::string("/v1/streaming/sla?limit=") + value),
              "\"parameter \\\"limit\\\": must be an integer between 1 and 1000, got \\\"" +
                  std::string(value) + "\\\"\"");
  }
  EXPECT_EQ(Detail("/v1/dashboard/pipelines?limit=21"),
            "\"parameter \\\"limit\\\": must be an integer between 1 and 20, got \\\"21\\\"\"");
  EXPECT_EQ(Get("/v1/dashboard/pipelines").body, "{\"limit\":5}\n");
  EXPECT_EQ(Get("/v1/dashboard/pipelines?limit=20").body, "{\"limit\":20}\n");
}

// §5.8
TEST_F(ApiTest, LegacyPaginationParameters) {
  const std::string offset =
      "\"query parameter \\\"offset\\\" is no longer supported; use limit and cursor\"";
  EXPECT_EQ(Detail("/v1/streaming/sla?offset=0"), offset);
  EXPECT_EQ(Detail("/v1/streaming/sla?page=2&offset=0"), offset);
  EXPECT_EQ(Detail("/v1/streaming/sla?foo=1&page_size="),
            "\"query parameter \\\"page_size\\\" is no longer supported; use limit and cursor\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?offset=0"), "\"unknown query parameter \\\"offset\\\"\"");
}

// §5.9, §5.11 and the §1.5.3 order
TEST_F(ApiTest, UnknownRepeatedMissingEmptyAndOrder) {
  EXPECT_EQ(Detail("/v1/dashboard/kpi?foo=1"), "\"unknown query parameter \\\"foo\\\"\"");
  EXPECT_EQ(Detail("/v1/dashboard/orchestrators?org=daydream"),
            "\"unknown query parameter \\\"org\\\"\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?org=a&org=b"),
            "\"parameter \\\"org\\\" given more than once\"");
  EXPECT_EQ(Get("/v1/discover/orchestrators?caps=a/b&caps=c/d").body, "[\"a/b\",\"c/d\"]\n");
  EXPECT_EQ(Detail("/v1/discover/orchestrators?caps=nomodel"),
            "\"parameter \\\"caps\\\": must be \\\"<pipeline>/<model>\\\", got \\\"nomodel\\\"\"");
  EXPECT_EQ(Detail("/v1/net/model"), "\"parameter \\\"model_id\\\" is required\"");
  EXPECT_EQ(Detail("/v1/net/model?model_id="), "\"parameter \\\"model_id\\\": must not be empty\"");
  EXPECT_EQ(Detail("/v1/net/model?model_id=x&active_only=yes"),
            "\"parameter \\\"active_only\\\": must be true or false, got \\\"yes\\\"\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?org=Daydream"),
            "\"parameter \\\"org\\\": must match [a-z0-9][a-z0-9_-]{0,63}, got \\\"Daydream\\\"\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?org=%ZZ"), "\"malformed query string\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?org=%FF"), "\"malformed query string\"");
  // Order: malformed before unknown; unknown (first in query order) before repeated; repeated
  // before missing; missing before bad values; bad values before window rules.
  EXPECT_EQ(Detail("/v1/dashboard/kpi?foo=1&org=%ZZ"), "\"malformed query string\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?org=a&org=b&zzz=1&yyy=2"),
            "\"unknown query parameter \\\"zzz\\\"\"");
  EXPECT_EQ(Detail("/v1/net/model?active_only=x&active_only=y"),
            "\"parameter \\\"active_only\\\" given more than once\"");
  EXPECT_EQ(Detail("/v1/net/model?active_only=x"), "\"parameter \\\"model_id\\\" is required\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?window=200h&org=Daydream"),
            "\"parameter \\\"org\\\": must match [a-z0-9][a-z0-9_-]{0,63}, got \\\"Daydream\\\"\"");
  EXPECT_EQ(Detail("/v1/dashboard/kpi?end=2026-04-01T00:00:00Z&start=bad"),
            "\"parameter \\\"start\\\": invalid time \\\"bad\\\": expected RFC 3339 or epoch "
            "milliseconds\"");
  // Path parameters come first of all.
  EXPECT_EQ(Detail("/v1/net/orchestrators/0x12?org=%ZZ"),
            "\"path parameter \\\"address\\\": must be a 0x-prefixed 40-hex-digit address, got "
            "\\\"0x12\\\"\"");
}

TEST_F(ApiTest, PathParameters) {
  const std::string upper = "0xABCDEF0000000000000000000000000000000001";
  HttpResponse found = Get("/v1/net/orchestrators/" + upper);
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(Between(found.body, "{\"data\":", ",\"meta\""),
            "{\"address\":\"" + std::string(kOrch) + "\"}");
  HttpResponse missing = Get("/v1/net/orchestrators/0x" + std::string(40, '0'));
  EXPECT_EQ(missing.body, ProblemJson(404, "Not Found", "\"orchestrator not found\"",
                                      "/v1/net/orchestrators/0x" + std::string(40, '0')));
  EXPECT_EQ(*missing.Header("Cache-Control"), "no-store");
  // Static segments win; %2F belongs to the value.
  EXPECT_EQ(Between(Get("/v1/streams/active").body, "{\"data\":", ",\"meta\""), "\"active\"");
  EXPECT_EQ(Between(Get("/v1/streams/a%2Fb%20c").body, "{\"data\":", ",\"meta\""), "\"a/b c\"");
  EXPECT_EQ(
      Detail("/v1/streams/%00"),
      "\"path parameter \\\"stream_id\\\": must be 1 to 256 bytes without control characters or "
      "surrounding spaces\"");
}

// §5.10: an unknown but well-formed org selects nothing.
TEST_F(ApiTest, DataEnvelopeMetaAndDataClock) {
  HttpResponse response = Get("/v1/streams/history");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(*response.Header("Content-Type"), "application/json");
  EXPECT_EQ(*response.Header("Cache-Control"), "public, max-age=10");
  EXPECT_EQ(*response.Header("X-Naap-Data-Clock"), "2026-04-02T09:59:00.000Z");
  // §5.12: 24 buckets 11:00 yesterday … 10:00 today; meta.window = {now − 24 h, now}.
  EXPECT_EQ(
      response.body,
      "{\"data\":{\"count\":24,\"first\":\"2026-04-01T11:00:00.000Z\",\"last\":\"2026-04-02T10:00:"
      "00.000Z\"},"
      "\"meta\":{\"generated_at\":\"2026-04-02T10:17:00.000Z\",\"request_id\":\"rid\","
      "\"window\":{\"start\":\"2026-04-01T10:17:00.000Z\",\"end\":\"2026-04-02T10:17:00.000Z\"},"
      "\"data_clock\":\"2026-04-02T09:59:00.000Z\"}}\n");
  // The org's own clock when the route has `org` and it is given; null (and no header) when none.
  HttpResponse daydream = Get("/v1/streams/history?org=daydream");
  EXPECT_EQ(*daydream.Header("X-Naap-Data-Clock"), "2026-04-02T08:59:00.000Z");
  HttpResponse unknown_org = Get("/v1/streams/history?org=nosuchorg");
  EXPECT_EQ(unknown_org.status, 200);
  EXPECT_EQ(unknown_org.Header("X-Naap-Data-Clock"), nullptr);
  EXPECT_NE(unknown_org.body.find("\"data_clock\":null}}\n"), std::string::npos);
  // Routes without a window have meta.window null.
  EXPECT_NE(Get("/v1/streams/active").body.find("\"window\":null"), std::string::npos);
  backend_.config_.cache_max_age_s = 0;
  api_.reset();
  EXPECT_EQ(*Get("/v1/streams/active").Header("Cache-Control"), "no-cache");
}

// §5.12, §5.13, §5.14
TEST_F(ApiTest, PaginationWalk) {
  backend_.clock_.Set(kApr2 + 11 * kHourMs);
  // Six rows lie in the default window (the seventh is 21 h before 08:00); widen it to hold 7.
  const std::string base = "/v1/streaming/sla?window=48h";
  HttpResponse all = Get(base + "&limit=1000");
  const std::string all_rows = Between(all.body, "{\"data\":[", "],\"pagination\"");
  EXPECT_NE(
      all.body.find("\"pagination\":{\"next_cursor\":\"\",\"has_more\":false,\"page_size\":7}"),
      std::string::npos);

  std::vector<std::string> pages;
  std::string cursor;
  std::vector<bool> has_more;
  std::vector<int> sizes;
  for (int page = 0; page < 5; ++page) {
    HttpResponse response = Get(base + "&limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(response.status, 200) << response.body;
    pages.push_back(Between(response.body, "{\"data\":[", "],\"pagination\""));
    cursor = Between(response.body, "\"next_cursor\":\"", "\"");
    has_more.push_back(response.body.find("\"has_more\":true") != std::string::npos);
    sizes.push_back(std::stoi(Between(response.body, "\"page_size\":", "}")));
    if (cursor.empty()) break;
  }
  EXPECT_EQ(sizes, (std::vector<int>{3, 3, 1}));
  EXPECT_EQ(has_more, (std::vector<bool>{true, true, false}));
  EXPECT_EQ(pages[0] + "," + pages[1] + "," + pages[2], all_rows);
  // §5.14: rows 3 and 4 (09:00, 0xb) differ only by org and straddle the first page boundary.
  EXPECT_NE(pages[0].find("\"org\":\"cloudspe\",\"orchestrator_address\":\"0xb\""),
            std::string::npos);
  EXPECT_EQ(pages[0].find("\"org\":\"daydream\",\"orchestrator_address\":\"0xb\""),
            std::string::npos);
  EXPECT_EQ(pages[1].find("{\"window_start\":\"2026-04-02T09:00:00.000Z\",\"org\":\"daydream\","
                          "\"orchestrator_address\":\"0xb\"}"),
            0u);
}

// §5.15, §5.16
TEST_F(ApiTest, CursorErrors) {
  HttpResponse first = Get("/v1/streaming/sla?window=24h&limit=2");
  const std::string cursor = Between(first.body, "\"next_cursor\":\"", "\"");
  ASSERT_FALSE(cursor.empty());
  const std::string mismatch = "\"invalid cursor: does not match this query\"";
  EXPECT_EQ(Detail("/v1/streaming/sla?window=24h&limit=2&org=daydream&cursor=" + cursor), mismatch);
  EXPECT_EQ(Detail("/v1/streaming/sla?window=25h&limit=2&cursor=" + cursor), mismatch);
  EXPECT_EQ(Detail("/v1/streaming/sla?limit=2&cursor=" + cursor), mismatch);
  EXPECT_EQ(Detail("/v1/streaming/demand?window=24h&limit=2&cursor=" + cursor), mismatch);
  EXPECT_EQ(Get("/v1/streaming/sla?window=24h&limit=1&cursor=" + cursor).status, 200);

  EXPECT_EQ(Detail("/v1/streaming/sla?cursor=!!!"), "\"invalid cursor: malformed\"");
  EXPECT_EQ(Detail("/v1/streaming/sla?cursor=" + std::string(4097, 'A')),
            "\"invalid cursor: malformed\"");
  EXPECT_EQ(Detail("/v1/streaming/sla?cursor="), "\"parameter \\\"cursor\\\": must not be empty\"");
  EXPECT_EQ(Detail("/v1/streaming/sla?cursor=" +
                   Base64UrlEncode("{\"v\":2,\"q\":\"0000000000000000\",\"w\":null,\"k\":[]}")),
            "\"invalid cursor: unsupported version\"");
  Result<Cursor> decoded = DecodeCursor(cursor);
  ASSERT_TRUE(decoded.ok());
  Cursor short_key = decoded.value();
  short_key.key.pop_back();
  EXPECT_EQ(Detail("/v1/streaming/sla?window=24h&cursor=" + EncodeCursor(short_key)),
            "\"invalid cursor: wrong number of key values\"");
  // `w` is re-checked against the route's bounds.
  Cursor wide = decoded.value();
  wide.window = Window{kNow - 91 * kDayMs, kNow};
  EXPECT_EQ(Detail("/v1/streaming/sla?window=24h&cursor=" + EncodeCursor(wide)),
            "\"window of 91d exceeds the maximum of 90d for this route\"");
}

// The expected key count honours KeyColumn::only_with_param.
TEST_F(ApiTest, KeysetColumnOnlyWithItsParameter) {
  HttpResponse without_org = Get("/v1/sla/compliance?limit=1");
  Result<Cursor> cursor = DecodeCursor(Between(without_org.body, "\"next_cursor\":\"", "\""));
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->key, (std::vector<std::string>{std::to_string(kApr2 + 10 * kHourMs), "0xa"}));
  HttpResponse with_org = Get("/v1/sla/compliance?org=cloudspe&limit=1");
  Result<Cursor> org_cursor = DecodeCursor(Between(with_org.body, "\"next_cursor\":\"", "\""));
  ASSERT_TRUE(org_cursor.ok());
  EXPECT_EQ(org_cursor->key.size(), 3u);
  HttpResponse second = Get("/v1/sla/compliance?org=cloudspe&limit=1&cursor=" +
                            Between(with_org.body, "\"next_cursor\":\"", "\""));
  EXPECT_EQ(second.status, 200);
  EXPECT_NE(second.body.find("\"window_start\":\"2026-04-02T09:00:00.000Z\",\"org\":\"cloudspe\""),
            std::string::npos);
}

// §5.17
TEST_F(ApiTest, CursorKeepsItsWindowWhenTheClockAdvances) {
  HttpResponse first = Get("/v1/streaming/sla?window=24h&limit=2");
  const std::string window = Between(first.body, "\"window\":", "}") + "}";
  const std::string cursor = Between(first.body, "\"next_cursor\":\"", "\"");
  backend_.clock_.Advance(2 * kHourMs);
  HttpResponse second = Get("/v1/streaming/sla?window=24h&limit=10&cursor=" + cursor);
  ASSERT_EQ(second.status, 200);
  EXPECT_EQ(Between(second.body, "\"window\":", "}") + "}", window);
  EXPECT_EQ(window,
            "{\"start\":\"2026-04-01T10:17:00.000Z\",\"end\":\"2026-04-02T10:17:00.000Z\"}");
  // Rows of the original window after the cursor: 09:00 ×3, 08:00 and 2026-04-01T11:00, which a
  // window recomputed from the advanced clock (from 2026-04-01T12:17) would miss.
  EXPECT_NE(second.body.find("\"page_size\":5"), std::string::npos) << second.body;
  EXPECT_NE(second.body.find("\"window_start\":\"2026-04-01T11:00:00.000Z\""), std::string::npos);
}

// §5.18
TEST_F(ApiTest, RequestIds) {
  HttpResponse echoed = Send("GET", "/v1/streams/active", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(*echoed.Header("X-Request-Id"), "abc-123");
  EXPECT_NE(echoed.body.find("\"request_id\":\"abc-123\""), std::string::npos);
  HttpResponse problem = Send("GET", "/v1/nope", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(*problem.Header("X-Request-Id"), "abc-123");
  EXPECT_NE(problem.body.find("\"request_id\":\"abc-123\""), std::string::npos);
  HttpResponse replaced = Send("GET", "/v1/nope", {{"x-request-id", std::string(200, 'a')}});
  const std::string& id = *replaced.Header("X-Request-Id");
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(*Send("GET", "/v1/nope").Header("X-Request-Id"),
            *Send("GET", "/v1/nope").Header("X-Request-Id"));
  EXPECT_EQ(Send("GET", "/v1/nope", {{"x-request-id", "bad id"}}).Header("X-Request-Id")->size(),
            32u);
}

// §5.31
TEST_F(ApiTest, RateLimiting) {
  backend_.config_.rate_limit_rps = 1;
  backend_.config_.rate_limit_burst = 2;
  backend_.config_.trusted_proxies = {"10.0.0.0/8"};
  EXPECT_EQ(Get("/v1/streams/active").status, 200);
  EXPECT_EQ(Get("/v1/nope").status, 404);  // unknown paths take tokens too
  HttpResponse limited = Get("/v1/streams/active");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(*limited.Header("Retry-After"), "1");
  EXPECT_EQ(limited.body,
            ProblemJson(429, "Too Many Requests",
                        "\"rate limit exceeded: 1 requests per second, burst 2, per client\"",
                        "/v1/streams/active"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Get("/healthz").status, 200);
  // Another client has its own bucket; X-Forwarded-For counts only from a trusted proxy.
  const std::vector<std::pair<std::string, std::string>> forwarded = {
      {"x-forwarded-for", "198.51.100.7"}};
  EXPECT_EQ(Send("GET", "/v1/streams/active", forwarded, "192.0.2.1").status, 429);
  EXPECT_EQ(Send("GET", "/v1/streams/active", forwarded, "10.0.0.5").status, 200);
  EXPECT_EQ(Send("GET", "/v1/streams/active", forwarded, "10.0.0.6").status, 200);
  EXPECT_EQ(Send("GET", "/v1/streams/active", forwarded, "10.0.0.7").status, 429);
  backend_.clock_.Advance(1000);
  EXPECT_EQ(Get("/v1/streams/active").status, 200);
}

// §5.32
TEST_F(ApiTest, Cors) {
  HttpResponse get = Send("GET", "/v1/streams/active", {{"origin", "https://app.example"}});
  EXPECT_EQ(*get.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(*get.Header("Access-Control-Expose-Headers"),
            "X-Request-Id, X-Naap-Data-Clock, ETag, Retry-After");
  HttpResponse preflight =
      Send("OPTIONS", "/v1/streams/active",
           {{"origin", "https://app.example"}, {"access-control-request-method", "GET"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_TRUE(preflight.body.empty());
  EXPECT_EQ(*preflight.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_EQ(*preflight.Header("Access-Control-Allow-Methods"), "GET, HEAD");
  EXPECT_EQ(*preflight.Header("Access-Control-Allow-Headers"), "If-None-Match, X-Request-Id");
  EXPECT_EQ(*preflight.Header("Access-Control-Max-Age"), "600");
  HttpResponse plain_options = Send("OPTIONS", "/v1/streams/active");
  EXPECT_EQ(plain_options.status, 204);
  EXPECT_EQ(*plain_options.Header("Allow"), "GET, HEAD, OPTIONS");
  EXPECT_EQ(Send("OPTIONS", "/v1/nope").status, 404);
  // Admin routes send no CORS headers, not even to a preflight.
  backend_.config_.admin_token = "0123456789abcdef0123";
  api_.reset();
  HttpResponse admin_preflight =
      Send("OPTIONS", "/v1/admin/status",
           {{"origin", "https://app.example"}, {"access-control-request-method", "GET"}});
  EXPECT_EQ(admin_preflight.status, 204);
  EXPECT_EQ(admin_preflight.Header("Access-Control-Allow-Origin"), nullptr);
  EXPECT_EQ(admin_preflight.Header("Access-Control-Allow-Methods"), nullptr);
  HttpResponse admin =
      Send("GET", "/v1/admin/status",
           {{"origin", "https://app.example"}, {"authorization", "Bearer 0123456789abcdef0123"}});
  EXPECT_EQ(admin.status, 200);
  EXPECT_EQ(admin.Header("Access-Control-Allow-Origin"), nullptr);
  // A listed origin is echoed with Vary: Origin; an unlisted one gets nothing.
  backend_.config_.cors_allow_origins = {"https://app.example"};
  api_.reset();
  HttpResponse listed = Send("GET", "/v1/streams/active", {{"origin", "https://app.example"}});
  EXPECT_EQ(*listed.Header("Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(*listed.Header("Vary"), "Accept-Encoding, Origin");
  EXPECT_EQ(Send("GET", "/v1/streams/active", {{"origin", "https://evil.example"}})
                .Header("Access-Control-Allow-Origin"),
            nullptr);
}

// §5.33
TEST_F(ApiTest, Gzip) {
  HttpResponse identity = Get("/v1/net/big");
  HttpResponse gzipped = Get("/v1/net/big", {{"accept-encoding", "gzip, deflate"}});
  EXPECT_EQ(identity.Header("Content-Encoding"), nullptr);
  EXPECT_EQ(*gzipped.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(*gzipped.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(*gzipped.Header("Content-Length"), std::to_string(gzipped.body.size()));
  EXPECT_EQ(Gunzip(gzipped.body), identity.body);
  EXPECT_EQ(*gzipped.Header("ETag"), *identity.Header("ETag"));
  HttpResponse small = Get("/v1/streams/active", {{"accept-encoding", "gzip"}});
  EXPECT_EQ(small.Header("Content-Encoding"), nullptr);
  EXPECT_EQ(*small.Header("Vary"), "Accept-Encoding");
}

// §5.34
TEST_F(ApiTest, EtagAndIfNoneMatch) {
  HttpResponse first = Send("GET", "/v1/streams/history", {{"x-request-id", "one"}});
  const std::string etag = *first.Header("ETag");
  EXPECT_EQ(etag.size(), 20u);
  EXPECT_EQ(etag.substr(0, 3), "W/\"");
  backend_.clock_.Advance(1);  // generated_at changes, the window too: use an explicit window
  HttpResponse a =
      Send("GET", "/v1/streams/history?start=2026-04-01T00:00:00Z&end=2026-04-02T00:00:00Z",
           {{"x-request-id", "one"}});
  backend_.clock_.Advance(5000);
  HttpResponse b =
      Send("GET", "/v1/streams/history?start=2026-04-01T00:00:00Z&end=2026-04-02T00:00:00Z",
           {{"x-request-id", "two"}});
  EXPECT_NE(a.body, b.body);
  EXPECT_EQ(*a.Header("ETag"), *b.Header("ETag"));
  HttpResponse not_modified =
      Send("GET", "/v1/streams/history?start=2026-04-01T00:00:00Z&end=2026-04-02T00:00:00Z",
           {{"if-none-match", "\"zzz\", " + *a.Header("ETag")}, {"origin", "https://x.example"}});
  EXPECT_EQ(not_modified.status, 304);
  EXPECT_TRUE(not_modified.body.empty());
  EXPECT_EQ(*not_modified.Header("ETag"), *a.Header("ETag"));
  EXPECT_EQ(*not_modified.Header("Cache-Control"), "public, max-age=10");
  EXPECT_EQ(*not_modified.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(*not_modified.Header("X-Naap-Data-Clock"), "2026-04-02T09:59:00.000Z");
  EXPECT_EQ(*not_modified.Header("Access-Control-Allow-Origin"), "*");
  EXPECT_NE(not_modified.Header("X-Request-Id"), nullptr);
  EXPECT_EQ(not_modified.Header("Content-Length"), nullptr);
  EXPECT_EQ(Send("GET", "/v1/streams/active", {{"if-none-match", "*"}}).status, 304);
  // Strong form of the same opaque tag matches too (weak comparison).
  EXPECT_EQ(Send("GET", "/v1/streams/history?start=2026-04-01T00:00:00Z&end=2026-04-02T00:00:00Z",
                 {{"if-none-match", a.Header("ETag")->substr(2)}})
                .status,
            304);
  // Bare bodies: the tag is that of the whole body.
  HttpResponse bare = Get("/v1/dashboard/pipelines");
  EXPECT_EQ(*bare.Header("ETag"), "W/\"" + Hex16(Fnv1a64("{\"limit\":5}\n")) + "\"");
  // No ETag on errors, admin or health responses.
  EXPECT_EQ(Get("/healthz").Header("ETag"), nullptr);
  EXPECT_EQ(*Get("/healthz").Header("Cache-Control"), "no-store");
}

// §5.35
TEST_F(ApiTest, FailuresBecome503And500) {
  HttpResponse unavailable = Get("/v1/fail/unavailable");
  EXPECT_EQ(unavailable.body, ProblemJson(503, "Service Unavailable", "\"store unavailable\"",
                                          "/v1/fail/unavailable"));
  EXPECT_EQ(*unavailable.Header("Retry-After"), "5");
  HttpResponse internal = Get("/v1/fail/internal");
  EXPECT_EQ(internal.body,
            ProblemJson(500, "Internal Server Error", "\"internal error\"", "/v1/fail/internal"));
  EXPECT_EQ(internal.body.find("secret"), std::string::npos);
  backend_.store_down = true;
  HttpResponse down = Get("/v1/streams/active");
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(*down.Header("Retry-After"), "5");
  EXPECT_EQ(Get("/healthz").status, 200);  // group C does not need the data clock
  backend_.store_down = false;
  backend_.restoring = true;  // `naap serve` restoring its facts names that instead
  HttpResponse restoring = Get("/v1/streams/active");
  EXPECT_EQ(restoring.body,
            ProblemJson(503, "Service Unavailable",
                        "\"the facts are being restored from the raw log\"", "/v1/streams/active"));
  EXPECT_EQ(*restoring.Header("Retry-After"), "5");
}

TEST_F(ApiTest, QueryTimeout) {
  backend_.config_.query_timeout_ms = 50;
  HttpResponse slow = Get("/v1/fail/slow");
  EXPECT_EQ(slow.body, ProblemJson(503, "Service Unavailable",
                                   "\"store did not answer within 0.05s\"", "/v1/fail/slow"));
  EXPECT_EQ(*slow.Header("Retry-After"), "5");
  api_.reset();  // waits for the abandoned handler
  backend_.config_.query_timeout_ms = 30'000;
  EXPECT_EQ(Get("/v1/fail/slow").status, 200);
}

// §5.39
TEST_F(ApiTest, AdminAuthentication) {
  HttpResponse disabled = Get("/v1/admin/status");
  EXPECT_EQ(disabled.body,
            ProblemJson(403, "Forbidden", "\"admin API is disabled: no admin token is configured\"",
                        "/v1/admin/status"));
  backend_.config_.admin_token = "0123456789abcdef0123";
  api_.reset();
  HttpResponse missing = Get("/v1/admin/status");
  EXPECT_EQ(missing.body,
            ProblemJson(401, "Unauthorized", "\"missing bearer token\"", "/v1/admin/status"));
  EXPECT_EQ(*missing.Header("WWW-Authenticate"), "Bearer realm=\"naap-admin\"");
  EXPECT_EQ(Get("/v1/admin/status", {{"authorization", "Basic abc"}}).status, 401);
  HttpResponse wrong = Get("/v1/admin/status", {{"authorization", "Bearer 0123456789abcdef0124"}});
  EXPECT_EQ(wrong.body,
            ProblemJson(401, "Unauthorized", "\"invalid bearer token\"", "/v1/admin/status"));
  EXPECT_EQ(*wrong.Header("WWW-Authenticate"), "Bearer realm=\"naap-admin\"");
  // Authentication comes before parameters.
  EXPECT_EQ(Get("/v1/admin/status?foo=1").status, 401);
  HttpResponse ok = Get("/v1/admin/status", {{"authorization", "Bearer 0123456789abcdef0123"}});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(*ok.Header("Cache-Control"), "no-store");
  EXPECT_EQ(ok.Header("ETag"), nullptr);
  EXPECT_EQ(ok.Header("X-Naap-Data-Clock"), nullptr);
  HttpRequest post{.method = "POST",
                   .target = "/v1/admin/events?org=daydream",
                   .headers = {{"authorization", "Bearer 0123456789abcdef0123"}},
                   .body = "line\n"};
  HttpResponse posted = api().Handle(post);
  EXPECT_EQ(posted.status, 200);
  EXPECT_EQ(Between(posted.body, "{\"data\":", ",\"meta\""), "\"line\\n\"");
}

// §1.13: a refused request counts under the route its path matches, "unmatched" only without one.
TEST_F(ApiTest, RejectIsAProblemCountedUnderTheRouteItsPathMatches) {
  HttpRequest partial{.method = "GET",
                      .target = "/v1/streams/active?x=" + std::string(100, 'y'),
                      .headers = {{"x-request-id", "rid"}}};
  HttpResponse response = api().Reject(partial, 414, "request target too long");
  EXPECT_EQ(response.body,
            ProblemJson(414, "URI Too Long", "\"request target too long\"", "/v1/streams/active"));
  EXPECT_EQ(response.reason, "URI Too Long");
  EXPECT_EQ(*response.Header("Cache-Control"), "no-store");
  EXPECT_TRUE(response.close_connection);
  EXPECT_EQ(Requests("GET", "/v1/streams/active", "414"), 1);
  partial.target = "/v1/nope?x=" + std::string(100, 'y');
  EXPECT_EQ(api().Reject(partial, 414, "request target too long").status, 414);
  EXPECT_EQ(Requests("GET", "unmatched", "414"), 1);
}

// §1.5.3: rate limiting, routing (404, 405) and admin authentication come before a body that is
// too large; the status line's reason phrase is the problem's title (§1.4).
TEST_F(ApiTest, TooLargeBodyIsRefusedOnlyAfterRoutingAndAuthentication) {
  backend_.config_.admin_token = "0123456789abcdef0123";
  const std::string detail = "request body exceeds 64 MiB";
  auto reject = [&](std::string method, std::string target,
                    std::vector<std::pair<std::string, std::string>> headers = {}) {
    return api().Reject(HttpRequest{.method = std::move(method),
                                    .target = std::move(target),
                                    .headers = std::move(headers),
                                    .peer_ip = "192.0.2.1"},
                        413, detail);
  };
  EXPECT_EQ(reject("POST", "/v1/nope").status, 404);
  HttpResponse not_allowed = reject("POST", "/v1/dashboard/kpi");
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_NE(not_allowed.Header("Allow"), nullptr);
  EXPECT_EQ(reject("POST", "/v1/admin/events?org=daydream").status, 401);
  HttpResponse too_large = reject("POST", "/v1/admin/events?org=daydream",
                                  {{"authorization", "Bearer 0123456789abcdef0123"}});
  EXPECT_EQ(too_large.status, 413);
  EXPECT_EQ(too_large.reason, "Content Too Large");
  EXPECT_NE(too_large.body.find("\"title\":\"Content Too Large\""), std::string::npos);
  EXPECT_NE(too_large.body.find(detail), std::string::npos);
  EXPECT_TRUE(too_large.close_connection);
  EXPECT_EQ(Requests("POST", "/v1/admin/events", "413"), 1);
  EXPECT_EQ(Requests("POST", "/v1/admin/events", "401"), 1);
}

}  // namespace
}  // namespace naap::api
