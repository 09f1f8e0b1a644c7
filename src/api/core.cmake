# naap_api_core: the router and every convention of spec/api.md §1 (api.h, route.h): parameters
# (params.h), cursors (cursor.h), pagination (pagination.h), problem JSON (problem.h), shared text
# conventions (conventions.h), rate limiting (rate_limiter.h), gzip (gzip.h) and the read cache
# (read_cache.h) backends offer to handlers and the router.
add_library(naap_api_core api.cc route.cc params.cc cursor.cc pagination.cc problem.cc
  conventions.cc rate_limiter.cc gzip.cc read_cache.cc)
target_link_libraries(naap_api_core PUBLIC naap_metrics naap_store naap_base
  PRIVATE simdjson::simdjson ZLIB::ZLIB Threads::Threads)
naap_test(api_core_test SOURCES api_test.cc api_test_units.cc
  LIBS naap_api_core naap_store ZLIB::ZLIB)
