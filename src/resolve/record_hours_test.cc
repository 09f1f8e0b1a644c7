#include "resolve/record_hours.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace naap::resolve {
namespace {

constexpr Millis kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

Millis Hour(int h) { return kT0 + h * kHourMs; }

// The ranges of consecutive hours in `hours`, the brute-force model of HourRanges().
RecordHours::Ranges RangesOf(const std::set<Millis>& hours) {
  RecordHours::Ranges ranges;
  for (Millis h : hours) {
    if (!ranges.empty() && ranges.back().second + kHourMs == h) {
      ranges.back().second = h;
    } else {
      ranges.emplace_back(h, h);
    }
  }
  return ranges;
}

TEST(RecordHours, EmptyHasNoRange) {
  RecordHours hours;
  EXPECT_TRUE(hours.empty());
  EXPECT_TRUE(hours.HourRanges().empty());
}

TEST(RecordHours, ConsecutiveHoursAreOneRange) {
  RecordHours hours;
  hours.Add(Hour(3) + 59 * 60'000);
  hours.Add(Hour(2) + 1);
  hours.Add(Hour(4));
  EXPECT_EQ(hours.min_ts(), Hour(2) + 1);
  EXPECT_EQ(hours.max_ts(), Hour(4));
  EXPECT_EQ(hours.HourRanges(), (RecordHours::Ranges{{Hour(2), Hour(4)}}));
}

TEST(RecordHours, KeysRecurringDaysApartKeepTheGap) {
  RecordHours hours;
  hours.Add(Hour(0));
  hours.Add(Hour(1));
  hours.Add(Hour(110));  // the same key, four and a half days later
  EXPECT_EQ(hours.HourRanges(), (RecordHours::Ranges{{Hour(0), Hour(1)}, {Hour(110), Hour(110)}}));
  hours.Add(Hour(50));   // splits the gap
  hours.Add(Hour(2));    // shrinks the first part from below
  hours.Add(Hour(109));  // and the second from above
  EXPECT_EQ(
      hours.HourRanges(),
      (RecordHours::Ranges{{Hour(0), Hour(2)}, {Hour(50), Hour(50)}, {Hour(109), Hour(110)}}));
}

TEST(RecordHours, AnyOrderGivesTheHoursOfItsRecords) {
  std::mt19937 rng(11);
  for (int trial = 0; trial < 500; ++trial) {
    RecordHours hours;
    std::set<Millis> model;
    const int span = 1 + static_cast<int>(rng() % 48);
    const int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i) {
      const Millis ts = Hour(static_cast<int>(rng() % span)) + static_cast<Millis>(rng() % kHourMs);
      hours.Add(ts);
      model.insert(HourFloor(ts));
      ASSERT_EQ(hours.HourRanges(), RangesOf(model)) << "trial " << trial << " record " << i;
    }
  }
}

// The checkpoint's bytes: the decoded hours are the encoded ones, gaps included, and go on the
// same way when records are added; truncated bytes do not decode.
TEST(RecordHours, DecodeGivesBackTheEncodedHours) {
  for (const std::vector<int>& added : std::vector<std::vector<int>>{{}, {3, 4}, {0, 1, 110, 50}}) {
    RecordHours hours;
    for (int h : added) hours.Add(Hour(h) + 7);
    std::string bytes;
    ByteWriter w(bytes);
    hours.Encode(w);
    RecordHours decoded;
    ByteReader r(bytes);
    ASSERT_TRUE(decoded.Decode(r));
    EXPECT_TRUE(r.done());
    EXPECT_EQ(decoded.empty(), hours.empty());
    EXPECT_EQ(decoded.HourRanges(), hours.HourRanges());
    if (hours.empty()) continue;
    EXPECT_EQ(decoded.min_ts(), hours.min_ts());
    EXPECT_EQ(decoded.max_ts(), hours.max_ts());
    decoded.Add(Hour(51));
    hours.Add(Hour(51));
    EXPECT_EQ(decoded.HourRanges(), hours.HourRanges());
    RecordHours truncated;
    ByteReader short_reader(std::string_view(bytes).substr(0, bytes.size() - 1));
    EXPECT_FALSE(truncated.Decode(short_reader));
  }
}

}  // namespace
}  // namespace naap::resolve
