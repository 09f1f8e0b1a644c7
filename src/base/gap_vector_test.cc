#include "base/gap_vector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace naap {
namespace {

std::vector<int64_t> Elements(const GapVector<int64_t>& v) {
  std::vector<int64_t> out;
  for (size_t i = 0; i < v.size(); ++i) out.push_back(v[i]);
  EXPECT_EQ(out, std::vector<int64_t>(v.begin(), v.end())) << "iteration and indexing disagree";
  return out;
}

TEST(GapVector, AscendingInsertsInTheMiddleKeepTheOrder) {
  GapVector<int64_t> v;
  for (int64_t x = 100; x < 200; ++x) v.push_back(x);
  // A backfill: 0..99 arrive in order, each before everything newer.
  for (int64_t x = 0; x < 100; ++x) {
    const auto pos = std::lower_bound(v.begin(), v.end(), x);
    EXPECT_EQ(pos.index(), static_cast<size_t>(x));
    EXPECT_EQ(*v.insert(pos, x), x);
  }
  std::vector<int64_t> expected(200);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(Elements(v), expected);
  EXPECT_EQ(v.front(), 0);
  EXPECT_EQ(v.back(), 199);
}

// Random inserts, erases and resizes give what a std::vector given the same calls holds.
TEST(GapVector, AnyMixOfCallsHoldsWhatAVectorHolds) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    GapVector<int64_t> v;
    std::vector<int64_t> want;
    for (int step = 0; step < 400; ++step) {
      const uint64_t op = rng() % 20;
      const size_t at = want.empty() ? 0 : rng() % (want.size() + 1);
      if (op < 15) {
        const auto value = static_cast<int64_t>(rng() % 1000);
        v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), value);
        want.insert(want.begin() + static_cast<std::ptrdiff_t>(at), value);
      } else if (op < 18) {
        const size_t to = at + (want.size() > at ? rng() % (want.size() - at + 1) : 0);
        v.erase(v.begin() + static_cast<std::ptrdiff_t>(at),
                v.begin() + static_cast<std::ptrdiff_t>(to));
        want.erase(want.begin() + static_cast<std::ptrdiff_t>(at),
                   want.begin() + static_cast<std::ptrdiff_t>(to));
      } else if (op < 19) {
        v.push_back(step);
        want.push_back(step);
      } else {
        const size_t n = rng() % (want.size() + 10);
        v.resize(n);
        want.resize(n);
      }
      ASSERT_EQ(v.size(), want.size()) << round << " " << step;
      ASSERT_EQ(Elements(v), want) << round << " " << step;
    }
  }
}

TEST(GapVector, EqualityIgnoresWhereTheGapIs) {
  GapVector<int64_t> a{1, 2, 4};
  GapVector<int64_t> b{1, 2, 3, 4};
  EXPECT_FALSE(a == b);
  a.insert(a.begin() + 2, 3);  // opens a gap after 3
  EXPECT_TRUE(a == b);
  b.erase(b.begin() + 1, b.begin() + 2);
  a.erase(a.begin() + 1, a.begin() + 2);
  EXPECT_TRUE(a == b);
  EXPECT_EQ(Elements(a), (std::vector<int64_t>{1, 3, 4}));
}

}  // namespace
}  // namespace naap
