#pragma once
// The opaque list cursor of spec/api.md §1.6: base64url without padding of the compact JSON
// {"v":1,"q":"<16 hex>","w":[start,end]|null,"k":[…]}. `q` is the query hash, `w` the window
// page 1 resolved, `k` the last returned row's key values as strings.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/route.h"
#include "base/status.h"

namespace naap::api {

struct Cursor {
  std::string query_hash;  // 16 lower-case hex digits
  std::optional<Window> window;
  std::vector<std::string> key;
};

std::string EncodeCursor(const Cursor& cursor);
// InvalidArgument carrying the §1.6 detail: "invalid cursor: malformed" (bad base64url, JSON,
// members or member types) or "invalid cursor: unsupported version".
Result<Cursor> DecodeCursor(std::string_view text);

// FNV-1a 64 over the route pattern and the (name, value) pairs sorted bytewise, as 16 hex
// digits. Bytes hashed: pattern, then "\n<name>=<value>" per pair.
std::string QueryHash(std::string_view pattern,
                      std::vector<std::pair<std::string, std::string>> pairs);

std::string Base64UrlEncode(std::string_view bytes);
std::optional<std::string> Base64UrlDecode(std::string_view text);  // unpadded only

}  // namespace naap::api
