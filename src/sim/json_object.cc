#include "sim/json_object.h"

#include <charconv>

#include "base/json_writer.h"

namespace naap::sim {

void AppendInt(std::string& out, int64_t value) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

void AppendDouble(std::string& out, double value) {
  char digits[32];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

std::string& JsonObject::Member(std::string_view key) {
  if (!first_) out_.push_back(',');
  first_ = false;
  out_.push_back('"');
  out_.append(key);
  out_.append("\":");
  return out_;
}

JsonObject& JsonObject::Str(std::string_view key, std::string_view value) {
  std::string& out = Member(key);
  for (unsigned char c : value) {
    if (c < 0x20 || c == '"' || c == '\\') {
      AppendJsonEscaped(out, value);  // writes the quotes too
      return *this;
    }
  }
  out.push_back('"');
  out.append(value);
  out.push_back('"');
  return *this;
}

JsonObject& JsonObject::Int(std::string_view key, int64_t value) {
  AppendInt(Member(key), value);
  return *this;
}

JsonObject& JsonObject::Num(std::string_view key, double value) {
  AppendDouble(Member(key), value);
  return *this;
}

JsonObject& JsonObject::Bool(std::string_view key, bool value) {
  Member(key).append(value ? "true" : "false");
  return *this;
}

JsonObject& JsonObject::Null(std::string_view key) {
  Member(key).append("null");
  return *this;
}

JsonObject& JsonObject::Raw(std::string_view key, std::string_view json) {
  Member(key).append(json);
  return *this;
}

JsonObject JsonObject::Object(std::string_view key) { return JsonObject(Member(key)); }

}  // namespace naap::sim
