#include "ingest/dedup.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

namespace naap::ingest {
namespace {

// Keys crowded into a few of the 256 parts (same top byte) and spread over all of them, so parts
// merge one by one, buckets are uneven and probe sequences wrap around the end of a table.
std::vector<Key128> TestKeys(size_t n) {
  std::mt19937_64 rng(7);
  std::vector<Key128> keys;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t hi = i % 3 == 0 ? (rng() >> 8) : rng();  // a third share top byte 0
    keys.push_back(Key128{hi, i % 5 == 0 ? ~uint64_t{0} - i % 7 : rng()});
  }
  return keys;
}

TEST(KeySet, HoldsExactlyTheInsertedKeysThroughEveryMerge) {
  const std::vector<Key128> keys = TestKeys(200000);
  KeySet set;
  std::set<Key128> expected;
  for (size_t i = 0; i < keys.size(); ++i) {
    const bool is_new = expected.insert(keys[i]).second;
    EXPECT_EQ(set.Insert(keys[i]), is_new) << i;
    EXPECT_FALSE(set.Insert(keys[i])) << i;
    if (i % 997 == 0) {  // everything inserted so far is still found after the merges since
      for (size_t j = 0; j <= i; j += 101) ASSERT_TRUE(set.Contains(keys[j])) << i << " " << j;
    }
  }
  EXPECT_EQ(set.size(), expected.size());
  for (const Key128& key : keys) EXPECT_TRUE(set.Contains(key));
  size_t absent = 0;
  for (const Key128& key : TestKeys(400000)) {
    if (expected.count(key) == 0) {
      ++absent;
      EXPECT_FALSE(set.Contains(key));
    }
  }
  EXPECT_GT(absent, 0u);
}

TEST(KeySet, AMergedKeyKeepsItsTop88Bits) {
  // 300 keys of part 0x12 pass its merge threshold (256), so the first of them is merged.
  KeySet set;
  std::mt19937_64 rng(11);
  const Key128 first{0x12ull << 56 | (rng() >> 8), rng()};
  ASSERT_TRUE(set.Insert(first));
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(set.Insert(Key128{0x12ull << 56 | (rng() >> 8), rng()}));
  }
  // The low 40 bits are dropped; every one of the 88 bits above them is kept.
  EXPECT_TRUE(set.Contains(Key128{first.hi, first.lo ^ 0xff'ffff'ffffull}));
  for (int bit = 40; bit < 64; ++bit) {
    EXPECT_FALSE(set.Contains(Key128{first.hi, first.lo ^ (1ull << bit)})) << bit;
  }
  for (int bit = 0; bit < 64; ++bit) {
    EXPECT_FALSE(set.Contains(Key128{first.hi ^ (1ull << bit), first.lo})) << bit;
  }
}

TEST(KeySet, TheAllZeroKeyIsAKeyLikeAnyOther) {
  KeySet set;
  EXPECT_FALSE(set.Contains(Key128{}));
  EXPECT_TRUE(set.Insert(Key128{}));
  EXPECT_FALSE(set.Insert(Key128{}));
  EXPECT_TRUE(set.Contains(Key128{}));
  EXPECT_FALSE(set.Contains(Key128{0, 1}));
  EXPECT_TRUE(set.Insert(Key128{0, 1}));
  EXPECT_EQ(set.size(), 2u);
}

TEST(DedupIndex, KeysAreScopedByOrg) {
  DedupIndex index;
  const Key128 key = EventIdKey("5dd0cf64-52fd-4067-86d7-a0d19508952b");
  EXPECT_TRUE(index.Insert("daydream", key));
  EXPECT_FALSE(index.Insert("daydream", key));
  EXPECT_TRUE(index.Contains("daydream", key));
  EXPECT_FALSE(index.Contains("livepeer", key));
  EXPECT_TRUE(index.Insert("livepeer", key));
  EXPECT_EQ(index.size(), 2u);
}

}  // namespace
}  // namespace naap::ingest
