#pragma once
// Time is UTC integer milliseconds since the Unix epoch everywhere. Clock is injected so tests
// advance a FakeClock instead of sleeping.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace naap {

using Millis = int64_t;
inline constexpr Millis kHourMs = 3'600'000;
inline constexpr Millis kDayMs = 24 * kHourMs;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Millis NowMs() const = 0;
};

class SystemClock final : public Clock {
 public:
  Millis NowMs() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Millis now) : now_(now) {}
  Millis NowMs() const override { return now_; }
  void Set(Millis now) { now_ = now; }
  void Advance(Millis d) { now_ += d; }

 private:
  Millis now_;
};

// Start of the UTC hour holding t (floor, also for negative t).
inline Millis HourFloor(Millis t) { return t - ((t % kHourMs) + kHourMs) % kHourMs; }
// Start of the UTC day holding t (floor, also for negative t).
inline Millis DayFloor(Millis t) { return t - ((t % kDayMs) + kDayMs) % kDayMs; }

// "2026-01-08T21:49:05.298Z".
std::string FormatRfc3339Ms(Millis t);

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d);

}  // namespace naap
