# naap_api_routes_a: group A routes (spec/api.md §2): DashboardRoutes() A1–A7 and
# StreamingAndRequestRoutes() A8–A22, with the group A helpers of routes_a_util.h.
add_library(naap_api_routes_a routes_dashboard.cc routes_streaming_requests.cc routes_a_util.cc)
target_link_libraries(naap_api_routes_a PUBLIC naap_api_route_util naap_api_core naap_api_local
  naap_query naap_views naap_publish naap_base)
naap_test(routes_dashboard_test SOURCES routes_dashboard_test.cc routes_a_test_util.cc
  LIBS naap_api_routes_a)
naap_test(routes_streaming_requests_test SOURCES routes_streaming_requests_test.cc
  routes_a_test_util.cc LIBS naap_api_routes_a)
