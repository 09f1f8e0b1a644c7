#include "api/http_server.h"

#include <strings.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace naap::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using boost::system::error_code;

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);
// After a refusal the server stops reading requests but drains what the client is still
// sending for a moment, so closing does not reset the connection before the client reads the
// error response.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1 << 20;

struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::string peer_ip;
  bool busy = false;  // a request is being handled or answered; touched on the stream's strand
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

const std::string* FindHeader(const HttpResponse& response, std::string_view name) {
  for (const auto& [field, value] : response.headers) {
    if (EqualsIgnoreCase(field, name)) return &value;
  }
  return nullptr;
}

std::string HttpDate() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::string PeerIp(const tcp::socket& socket) {
  error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return "";
  asio::ip::address address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  return address.to_string();
}

// The parts of a request whose header could not be parsed, from the raw bytes received: method
// and target of the request line (the target cut at `max_target` bytes). `target_too_long` tells
// whether the target is longer than `max_target`.
HttpRequest PartialFromBytes(std::string_view raw, size_t max_target, bool& target_too_long) {
  HttpRequest partial;
  const size_t line_end = std::min(raw.find("\r\n"), raw.size());
  const std::string_view line = raw.substr(0, line_end);
  const size_t space = line.find(' ');
  partial.method = std::string(line.substr(0, std::min(space, line.size())));
  std::string_view target;
  if (space != std::string_view::npos) {
    target = line.substr(space + 1);
    target = target.substr(0, std::min(target.find(' '), target.size()));
  }
  target_too_long = target.size() > max_target;
  partial.target = std::string(target.substr(0, max_target));
  return partial;
}

HttpRequest FromParsed(const http::request<http::string_body>& parsed) {
  HttpRequest request;
  request.method = std::string(parsed.method_string());
  request.target = std::string(parsed.target());
  for (const auto& field : parsed) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return request;
}

// The wire form of `response` to a request with `method`; `keep_alive` false adds
// `Connection: close`.
http::response<http::string_body> ToWire(HttpResponse response, std::string_view method,
                                         bool keep_alive) {
  http::response<http::string_body> wire;
  wire.version(11);
  wire.result(static_cast<unsigned>(response.status));
  if (!response.reason.empty()) wire.reason(response.reason);
  bool has_date = false;
  for (auto& [name, value] : response.headers) {
    if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Connection")) continue;
    has_date = has_date || EqualsIgnoreCase(name, "Date");
    wire.insert(name, value);
  }
  if (!has_date) wire.set(http::field::date, HttpDate());
  const bool bodiless = response.status == 204 || response.status == 304 || response.status < 200;
  if (!bodiless) {
    const std::string* declared = FindHeader(response, "Content-Length");
    if (method == "HEAD") {
      // The GET headers: the handler's declared length, else that of the body it built.
      wire.set(http::field::content_length,
               declared != nullptr ? *declared : std::to_string(response.body.size()));
    } else {
      wire.content_length(response.body.size());
      wire.body() = std::move(response.body);
    }
  }
  wire.keep_alive(keep_alive);
  return wire;
}

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerOptions opts, RequestHandler h, RequestRejecter r)
      : options(std::move(opts)),
        handler(std::move(h)),
        rejecter(std::move(r)),
        io(options.threads),
        accept_strand(asio::make_strand(io)),
        acceptor(accept_strand),
        slot_freed(accept_strand) {}

  const HttpServerOptions options;
  const RequestHandler handler;
  const RequestRejecter rejecter;
  std::atomic<bool> stopping{false};

  // Open connections; guarded by mu (declared before the io objects, which may release
  // connections while they are destroyed).
  std::mutex mu;
  std::condition_variable all_closed;
  std::map<uint64_t, std::weak_ptr<Connection>> connections;
  uint64_t next_connection_id = 0;
  bool stopped = false;
  bool pool_exited = false;  // no more handlers run: connections no longer notify the acceptor
  uint16_t bound_port = 0;

  asio::io_context io;
  asio::strand<asio::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  asio::steady_timer slot_freed;  // cancelled whenever a connection closes
  std::vector<std::thread> pool;

  size_t OpenConnections() {
    std::lock_guard lock(mu);
    return connections.size();
  }

  // What is known of a request whose header the parser refused: the parsed request line and
  // fields, or (when the request line itself was refused) the raw bytes of the request line.
  HttpRequest PartialRequest(const http::request_parser<http::string_body>& parser,
                             const beast::flat_buffer& buffer, bool& target_too_long) const {
    if (parser.get().method_string().empty()) {
      const auto* raw = static_cast<const char*>(buffer.data().data());
      return PartialFromBytes(std::string_view(raw, buffer.size()), options.max_target_bytes,
                              target_too_long);
    }
    HttpRequest partial = FromParsed(parser.get());
    target_too_long = partial.target.size() > options.max_target_bytes;
    if (target_too_long) partial.target.resize(options.max_target_bytes);
    return partial;
  }
  asio::awaitable<void> AcceptLoop();
  asio::awaitable<void> Serve(uint64_t id, std::shared_ptr<Connection> conn);
  // Handles one request whose header is already read; false when the connection must close.
  asio::awaitable<bool> ServeOne(Connection& conn, http::request_parser<http::string_body>& parser);
  asio::awaitable<void> Refuse(Connection& conn, const HttpRequest& partial, int status,
                               std::string_view detail);
  void Release(uint64_t id);
};

asio::awaitable<void> HttpServer::Impl::AcceptLoop() {
  while (!stopping) {
    if (OpenConnections() >= static_cast<size_t>(options.max_connections)) {
      // Back-pressure: wait until a connection closes (or a short re-check interval passes).
      slot_freed.expires_after(std::chrono::milliseconds(100));
      co_await slot_freed.async_wait(kUseTuple);
      continue;
    }
    tcp::socket socket(asio::make_strand(io));
    auto [ec] = co_await acceptor.async_accept(socket, kUseTuple);
    if (stopping || !acceptor.is_open()) co_return;
    if (ec) {
      // Out of descriptors or a client that went away before accept: retry shortly.
      slot_freed.expires_after(std::chrono::milliseconds(50));
      co_await slot_freed.async_wait(kUseTuple);
      continue;
    }
    auto conn = std::make_shared<Connection>(std::move(socket));
    conn->peer_ip = PeerIp(conn->stream.socket());
    uint64_t id;
    {
      std::lock_guard lock(mu);
      id = next_connection_id++;
      connections.emplace(id, conn);
    }
    auto executor = conn->stream.get_executor();
    asio::co_spawn(executor, Serve(id, std::move(conn)), asio::detached);
  }
}

void HttpServer::Impl::Release(uint64_t id) {
  bool notify_acceptor;
  {
    std::lock_guard lock(mu);
    connections.erase(id);
    notify_acceptor = !pool_exited;
  }
  all_closed.notify_all();
  if (notify_acceptor) asio::post(accept_strand, [this] { slot_freed.cancel(); });
}

asio::awaitable<void> HttpServer::Impl::Serve(uint64_t id, std::shared_ptr<Connection> conn) {
  struct Releaser {
    Impl* impl;
    uint64_t id;
    ~Releaser() { impl->Release(id); }
  } releaser{this, id};
  try {
    bool first = true;
    while (!stopping) {
      // A new connection has header_timeout for its whole first header; a kept-alive one may
      // idle for idle_timeout before the next request starts.
      Clock::time_point deadline = Clock::now() + options.header_timeout;
      if (conn->buffer.size() == 0) {
        conn->stream.expires_at(first ? deadline : Clock::now() + options.idle_timeout);
        auto [ec, n] = co_await conn->stream.async_read_some(conn->buffer.prepare(4096), kUseTuple);
        if (ec) break;  // idle timeout, closed by the client, or Stop(): close silently
        conn->buffer.commit(n);
        if (!first) deadline = Clock::now() + options.header_timeout;
      }
      first = false;

      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
      parser.body_limit(boost::none);  // checked below, once the method is known
      conn->stream.expires_at(deadline);
      auto [ec, n] =
          co_await http::async_read_header(conn->stream, conn->buffer, parser, kUseTuple);
      if (ec) {
        // Only a request the parser refused gets an answer; a timeout (the stream has closed
        // the socket), a client that went away or Stop() closes silently.
        const bool refused =
            ec.category() == http::make_error_code(http::error::bad_target).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message;
        if (refused) {
          bool target_too_long = false;
          HttpRequest partial = PartialRequest(parser, conn->buffer, target_too_long);
          partial.peer_ip = conn->peer_ip;
          if (ec != http::error::header_limit) {
            co_await Refuse(*conn, partial, 400, "malformed HTTP request");
          } else if (target_too_long) {
            co_await Refuse(*conn, partial, 414, "request target too long");
          } else {
            co_await Refuse(*conn, partial, 431, "request headers too large");
          }
        }
        break;
      }
      if (!co_await ServeOne(*conn, parser)) break;
    }
  } catch (...) {
    // A failed socket operation: the connection closes below.
  }
  error_code ignored;
  conn->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  conn->stream.close();
}

asio::awaitable<bool> HttpServer::Impl::ServeOne(Connection& conn,
                                                 http::request_parser<http::string_body>& parser) {
  conn.busy = true;
  struct NotBusy {
    Connection& conn;
    ~NotBusy() { conn.busy = false; }
  } not_busy{conn};

  HttpRequest request = FromParsed(parser.get());
  request.peer_ip = conn.peer_ip;
  if (request.target.size() > options.max_target_bytes) {
    request.target.resize(options.max_target_bytes);
    co_await Refuse(conn, request, 414, "request target too long");
    co_return false;
  }
  const std::string body_limit_detail =
      "request body exceeds " + std::to_string(options.max_body_bytes >> 20) + " MiB";
  if (const auto length = parser.content_length();
      length && *length > static_cast<uint64_t>(options.max_body_bytes)) {
    co_await Refuse(conn, request, 413, body_limit_detail);
    co_return false;
  }
  if (!parser.is_done()) {
    parser.body_limit(static_cast<uint64_t>(options.max_body_bytes));
    const auto& expect = parser.get()[http::field::expect];
    if (EqualsIgnoreCase(expect, "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      conn.stream.expires_after(options.body_timeout);
      auto [ec, n] = co_await asio::async_write(conn.stream, asio::buffer(kContinue), kUseTuple);
      if (ec) co_return false;
    }
    conn.stream.expires_after(options.body_timeout);
    auto [ec, n] = co_await http::async_read(conn.stream, conn.buffer, parser, kUseTuple);
    if (ec == http::error::body_limit) {
      co_await Refuse(conn, request, 413, body_limit_detail);
      co_return false;
    }
    if (ec) co_return false;
  }
  if (request.method != "GET" && request.method != "HEAD") {
    request.body = std::move(parser.get().body());
  }

  HttpResponse response;
  try {
    response = handler(request);
  } catch (...) {
    response = rejecter(request, 500, "internal error");
  }
  const bool keep_alive = parser.get().keep_alive() && !response.close_connection && !stopping;
  auto wire = ToWire(std::move(response), request.method, keep_alive);
  conn.stream.expires_after(options.body_timeout);
  auto [ec, n] = co_await http::async_write(conn.stream, wire, kUseTuple);
  co_return !ec && keep_alive;
}

asio::awaitable<void> HttpServer::Impl::Refuse(Connection& conn, const HttpRequest& partial,
                                               int status, std::string_view detail) {
  HttpResponse response;
  try {
    response = rejecter(partial, status, detail);
  } catch (...) {
    response.status = status;
  }
  auto wire = ToWire(std::move(response), partial.method, /*keep_alive=*/false);
  conn.stream.expires_after(options.header_timeout);
  auto [ec, n] = co_await http::async_write(conn.stream, wire, kUseTuple);
  if (ec) co_return;
  error_code ignored;
  conn.stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn.stream.expires_after(kLingerTime);
  size_t drained = 0;
  std::vector<char> scratch(1 << 16);
  while (drained < kLingerBytes) {
    auto [read_ec, read] = co_await conn.stream.async_read_some(asio::buffer(scratch), kUseTuple);
    if (read_ec) break;
    drained += read;
  }
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                      RequestHandler handler,
                                                      RequestRejecter rejecter) {
  if (options.threads < 1 || options.max_connections < 1) {
    return InvalidArgument("http server: threads and max_connections must be at least 1");
  }
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler), std::move(rejecter));
  const HttpServerOptions& opt = impl->options;
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(opt.host, ec);
  if (ec) return InvalidArgument("invalid listen host \"" + opt.host + "\"");
  const tcp::endpoint endpoint(address, opt.port);
  const std::string where = opt.host + ":" + std::to_string(opt.port);
  if (impl->acceptor.open(endpoint.protocol(), ec);
      ec || (impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec), ec) ||
      (impl->acceptor.bind(endpoint, ec), ec) ||
      (impl->acceptor.listen(asio::socket_base::max_listen_connections, ec), ec)) {
    return IoError("cannot listen on " + where + ": " + ec.message());
  }
  Impl* raw = impl.get();
  raw->bound_port = raw->acceptor.local_endpoint(ec).port();
  asio::co_spawn(raw->accept_strand, raw->AcceptLoop(), asio::detached);
  for (int i = 0; i < opt.threads; ++i) raw->pool.emplace_back([raw] { raw->io.run(); });
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Stop() {
  Impl& impl = *impl_;
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(impl.mu);
    if (impl.stopped) return;
    impl.stopped = true;
    impl.stopping = true;
    for (auto& [id, weak] : impl.connections) {
      if (auto conn = weak.lock()) open.push_back(std::move(conn));
    }
  }
  asio::post(impl.accept_strand, [&impl] {
    error_code ignored;
    impl.acceptor.close(ignored);
    impl.slot_freed.cancel();
  });
  // Idle connections close now; busy ones close after answering (stopping forces
  // `Connection: close`).
  for (auto& conn : open) {
    asio::post(conn->stream.get_executor(), [conn] {
      if (!conn->busy) conn->stream.cancel();
    });
  }
  open.clear();
  {
    std::unique_lock lock(impl.mu);
    impl.all_closed.wait_for(lock, impl.options.stop_grace,
                             [&impl] { return impl.connections.empty(); });
  }
  impl.io.stop();
  for (std::thread& thread : impl.pool) thread.join();
  impl.pool.clear();
  std::lock_guard lock(impl.mu);
  impl.pool_exited = true;
}

}  // namespace naap::api
