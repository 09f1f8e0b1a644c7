#pragma once
// Exact decimal arithmetic for money and time (spec/events.md §2.2, §5.6): numbers are read from
// their decimal text and never pass through binary floating point.
//  - FixedUint<N>: unsigned integer of N 64-bit limbs; every operation reports overflow.
//  - Decimal: sign × coefficient × 10^-scale, parsed from strict numeric text.
//  - Wei: an exact non-negative integer amount in 0 … 2^127−1, printed as a decimal string.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace naap {

template <int N>
class FixedUint {
 public:
  FixedUint() = default;
  explicit FixedUint(uint64_t v) { limbs_[0] = v; }
  static FixedUint FromU128(unsigned __int128 v);

  bool IsZero() const;
  // Each returns false (and leaves an unspecified value) when the result does not fit.
  bool MulSmall(uint64_t m);
  bool AddSmall(uint64_t a);
  bool Mul(const FixedUint& other);
  bool MulPow10(int exponent);
  // Divides in place and returns the remainder; d must be non-zero.
  uint64_t DivSmall(uint64_t d);
  // Floor division by 10^exponent; returns whether a non-zero remainder was dropped.
  bool DivPow10(int exponent);
  std::strong_ordering operator<=>(const FixedUint& other) const;
  bool operator==(const FixedUint& other) const = default;
  // The value when it fits in `bits` bits (bits ≤ 128).
  std::optional<unsigned __int128> ToU128(int bits) const;
  std::string ToString() const;

  template <int M>
  FixedUint<M> Widen() const {
    static_assert(M >= N);
    FixedUint<M> r;
    for (int i = 0; i < N; ++i) r.limbs_[i] = limbs_[i];
    return r;
  }

 private:
  template <int M>
  friend class FixedUint;
  std::array<uint64_t, N> limbs_{};  // little-endian
};

class Wei {
 public:
  static constexpr unsigned __int128 kMax = (static_cast<unsigned __int128>(1) << 127) - 1;
  Wei() = default;
  // Values above kMax are clamped by callers before construction; FromU128 checks the bound.
  static std::optional<Wei> FromU128(unsigned __int128 v);
  static std::optional<Wei> FromString(std::string_view decimal_digits);
  unsigned __int128 value() const { return value_; }
  std::string ToString() const;
  friend auto operator<=>(const Wei&, const Wei&) = default;

 private:
  unsigned __int128 value_ = 0;
};

class Decimal {
 public:
  static constexpr int kMaxDigits = 76;   // significant digits kept (more are truncated to zero)
  static constexpr int kMaxScale = 400;   // |scale| bound; larger exponents do not parse

  // Strict numeric text: [+-]digits[.digits][(e|E)[+-]digits]. No whitespace, NaN, Infinity,
  // hex or separators. Returns nullopt otherwise.
  static std::optional<Decimal> Parse(std::string_view text);

  bool negative() const { return negative_; }
  bool IsZero() const { return coefficient_.IsZero(); }
  bool IsInteger() const;
  bool HasFractionOrExponentText() const { return fraction_or_exponent_; }
  const FixedUint<4>& coefficient() const { return coefficient_; }
  int scale() const { return scale_; }

  // floor(value × 10^shift) when it fits in int64.
  std::optional<int64_t> FloorToInt64(int shift = 0) const;
  // floor(value × 10^shift) when the value is non-negative and the result is in 0 … 2^127−1.
  std::optional<Wei> FloorToWei(int shift = 0) const;
  // Exact text: the digits with `scale` fraction digits ("120.000"); never an exponent.
  std::string ToString() const;
  std::strong_ordering operator<=>(const Decimal& other) const;
  bool operator==(const Decimal& other) const { return (*this <=> other) == 0; }

 private:
  bool negative_ = false;
  bool fraction_or_exponent_ = false;
  FixedUint<4> coefficient_;
  int scale_ = 0;  // value = coefficient × 10^-scale
};

// floor(amount × multiplier × fraction) with exact 512-bit intermediates; nullopt when the
// fraction is negative or the result leaves 0 … 2^127−1.
std::optional<Wei> FloorProductWei(const Wei& amount, uint64_t multiplier, const Decimal& fraction);

}  // namespace naap
