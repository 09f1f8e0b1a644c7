#pragma once
// Reads payload members with the kind rules of spec/events.md §0 and §5: optional fields of an
// unusable kind or value become absent and add note `field_type_mismatch`; required fields that
// fail record the first failure as the reject detail ("data.request_id: absent").
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/decimal.h"
#include "base/time.h"
#include "event/decoded.h"

namespace naap::event {

using JsonElement = simdjson::dom::element;
using JsonObject = simdjson::dom::object;
using JsonArray = simdjson::dom::array;

enum class FieldState { kAbsent, kOk, kMismatch };

// Element conversions (no notes). Strings accept numbers as their text (§5.1); numbers accept
// numeric strings (numstr, §5.6); an empty string is absent for every numeric kind.
FieldState ReadString(JsonElement e, std::string& out);  // trimmed
FieldState ReadInt(JsonElement e, int64_t& out);         // integral value within int64
FieldState ReadDouble(JsonElement e, double& out);
FieldState ReadDecimal(JsonElement e, Decimal& out);     // exact
FieldState ReadBool(JsonElement e, bool& out);           // true/false, "true"/"false", 1/0
// A number's text: integers exactly; other numbers as the shortest round-trip form.
std::string NumberText(JsonElement e);
// Member `key` when present and not null.
std::optional<JsonElement> Member(JsonObject obj, std::string_view key);

class PayloadReader {
 public:
  PayloadReader(std::vector<Note>& notes, Millis ingest_ms) : notes_(notes), ingest_ms_(ingest_ms) {}

  // Optional members; `path` names the containing object for notes ("data.stats").
  std::string Str(JsonObject obj, std::string_view path, std::string_view key);
  std::optional<int64_t> Int(JsonObject obj, std::string_view path, std::string_view key,
                             bool non_negative = false);
  std::optional<double> Num(JsonObject obj, std::string_view path, std::string_view key,
                            bool non_negative = false);
  std::optional<Decimal> Dec(JsonObject obj, std::string_view path, std::string_view key);
  std::optional<bool> Bool(JsonObject obj, std::string_view path, std::string_view key);
  std::optional<JsonObject> Obj(JsonObject obj, std::string_view path, std::string_view key);
  // §2.2 parser and range; failure → NULL and a note.
  std::optional<Millis> Ts(JsonObject obj, std::string_view path, std::string_view key);

  // Required string (present, a string or number); false sets detail().
  bool RequireStr(JsonObject obj, std::string_view path, std::string_view key, std::string& out,
                  bool non_empty = false);
  // Records a reject detail (the first one wins) and returns false.
  bool Fail(std::string_view path, std::string_view key, std::string_view what);
  // Adds a note with detail "path.key: what".
  void AddNote(std::string_view note, std::string_view path, std::string_view key,
               std::string_view what);
  // Note element_skipped naming what was skipped ("price row").
  void SkipElement(std::string_view what) { notes_.push_back(Note{"element_skipped", std::string(what)}); }
  void Mismatch(std::string_view path, std::string_view key, std::string_view what) {
    AddNote("field_type_mismatch", path, key, what);
  }

  const std::string& detail() const { return detail_; }
  Millis ingest_ms() const { return ingest_ms_; }

 private:
  template <typename T>
  std::optional<T> Number(JsonObject obj, std::string_view path, std::string_view key,
                          bool non_negative, FieldState (*read)(JsonElement, T&),
                          std::string_view kind_error);

  std::vector<Note>& notes_;
  Millis ingest_ms_;
  std::string detail_;
};

}  // namespace naap::event
