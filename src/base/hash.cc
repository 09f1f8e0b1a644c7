#include "base/hash.h"

#include <openssl/evp.h>

#include <cstring>

#include "base/strings.h"

namespace naap {

Sha256Digest Sha256(std::string_view bytes) {
  Sha256Digest d{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), d.data(), &len, EVP_sha256(), nullptr);
  return d;
}

std::string Sha256Hex(std::string_view bytes) {
  Sha256Digest d = Sha256(bytes);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

Key128 KeyDigest(std::initializer_list<std::string_view> parts) {
  std::string buf;
  for (std::string_view p : parts) {
    uint32_t n = static_cast<uint32_t>(p.size());
    buf.append(reinterpret_cast<const char*>(&n), sizeof n);
    buf.append(p);
  }
  Sha256Digest d = Sha256(buf);
  Key128 k;
  std::memcpy(&k.hi, d.data(), 8);
  std::memcpy(&k.lo, d.data() + 8, 8);
  return k;
}

}  // namespace naap
