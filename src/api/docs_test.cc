#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "api/api.h"
#include "api/local_backend.h"
#include "api/openapi_schema.h"
#include "store/store.h"

namespace naap::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---------------------------------------------------------------- the /docs routes (§4.8)

const RouteSpec& DocsRoute(std::string_view pattern) {
  static const std::vector<RouteSpec> routes = DocsRoutes();
  for (const RouteSpec& route : routes) {
    if (route.pattern == pattern) return route;
  }
  ADD_FAILURE() << "no docs route " << pattern;
  return routes.front();
}

// The docs handlers never read the backend; they get an empty in-memory one.
Backend& EmptyBackend() {
  static FakeClock clock(0);
  static std::unique_ptr<store::Store> store = std::move(store::OpenStore("memory:").value());
  static std::unique_ptr<LocalBackend> backend =
      std::move(LocalBackend::Open(*store, clock, ApiConfig{}).value());
  return *backend;
}

Outcome Get(std::string_view pattern, std::string path, std::string file = "") {
  RequestContext ctx;
  ctx.method = "GET";
  ctx.path = std::move(path);
  if (!file.empty()) ctx.path_params["file"] = file;
  const RouteSpec& route = DocsRoute(pattern);
  ctx.route = &route;
  return route.handler(ctx, EmptyBackend());
}

const Reply& Ok(const Outcome& outcome) {
  EXPECT_TRUE(outcome.reply.has_value()) << outcome.status.message();
  return *outcome.reply;
}

std::string Header(const Reply& reply, std::string_view name) {
  for (const auto& [key, value] : reply.headers) {
    if (key == name) return value;
  }
  return "";
}

TEST(DocsRoutesTest, DeclaresTheFourDocumentationRoutes) {
  std::vector<std::string> patterns;
  for (const RouteSpec& route : DocsRoutes()) {
    EXPECT_EQ(route.group, RouteGroup::kDocs);
    EXPECT_EQ(route.methods, std::vector<std::string>{"GET"});
    EXPECT_TRUE(route.params.empty());
    patterns.push_back(route.pattern);
  }
  EXPECT_THAT(patterns, ElementsAre("/docs", "/docs/openapi.yaml", "/docs/openapi.json",
                                    "/docs/assets/{file}"));
}

TEST(DocsRoutesTest, PageIsHtmlWithThePolicyAndOnlyDocsUrls) {
  Outcome outcome = Get("/docs", "/docs");
  const Reply& page = Ok(outcome);
  EXPECT_EQ(page.kind, Reply::Kind::kRaw);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Header(page, "Content-Security-Policy"),
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'");
  // Every URL the page references is a /docs/ URL that the assets route serves.
  const std::regex url_attribute(R"re((src|href)="([^"]*)")re");
  std::set<std::string> urls;
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), url_attribute);
       it != std::sregex_iterator(); ++it) {
    urls.insert((*it)[2]);
  }
  EXPECT_EQ(urls,
            (std::set<std::string>{
                "/docs/assets/swagger-ui.css", "/docs/assets/swagger-ui-bundle.js",
                "/docs/assets/swagger-ui-standalone-preset.js", "/docs/assets/swagger-init.js",
                "/docs/assets/favicon-16x16.png", "/docs/assets/favicon-32x32.png"}));
  for (const std::string& url : urls) {
    const std::string file = url.substr(std::string("/docs/assets/").size());
    Outcome asset = Get("/docs/assets/{file}", url, file);
    EXPECT_TRUE(asset.reply.has_value()) << url;
  }
  EXPECT_EQ(page.body.find("http:"), std::string::npos);
  EXPECT_EQ(page.body.find("https:"), std::string::npos);
  // No inline script: every <script> element has a src and no body.
  const std::regex script(R"re(<script([^>]*)>([^<]*)</script>)re");
  int scripts = 0;
  for (auto it = std::sregex_iterator(page.body.begin(), page.body.end(), script);
       it != std::sregex_iterator(); ++it, ++scripts) {
    EXPECT_THAT((*it)[1].str(), HasSubstr("src=\"/docs/assets/"));
    EXPECT_EQ((*it)[2].str(), "");
  }
  EXPECT_EQ(scripts, 3);
}

TEST(DocsRoutesTest, InitScriptPointsTheUiAtTheJsonDocument) {
  Outcome outcome = Get("/docs/assets/{file}", "/docs/assets/swagger-init.js", "swagger-init.js");
  const Reply& init = Ok(outcome);
  EXPECT_EQ(init.content_type, "text/javascript");
  EXPECT_THAT(init.body, HasSubstr("url: \"/docs/openapi.json\""));
  EXPECT_THAT(init.body, HasSubstr("validatorUrl: null"));
}

TEST(DocsRoutesTest, AssetsCarryTheirContentTypes) {
  const std::pair<std::string, std::string> cases[] = {
      {"swagger-ui.css", "text/css"},
      {"swagger-ui-bundle.js", "text/javascript"},
      {"swagger-ui-standalone-preset.js", "text/javascript"},
      {"swagger-ui-bundle.js.map", "application/json"},
      {"favicon-32x32.png", "image/png"},
  };
  for (const auto& [file, type] : cases) {
    Outcome outcome = Get("/docs/assets/{file}", "/docs/assets/" + file, file);
    const Reply& asset = Ok(outcome);
    EXPECT_EQ(asset.content_type, type) << file;
    EXPECT_GT(asset.body.size(), 100u) << file;
  }
  Outcome png = Get("/docs/assets/{file}", "/docs/assets/favicon-16x16.png", "favicon-16x16.png");
  EXPECT_EQ(Ok(png).body.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  Outcome bundle =
      Get("/docs/assets/{file}", "/docs/assets/swagger-ui-bundle.js", "swagger-ui-bundle.js");
  EXPECT_THAT(Ok(bundle).body, HasSubstr("SwaggerUIBundle"));
}

TEST(DocsRoutesTest, UnknownAssetIsNoRouteProblem) {
  for (const std::string file : {"nope.js", "index.html", "openapi.json", "swagger-ui.js"}) {
    Outcome outcome = Get("/docs/assets/{file}", "/docs/assets/" + file, file);
    ASSERT_TRUE(outcome.problem.has_value()) << file;
    EXPECT_EQ(outcome.problem->status, 404);
    EXPECT_EQ(outcome.problem->detail, "no route for path \"/docs/assets/" + file + "\"");
  }
}

// Deep equality of two parsed JSON values; object members compared as sets of keys.
bool SameJson(simdjson::dom::element a, simdjson::dom::element b, std::string path,
              std::string& where) {
  using simdjson::dom::element_type;
  auto fail = [&] {
    where = path;
    return false;
  };
  const bool a_number = a.is_number(), b_number = b.is_number();
  if (a_number && b_number) return a.get_double().value() == b.get_double().value() || fail();
  if (a.type() != b.type()) return fail();
  switch (a.type()) {
    case element_type::ARRAY: {
      simdjson::dom::array xs = a.get_array(), ys = b.get_array();
      if (xs.size() != ys.size()) return fail();
      for (size_t i = 0; i < xs.size(); ++i) {
        if (!SameJson(xs.at(i).value(), ys.at(i).value(), path + "[" + std::to_string(i) + "]",
                      where)) {
          return false;
        }
      }
      return true;
    }
    case element_type::OBJECT: {
      simdjson::dom::object xs = a.get_object(), ys = b.get_object();
      if (xs.size() != ys.size()) return fail();
      for (simdjson::dom::key_value_pair field : xs) {
        simdjson::dom::element other;
        if (ys.at_key(field.key).get(other)) return fail();
        if (!SameJson(field.value, other, path + "/" + std::string(field.key), where)) {
          return false;
        }
      }
      return true;
    }
    case element_type::STRING:
      return a.get_string().value() == b.get_string().value() || fail();
    case element_type::BOOL:
      return a.get_bool().value() == b.get_bool().value() || fail();
    default:
      return true;  // null
  }
}

TEST(DocsRoutesTest, YamlAndJsonDocumentsAreTheSameDocument) {
  Outcome yaml_outcome = Get("/docs/openapi.yaml", "/docs/openapi.yaml");
  Outcome json_outcome = Get("/docs/openapi.json", "/docs/openapi.json");
  const Reply& yaml = Ok(yaml_outcome);
  const Reply& json = Ok(json_outcome);
  EXPECT_EQ(yaml.content_type, "application/yaml");
  EXPECT_EQ(json.content_type, "application/json");
  // The served YAML, read by an independent YAML reader, equals the served JSON.
  const std::string yaml_path = ::testing::TempDir() + "/served_openapi.yaml";
  std::ofstream(yaml_path, std::ios::binary) << yaml.body;
  const std::string command =
      "/usr/bin/python3 -c 'import json,sys,yaml; "
      "print(json.dumps(yaml.safe_load(open(sys.argv[1], encoding=\"utf-8\"))))' " +
      yaml_path;
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string from_yaml;
  char buffer[65536];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) from_yaml.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0);
  simdjson::dom::parser yaml_parser, json_parser;
  simdjson::dom::element from_yaml_doc = yaml_parser.parse(from_yaml).value();
  simdjson::dom::element served_doc = json_parser.parse(json.body).value();
  std::string where;
  EXPECT_TRUE(SameJson(from_yaml_doc, served_doc, "", where)) << "differs at " << where;
  EXPECT_EQ(json.body.back(), '\n');
}

// ---------------------------------------------------------------- the bundled document

TEST(BundledOpenApiTest, DescribesEveryNonDocsRouteOfTheSpec) {
  Result<OpenApi> doc = LoadBundledOpenApi();
  ASSERT_TRUE(doc.ok()) << doc.status().message();
  const OpenApi& api = doc.value();
  // spec/api.md: A1–A22, B1–B45, C1–C7 (the /docs routes are not documented).
  EXPECT_EQ(api.operations().size(), 22u + 45u + 7u);
  std::set<std::string> admin;
  for (const OpenApiOperation& op : api.operations()) {
    if (op.admin) admin.insert(op.method + " " + op.path);
    EXPECT_FALSE(op.path.starts_with("/docs")) << op.path;
  }
  EXPECT_EQ(admin, (std::set<std::string>{"POST /v1/admin/events", "POST /v1/admin/rebuild",
                                          "GET /v1/admin/status"}));
  simdjson::dom::parser parser;
  simdjson::dom::element root =
      parser.parse(std::string(Ok(Get("/docs/openapi.json", "/docs/openapi.json")).body)).value();
  EXPECT_EQ(root["openapi"].get_string().value(), "3.0.3");
  EXPECT_EQ(root["info"]["title"].get_string().value(), "naap API");
  EXPECT_EQ(root["info"]["version"].get_string().value(), "1");
  EXPECT_EQ(root["servers"].at(0)["url"].get_string().value(), "/");
  EXPECT_EQ(root["components"]["securitySchemes"]["bearerAuth"]["scheme"].get_string().value(),
            "bearer");
}

// Collects every "$ref" of the document.
void CollectRefs(simdjson::dom::element node, std::set<std::string>& refs) {
  if (node.is_array()) {
    for (simdjson::dom::element item : node.get_array()) CollectRefs(item, refs);
  } else if (node.is_object()) {
    for (simdjson::dom::key_value_pair field : node.get_object()) {
      if (field.key == "$ref") refs.insert(std::string(field.value.get_string().value()));
      CollectRefs(field.value, refs);
    }
  }
}

TEST(BundledOpenApiTest, EveryReferenceResolves) {
  simdjson::dom::parser parser;
  simdjson::dom::element root =
      parser.parse(std::string(Ok(Get("/docs/openapi.json", "/docs/openapi.json")).body)).value();
  std::set<std::string> refs;
  CollectRefs(root, refs);
  EXPECT_GT(refs.size(), 50u);
  for (const std::string& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/")) << ref;
    EXPECT_FALSE(root.at_pointer(ref.substr(1)).error()) << ref;
  }
}

TEST(BundledOpenApiTest, ParametersMapToTheRouteVocabulary) {
  Result<OpenApi> doc = LoadBundledOpenApi();
  ASSERT_TRUE(doc.ok());
  auto find = [&](std::string_view path, std::string_view name) -> OpenApiParam {
    for (const OpenApiOperation& op : doc->operations()) {
      if (op.path != path) continue;
      for (const OpenApiParam& param : op.params) {
        if (param.name == name) return param;
      }
    }
    ADD_FAILURE() << path << " " << name;
    return {};
  };
  OpenApiParam limit = find("/v1/dashboard/pipelines", "limit");
  EXPECT_EQ(limit.type, ParamType::kInt);
  EXPECT_EQ(limit.minimum, 1);
  EXPECT_EQ(limit.maximum, 20);
  EXPECT_EQ(limit.default_text, "5");
  OpenApiParam caps = find("/v1/discover/orchestrators", "caps");
  EXPECT_EQ(caps.type, ParamType::kCap);
  EXPECT_TRUE(caps.repeatable);
  OpenApiParam failure = find("/v1/failures", "failure_type");
  EXPECT_EQ(failure.type, ParamType::kEnum);
  EXPECT_THAT(failure.enum_values, ElementsAre("no_orch_available", "orch_swap",
                                               "inference_restart", "inference_error"));
  EXPECT_EQ(find("/v1/net/model", "model_id").required, true);
  EXPECT_EQ(find("/v1/net/orchestrators", "active_only").default_text, "false");
  EXPECT_EQ(find("/v1/net/orchestrators/{address}", "address").type, ParamType::kAddress);
  EXPECT_EQ(find("/v1/net/gateways/{address}", "address").type, ParamType::kId);
  EXPECT_EQ(find("/v1/streaming/sla", "start").type, ParamType::kTime);
  EXPECT_EQ(find("/v1/streaming/sla", "window").type, ParamType::kDuration);
  EXPECT_EQ(find("/v1/streaming/sla", "cursor").type, ParamType::kCursor);
  EXPECT_EQ(find("/v1/streaming/sla", "org").type, ParamType::kOrg);
  EXPECT_EQ(find("/v1/admin/rebuild", "mode").default_text, "replace");
  EXPECT_EQ(find("/v1/admin/events", "source").default_text, "http");
  for (const OpenApiOperation& op : doc->operations()) {
    if (op.path == "/v1/gpu/metrics") {
      ASSERT_TRUE(op.window.has_value());
      EXPECT_EQ(op.window->default_width, "1d");
      EXPECT_EQ(op.window->min_width, "1m");
      EXPECT_EQ(op.window->max_width, "3d");
    }
  }
}

TEST(BundledOpenApiTest, ValidatesDocumentedBodies) {
  Result<OpenApi> doc = LoadBundledOpenApi();
  ASSERT_TRUE(doc.ok());
  const std::string meta =
      R"("meta":{"generated_at":"2026-04-02T17:00:05.123Z","request_id":"abc-123",)"
      R"("window":null,"data_clock":null})";
  const std::string summary =
      R"({"data":{"org":null,"snapshot_time":"2026-04-02T16:59:58.410Z","total_registered":3,)"
      R"("total_active":1,"active_threshold_minutes":10},)" +
      meta + "}\n";
  EXPECT_TRUE(ValidateResponse(*doc, "GET", "/v1/net/summary", 200, summary).ok());
  EXPECT_TRUE(ValidateResponse(*doc, "HEAD", "/v1/net/summary", 200, summary).ok());
  const std::string problem =
      R"({"type":"about:blank","title":"Bad Request","status":400,"detail":"x",)"
      R"("instance":"/v1/dashboard/kpi","request_id":"r"})";
  EXPECT_TRUE(ValidateResponse(*doc, "GET", "/v1/dashboard/kpi", 400, problem).ok());
  const std::string payments =
      R"({"data":[{"timestamp":"2026-04-02T16:00:00.000Z","total_wei":"4800000004800",)"
      R"("total_face_value_wei":"04804800000000000","event_count":1,"unique_orchs":1}],)" +
      meta + "}";
  Status bad_wei = ValidateResponse(*doc, "GET", "/v1/payments/history", 200, payments);
  EXPECT_THAT(bad_wei.message(),
              HasSubstr("$.data[0].total_face_value_wei: \"04804800000000000\" does not match"));
  Status no_route = ValidateResponse(*doc, "GET", "/v1/nope", 200, "{}");
  EXPECT_EQ(no_route.code(), StatusCode::kNotFound);
  Status undocumented = ValidateResponse(*doc, "GET", "/v1/net/summary", 418, "{}");
  EXPECT_EQ(undocumented.code(), StatusCode::kNotFound);
}

// ---------------------------------------------------------------- ValidateResponse

constexpr std::string_view kSmallDoc = R"json({
  "openapi": "3.0.3",
  "paths": {
    "/v1/things/{id}": {
      "get": {
        "parameters": [
          {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
          {"$ref": "#/components/parameters/limit"},
          {"name": "start", "in": "query", "schema": {"type": "string", "format": "date-time-or-epoch-ms"}},
          {"name": "end", "in": "query", "schema": {"type": "string", "format": "date-time-or-epoch-ms"}},
          {"name": "window", "in": "query", "schema": {"type": "string", "format": "duration"}},
          {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["a", "b"], "default": "a"}}
        ],
        "x-naap-window": {"default": "1d", "min": "1h", "max": "raw-retention"},
        "responses": {
          "200": {"description": "OK", "content": {"application/json": {"schema": {
            "type": "object", "required": ["data"],
            "properties": {"data": {"$ref": "#/components/schemas/Thing"}}}}}},
          "default": {"$ref": "#/components/responses/Problem"}
        }
      }
    },
    "/v1/admin/things": {
      "post": {"security": [{"bearerAuth": []}],
               "responses": {"202": {"description": "started"}}}
    }
  },
  "components": {
    "parameters": {
      "limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}}
    },
    "responses": {
      "Problem": {"description": "error", "content": {"application/problem+json": {"schema": {
        "type": "object", "required": ["status"], "properties": {"status": {"type": "integer"}}}}}}
    },
    "schemas": {
      "Thing": {"type": "object", "required": ["name", "score", "seen", "fee", "tags", "by_org"],
        "properties": {
          "name": {"type": "string"},
          "score": {"type": "number", "nullable": true, "minimum": 0, "maximum": 100},
          "seen": {"type": "string", "format": "date-time"},
          "fee": {"type": "string", "pattern": "^(0|[1-9][0-9]*)$"},
          "tags": {"type": "array", "items": {"type": "string", "enum": ["x", "y"]}},
          "by_org": {"type": "object", "additionalProperties": {"type": "integer"}}
        }}
    }
  }
})json";

class ValidateResponseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<OpenApi> parsed = OpenApi::Parse(kSmallDoc);
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    doc_ = std::make_unique<OpenApi>(std::move(parsed.value()));
  }
  Status Validate(std::string_view body, int status = 200) {
    return ValidateResponse(*doc_, "GET", "/v1/things/{id}", status, body);
  }
  std::unique_ptr<OpenApi> doc_;
};

constexpr std::string_view kGoodThing =
    R"({"data":{"name":"n","score":null,"seen":"2026-04-02T17:00:00.000Z","fee":"12",)"
    R"("tags":["x","y"],"by_org":{"daydream":3,"cloudspe":0}}})";

TEST_F(ValidateResponseTest, AcceptsADocumentedBody) { EXPECT_TRUE(Validate(kGoodThing).ok()); }

TEST_F(ValidateResponseTest, MissingFieldIsNamed) {
  Status status = Validate(R"({"data":{"name":"n","score":1,"seen":"2026-04-02T17:00:00.000Z",)"
                           R"("tags":[],"by_org":{}}})");
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "GET /v1/things/{id} 200: $.data: missing required field \"fee\"");
}

TEST_F(ValidateResponseTest, ExtraFieldIsAnError) {
  Status status = Validate(R"({"data":{"name":"n","score":1,"seen":"2026-04-02T17:00:00.000Z",)"
                           R"("fee":"0","tags":[],"by_org":{},"extra":true},"more":1})");
  EXPECT_EQ(status.message(),
            "GET /v1/things/{id} 200: $.data: unexpected field \"extra\"; $: unexpected field "
            "\"more\"");
}

TEST_F(ValidateResponseTest, NullOnANonNullableFieldIsAnError) {
  Status status = Validate(R"({"data":{"name":null,"score":null,"seen":"2026-04-02T17:00:00.000Z",)"
                           R"("fee":"0","tags":[],"by_org":{"o":null}}})");
  EXPECT_EQ(status.message(),
            "GET /v1/things/{id} 200: $.data.name: null where the schema is not nullable; "
            "$.data.by_org.o: null where the schema is not nullable");
}

TEST_F(ValidateResponseTest, ChecksTypesFormatsPatternsEnumsAndBounds) {
  Status status = Validate(R"({"data":{"name":5,"score":100.5,"seen":"2026-04-02T17:00:00Z",)"
                           R"("fee":"-1","tags":["z"],"by_org":{"o":1.5}}})");
  EXPECT_EQ(status.message(),
            "GET /v1/things/{id} 200: $.data.name: expected string, got integer; "
            "$.data.score: 100.5 is above the maximum 100; "
            "$.data.seen: \"2026-04-02T17:00:00Z\" is not a time of the form "
            "2026-04-02T17:00:00.000Z; "
            "$.data.fee: \"-1\" does not match ^(0|[1-9][0-9]*)$; "
            "$.data.tags[0]: \"z\" is not one of x, y; "
            "$.data.by_org.o: expected integer, got number");
}

TEST_F(ValidateResponseTest, UndocumentedStatusUsesDefaultAndBadJsonFails) {
  EXPECT_TRUE(Validate(R"({"status":404})", 404).ok());
  EXPECT_EQ(Validate(R"({"status":"404"})", 404).message(),
            "GET /v1/things/{id} 404: $.status: expected integer, got string");
  EXPECT_THAT(Validate("{nope", 200).message(), HasSubstr("invalid JSON"));
  Status no_json = ValidateResponse(*doc_, "POST", "/v1/admin/things", 202, "{}");
  EXPECT_EQ(no_json.message(), "response 202 of POST /v1/admin/things is not JSON");
}

// ---------------------------------------------------------------- drift comparison

std::vector<RouteSpec> MatchingRoutes() {
  RouteSpec thing{.id = "T1", .pattern = "/v1/things/{id}"};
  thing.path_params = {{.name = "id", .type = ParamType::kId, .required = true}};
  thing.params = {
      {.name = "limit", .type = ParamType::kInt, .min = 1, .max = 1000, .default_int = 50}};
  for (ParamSpec& spec : WindowParams()) thing.params.push_back(spec);
  thing.params.push_back(
      {.name = "kind", .type = ParamType::kEnum, .default_text = "a", .enum_values = {"a", "b"}});
  thing.window = WindowSpec{.min_width = kHourMs};
  RouteSpec admin{.id = "T2", .pattern = "/v1/admin/things", .methods = {"POST"}, .admin = true};
  RouteSpec docs{.id = "C8", .pattern = "/docs", .group = RouteGroup::kDocs};
  return {thing, admin, docs};
}

class DriftTest : public ValidateResponseTest {};

TEST_F(DriftTest, MatchingTableHasNoDifferences) {
  EXPECT_THAT(CompareRoutesWithOpenApi(MatchingRoutes(), *doc_), IsEmpty());
}

TEST_F(DriftTest, MissingPathIsReportedBothWays) {
  std::vector<RouteSpec> routes = MatchingRoutes();
  routes.erase(routes.begin());
  routes.push_back({.id = "T3", .pattern = "/v1/other"});
  EXPECT_THAT(CompareRoutesWithOpenApi(routes, *doc_),
              ElementsAre("GET /v1/other: route (T3) has no OpenAPI operation",
                          "GET /v1/things/{id}: OpenAPI operation has no route"));
}

TEST_F(DriftTest, ChangedBoundIsReported) {
  std::vector<RouteSpec> routes = MatchingRoutes();
  routes[0].params[0].max = 200;
  EXPECT_THAT(CompareRoutesWithOpenApi(routes, *doc_),
              ElementsAre("GET /v1/things/{id}: query parameter \"limit\": maximum 200 in the "
                          "route, 1000 in the document"));
}

TEST_F(DriftTest, ParameterTypeEnumDefaultAndWindowDifferencesAreReported) {
  std::vector<RouteSpec> routes = MatchingRoutes();
  RouteSpec& thing = routes[0];
  thing.path_params[0].type = ParamType::kAddress;
  thing.params.back().enum_values = {"a", "b", "c"};
  thing.params.back().default_text = "b";
  thing.params.push_back({.name = "org", .type = ParamType::kOrg});
  thing.params.erase(thing.params.begin() + 1);  // start
  thing.window->max_width = 7 * kDayMs;
  routes[1].admin = false;
  EXPECT_THAT(
      CompareRoutesWithOpenApi(routes, *doc_),
      ElementsAre(
          "GET /v1/things/{id}: path parameter \"id\": type address in the route, id in the "
          "document",
          "GET /v1/things/{id}: query parameter \"kind\": enum [a, b, c] in the route, [a, b] in "
          "the document",
          "GET /v1/things/{id}: query parameter \"kind\": default \"b\" in the route, \"a\" in "
          "the document",
          "GET /v1/things/{id}: query parameter \"org\" is not in the document",
          "GET /v1/things/{id}: query parameter \"start\" is documented but not declared by the "
          "route",
          "GET /v1/things/{id}: window maximum 7d in the route, raw-retention in the document",
          "POST /v1/admin/things: bearer authentication not required by the route, required by "
          "the document"));
}

}  // namespace
}  // namespace naap::api
