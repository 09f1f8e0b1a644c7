#include "api/params.h"

#include <algorithm>
#include <map>
#include <utility>

#include "api/conventions.h"
#include "api/cursor.h"
#include "api/pagination.h"
#include "base/strings.h"

namespace naap::api {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

// Reads a fixed-width decimal field at text[pos, pos + width).
std::optional<int> Field(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (char c : text.substr(pos, width)) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::optional<Millis> ParseRfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)
  auto year = Field(t, 0, 4), month = Field(t, 5, 2), day = Field(t, 8, 2);
  auto hour = Field(t, 11, 2), minute = Field(t, 14, 2), second = Field(t, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
  if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't') || t[13] != ':' ||
      t[16] != ':') {
    return std::nullopt;
  }
  if (*month < 1 || *month > 12 || *day < 1 || *day > DaysInMonth(*year, *month) || *hour > 23 ||
      *minute > 59 || *second > 59) {
    return std::nullopt;
  }
  size_t pos = 19;
  Millis fraction_ms = 0;
  if (pos < t.size() && t[pos] == '.') {
    const size_t digits_start = ++pos;
    while (pos < t.size() && IsDigit(t[pos])) ++pos;
    const size_t digits = pos - digits_start;
    if (digits < 1 || digits > 9) return std::nullopt;
    std::string ms_digits(t.substr(digits_start, std::min<size_t>(digits, 3)));
    ms_digits.resize(3, '0');
    fraction_ms = std::stoi(ms_digits);
  }
  Millis offset_ms = 0;
  const std::string_view zone = t.substr(pos);
  if (zone == "Z" || zone == "z") {
    offset_ms = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-' || zone[0] == ' ') &&
             zone[3] == ':') {
    auto offset_hours = Field(zone, 1, 2), offset_minutes = Field(zone, 4, 2);
    if (!offset_hours || !offset_minutes || *offset_hours > 23 || *offset_minutes > 59) {
      return std::nullopt;
    }
    offset_ms = (*offset_hours * 60 + *offset_minutes) * 60'000;
    if (zone[0] == '-') offset_ms = -offset_ms;
  } else {
    return std::nullopt;
  }
  const Millis days =
      DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  return days * kDayMs + *hour * kHourMs + *minute * 60'000 + *second * 1'000 + fraction_ms -
         offset_ms;
}

// 1–256 bytes of UTF-8, no control characters (C0, DEL, C1), no leading or trailing space (the
// other ASCII white space characters are control characters).
bool IsValidId(std::string_view value) {
  if (value.empty() || value.size() > 256) return false;
  if (value.front() == ' ' || value.back() == ' ') return false;
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == 0xC2 && i + 1 < value.size()) {
      const auto next = static_cast<unsigned char>(value[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return false;
    }
  }
  return IsValidUtf8(value);
}

bool IsValidOrg(std::string_view value) {
  if (value.empty() || value.size() > 64) return false;
  const auto allowed = [](char c, bool first) {
    return (c >= 'a' && c <= 'z') || IsDigit(c) || (!first && (c == '_' || c == '-'));
  };
  for (size_t i = 0; i < value.size(); ++i) {
    if (!allowed(value[i], i == 0)) return false;
  }
  return true;
}

std::optional<int64_t> ParseBoundedInt(std::string_view value, int64_t lo, int64_t hi) {
  if (value.empty() || value.size() > 18 || !AllDigits(value)) return std::nullopt;
  const int64_t parsed = std::stoll(std::string(value));
  if (parsed < lo || parsed > hi) return std::nullopt;
  return parsed;
}

std::string Join(const std::vector<std::string>& values, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += separator;
    out += values[i];
  }
  return out;
}

Status ParamError(std::string_view name, std::string_view reason) {
  return InvalidArgument("parameter " + EchoValue(name) + ": " + std::string(reason));
}

const ParamSpec* FindSpec(const std::vector<ParamSpec>& specs, std::string_view name) {
  for (const ParamSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

bool IsWindowParam(std::string_view name) {
  return name == "start" || name == "end" || name == "window";
}

std::optional<Millis> MillisParam(const RequestContext& ctx, std::string_view name) {
  if (auto value = ctx.Get(name)) return std::stoll(*value);
  return std::nullopt;
}

Status BindPathParams(const RouteSpec& route, const std::vector<std::string>& values,
                      const std::vector<std::string>& names, RequestContext& ctx,
                      std::vector<std::pair<std::string, std::string>>& hashed) {
  for (size_t i = 0; i < names.size(); ++i) {
    const ParamSpec* declared = FindSpec(route.path_params, names[i]);
    const ParamSpec spec = declared ? *declared : ParamSpec{.name = names[i]};
    const std::optional<std::string> decoded = PercentDecode(values[i], /*plus_is_space=*/false);
    const Result<std::string> normalized =
        decoded && IsValidUtf8(*decoded)
            ? NormalizeParam(spec, *decoded)
            : Result<std::string>(InvalidArgument(BadValueReason(spec, values[i])));
    if (!normalized.ok()) {
      return InvalidArgument("path parameter " + EchoValue(names[i]) + ": " +
                             normalized.status().message());
    }
    ctx.path_params[names[i]] = normalized.value();
    hashed.emplace_back(names[i], normalized.value());
  }
  return Status::Ok();
}

Status BindCursor(const RouteSpec& route, const std::string& query_hash, Millis max_window,
                  RequestContext& ctx) {
  ctx.limit = ctx.Int("limit");
  std::optional<std::string> text = ctx.Get("cursor");
  if (!text) return Status::Ok();
  if (text->size() > 4096) return InvalidArgument("invalid cursor: malformed");
  Result<Cursor> cursor = DecodeCursor(*text);
  if (!cursor.ok()) return cursor.status();
  if (cursor->query_hash != query_hash)
    return InvalidArgument("invalid cursor: does not match this query");
  if (cursor->key.size() != ActiveKeyColumns(route, ctx).size()) {
    return InvalidArgument("invalid cursor: wrong number of key values");
  }
  if (route.window.has_value() != cursor->window.has_value()) {
    return InvalidArgument("invalid cursor: malformed");
  }
  if (cursor->window) {
    NAAP_RETURN_IF_ERROR(CheckWindow(*cursor->window, *route.window, max_window));
    ctx.window = cursor->window;
  }
  ctx.after_key = std::move(cursor->key);
  return Status::Ok();
}

}  // namespace

std::optional<std::vector<QueryParam>> ParseQuery(std::string_view query) {
  std::vector<QueryParam> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view piece = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    std::optional<std::string> name = PercentDecode(piece.substr(0, eq), true);
    std::optional<std::string> value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1), true);
    if (!name || !value || !IsValidUtf8(*name) || !IsValidUtf8(*value)) return std::nullopt;
    params.push_back({std::move(*name), std::move(*value)});
  }
  return params;
}

std::optional<Millis> ParseTime(std::string_view text) {
  if (!text.empty() && text.size() <= 15 && AllDigits(text)) return std::stoll(std::string(text));
  return ParseRfc3339(text);
}

std::optional<Millis> ParseDuration(std::string_view text) {
  Millis unit = kHourMs;
  if (!text.empty() && (text.back() == 'm' || text.back() == 'h' || text.back() == 'd')) {
    unit = text.back() == 'm' ? 60'000 : (text.back() == 'h' ? kHourMs : kDayMs);
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 6 || text.front() == '0' || !AllDigits(text))
    return std::nullopt;
  return std::stoll(std::string(text)) * unit;
}

std::string BadValueReason(const ParamSpec& spec, std::string_view value) {
  const std::string echoed = EchoValue(value);
  switch (spec.type) {
    case ParamType::kTime:
      return "invalid time " + echoed + ": expected RFC 3339 or epoch milliseconds";
    case ParamType::kDuration:
      return "invalid duration " + echoed +
             ": expected <n>m, <n>h, <n>d or a whole number of hours";
    case ParamType::kInt:
      return "must be an integer between " + std::to_string(spec.min) + " and " +
             std::to_string(spec.max) + ", got " + echoed;
    case ParamType::kBool:
      return "must be true or false, got " + echoed;
    case ParamType::kEnum:
      return "must be one of " + Join(spec.enum_values, ", ") + "; got " + echoed;
    case ParamType::kOrg:
      return "must match [a-z0-9][a-z0-9_-]{0,63}, got " + echoed;
    case ParamType::kAddress:
      return "must be a 0x-prefixed 40-hex-digit address, got " + echoed;
    case ParamType::kId:
      return "must be 1 to 256 bytes without control characters or surrounding spaces";
    case ParamType::kCap:
      return "must be \"<pipeline>/<model>\", got " + echoed;
    case ParamType::kCursor:
      return "invalid cursor: malformed";
  }
  return "invalid value " + echoed;
}

Result<std::string> NormalizeParam(const ParamSpec& spec, std::string_view value) {
  std::optional<std::string> normalized;
  switch (spec.type) {
    case ParamType::kTime:
      if (auto ms = ParseTime(value)) normalized = std::to_string(*ms);
      break;
    case ParamType::kDuration:
      if (auto ms = ParseDuration(value)) normalized = std::to_string(*ms);
      break;
    case ParamType::kInt:
      if (auto parsed = ParseBoundedInt(value, spec.min, spec.max))
        normalized = std::to_string(*parsed);
      break;
    case ParamType::kBool:
      if (value == "true" || value == "false") normalized = std::string(value);
      break;
    case ParamType::kEnum:
      if (std::find(spec.enum_values.begin(), spec.enum_values.end(), value) !=
          spec.enum_values.end()) {
        normalized = std::string(value);
      }
      break;
    case ParamType::kOrg:
      if (IsValidOrg(value)) normalized = std::string(value);
      break;
    case ParamType::kAddress:
      if (IsEthAddress(value)) normalized = ToLower(value);
      break;
    case ParamType::kId:
      if (IsValidId(value)) normalized = std::string(value);
      break;
    case ParamType::kCap: {
      const size_t slash = value.find('/');
      if (slash != std::string_view::npos && IsValidId(value.substr(0, slash)) &&
          IsValidId(value.substr(slash + 1))) {
        normalized = std::string(value);
      }
      break;
    }
    case ParamType::kCursor:
      normalized = std::string(value);
      break;
  }
  if (!normalized) return InvalidArgument(BadValueReason(spec, value));
  return std::move(*normalized);
}

Status CheckWindow(const Window& window, const WindowSpec& spec, Millis max_width) {
  if (window.start >= window.end) {
    return InvalidArgument("window is empty or inverted: start " + FormatRfc3339Ms(window.start) +
                           " is not before end " + FormatRfc3339Ms(window.end));
  }
  const Millis width = window.end - window.start;
  const Millis maximum = spec.max_width.value_or(max_width);
  if (width > maximum) {
    return InvalidArgument("window of " + FormatDuration(width) + " exceeds the maximum of " +
                           FormatDuration(maximum) + " for this route");
  }
  if (width < spec.min_width) {
    return InvalidArgument("window of " + FormatDuration(width) + " is below the minimum of " +
                           FormatDuration(spec.min_width) + " for this route");
  }
  return Status::Ok();
}

Result<Window> ResolveWindow(const WindowSpec& spec, Millis max_width, std::optional<Millis> start,
                             std::optional<Millis> end, std::optional<Millis> width, Millis now) {
  if (start && end && width) {
    return InvalidArgument(
        "parameters \"start\", \"end\" and \"window\" cannot be combined; give at most two");
  }
  Window window;
  if (start && end) {
    window = {*start, *end};
  } else if (start) {
    window = {*start, width ? *start + *width : now};
  } else {
    window.end = end.value_or(now);
    window.start = window.end - width.value_or(spec.default_width);
  }
  NAAP_RETURN_IF_ERROR(CheckWindow(window, spec, max_width));
  return window;
}

Result<std::string> BindRequest(const RouteSpec& route, const std::vector<std::string>& path_values,
                                const std::vector<std::string>& path_names,
                                std::string_view raw_query, Millis max_window,
                                RequestContext& ctx) {
  // Pairs of the §1.6 query hash: normalised values, window parameters as given.
  std::vector<std::pair<std::string, std::string>> hashed;
  NAAP_RETURN_IF_ERROR(BindPathParams(route, path_values, path_names, ctx, hashed));

  std::optional<std::vector<QueryParam>> query = ParseQuery(raw_query);
  if (!query) return InvalidArgument("malformed query string");

  if (route.is_list()) {
    for (std::string_view legacy : {"offset", "page", "page_size"}) {
      for (const QueryParam& param : *query) {
        if (param.name == legacy) {
          return InvalidArgument("query parameter " + EchoValue(legacy) +
                                 " is no longer supported; use limit and cursor");
        }
      }
    }
  }
  for (const QueryParam& param : *query) {
    if (!FindSpec(route.params, param.name)) {
      return InvalidArgument("unknown query parameter " + EchoValue(param.name));
    }
  }
  std::map<std::string, std::vector<std::string>> given;
  for (const QueryParam& param : *query) {
    std::vector<std::string>& values = given[param.name];
    if (!values.empty() && !FindSpec(route.params, param.name)->repeatable) {
      return InvalidArgument("parameter " + EchoValue(param.name) + " given more than once");
    }
    values.push_back(param.value);
  }
  for (const ParamSpec& spec : route.params) {
    if (spec.required && !given.count(spec.name)) {
      return InvalidArgument("parameter " + EchoValue(spec.name) + " is required");
    }
  }
  for (const ParamSpec& spec : route.params) {
    auto it = given.find(spec.name);
    if (it == given.end()) continue;
    std::vector<std::string>& normalized = ctx.params[spec.name];
    for (const std::string& value : it->second) {
      if (value.empty()) return ParamError(spec.name, "must not be empty");
      Result<std::string> checked = NormalizeParam(spec, value);
      if (!checked.ok()) return ParamError(spec.name, checked.status().message());
      normalized.push_back(checked.value());
      if (spec.name != "cursor" && spec.name != "limit") {
        hashed.emplace_back(spec.name, IsWindowParam(spec.name) ? value : checked.value());
      }
    }
  }

  if (route.window) {
    Result<Window> window =
        ResolveWindow(*route.window, max_window, MillisParam(ctx, "start"), MillisParam(ctx, "end"),
                      MillisParam(ctx, "window"), ctx.now);
    if (!window.ok()) return window.status();
    ctx.window = window.value();
  }
  if (!route.is_list()) return std::string();
  std::string query_hash = QueryHash(route.pattern, std::move(hashed));
  NAAP_RETURN_IF_ERROR(BindCursor(route, query_hash, max_window, ctx));
  return query_hash;
}

}  // namespace naap::api
