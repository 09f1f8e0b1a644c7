// ReadCache: hits within a data version, misses when the version changes, LRU eviction, and the
// rules for errors, types and late results of older versions.
#include "api/read_cache.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

namespace naap::api {
namespace {

// A compute function that counts its calls and returns `value`.
struct Counted {
  int calls = 0;
  std::function<Result<std::shared_ptr<const std::string>>()> Returning(std::string value) {
    return [this, value] {
      ++calls;
      return Result<std::shared_ptr<const std::string>>(std::make_shared<const std::string>(value));
    };
  }
};

TEST(ReadCacheTest, HitReturnsTheSameValueWithoutComputing) {
  ReadCache cache(4);
  Counted counted;
  auto first = cache.GetOrCompute<std::string>("k", 1, counted.Returning("a"));
  auto second = cache.GetOrCompute<std::string>("k", 1, counted.Returning("b"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(counted.calls, 1);
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(**second, "a");
  EXPECT_EQ(cache.hits(), 1);
  EXPECT_EQ(cache.misses(), 1);
}

TEST(ReadCacheTest, NewVersionRecomputesAndReplacesTheEntry) {
  ReadCache cache(4);
  Counted counted;
  ASSERT_TRUE(cache.GetOrCompute<std::string>("k", 1, counted.Returning("old")).ok());
  auto fresh = cache.GetOrCompute<std::string>("k", 2, counted.Returning("new"));
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(**fresh, "new");
  EXPECT_EQ(counted.calls, 2);
  EXPECT_EQ(cache.size(), 1u);
  // A late result computed at version 1 does not replace the version-2 entry.
  ASSERT_TRUE(cache.GetOrCompute<std::string>("k", 1, counted.Returning("late")).ok());
  auto again = cache.GetOrCompute<std::string>("k", 2, counted.Returning("unused"));
  EXPECT_EQ(**again, "new");
  EXPECT_EQ(counted.calls, 3);
}

// A value that states its size.
struct Sized {
  size_t bytes = 0;
  size_t approx_bytes() const { return bytes; }
};

TEST(ReadCacheTest, KeepsTheValuesThatStateTheirSizeWithinTheByteBudget) {
  ReadCache cache(16, 100);
  int calls = 0;
  const auto sized = [&calls](size_t bytes) {
    return [&calls, bytes] {
      ++calls;
      return Result<std::shared_ptr<const Sized>>(std::make_shared<const Sized>(Sized{bytes}));
    };
  };
  ASSERT_TRUE(cache.GetOrCompute<Sized>("a", 1, sized(40)).ok());
  ASSERT_TRUE(cache.GetOrCompute<Sized>("b", 1, sized(40)).ok());
  ASSERT_TRUE(cache.GetOrCompute<std::string>("s", 1, Counted().Returning("small")).ok());
  EXPECT_EQ(cache.bytes(), 80u);
  ASSERT_TRUE(cache.GetOrCompute<Sized>("a", 1, sized(40)).ok());  // a is fresh
  ASSERT_TRUE(cache.GetOrCompute<Sized>("c", 1, sized(40)).ok());  // 120 > 100: evicts b
  EXPECT_EQ(cache.bytes(), 80u);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_EQ(calls, 3);
  ASSERT_TRUE(cache.GetOrCompute<Sized>("a", 1, sized(40)).ok());
  EXPECT_EQ(calls, 3);
  ASSERT_TRUE(cache.GetOrCompute<Sized>("b", 1, sized(40)).ok());
  EXPECT_EQ(calls, 4);

  // A value over the whole budget is returned but not kept, and evicts everything sized; the
  // unsized value stays.
  auto big = cache.GetOrCompute<Sized>("big", 1, sized(101));
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->bytes, 101u);
  EXPECT_EQ(cache.bytes(), 0u);
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_TRUE(cache.GetOrCompute<Sized>("big", 1, sized(101)).ok());
  EXPECT_EQ(calls, 6);
}

TEST(ReadCacheTest, EvictsTheLeastRecentlyUsedEntry) {
  ReadCache cache(2);
  Counted counted;
  ASSERT_TRUE(cache.GetOrCompute<std::string>("a", 1, counted.Returning("A")).ok());
  ASSERT_TRUE(cache.GetOrCompute<std::string>("b", 1, counted.Returning("B")).ok());
  ASSERT_TRUE(cache.GetOrCompute<std::string>("a", 1, counted.Returning("A")).ok());  // a is fresh
  ASSERT_TRUE(cache.GetOrCompute<std::string>("c", 1, counted.Returning("C")).ok());  // evicts b
  EXPECT_EQ(counted.calls, 3);
  EXPECT_EQ(cache.size(), 2u);
  ASSERT_TRUE(cache.GetOrCompute<std::string>("a", 1, counted.Returning("A")).ok());
  EXPECT_EQ(counted.calls, 3);
  ASSERT_TRUE(cache.GetOrCompute<std::string>("b", 1, counted.Returning("B")).ok());
  EXPECT_EQ(counted.calls, 4);
}

TEST(ReadCacheTest, ErrorsAreNotStored) {
  ReadCache cache(2);
  int calls = 0;
  auto failing = [&calls]() -> Result<std::shared_ptr<const std::string>> {
    ++calls;
    return Unavailable("store down");
  };
  EXPECT_FALSE(cache.GetOrCompute<std::string>("k", 1, failing).ok());
  EXPECT_FALSE(cache.GetOrCompute<std::string>("k", 1, failing).ok());
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(ReadCacheTest, AnotherTypeUnderTheSameKeyIsAMiss) {
  ReadCache cache(2);
  Counted counted;
  ASSERT_TRUE(cache.GetOrCompute<std::string>("k", 1, counted.Returning("s")).ok());
  auto number = cache.GetOrCompute<int>(
      "k", 1, [] { return Result<std::shared_ptr<const int>>(std::make_shared<const int>(7)); });
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(**number, 7);
}

}  // namespace
}  // namespace naap::api
