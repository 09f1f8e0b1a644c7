#pragma once
// Request parameters of spec/api.md §1.5 and §1.6: query-string decoding, the §1.5.2 types,
// window resolution (§1.5.4), and BindRequest, which validates a routed request in the §1.5.3
// order and fills the handler's RequestContext. Every failure is InvalidArgument whose message
// is the exact 400 `detail`.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"
#include "base/status.h"
#include "base/time.h"

namespace naap::api {

struct QueryParam {
  std::string name, value;
};
// x-www-form-urlencoded: pieces split on '&' (empty pieces skipped), name and value split at the
// first '=' (none: empty value), percent-decoded with '+' as space. nullopt when a piece has bad
// percent-encoding or decodes to invalid UTF-8.
std::optional<std::vector<QueryParam>> ParseQuery(std::string_view query);

// §1.5.2 time: RFC 3339 with offset (a space where the offset sign belongs reads as '+';
// fraction up to 9 digits, truncated to ms) or epoch milliseconds of 1–15 digits.
std::optional<Millis> ParseTime(std::string_view text);
// §1.5.2 duration: ^[1-9][0-9]{0,5}(m|h|d)?$, no unit = hours; in ms.
std::optional<Millis> ParseDuration(std::string_view text);

// Validates one non-empty value of `spec`'s type: the normalised value (addresses lower-cased,
// times and durations as ms decimals, ints canonical) or InvalidArgument(the §1.5.2 reason).
Result<std::string> NormalizeParam(const ParamSpec& spec, std::string_view value);
// The §1.5.2 bad-value reason of spec's type for value (echoing it where the spec does).
std::string BadValueReason(const ParamSpec& spec, std::string_view value);

// §1.5.4: the window of the given parameters (at most two of them) for `now`, then checked.
// `max_width` applies when the route states none (the raw-log retention).
Result<Window> ResolveWindow(const WindowSpec& spec, Millis max_width, std::optional<Millis> start,
                             std::optional<Millis> end, std::optional<Millis> width, Millis now);
// start < end, width within the route's minimum and maximum.
Status CheckWindow(const Window& window, const WindowSpec& spec, Millis max_width);

// Validates the request of `route` in the §1.5.3 order (path parameters, malformed query, legacy
// pagination, unknown, repeated, missing, each declared parameter, window, cursor) and fills
// ctx.path_params, params, window, limit and after_key. `path_values` are the raw (still
// percent-encoded) path segments of the pattern's parameters `path_names`; ctx.now is read.
// Returns the §1.6 query hash of a list route ("" for other routes).
Result<std::string> BindRequest(const RouteSpec& route, const std::vector<std::string>& path_values,
                                const std::vector<std::string>& path_names,
                                std::string_view raw_query, Millis max_window, RequestContext& ctx);

}  // namespace naap::api
