#pragma once
// SHA-256 (OpenSSL) where the spec names it (rejected-message bytes, capability element hashes),
// and XXH3-128 for the hot path: dedup keys and raw-log content hashes. XXH3-128 is not
// cryptographic; a collision between two of ~10^10 keys has probability ~10^-19.
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace naap {

using Sha256Digest = std::array<uint8_t, 32>;
Sha256Digest Sha256(std::string_view bytes);
std::string Sha256Hex(std::string_view bytes);

struct Key128 {
  uint64_t hi = 0, lo = 0;
  friend bool operator==(const Key128&, const Key128&) = default;
  friend auto operator<=>(const Key128&, const Key128&) = default;
};
// XXH3-128 of the parts, each length-prefixed (so ("ab","c") != ("a","bc")).
Key128 KeyDigest(std::initializer_list<std::string_view> parts);
// XXH3-128 of bytes.
Key128 ContentHash(std::string_view bytes);

// std::hash of a string's characters, transparent: a container keyed by std::string finds a key by
// a std::string_view (with std::equal_to<>) without copying it.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// hid(a, b, …) of spec/analytics.md §0.1: the first 32 lower-case hex characters of SHA-256 of
// the parts joined by '|'. Every id naap derives (snapshots, versions, selections, …).
std::string Hid(std::initializer_list<std::string_view> parts);

}  // namespace naap
