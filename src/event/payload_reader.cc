#include "event/payload_reader.h"

#include <charconv>
#include <cmath>
#include <optional>

#include "base/strings.h"
#include "event/normalize.h"

namespace naap::event {
namespace {
using simdjson::dom::element_type;

std::string Join(std::string_view path, std::string_view key, std::string_view what) {
  std::string s;
  s.reserve(path.size() + key.size() + what.size() + 3);
  if (!path.empty()) s.append(path).append(".");
  s.append(key).append(": ").append(what);
  return s;
}

// Trimmed string content of a numeric string; kAbsent when empty.
FieldState NumericString(JsonElement e, std::string_view& out) {
  std::string_view s;
  if (e.get_string().get(s) != simdjson::SUCCESS) return FieldState::kMismatch;
  out = TrimView(s);
  return out.empty() ? FieldState::kAbsent : FieldState::kOk;
}

// A numeric field's value when the element is not a JSON number: a numeric string read by
// `parse_text` (kMismatch when it does not parse), kAbsent for null, else kMismatch.
template <typename T, typename ParseText>
FieldState ReadNonNumber(JsonElement e, T& out, ParseText parse_text) {
  switch (e.type()) {
    case element_type::STRING: {
      std::string_view s;
      FieldState st = NumericString(e, s);
      if (st != FieldState::kOk) return st;
      const std::optional<T> v = parse_text(s);
      if (!v) return FieldState::kMismatch;
      out = *v;
      return FieldState::kOk;
    }
    case element_type::NULL_VALUE:
      return FieldState::kAbsent;
    default:
      return FieldState::kMismatch;
  }
}

const char* Describe(FieldState s) { return s == FieldState::kAbsent ? "absent" : "unusable kind"; }
}  // namespace

std::string NumberText(JsonElement e) {
  char buf[64];
  char* end = buf;
  switch (e.type()) {
    case element_type::INT64:
      end = std::to_chars(buf, buf + sizeof buf, int64_t(e.get_int64().value_unsafe())).ptr;
      break;
    case element_type::UINT64:
      end = std::to_chars(buf, buf + sizeof buf, uint64_t(e.get_uint64().value_unsafe())).ptr;
      break;
    case element_type::DOUBLE:
      end = std::to_chars(buf, buf + sizeof buf, double(e.get_double().value_unsafe())).ptr;
      break;
    default:
      break;
  }
  return std::string(buf, end);
}

std::optional<JsonElement> Member(JsonObject obj, std::string_view key) {
  JsonElement v;
  if (obj.at_key(key).get(v) != simdjson::SUCCESS || v.is_null()) return std::nullopt;
  return v;
}

FieldState ReadString(JsonElement e, std::string& out) {
  switch (e.type()) {
    case element_type::STRING:
      out.assign(TrimView(e.get_string().value_unsafe()));
      return FieldState::kOk;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      out = NumberText(e);
      return FieldState::kOk;
    case element_type::NULL_VALUE:
      out.clear();
      return FieldState::kAbsent;
    default:
      out.clear();
      return FieldState::kMismatch;
  }
}

FieldState ReadInt(JsonElement e, int64_t& out) {
  switch (e.type()) {
    case element_type::INT64:
      out = e.get_int64().value_unsafe();
      return FieldState::kOk;
    case element_type::UINT64: {
      uint64_t u = e.get_uint64().value_unsafe();
      if (u > static_cast<uint64_t>(INT64_MAX)) return FieldState::kMismatch;
      out = static_cast<int64_t>(u);
      return FieldState::kOk;
    }
    case element_type::DOUBLE: {
      double d = e.get_double().value_unsafe();
      if (d != std::floor(d) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18) {
        return FieldState::kMismatch;
      }
      out = static_cast<int64_t>(d);
      return FieldState::kOk;
    }
    default:
      return ReadNonNumber(e, out, [](std::string_view text) -> std::optional<int64_t> {
        auto d = Decimal::Parse(text);
        if (!d || !d->IsInteger()) return std::nullopt;
        return d->FloorToInt64();
      });
  }
}

FieldState ReadDouble(JsonElement e, double& out) {
  switch (e.type()) {
    case element_type::INT64:
      out = static_cast<double>(e.get_int64().value_unsafe());
      return FieldState::kOk;
    case element_type::UINT64:
      out = static_cast<double>(e.get_uint64().value_unsafe());
      return FieldState::kOk;
    case element_type::DOUBLE:
      out = e.get_double().value_unsafe();
      return FieldState::kOk;
    default:
      return ReadNonNumber(e, out, &ParseDoubleText);
  }
}

FieldState ReadDecimal(JsonElement e, Decimal& out) {
  std::string text;
  switch (e.type()) {
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      text = NumberText(e);
      break;
    case element_type::STRING: {
      std::string_view s;
      FieldState st = NumericString(e, s);
      if (st != FieldState::kOk) return st;
      text.assign(s);
      break;
    }
    case element_type::NULL_VALUE:
      return FieldState::kAbsent;
    default:
      return FieldState::kMismatch;
  }
  auto d = Decimal::Parse(text);
  if (!d) return FieldState::kMismatch;
  out = *d;
  return FieldState::kOk;
}

FieldState ReadBool(JsonElement e, bool& out) {
  switch (e.type()) {
    case element_type::BOOL:
      out = e.get_bool().value_unsafe();
      return FieldState::kOk;
    case element_type::STRING: {
      std::string_view s = TrimView(e.get_string().value_unsafe());
      if (EqualsIgnoringCase(s, "true") || EqualsIgnoringCase(s, "false")) {
        out = EqualsIgnoringCase(s, "true");
        return FieldState::kOk;
      }
      return s.empty() ? FieldState::kAbsent : FieldState::kMismatch;
    }
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: {
      double d = 0;
      ReadDouble(e, d);
      if (d != 0 && d != 1) return FieldState::kMismatch;
      out = d == 1;
      return FieldState::kOk;
    }
    case element_type::NULL_VALUE:
      return FieldState::kAbsent;
    default:
      return FieldState::kMismatch;
  }
}

void PayloadReader::AddNote(std::string_view note, std::string_view path, std::string_view key,
                            std::string_view what) {
  notes_.push_back(Note{std::string(note), Join(path, key, what)});
}

bool PayloadReader::Fail(std::string_view path, std::string_view key, std::string_view what) {
  if (detail_.empty()) detail_ = Join(path, key, what);
  return false;
}

std::string PayloadReader::Str(JsonObject obj, std::string_view path, std::string_view key) {
  std::string out;
  auto m = Member(obj, key);
  if (m && ReadString(*m, out) == FieldState::kMismatch) Mismatch(path, key, "not a string");
  return out;
}

std::optional<JsonObject> PayloadReader::Obj(JsonObject obj, std::string_view path,
                                             std::string_view key) {
  auto m = Member(obj, key);
  JsonObject out;
  if (!m) return std::nullopt;
  if (m->get_object().get(out) != simdjson::SUCCESS) {
    Mismatch(path, key, "not an object");
    return std::nullopt;
  }
  return out;
}

// Reads an optional numeric member with `read`; a value of the wrong kind or a negative one where
// non_negative is asked is a field_type_mismatch and reads as absent.
template <typename T>
std::optional<T> PayloadReader::Number(JsonObject obj, std::string_view path, std::string_view key,
                                       bool non_negative, FieldState (*read)(JsonElement, T&),
                                       std::string_view kind_error) {
  auto m = Member(obj, key);
  if (!m) return std::nullopt;
  T v{};
  FieldState st = read(*m, v);
  if (st == FieldState::kMismatch) Mismatch(path, key, kind_error);
  if (st != FieldState::kOk) return std::nullopt;
  if (non_negative && v < 0) {
    Mismatch(path, key, "negative");
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> PayloadReader::Int(JsonObject obj, std::string_view path,
                                          std::string_view key, bool non_negative) {
  return Number<int64_t>(obj, path, key, non_negative, ReadInt, "not an integer");
}

std::optional<double> PayloadReader::Num(JsonObject obj, std::string_view path,
                                         std::string_view key, bool non_negative) {
  return Number<double>(obj, path, key, non_negative, ReadDouble, "not a number");
}

std::optional<Decimal> PayloadReader::Dec(JsonObject obj, std::string_view path,
                                          std::string_view key) {
  auto m = Member(obj, key);
  if (!m) return std::nullopt;
  Decimal d;
  FieldState st = ReadDecimal(*m, d);
  if (st == FieldState::kMismatch) Mismatch(path, key, "not a number");
  if (st != FieldState::kOk) return std::nullopt;
  return d;
}

std::optional<bool> PayloadReader::Bool(JsonObject obj, std::string_view path,
                                        std::string_view key) {
  auto m = Member(obj, key);
  if (!m) return std::nullopt;
  bool v = false;
  FieldState st = ReadBool(*m, v);
  if (st == FieldState::kMismatch) Mismatch(path, key, "not a boolean");
  if (st != FieldState::kOk) return std::nullopt;
  return v;
}

std::optional<Millis> PayloadReader::Ts(JsonObject obj, std::string_view path,
                                        std::string_view key) {
  auto m = Member(obj, key);
  if (!m) return std::nullopt;
  std::optional<Millis> t;
  if (m->is_string()) {
    std::string_view s = TrimView(m->get_string().value_unsafe());
    if (s.empty()) return std::nullopt;
    t = ParseTimestampText(s);
  } else if (m->is_number()) {
    t = ParseTimestampText(NumberText(*m));
  }
  if (!t || !InEventTimeRange(*t, ingest_ms_)) {
    Mismatch(path, key, "not a valid time");
    return std::nullopt;
  }
  return t;
}

bool PayloadReader::RequireStr(JsonObject obj, std::string_view path, std::string_view key,
                               std::string& out, bool non_empty) {
  auto m = Member(obj, key);
  if (!m) return Fail(path, key, "absent");
  FieldState st = ReadString(*m, out);
  if (st != FieldState::kOk) return Fail(path, key, Describe(st));
  if (non_empty && out.empty()) return Fail(path, key, "empty");
  return true;
}

}  // namespace naap::event
