#pragma once
// Per-client rate limiting of spec/api.md §1.11: one token bucket per client IP (capacity
// `burst`, refill `rps` tokens per second; rps 0 disables), each request taking one token.
// Buckets idle for 3 minutes are dropped and at most 100 000 are kept, least recently used
// dropped first. The client IP is the socket peer, or, when the peer is a trusted proxy, the
// rightmost X-Forwarded-For address that is not a trusted proxy. Thread-safe.
#include <array>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace naap::api {

// An IPv4 or IPv6 network; IPv4 is held as IPv4-mapped IPv6 (::ffff:a.b.c.d, prefix + 96).
struct Cidr {
  std::array<uint8_t, 16> address{};
  int prefix_bits = 128;
  bool Contains(const std::array<uint8_t, 16>& ip) const;
};
// "10.0.0.0/8", "2001:db8::/32", or a single address; InvalidArgument otherwise.
Result<Cidr> ParseCidr(std::string_view text);
// A textual IPv4 or IPv6 address as 16 bytes (IPv4 mapped), or nullopt.
std::optional<std::array<uint8_t, 16>> ParseIp(std::string_view text);

class RateLimiter {
 public:
  static constexpr Millis kIdleDropMs = 3 * 60'000;
  static constexpr size_t kMaxBuckets = 100'000;

  RateLimiter(double rps, int64_t burst, std::vector<Cidr> trusted_proxies);

  // The client of a request from `peer_ip` whose X-Forwarded-For field values are `forwarded_for`
  // (in arrival order).
  std::string ClientIp(std::string_view peer_ip,
                       const std::vector<std::string_view>& forwarded_for) const;

  // Takes a token from `client`'s bucket at time `now`: 0 when allowed, else the Retry-After
  // seconds (ceil of the time until one token, at least 1).
  int64_t Take(const std::string& client, Millis now);

  bool enabled() const { return rps_ > 0; }
  size_t bucket_count() const;

 private:
  struct Bucket {
    std::string client;
    double tokens = 0;
    Millis updated = 0;
  };
  bool IsTrusted(std::string_view ip) const;
  void DropStale(Millis now);

  const double rps_;
  const double burst_;
  const std::vector<Cidr> trusted_;
  mutable std::mutex mu_;
  std::list<Bucket> recency_;  // most recently used first
  std::unordered_map<std::string, std::list<Bucket>::iterator> buckets_;
};

}  // namespace naap::api
