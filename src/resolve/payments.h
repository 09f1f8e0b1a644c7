#pragma once
// Payment facts and their links to stream sessions (spec/analytics.md §2.5).
//
// Calling contract for the resolver:
//  - A payment's link depends on (a) the sessions of its org with its request_id (rule 1) and
//    (b) the rule-1 links of the other payments of its *payment group* (org, sender_address,
//    payment_session_id) (rule 2). LinkPayments therefore takes whole groups: every payment with a
//    non-empty payment_session_id must come with all payments of its group. A payment with an
//    empty payment_session_id is a group of its own.
//  - Recompute a group when one of its payments arrives, or when a session whose request_id equals
//    the request_id of one of the group's payments appears, changes its span or its dimensions.
//  - The result is a pure function of the set of payment records, the sessions the index holds
//    and the facts `known` returns: input order, clocks and hash order never matter. Facts come
//    out by event_id.
#include <functional>
#include <map>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/decimal.h"
#include "base/shared_strings.h"
#include "base/status.h"
#include "base/time.h"
#include "event/records.h"
#include "resolve/session.h"

namespace naap::resolve {

// What payment linking needs to know about one existing session, besides its key.
struct LinkableSession {
  Millis first_seen = 0, last_seen = 0;
  // The session dimensions (§2.3): copies the SessionIndex shares among its sessions.
  const std::string* pipeline_id = nullptr;
  const std::string* model_id = nullptr;
};

// Sessions by request id: the linkable part of session facts (the resolver builds it from
// SessionFacts). One entry per session, ordered by (org, request_id, session_key); the few
// distinct pipelines and models are held once each. Not copyable: entries point into the index.
class SessionIndex {
 public:
  struct Key {
    std::string org, request_id, session_key;
    friend auto operator<=>(const Key&, const Key&) = default;
  };
  // Orders keys, and keys against (org, request_id) views, so a look-up copies no string.
  struct KeyLess {
    using is_transparent = void;
    bool operator()(const Key& a, const Key& b) const { return a < b; }
    template <typename View>
    bool operator()(const Key& a, const View& b) const {
      return std::tie(a.org, a.request_id) < std::tie(b.first, b.second);
    }
    template <typename View>
    bool operator()(const View& a, const Key& b) const {
      return std::tie(a.first, a.second) < std::tie(b.org, b.request_id);
    }
  };
  using Entries = std::map<Key, LinkableSession, KeyLess>;
  using Entry = Entries::value_type;
  using Range = std::ranges::subrange<Entries::const_iterator>;

  SessionIndex() = default;
  SessionIndex(const SessionIndex&) = delete;
  SessionIndex& operator=(const SessionIndex&) = delete;

  // Adds (or replaces, by session_key) a session; ignored unless it exists and has a request_id.
  void Add(const SessionFact& session);
  // Retention: forgets the sessions last seen before `before`.
  void DropBefore(Millis before);
  // The sessions of `org` whose request_id is `request_id` (non-empty), by session_key. Valid
  // until the next Add or DropBefore.
  Range SessionsWithRequestId(std::string_view org, std::string_view request_id) const;
  size_t size() const { return entries_.size(); }
  // How many distinct pipelines and models the sessions name (each held once).
  size_t dimension_count() const { return dimensions_.size(); }

  // For the resolver's checkpoint: every entry as one element of index part `id`, and back.
  template <typename Parts>
  Status EncodeSettled(uint64_t id, Parts& parts) const {
    return parts.Write(id, entries_, [](ByteWriter& w, const Entry& e) { Encode(w, e); });
  }
  // Reads `n` elements EncodeSettled wrote; false on bad bytes or a key already held.
  bool DecodeSettled(ByteReader& r, uint64_t n);

 private:
  static void Encode(ByteWriter& w, const Entry& e);
  void Release(const LinkableSession& session);

  Entries entries_;
  SharedStrings dimensions_;  // pipelines and models
};

inline constexpr Millis kPaymentSessionGraceMs = 60'000;  // rule 2: last_seen + 60 s

// One create_new_payment record (api_fact_payment).
struct PaymentFact {
  std::string event_id, org;
  Millis event_ts = 0;
  std::string gateway;
  std::string sender_address;     // the paying gateway
  std::string recipient_address;  // the orchestrator, on-chain
  std::string orch_url, orch_url_norm;
  std::string payment_session_id, request_id, manifest_id;
  std::optional<int> manifest_capability_id;
  Wei face_value_wei;
  int64_t num_tickets = 0;
  Decimal win_prob;
  double price_wei_per_pixel = 0;
  Wei face_value_total_wei;  // face_value_wei × num_tickets (saturates at Wei::kMax)
  Wei fees_wei;              // expected_fee_wei
  // The link: session_key "" and link_method "unlinked" when not linked.
  std::string session_key;
  std::string link_method;  // request_id | payment_session | unlinked
  std::string link_status;  // resolved | unresolved
  std::string pipeline_id, model_id;
  friend bool operator==(const PaymentFact&, const PaymentFact&) = default;
};

// The payment group of a record (see the contract above): (sender_address, payment_session_id),
// views into the record.
std::pair<std::string_view, std::string_view> PaymentGroupOf(const event::Payment& payment);

// The fact a payment already has, by event_id (nullptr when it has none).
using KnownPayment = std::function<const PaymentFact*(std::string_view event_id)>;

// The facts of `payments` (records of org `org`, whole payment groups, no duplicate event ids),
// by event_id. With `known`, a payment whose known fact carries the same link and dimensions is
// left out: a payment's record never changes, so only those can differ from its known fact.
std::vector<PaymentFact> LinkPayments(std::string_view org,
                                      std::span<const Stamped<event::Payment>> payments,
                                      const SessionIndex& sessions,
                                      const KnownPayment& known = nullptr);

}  // namespace naap::resolve
