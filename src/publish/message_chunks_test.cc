#include "publish/message_chunks.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <optional>
#include <thread>

#include "ingest/test_util.h"

namespace naap::publish {
namespace {

using ingest::testing::CountWhereItStops;

// How many chunks wait in a queue made on a thread allowed `cpus` CPUs before a Push blocks, when
// nothing is taken. Then one is taken, which lets one more in, and the taking side stops, which
// ends the blocked Push with false.
int64_t WaitingBeforePushBlocks(int cpus) {
  std::optional<MessageChunks> chunks;
  std::thread([&] {
    const cpu_set_t chosen = ingest::testing::FirstCpus(cpus);
    EXPECT_EQ(sched_setaffinity(0, sizeof chosen, &chosen), 0);
    chunks.emplace();
  }).join();
  const int64_t all = 2 * MessageChunks::kOverlap;
  std::atomic<int64_t> pushed = 0;
  bool refused = false;
  std::thread pushing([&] {
    for (int64_t i = 0; i < all && !refused; ++i) {
      if (chunks->Push(MessageChunk{})) {
        ++pushed;
      } else {
        refused = true;
      }
    }
  });
  const int64_t waiting = CountWhereItStops(pushed, all);
  MessageChunk taken;
  EXPECT_TRUE(chunks->Pop(taken));
  EXPECT_EQ(CountWhereItStops(pushed, all), waiting + 1);
  chunks->Stop();
  pushing.join();
  EXPECT_TRUE(refused);
  return waiting;
}

// The replay's decoding thread may run at most kOverlap chunks ahead; on one CPU it cannot decode
// while the other thread resolves, so only two wait (docs/analytics-engine.md).
TEST(MessageChunksTest, OnOneCpuTwoChunksWaitElseAnHoursOverlap) {
  if (UsableCpus() < 2) GTEST_SKIP() << "needs two CPUs to compare";
  EXPECT_EQ(WaitingBeforePushBlocks(1), 2);
  EXPECT_EQ(WaitingBeforePushBlocks(2), static_cast<int64_t>(MessageChunks::kOverlap));
}

}  // namespace
}  // namespace naap::publish
