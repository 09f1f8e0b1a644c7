# naap_api_routes_ops: group C operations routes (routes_operations.cc, spec/api.md §4.1–§4.7).
add_library(naap_api_routes_ops routes_operations.cc)
target_link_libraries(naap_api_routes_ops PUBLIC naap_api_route_util naap_api_core naap_api_local naap_query
  naap_metrics naap_publish naap_base PRIVATE ZLIB::ZLIB PkgConfig::ZSTD)
naap_test(routes_operations_test SOURCES routes_operations_test.cc LIBS naap_api_routes_ops PkgConfig::ZSTD)
