#include "base/task_pool.h"

#include <thread>

namespace naap {

TaskPool::~TaskPool() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  wake_.notify_all();
  exited_.wait(lock, [&] { return threads_ == 0; });
}

void TaskPool::Submit(std::function<void()> task) {
  std::lock_guard lock(mu_);
  queue_.push_back(std::move(task));
  // Every idle thread takes one queued task; start a thread for a task no idle one will take.
  if (static_cast<size_t>(idle_) >= queue_.size()) {
    wake_.notify_one();
    return;
  }
  ++threads_;
  std::thread([this] { Work(); }).detach();
}

int TaskPool::threads() const {
  std::lock_guard lock(mu_);
  return threads_;
}

void TaskPool::Work() {
  std::unique_lock lock(mu_);
  for (;;) {
    while (queue_.empty()) {
      if (stopping_ || idle_ >= max_idle_) {
        // The last member access: the destructor may return once the lock is released.
        --threads_;
        exited_.notify_all();
        return;
      }
      ++idle_;
      bool ticked = false;
      if (on_idle_) {
        ticked = wake_.wait_for(lock, idle_tick_) == std::cv_status::timeout;
      } else {
        wake_.wait(lock);
      }
      --idle_;
      if (ticked && queue_.empty() && !stopping_) RunOnIdle(lock);
    }
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
    if (queue_.empty()) RunOnIdle(lock);
  }
}

void TaskPool::RunOnIdle(std::unique_lock<std::mutex>& lock) {
  if (!on_idle_) return;
  lock.unlock();
  on_idle_();
  lock.lock();
}

}  // namespace naap
