#pragma once
// Minimal streaming JSON writer producing compact output. Callers keep the structure valid
// (Key before every value inside an object); strings are escaped per RFC 8259.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace naap {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Double(double v);  // shortest round-trip form; NaN/Inf become null
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  JsonWriter& Raw(std::string_view json);  // an already-serialised value
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

void AppendJsonEscaped(std::string& out, std::string_view s);

}  // namespace naap
