#include "base/sketch.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "base/bytes.h"

namespace naap {
namespace {

const double kLogGamma = std::log(QuantileSketch::kGamma);

}  // namespace

int32_t QuantileSketch::BucketOf(double v) {
  return static_cast<int32_t>(std::ceil(std::log(v) / kLogGamma));
}

double QuantileSketch::BucketValue(int32_t k) { return 2 * std::pow(kGamma, k) / (kGamma + 1); }

void QuantileSketch::Add(double v) {
  if (!(v > 0) || !std::isfinite(v)) return;
  AddToBucket(BucketOf(v), 1);
}

void QuantileSketch::AddToBucket(int32_t k, uint64_t count) {
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), k,
                             [](const auto& bucket, int32_t key) { return bucket.first < key; });
  if (it != buckets_.end() && it->first == k) {
    it->second += count;
  } else {
    buckets_.insert(it, {k, count});
  }
  count_ += count;
}

void QuantileSketch::Merge(const QuantileSketch& other) {
  if (other.empty()) return;
  std::vector<std::pair<int32_t, uint64_t>> merged;
  merged.reserve(buckets_.size() + other.buckets_.size());
  auto a = buckets_.begin();
  auto b = other.buckets_.begin();
  while (a != buckets_.end() || b != other.buckets_.end()) {
    if (b == other.buckets_.end() || (a != buckets_.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == buckets_.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  buckets_ = std::move(merged);
  count_ += other.count_;
}

std::optional<double> QuantileSketch::Quantile(double q) const {
  if (count_ == 0) return std::nullopt;
  const double rank = std::ceil(q * static_cast<double>(count_)) - 1;
  uint64_t r = 0;
  if (rank >= static_cast<double>(count_ - 1)) {
    r = count_ - 1;
  } else if (rank > 0) {
    r = static_cast<uint64_t>(rank);
  }
  uint64_t cumulative = 0;
  for (const auto& [k, count] : buckets_) {
    cumulative += count;
    if (cumulative > r) return BucketValue(k);
  }
  return BucketValue(buckets_.back().first);  // unreachable: cumulative ends at count_ > r
}

std::string QuantileSketch::Serialize() const {
  std::string out;
  ByteWriter w(out);
  bool first = true;
  int64_t previous = 0;
  for (const auto& [k, count] : buckets_) {
    if (first) {
      w.Int(k);
    } else {
      w.Varint(static_cast<uint64_t>(k - previous - 1));
    }
    w.Varint(count);
    previous = k;
    first = false;
  }
  return out;
}

Result<QuantileSketch> QuantileSketch::Parse(std::string_view bytes) {
  QuantileSketch sketch;
  ByteReader r(bytes);
  int64_t previous = 0;
  bool first = true;
  while (!r.done()) {
    // The first bucket index is zigzag-coded; later ones are gaps to the previous index.
    uint64_t key = 0, count = 0;
    int64_t first_k = 0;
    if (!(first ? r.Int(first_k) : r.Varint(key)) || !r.Varint(count)) {
      return Corruption("sketch: truncated or overlong varint");
    }
    if (count == 0) return Corruption("sketch: bucket with count 0");
    if (!first && key > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
      return Corruption("sketch: bucket index out of range");
    }
    const int64_t k = first ? first_k : previous + 1 + static_cast<int64_t>(key);
    if (k < std::numeric_limits<int32_t>::min() || k > std::numeric_limits<int32_t>::max()) {
      return Corruption("sketch: bucket index out of range");
    }
    if (sketch.count_ + count < sketch.count_) return Corruption("sketch: total count overflows");
    sketch.buckets_.emplace_back(static_cast<int32_t>(k), count);
    sketch.count_ += count;
    previous = k;
    first = false;
  }
  return sketch;
}

}  // namespace naap
