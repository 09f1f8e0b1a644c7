#pragma once
// Orgs and the topic → org map (spec/events.md §1.4).
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace naap::event {

// [a-z0-9][a-z0-9_-]{0,63}
bool IsValidOrg(std::string_view org);

// Topic names are matched after lower-casing and replacing '-' by '_'.
class TopicMap {
 public:
  static TopicMap Default();  // network_events → daydream, streaming_events → cloudspe
  Status Set(std::string_view topic, std::string_view org);  // invalid org → InvalidArgument
  std::optional<std::string> Resolve(std::string_view topic) const;

 private:
  std::map<std::string, std::string, std::less<>> map_;
};

}  // namespace naap::event
