#include "base/strings.h"

#include <algorithm>

namespace naap {
namespace {
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }
bool IsHex(char c) { return (c >= '0' && c <= '9') || (Lower(c) >= 'a' && Lower(c) <= 'f'); }
}  // namespace

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}
std::string Trim(std::string_view s) { return std::string(TrimView(s)); }
std::string ToLower(std::string_view s) {
  std::string r(s);
  LowerInPlace(r);
  return r;
}
void LowerInPlace(std::string& s) {
  for (char& c : s) c = Lower(c);
}
std::string ToUpper(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = Upper(c);
  return r;
}
std::string TrimLower(std::string_view s) { return ToLower(TrimView(s)); }
void AssignTrimLower(std::string& to, std::string_view s) {
  to.assign(TrimView(s));
  LowerInPlace(to);
}
bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return Lower(x) == Lower(y); });
}
bool ContainsIgnoringCase(std::string_view h, std::string_view n) {
  if (n.empty()) return true;
  return std::search(h.begin(), h.end(), n.begin(), n.end(),
                     [](char x, char y) { return Lower(x) == Lower(y); }) != h.end();
}
bool IsEthAddress(std::string_view s) {
  if (s.size() != 42 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
  return std::all_of(s.begin() + 2, s.end(), IsHex);
}
std::string HexEncode(std::string_view bytes) {
  static const char* const kDigits = "0123456789abcdef";
  std::string r(bytes.size() * 2, '\0');
  char* out = r.data();
  for (unsigned char c : bytes) {
    *out++ = kDigits[c >> 4];
    *out++ = kDigits[c & 15];
  }
  return r;
}

}  // namespace naap
