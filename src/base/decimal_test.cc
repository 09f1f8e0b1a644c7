#include "base/decimal.h"

#include <gtest/gtest.h>

namespace naap {
namespace {

TEST(Decimal, ParsesStrictNumericText) {
  EXPECT_EQ(Decimal::Parse("120.000")->ToString(), "120.000");
  EXPECT_EQ(Decimal::Parse("-0.5")->ToString(), "-0.5");
  EXPECT_EQ(Decimal::Parse("1.767908945298e12")->ToString(), "1767908945298");
  EXPECT_EQ(Decimal::Parse("15e-3")->ToString(), "0.015");
  EXPECT_EQ(Decimal::Parse("+7")->ToString(), "7");
  for (const char* bad : {"", "abc", "1.", ".5", "1e", "0x10", "1,000", "NaN", "Infinity", " 1",
                          "1 ", "--1", "1e99999"}) {
    EXPECT_FALSE(Decimal::Parse(bad).has_value()) << bad;
  }
}

TEST(Decimal, FloorsExactly) {
  EXPECT_EQ(Decimal::Parse("1743500000.123")->FloorToInt64(3), 1743500000123);
  EXPECT_EQ(Decimal::Parse("1767908945298.9")->FloorToInt64(), 1767908945298);
  EXPECT_EQ(Decimal::Parse("-1.5")->FloorToInt64(), -2);
  EXPECT_EQ(Decimal::Parse("9223372036854775807")->FloorToInt64(), INT64_MAX);
  EXPECT_FALSE(Decimal::Parse("9223372036854775808")->FloorToInt64().has_value());
  EXPECT_TRUE(Decimal::Parse("2.0")->IsInteger());
  EXPECT_FALSE(Decimal::Parse("2.5")->IsInteger());
}

TEST(Decimal, ComparesAcrossScales) {
  EXPECT_TRUE(*Decimal::Parse("1.000") == *Decimal::Parse("1"));
  EXPECT_TRUE(*Decimal::Parse("0.999") < *Decimal::Parse("1"));
  EXPECT_TRUE(*Decimal::Parse("-2") < *Decimal::Parse("-1.5"));
  EXPECT_TRUE(*Decimal::Parse("1e3") > *Decimal::Parse("999.9999"));
}

TEST(Wei, EthFractionsAndBound) {
  EXPECT_EQ(Decimal::Parse("0.000000100000000000")->FloorToWei(18)->ToString(), "100000000000");
  EXPECT_EQ(Decimal::Parse("1.5")->FloorToWei(18)->ToString(), "1500000000000000000");
  // Fractions of a wei are truncated.
  EXPECT_EQ(Decimal::Parse("0.0000000000000000019")->FloorToWei(18)->ToString(), "1");
  const std::string max = "170141183460469231731687303715884105727";  // 2^127 - 1
  EXPECT_EQ(Decimal::Parse(max)->FloorToWei()->ToString(), max);
  EXPECT_FALSE(Decimal::Parse("170141183460469231731687303715884105728")->FloorToWei());
  EXPECT_FALSE(Decimal::Parse("-1")->FloorToWei());
  EXPECT_EQ(Wei::FromString(max)->ToString(), max);
  EXPECT_FALSE(Wei::FromString("170141183460469231731687303715884105728"));
}

TEST(Wei, ExactProductWithWideIntermediates) {
  Wei face = *Wei::FromString("2402400000000000");
  EXPECT_EQ(FloorProductWei(face, 2, *Decimal::Parse("0.0009990010"))->ToString(), "4800000004800");
  // (2^127-1) × 2 × 0.5 needs more than 128 bits in between and lands back on the bound.
  Wei max = *Wei::FromU128(Wei::kMax);
  EXPECT_EQ(FloorProductWei(max, 2, *Decimal::Parse("0.5"))->ToString(),
            "170141183460469231731687303715884105727");
  EXPECT_FALSE(FloorProductWei(max, 2, *Decimal::Parse("0.51")).has_value());
  EXPECT_FALSE(FloorProductWei(face, 1, *Decimal::Parse("-0.1")).has_value());
}

TEST(FixedUint, PrintsLargeValues) {
  FixedUint<4> v(1);
  ASSERT_TRUE(v.MulPow10(40));
  EXPECT_EQ(v.ToString(), "1" + std::string(40, '0'));
  EXPECT_TRUE(v.DivPow10(41));  // a remainder was dropped
  EXPECT_TRUE(v.IsZero());
}

}  // namespace
}  // namespace naap
