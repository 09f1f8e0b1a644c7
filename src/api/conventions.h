#pragma once
// Small text conventions of spec/api.md §1 shared by the router's parts: the `<d>` duration and
// `<n>` number formats of problem details, echoed values, FNV-1a 64 (ETags, cursor query hashes),
// percent-decoding and UTF-8 checks.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.h"

namespace naap::api {

// FNV-1a 64 of bytes, continuing from `state` (start with kFnvOffsetBasis).
inline constexpr uint64_t kFnvOffsetBasis = 0xcbf29ce484222325ull;
uint64_t Fnv1a64(std::string_view bytes, uint64_t state = kFnvOffsetBasis);
// 16 lower-case hex digits.
std::string Hex16(uint64_t value);

// §1.4 `<d>`: "<n>d" when a whole number of days, else "<n>h", "<n>m", "<n>s", else "<n>ms".
std::string FormatDuration(Millis ms);
// A §1.3 number as text ("100", "0.5").
std::string FormatNumber(double value);
// §1.4 echoed value: truncated to 64 characters (code points; invalid UTF-8 bytes become U+FFFD)
// and written as a JSON string literal, quotes included: `"a\"b"`.
std::string EchoValue(std::string_view value);

bool IsValidUtf8(std::string_view bytes);
// Percent-decoding; with plus_is_space (query strings) '+' is a space. nullopt when a '%' is not
// followed by two hex digits. The result may be any bytes (check IsValidUtf8).
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace naap::api
