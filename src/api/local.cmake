# naap_api_local: LocalBackend (local_backend.h); StartRebuild lives in local_backend_rebuild.cc.
# The ReadCache it owns is part of naap_api_core (the router memoizes hourly list rows in it).
add_library(naap_api_local local_backend.cc local_backend_rebuild.cc)
target_link_libraries(naap_api_local PUBLIC naap_api_core naap_analytics naap_views naap_ingest
  naap_store naap_base Threads::Threads)
naap_test(local_backend_test SOURCES local_backend_test.cc LIBS naap_api_local naap_sim)
