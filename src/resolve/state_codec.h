#pragma once
// Bytes of the resolver's state: its facts (fact_codec.h) and the indexes of its checkpoint
// (Resolver::SaveState). Put writes a value with base/bytes.h, Get reads it back (false on
// truncated or malformed bytes, never reading past them). Containers write their size, then their
// elements in iteration order. A struct lists its members once, in a Fields(self, fn) overload
// found by argument-dependent lookup, which calls fn with every member in declaration order
// (`self` is const when encoding); Put and Get both walk that list. Get(Put(x)) == x for every
// type here.
#include <bit>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/decimal.h"
#include "base/sketch.h"

namespace naap::resolve::state_codec {

template <typename T>
concept HasFields = requires(const T& t) {
  Fields(t, [](const auto&...) { return true; });
};

// The templates below call one another, so each is declared before any is defined.
template <HasFields T>
void Put(ByteWriter& w, const T& v);
template <HasFields T>
bool Get(ByteReader& r, T& v);
template <typename... T>
void Put(ByteWriter& w, const std::tuple<T...>& v);
template <typename... T>
bool Get(ByteReader& r, std::tuple<T...>& v);
template <typename A, typename B>
void Put(ByteWriter& w, const std::pair<A, B>& v);
template <typename A, typename B>
bool Get(ByteReader& r, std::pair<A, B>& v);
template <typename T>
void Put(ByteWriter& w, const std::optional<T>& v);
template <typename T>
bool Get(ByteReader& r, std::optional<T>& v);
template <typename Container>
requires requires(const Container& c) { c.begin(), c.end(), c.size(); }
void Put(ByteWriter& w, const Container& v);
template <typename T>
bool Get(ByteReader& r, std::vector<T>& v);
template <typename T, typename Less>
bool Get(ByteReader& r, std::set<T, Less>& v);
template <typename K, typename V, typename Less>
bool Get(ByteReader& r, std::map<K, V, Less>& v);
template <typename K, typename V, typename Hash, typename Eq>
bool Get(ByteReader& r, std::unordered_map<K, V, Hash, Eq>& v);

inline void Put(ByteWriter& w, int64_t v) { w.Int(v); }
inline void Put(ByteWriter& w, int v) { w.Int(v); }
inline void Put(ByteWriter& w, uint64_t v) { w.Varint(v); }
inline void Put(ByteWriter& w, uint32_t v) { w.Varint(v); }
inline void Put(ByteWriter& w, bool v) { w.Bool(v); }
inline void Put(ByteWriter& w, double v) { w.Fixed64(std::bit_cast<uint64_t>(v)); }
inline void Put(ByteWriter& w, const std::string& v) { w.String(v); }

inline bool Get(ByteReader& r, int64_t& v) { return r.Int(v); }
inline bool Get(ByteReader& r, int& v) {
  int64_t wide = 0;
  if (!r.Int(wide) || wide < INT32_MIN || wide > INT32_MAX) return false;
  v = static_cast<int>(wide);
  return true;
}
inline bool Get(ByteReader& r, uint64_t& v) { return r.Varint(v); }
inline bool Get(ByteReader& r, uint32_t& v) {
  uint64_t wide = 0;
  if (!r.Varint(wide) || wide > UINT32_MAX) return false;
  v = static_cast<uint32_t>(wide);
  return true;
}
inline bool Get(ByteReader& r, bool& v) { return r.Bool(v); }
inline bool Get(ByteReader& r, double& v) {
  uint64_t bits = 0;
  if (!r.Fixed64(bits)) return false;
  v = std::bit_cast<double>(bits);
  return true;
}
inline bool Get(ByteReader& r, std::string& v) { return r.String(v); }

inline void Put(ByteWriter& w, const Wei& v) { w.U128(v.value()); }
inline void Put(ByteWriter& w, const Decimal& v) { w.String(v.ToString()); }
inline void Put(ByteWriter& w, const QuantileSketch& v) { w.String(v.Serialize()); }
inline bool Get(ByteReader& r, Wei& v) {
  unsigned __int128 raw;
  if (!r.U128(raw)) return false;
  const std::optional<Wei> wei = Wei::FromU128(raw);
  if (wei) v = *wei;
  return wei.has_value();
}
inline bool Get(ByteReader& r, Decimal& v) {
  std::string text;
  if (!r.String(text)) return false;
  const std::optional<Decimal> d = Decimal::Parse(text);
  if (d) v = *d;
  return d.has_value();
}
inline bool Get(ByteReader& r, QuantileSketch& v) {
  std::string bytes;
  if (!r.String(bytes)) return false;
  Result<QuantileSketch> sketch = QuantileSketch::Parse(bytes);
  if (sketch.ok()) v = std::move(*sketch);
  return sketch.ok();
}

template <HasFields T>
void Put(ByteWriter& w, const T& v) {
  Fields(v, [&w](const auto&... field) {
    (Put(w, field), ...);
    return true;
  });
}
template <HasFields T>
bool Get(ByteReader& r, T& v) {
  return Fields(v, [&r](auto&... field) { return (Get(r, field) && ...); });
}

template <typename... T>
void Put(ByteWriter& w, const std::tuple<T...>& v) {
  std::apply([&](const auto&... field) { (Put(w, field), ...); }, v);
}
template <typename... T>
bool Get(ByteReader& r, std::tuple<T...>& v) {
  return std::apply([&](auto&... field) { return (Get(r, field) && ...); }, v);
}

template <typename A, typename B>
void Put(ByteWriter& w, const std::pair<A, B>& v) {
  Put(w, v.first);
  Put(w, v.second);
}
template <typename A, typename B>
bool Get(ByteReader& r, std::pair<A, B>& v) {
  return Get(r, v.first) && Get(r, v.second);
}

template <typename T>
void Put(ByteWriter& w, const std::optional<T>& v) {
  w.Bool(v.has_value());
  if (v) Put(w, *v);
}
template <typename T>
bool Get(ByteReader& r, std::optional<T>& v) {
  bool present = false;
  if (!r.Bool(present)) return false;
  if (!present) {
    v.reset();
    return true;
  }
  return Get(r, v.emplace());
}

// Sequences and associative containers.
template <typename Container>
requires requires(const Container& c) { c.begin(), c.end(), c.size(); }
void Put(ByteWriter& w, const Container& v) {
  w.Varint(v.size());
  for (const auto& element : v) Put(w, element);
}

template <typename T>
bool Get(ByteReader& r, std::vector<T>& v) {
  uint64_t n = 0;
  if (!r.Varint(n)) return false;
  v.clear();
  for (uint64_t i = 0; i < n; ++i) {
    if (!Get(r, v.emplace_back())) return false;
  }
  return true;
}

// Sets and maps: `n` more elements read one by one and inserted into `v` (Get reads n first and
// starts from an empty container; the resolver's checkpoint writes big ones in chunks).
template <typename Container>
struct ElementOf {
  using type = typename Container::value_type;
};
template <typename Container>
requires requires { typename Container::mapped_type; }
struct ElementOf<Container> {  // a map's elements are read with a key that is not const
  using type = std::pair<typename Container::key_type, typename Container::mapped_type>;
};
template <typename Container>
bool GetElements(ByteReader& r, uint64_t n, Container& v) {
  for (uint64_t i = 0; i < n; ++i) {
    typename ElementOf<Container>::type element;
    if (!Get(r, element)) return false;
    v.insert(v.end(), std::move(element));
  }
  return true;
}
template <typename Container>
bool GetInserting(ByteReader& r, Container& v) {
  uint64_t n = 0;
  if (!r.Varint(n)) return false;
  v.clear();
  return GetElements(r, n, v);
}
template <typename T, typename Less>
bool Get(ByteReader& r, std::set<T, Less>& v) {
  return GetInserting(r, v);
}
template <typename K, typename V, typename Less>
bool Get(ByteReader& r, std::map<K, V, Less>& v) {
  return GetInserting(r, v);
}
template <typename K, typename V, typename Hash, typename Eq>
bool Get(ByteReader& r, std::unordered_map<K, V, Hash, Eq>& v) {
  return GetInserting(r, v);
}

}  // namespace naap::resolve::state_codec
