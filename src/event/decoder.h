#pragma once
// Decoder: bytes of one message → Decoded (spec/events.md §1.4–§5). Never throws, never crashes
// on any input; every failure is a classified rejection. Not thread-safe: one per thread.
#include <cstddef>
#include <memory>

#include "event/decoded.h"
#include "event/org.h"

namespace naap::event {

struct DecoderOptions {
  size_t max_message_bytes = 1'048'576;  // §3.1 row 1
  TopicMap topics = TopicMap::Default();
};

class Decoder {
 public:
  explicit Decoder(DecoderOptions options = {});
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // The result stays valid until the next call.
  const Decoded& Decode(const DecodeInput& in);
  // Hands the latest result over, so it can outlive the next call (its envelope still points into
  // that call's input or into the decoder). The next Decode() fills `spare` instead: a result
  // taken earlier and done with, whose strings and vectors keep their capacity, saves allocations.
  std::unique_ptr<Decoded> TakeResult(std::unique_ptr<Decoded> spare = nullptr);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace naap::event
