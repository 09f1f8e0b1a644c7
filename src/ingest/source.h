#pragma once
// A Source yields raw messages with provenance (spec/events.md §1). Every source (file, Kafka,
// HTTP body, simulator) feeds the same Pipeline.
#include <cstdint>
#include <string_view>

#include "base/status.h"
#include "base/time.h"
#include "event/decoded.h"

namespace naap::ingest {

struct Message {
  std::string_view bytes;        // valid until the next call to Next()
  std::string_view kafka_topic;  // Kafka only
  bool broken_tail = false;      // unreadable remainder of a file: counts as one malformed_json
  // > bytes.size() when `bytes` is only the head of a longer message (a source caps what it
  // buffers); the head is still longer than any acceptable message, so it is oversized_message.
  int64_t full_length = 0;
  event::Provenance provenance;
};

class Source {
 public:
  virtual ~Source() = default;
  // Fills `out` with the next message; false at the end or after an operational failure.
  virtual bool Next(Message& out) = 0;
  // Non-ok after an operational failure (unreadable file, corrupt compressed stream).
  virtual Status status() const = 0;
  // True while one of the source's streams (a Kafka partition) has messages waiting but has
  // delivered none yet, for at most kStreamIdleMs after it opened: the pipeline's event-time
  // watermark (pipeline.h) does not advance until every stream has spoken.
  virtual bool StreamsPending() const { return false; }
};

// A stream that delivered nothing for this long (ingest clock) stops holding the event-time
// watermark back: an idle Kafka partition, a finished file.
constexpr Millis kStreamIdleMs = 30'000;

}  // namespace naap::ingest
