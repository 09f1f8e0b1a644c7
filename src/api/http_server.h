#pragma once
// HttpServer: HTTP/1.1 over TCP (Boost.Beast/Asio) in front of a request handler (Api::Handle in
// production). A fixed pool of `threads` runs every connection; the handler is called on a pool
// thread, so it must be thread-safe, and a slow handler holds its thread.
//
// Per connection: keep-alive (HTTP/1.1 default, `Connection: close` honoured); the request line
// and headers must arrive within header_timeout and an idle keep-alive connection closes after
// idle_timeout (both by closing the connection without an answer). Requests the server refuses
// before they are complete go to the rejecter with the parsed part (then the connection closes):
// target > max_target_bytes → 414 "request target too long"; request line + headers >
// max_header_bytes → 431 "request headers too large"; a body over max_body_bytes (Content-Length
// checked before reading) → 413 "request body exceeds <n> MiB"; malformed HTTP → 400. The
// rejecter's response is sent as it is (Api::Reject answers a 413 with 404, 405 or 401 first when
// they apply). Bodies of GET and HEAD are read and dropped. HEAD responses carry the headers (and
// Content-Length) of the handler's response without its body. A response's `reason`, when set,
// is the status line's reason phrase.
//
// Back-pressure: at most max_connections are open; beyond it the server stops accepting (the
// kernel backlog holds new clients) until one closes. Stop() stops accepting, closes idle
// connections, lets in-flight requests finish and answer (with `Connection: close`) for at most
// stop_grace, then closes everything and joins the pool.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/http.h"
#include "base/status.h"

namespace naap::api {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;  // 0: an ephemeral port, see HttpServer::port()
  int threads = 4;
  int max_connections = 1024;
  size_t max_target_bytes = 8 << 10;
  size_t max_header_bytes = 16 << 10;  // request line + header fields
  int64_t max_body_bytes = 64ll << 20;
  std::chrono::milliseconds header_timeout{15'000};
  std::chrono::milliseconds idle_timeout{60'000};
  std::chrono::milliseconds body_timeout{120'000};
  std::chrono::milliseconds stop_grace{10'000};
};

using RequestHandler = std::function<HttpResponse(const HttpRequest&)>;
// Builds the response to a request refused before it was complete (Api::Reject).
using RequestRejecter =
    std::function<HttpResponse(const HttpRequest& partial, int status, std::string_view detail)>;

class HttpServer {
 public:
  // Binds and listens (the port is known when this returns) and starts the pool.
  static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                   RequestHandler handler,
                                                   RequestRejecter rejecter);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;  // the bound port
  // Graceful shutdown (see above); idempotent, thread-safe, returns when the pool has exited.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace naap::api
