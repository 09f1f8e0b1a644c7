#pragma once
// Api: the whole of spec/api.md §1 around the route handlers. Handle() takes one HTTP request and
// returns its response: rate limiting (§1.11), routing with 404/405 (§1.1), admin authentication
// (§1.15), parameter validation in the §1.5.3 order, window resolution (§1.5.4), cursors and
// pagination (§1.6), envelopes with meta (§2–§4), problem JSON (§1.4), request ids (§1.9), CORS
// (§1.10), gzip, ETag/304 and Cache-Control (§1.12), the data-clock header (§1.17), and the HTTP
// metrics of §1.13. Thread-safe: the server calls Handle() from its worker threads.
#include <memory>
#include <string_view>
#include <vector>

#include "api/backend.h"
#include "api/http.h"
#include "api/route.h"

namespace naap::metrics {
class Registry;
}

namespace naap::api {

class Api {
 public:
  // `routes` is the complete route table (AllRoutes() in production); `registry` receives the
  // http_* metrics and must outlive the Api.
  Api(std::vector<RouteSpec> routes, Backend& backend, metrics::Registry& registry);
  ~Api();  // waits for handlers still running past the query timeout

  HttpResponse Handle(const HttpRequest& request);
  // A problem response for a request the server refused before it was complete (414, 431, 413
  // by Content-Length, 408): request id, problem JSON, no-store, counted under the route its path
  // matches ("unmatched" when none). A 413 is answered only after the rate limit, routing (404,
  // 405) and admin authentication, which answer first as for any request (§1.5.3).
  HttpResponse Reject(const HttpRequest& partial, int status, std::string_view detail);

  const std::vector<RouteSpec>& routes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Route tables per group (routes_*.cc); AllRoutes() concatenates them.
std::vector<RouteSpec> DashboardRoutes();   // A1–A7
std::vector<RouteSpec> StreamingAndRequestRoutes();  // A8–A22
std::vector<RouteSpec> NetworkRoutes();     // B1–B20
std::vector<RouteSpec> EconomicsRoutes();   // B21–B45
// C1–C7; /metrics (C7) renders `registry`, which must outlive the routes.
std::vector<RouteSpec> OperationsRoutes(const metrics::Registry& registry);
std::vector<RouteSpec> DocsRoutes();        // C8–C10 and /docs/assets/{file}
// Every route; /metrics renders `registry`.
std::vector<RouteSpec> AllRoutes(const metrics::Registry& registry);

}  // namespace naap::api
