#pragma once
// Appends one compact JSON object member by member to a caller-owned string, in the order the
// caller writes them (the simulator reproduces the producers' member order). Keys are trusted
// literals; string values are escaped. Close() must be called once per object.
#include <cstdint>
#include <string>
#include <string_view>

namespace naap::sim {

class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_.push_back('{'); }
  JsonObject& Str(std::string_view key, std::string_view value);
  JsonObject& Int(std::string_view key, int64_t value);
  JsonObject& Num(std::string_view key, double value);  // shortest round-trip form
  JsonObject& Bool(std::string_view key, bool value);
  JsonObject& Null(std::string_view key);
  JsonObject& Raw(std::string_view key, std::string_view json);
  // Writes `key:` and returns a nested object to fill and Close().
  JsonObject Object(std::string_view key);
  // Writes `key:` and returns the string to append an array (or any value) to by hand.
  std::string& Member(std::string_view key);
  void Close() { out_.push_back('}'); }

 private:
  std::string& out_;
  bool first_ = true;
};

void AppendInt(std::string& out, int64_t value);
void AppendDouble(std::string& out, double value);

}  // namespace naap::sim
