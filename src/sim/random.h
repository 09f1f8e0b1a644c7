#pragma once
// Portable deterministic randomness: xoshiro256** seeded through splitmix64, with our own
// uniform / exponential / integer helpers (std distributions differ between standard libraries).
// The same seed yields the same sequence on every platform with IEEE doubles.
#include <cmath>
#include <cstdint>

namespace naap::sim {

inline uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (auto& s : s_) s = SplitMix64(seed);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Integer in [lo, hi] (inclusive), by 128-bit multiply-shift.
  int64_t Int(int64_t lo, int64_t hi) {
    const auto span = static_cast<unsigned __int128>(static_cast<uint64_t>(hi - lo) + 1);
    return lo + static_cast<int64_t>((static_cast<unsigned __int128>(Next()) * span) >> 64);
  }
  double Exponential(double mean) { return -mean * std::log1p(-Uniform()); }
  bool Chance(double p) { return Uniform() < p; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Fires about once every `mean` ticks: gaps are uniform in [mean/2, 3·mean/2], so a run of
// n ticks holds at least floor(n / (1.5·mean)) firings (faults are guaranteed, not just likely).
class Countdown {
 public:
  Countdown(double mean, Rng& rng) : mean_(mean) { Reset(rng); }
  bool Tick(Rng& rng) {
    if (--left_ > 0) return false;
    Reset(rng);
    return true;
  }

 private:
  void Reset(Rng& rng) { left_ = rng.Int(static_cast<int64_t>(mean_ / 2) + 1, static_cast<int64_t>(mean_ * 1.5) + 1); }
  double mean_;
  int64_t left_ = 0;
};

}  // namespace naap::sim
