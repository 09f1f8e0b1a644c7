# naap_api_routes_econ: group B routes B21–B45 (spec/api.md §3.4–§3.8): EconomicsRoutes(), with
# the shared helpers of routes_econ_util.h.
add_library(naap_api_routes_econ routes_economics.cc routes_econ_util.cc)
target_link_libraries(naap_api_routes_econ PUBLIC naap_api_route_util naap_api_core naap_api_local naap_query
  naap_views naap_publish naap_base)
naap_test(routes_economics_test SOURCES routes_economics_test.cc ../event/test_util.cc
  LIBS naap_api_routes_econ)
