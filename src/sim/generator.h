#pragma once
// Deterministic generator of a realistic Livepeer AI network (spec/events.md shapes): capability
// snapshots, live video-to-video sessions in every outcome class, AI-batch/LLM and BYOC jobs,
// ignored traffic, and delivery faults (duplicates, worker re-drains, late and out-of-order
// delivery, truncated lines, empty ids).
//
// Invariants: the same Config yields the same messages byte for byte; every event_ts lies in
// [start_ms, end_ms); messages are delivered at most kMaxDeliveryDelayMs after their event time;
// memory is bounded by the live sessions and jobs plus the reorder window, never by run length.
//
//   auto gen = Generator::Create(config);
//   Message msg;
//   while ((*gen)->Next(msg)) { /* msg.topic, msg.bytes, msg.event_ts */ }
//   (*gen)->truth();  // complete once Next has returned false
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "base/time.h"
#include "sim/truth.h"

namespace naap::sim {

struct Config {
  uint64_t seed = 1;
  Millis start_ms = 0;
  Millis end_ms = 0;   // exclusive
  double scale = 1.0;  // 1 ≈ today's network (≈ 5M events a day); 0.01 for tests
};

inline constexpr Millis kMaxDeliveryDelayMs = 10 * 60 * 1000;

// One message as a Kafka producer would send it.
struct Message {
  std::string_view topic;  // the org's topic; "" for a malformed line (no readable org)
  std::string_view bytes;  // the envelope JSON, or the raw broken text when `malformed`
  bool malformed = false;
  Millis event_ts = 0;
  int partition = 0;
  int64_t offset = 0;      // per (topic, partition), in production order; a re-delivery repeats it
};

// Appends one NDJSON line (with '\n'): the export wrapper
// {"topic":T,"partition":P,"offset":O,"value":<envelope>} (spec/events.md §2.3), or the raw text
// of a malformed line.
void WriteWrapperLine(const Message& msg, std::string& out);

// "2026-01-08", "2026-01-08T21:00", "2026-01-08T21:49:05[.298][Z]" (UTC) → ms.
Result<Millis> ParseUtcTime(std::string_view text);

class World;

class Generator {
 public:
  static Result<std::unique_ptr<Generator>> Create(const Config& config);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  // The next message in delivery order; its views stay valid until the next call.
  bool Next(Message& out);
  const Truth& truth() const;
  // Live actors plus queued messages: the memory-boundedness proxy.
  size_t state_size() const;

 private:
  explicit Generator(std::unique_ptr<World> world);
  std::unique_ptr<World> world_;
};

}  // namespace naap::sim
