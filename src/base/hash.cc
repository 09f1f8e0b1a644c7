#include "base/hash.h"

#include <openssl/evp.h>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

#include <cstring>

#include "base/strings.h"

namespace naap {

Sha256Digest Sha256(std::string_view bytes) {
  // Fetching the implementation once avoids a provider look-up per call.
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  Sha256Digest d{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), d.data(), &len, kSha256, nullptr);
  return d;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256Digest d = Sha256(bytes);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Key128 KeyDigest(std::initializer_list<std::string_view> parts) {
  // The digest of the length-prefixed parts laid end to end. Short keys (event ids) are laid out on
  // the stack and hashed in one call, which gives the streamed digest at a fraction of the cost.
  char joined[256] = {};  // zeroed: the compiler cannot tell that `size` bytes get written
  size_t size = 0;
  for (std::string_view p : parts) size += sizeof(uint32_t) + p.size();
  if (size <= sizeof joined) {
    char* out = joined;
    for (std::string_view p : parts) {
      const auto n = static_cast<uint32_t>(p.size());
      std::memcpy(out, &n, sizeof n);
      std::memcpy(out + sizeof n, p.data(), p.size());
      out += sizeof n + p.size();
    }
    const XXH128_hash_t h = XXH3_128bits(joined, size);
    return {h.high64, h.low64};
  }
  XXH3_state_t state;
  XXH3_128bits_reset(&state);
  for (std::string_view p : parts) {
    uint32_t n = static_cast<uint32_t>(p.size());
    XXH3_128bits_update(&state, &n, sizeof n);
    XXH3_128bits_update(&state, p.data(), p.size());
  }
  XXH128_hash_t h = XXH3_128bits_digest(&state);
  return {h.high64, h.low64};
}

Key128 ContentHash(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return {h.high64, h.low64};
}

std::string Hid(std::initializer_list<std::string_view> parts) {
  std::string joined;
  bool first = true;
  for (std::string_view p : parts) {
    if (!first) joined.push_back('|');
    joined.append(p);
    first = false;
  }
  return Sha256Hex(joined).substr(0, 32);
}

}  // namespace naap
