#include "base/decimal.h"

#include <algorithm>
#include <charconv>

namespace naap {
namespace {
using U128 = unsigned __int128;
constexpr uint64_t kPow10Chunk = 10'000'000'000'000'000'000ULL;  // 10^19
constexpr int kChunkDigits = 19;

uint64_t Pow10(int e) {
  uint64_t r = 1;
  while (e-- > 0) r *= 10;
  return r;
}

std::string U128ToString(U128 v) {
  if (v == 0) return "0";
  char buf[48];
  int n = 0;
  while (v != 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  std::reverse(buf, buf + n);
  return std::string(buf, n);
}
}  // namespace

// ---- FixedUint ----

template <int N>
FixedUint<N> FixedUint<N>::FromU128(unsigned __int128 v) {
  FixedUint r;
  r.limbs_[0] = static_cast<uint64_t>(v);
  if constexpr (N > 1) r.limbs_[1] = static_cast<uint64_t>(v >> 64);
  return r;
}

template <int N>
bool FixedUint<N>::IsZero() const {
  return std::all_of(limbs_.begin(), limbs_.end(), [](uint64_t l) { return l == 0; });
}

template <int N>
bool FixedUint<N>::MulSmall(uint64_t m) {
  U128 carry = 0;
  for (auto& limb : limbs_) {
    U128 p = static_cast<U128>(limb) * m + carry;
    limb = static_cast<uint64_t>(p);
    carry = p >> 64;
  }
  return carry == 0;
}

template <int N>
bool FixedUint<N>::AddSmall(uint64_t a) {
  U128 carry = a;
  for (auto& limb : limbs_) {
    if (carry == 0) break;
    U128 s = static_cast<U128>(limb) + carry;
    limb = static_cast<uint64_t>(s);
    carry = s >> 64;
  }
  return carry == 0;
}

template <int N>
bool FixedUint<N>::Mul(const FixedUint& other) {
  std::array<uint64_t, 2 * N> wide{};
  for (int i = 0; i < N; ++i) {
    U128 carry = 0;
    for (int j = 0; j < N; ++j) {
      U128 p = static_cast<U128>(limbs_[i]) * other.limbs_[j] + wide[i + j] + carry;
      wide[i + j] = static_cast<uint64_t>(p);
      carry = p >> 64;
    }
    wide[i + N] = static_cast<uint64_t>(carry);
  }
  for (int i = 0; i < N; ++i) limbs_[i] = wide[i];
  return std::all_of(wide.begin() + N, wide.end(), [](uint64_t l) { return l == 0; });
}

template <int N>
bool FixedUint<N>::MulPow10(int exponent) {
  for (; exponent > 0; exponent -= kChunkDigits) {
    if (!MulSmall(Pow10(std::min(exponent, kChunkDigits)))) return false;
  }
  return true;
}

template <int N>
uint64_t FixedUint<N>::DivSmall(uint64_t d) {
  U128 rem = 0;
  for (int i = N - 1; i >= 0; --i) {
    U128 cur = (rem << 64) | limbs_[i];
    limbs_[i] = static_cast<uint64_t>(cur / d);
    rem = cur % d;
  }
  return static_cast<uint64_t>(rem);
}

template <int N>
bool FixedUint<N>::DivPow10(int exponent) {
  bool dropped = false;
  for (; exponent > 0 && !IsZero(); exponent -= kChunkDigits) {
    dropped |= DivSmall(Pow10(std::min(exponent, kChunkDigits))) != 0;
  }
  return dropped;
}

template <int N>
std::strong_ordering FixedUint<N>::operator<=>(const FixedUint& other) const {
  for (int i = N - 1; i >= 0; --i) {
    if (limbs_[i] != other.limbs_[i]) return limbs_[i] <=> other.limbs_[i];
  }
  return std::strong_ordering::equal;
}

template <int N>
std::optional<unsigned __int128> FixedUint<N>::ToU128(int bits) const {
  for (int i = 2; i < N; ++i) {
    if (limbs_[i] != 0) return std::nullopt;
  }
  U128 v = limbs_[0];
  if constexpr (N > 1) v |= static_cast<U128>(limbs_[1]) << 64;
  if (bits < 128 && (v >> bits) != 0) return std::nullopt;
  return v;
}

template <int N>
std::string FixedUint<N>::ToString() const {
  FixedUint rest = *this;
  std::string out;
  do {
    uint64_t chunk = rest.DivSmall(kPow10Chunk);
    char buf[20];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, chunk);
    std::string digits(buf, end);
    if (!rest.IsZero()) digits.insert(0, kChunkDigits - digits.size(), '0');
    out.insert(0, digits);
  } while (!rest.IsZero());
  return out;
}

template class FixedUint<2>;
template class FixedUint<4>;
template class FixedUint<8>;

// ---- Wei ----

std::optional<Wei> Wei::FromU128(unsigned __int128 v) {
  if (v > kMax) return std::nullopt;
  Wei w;
  w.value_ = v;
  return w;
}

std::optional<Wei> Wei::FromString(std::string_view digits) {
  if (digits.empty()) return std::nullopt;
  U128 v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    if (v > (kMax - static_cast<U128>(c - '0')) / 10) return std::nullopt;
    v = v * 10 + static_cast<U128>(c - '0');
  }
  return FromU128(v);
}

std::string Wei::ToString() const { return U128ToString(value_); }

// ---- Decimal ----

std::optional<Decimal> Decimal::Parse(std::string_view text) {
  Decimal d;
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) d.negative_ = text[i++] == '-';
  int significant = 0;
  long scale = 0;
  auto take_digits = [&](bool fraction) {
    size_t start = i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      int digit = text[i] - '0';
      if (significant == 0 && digit == 0) {
        if (fraction) ++scale;
        continue;
      }
      if (significant < kMaxDigits) {
        d.coefficient_.MulSmall(10);
        d.coefficient_.AddSmall(static_cast<uint64_t>(digit));
        ++significant;
        if (fraction) ++scale;
      } else if (!fraction) {
        --scale;  // integer digit beyond the kept precision: truncated, magnitude kept
      }
    }
    return i > start;
  };
  if (!take_digits(false)) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    ++i;
    d.fraction_or_exponent_ = true;
    if (!take_digits(true)) return std::nullopt;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    d.fraction_or_exponent_ = true;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    size_t start = i;
    long exponent = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = std::min<long>(exponent * 10 + (text[i] - '0'), 1'000'000);
    }
    if (i == start) return std::nullopt;
    scale += exp_negative ? exponent : -exponent;
  }
  if (i != text.size()) return std::nullopt;
  if (d.coefficient_.IsZero()) {
    d.negative_ = false;
    scale = std::clamp<long>(scale, -kMaxScale, kMaxScale);
  }
  if (scale > kMaxScale || scale < -kMaxScale) return std::nullopt;
  d.scale_ = static_cast<int>(scale);
  return d;
}

bool Decimal::IsInteger() const {
  if (scale_ <= 0) return true;
  FixedUint<4> c = coefficient_;
  return !c.DivPow10(scale_);
}

namespace {
// floor(|value| × 10^shift) as a 512-bit integer, with whether a fraction was dropped.
struct ScaledMagnitude {
  FixedUint<8> magnitude;
  bool dropped = false;
  bool overflow = false;
};
ScaledMagnitude Scale(const FixedUint<4>& coefficient, int scale, int shift) {
  ScaledMagnitude r{coefficient.Widen<8>()};
  int s = scale - shift;
  if (s <= 0) {
    r.overflow = !r.magnitude.MulPow10(-s);
  } else {
    r.dropped = r.magnitude.DivPow10(s);
  }
  return r;
}
}  // namespace

std::optional<int64_t> Decimal::FloorToInt64(int shift) const {
  ScaledMagnitude m = Scale(coefficient_, scale_, shift);
  if (m.overflow) return std::nullopt;
  auto v = m.magnitude.ToU128(64);
  if (!v) return std::nullopt;
  if (!negative_) {
    if (*v > static_cast<U128>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(*v);
  }
  U128 mag = *v + (m.dropped ? 1 : 0);
  if (mag > static_cast<U128>(INT64_MAX) + 1) return std::nullopt;
  return static_cast<int64_t>(-static_cast<int64_t>(mag - 1) - 1);
}

std::optional<Wei> Decimal::FloorToWei(int shift) const {
  if (negative_) return std::nullopt;
  ScaledMagnitude m = Scale(coefficient_, scale_, shift);
  if (m.overflow) return std::nullopt;
  auto v = m.magnitude.ToU128(127);
  if (!v) return std::nullopt;
  return Wei::FromU128(*v);
}

std::string Decimal::ToString() const {
  std::string digits = coefficient_.ToString();
  if (scale_ <= 0) {
    if (!coefficient_.IsZero()) digits.append(static_cast<size_t>(-scale_), '0');
  } else {
    if (digits.size() <= static_cast<size_t>(scale_)) {
      digits.insert(0, static_cast<size_t>(scale_) - digits.size() + 1, '0');
    }
    digits.insert(digits.size() - static_cast<size_t>(scale_), 1, '.');
  }
  return negative_ ? "-" + digits : digits;
}

std::strong_ordering Decimal::operator<=>(const Decimal& other) const {
  bool a_neg = negative_ && !IsZero();
  bool b_neg = other.negative_ && !other.IsZero();
  if (a_neg != b_neg) return a_neg ? std::strong_ordering::less : std::strong_ordering::greater;
  int common = std::max(scale_, other.scale_);
  FixedUint<8> a = coefficient_.Widen<8>();
  FixedUint<8> b = other.coefficient_.Widen<8>();
  // Both scales lie in ±kMaxScale; a side that overflows is larger than any 512-bit value.
  bool a_over = !a.MulPow10(common - scale_);
  bool b_over = !b.MulPow10(common - other.scale_);
  std::strong_ordering mag = a_over != b_over ? (a_over ? std::strong_ordering::greater
                                                        : std::strong_ordering::less)
                                              : a <=> b;
  if (a_neg) return 0 <=> mag;
  return mag;
}

std::optional<Wei> FloorProductWei(const Wei& amount, uint64_t multiplier, const Decimal& fraction) {
  if (fraction.negative() && !fraction.IsZero()) return std::nullopt;
  FixedUint<8> product = FixedUint<8>::FromU128(amount.value());
  if (!product.MulSmall(multiplier) || !product.Mul(fraction.coefficient().Widen<8>())) {
    return std::nullopt;
  }
  if (fraction.scale() < 0) {
    if (!product.MulPow10(-fraction.scale())) return std::nullopt;
  } else {
    product.DivPow10(fraction.scale());
  }
  auto v = product.ToU128(127);
  if (!v) return std::nullopt;
  return Wei::FromU128(*v);
}

}  // namespace naap
