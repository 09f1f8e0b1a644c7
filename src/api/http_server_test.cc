#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace naap::api {
namespace {

using std::chrono::milliseconds;

// A blocking loopback client speaking raw HTTP/1.1, so the tests see exactly what is on the wire.
class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    SetReadTimeout(milliseconds(5000));
  }
  ~Client() { close(fd_); }
  bool connected() const { return connected_; }

  void SetReadTimeout(milliseconds timeout) {
    timeval tv{.tv_sec = static_cast<time_t>(timeout.count() / 1000),
               .tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  struct Response {
    int status = 0;
    std::string head;  // status line and header fields
    std::string body;
    std::string Header(std::string_view name) const {
      const std::string key = "\r\n" + std::string(name) + ": ";
      const size_t at = head.find(key);
      if (at == std::string::npos) return "";
      const size_t start = at + key.size();
      return head.substr(start, head.find("\r\n", start) - start);
    }
  };
  // Reads one response; the body by Content-Length unless `head_request`. nullopt on EOF/timeout.
  std::optional<Response> Read(bool head_request = false) {
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Response r;
    r.head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    r.status = std::stoi(r.head.substr(9, 3));
    const std::string length = r.Header("Content-Length");
    const size_t body_size = head_request || length.empty() ? 0 : std::stoul(length);
    while (pending_.size() < body_size) {
      if (!Fill()) return std::nullopt;
    }
    r.body = pending_.substr(0, body_size);
    pending_.erase(0, body_size);
    return r;
  }
  // True when the server closed the connection (EOF or reset) within the read timeout.
  bool ClosedByPeer() {
    char c;
    const ssize_t n = recv(fd_, &c, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  bool Fill() {
    char buf[65536];
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }
  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

std::string Get(std::string_view target, std::string_view extra_headers = "") {
  return "GET " + std::string(target) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra_headers) +
         "\r\n";
}

// The trivial handler: echoes what it saw; /slow sleeps 500 ms first.
HttpResponse Echo(const HttpRequest& request) {
  if (request.target == "/slow") std::this_thread::sleep_for(milliseconds(500));
  HttpResponse response;
  response.headers = {{"Content-Type", "text/plain"}};
  const std::string* agent = request.Header("x-agent");
  response.body = request.method + " " + request.target + " body=" + request.body +
                  " agent=" + (agent ? *agent : "-") + " peer=" + request.peer_ip;
  return response;
}

HttpResponse RejectPlain(const HttpRequest& partial, int status, std::string_view detail) {
  HttpResponse response;
  response.status = status;
  response.headers = {{"Content-Type", "text/plain"}};
  response.body = std::string(detail) + " [" + partial.method + "]";
  if (status == 413) response.reason = "Content Too Large";
  return response;
}

std::unique_ptr<HttpServer> StartServer(HttpServerOptions options = {}) {
  auto server = HttpServer::Start(std::move(options), Echo, RejectPlain);
  EXPECT_TRUE(server.ok()) << server.status().ToString();
  return std::move(server).value();
}

TEST(HttpServerTest, ReportsTheBoundEphemeralPort) {
  auto server = StartServer();
  EXPECT_GT(server->port(), 0);
  auto taken = HttpServer::Start({.port = server->port()}, Echo, RejectPlain);
  EXPECT_FALSE(taken.ok());
  auto bad_host = HttpServer::Start({.host = "not-an-ip"}, Echo, RejectPlain);
  EXPECT_FALSE(bad_host.ok());
}

TEST(HttpServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  auto server = StartServer();
  Client client(server->port());
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(Get("/a", "X-Agent: one\r\n") + Get("/b?x=1")));  // pipelined
  auto first = client.Read();
  auto second = client.Read();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->body, "GET /a body= agent=one peer=127.0.0.1");
  EXPECT_EQ(second->body, "GET /b?x=1 body= agent=- peer=127.0.0.1");
  EXPECT_EQ(first->Header("Connection"), "");
  EXPECT_FALSE(first->Header("Date").empty());

  ASSERT_TRUE(client.Send(Get("/c", "Connection: close\r\n")));
  auto last = client.Read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->Header("Connection"), "close");
  EXPECT_TRUE(client.ClosedByPeer());
}

TEST(HttpServerTest, HeadSendsTheGetHeadersWithoutTheBody) {
  auto server = StartServer();
  Client client(server->port());
  ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto head = client.Read(/*head_request=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "36");  // "HEAD /h body= agent=- peer=127.0.0.1"
  // No body bytes on the wire: the next response starts right away.
  ASSERT_TRUE(client.Send(Get("/next")));
  auto next = client.Read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "GET /next body= agent=- peer=127.0.0.1");
}

TEST(HttpServerTest, PostBodyIsDeliveredAndGetBodyDropped) {
  auto server = StartServer();
  Client client(server->port());
  ASSERT_TRUE(client.Send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"));
  ASSERT_TRUE(client.Send("GET /g HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nxyz"));
  ASSERT_TRUE(
      client.Send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                  "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  auto post = client.Read();
  auto get = client.Read();
  auto chunked = client.Read();
  ASSERT_TRUE(post && get && chunked);
  EXPECT_EQ(post->body, "POST /p body=hello agent=- peer=127.0.0.1");
  EXPECT_EQ(get->body, "GET /g body= agent=- peer=127.0.0.1");
  EXPECT_EQ(chunked->body, "POST /c body=abcde agent=- peer=127.0.0.1");
}

TEST(HttpServerTest, TargetOver8KiBIs414) {
  auto server = StartServer();
  for (size_t length : {8193u, 20000u}) {
    Client client(server->port());
    ASSERT_TRUE(client.Send(Get("/" + std::string(length - 1, 'a'))));
    auto r = client.Read();
    ASSERT_TRUE(r) << length;
    EXPECT_EQ(r->status, 414);
    EXPECT_EQ(r->body, "request target too long [GET]");
    EXPECT_EQ(r->Header("Connection"), "close");
    EXPECT_TRUE(client.ClosedByPeer());
  }
  Client exact(server->port());
  ASSERT_TRUE(exact.Send(Get("/" + std::string(8191, 'a'))));
  auto ok = exact.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_TRUE(ok->head.starts_with("HTTP/1.1 200 OK\r\n")) << ok->head;  // no reason given
}

TEST(HttpServerTest, HeadersOver16KiBAre431) {
  auto server = StartServer();
  Client client(server->port());
  ASSERT_TRUE(client.Send(Get("/x", "X-Big: " + std::string(17000, 'b') + "\r\n")));
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
  EXPECT_EQ(r->body, "request headers too large [GET]");

  Client fits(server->port());
  ASSERT_TRUE(fits.Send(Get("/x", "X-Big: " + std::string(15000, 'b') + "\r\n")));
  auto ok = fits.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServerTest, BodyOverTheLimitIs413) {
  auto server = StartServer({.max_body_bytes = 1 << 20});
  // By Content-Length, before any body byte is sent.
  Client declared(server->port());
  ASSERT_TRUE(declared.Send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 1048577\r\n\r\n"));
  auto r = declared.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(r->head.starts_with("HTTP/1.1 413 Content Too Large\r\n")) << r->head;
  EXPECT_EQ(r->body, "request body exceeds 1 MiB [POST]");
  // A chunked body found too long while reading.
  Client chunked(server->port());
  std::string chunk(1 << 19, 'c');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  std::string request = "POST /p HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) request += size_line + chunk + "\r\n";
  request += "0\r\n\r\n";
  ASSERT_TRUE(chunked.Send(request));
  auto c = chunked.Read();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->status, 413);
  // Exactly at the limit is accepted.
  Client exact(server->port());
  ASSERT_TRUE(exact.Send("POST /p HTTP/1.1\r\nHost: t\r\nContent-Length: 1048576\r\n\r\n" +
                         std::string(1 << 20, 'x')));
  auto ok = exact.Read();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_TRUE(ok->head.starts_with("HTTP/1.1 200 OK\r\n")) << ok->head;  // no reason given
}

TEST(HttpServerTest, MalformedRequestIs400) {
  auto server = StartServer();
  Client client(server->port());
  ASSERT_TRUE(client.Send("GET /x HTTP/1.1\r\nBad Header\r\n\r\n"));
  auto r = client.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->body, "malformed HTTP request [GET]");
}

TEST(HttpServerTest, ConcurrentClientsAreAllServed) {
  auto server = StartServer({.threads = 3});
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 12; ++c) {
    clients.emplace_back([&, c] {
      Client client(server->port());
      for (int i = 0; i < 25; ++i) {
        const std::string target = "/c" + std::to_string(c) + "/" + std::to_string(i);
        if (!client.Send(Get(target))) return;
        auto r = client.Read();
        if (r && r->status == 200 && r->body == "GET " + target + " body= agent=- peer=127.0.0.1") {
          ++ok;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 12 * 25);
}

TEST(HttpServerTest, IdleAndHeaderTimeoutsCloseTheConnection) {
  auto server =
      StartServer({.header_timeout = milliseconds(300), .idle_timeout = milliseconds(300)});
  Client idle(server->port());
  ASSERT_TRUE(idle.Send(Get("/a")));
  ASSERT_TRUE(idle.Read());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(idle.ClosedByPeer());
  EXPECT_GE(std::chrono::steady_clock::now() - start, milliseconds(250));

  Client slow(server->port());
  ASSERT_TRUE(slow.Send("GET /a HTTP/1.1\r\nHost"));
  EXPECT_TRUE(slow.ClosedByPeer());
}

TEST(HttpServerTest, StopsAcceptingBeyondTheConnectionCap) {
  auto server = StartServer({.threads = 2, .max_connections = 1});
  auto first = std::make_unique<Client>(server->port());
  ASSERT_TRUE(first->Send(Get("/first")));
  ASSERT_TRUE(first->Read());
  // The kernel completes the handshake, but the server does not accept the second client while
  // the first is open.
  Client second(server->port());
  ASSERT_TRUE(second.Send(Get("/second")));
  second.SetReadTimeout(milliseconds(400));
  EXPECT_FALSE(second.Read());
  first.reset();
  second.SetReadTimeout(milliseconds(5000));
  auto r = second.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body, "GET /second body= agent=- peer=127.0.0.1");
}

TEST(HttpServerTest, StopLetsTheInFlightRequestFinishThenCloses) {
  auto server = StartServer({.threads = 2});
  const uint16_t port = server->port();
  Client idle(port);
  ASSERT_TRUE(idle.Send(Get("/warm")));
  ASSERT_TRUE(idle.Read());
  Client busy(port);
  ASSERT_TRUE(busy.Send(Get("/slow")));
  std::this_thread::sleep_for(milliseconds(100));  // the handler is running
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  const auto stop_took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(stop_took, milliseconds(300));  // waited for the slow handler
  EXPECT_LT(stop_took, milliseconds(5000));
  auto r = busy.Read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "GET /slow body= agent=- peer=127.0.0.1");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_TRUE(busy.ClosedByPeer());
  EXPECT_TRUE(idle.ClosedByPeer());
  Client late(port);
  EXPECT_FALSE(late.connected());
  server->Stop();  // idempotent
}

TEST(HttpServerTest, StopIsBoundedByTheGracePeriod) {
  auto server = StartServer({.stop_grace = milliseconds(100)});
  Client busy(server->port());
  ASSERT_TRUE(busy.Send(Get("/slow")));
  std::this_thread::sleep_for(milliseconds(50));
  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  // The grace period ends before the handler; Stop then waits only for the pool thread that is
  // inside the handler.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1000));
}

}  // namespace
}  // namespace naap::api
