#include "sim/live_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace naap::sim {
namespace {

constexpr Millis kStart = 1'775'000'000'000;  // 2026-03-31T23:33:20Z

// A clock the test moves while the source reads it from another thread.
class TestClock final : public Clock {
 public:
  explicit TestClock(Millis now) : now_(now) {}
  Millis NowMs() const override { return now_.load(); }
  void Advance(Millis d) { now_ += d; }

 private:
  std::atomic<Millis> now_;
};

TEST(LiveSourceTest, RejectsABadRate) {
  TestClock clock(kStart);
  EXPECT_FALSE(LiveSource::Create(clock, {.events_per_s = 0}).ok());
  EXPECT_FALSE(LiveSource::Create(clock, {.events_per_s = 1e6}).ok());
}

TEST(LiveSourceTest, YieldsOnlyMessagesWhoseEventTimeHasCome) {
  TestClock clock(kStart);
  auto source = LiveSource::Create(clock, {.events_per_s = 100, .batch_messages = 1'000'000});
  ASSERT_TRUE(source.ok());
  clock.Advance(60'000);  // one minute passes before the first read
  ingest::Message msg;
  int64_t n = 0, with_topic = 0;
  while ((*source)->Next(msg)) {
    ++n;
    ASSERT_EQ(msg.provenance.index, n);
    EXPECT_EQ(msg.provenance.source, "sim");
    EXPECT_EQ(msg.kafka_topic, msg.provenance.topic);
    EXPECT_FALSE(msg.bytes.empty());
    if (!msg.kafka_topic.empty()) ++with_topic;
  }
  // The batch ended because the next message lies after the clock, not because the source did.
  EXPECT_FALSE((*source)->finished());
  EXPECT_LE((*source)->newest_event_ms(), kStart + 60'000);
  EXPECT_GE((*source)->newest_event_ms(), kStart + 50'000);
  EXPECT_EQ((*source)->messages(), n);
  // About 100 events a second over the minute (the network warms up, so allow a wide margin).
  EXPECT_GT(n, 1500);
  EXPECT_LT(n, 20000);
  EXPECT_GT(with_topic, n * 9 / 10);  // only the deliberately malformed lines lack a topic

  // The next minute's messages once the clock has moved past the batch's end.
  (*source)->StartBatch();
  clock.Advance(60'000);
  int64_t second_minute = 0;
  while ((*source)->Next(msg)) ++second_minute;
  EXPECT_GT(second_minute, 1500);
  EXPECT_GE((*source)->newest_event_ms(), kStart + 110'000);
}

TEST(LiveSourceTest, BatchesEndAtTheirMessageCount) {
  TestClock clock(kStart);
  auto source = LiveSource::Create(clock, {.events_per_s = 100, .batch_messages = 10});
  ASSERT_TRUE(source.ok());
  clock.Advance(60'000);
  ingest::Message msg;
  for (int batch = 0; batch < 3; ++batch) {
    (*source)->StartBatch();
    int n = 0;
    while ((*source)->Next(msg)) ++n;
    EXPECT_EQ(n, 10);
  }
  EXPECT_EQ((*source)->messages(), 30);
}

TEST(LiveSourceTest, StopWakesAWaitingReader) {
  SystemClock clock;
  auto source = LiveSource::Create(
      clock, {.events_per_s = 50, .batch_ms = 60'000, .batch_messages = 1'000'000});
  ASSERT_TRUE(source.ok());
  std::atomic<int64_t> late{0};
  std::thread reader([&] {
    ingest::Message msg;
    while ((*source)->Next(msg)) {
      // Never an event time after the wall clock.
      if (msg.provenance.index > 0 && (*source)->newest_event_ms() > clock.NowMs()) ++late;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto stop_at = std::chrono::steady_clock::now();
  (*source)->Stop();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_at, std::chrono::milliseconds(500));
  EXPECT_TRUE((*source)->finished());
  EXPECT_EQ(late.load(), 0);
  EXPECT_GT((*source)->messages(), 0);  // the live source produced data in real time
  ingest::Message msg;
  (*source)->StartBatch();
  EXPECT_FALSE((*source)->Next(msg));
}

}  // namespace
}  // namespace naap::sim
