#include "event/decoded.h"

#include <charconv>

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
  std::string out;
  AppendTo(out);
  return out;
}

void Provenance::AppendTo(std::string& out) const {
  const auto number = [&out](int64_t v) {
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, v).ptr);
  };
  out += source;
  out += ':';
  const bool kafka = !topic.empty() || partition >= 0;
  out += kafka ? topic : path;
  out += kafka ? '/' : ':';
  number(kafka ? partition : index);
  out += '@';
  number(kafka ? offset : byte_offset);
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
