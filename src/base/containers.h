#pragma once
// Small algorithms over standard containers.
#include <iterator>

namespace naap {

// Applies `trim` to every value of the map `map` and erases the entries it leaves empty.
template <typename Map, typename Trim>
void TrimValues(Map& map, const Trim& trim) {
  for (auto it = map.begin(); it != map.end();) {
    trim(it->second);
    it = it->second.empty() ? map.erase(it) : std::next(it);
  }
}

}  // namespace naap
