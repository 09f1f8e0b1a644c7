#pragma once
// The route table's vocabulary (spec/api.md §1): what a route declares (pattern, methods,
// parameters, window, keyset), what its handler receives (validated parameters, the resolved
// window, the cursor position) and what it returns. The router (api.h) does everything the spec
// states in §1 — validation order, problem JSON, pagination envelope, ETag, gzip, CORS, rate
// limiting — so a handler only computes its data. The OpenAPI drift test reads the same specs.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace naap::api {

class Backend;  // backend.h

// §1.5.2 parameter types. kString is any value (only the admin `source` label uses the id rules:
// use kId for it); kCursor is the opaque §1.6 cursor.
enum class ParamType { kTime, kDuration, kInt, kBool, kEnum, kOrg, kAddress, kId, kCap, kCursor };

struct ParamSpec {
  std::string name;
  ParamType type = ParamType::kId;
  bool required = false;
  bool repeatable = false;               // only `caps`
  int64_t min = 0, max = 0;              // kInt bounds (inclusive)
  std::optional<int64_t> default_int;    // kInt default
  std::optional<bool> default_bool;      // kBool default
  std::string default_text;              // kEnum / kId default ("" = none)
  std::vector<std::string> enum_values;  // kEnum, in the order the 400 detail lists them
  std::string description;               // one line, for the OpenAPI document
};

// A windowed route declares start/end/window (§1.5.4) at the position of its parameter list where
// `Window()` is placed.
struct WindowSpec {
  Millis default_width = kDayMs;
  Millis min_width = 1;                // "anything > 0"
  std::optional<Millis> max_width;     // nullopt: the raw-log retention (--raw-retention)
};

// One column of a list route's keyset (§1.6), in order.
enum class KeyKind { kTime, kString, kInt, kWei, kFloat };
struct KeyColumn {
  std::string name;
  KeyKind kind = KeyKind::kString;
  bool descending = false;
  // Non-empty: the column is part of the keyset only when this query parameter is given
  // (`org` on /v1/sla/compliance and friends, §1.6).
  std::string only_with_param;
};

enum class RouteGroup { kA, kB, kC, kDocs };

struct Window {
  Millis start = 0, end = 0;  // [start, end), UTC ms
};

// The hour buckets an hourly relation selects for a window (§1.5.4): every hour start h with
// start ≤ h < end, as [first, last_exclusive); empty when first == last_exclusive.
struct HourRange {
  Millis first = 0, last_exclusive = 0;
  bool empty() const { return first >= last_exclusive; }
  int64_t count() const { return empty() ? 0 : (last_exclusive - first) / kHourMs; }
};
HourRange HoursOf(const Window& window);

// What a handler receives. Every declared parameter has been validated; values are normalised
// (addresses lower-cased, times in ms, durations in ms).
struct RouteSpec;

struct RequestContext {
  const RouteSpec* route = nullptr;  // the matched route (for declared defaults)
  std::string method;
  std::string path;                             // without query string
  std::map<std::string, std::string> path_params;  // percent-decoded, validated, normalised
  // Declared query parameters that were given (repeatable ones hold every value, in order).
  std::map<std::string, std::vector<std::string>> params;
  std::optional<Window> window;  // windowed routes: the resolved window (a cursor's `w` wins)
  int64_t limit = 0;             // list routes: the page size requested
  std::optional<std::vector<std::string>> after_key;  // list routes: the cursor's key values
  std::string request_id;
  Millis now = 0;                      // arrival time (wall clock), UTC ms
  std::optional<Millis> data_clock;    // §1.17, for the `org` parameter when given
  std::string body;                    // POST only
  std::vector<std::pair<std::string, std::string>> headers;  // lower-cased names

  bool Has(std::string_view name) const { return params.count(std::string(name)) > 0; }
  // The value of a single-valued parameter, or nullopt when absent.
  std::optional<std::string> Get(std::string_view name) const;
  // Typed accessors: the value given, else the route's declared default (0 / false without one).
  int64_t Int(std::string_view name) const;
  bool Bool(std::string_view name) const;
  const std::string* Header(std::string_view lower_name) const;
};

// A handler's error that is not a bad parameter: 404 detail routes ("orchestrator not found"),
// 409, 413, 415 and the admin 400s. `headers` are added to the problem response.
struct Problem {
  int status = 500;
  std::string detail;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string extension_json;  // extra members written after request_id (e.g. `"checks":[…]`),
                               // without braces; "" for none
};

// One row of a list route: its key values as cursor strings (§1.6: times as epoch-ms decimals,
// wei as decimal strings, floats as their §1.3 text, unknown as "") and its JSON object.
struct ListRow {
  std::vector<std::string> key;
  std::string json;
};

// A handler's success:
//  - kData: `json` is the value of `data` (groups B and C envelopes) or the whole body (group A
//    bare objects and arrays, see RouteSpec::bare);
//  - kList: the route's rows in keyset order (the router pages them): every row, or at least
//    those after the rows that precede the cursor up to limit + 1 after it;
//  - kRaw: a complete non-JSON or fixed body (health, metrics, docs): status, content type, body.
struct Reply {
  enum class Kind { kData, kList, kRaw } kind = Kind::kData;
  std::string json;
  std::vector<ListRow> rows;
  // Set instead of `rows` when the rows are shared with a memo (SharedList): not copied per request.
  std::shared_ptr<const std::vector<ListRow>> shared_rows;
  int status = 200;
  std::string content_type = "application/json";
  std::string body;  // kRaw
  std::vector<std::pair<std::string, std::string>> headers;

  static Reply Data(std::string json) { return Reply{.kind = Kind::kData, .json = std::move(json)}; }
  static Reply List(std::vector<ListRow> rows) {
    return Reply{.kind = Kind::kList, .rows = std::move(rows)};
  }
  static Reply SharedList(std::shared_ptr<const std::vector<ListRow>> rows) {
    return Reply{.kind = Kind::kList, .shared_rows = std::move(rows)};
  }
  // A list's rows, wherever they are held.
  const std::vector<ListRow>& list_rows() const { return shared_rows ? *shared_rows : rows; }
};

// Handlers return a Reply, a Problem, or a non-ok Status: kUnavailable → 503 "store unavailable"
// (Retry-After: 5), anything else → 500 "internal error" (logged with the request id, never sent).
struct Outcome {
  std::optional<Reply> reply;
  std::optional<Problem> problem;
  Status status;
  Outcome(Reply r) : reply(std::move(r)) {}        // NOLINT(google-explicit-constructor)
  Outcome(Problem p) : problem(std::move(p)) {}    // NOLINT(google-explicit-constructor)
  Outcome(Status s) : status(std::move(s)) {}      // NOLINT(google-explicit-constructor)
};

using Handler = std::function<Outcome(const RequestContext&, Backend&)>;

struct RouteSpec {
  std::string id;       // "A1", "B12", "C6": the spec's route number
  std::string pattern;  // "/v1/net/orchestrators/{address}"
  RouteGroup group = RouteGroup::kB;
  std::vector<std::string> methods = {"GET"};  // GET implies HEAD; OPTIONS is always handled
  bool admin = false;                          // bearer auth (§1.15), no CORS
  bool bare = false;                           // group A: the body is Reply::json itself
  std::string summary;                         // one line, for the OpenAPI document
  std::vector<ParamSpec> path_params;          // by name, in pattern order
  // Query parameters in validation order. A windowed route lists "start", "end", "window"
  // (see WindowParams) where they belong; a list route lists "limit" and "cursor" (ListParams).
  std::vector<ParamSpec> params;
  std::optional<WindowSpec> window;
  std::vector<KeyColumn> keyset;  // non-empty ⇔ list route
  Handler handler;
  // The reply (a list: every row, whatever the page) is a function of the path and query
  // parameters, of the hour buckets the window selects (HoursOf), of the data clock and of the
  // store's contents, apart from a window echo written by WriteWindowTimes: the router memoizes
  // the replies of groups A and B per data version (Api::Impl::HourGrainedReply). false for a
  // handler that reads the exact window (event-grained records, hours cut at the window's edges)
  // or the page position (a list that reads only one page's rows).
  bool hour_grained = true;

  bool is_list() const { return !keyset.empty(); }
};

// The §1.5.4 trio, to splice into RouteSpec::params.
std::vector<ParamSpec> WindowParams();
// limit (1..1000, default 50) and cursor, to append to a list route's params.
std::vector<ParamSpec> ListParams();
// `route` marked as reading the exact window or the page position (hour_grained = false).
RouteSpec ReadsExactWindow(RouteSpec route);

}  // namespace naap::api
