#include "base/hash.h"

#include <openssl/evp.h>
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
  // One XXH3-128 call over the length-prefixed parts laid end to end: on the stack when they fit,
  // as event ids do. (The same digest as streaming the parts, at a fraction of the cost.)
  size_t size = 0;
  for (std::string_view p : parts) size += sizeof(uint32_t) + p.size();
  char stack[256] = {};  // zeroed: the compiler cannot tell that `size` bytes get written
  std::string heap;
  char* joined = stack;
  if (size > sizeof stack) {
    heap.resize(size);
    joined = heap.data();
  }
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
