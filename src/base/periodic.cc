#include "base/periodic.h"

namespace naap {

Periodic::Periodic(std::chrono::milliseconds interval, std::function<void()> fn)
    : thread_([this, interval, fn = std::move(fn)] {
        std::unique_lock lock(mu_);
        while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
          lock.unlock();
          fn();
          lock.lock();
        }
      }) {}

Periodic::~Periodic() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace naap
