#pragma once
// LiveSource: the simulator (generator.h) as an endless ingest::Source whose event times follow
// the wall clock, for `naap serve --source sim[:EVENTS_PER_S]` and demos: a live, growing
// dataset. The generator starts at the clock's now and runs (at a scale matching events_per_s) up
// to a year ahead; each message is held back until the clock reaches its event time, so no event
// lies in the future (late and re-delivered messages, which the generator produces on purpose,
// arrive after their event time).
//
// Batches: Next() returns false at the end of a batch (batch_ms of clock time or batch_messages
// messages, whichever first) so a caller can commit and call again; finished() says whether the
// source has really ended (Stop() or the end of the generator). Messages carry provenance
// source "sim" with the org's topic, partition and offset, and kafka_topic set to that topic, so
// the org comes from the topic map like a Kafka record.
//
// One thread calls Next(); Stop() may be called from any thread and wakes a waiting Next().
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "base/status.h"
#include "base/time.h"
#include "ingest/source.h"
#include "sim/generator.h"

namespace naap::sim {

struct LiveSourceOptions {
  double events_per_s = 200;  // mean rate; bursts follow the simulated network
  uint64_t seed = 0;          // 0: the start time, so each run yields new event ids
  Millis batch_ms = 1000;
  int64_t batch_messages = 5000;
};

inline constexpr int64_t kMaxEventsPerSecond = 500'000;

class LiveSource final : public ingest::Source {
 public:
  // `clock` must outlive the source. InvalidArgument for a rate outside (0, 500000].
  static Result<std::unique_ptr<LiveSource>> Create(const Clock& clock, LiveSourceOptions options);
  ~LiveSource() override;

  bool Next(ingest::Message& out) override;
  Status status() const override { return Status::Ok(); }

  // Starts the next batch (the first batch starts at creation).
  void StartBatch();
  bool finished() const { return finished_.load(); }
  void Stop();

  int64_t messages() const { return messages_.load(); }
  // Event time of the newest message yielded, 0 before the first.
  Millis newest_event_ms() const { return newest_event_ms_.load(); }

 private:
  LiveSource(const Clock& clock, LiveSourceOptions options, std::unique_ptr<Generator> generator);

  const Clock& clock_;
  const LiveSourceOptions options_;
  std::unique_ptr<Generator> generator_;
  Message pending_;  // the generator's next message, held until due
  bool has_pending_ = false;
  Millis batch_end_ms_ = 0;
  int64_t batch_left_ = 0;

  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_requested_ = false;  // guarded by mu_
  std::atomic<bool> finished_{false};
  std::atomic<int64_t> messages_{0};
  std::atomic<Millis> newest_event_ms_{0};
};

}  // namespace naap::sim
