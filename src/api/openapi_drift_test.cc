// The drift test of spec/api.md §1.14: the router's route table (AllRoutes()) and the bundled
// OpenAPI document must agree in both directions, and the comparison must notice a deliberately
// altered copy of either.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "api/api.h"
#include "api/docs_embedded.h"
#include "api/openapi_schema.h"
#include "metrics/registry.h"

namespace naap::api {
namespace {

using ::testing::Contains;
using ::testing::IsEmpty;

// /metrics needs a registry; the route table does not depend on its contents.
const metrics::Registry& Registry() {
  static const metrics::Registry registry;
  return registry;
}

OpenApi Bundled() {
  Result<OpenApi> doc = LoadBundledOpenApi();
  EXPECT_TRUE(doc.ok()) << doc.status().message();
  return std::move(doc.value());
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += "\n  " + line;
  return out;
}

TEST(OpenApiDriftTest, RouteTableAndDocumentAgree) {
  const std::vector<std::string> drift = CompareRoutesWithOpenApi(AllRoutes(Registry()), Bundled());
  EXPECT_THAT(drift, IsEmpty()) << drift.size() << " differences:" << Lines(drift);
}

TEST(OpenApiDriftTest, RouteWithoutOperationIsReported) {
  // Rename one documented path in the document: its route loses its operation, and the renamed
  // operation has no route.
  std::string json(EmbeddedDocsFile("openapi.json").value());
  const std::string from = "\"/v1/net/summary\":", to = "\"/v1/net/summary-renamed\":";
  const size_t at = json.find(from);
  ASSERT_NE(at, std::string::npos);
  json.replace(at, from.size(), to);
  Result<OpenApi> altered = OpenApi::Parse(json);
  ASSERT_TRUE(altered.ok());
  std::vector<RouteSpec> routes = AllRoutes(Registry());
  routes.push_back({.id = "B1", .pattern = "/v1/net/summary"});
  const std::vector<std::string> drift = CompareRoutesWithOpenApi(routes, altered.value());
  EXPECT_THAT(drift, Contains("GET /v1/net/summary: route (B1) has no OpenAPI operation"));
  EXPECT_THAT(drift, Contains("GET /v1/net/summary-renamed: OpenAPI operation has no route"));
}

TEST(OpenApiDriftTest, DroppedRouteIsReported) {
  std::vector<RouteSpec> routes = AllRoutes(Registry());
  auto documented = std::find_if(routes.begin(), routes.end(), [](const RouteSpec& route) {
    return route.group != RouteGroup::kDocs;
  });
  ASSERT_NE(documented, routes.end()) << "no route table yet";
  const std::string key = documented->methods.front() + " " + documented->pattern;
  routes.erase(documented);
  EXPECT_THAT(CompareRoutesWithOpenApi(routes, Bundled()),
              Contains(key + ": OpenAPI operation has no route"));
}

TEST(OpenApiDriftTest, ChangedBoundIsReported) {
  // Alter an integer bound of a route that currently agrees with the document.
  std::vector<RouteSpec> routes = AllRoutes(Registry());
  const std::vector<std::string> before = CompareRoutesWithOpenApi(routes, Bundled());
  ParamSpec* bounded = nullptr;
  std::string key;
  for (RouteSpec& route : routes) {
    const std::string route_key = route.methods.front() + " " + route.pattern;
    const bool agrees = std::none_of(before.begin(), before.end(), [&](const std::string& line) {
      return line.starts_with(route_key + ":");
    });
    for (ParamSpec& spec : route.params) {
      if (!bounded && agrees && spec.type == ParamType::kInt && route.group != RouteGroup::kDocs) {
        bounded = &spec;
        key = route_key;
      }
    }
  }
  ASSERT_NE(bounded, nullptr) << "no agreeing route with an integer parameter yet";
  bounded->max += 1;
  const std::vector<std::string> after = CompareRoutesWithOpenApi(routes, Bundled());
  EXPECT_EQ(after.size(), before.size() + 1) << Lines(after);
  EXPECT_THAT(after, Contains(key + ": query parameter \"" + bounded->name + "\": maximum " +
                              std::to_string(bounded->max) + " in the route, " +
                              std::to_string(bounded->max - 1) + " in the document"));
}

}  // namespace
}  // namespace naap::api
