// The documentation routes of spec/api.md §4.8 (C8–C10 and /docs/assets/{file}): every body is a
// file bundled into the binary (docs_embedded.h); nothing is read from disk or fetched elsewhere.
#include <string>
#include <string_view>
#include <utility>

#include "api/api.h"
#include "api/conventions.h"
#include "api/docs_embedded.h"

namespace naap::api {
namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'";

// The Swagger UI files served under /docs/assets/; the bundled documents and the page are not.
constexpr std::string_view kAssets[] = {
    "swagger-ui.css",
    "swagger-ui.css.map",
    "swagger-ui-bundle.js",
    "swagger-ui-bundle.js.map",
    "swagger-ui-standalone-preset.js",
    "swagger-ui-standalone-preset.js.map",
    "swagger-init.js",
    "favicon-16x16.png",
    "favicon-32x32.png",
};

// §1.2 content types of /docs/assets/* by extension.
std::string_view AssetContentType(std::string_view file) {
  static constexpr std::pair<std::string_view, std::string_view> kByExtension[] = {
      {".js", "text/javascript"},
      {".css", "text/css"},
      {".png", "image/png"},
      {".map", "application/json"},
  };
  for (const auto& [extension, type] : kByExtension) {
    if (file.size() > extension.size() && file.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

Outcome Serve(std::string_view file, std::string_view content_type) {
  std::optional<std::string_view> bytes = EmbeddedDocsFile(file);
  if (!bytes) return Internal("bundled documentation file missing: " + std::string(file));
  Reply reply{.kind = Reply::Kind::kRaw,
              .content_type = std::string(content_type),
              .body = std::string(*bytes)};
  return reply;
}

Outcome ServeAsset(const RequestContext& ctx, Backend&) {
  auto file = ctx.path_params.find("file");
  for (std::string_view asset : kAssets) {
    if (file != ctx.path_params.end() && file->second == asset) {
      return Serve(asset, AssetContentType(asset));
    }
  }
  return Problem{.status = 404, .detail = "no route for path " + EchoValue(ctx.path)};
}

RouteSpec DocsRoute(std::string id, std::string pattern, std::string summary, Handler handler) {
  return RouteSpec{.id = std::move(id),
                   .pattern = std::move(pattern),
                   .group = RouteGroup::kDocs,
                   .summary = std::move(summary),
                   .handler = std::move(handler)};
}

}  // namespace

std::vector<RouteSpec> DocsRoutes() {
  std::vector<RouteSpec> routes;
  routes.push_back(DocsRoute("C8", "/docs", "Swagger UI", [](const RequestContext&, Backend&) {
    Outcome outcome = Serve("index.html", "text/html; charset=utf-8");
    if (outcome.reply) {
      outcome.reply->headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
    }
    return outcome;
  }));
  routes.push_back(DocsRoute(
      "C9", "/docs/openapi.yaml", "OpenAPI document (YAML)",
      [](const RequestContext&, Backend&) { return Serve("openapi.yaml", "application/yaml"); }));
  routes.push_back(DocsRoute(
      "C10", "/docs/openapi.json", "OpenAPI document (JSON)",
      [](const RequestContext&, Backend&) { return Serve("openapi.json", "application/json"); }));
  RouteSpec assets = DocsRoute("C8a", "/docs/assets/{file}", "Swagger UI files", ServeAsset);
  assets.path_params = {
      {.name = "file", .type = ParamType::kId, .required = true, .description = "file name"}};
  routes.push_back(std::move(assets));
  return routes;
}

}  // namespace naap::api
