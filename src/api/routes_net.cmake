# naap_api_routes_net: group B routes B1–B20 (spec/api.md §3.1–§3.3): NetworkRoutes(), with the
# shared reads of routes_net_util.h.
add_library(naap_api_routes_net routes_network.cc routes_net_util.cc)
target_link_libraries(naap_api_routes_net PUBLIC naap_api_route_util naap_api_core naap_api_local naap_query
  naap_views naap_publish naap_base)
naap_test(routes_network_test SOURCES routes_network_test.cc LIBS naap_api_routes_net)
