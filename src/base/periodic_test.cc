#include "base/periodic.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace naap {
namespace {

using namespace std::chrono_literals;

TEST(Periodic, CallsEveryIntervalUntilDestroyed) {
  std::atomic<int> calls = 0;
  {
    Periodic every(5ms, [&] { ++calls; });
    for (auto until = std::chrono::steady_clock::now() + 10s;
         calls < 3 && std::chrono::steady_clock::now() < until;) {
      std::this_thread::sleep_for(1ms);
    }
  }
  const int at_destruction = calls;
  EXPECT_GE(at_destruction, 3);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(calls, at_destruction);
}

TEST(Periodic, TheDestructorDoesNotWaitForTheInterval) {
  bool called = false;
  const auto start = std::chrono::steady_clock::now();
  { Periodic every(1h, [&] { called = true; }); }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_FALSE(called);
}

}  // namespace
}  // namespace naap
