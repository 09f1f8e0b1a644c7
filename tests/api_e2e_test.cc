// The whole API over real HTTP on loopback (spec/api.md §5, issue 4 item 6): a LocalBackend filled
// from the real sample and simulator output, the router with every route, the Beast server, and a
// Beast client. Every GET route answers 200 with a body valid against its OpenAPI schema; walking
// every page of every list route returns each row once, in the unpaginated order; figures agree
// across routes that show the same thing.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "api/api.h"
#include "api/http_server.h"
#include "api/local_backend.h"
#include "api/openapi_schema.h"
#include "api/read_cache.h"
#include "metrics/registry.h"
#include "store/store.h"
#include "test_util.h"

namespace naap {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

const std::string kNaap = NAAP_BINARY;
const std::string kSample = std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";
// The simulated hours follow the sample (2026-01-08 21:49Z); the wall clock stands just after.
constexpr Millis kNow = 1767927600000;  // 2026-01-09T03:00:00.000Z

struct Fetched {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-cased names
};

// One request on a fresh connection, as a client would send it.
Fetched Fetch(uint16_t port, const std::string& target, http::verb verb = http::verb::get) {
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  stream.connect(resolver.resolve("127.0.0.1", std::to_string(port)));
  http::request<http::string_body> request(verb, target, 11);
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  parser.skip(verb == http::verb::head);  // a HEAD answer announces a body it does not send
  http::read(stream, buffer, parser);
  const http::response<http::string_body>& response = parser.get();
  Fetched out{static_cast<int>(response.result_int()), response.body(), {}};
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return out;
}

// The elements of the top-level "data" array, each as minified JSON, and the next cursor.
struct Page {
  std::vector<std::string> rows;
  std::string next_cursor;
  bool has_more = false;
  int64_t page_size = -1;
};
Page ParsePage(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body);
  Page page;
  for (simdjson::dom::element row : root["data"].get_array()) {
    page.rows.push_back(simdjson::minify(row));
  }
  page.next_cursor = std::string(std::string_view(root["pagination"]["next_cursor"]));
  page.has_more = bool(root["pagination"]["has_more"]);
  page.page_size = int64_t(root["pagination"]["page_size"]);
  return page;
}

std::string Escape(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

class ApiE2e : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::MakeTempDir());
    const std::string sim = *dir_ + "/sim.ndjson";
    ASSERT_EQ(testing::RunCommand(kNaap + " simulate --hours 3 --scale 0.02 --seed 7 " +
                                  "--start 2026-01-08T23:00:00Z --out " + sim)
                  .exit_code,
              0);
    clock_ = new FakeClock(kNow);
    store_ = store::OpenStore("memory:").value().release();
    api::ApiConfig config;
    config.rate_limit_rps = 0;  // the walk sends many requests
    config.leaderboard_min_streams = 1;
    backend_ = api::LocalBackend::Open(*store_, *clock_, config).value().release();
    ASSERT_TRUE(backend_->IngestFiles({kSample}).ok());
    ASSERT_TRUE(backend_->IngestFiles({sim}).ok());
    registry_ = new metrics::Registry();
    api_ = new api::Api(api::AllRoutes(*registry_), *backend_, *registry_);
    auto server = api::HttpServer::Start(
        {.threads = 2}, [](const api::HttpRequest& r) { return api_->Handle(r); },
        [](const api::HttpRequest& r, int status, std::string_view detail) {
          return api_->Reject(r, status, detail);
        });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = server.value().release();
    auto doc = api::LoadBundledOpenApi();
    ASSERT_TRUE(doc.ok()) << doc.status().ToString();
    doc_ = new api::OpenApi(std::move(doc.value()));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete api_;
    delete registry_;
    delete backend_;
    delete store_;
    delete clock_;
    delete doc_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  static uint16_t port() { return server_->port(); }

  // Every page of a list route at `limit`, concatenated.
  static std::vector<std::string> Walk(const std::string& target, int limit) {
    std::vector<std::string> all;
    std::string cursor;
    char sep = target.find('?') == std::string::npos ? '?' : '&';
    for (int pages = 0; pages < 10'000; ++pages) {
      std::string url = target + sep + "limit=" + std::to_string(limit);
      if (!cursor.empty()) url += "&cursor=" + Escape(cursor);
      Fetched got = Fetch(port(), url);
      EXPECT_EQ(got.status, 200) << url << " " << got.body;
      if (got.status != 200) break;
      Page page = ParsePage(got.body);
      EXPECT_EQ(page.page_size, static_cast<int64_t>(page.rows.size())) << url;
      EXPECT_LE(page.rows.size(), static_cast<size_t>(limit)) << url;
      EXPECT_EQ(page.has_more, !page.next_cursor.empty()) << url;
      all.insert(all.end(), page.rows.begin(), page.rows.end());
      if (!page.has_more) break;
      cursor = page.next_cursor;
    }
    return all;
  }

  // A value for each path parameter of the GET routes, read from list routes of the same data.
  static std::string FirstString(const std::string& target, const char* field) {
    Fetched got = Fetch(port(), target);
    simdjson::dom::parser parser;
    simdjson::dom::element root = parser.parse(got.body);
    simdjson::dom::array rows;
    if (root["data"].get_array().get(rows) != simdjson::SUCCESS) {
      rows = root.get_array();  // group A bare arrays
    }
    for (simdjson::dom::element row : rows) {
      std::string_view value;
      if (row[field].get(value) == simdjson::SUCCESS && !value.empty()) return std::string(value);
    }
    return "";
  }

  // The route's pattern with a value from the data for each path parameter and its required
  // query parameters; "" when the data hold none.
  static std::string SampleTarget(const api::RouteSpec& route) {
    static const std::map<std::string, std::string> path_values = {
        {"/v1/net/orchestrators/{address}", FirstString("/v1/net/orchestrators", "address")},
        {"/v1/leaderboard/{address}", FirstString("/v1/net/orchestrators", "address")},
        {"/v1/net/pricing/{address}", FirstString("/v1/net/pricing", "orch_address")},
        {"/v1/net/gateways/{address}", FirstString("/v1/net/gateways", "address")},
        {"/v1/net/gateways/{address}/orchs", FirstString("/v1/net/gateways", "address")},
        {"/v1/streams/{stream_id}", "stream-o5s73x-mk5zc8fy"},
        {"/v1/pipelines/{pipeline}", "live-video-to-video"},
    };
    static const std::string model = FirstString("/v1/net/models", "model");
    std::string target = route.pattern;
    if (auto brace = target.find('{'); brace != std::string::npos) {
      auto it = path_values.find(route.pattern);
      if (it == path_values.end() || it->second.empty()) return "";
      target = target.substr(0, brace) + Escape(it->second) +
               target.substr(target.find('}', brace) + 1);
    }
    for (const api::ParamSpec& param : route.params) {
      if (param.required && param.name == "model_id") {
        if (model.empty()) return "";
        target += "?model_id=" + Escape(model);
      }
    }
    return target;
  }

  static std::string* dir_;
  static FakeClock* clock_;
  static store::Store* store_;
  static api::LocalBackend* backend_;
  static metrics::Registry* registry_;
  static api::Api* api_;
  static api::HttpServer* server_;
  static api::OpenApi* doc_;
};

std::string* ApiE2e::dir_ = nullptr;
FakeClock* ApiE2e::clock_ = nullptr;
store::Store* ApiE2e::store_ = nullptr;
api::LocalBackend* ApiE2e::backend_ = nullptr;
metrics::Registry* ApiE2e::registry_ = nullptr;
api::Api* ApiE2e::api_ = nullptr;
api::HttpServer* ApiE2e::server_ = nullptr;
api::OpenApi* ApiE2e::doc_ = nullptr;

TEST_F(ApiE2e, EveryGetRouteAnswersWithABodyValidAgainstItsSchema) {
  int checked = 0;
  for (const api::RouteSpec& route : api::AllRoutes(*registry_)) {
    if (route.admin || route.group == api::RouteGroup::kDocs) continue;
    if (std::find(route.methods.begin(), route.methods.end(), "GET") == route.methods.end()) continue;
    const std::string target = SampleTarget(route);
    ASSERT_FALSE(target.empty()) << "no sample value for " << route.pattern;
    Fetched got = Fetch(port(), target);
    EXPECT_EQ(got.status, 200) << route.id << " " << target << " " << got.body;
    if (route.pattern == "/metrics") continue;  // text, checked by promtool elsewhere
    Status valid = api::ValidateResponse(*doc_, "GET", route.pattern, got.status, got.body);
    EXPECT_TRUE(valid.ok()) << route.id << " " << target << ": " << valid.ToString();
    ++checked;
  }
  EXPECT_GE(checked, 60);
}

// The router's memo of hour-grained replies (RouteSpec::hour_grained) answers as the handler
// does. For every such route, a window that selects the same hour buckets as an earlier request
// but other milliseconds is answered from the memo, with its own window echo, and equals the
// answer of an Api over the same backend whose routes are all unmemoized.
TEST_F(ApiE2e, HourGrainedRepliesFromTheMemoEqualTheHandlers) {
  std::vector<api::RouteSpec> unmemoized = api::AllRoutes(*registry_);
  for (api::RouteSpec& route : unmemoized) route.hour_grained = false;
  metrics::Registry direct_registry;
  api::Api direct(std::move(unmemoized), *backend_, direct_registry);
  const auto get = [](api::Api& api, const std::string& target) {
    return api.Handle({.method = "GET", .target = target, .peer_ip = "127.0.0.1"});
  };
  const auto without_meta = [](const std::string& body) {  // meta is last in an envelope
    return body.substr(0, body.rfind(",\"meta\":"));
  };
  // Both select the hour buckets 00:00 and 01:00 of the simulated 23:00 … 02:00; the windows'
  // edges differ by half an hour of data.
  const std::string earlier = "start=2026-01-08T23:10:00.000Z&end=2026-01-09T01:50:00.000Z";
  const std::string later = "start=2026-01-08T23:40:00.123Z&end=2026-01-09T01:20:00.000Z";
  api::ReadCache& cache = *backend_->read_cache();
  int compared = 0;
  for (const api::RouteSpec& route : api::AllRoutes(*registry_)) {
    if (!route.hour_grained || route.admin ||
        (route.group != api::RouteGroup::kA && route.group != api::RouteGroup::kB)) {
      continue;
    }
    std::string target = SampleTarget(route);
    ASSERT_FALSE(target.empty()) << "no sample value for " << route.pattern;
    target += target.find('?') == std::string::npos ? "?" : "&";
    if (route.is_list()) target += "limit=3&";
    const std::string first = target + (route.window ? earlier : ""),
                      second = target + (route.window ? later : "");
    ASSERT_EQ(get(*api_, first).status, 200) << route.id << " " << first;
    const int64_t misses = cache.misses();
    api::HttpResponse memo = get(*api_, second);
    EXPECT_EQ(cache.misses(), misses) << route.id << ": not answered from the memo";
    api::HttpResponse own = get(direct, second);
    EXPECT_EQ(memo.status, 200) << route.id << " " << second << " " << memo.body;
    EXPECT_EQ(without_meta(memo.body), without_meta(own.body)) << route.id << " " << second;
    if (route.window && !route.is_list() && memo.body.find("\"start_time\"") != std::string::npos) {
      EXPECT_NE(memo.body.find("\"start_time\":\"2026-01-08T23:40:00.123Z\","
                               "\"end_time\":\"2026-01-09T01:20:00.000Z\""),
                std::string::npos)
          << route.id << ": the echo is the request's window";
    }
    ++compared;
  }
  EXPECT_GE(compared, 50);
}

TEST_F(ApiE2e, WalkingEveryListRouteReturnsEachRowOnceInOrder) {
  int walked = 0;
  for (const api::RouteSpec& route : api::AllRoutes(*registry_)) {
    if (!route.is_list()) continue;
    std::string target = route.pattern;
    if (target.find('{') != std::string::npos) {
      target = "/v1/net/gateways/" + Escape(FirstString("/v1/net/gateways", "address")) + "/orchs";
    }
    std::vector<std::string> whole = Walk(target, 1000);
    std::vector<std::string> paged = Walk(target, 2);
    EXPECT_EQ(paged, whole) << route.id << " " << target;
    EXPECT_EQ(std::set<std::string>(whole.begin(), whole.end()).size(), whole.size()) << route.id;
    walked += whole.size() > 2 ? 1 : 0;  // routes whose walk crossed a page boundary
  }
  EXPECT_GE(walked, 10);
}

TEST_F(ApiE2e, KpiTotalsEqualTheSumOfTheDemandRowsOfTheWindow) {
  const std::string window = "start=2026-01-08T00:00:00Z&end=2026-01-09T03:00:00Z";
  simdjson::dom::parser parser;
  Fetched kpi = Fetch(port(), "/v1/dashboard/kpi?" + window);
  ASSERT_EQ(kpi.status, 200) << kpi.body;
  simdjson::dom::element root = parser.parse(kpi.body);
  int64_t sessions = int64_t(root["streaming"]["dailySessionCount"]["value"]);
  int64_t hourly = 0;
  for (simdjson::dom::element bucket : root["streaming"]["hourlySessions"].get_array()) {
    hourly += int64_t(bucket["value"]);
  }
  int64_t demand = 0;
  simdjson::dom::parser row_parser;
  for (const std::string& row : Walk("/v1/streaming/demand?" + window, 1000)) {
    demand += int64_t(row_parser.parse(row)["requested_sessions"]);
  }
  EXPECT_GT(sessions, 0);
  EXPECT_EQ(hourly, sessions);
  EXPECT_EQ(demand, sessions);

  // B8's requested total is the sum of B9's buckets over the same window.
  Fetched summary = Fetch(port(), "/v1/streams/summary?" + window);
  Fetched history = Fetch(port(), "/v1/streams/history?" + window);
  ASSERT_EQ(summary.status, 200);
  ASSERT_EQ(history.status, 200);
  int64_t total = int64_t(parser.parse(summary.body)["data"]["total_requested"]);
  int64_t buckets = 0;
  simdjson::dom::parser history_parser;
  for (simdjson::dom::element bucket : history_parser.parse(history.body)["data"].get_array()) {
    buckets += int64_t(bucket["requested_sessions"]);
  }
  EXPECT_EQ(buckets, total);
  EXPECT_EQ(total, sessions);
}

// A6, B38 and B39 read the same quotes (api.md B38 "Reads: as A6"), cold ones included.
TEST_F(ApiE2e, PricesAgreeAcrossTheDashboardTheListAndTheOrchestrator) {
  using Quote = std::tuple<std::string, std::string, std::string, std::string, bool>;
  simdjson::dom::parser parser;
  Fetched dashboard = Fetch(port(), "/v1/dashboard/pricing");
  ASSERT_EQ(dashboard.status, 200) << dashboard.body;
  std::set<Quote> a6;
  for (simdjson::dom::element q : parser.parse(dashboard.body).get_array()) {
    a6.insert({std::string(std::string_view(q["orchAddress"])),
               std::string(std::string_view(q["pipeline"])),
               std::string(std::string_view(q["model"])), simdjson::minify(q["priceWeiPerUnit"]),
               bool(q["isWarm"])});
  }
  std::set<Quote> b38;
  simdjson::dom::parser row_parser;
  for (const std::string& row : Walk("/v1/net/pricing", 1000)) {
    simdjson::dom::element q = row_parser.parse(row);
    b38.insert({std::string(std::string_view(q["orch_address"])),
                std::string(std::string_view(q["pipeline"])),
                std::string(std::string_view(q["model_id"])),
                std::string(std::string_view(q["price_per_unit"])), bool(q["is_warm"])});
  }
  EXPECT_EQ(b38, a6);
  EXPECT_TRUE(std::any_of(a6.begin(), a6.end(), [](const Quote& q) { return !std::get<4>(q); }))
      << "the simulated network quotes prices of models it does not offer warm";

  const std::string orch = std::get<0>(*a6.begin());
  Fetched detail = Fetch(port(), "/v1/net/pricing/" + orch);
  ASSERT_EQ(detail.status, 200) << detail.body;
  std::set<Quote> b39;
  for (simdjson::dom::element p : parser.parse(detail.body)["data"]["pipelines"].get_array()) {
    for (simdjson::dom::element m : p["models"].get_array()) {
      b39.insert({orch, std::string(std::string_view(p["pipeline"])),
                  std::string(std::string_view(m["model_id"])),
                  std::string(std::string_view(m["price_per_unit"])), bool(m["is_warm"])});
    }
  }
  std::set<Quote> a6_of_orch;
  for (const Quote& q : a6) {
    if (std::get<0>(q) == orch) a6_of_orch.insert(q);
  }
  EXPECT_EQ(b39, a6_of_orch);
}

// A current BYOC worker is a warm orchestrator of its capability (docs/api.md): B41 counts the
// orchestrators A13 counts.
TEST_F(ApiE2e, ByocWorkersAreWarmOrchestratorsInPipelinesAsInRequestModels) {
  simdjson::dom::parser parser;
  Fetched models = Fetch(port(), "/v1/requests/models");
  ASSERT_EQ(models.status, 200) << models.body;
  int compared = 0;
  for (simdjson::dom::element m : parser.parse(models.body).get_array()) {
    if (std::string_view(m["job_type"]) != "byoc") continue;
    const std::string pipeline{std::string_view(m["pipeline"])};
    const std::string model{std::string_view(m["model"])};
    simdjson::dom::parser detail_parser;
    Fetched detail = Fetch(port(), "/v1/pipelines/" + Escape(pipeline));
    ASSERT_EQ(detail.status, 200) << detail.body;
    simdjson::dom::element data = detail_parser.parse(detail.body)["data"];
    EXPECT_GT(int64_t(data["warm_orch_count"]), 0) << pipeline;
    for (simdjson::dom::element by_model : data["by_model"].get_array()) {
      if (std::string_view(by_model["model_id"]) != model) continue;
      EXPECT_EQ(int64_t(by_model["warm_orch_count"]), int64_t(m["warm_orch_count"]))
          << pipeline << " " << model;
      ++compared;
    }
  }
  EXPECT_GT(compared, 0) << "the simulated network has BYOC workers";
}

TEST_F(ApiE2e, HourlyListRowsAreMemoizedPerDataVersion) {
  api::ReadCache& cache = *backend_->read_cache();
  const std::string target = "/v1/streaming/sla?window=24h&limit=3";
  Page first = ParsePage(Fetch(port(), target).body);
  const int64_t hits = cache.hits();
  Page second = ParsePage(Fetch(port(), target).body);
  EXPECT_GT(cache.hits(), hits);  // the rows came from the memo
  EXPECT_EQ(second.rows, first.rows);
  ASSERT_FALSE(first.rows.empty());
  // Walking from the memo gives every row once, as an unmemoized walk of a fresh query does.
  EXPECT_EQ(Walk("/v1/streaming/sla?window=24h", 3), Walk("/v1/streaming/sla?window=25h", 1000));
}

TEST_F(ApiE2e, HeadAndGzipAndEtagOverTheWire) {
  Fetched get = Fetch(port(), "/v1/net/summary");
  Fetched head = Fetch(port(), "/v1/net/summary", http::verb::head);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.headers["etag"], get.headers["etag"]);
  EXPECT_EQ(head.headers["content-length"], get.headers["content-length"]);
  EXPECT_FALSE(get.headers["x-request-id"].empty());
  EXPECT_FALSE(get.headers["x-naap-data-clock"].empty());
}

}  // namespace
}  // namespace naap
