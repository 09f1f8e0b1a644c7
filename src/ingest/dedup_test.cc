#include "ingest/dedup.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "base/scoped_env.h"

namespace naap::ingest {
namespace {

// Keys of which a third share their top byte and a fifth their lo half up to a few values, so
// probe sequences wrap around the end of a table and filter blocks and pages fill unevenly.
std::vector<Key128> TestKeys(size_t n) {
  std::mt19937_64 rng(7);
  std::vector<Key128> keys;
  for (size_t i = 0; i < n; ++i) {
    const uint64_t hi = i % 3 == 0 ? (rng() >> 8) : rng();  // a third share top byte 0
    keys.push_back(Key128{hi, i % 5 == 0 ? ~uint64_t{0} - i % 7 : rng()});
  }
  return keys;
}

std::vector<Key128> Sorted(std::vector<Key128> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// Expects `run` to hold exactly `held`: each of them, and none of the keys one bit away.
void ExpectHoldsExactly(const KeyRun& run, const std::vector<Key128>& held) {
  const std::set<Key128> set(held.begin(), held.end());
  EXPECT_EQ(run.size(), held.size());
  for (size_t i = 0; i < held.size(); ++i) {
    ASSERT_TRUE(run.Contains(held[i])) << i;
    const Key128 near[] = {{held[i].hi, held[i].lo ^ (1ull << (i % 64))},
                           {held[i].hi ^ (1ull << (i % 64)), held[i].lo}};
    for (const Key128& key : near) EXPECT_EQ(run.Contains(key), set.count(key) == 1) << i;
  }
}

TEST(KeyRun, HoldsExactlyItsKeysInTheFileOrInMemoryWhenThereIsNoFile) {
  const std::vector<Key128> keys = Sorted(TestKeys(5000));  // 20 pages, the last one partial
  const KeyRun in_file = KeyRun::FromSorted(keys);
  EXPECT_TRUE(in_file.in_file());
  ExpectHoldsExactly(in_file, keys);
  ScopedEnv missing("TMPDIR", "/nonexistent/naap-dedup-test");
  const KeyRun in_memory = KeyRun::FromSorted(keys);
  EXPECT_FALSE(in_memory.in_file());
  ExpectHoldsExactly(in_memory, keys);
  EXPECT_FALSE(KeyRun::FromSorted({}).Contains(keys[0]));
}

// The filter never rejects a held key, and lets through about 0.1 % of other keys (16 bits a
// key, 8 bits set per key in a 512-bit block); the bound leaves room for chance.
TEST(KeyRun, TheFilterPassesEveryHeldKeyAndFewOthers) {
  std::mt19937_64 rng(5);
  std::vector<Key128> held(200000);
  for (Key128& key : held) key = {rng(), rng()};
  const KeyRun run = KeyRun::FromSorted(Sorted(held));
  for (const Key128& key : held) ASSERT_TRUE(run.MayContain(key));
  size_t passed = 0;
  const size_t tries = 1000000;
  for (size_t i = 0; i < tries; ++i) passed += run.MayContain({rng(), rng()});
  EXPECT_LT(passed, tries / 400);  // < 0.25 %
  EXPECT_GT(passed, 0u);
  std::printf("filter false positives: %zu of %zu\n", passed, tries);
}

TEST(KeyRun, AMergeHoldsTheKeysOfBothRuns) {
  const std::vector<Key128> keys = Sorted(TestKeys(30000));
  std::vector<Key128> a, b;
  for (size_t i = 0; i < keys.size(); ++i) (i % 3 == 0 ? a : b).push_back(keys[i]);
  const KeyRun run_a = KeyRun::FromSorted(a);
  const KeyRun merged = KeyRun::Merge(run_a, KeyRun::FromSorted(b));
  EXPECT_TRUE(merged.in_file());
  ExpectHoldsExactly(merged, keys);
  // A run in a file merged with one in memory.
  ScopedEnv missing("TMPDIR", "/nonexistent/naap-dedup-test");
  const KeyRun mixed = KeyRun::Merge(run_a, KeyRun::FromSorted(b));
  EXPECT_FALSE(mixed.in_file());
  ExpectHoldsExactly(mixed, keys);
}

TEST(KeyRun, ARunWrittenOverTheFileOfALargerOneHoldsOnlyItsOwnKeys) {
  const std::vector<Key128> keys = Sorted(TestKeys(30000));
  std::vector<Key128> large, small;
  for (size_t i = 0; i < keys.size(); ++i) (i % 4 == 0 ? small : large).push_back(keys[i]);
  KeyRun first = KeyRun::FromSorted(large);
  ASSERT_TRUE(first.in_file());
  TempFile file = std::move(first).TakeFile();
  EXPECT_EQ(first.size(), 0u);
  const int fd = file.fd();
  // The file's tail still holds keys of `large` past the end of `small`'s: none may be found.
  KeyRun second = KeyRun::FromSorted(small, std::move(file));
  EXPECT_TRUE(second.in_file());
  ExpectHoldsExactly(second, small);
  for (size_t i = 0; i < large.size(); i += 7) EXPECT_FALSE(second.Contains(large[i])) << i;
  // A merge written over the same file again, which it reads none of.
  KeyRun reused = KeyRun::FromSorted(small);
  KeyRun merged = KeyRun::Merge(second, KeyRun::FromSorted(large), std::move(reused).TakeFile());
  ExpectHoldsExactly(merged, keys);
  EXPECT_EQ(std::move(second).TakeFile().fd(), fd);  // the run wrote over the file it was given
}

TEST(KeyRun, AWriteThatFailsMidwayLeavesTheRunInMemory) {
  const std::vector<Key128> keys = Sorted(TestKeys(20000));  // 320,000 bytes in 5 writes
  // Files may not grow past 100,000 bytes: the second write fails (EFBIG, SIGXFSZ ignored).
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &before), 0);
  const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = before;
  small.rlim_cur = 100000;
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
  const KeyRun run = KeyRun::FromSorted(keys);
  ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &before), 0);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_FALSE(run.in_file());
  ExpectHoldsExactly(run, keys);
}

TEST(KeySet, HoldsExactlyTheInsertedKeysThroughEverySpillAndMerge) {
  const std::vector<Key128> keys = TestKeys(200000);
  KeySet set(1000);  // 200 spills
  std::set<Key128> expected;
  size_t max_runs = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const bool is_new = expected.insert(keys[i]).second;
    EXPECT_EQ(set.Insert(keys[i]), is_new) << i;
    EXPECT_FALSE(set.Insert(keys[i])) << i;
    max_runs = std::max(max_runs, set.run_count());
    if (i % 997 == 0) {  // everything inserted so far is still found after the merges since
      for (size_t j = 0; j <= i; j += 101) ASSERT_TRUE(set.Contains(keys[j])) << i << " " << j;
    }
  }
  EXPECT_EQ(set.size(), expected.size());
  // Runs merge like a binary counter: 200 spills leave at most log2(200) + 1 runs.
  EXPECT_GE(max_runs, 2u);
  EXPECT_LE(max_runs, 8u);
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

// Loading the store's keys skips the look-up: the set it builds answers as the inserted one does.
TEST(KeySet, AddingNewKeysBuildsTheSetInsertingThemWould) {
  std::vector<Key128> keys = TestKeys(20000);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  std::shuffle(keys.begin(), keys.end(), std::mt19937_64(3));
  KeySet inserted(500), added(500);
  for (const Key128& key : keys) {
    ASSERT_TRUE(inserted.Insert(key));
    added.AddNew(key);
  }
  EXPECT_EQ(added.size(), inserted.size());
  EXPECT_EQ(added.run_count(), inserted.run_count());
  for (const Key128& key : TestKeys(40000)) EXPECT_EQ(added.Contains(key), inserted.Contains(key));
  EXPECT_FALSE(added.Insert(keys.front()));
}

TEST(KeySet, KeysDifferingInAnyOfTheir128BitsAreDistinct) {
  KeySet set(64);
  std::mt19937_64 rng(11);
  const Key128 first{rng(), rng()};
  ASSERT_TRUE(set.Insert(first));
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(set.Insert(Key128{rng(), rng()}));
  ASSERT_GE(set.run_count(), 1u);  // `first` is in a run
  for (int bit = 0; bit < 64; ++bit) {
    EXPECT_FALSE(set.Contains(Key128{first.hi, first.lo ^ (1ull << bit)})) << bit;
    EXPECT_FALSE(set.Contains(Key128{first.hi ^ (1ull << bit), first.lo})) << bit;
  }
  EXPECT_TRUE(set.Contains(first));
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
