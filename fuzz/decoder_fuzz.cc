// libFuzzer target for event::Decoder: arbitrary bytes are decoded as a Kafka record, as a file
// message without an org, as an export wrapper's value, and with a small size limit. Every
// result must satisfy the classification invariants of spec/events.md §3; a violation aborts.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "event/decoder.h"
#include "event/normalize.h"

namespace {
using naap::event::Decoded;
using naap::event::DecodeInput;
using naap::event::Decoder;
using naap::event::DecoderOptions;
using naap::event::MessageClass;

constexpr naap::Millis kIngestMs = 1'767'916'800'000;  // 2026-01-09T00:00:00Z

void Check(bool ok, const char* what, const Decoded& d) {
  if (ok) return;
  std::fprintf(stderr, "invariant violated: %s (class %d reason '%s' detail '%s')\n", what,
               static_cast<int>(d.cls), d.reason.c_str(), d.detail.c_str());
  std::abort();
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto o : options) {
    if (s == o) return true;
  }
  return false;
}

void CheckInvariants(const Decoded& d, size_t input_size, size_t max_bytes) {
  Check(d.cls != MessageClass::kDuplicate, "decoder never assigns duplicate", d);
  if (input_size > max_bytes) Check(d.reason == "oversized_message", "size measured first", d);
  switch (d.cls) {
    case MessageClass::kAccepted:
      Check(d.reason.empty() && d.detail.empty(), "accepted has no reason", d);
      Check(naap::event::IsValidOrg(d.org), "accepted has a valid org", d);
      Check(!d.event_id.empty() && !d.family.empty(), "accepted has id and family", d);
      Check(d.has_event_ts && naap::event::InEventTimeRange(d.event_ts, kIngestMs),
            "accepted event time in range", d);
      Check(d.records.header.org == d.org && d.records.header.event_id == d.event_id &&
                d.records.header.subtype == d.subtype,
            "record header matches", d);
      for (const auto& s : d.records.capability_snapshots) {
        Check(!s.orch_address.empty() && s.element_hash.size() == 64, "snapshot identity", d);
      }
      for (const auto& p : d.records.payments) {
        Check(p.expected_fee_wei <= p.face_value_wei || p.num_tickets > 1, "fee bounded", d);
      }
      break;
    case MessageClass::kIgnored:
      Check(OneOf(d.reason, {"unsupported_event_family", "ignored_stream_trace_non_core_app",
                             "ignored_stream_trace_scope_client_noise",
                             "unsupported_stream_trace_type"}),
            "known ignore reason", d);
      Check(d.records.Count() == 0 && d.has_event_ts, "ignored passed row 6, has no records", d);
      break;
    case MessageClass::kRejected:
      Check(OneOf(d.reason, {"oversized_message", "malformed_json", "unknown_org",
                             "missing_event_id", "missing_event_type", "bad_timestamp",
                             "invalid_payload"}),
            "known reject reason", d);
      Check(d.records.Count() == 0, "rejected has no records", d);
      break;
    case MessageClass::kDuplicate:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Decoder* const kDecoder = new Decoder();
  static Decoder* const kSmallDecoder = new Decoder(DecoderOptions{.max_message_bytes = 4096});
  std::string_view bytes(reinterpret_cast<const char*>(data), size);

  const Decoded& kafka = kDecoder->Decode(DecodeInput{bytes, "streaming_events", "", false, kIngestMs});
  CheckInvariants(kafka, size, 1'048'576);
  const Decoded& file = kDecoder->Decode(DecodeInput{bytes, "", "", false, kIngestMs});
  CheckInvariants(file, size, 1'048'576);
  std::string wrapped = R"({"topic":"network-events","partition":0,"value":)";
  wrapped.append(bytes).append("}");
  const Decoded& wrapper = kDecoder->Decode(DecodeInput{wrapped, "", "", false, kIngestMs});
  CheckInvariants(wrapper, wrapped.size(), 1'048'576);
  if (wrapper.cls == MessageClass::kAccepted) {
    Check(wrapper.org == "daydream", "wrapper org from topic", wrapper);
  }
  const Decoded& small = kSmallDecoder->Decode(DecodeInput{bytes, "", "acme", false, kIngestMs});
  CheckInvariants(small, size, 4096);
  return 0;
}
