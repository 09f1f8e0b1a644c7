#pragma once
// Exact text spans inside JSON that a validating parser has already accepted (the DOM keeps
// values, not text). Used for the wrapper's `value` text and capability element hashes.
// Behaviour on invalid JSON is bounded (never reads outside the input) but unspecified.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace naap::event {

// Span of the value starting at the first non-whitespace byte of `text`.
std::string_view JsonValueSpan(std::string_view text);
// Span of the first member `key` (compared unescaped) of the object `object_text`.
std::optional<std::string_view> JsonMemberSpan(std::string_view object_text, std::string_view key);
// As JsonMemberSpan, for a caller that knows (from a DOM of the same text) that the first member
// `key` is the object's last member and that only whitespace follows the object: the value's end
// is taken from the end of the text instead of scanning the value.
std::optional<std::string_view> JsonLastMemberSpan(std::string_view object_text,
                                                   std::string_view key);
// Spans of the elements of the array `array_text`, appended to `out` after clearing it.
void JsonArrayElementSpans(std::string_view array_text, std::vector<std::string_view>& out);
// `text` with insignificant whitespace removed (simdjson::minify), into `out`.
void JsonMinify(std::string_view text, std::string& out);

}  // namespace naap::event
