#pragma once
// SHA-256 (OpenSSL) for content hashes and rejected-message dedup keys, and a 128-bit key
// digest (the first 16 bytes of SHA-256) for dedup keys of accepted/ignored messages.
#include <array>
#include <cstdint>
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
// Digest of the concatenation of parts, each length-prefixed (so ("ab","c") != ("a","bc")).
Key128 KeyDigest(std::initializer_list<std::string_view> parts);

}  // namespace naap
