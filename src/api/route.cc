#include "api/route.h"

#include <algorithm>
#include <cstdlib>

namespace naap::api {
namespace {

Millis HourCeil(Millis t) { return HourFloor(t) == t ? t : HourFloor(t) + kHourMs; }

const ParamSpec* FindSpec(const std::vector<ParamSpec>& specs, std::string_view name) {
  for (const ParamSpec& spec : specs) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

HourRange HoursOf(const Window& window) {
  return {HourCeil(window.start), std::max(HourCeil(window.start), HourCeil(window.end))};
}

std::vector<ParamSpec> WindowParams() {
  return {
      {.name = "start", .type = ParamType::kTime, .description = "window start (inclusive)"},
      {.name = "end", .type = ParamType::kTime, .description = "window end (exclusive)"},
      {.name = "window", .type = ParamType::kDuration, .description = "window width"},
  };
}

std::vector<ParamSpec> ListParams() {
  return {
      {.name = "limit", .type = ParamType::kInt, .min = 1, .max = 1000, .default_int = 50,
       .description = "page size"},
      {.name = "cursor", .type = ParamType::kCursor, .description = "opaque cursor of the previous page"},
  };
}

RouteSpec ReadsExactWindow(RouteSpec route) {
  route.hour_grained = false;
  return route;
}

std::optional<std::string> RequestContext::Get(std::string_view name) const {
  auto it = params.find(std::string(name));
  if (it == params.end() || it->second.empty()) return std::nullopt;
  return it->second.front();
}

int64_t RequestContext::Int(std::string_view name) const {
  if (auto value = Get(name)) return std::strtoll(value->c_str(), nullptr, 10);
  const ParamSpec* spec = route ? FindSpec(route->params, name) : nullptr;
  return spec && spec->default_int ? *spec->default_int : 0;
}

bool RequestContext::Bool(std::string_view name) const {
  if (auto value = Get(name)) return *value == "true";
  const ParamSpec* spec = route ? FindSpec(route->params, name) : nullptr;
  return spec && spec->default_bool ? *spec->default_bool : false;
}

const std::string* RequestContext::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

}  // namespace naap::api
