#pragma once
// TaskPool: runs submitted tasks on reusable threads. A task never waits for another: when no
// thread is idle, a new one starts. A thread that finishes its task while `max_idle` others already
// wait for work exits, so the pool's size follows the peak concurrency and shrinks back.
// `on_idle` runs on a thread each time it finishes a task and finds no other waiting, and every
// `idle_tick` while it waits for one.
// Thread-safe. The destructor waits until every submitted task has finished.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>

namespace naap {

class TaskPool {
 public:
  explicit TaskPool(int max_idle, std::function<void()> on_idle = {},
                    std::chrono::milliseconds idle_tick = std::chrono::seconds(10))
      : max_idle_(max_idle), on_idle_(std::move(on_idle)), idle_tick_(idle_tick) {}
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void Submit(std::function<void()> task);

  int threads() const;  // threads alive now (running a task or idle)

 private:
  void Work();
  void RunOnIdle(std::unique_lock<std::mutex>& lock);  // with the lock released

  const int max_idle_;
  const std::function<void()> on_idle_;
  const std::chrono::milliseconds idle_tick_;
  mutable std::mutex mu_;
  std::condition_variable wake_, exited_;
  std::deque<std::function<void()>> queue_;
  int threads_ = 0, idle_ = 0;
  bool stopping_ = false;
};

}  // namespace naap
