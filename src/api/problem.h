#pragma once
// RFC 7807 problem bodies of spec/api.md §1.4: always the six members type ("about:blank"),
// title (the reason phrase of status), status, detail, instance (the request path) and
// request_id, then any extension members, followed by one '\n'.
#include <string>
#include <string_view>

namespace naap::api {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// The HTTP reason phrase of status ("Not Found"); "Unknown" for codes naap never sends.
std::string_view ReasonPhrase(int status);

// `extension_json`: members without braces (`"checks":[…]`) or "".
std::string ProblemBody(int status, std::string_view detail, std::string_view instance,
                        std::string_view request_id, std::string_view extension_json = "");

}  // namespace naap::api
