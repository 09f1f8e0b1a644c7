#pragma once
// One counted copy of each string value, for indexes that hold many equal strings.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/hash.h"

namespace naap {

class SharedStrings {
 public:
  // The copy of `value`, held until Release has been called once for every Take of it. A held
  // copy stays at its address, also when the SharedStrings is moved (the map's nodes move along).
  const std::string* Take(std::string_view value) {
    auto it = counts_.find(value);
    if (it == counts_.end()) it = counts_.emplace(std::string(value), 0).first;
    ++it->second;
    return &it->first;
  }
  // `value` must be held.
  void Release(std::string_view value) {
    const auto it = counts_.find(value);
    if (--it->second == 0) counts_.erase(it);
  }
  size_t size() const { return counts_.size(); }

 private:
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> counts_;
};

}  // namespace naap
