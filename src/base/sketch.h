#pragma once
// QuantileSketch: the one mergeable percentile sketch of spec/analytics.md §0.3, a logarithmic
// histogram with relative accuracy α = 0.01 (γ = (1 + α) ÷ (1 − α)).
//  - Add(v) counts v > 0 (finite) in bucket k = ⌈ln v ÷ ln γ⌉; zero, negative and non-finite
//    values are not counted (the caller's sample counters decide what they mean).
//  - Merge adds counts per bucket: exact, associative and commutative.
//  - Quantile(q) is nullopt when empty, else the representative 2·γ^k ÷ (γ + 1) of the bucket
//    holding rank clamp(⌈q·n⌉ − 1, 0, n − 1): within 1 % of the exact nearest-rank value.
//  - Serialize() is canonical (equal states ⇔ equal bytes); Parse() accepts exactly its outputs.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace naap {

class QuantileSketch {
 public:
  static constexpr double kRelativeAccuracy = 0.01;
  static constexpr double kGamma = (1 + kRelativeAccuracy) / (1 - kRelativeAccuracy);

  // Bucket index of a value v > 0.
  static int32_t BucketOf(double v);
  // The value a bucket reports: 2·γ^k ÷ (γ + 1).
  static double BucketValue(int32_t k);

  void Add(double v);
  void Merge(const QuantileSketch& other);
  QuantileSketch& operator+=(const QuantileSketch& other) {
    Merge(other);
    return *this;
  }

  // n = Σ counts.
  uint64_t count() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Ascending (k, count) pairs, every count ≥ 1.
  const std::vector<std::pair<int32_t, uint64_t>>& buckets() const { return buckets_; }

  // q in [0, 1] (values outside are clamped by the rank rule).
  std::optional<double> Quantile(double q) const;

  // Byte format (little-endian base-128 varints, shortest form only):
  //   empty sketch → zero bytes; otherwise, for each bucket in ascending k:
  //   first bucket: zigzag(k), count; later buckets: (k − previous k − 1), count.
  // Counts are ≥ 1; the total must fit in uint64 and every k in int32.
  std::string Serialize() const;
  static Result<QuantileSketch> Parse(std::string_view bytes);

  friend bool operator==(const QuantileSketch&, const QuantileSketch&) = default;

 private:
  void AddToBucket(int32_t k, uint64_t count);

  std::vector<std::pair<int32_t, uint64_t>> buckets_;
  uint64_t count_ = 0;
};

}  // namespace naap
