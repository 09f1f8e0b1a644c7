#pragma once
// The result of decoding one message (spec/events.md §2–§4): its candidate class, header fields,
// notes and typed records. The duplicate test (§7.1) runs after decoding, in ingest/.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "event/records.h"

namespace naap::event {

enum class MessageClass : uint8_t { kAccepted, kIgnored, kRejected, kDuplicate };
std::string_view ClassName(MessageClass c);  // "accepted" | "ignored" | "rejected" | "duplicate"

// Where a message came from (§1). Never identity, never order.
struct Provenance {
  std::string source;      // "kafka" | "file" | "http" | "sim"
  std::string topic;       // Kafka topic ("" for files)
  int32_t partition = -1;  // Kafka partition
  int64_t offset = -1;     // Kafka offset
  std::string path;        // file path ("-" for stdin)
  int64_t index = 0;       // 1-based line number or array element index
  int64_t byte_offset = 0; // offset of the message in the (decompressed) file
  // "source:topic/partition@offset" for Kafka, else "source:path:index@byte_offset".
  std::string ToString() const;
  void AppendTo(std::string& out) const;  // appends ToString() without a temporary
};

// Data-quality note (§3.4), counted per (org, accounting hour, family, note).
struct Note {
  std::string note;    // "unkeyed_session" | "field_type_mismatch" | "element_skipped"
  std::string detail;  // informative, e.g. "data.inference_status.fps: negative"
};

struct DecodeInput {
  std::string_view bytes;         // the message exactly as received
  std::string_view kafka_topic;   // set for Kafka records: the org comes from the topic map
  std::string_view org_override;  // --org / ?org=; overrides everything (§1.4)
  bool broken_tail = false;       // a source's unreadable remainder (§1.2): always malformed_json
  Millis ingest_ms = 0;           // from the injected clock; rebuild passes the stored ingest time
  // Called with the org and event id once the header is read, before the payload is decoded: the
  // pipeline prefetches the event's dedup key there, so the look-up after decoding finds it cached.
  const std::function<void(std::string_view org, std::string_view event_id)>* header_read = nullptr;
};

struct Decoded {
  MessageClass cls = MessageClass::kRejected;
  std::string reason;  // ignore or reject reason (exact strings of §3.1); "" when accepted
  std::string detail;  // reject reason_detail, naming the first failing field
  std::string org;     // "" when no org resolved
  std::string event_id;
  std::string family;   // trimmed, lower-cased envelope type
  std::string subtype;  // trimmed, lower-cased data.type (composite form for job_gateway)
  bool has_event_ts = false;  // row 6 of §3.1 passed
  Millis event_ts = 0;
  std::string gateway;
  std::string schema_version;
  // The envelope text to keep in the raw log: the message itself, or a wrapper's `value` text.
  // Points into DecodeInput::bytes or into the decoder; valid until the decoder's next call.
  std::string_view envelope;
  std::string worker_event_id;  // worker_lifecycle data.id: a second dedup key when non-empty
  std::vector<Note> notes;
  Records records;  // typed records; empty unless accepted

  // Accounting hour (§3.2): hour of event_ts when valid, else of the ingest time.
  Millis AccountingHour(Millis ingest_ms) const { return HourFloor(has_event_ts ? event_ts : ingest_ms); }
};

// The names every accounting report lists, all present even at zero (spec/api.md §4.1), in byte
// order: the 14 accepted families, the ignore reasons and the reject reasons of §3.1.
std::vector<std::string_view> AcceptedFamilyNames();
std::vector<std::string_view> IgnoreReasonNames();
std::vector<std::string_view> RejectReasonNames();

}  // namespace naap::event
