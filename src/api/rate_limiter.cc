#include "api/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>

#include "base/strings.h"

namespace naap::api {

std::optional<std::array<uint8_t, 16>> ParseIp(std::string_view text) {
  const std::string copy(text);
  std::array<uint8_t, 16> ip{};
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) {
    ip[10] = ip[11] = 0xFF;
    std::memcpy(ip.data() + 12, &v4, 4);
    return ip;
  }
  if (inet_pton(AF_INET6, copy.c_str(), ip.data()) == 1) return ip;
  return std::nullopt;
}

bool Cidr::Contains(const std::array<uint8_t, 16>& ip) const {
  for (int bit = 0; bit < prefix_bits; bit += 8) {
    const int bits = std::min(8, prefix_bits - bit);
    const uint8_t mask = static_cast<uint8_t>(0xFF << (8 - bits));
    if ((ip[bit / 8] & mask) != (address[bit / 8] & mask)) return false;
  }
  return true;
}

Result<Cidr> ParseCidr(std::string_view text) {
  const size_t slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  std::optional<std::array<uint8_t, 16>> address = ParseIp(host);
  if (!address) return InvalidArgument("invalid CIDR \"" + std::string(text) + "\"");
  const bool v4 = host.find(':') == std::string_view::npos;
  Cidr cidr{.address = *address, .prefix_bits = 128};
  if (slash != std::string_view::npos) {
    const std::string_view bits = text.substr(slash + 1);
    int prefix = -1;
    auto [end, error] = std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
    if (bits.empty() || error != std::errc() || end != bits.data() + bits.size() || prefix < 0 ||
        prefix > (v4 ? 32 : 128)) {
      return InvalidArgument("invalid CIDR \"" + std::string(text) + "\"");
    }
    cidr.prefix_bits = v4 ? prefix + 96 : prefix;
  }
  return cidr;
}

RateLimiter::RateLimiter(double rps, int64_t burst, std::vector<Cidr> trusted_proxies)
    : rps_(rps),
      burst_(static_cast<double>(std::max<int64_t>(burst, 1))),
      trusted_(std::move(trusted_proxies)) {}

bool RateLimiter::IsTrusted(std::string_view ip) const {
  std::optional<std::array<uint8_t, 16>> parsed = ParseIp(ip);
  return parsed && std::any_of(trusted_.begin(), trusted_.end(),
                               [&](const Cidr& cidr) { return cidr.Contains(*parsed); });
}

std::string RateLimiter::ClientIp(std::string_view peer_ip,
                                  const std::vector<std::string_view>& forwarded_for) const {
  if (!IsTrusted(peer_ip)) return std::string(peer_ip);
  std::vector<std::string_view> hops;
  for (std::string_view field : forwarded_for) {
    while (!field.empty()) {
      const size_t comma = field.find(',');
      const std::string_view hop = TrimView(field.substr(0, comma));
      if (!hop.empty()) hops.push_back(hop);
      field = comma == std::string_view::npos ? "" : field.substr(comma + 1);
    }
  }
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    if (!IsTrusted(*it)) return std::string(*it);
  }
  // Every hop is a trusted proxy: the leftmost is the closest to the client.
  return hops.empty() ? std::string(peer_ip) : std::string(hops.front());
}

void RateLimiter::DropStale(Millis now) {
  while (!recency_.empty() &&
         (buckets_.size() > kMaxBuckets || now - recency_.back().updated >= kIdleDropMs)) {
    buckets_.erase(recency_.back().client);
    recency_.pop_back();
  }
}

int64_t RateLimiter::Take(const std::string& client, Millis now) {
  if (!enabled()) return 0;
  std::lock_guard lock(mu_);
  auto found = buckets_.find(client);
  if (found == buckets_.end()) {
    recency_.push_front({.client = client, .tokens = burst_, .updated = now});
    found = buckets_.emplace(client, recency_.begin()).first;
  } else {
    recency_.splice(recency_.begin(), recency_, found->second);
  }
  Bucket& bucket = *found->second;
  const Millis elapsed = std::max<Millis>(0, now - bucket.updated);
  bucket.tokens = std::min(burst_, bucket.tokens + rps_ * static_cast<double>(elapsed) / 1000.0);
  bucket.updated = now;
  int64_t retry_after = 0;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
  } else {
    retry_after = std::max<int64_t>(1, static_cast<int64_t>(std::ceil((1 - bucket.tokens) / rps_)));
  }
  DropStale(now);
  return retry_after;
}

size_t RateLimiter::bucket_count() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace naap::api
