#pragma once
// Decoded raw-log messages on their way from the replay's decoding thread to the thread that adds
// them to the resolver (docs/analytics-engine.md "Replay of the whole raw log").
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "base/cpus.h"
#include "event/decoder.h"

namespace naap::publish {

// Accepted messages of the raw log, decoded, in the raw log's order; `ends_hour` marks the last
// chunk of an hour.
struct MessageChunk {
  std::vector<std::unique_ptr<event::Decoded>> messages;
  bool ends_hour = false;
};

// Message chunks in order; at most kOverlap chunks wait, about one hour's Resolve() worth of
// decoding, or two when the constructing thread may use one CPU only (base/cpus.h QueueBound: the
// one-core rebuild of the 5 h file's store peaked 100 MB lower). Push blocks until the other side
// takes one or stops taking.
class MessageChunks {
 public:
  static constexpr size_t kChunkSize = 1024, kOverlap = 64;

  // False once the taking side stopped: the chunk is dropped.
  bool Push(MessageChunk chunk) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return waiting_.size() < max_waiting_ || stopped_; });
    if (stopped_) return false;
    waiting_.push_back(std::move(chunk));
    changed_.notify_all();
    return true;
  }
  // The pushing side is done.
  void Close() {
    std::lock_guard lock(mu_);
    closed_ = true;
    changed_.notify_all();
  }
  // The taking side is done: every Push from now on returns false.
  void Stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
    changed_.notify_all();
  }
  // The next chunk; false once closed and every chunk was taken.
  bool Pop(MessageChunk& chunk) {
    std::unique_lock lock(mu_);
    changed_.wait(lock, [&] { return !waiting_.empty() || closed_; });
    if (waiting_.empty()) return false;
    chunk = std::move(waiting_.front());
    waiting_.pop_front();
    changed_.notify_all();
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<MessageChunk> waiting_;
  bool closed_ = false, stopped_ = false;
  const size_t max_waiting_ = QueueBound(kOverlap, UsableCpus());
};

}  // namespace naap::publish
