#include "event/normalize.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "base/strings.h"
#include "event/catalog.h"

namespace naap::event {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly n digits at s[pos] into out.
bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int DaysInMonth(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// YYYY-MM-DD(T|t| )HH:MM:SS[.fraction][Z|z|±HH:MM|±HHMM]
std::optional<Millis> ParseIsoTimestamp(std::string_view s) {
  int year, month, day, hour, minute, second;
  if (!Digits(s, 0, 4, year) || s.size() < 19 || s[4] != '-' || !Digits(s, 5, 2, month) ||
      s[7] != '-' || !Digits(s, 8, 2, day)) {
    return std::nullopt;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  if (!Digits(s, 11, 2, hour) || s[13] != ':' || !Digits(s, 14, 2, minute) || s[16] != ':' ||
      !Digits(s, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 ||
      minute > 59 || second > 59) {
    return std::nullopt;
  }
  size_t i = 19;
  int millis = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    for (; i < s.size() && IsDigit(s[i]); ++i) {
      if (i - start < 3) millis = millis * 10 + (s[i] - '0');
    }
    if (i == start) return std::nullopt;
    for (size_t k = i - start; k < 3; ++k) millis *= 10;
  }
  int offset_minutes = 0;
  if (i < s.size()) {
    if (s[i] == 'Z' || s[i] == 'z') {
      ++i;
    } else if (s[i] == '+' || s[i] == '-') {
      int sign = s[i] == '-' ? -1 : 1;
      int oh, om;
      if (!Digits(s, i + 1, 2, oh)) return std::nullopt;
      size_t mpos = i + 3;
      if (mpos < s.size() && s[mpos] == ':') ++mpos;
      if (!Digits(s, mpos, 2, om) || oh > 23 || om > 59) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
      i = mpos + 2;
    }
  }
  if (i != s.size()) return std::nullopt;
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

constexpr std::array<std::string_view, 12> kAllowedPipelines = {
    "live-video-to-video", "text-to-image", "image-to-image", "image-to-video",
    "text-to-video",       "audio-to-text", "text-to-speech", "upscale",
    "llm",                 "image-to-text", "segment-anything-2", "noop"};

struct Alias {
  std::string_view key;
  std::string_view model;
};
constexpr std::array<Alias, 8> kAliases = {{
    {"streamdiffusion", "streamdiffusion"},
    {"streamdiffusion-sdxl", "streamdiffusion-sdxl"},
    {"pip_sdxl-turbo", "streamdiffusion-sdxl"},
    {"pip_sd-turbo", "streamdiffusion-sdxl"},
    {"streamdiffusion-sdxl-v2v", "streamdiffusion-sdxl-v2v"},
    {"pip_sdxl-turbo-v2v", "streamdiffusion-sdxl-v2v"},
    {"streamdiffusion-sdxl-faceid", "streamdiffusion-sdxl-faceid"},
    {"pip_sdxl-turbo-faceid", "streamdiffusion-sdxl-faceid"},
}};
constexpr std::string_view kAliasPipeline = "live-video-to-video";

bool IsAllowedPipeline(std::string_view lowered) {
  for (auto p : kAllowedPipelines) {
    if (p == lowered) return true;
  }
  return false;
}
const Alias* FindAlias(std::string_view hint) {
  for (const auto& a : kAliases) {
    if (EqualsIgnoringCase(a.key, hint)) return &a;
  }
  return nullptr;
}

// The allow-listed pipeline `s` names in any case (the list is lower-case), or "".
std::string_view AllowedPipelineIgnoringCase(std::string_view s) {
  for (auto p : kAllowedPipelines) {
    if (EqualsIgnoringCase(p, s)) return p;
  }
  return {};
}

bool StartsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoringCase(s.substr(0, prefix.size()), prefix);
}

bool EndsWithIgnoringCase(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoringCase(s.substr(s.size() - suffix.size()), suffix);
}

// Strict §5.6 numeric text syntax.
bool IsNumericText(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  auto digits = [&] {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > start;
  };
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

}  // namespace

std::optional<Millis> ParseTimestampText(std::string_view text) {
  std::string_view t = TrimView(text);
  // Fast path: plain integer milliseconds or seconds (the common wire form).
  if (!t.empty() && t.size() <= 18 && std::all_of(t.begin(), t.end(), IsDigit)) {
    int64_t v = 0;
    std::from_chars(t.data(), t.data() + t.size(), v);
    if (v <= 0) return std::nullopt;
    return v >= 100'000'000'000 ? v : v * 1000;
  }
  if (auto d = Decimal::Parse(t)) {
    if (d->negative() || d->IsZero()) return std::nullopt;
    auto whole = d->FloorToInt64(0);
    if (!whole) return std::nullopt;
    std::optional<int64_t> ms = *whole >= 100'000'000'000 ? whole : d->FloorToInt64(3);
    if (!ms || *ms <= 0) return std::nullopt;
    return *ms;
  }
  return ParseIsoTimestamp(t);
}

std::string NormalizeUrl(std::string_view url) {
  std::string r = TrimLower(url);
  while (!r.empty() && r.back() == '/') r.pop_back();
  return r;
}

std::string NormalizeAddress(std::string_view address) { return TrimLower(address); }

std::string SessionKey(std::string_view org, std::string_view stream_id,
                       std::string_view request_id) {
  std::string_view s = TrimView(stream_id);
  std::string_view r = TrimView(request_id);
  if (s.empty() && r.empty()) return "";
  std::string key;
  key.reserve(org.size() + s.size() + r.size() + 20);
  key.append(org).append("|").append(s.empty() ? "_missing_stream" : s);
  key.append("|").append(r.empty() ? "_missing_request" : r);
  return key;
}

PipelineModel NormalizeHints(std::string_view pipeline_hint, std::string_view model_hint) {
  std::string p = TrimLower(pipeline_hint);
  std::string_view m = TrimView(model_hint);  // or an alias model (static)
  // 1. a pipeline name in the model slot
  if (const std::string_view named = AllowedPipelineIgnoringCase(m); !named.empty()) {
    if (!IsAllowedPipeline(p)) p = named;
    m = {};
  }
  // 2.
  std::string_view pipeline = IsAllowedPipeline(p) ? std::string_view(p) : std::string_view();
  // 3.
  if (m.empty()) {
    if (const Alias* a = FindAlias(p)) {
      m = a->model;
      if (pipeline.empty()) pipeline = kAliasPipeline;
    }
  }
  // 4.
  if (const Alias* a = FindAlias(m)) {
    m = a->model;
    if (pipeline.empty()) pipeline = kAliasPipeline;
  }
  // 5.
  if (pipeline.empty() && StartsWithIgnoringCase(m, "streamdiffusion")) pipeline = kAliasPipeline;
  // 6.
  if (EqualsIgnoringCase(pipeline, m)) pipeline = {};
  // 7.
  return PipelineModel{.pipeline = std::string(pipeline), .model = std::string(m)};
}

std::string CanonicalModelId(std::string_view model_id) {
  std::string_view m = TrimView(model_id);
  for (const auto& a : kAliases) {
    if (a.key == a.model && EqualsIgnoringCase(a.key, m)) return std::string(a.model);
  }
  return std::string(m);
}

ManifestHints ParseManifestId(std::string_view manifest_id) {
  std::string_view m = TrimView(manifest_id);
  ManifestHints h;
  size_t i = 0;
  while (i < m.size() && IsDigit(m[i])) ++i;
  int id = 0;  // digits beyond int's range do not match (docs/decisions.md)
  const bool fits = std::from_chars(m.data(), m.data() + i, id).ec == std::errc();
  if (i > 0 && fits && i < m.size() && m[i] == '_') {
    h.capability_id = id;
    h.pipeline_hint = std::string(id >= 27 && id <= 36 ? CatalogPipeline(id) : "");
    h.model_hint = std::string(m.substr(i + 1));
  } else {
    h.pipeline_hint = std::string(m);
  }
  return h;
}

std::optional<Wei> ParseFaceValueWei(std::string_view text) {
  std::string_view t = TrimView(text);
  enum class Unit { kNone, kWei, kEth } unit = Unit::kNone;
  if (EndsWithIgnoringCase(t, "wei")) {
    unit = Unit::kWei;
  } else if (EndsWithIgnoringCase(t, "eth")) {
    unit = Unit::kEth;
  }
  if (unit != Unit::kNone) t = TrimView(t.substr(0, t.size() - 3));
  auto d = Decimal::Parse(t);
  if (!d) return std::nullopt;
  if (unit == Unit::kNone) unit = d->HasFractionOrExponentText() ? Unit::kEth : Unit::kWei;
  return d->FloorToWei(unit == Unit::kEth ? 18 : 0);
}

std::optional<double> ParsePriceWeiPerPixel(std::string_view text) {
  std::string_view t = TrimView(text);
  size_t slash = t.rfind('/');
  if (slash != std::string_view::npos) {
    std::string_view unit = t.substr(slash + 1);
    std::string_view before = TrimView(t.substr(0, slash));
    if (unit.empty() || !EndsWithIgnoringCase(before, "wei")) return std::nullopt;
    for (char c : unit) {
      if (c == ' ' || c == '\t') return std::nullopt;
    }
    t = TrimView(before.substr(0, before.size() - 3));
  }
  auto v = ParseDoubleText(t);
  if (!v || *v < 0) return std::nullopt;
  return v;
}

std::optional<Wei> ExpectedFeeWei(const Wei& face_value, int64_t num_tickets,
                                  const Decimal& win_prob) {
  if (num_tickets < 0) return std::nullopt;
  return FloorProductWei(face_value, static_cast<uint64_t>(num_tickets), win_prob);
}

std::optional<double> ParseDoubleText(std::string_view text) {
  if (!IsNumericText(text)) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace naap::event
