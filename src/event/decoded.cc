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

}  // namespace naap::event
