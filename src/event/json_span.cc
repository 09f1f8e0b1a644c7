#include "event/json_span.h"

#include <simdjson.h>

#include <immintrin.h>

#include <bit>
#include <cstring>

namespace naap::event {
namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t SkipSpace(std::string_view t, size_t i) {
  while (i < t.size() && IsJsonSpace(t[i])) ++i;
  return i;
}

// t[i] is '"'; returns the index just past the closing quote.
size_t SkipString(std::string_view t, size_t i) {
  const char* begin = t.data();
  const char* end = begin + t.size();
  const char* p = begin + i + 1;
  while (p < end) {
    const char* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
    if (quote == nullptr) return t.size();
    const char* b = quote;
    while (b > p && b[-1] == '\\') --b;
    if ((quote - b) % 2 == 0) return static_cast<size_t>(quote - begin) + 1;
    p = quote + 1;
  }
  return t.size();
}

// Skips a container with AVX2: per 32-byte block, quotes give an in-string mask (prefix XOR),
// and brackets outside strings update the depth. Blocks with a backslash take the scalar path.
struct ContainerScan {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;

  // Scalar step over t[i..end); returns the index past the closing bracket or npos.
  size_t Scalar(std::string_view t, size_t i, size_t end) {
    for (; i < end; ++i) {
      char c = t[i];
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (c == '\\') {
          escaped = true;
        } else if (c == '"') {
          in_string = false;
        }
      } else if (c == '"') {
        in_string = true;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return i + 1;
      }
    }
    return std::string_view::npos;
  }

  size_t Skip(std::string_view t, size_t i) {
    const char* base = t.data();
    while (i + 32 <= t.size()) {
      __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + i));
      auto eq = [&](char c) {
        return static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(c))));
      };
      uint32_t backslashes = eq('\\');
      if (backslashes != 0 || escaped) {
        size_t r = Scalar(t, i, i + 32);
        if (r != std::string_view::npos) return r;
        i += 32;
        continue;
      }
      uint32_t quotes = eq('"');
      uint32_t inside = quotes;
      inside ^= inside << 1;
      inside ^= inside << 2;
      inside ^= inside << 4;
      inside ^= inside << 8;
      inside ^= inside << 16;
      if (in_string) inside = ~inside;
      uint32_t opens = (eq('{') | eq('[')) & ~inside;
      uint32_t closes = (eq('}') | eq(']')) & ~inside;
      if (depth > std::popcount(closes)) {
        depth += std::popcount(opens) - std::popcount(closes);
        in_string = (inside >> 31) & 1;
        i += 32;
        continue;
      }
      size_t r = Scalar(t, i, i + 32);
      if (r != std::string_view::npos) return r;
      i += 32;
    }
    size_t r = Scalar(t, i, t.size());
    return r == std::string_view::npos ? t.size() : r;
  }
};

// Index just past the value starting at t[i].
size_t SkipValue(std::string_view t, size_t i) {
  if (i >= t.size()) return i;
  char c = t[i];
  if (c == '"') return SkipString(t, i);
  if (c == '{' || c == '[') return ContainerScan{}.Skip(t, i);
  while (i < t.size() && !IsJsonSpace(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']') ++i;
  return i;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

uint32_t ReadHex4(std::string_view s, size_t i) {
  uint32_t v = 0;
  for (size_t k = i; k < i + 4 && k < s.size(); ++k) {
    int h = HexValue(s[k]);
    v = v * 16 + static_cast<uint32_t>(h < 0 ? 0 : h);
  }
  return v;
}

// Unescapes the raw contents of a JSON string (between the quotes).
std::string Unescape(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\' || i + 1 >= raw.size()) {
      out.push_back(raw[i]);
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t cp = ReadHex4(raw, i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00 && i + 6 < raw.size() && raw[i + 1] == '\\' &&
            raw[i + 2] == 'u') {
          uint32_t low = ReadHex4(raw, i + 3);
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          i += 6;
        }
        AppendUtf8(out, cp);
        break;
      }
      default: out.push_back(e);
    }
  }
  return out;
}

bool KeyEquals(std::string_view raw_key, std::string_view key) {
  if (raw_key.find('\\') == std::string_view::npos) return raw_key == key;
  return Unescape(raw_key) == key;
}

}  // namespace

std::string_view JsonValueSpan(std::string_view text) {
  size_t start = SkipSpace(text, 0);
  return text.substr(start, SkipValue(text, start) - start);
}

namespace {
// Index of the end of the last member's value in the object `t`: before the closing '}' and the
// whitespace around it; npos when the text does not end that way.
size_t LastMemberValueEnd(std::string_view t) {
  size_t end = t.size();
  while (end > 0 && IsJsonSpace(t[end - 1])) --end;
  if (end == 0 || t[end - 1] != '}') return std::string_view::npos;
  --end;
  while (end > 0 && IsJsonSpace(t[end - 1])) --end;
  return end;
}

std::optional<std::string_view> FindMemberSpan(std::string_view t, std::string_view key,
                                               bool member_is_last) {
  size_t i = SkipSpace(t, 0);
  if (i >= t.size() || t[i] != '{') return std::nullopt;
  i = SkipSpace(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    size_t key_end = SkipString(t, i);
    std::string_view raw_key = t.substr(i + 1, key_end >= i + 2 ? key_end - i - 2 : 0);
    i = SkipSpace(t, key_end);
    if (i >= t.size() || t[i] != ':') return std::nullopt;
    i = SkipSpace(t, i + 1);
    bool found = KeyEquals(raw_key, key);
    if (found && member_is_last) {
      size_t end = LastMemberValueEnd(t);
      if (end != std::string_view::npos && end > i) return t.substr(i, end - i);
    }
    size_t value_end = SkipValue(t, i);
    if (found) return t.substr(i, value_end - i);
    i = SkipSpace(t, value_end);
    if (i >= t.size() || t[i] != ',') return std::nullopt;
    i = SkipSpace(t, i + 1);
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::string_view> JsonMemberSpan(std::string_view object_text, std::string_view key) {
  return FindMemberSpan(object_text, key, /*member_is_last=*/false);
}

std::optional<std::string_view> JsonLastMemberSpan(std::string_view object_text,
                                                   std::string_view key) {
  return FindMemberSpan(object_text, key, /*member_is_last=*/true);
}

void JsonArrayElementSpans(std::string_view array_text, std::vector<std::string_view>& out) {
  out.clear();
  std::string_view t = array_text;
  size_t i = SkipSpace(t, 0);
  if (i >= t.size() || t[i] != '[') return;
  i = SkipSpace(t, i + 1);
  while (i < t.size() && t[i] != ']') {
    size_t end = SkipValue(t, i);
    if (end == i) return;
    out.push_back(t.substr(i, end - i));
    i = SkipSpace(t, end);
    if (i >= t.size() || t[i] != ',') return;
    i = SkipSpace(t, i + 1);
  }
}

void JsonMinify(std::string_view text, std::string& out) {
  out.resize(text.size() + simdjson::SIMDJSON_PADDING);
  size_t len = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), len) != simdjson::SUCCESS) {
    out.assign(text);
    return;
  }
  out.resize(len);
}

}  // namespace naap::event
