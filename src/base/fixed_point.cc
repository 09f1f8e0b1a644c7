#include "base/fixed_point.h"

#include <bit>
#include <cmath>
#include <limits>

namespace naap {
namespace {

using U128 = unsigned __int128;
constexpr U128 kMaxI128 = (static_cast<U128>(1) << 127) - 1;

// round_half_away(value × multiplier), exact: a finite double is m·2^e with |m| < 2^53, so
// m × multiplier (multiplier ≤ 10^6 < 2^20) fits in 73 bits and the shift by e is exact.
std::optional<__int128> RoundScaled(double value, uint64_t multiplier) {
  if (!std::isfinite(value)) return std::nullopt;
  if (value == 0) return 0;
  // value = ±mantissa · 2^shift, read from the IEEE-754 fields (subnormals have no hidden bit).
  const auto bits = std::bit_cast<uint64_t>(value);
  const int biased = static_cast<int>((bits >> 52) & 0x7ff);
  const uint64_t fraction = bits & ((uint64_t{1} << 52) - 1);
  const uint64_t mantissa = biased == 0 ? fraction : fraction | (uint64_t{1} << 52);
  const int shift = (biased == 0 ? 1 : biased) - 1075;
  const U128 scaled = static_cast<U128>(mantissa) * multiplier;
  U128 magnitude = 0;
  if (shift >= 0) {
    if (shift >= 127 || scaled > (kMaxI128 >> shift)) return std::nullopt;
    magnitude = scaled << shift;
  } else if (-shift < 100) {  // scaled < 2^73, so anything shifted by ≥ 75 rounds to 0
    magnitude = (scaled + (static_cast<U128>(1) << (-shift - 1))) >> -shift;
  }
  const auto signed_magnitude = static_cast<__int128>(magnitude);
  return value < 0 ? -signed_magnitude : signed_magnitude;
}

}  // namespace

std::optional<int64_t> ToMilli(double value) {
  const std::optional<__int128> milli = RoundScaled(value, kMilliPerUnit);
  if (!milli || *milli > std::numeric_limits<int64_t>::max() ||
      *milli < std::numeric_limits<int64_t>::min()) {
    return std::nullopt;
  }
  return static_cast<int64_t>(*milli);
}

std::optional<__int128> ToMicro(double value) { return RoundScaled(value, kMicroPerUnit); }

std::optional<__int128> ToMicro(const Decimal& value) {
  // floor(|value| × 10^7), then the last digit decides the half-away rounding.
  FixedUint<4> magnitude = value.coefficient();
  const int exponent = 7 - value.scale();
  if (exponent >= 0) {
    if (!magnitude.MulPow10(exponent)) return std::nullopt;
  } else {
    magnitude.DivPow10(-exponent);
  }
  const std::optional<U128> tenths = magnitude.ToU128(127);
  if (!tenths) return std::nullopt;
  const auto rounded = static_cast<__int128>((*tenths + 5) / 10);
  return value.negative() ? -rounded : rounded;
}

double MicroToDouble(__int128 micro) {
  // Split so that each part converts with at most one rounding.
  const __int128 units = micro / kMicroPerUnit;
  const __int128 rest = micro % kMicroPerUnit;
  return static_cast<double>(units) + static_cast<double>(rest) / kMicroPerUnit;
}

double WeiToEth(unsigned __int128 wei) {
  constexpr uint64_t kWeiPerEth = 1'000'000'000'000'000'000ULL;
  return static_cast<double>(wei / kWeiPerEth) +
         static_cast<double>(static_cast<uint64_t>(wei % kWeiPerEth)) / 1e18;
}

}  // namespace naap
