#include "event/decoded.h"

namespace naap::event {

std::string_view ClassName(MessageClass c) {
  switch (c) {
    case MessageClass::kAccepted: return "accepted";
    case MessageClass::kIgnored: return "ignored";
    case MessageClass::kRejected: return "rejected";
    case MessageClass::kDuplicate: return "duplicate";
  }
  return "rejected";
}

std::string Provenance::ToString() const {
  if (!topic.empty() || partition >= 0) {
    return source + ":" + topic + "/" + std::to_string(partition) + "@" + std::to_string(offset);
  }
  return source + ":" + path + ":" + std::to_string(index) + "@" + std::to_string(byte_offset);
}

std::vector<std::string_view> IgnoreReasonNames() {
  return {"ignored_stream_trace_non_core_app", "ignored_stream_trace_scope_client_noise",
          "unsupported_event_family", "unsupported_stream_trace_type"};
}

std::vector<std::string_view> RejectReasonNames() {
  return {"bad_timestamp",     "invalid_payload", "malformed_json", "missing_event_id",
          "missing_event_type", "oversized_message", "unknown_org"};
}

}  // namespace naap::event
