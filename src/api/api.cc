#include "api/api.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <future>
#include <iostream>
#include <random>

#include "api/conventions.h"
#include "api/cursor.h"
#include "api/gzip.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/problem.h"
#include "api/rate_limiter.h"
#include "api/read_cache.h"
#include "base/json_writer.h"
#include "base/memory.h"
#include "base/strings.h"
#include "base/task_pool.h"
#include "metrics/registry.h"

namespace naap::api {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr size_t kMinGzipBytes = 1024;
// Handler threads kept waiting between requests: more than the HTTP server's default pool, so a
// steady load starts no thread.
constexpr int kIdleHandlerThreads = 16;
// A handler thread hands freed memory back when it runs out of work and every so often while it
// waits, at most this often: a read of old hours thaws facts on it, and LocalBackend's maintainer
// frees them on another thread (base/memory.h).
constexpr std::chrono::seconds kReleaseMemoryEvery{10};
const std::vector<double> kDurationBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                              0.5,   1,    2.5,   5,    10};

// One pattern of the table, split into segments; several RouteSpecs may share it (by method).
struct CompiledRoute {
  std::string pattern;
  std::vector<std::string> segments;  // "{name}" for parameters
  std::vector<bool> is_param;
  std::vector<std::string> param_names;
  std::vector<const RouteSpec*> specs;
  bool admin = false;
  std::string allow;  // "GET, HEAD, OPTIONS"
};

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path == "/") return segments;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    std::string_view("._:/@+=-").find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return Hex16(generator()) + Hex16(generator());
}

std::string RequestIdOf(const HttpRequest& request) {
  const std::string* given = request.Header("x-request-id");
  return given && IsValidRequestId(*given) ? *given : NewRequestId();
}

std::string_view MetricMethod(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    if (method == known) return known;
  }
  return "OTHER";
}

// Time independent of where the strings differ; depends only on the length of `secret`.
bool ConstantTimeEquals(std::string_view given, std::string_view secret) {
  unsigned diff = given.size() != secret.size();
  for (size_t i = 0; i < secret.size(); ++i) {
    diff |= static_cast<unsigned char>(i < given.size() ? given[i] : 0) ^
            static_cast<unsigned char>(secret[i]);
  }
  return diff == 0;
}

// Weak comparison of If-None-Match (a list of tags, or `*`) against `etag`.
bool MatchesIfNoneMatch(std::string_view header, std::string_view etag) {
  const std::string_view opaque = etag.substr(2);  // etag is W/"…"
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = TrimView(header.substr(0, comma));
    header = comma == std::string_view::npos ? "" : header.substr(comma + 1);
    if (tag == "*") return true;
    if (StartsWith(tag, "W/")) tag.remove_prefix(2);
    if (tag == opaque) return true;
  }
  return false;
}

std::string MetaJson(std::string_view generated_at, std::string_view request_id,
                     const std::optional<Window>& window, const std::optional<Millis>& data_clock) {
  JsonWriter w;
  w.BeginObject().Key("generated_at").String(generated_at).Key("request_id").String(request_id);
  w.Key("window");
  if (window) {
    w.BeginObject()
        .Key("start")
        .String(FormatRfc3339Ms(window->start))
        .Key("end")
        .String(FormatRfc3339Ms(window->end))
        .EndObject();
  } else {
    w.Null();
  }
  w.Key("data_clock");
  if (data_clock) {
    w.String(FormatRfc3339Ms(*data_clock));
  } else {
    w.Null();
  }
  w.EndObject();
  return w.Take();
}

// A JSON success body: `head` + meta + `tail`. Bare bodies have no meta (empty head, no meta).
struct JsonBody {
  std::string head, tail;
  bool has_meta = true;
};

}  // namespace

struct Api::Impl {
  Impl(std::vector<RouteSpec> route_table, Backend& backend_ref, metrics::Registry& registry_ref);

  // The state of one exchange, filled as the request is processed.
  struct Exchange {
    const HttpRequest& request;
    std::string request_id;
    std::string_view path, query;
    const CompiledRoute* route = nullptr;
    std::vector<std::string> path_values;
    const RouteSpec* spec = nullptr;
    bool compressible = false;  // the response's content type may be gzipped (Vary is sent)
    SteadyClock::time_point started = SteadyClock::now();
  };

  HttpResponse Serve(Exchange& x);
  // Sets x.path and x.query from the target, then x.route and x.path_values (Match).
  void Route(Exchange& x) const;
  void Match(Exchange& x) const;
  // What comes before any parameter (§1.5.3) on a routed exchange: the rate limit, 404, OPTIONS,
  // 405 and admin authentication. Sets x.spec; the response when one of them answers.
  std::optional<HttpResponse> Admit(Exchange& x);
  std::optional<HttpResponse> Authenticate(Exchange& x) const;
  HttpResponse Options(Exchange& x) const;
  // nullopt: the handler did not finish within the query timeout.
  std::optional<Outcome> Run(const RouteSpec& spec, RequestContext& ctx);
  Outcome Execute(const RouteSpec& spec, RequestContext& ctx);
  static bool IsHourGrained(const RouteSpec& spec);
  Outcome HourGrainedReply(const RouteSpec& spec, const RequestContext& ctx);
  HttpResponse Respond(Exchange& x, RequestContext& ctx, const std::string& query_hash,
                       Outcome outcome);
  Result<JsonBody> SuccessBody(const RouteSpec& spec, const RequestContext& ctx,
                               const std::string& query_hash, const Reply& reply) const;
  HttpResponse ProblemResponse(Exchange& x, int status, std::string_view detail,
                               const std::vector<std::pair<std::string, std::string>>& headers = {},
                               std::string_view extension_json = "") const;
  void Finish(Exchange& x, HttpResponse& response);

  // A/B routes and /v1/quality: ETag, public caching and the data-clock header.
  static bool IsDataRoute(const RouteSpec& spec) {
    return spec.group == RouteGroup::kA || spec.group == RouteGroup::kB ||
           spec.pattern == "/v1/quality";
  }

  std::vector<RouteSpec> routes;
  std::vector<CompiledRoute> compiled;
  Backend& backend;
  const ApiConfig& config;
  metrics::Registry& registry;
  metrics::Gauge& in_flight;
  RateLimiter limiter;
  // Runs handlers under the query timeout. Declared last: destroyed first, it waits for handlers
  // still running past their deadline, which use the members above.
  TaskPool handlers{kIdleHandlerThreads, [] { ReleaseFreedMemory(kReleaseMemoryEvery); },
                    kReleaseMemoryEvery};
};

namespace {

std::vector<Cidr> TrustedProxies(const ApiConfig& config) {
  std::vector<Cidr> cidrs;
  for (const std::string& text : config.trusted_proxies) {
    Result<Cidr> cidr = ParseCidr(text);
    if (cidr.ok()) {
      cidrs.push_back(cidr.value());
    } else {
      std::cerr << "naap api: ignoring trusted proxy: " << cidr.status().message() << "\n";
    }
  }
  return cidrs;
}

std::string AllowList(const std::vector<const RouteSpec*>& specs) {
  std::vector<std::string> methods;
  const auto add = [&](const std::string& method) {
    if (std::find(methods.begin(), methods.end(), method) == methods.end())
      methods.push_back(method);
  };
  for (const RouteSpec* spec : specs) {
    for (const std::string& method : spec->methods) {
      add(method);
      if (method == "GET") add("HEAD");
    }
  }
  add("OPTIONS");
  std::string allow;
  for (const std::string& method : methods) allow += (allow.empty() ? "" : ", ") + method;
  return allow;
}

}  // namespace

Api::Impl::Impl(std::vector<RouteSpec> route_table, Backend& backend_ref,
                metrics::Registry& registry_ref)
    : routes(std::move(route_table)),
      backend(backend_ref),
      config(backend_ref.config()),
      registry(registry_ref),
      in_flight(registry_ref.GetGauge("http_requests_in_flight", "HTTP requests being served")),
      limiter(config.rate_limit_rps, config.rate_limit_burst, TrustedProxies(config)) {
  for (const RouteSpec& spec : routes) {
    auto same = std::find_if(compiled.begin(), compiled.end(),
                             [&](const CompiledRoute& c) { return c.pattern == spec.pattern; });
    if (same == compiled.end()) {
      CompiledRoute route{.pattern = spec.pattern};
      for (std::string_view segment : SplitPath(spec.pattern)) {
        const bool param = segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
        route.segments.emplace_back(segment);
        route.is_param.push_back(param);
        if (param) route.param_names.emplace_back(segment.substr(1, segment.size() - 2));
      }
      compiled.push_back(std::move(route));
      same = compiled.end() - 1;
    }
    same->specs.push_back(&spec);
    same->admin = same->admin || spec.admin;
  }
  for (CompiledRoute& route : compiled) route.allow = AllowList(route.specs);
  registry
      .GetGauge("naap_build_info", "naap build",
                {{"version", config.version}, {"store", config.store_backend}})
      .Set(1);
}

// Exact segment match; among matching patterns the one with a static segment at the first
// position where they differ wins (§1.1).
void Api::Impl::Match(Exchange& x) const {
  if (x.path.empty() || x.path.front() != '/') return;
  const std::vector<std::string_view> segments = SplitPath(x.path);
  for (std::string_view segment : segments) {
    if (segment.empty() || segment == "." || segment == "..") return;
  }
  for (const CompiledRoute& route : compiled) {
    if (route.segments.size() != segments.size()) continue;
    bool matches = true;
    for (size_t i = 0; i < segments.size() && matches; ++i) {
      matches = route.is_param[i] || route.segments[i] == segments[i];
    }
    if (!matches) continue;
    if (x.route == nullptr || route.is_param < x.route->is_param) x.route = &route;
  }
  if (x.route == nullptr) return;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (x.route->is_param[i]) x.path_values.emplace_back(segments[i]);
  }
}

std::optional<HttpResponse> Api::Impl::Authenticate(Exchange& x) const {
  if (!config.admin_token) {
    return ProblemResponse(x, 403, "admin API is disabled: no admin token is configured");
  }
  const std::vector<std::pair<std::string, std::string>> challenge = {
      {"WWW-Authenticate", "Bearer realm=\"naap-admin\""}};
  const std::string* authorization = x.request.Header("authorization");
  if (!authorization || authorization->size() < 7 ||
      !EqualsIgnoringCase(std::string_view(*authorization).substr(0, 7), "Bearer ")) {
    return ProblemResponse(x, 401, "missing bearer token", challenge);
  }
  const std::string_view token = TrimView(std::string_view(*authorization).substr(7));
  if (token.empty()) return ProblemResponse(x, 401, "missing bearer token", challenge);
  if (!ConstantTimeEquals(token, *config.admin_token)) {
    return ProblemResponse(x, 401, "invalid bearer token", challenge);
  }
  return std::nullopt;
}

HttpResponse Api::Impl::Options(Exchange& x) const {
  HttpResponse response;
  response.status = 204;
  response.SetHeader("Allow", x.route->allow);
  const bool preflight =
      x.request.Header("origin") && x.request.Header("access-control-request-method");
  if (preflight && !x.route->admin && !config.cors_allow_origins.empty()) {
    response.SetHeader("Access-Control-Allow-Methods", "GET, HEAD");
    response.SetHeader("Access-Control-Allow-Headers", "If-None-Match, X-Request-Id");
    response.SetHeader("Access-Control-Max-Age", "600");
  }
  return response;
}

// Routes of groups A and B and /v1/quality receive the data clock (§1.17); the others read it
// themselves if they need it, so /healthz never touches the store.
Outcome Api::Impl::Execute(const RouteSpec& spec, RequestContext& ctx) {
  try {
    if (IsDataRoute(spec)) {
      const bool declares_org = std::any_of(spec.params.begin(), spec.params.end(),
                                            [](const ParamSpec& p) { return p.name == "org"; });
      const std::optional<std::string> org = declares_org ? ctx.Get("org") : std::nullopt;
      Result<std::optional<Millis>> clock =
          backend.DataClock(org ? std::optional<std::string_view>(*org) : std::nullopt);
      if (!clock.ok()) return clock.status();
      ctx.data_clock = clock.value();
    }
    if (IsHourGrained(spec) && backend.read_cache() != nullptr) return HourGrainedReply(spec, ctx);
    return spec.handler(ctx, backend);
  } catch (const std::exception& e) {
    return Internal(std::string("handler threw: ") + e.what());
  } catch (...) {
    return Internal("handler threw a non-standard exception");
  }
}

// The memo key of a request: the pattern, the hour buckets, the data clock, the path parameters
// and the query parameters given but the window's (the hour buckets stand for them) and, for a
// list, the page's (limit, cursor).
std::string MemoKey(const RouteSpec& spec, const RequestContext& ctx, const HourRange& hours) {
  std::string key = spec.pattern + "\n" + std::to_string(hours.first) + "\n" +
                    std::to_string(hours.last_exclusive) + "\n" +
                    (ctx.data_clock ? std::to_string(*ctx.data_clock) : "-");
  for (const auto& [name, value] : ctx.path_params) key += "\n{" + name + "}=" + value;
  for (const auto& [name, values] : ctx.params) {
    if (name == "start" || name == "end" || name == "window") continue;
    if (spec.is_list() && (name == "limit" || name == "cursor")) continue;
    for (const std::string& value : values) key += "\n" + name + "=" + value;
  }
  return key;
}

bool Api::Impl::IsHourGrained(const RouteSpec& spec) {
  return spec.hour_grained && (spec.group == RouteGroup::kA || spec.group == RouteGroup::kB);
}

// An hour-grained reply is memoized per data version, computed for the window that spans exactly
// its hour buckets, [first, last_exclusive), and for a list without a page position (every row;
// the router pages them per request). Each request gets its own window echo back: the echo's
// two times have a fixed width, so it is replaced in place. A window that selects no hour is
// answered directly.
Outcome Api::Impl::HourGrainedReply(const RouteSpec& spec, const RequestContext& ctx) {
  HourRange hours;
  std::optional<Window> memo_window;
  if (ctx.window) {
    hours = HoursOf(*ctx.window);
    if (hours.empty()) return spec.handler(ctx, backend);
    memo_window = Window{.start = hours.first, .end = hours.last_exclusive};
  }
  std::optional<Outcome> not_reply;  // a Problem or Status: answered, never memoized
  Result<std::shared_ptr<const Reply>> memo = backend.read_cache()->GetOrCompute<Reply>(
      MemoKey(spec, ctx, hours), backend.DataVersion(),
      [&]() -> Result<std::shared_ptr<const Reply>> {
        RequestContext every_row = ctx;
        every_row.window = memo_window;
        if (spec.is_list()) {
          every_row.limit = 0;
          every_row.after_key.reset();
        }
        Outcome outcome = spec.handler(every_row, backend);
        if (outcome.reply) return std::make_shared<const Reply>(std::move(*outcome.reply));
        not_reply = std::move(outcome);
        return Unavailable("not memoized");
      });
  if (not_reply) return std::move(*not_reply);
  if (!memo.ok()) return memo.status();
  const std::shared_ptr<const Reply>& reply = *memo;
  if (reply->kind == Reply::Kind::kList) {
    return Reply::SharedList(
        std::shared_ptr<const std::vector<ListRow>>(reply, &reply->list_rows()));
  }
  Reply copy = *reply;
  if (memo_window && (memo_window->start != ctx.window->start ||
                      memo_window->end != ctx.window->end)) {
    const auto echo = [](const Window& w) {
      return "\"start_time\":\"" + FormatRfc3339Ms(w.start) + "\",\"end_time\":\"" +
             FormatRfc3339Ms(w.end) + "\"";
    };
    const std::string memo_echo = echo(*memo_window);
    const size_t at = copy.json.find(memo_echo);
    if (at != std::string::npos) copy.json.replace(at, memo_echo.size(), echo(*ctx.window));
  }
  return copy;
}

// Runs the handler on a pool thread and waits at most query_timeout_ms. A handler past its
// deadline keeps running (a store query cannot be interrupted safely) on a copy of the context.
std::optional<Outcome> Api::Impl::Run(const RouteSpec& spec, RequestContext& ctx) {
  if (config.query_timeout_ms <= 0) return Execute(spec, ctx);
  struct Task {
    RequestContext ctx;
    std::promise<Outcome> done;
  };
  auto task = std::make_shared<Task>(Task{.ctx = ctx});
  std::future<Outcome> result = task->done.get_future();
  handlers.Submit([this, &spec, task] { task->done.set_value(Execute(spec, task->ctx)); });
  if (result.wait_for(std::chrono::milliseconds(config.query_timeout_ms)) ==
      std::future_status::timeout) {
    return std::nullopt;
  }
  Outcome outcome = result.get();
  ctx.data_clock = task->ctx.data_clock;
  return outcome;
}

Result<JsonBody> Api::Impl::SuccessBody(const RouteSpec& spec, const RequestContext& ctx,
                                        const std::string& query_hash, const Reply& reply) const {
  JsonBody body;
  if (reply.kind == Reply::Kind::kList) {
    Result<Page> page =
        SelectPage(reply.list_rows(), spec, ActiveKeyColumns(spec, ctx), ctx.after_key, ctx.limit);
    if (!page.ok()) return page.status();
    std::string next_cursor;
    if (page->next_key) {
      next_cursor =
          EncodeCursor({.query_hash = query_hash, .window = ctx.window, .key = *page->next_key});
    }
    body.head = "{\"data\":[";
    for (size_t i = 0; i < page->rows.size(); ++i) {
      if (i > 0) body.head.push_back(',');
      body.head += page->rows[i]->json;
    }
    body.head += "],\"pagination\":";
    body.head += JsonWriter()
                     .BeginObject()
                     .Key("next_cursor")
                     .String(next_cursor)
                     .Key("has_more")
                     .Bool(!next_cursor.empty())
                     .Key("page_size")
                     .Int(static_cast<int64_t>(page->rows.size()))
                     .EndObject()
                     .Take();
    body.head += ",\"meta\":";
    body.tail = "}\n";
  } else if (spec.bare) {
    body.head = reply.json + "\n";
    body.has_meta = false;
  } else {
    body.head = "{\"data\":" + reply.json + ",\"meta\":";
    body.tail = "}\n";
  }
  return body;
}

HttpResponse Api::Impl::Respond(Exchange& x, RequestContext& ctx, const std::string& query_hash,
                                Outcome outcome) {
  if (outcome.problem) {
    const Problem& problem = *outcome.problem;
    return ProblemResponse(x, problem.status, problem.detail, problem.headers,
                           problem.extension_json);
  }
  if (!outcome.reply && outcome.status.ok()) outcome.status = Internal("handler returned nothing");
  if (!outcome.status.ok()) {
    if (outcome.status.code() == StatusCode::kUnavailable) {
      const bool restoring = outcome.status.message() == kRestoringFacts;
      return ProblemResponse(x, 503, restoring ? kRestoringFacts : "store unavailable",
                             {{"Retry-After", "5"}});
    }
    std::cerr << "naap api: request " << x.request_id << " " << x.request.method << " " << x.path
              << ": " << outcome.status.ToString() << "\n";
    return ProblemResponse(x, 500, "internal error");
  }
  const Reply& reply = *outcome.reply;
  const RouteSpec& spec = *x.spec;
  HttpResponse response;
  response.status = reply.status;
  std::string content_type = reply.content_type;
  // The body and its ETag digest (generated_at and request_id blanked).
  uint64_t digest = 0;
  if (reply.kind == Reply::Kind::kRaw) {
    response.body = reply.body;
    digest = Fnv1a64(response.body);
  } else {
    Result<JsonBody> body = SuccessBody(spec, ctx, query_hash, reply);
    if (!body.ok()) {
      std::cerr << "naap api: request " << x.request_id << " " << x.request.method << " " << x.path
                << ": " << body.status().ToString() << "\n";
      return ProblemResponse(x, 500, "internal error");
    }
    const std::string blank_meta =
        body->has_meta ? MetaJson("", "", ctx.window, ctx.data_clock) : "";
    digest = Fnv1a64(body->tail, Fnv1a64(blank_meta, Fnv1a64(body->head)));
    response.body = std::move(body->head);
    if (body->has_meta) {
      response.body +=
          MetaJson(FormatRfc3339Ms(backend.NowMs()), x.request_id, ctx.window, ctx.data_clock);
    }
    response.body += body->tail;
  }
  response.SetHeader("Content-Type", content_type);
  for (const auto& [name, value] : reply.headers) response.SetHeader(name, value);
  x.compressible = IsCompressibleType(content_type);

  const bool data_route = IsDataRoute(spec);
  const bool docs_route = spec.group == RouteGroup::kDocs;
  if (response.status != 200 || (!data_route && !docs_route)) {
    response.SetHeader("Cache-Control", "no-store");
    return response;
  }
  if (docs_route) {
    response.SetHeader("Cache-Control", "public, max-age=3600");
  } else {
    response.SetHeader("Cache-Control",
                       config.cache_max_age_s > 0
                           ? "public, max-age=" + std::to_string(config.cache_max_age_s)
                           : "no-cache");
    if (ctx.data_clock) response.SetHeader("X-Naap-Data-Clock", FormatRfc3339Ms(*ctx.data_clock));
  }
  const std::string etag = "W/\"" + Hex16(digest) + "\"";
  response.SetHeader("ETag", etag);
  const std::string* if_none_match = x.request.Header("if-none-match");
  if (if_none_match && MatchesIfNoneMatch(*if_none_match, etag)) {
    HttpResponse not_modified;
    not_modified.status = 304;
    for (std::string_view name : {"ETag", "Cache-Control", "X-Naap-Data-Clock"}) {
      if (const std::string* value = response.Header(name))
        not_modified.SetHeader(std::string(name), *value);
    }
    return not_modified;
  }
  return response;
}

HttpResponse Api::Impl::ProblemResponse(
    Exchange& x, int status, std::string_view detail,
    const std::vector<std::pair<std::string, std::string>>& headers,
    std::string_view extension_json) const {
  HttpResponse response;
  response.status = status;
  response.body = ProblemBody(status, detail, x.path, x.request_id, extension_json);
  response.SetHeader("Content-Type", std::string(kProblemContentType));
  response.SetHeader("Cache-Control", "no-store");
  for (const auto& [name, value] : headers) response.SetHeader(name, value);
  x.compressible = true;
  return response;
}

void Api::Impl::Route(Exchange& x) const {
  const std::string& target = x.request.target;
  const size_t question = target.find('?');
  x.path = std::string_view(target).substr(0, question);
  x.query = question == std::string::npos ? std::string_view()
                                          : std::string_view(target).substr(question + 1);
  Match(x);
}

std::optional<HttpResponse> Api::Impl::Admit(Exchange& x) {
  if (x.path != "/healthz" && x.path != "/readyz" && x.path != "/metrics" && limiter.enabled()) {
    std::vector<std::string_view> forwarded_for;
    for (const auto& [name, value] : x.request.headers) {
      if (name == "x-forwarded-for") forwarded_for.push_back(value);
    }
    const int64_t retry_after =
        limiter.Take(limiter.ClientIp(x.request.peer_ip, forwarded_for), backend.NowMs());
    if (retry_after > 0) {
      return ProblemResponse(x, 429,
                             "rate limit exceeded: " + FormatNumber(config.rate_limit_rps) +
                                 " requests per second, burst " +
                                 std::to_string(config.rate_limit_burst) + ", per client",
                             {{"Retry-After", std::to_string(retry_after)}});
    }
  }

  if (x.route == nullptr) return ProblemResponse(x, 404, "no route for path " + EchoValue(x.path));
  const std::string& method = x.request.method;
  if (method == "OPTIONS") return Options(x);
  const std::string_view wanted = method == "HEAD" ? "GET" : std::string_view(method);
  for (const RouteSpec* spec : x.route->specs) {
    if (std::find(spec->methods.begin(), spec->methods.end(), wanted) != spec->methods.end())
      x.spec = spec;
  }
  if (x.spec == nullptr) {
    return ProblemResponse(x, 405,
                           "method " + method + " is not allowed; allowed: " + x.route->allow,
                           {{"Allow", x.route->allow}});
  }
  if (x.spec->admin) return Authenticate(x);
  return std::nullopt;
}

HttpResponse Api::Impl::Serve(Exchange& x) {
  Route(x);
  if (std::optional<HttpResponse> answered = Admit(x)) return std::move(*answered);

  const std::string& method = x.request.method;
  RequestContext ctx;
  ctx.route = x.spec;
  ctx.method = method == "HEAD" ? "GET" : method;
  ctx.path = std::string(x.path);
  ctx.request_id = x.request_id;
  ctx.now = backend.NowMs();
  ctx.headers = x.request.headers;
  if (method == "POST") ctx.body = x.request.body;
  Result<std::string> query_hash = BindRequest(*x.spec, x.path_values, x.route->param_names,
                                               x.query, config.raw_retention_ms, ctx);
  if (!query_hash.ok()) return ProblemResponse(x, 400, query_hash.status().message());
  std::optional<Outcome> outcome = Run(*x.spec, ctx);
  if (!outcome) {
    return ProblemResponse(x, 503,
                           "store did not answer within " +
                               FormatNumber(static_cast<double>(config.query_timeout_ms) / 1000) +
                               "s",
                           {{"Retry-After", "5"}});
  }
  return Respond(x, ctx, query_hash.value(), std::move(*outcome));
}

void Api::Impl::Finish(Exchange& x, HttpResponse& response) {
  response.reason = ReasonPhrase(response.status);  // the phrase a problem's title gives (§1.4)
  response.SetHeader("X-Request-Id", x.request_id);
  response.SetHeader("X-Content-Type-Options", "nosniff");
  std::vector<std::string> vary;
  if (x.compressible) vary.push_back("Accept-Encoding");
  const std::string* origin = x.request.Header("origin");
  const bool admin = x.route != nullptr && x.route->admin;
  if (origin && !admin && !config.cors_allow_origins.empty()) {
    const auto& allowed = config.cors_allow_origins;
    std::optional<std::string> allow_origin;
    if (*origin != "*" && std::find(allowed.begin(), allowed.end(), *origin) != allowed.end()) {
      allow_origin = *origin;
      vary.push_back("Origin");
    } else if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end()) {
      allow_origin = "*";
    }
    if (allow_origin) {
      response.SetHeader("Access-Control-Allow-Origin", *allow_origin);
      response.SetHeader("Access-Control-Expose-Headers",
                         "X-Request-Id, X-Naap-Data-Clock, ETag, Retry-After");
    }
  }
  if (!vary.empty()) {
    std::string value;
    for (const std::string& field : vary) value += (value.empty() ? "" : ", ") + field;
    response.SetHeader("Vary", value);
  }
  const std::string* accept_encoding = x.request.Header("accept-encoding");
  if (x.compressible && response.body.size() >= kMinGzipBytes && accept_encoding &&
      AcceptsGzip(*accept_encoding)) {
    response.body = GzipCompress(response.body);
    response.SetHeader("Content-Encoding", "gzip");
  }
  if (response.status != 204 && response.status != 304) {
    response.SetHeader("Content-Length", std::to_string(response.body.size()));
  }
  if (x.request.method == "HEAD") response.body.clear();

  const std::string method(MetricMethod(x.request.method));
  const std::string route = x.route ? x.route->pattern : "unmatched";
  registry
      .GetCounter(
          "http_requests_total", "HTTP responses sent",
          {{"method", method}, {"route", route}, {"status", std::to_string(response.status)}})
      .Add(1);
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - x.started).count();
  registry
      .GetHistogram("http_request_duration_seconds", "HTTP request latency", kDurationBuckets,
                    {{"method", method}, {"route", route}})
      .Observe(seconds);
}

Api::Api(std::vector<RouteSpec> routes, Backend& backend, metrics::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(routes), backend, registry)) {}

Api::~Api() = default;

HttpResponse Api::Handle(const HttpRequest& request) {
  impl_->in_flight.Add(1);
  Impl::Exchange x{.request = request, .request_id = RequestIdOf(request)};
  HttpResponse response = impl_->Serve(x);
  impl_->Finish(x, response);
  impl_->in_flight.Add(-1);
  return response;
}

HttpResponse Api::Reject(const HttpRequest& partial, int status, std::string_view detail) {
  impl_->in_flight.Add(1);
  Impl::Exchange x{.request = partial, .request_id = RequestIdOf(partial)};
  impl_->Route(x);  // the metrics name the route the (maybe cut) path matches
  // A body over the limit is refused only after the checks that come first (§1.5.3).
  std::optional<HttpResponse> answered;
  if (status == 413) answered = impl_->Admit(x);
  HttpResponse response =
      answered ? std::move(*answered) : impl_->ProblemResponse(x, status, detail);
  response.close_connection = true;
  impl_->Finish(x, response);
  impl_->in_flight.Add(-1);
  return response;
}

const std::vector<RouteSpec>& Api::routes() const { return impl_->routes; }

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (EqualsIgnoringCase(field, name)) return &value;
  }
  return nullptr;
}

void HttpResponse::SetHeader(std::string name, std::string value) {
  for (auto& [field, existing] : headers) {
    if (EqualsIgnoringCase(field, name)) {
      existing = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

}  // namespace naap::api
