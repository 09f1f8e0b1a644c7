#include "api/api.h"

namespace naap::api {

std::vector<RouteSpec> AllRoutes(const metrics::Registry& registry) {
  std::vector<RouteSpec> all;
  for (auto part : {DashboardRoutes, StreamingAndRequestRoutes, NetworkRoutes, EconomicsRoutes}) {
    for (RouteSpec& route : part()) all.push_back(std::move(route));
  }
  for (RouteSpec& route : OperationsRoutes(registry)) all.push_back(std::move(route));
  for (RouteSpec& route : DocsRoutes()) all.push_back(std::move(route));
  return all;
}

}  // namespace naap::api
