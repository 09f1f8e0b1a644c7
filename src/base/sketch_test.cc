#include "base/sketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace naap {
namespace {

double SingleValueMedian(double v) {
  QuantileSketch sketch;
  sketch.Add(v);
  return sketch.Quantile(0.5).value();
}

// The spec's own examples (§0.3 and the GPU-metrics p95 values of §9.1).
TEST(QuantileSketchTest, SpecExamples) {
  EXPECT_NEAR(SingleValueMedian(17.0), 16.946, 5e-4);
  EXPECT_NEAR(SingleValueMedian(6500), 6439.733, 5e-4);
  EXPECT_NEAR(SingleValueMedian(2400), 2416.824, 5e-4);
  EXPECT_NEAR(SingleValueMedian(110), 111.064, 5e-4);
  EXPECT_NEAR(SingleValueMedian(16.5), 16.611, 5e-4);
  EXPECT_EQ(QuantileSketch::BucketOf(17.0), 142);
  EXPECT_EQ(QuantileSketch::BucketOf(1.0), 0);
  EXPECT_EQ(QuantileSketch::BucketOf(0.5), -34);
}

TEST(QuantileSketchTest, EmptyIsNullAndNonPositiveValuesAreNotCounted) {
  QuantileSketch sketch;
  EXPECT_EQ(sketch.Quantile(0.5), std::nullopt);
  sketch.Add(0);
  sketch.Add(-3);
  sketch.Add(std::numeric_limits<double>::infinity());
  sketch.Add(std::numeric_limits<double>::quiet_NaN());
  EXPECT_TRUE(sketch.empty());
  EXPECT_EQ(sketch.Quantile(0.95), std::nullopt);
}

TEST(QuantileSketchTest, RankRuleWalksAscendingBuckets) {
  QuantileSketch sketch;
  for (double v : {10.0, 20.0, 30.0, 40.0}) sketch.Add(v);
  // n = 4: q 0.5 → r = ⌈2⌉ − 1 = 1 → 20; q 0.51 → r = ⌈2.04⌉ − 1 = 2 → 30; q 0 and q 1 clamp.
  EXPECT_EQ(sketch.Quantile(0.5), QuantileSketch::BucketValue(QuantileSketch::BucketOf(20)));
  EXPECT_EQ(sketch.Quantile(0.51), QuantileSketch::BucketValue(QuantileSketch::BucketOf(30)));
  EXPECT_EQ(sketch.Quantile(0), QuantileSketch::BucketValue(QuantileSketch::BucketOf(10)));
  EXPECT_EQ(sketch.Quantile(1), QuantileSketch::BucketValue(QuantileSketch::BucketOf(40)));
  EXPECT_EQ(sketch.count(), 4u);
}

std::vector<double> GeneratedValues(uint64_t seed, int n) {
  std::mt19937_64 rng(seed);
  std::vector<double> values;
  for (int i = 0; i < n; ++i) {
    // Log-uniform over 10⁻² … 10⁵, with a share of repeated values.
    const double u = static_cast<double>(rng() >> 11) / 9007199254740992.0;
    values.push_back(i % 7 == 0 ? 16.5 : std::pow(10.0, -2 + 7 * u));
  }
  return values;
}

TEST(QuantileSketchTest, WithinOnePercentOfExactNearestRank) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    const std::vector<double> values = GeneratedValues(seed, 5000 + 777 * static_cast<int>(seed));
    QuantileSketch sketch;
    for (double v : values) sketch.Add(v);
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    const auto n = static_cast<double>(sorted.size());
    for (double q : {0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0}) {
      const double rank = std::clamp(std::ceil(q * n) - 1, 0.0, n - 1);
      const double exact = sorted[static_cast<size_t>(rank)];
      const double estimate = sketch.Quantile(q).value();
      EXPECT_LE(std::fabs(estimate - exact), 0.01 * exact * (1 + 1e-12))
          << "seed " << seed << " q " << q;
    }
  }
}

TEST(QuantileSketchTest, MergeIsOrderIndependentAndEqualsOneSketch) {
  const std::vector<double> values = GeneratedValues(9, 3000);
  QuantileSketch parts[3];
  QuantileSketch whole;
  for (size_t i = 0; i < values.size(); ++i) {
    parts[i % 3].Add(values[i]);
    whole.Add(values[i]);
  }
  QuantileSketch abc = parts[0];
  abc += parts[1];
  abc += parts[2];
  QuantileSketch cba = parts[2];
  cba += parts[1];
  cba += parts[0];
  QuantileSketch bc = parts[1];
  bc += parts[2];
  QuantileSketch a_bc = parts[0];
  a_bc += bc;
  EXPECT_EQ(abc, whole);
  EXPECT_EQ(cba, whole);
  EXPECT_EQ(a_bc, whole);
  EXPECT_EQ(abc.Serialize(), whole.Serialize());
  EXPECT_EQ(abc.count(), values.size());
  EXPECT_EQ(abc.Quantile(0.9), whole.Quantile(0.9));
}

TEST(QuantileSketchTest, SerializationIsCanonicalVarintPairs) {
  EXPECT_EQ(QuantileSketch().Serialize(), "");
  QuantileSketch sketch;
  sketch.Add(17.0);
  sketch.Add(1.0);
  sketch.Add(17.0);
  // k 0 → zigzag 0, count 1; k 142 → gap 141 = varint 8D 01, count 2.
  EXPECT_EQ(sketch.Serialize(), std::string("\x00\x01\x8d\x01\x02", 5));
  QuantileSketch negative;
  negative.Add(0.5);  // k −34 → zigzag 67
  EXPECT_EQ(negative.Serialize(), std::string("\x43\x01", 2));
}

TEST(QuantileSketchTest, RoundTrip) {
  QuantileSketch sketch;
  for (double v : GeneratedValues(4, 2000)) sketch.Add(v);
  sketch.Add(1e-300);
  sketch.Add(1e300);
  const std::string bytes = sketch.Serialize();
  Result<QuantileSketch> parsed = QuantileSketch::Parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, sketch);
  EXPECT_EQ(parsed->Serialize(), bytes);
  Result<QuantileSketch> empty = QuantileSketch::Parse("");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(QuantileSketchTest, ParseRejectsMalformedInput) {
  const std::string cases[] = {
      std::string("\x00", 1),                              // key without count
      std::string("\x00\x00", 2),                          // count 0
      std::string("\x80\x00\x01", 3),                      // overlong key varint
      std::string("\x00\x81", 2),                          // truncated count varint
      std::string("\x80\x80\x80\x80\x10\x01", 6),          // zigzag 2^32: k = 2^31 out of int32
      std::string("\x00\x01\xff\xff\xff\xff\x07\x01", 8),  // gap 2^31 − 1 past k 0
      std::string("\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x01", 13),  // count overflow
      std::string("\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 11),          // varint > 64 bits
  };
  for (const std::string& bytes : cases) {
    Result<QuantileSketch> parsed = QuantileSketch::Parse(bytes);
    EXPECT_FALSE(parsed.ok()) << "accepted " << bytes.size() << " bytes";
    if (!parsed.ok()) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    }
  }
}

}  // namespace
}  // namespace naap
