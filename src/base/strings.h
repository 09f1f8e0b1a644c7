#pragma once
// ASCII string helpers used by normalisation. Trim removes leading/trailing ASCII whitespace;
// lower/upper touch ASCII letters only.
#include <string>
#include <string_view>

namespace naap {

std::string_view TrimView(std::string_view s);
std::string Trim(std::string_view s);
std::string ToLower(std::string_view s);
void LowerInPlace(std::string& s);
std::string ToUpper(std::string_view s);
std::string TrimLower(std::string_view s);
// TrimLower into `to`, reusing its capacity.
void AssignTrimLower(std::string& to, std::string_view s);
bool StartsWith(std::string_view s, std::string_view prefix);
bool ContainsIgnoringCase(std::string_view haystack, std::string_view needle);
bool EqualsIgnoringCase(std::string_view a, std::string_view b);
// "0x" followed by exactly 40 hex digits (any case).
bool IsEthAddress(std::string_view s);
std::string HexEncode(std::string_view bytes);

}  // namespace naap
