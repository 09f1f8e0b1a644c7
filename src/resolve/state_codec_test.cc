#include "resolve/state_codec.h"

#include <gtest/gtest.h>

#include <concepts>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace naap::resolve {
namespace {

struct Sample {
  std::string name;
  int64_t ts = 0;
  std::optional<double> rate;
  bool flag = false;
  friend bool operator==(const Sample&, const Sample&) = default;
};
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, Sample>
bool Fields(Self& s, Fn&& fn) { return fn(s.name, s.ts, s.rate, s.flag); }

template <typename T>
std::string Encoded(const T& value) {
  std::string bytes;
  ByteWriter w(bytes);
  state_codec::Put(w, value);
  return bytes;
}

template <typename T>
void ExpectRoundTrip(const T& value) {
  const std::string bytes = Encoded(value);
  T decoded{};
  ByteReader r(bytes);
  ASSERT_TRUE(state_codec::Get(r, decoded));
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(decoded == value);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {  // every truncation fails, never overreads
    T partial{};
    ByteReader short_reader(std::string_view(bytes).substr(0, cut));
    EXPECT_FALSE(state_codec::Get(short_reader, partial)) << "cut at " << cut;
  }
}

TEST(StateCodec, NestedContainersAndStructsRoundTrip) {
  ExpectRoundTrip(std::map<std::string, std::set<std::pair<int64_t, std::string>>>{
      {"a:0xabc", {{-5, "e1"}, {std::numeric_limits<int64_t>::max(), ""}}}, {"u:x", {{0, "e2"}}}});
  ExpectRoundTrip(std::map<std::tuple<std::string, std::string, std::string>, int64_t>{
      {{"s", "p", ""}, 3}, {{"", "", "ev"}, -1}});
  ExpectRoundTrip(std::unordered_map<std::string, std::map<int64_t, int64_t>>{
      {"k1", {{3'600'000, 2}}}, {"k2", {}}});
  ExpectRoundTrip(
      std::map<std::string, std::optional<Sample>>{{"r1", Sample{"w", 12, 0.25, true}},
                                                   {"r2", Sample{"", -1, std::nullopt, false}},
                                                   {"r3", std::nullopt}});
  ExpectRoundTrip(std::vector<std::pair<int64_t, int64_t>>{{1, 2}, {3, 4}});
  ExpectRoundTrip(std::optional<int64_t>());
}

TEST(StateCodec, AnIntOutOfRangeDoesNotDecode) {
  const std::string bytes = Encoded(int64_t{1} << 40);
  int narrow = 0;
  ByteReader r(bytes);
  EXPECT_FALSE(state_codec::Get(r, narrow));
}

}  // namespace
}  // namespace naap::resolve
