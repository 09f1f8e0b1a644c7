#include "base/task_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace naap {
namespace {

using namespace std::chrono_literals;

// Polls `done` for up to 10 s.
bool Eventually(const std::function<bool()>& done) {
  for (auto until = std::chrono::steady_clock::now() + 10s;
       std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(1ms)) {
    if (done()) return true;
  }
  return done();
}

TEST(TaskPool, TheDestructorWaitsForEveryTask) {
  std::atomic<int> finished = 0;
  {
    TaskPool pool(1);
    for (int i = 0; i < 20; ++i) {
      pool.Submit([&] {
        std::this_thread::sleep_for(5ms);
        ++finished;
      });
    }
  }
  EXPECT_EQ(finished, 20);
}

TEST(TaskPool, ATaskNeverWaitsForABusyThread) {
  TaskPool pool(0);
  std::promise<void> second_ran;
  std::future_status first_saw = std::future_status::timeout;
  std::promise<void> first_done;
  pool.Submit([&] {
    first_saw = second_ran.get_future().wait_for(10s);
    first_done.set_value();
  });
  pool.Submit([&] { second_ran.set_value(); });
  first_done.get_future().wait();
  EXPECT_EQ(first_saw, std::future_status::ready);
}

TEST(TaskPool, GrowsToThePeakThenKeepsMaxIdleThreadsForReuse) {
  TaskPool pool(2);
  std::shared_future<void> gate;
  std::promise<void> open;
  gate = open.get_future().share();
  std::atomic<int> started = 0, finished = 0;
  const auto blocked = [&] {
    ++started;
    gate.wait();
    ++finished;
  };
  for (int i = 0; i < 8; ++i) pool.Submit(blocked);
  ASSERT_TRUE(Eventually([&] { return started == 8; }));
  EXPECT_EQ(pool.threads(), 8);
  open.set_value();
  ASSERT_TRUE(Eventually([&] { return finished == 8 && pool.threads() == 2; }));

  // Two idle threads take the next two tasks: none starts.
  std::promise<void> reopen;
  gate = reopen.get_future().share();
  started = 0;
  for (int i = 0; i < 2; ++i) pool.Submit(blocked);
  ASSERT_TRUE(Eventually([&] { return started == 2; }));
  EXPECT_EQ(pool.threads(), 2);
  reopen.set_value();
}

TEST(TaskPool, AThreadThatRunsOutOfWorkCallsOnIdleOnItself) {
  std::atomic<int> idle_calls = 0;
  std::atomic<bool> same_thread = false;
  std::thread::id worker;
  std::promise<void> ran;
  TaskPool pool(
      1,
      [&] {
        same_thread = std::this_thread::get_id() == worker;
        ++idle_calls;
      },
      std::chrono::hours(1));
  pool.Submit([&] {
    worker = std::this_thread::get_id();
    ran.set_value();
  });
  ran.get_future().wait();
  ASSERT_TRUE(Eventually([&] { return idle_calls == 1; }));
  EXPECT_TRUE(same_thread);
}

TEST(TaskPool, AnIdleThreadCallsOnIdleEveryTick) {
  std::atomic<int> idle_calls = 0;
  TaskPool pool(
      1, [&] { ++idle_calls; }, 5ms);
  std::promise<void> ran;
  pool.Submit([&] { ran.set_value(); });
  ran.get_future().wait();
  // Once after the task, then once per tick while the thread waits.
  EXPECT_TRUE(Eventually([&] { return idle_calls >= 4; }));
}

}  // namespace
}  // namespace naap
