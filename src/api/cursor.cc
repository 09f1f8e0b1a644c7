#include "api/cursor.h"

#include <simdjson.h>

#include <algorithm>

#include "api/conventions.h"
#include "base/json_writer.h"

namespace naap::api {
namespace {

constexpr std::string_view kBase64UrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int Base64UrlValue(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

Status Malformed() { return InvalidArgument("invalid cursor: malformed"); }

}  // namespace

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kBase64UrlAlphabet[(buffer >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kBase64UrlAlphabet[(buffer << (6 - bits)) & 63]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int value = Base64UrlValue(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string EncodeCursor(const Cursor& cursor) {
  JsonWriter w;
  w.BeginObject().Key("v").Int(1).Key("q").String(cursor.query_hash).Key("w");
  if (cursor.window) {
    w.BeginArray().Int(cursor.window->start).Int(cursor.window->end).EndArray();
  } else {
    w.Null();
  }
  w.Key("k").BeginArray();
  for (const std::string& value : cursor.key) w.String(value);
  w.EndArray().EndObject();
  return Base64UrlEncode(w.str());
}

Result<Cursor> DecodeCursor(std::string_view text) {
  std::optional<std::string> json = Base64UrlDecode(text);
  if (!json) return Malformed();
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(simdjson::padded_string(*json)).get(root) != simdjson::SUCCESS)
    return Malformed();
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) return Malformed();

  int64_t version = 0;
  if (object["v"].get_int64().get(version) != simdjson::SUCCESS) return Malformed();
  if (version != 1) return InvalidArgument("invalid cursor: unsupported version");

  Cursor cursor;
  std::string_view hash;
  if (object["q"].get_string().get(hash) != simdjson::SUCCESS) return Malformed();
  cursor.query_hash = std::string(hash);

  simdjson::dom::element window;
  if (object["w"].get(window) != simdjson::SUCCESS) return Malformed();
  if (!window.is_null()) {
    simdjson::dom::array bounds;
    if (window.get_array().get(bounds) != simdjson::SUCCESS || bounds.size() != 2)
      return Malformed();
    Window w;
    if (bounds.at(0).get_int64().get(w.start) != simdjson::SUCCESS ||
        bounds.at(1).get_int64().get(w.end) != simdjson::SUCCESS) {
      return Malformed();
    }
    cursor.window = w;
  }

  simdjson::dom::array key;
  if (object["k"].get_array().get(key) != simdjson::SUCCESS) return Malformed();
  for (simdjson::dom::element value : key) {
    std::string_view text_value;
    if (value.get_string().get(text_value) != simdjson::SUCCESS) return Malformed();
    cursor.key.emplace_back(text_value);
  }
  return cursor;
}

std::string QueryHash(std::string_view pattern,
                      std::vector<std::pair<std::string, std::string>> pairs) {
  std::sort(pairs.begin(), pairs.end());
  uint64_t state = Fnv1a64(pattern);
  for (const auto& [name, value] : pairs) {
    state = Fnv1a64("\n", state);
    state = Fnv1a64(name, state);
    state = Fnv1a64("=", state);
    state = Fnv1a64(value, state);
  }
  return Hex16(state);
}

}  // namespace naap::api
