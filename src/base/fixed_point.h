#pragma once
// Fixed point for additive non-integer quantities (spec/analytics.md §0.2), so every backend and
// every rebuild sums identical integers:
//  - milli: signed 64-bit at 10⁻³ of the unit (fps, status latency, jitter, tokens/s, TTFT);
//  - micro: signed 128-bit at 10⁻⁶ of the unit (unit prices, BYOC amounts).
// Each contribution is the exact value rounded half away from zero (no intermediate binary
// rounding); nullopt when the value is not finite or the result does not fit.
#include <cstdint>
#include <optional>

#include "base/decimal.h"

namespace naap {

inline constexpr int64_t kMilliPerUnit = 1'000;
inline constexpr int64_t kMicroPerUnit = 1'000'000;

std::optional<int64_t> ToMilli(double value);
std::optional<__int128> ToMicro(double value);
std::optional<__int128> ToMicro(const Decimal& value);

// Back to the unit, for derived values (which are doubles).
inline double MilliToDouble(int64_t milli) { return static_cast<double>(milli) / kMilliPerUnit; }
double MicroToDouble(__int128 micro);

// An exact wei amount in ether (wei ÷ 10^18), for display figures such as ticket_face_value_eth.
double WeiToEth(unsigned __int128 wei);

}  // namespace naap
