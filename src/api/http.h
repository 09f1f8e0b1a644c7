#pragma once
// Plain HTTP request/response values passed between the network server (http_server.h, Boost.Beast)
// and the API pipeline (api.h). Nothing here knows about sockets, so the whole API can be
// exercised in-process as well as over loopback.
#include <string>
#include <utility>
#include <vector>

namespace naap::api {

struct HttpRequest {
  std::string method;  // as sent, e.g. "GET"
  std::string target;  // raw request target: path plus optional "?query"
  // Header fields in arrival order; names lower-cased, values as sent.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string peer_ip;  // socket peer address, textual ("127.0.0.1", "::1")

  // The first value of header `lower_name`, or nullptr.
  const std::string* Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return &value;
    }
    return nullptr;
  }
};

struct HttpResponse {
  int status = 200;
  // Header fields in the order they are sent; names in canonical case ("Content-Type").
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // empty for HEAD, 204 and 304
  std::string reason;  // the status line's reason phrase; "" for the server's standard one
  bool close_connection = false;

  const std::string* Header(std::string_view name) const;  // case-insensitive lookup
  void SetHeader(std::string name, std::string value);     // replaces an existing field
};

}  // namespace naap::api
