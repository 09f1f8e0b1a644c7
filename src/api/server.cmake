# naap_api_server: the Boost.Beast HTTP/1.1 server in front of Api (http_server.h).
add_library(naap_api_server http_server.cc)
target_link_libraries(naap_api_server PUBLIC naap_base Boost::headers Threads::Threads)
naap_test(http_server_test SOURCES http_server_test.cc LIBS naap_api_server)
