#include "event/org.h"

#include "base/strings.h"

namespace naap::event {
namespace {
std::string CanonicalTopic(std::string_view topic) {
  std::string t = ToLower(topic);
  for (char& c : t) {
    if (c == '-') c = '_';
  }
  return t;
}
}  // namespace

bool IsValidOrg(std::string_view org) {
  if (org.empty() || org.size() > 64) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(org[0])) return false;
  for (char c : org.substr(1)) {
    if (!alnum(c) && c != '_' && c != '-') return false;
  }
  return true;
}

TopicMap TopicMap::Default() {
  TopicMap m;
  m.map_.emplace("network_events", "daydream");
  m.map_.emplace("streaming_events", "cloudspe");
  return m;
}

Status TopicMap::Set(std::string_view topic, std::string_view org) {
  if (!IsValidOrg(org)) return InvalidArgument("invalid org '" + std::string(org) + "' for topic");
  map_[CanonicalTopic(topic)] = std::string(org);
  return Status::Ok();
}

std::optional<std::string> TopicMap::Resolve(std::string_view topic) const {
  if (topic.empty()) return std::nullopt;
  auto it = map_.find(CanonicalTopic(topic));
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

}  // namespace naap::event
