#pragma once
// Test helpers for the event module: one decoder with the §8 defaults (topic streaming_events,
// ingest time 2026-01-09T00:00:00Z).
#include <string>
#include <string_view>

#include "event/decoder.h"

namespace naap::event::testing {

inline constexpr Millis kIngestMs = 1'767'916'800'000;  // 2026-01-09T00:00:00Z

class DecoderHarness {
 public:
  const Decoded& Kafka(std::string_view bytes, std::string_view topic = "streaming_events") {
    return decoder_.Decode(DecodeInput{bytes, topic, "", false, kIngestMs});
  }
  const Decoded& File(std::string_view bytes, std::string_view org_override = "") {
    return decoder_.Decode(DecodeInput{bytes, "", org_override, false, kIngestMs});
  }
  Decoder& decoder() { return decoder_; }

 private:
  Decoder decoder_;
};

std::string ReadFileOrDie(const std::string& path);
bool HasNote(const Decoded& d, std::string_view note, std::string_view detail_part = "");

}  // namespace naap::event::testing
