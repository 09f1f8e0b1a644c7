# naap_api_route_util: the helpers every route group shares (route_util.h): parameters, JSON
# values, hourly queries and the memoized current-state loads.
add_library(naap_api_route_util route_util.cc)
target_link_libraries(naap_api_route_util PUBLIC naap_api_core naap_api_local naap_query
  naap_views naap_publish naap_base)
naap_test(read_cache_test SOURCES read_cache_test.cc LIBS naap_api_local)
naap_test(route_util_test SOURCES route_util_test.cc LIBS naap_api_route_util)
