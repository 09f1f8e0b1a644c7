#include "base/fixed_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace naap {
namespace {

TEST(FixedPointTest, MilliRoundsHalfAwayFromZero) {
  EXPECT_EQ(ToMilli(16.5), 16500);
  EXPECT_EQ(ToMilli(0), 0);
  EXPECT_EQ(ToMilli(0.0005), 1);  // the double is just above 0.0005
  EXPECT_EQ(ToMilli(-0.0005), -1);
  EXPECT_EQ(ToMilli(0.0625), 63);  // exactly 62.5 thousandths → away from zero
  EXPECT_EQ(ToMilli(-0.0625), -63);
  EXPECT_EQ(ToMilli(2.0004), 2000);
  EXPECT_EQ(ToMilli(1e-9), 0);
  EXPECT_EQ(ToMilli(1e-300), 0);
}

TEST(FixedPointTest, MilliIsExactWhereMultiplyingInDoubleIsNot) {
  // 1.0005 is stored as 1.000499999999999989…; 1.0005 × 1000 in double rounds up to 1000.5.
  ASSERT_EQ(1.0005 * 1000.0, 1000.5);
  EXPECT_EQ(ToMilli(1.0005), 1000);
}

TEST(FixedPointTest, MilliEqualsExactLongDoubleRounding) {
  // x87 long double holds value × 1000 exactly (53 + 10 bits < 64), so llroundl is an oracle.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 200'000; ++i) {
    const int exponent = static_cast<int>(rng() % 80) - 60;  // 2^-60 … 2^19
    const double value =
        std::ldexp(static_cast<double>(rng() >> 11), exponent - 53) * ((rng() & 1) != 0 ? -1 : 1);
    ASSERT_EQ(ToMilli(value), std::llroundl(static_cast<long double>(value) * 1000.0L)) << value;
  }
  EXPECT_EQ(ToMilli(std::numeric_limits<double>::denorm_min()), 0);
  EXPECT_EQ(ToMilli(-std::numeric_limits<double>::denorm_min()), 0);
  EXPECT_EQ(ToMilli(std::numeric_limits<double>::min()), 0);  // the smallest normal
}

TEST(FixedPointTest, MilliRejectsNonFiniteAndOverflow) {
  EXPECT_EQ(ToMilli(std::numeric_limits<double>::infinity()), std::nullopt);
  EXPECT_EQ(ToMilli(std::numeric_limits<double>::quiet_NaN()), std::nullopt);
  EXPECT_EQ(ToMilli(1e17), std::nullopt);
  EXPECT_EQ(ToMilli(9e15), 9'000'000'000'000'000'000);
}

TEST(FixedPointTest, MicroFromDouble) {
  EXPECT_EQ(ToMicro(1618.0), static_cast<__int128>(1'618'000'000));
  EXPECT_EQ(ToMicro(0.0000125), static_cast<__int128>(13));  // stored just above 12.5 millionths
  EXPECT_EQ(ToMicro(-2.5e-7), static_cast<__int128>(0));     // −0.25 millionths
  EXPECT_TRUE(ToMicro(1e30).has_value());                    // 10^36 micro fits in 127 bits
  EXPECT_EQ(ToMicro(1e40), std::nullopt);
}

TEST(FixedPointTest, MicroFromDecimalIsExact) {
  auto micro = [](const char* text) { return ToMicro(Decimal::Parse(text).value()); };
  EXPECT_EQ(micro("0.0000005"), static_cast<__int128>(1));
  EXPECT_EQ(micro("-0.0000005"), static_cast<__int128>(-1));
  EXPECT_EQ(micro("0.00000049999"), static_cast<__int128>(0));
  EXPECT_EQ(micro("12.345678"), static_cast<__int128>(12'345'678));
  EXPECT_EQ(micro("1.5e3"), static_cast<__int128>(1'500'000'000));
  EXPECT_EQ(micro("100000000000000000000000000000000000000"), std::nullopt);  // > 2^127 micro
}

TEST(FixedPointTest, BackToUnits) {
  EXPECT_DOUBLE_EQ(MilliToDouble(33000), 33.0);
  EXPECT_DOUBLE_EQ(MicroToDouble(1'618'000'001), 1618.000001);
  EXPECT_DOUBLE_EQ(MicroToDouble(-2'500'000), -2.5);
  EXPECT_DOUBLE_EQ(WeiToEth(7'200'000'000'000'000), 0.0072);
  EXPECT_DOUBLE_EQ(WeiToEth(static_cast<unsigned __int128>(3'000'000'000'000'000'000ULL) * 10 + 5),
                   30.000000000000000005);
}

}  // namespace
}  // namespace naap
