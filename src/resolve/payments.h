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
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "base/decimal.h"
#include "base/time.h"
#include "event/records.h"
#include "resolve/session.h"

namespace naap::resolve {

// What payment linking needs to know about one existing session.
struct LinkableSession {
  std::string session_key;
  Millis first_seen = 0, last_seen = 0;
  std::string pipeline_id, model_id;  // the session dimensions (§2.3)
  friend bool operator==(const LinkableSession&, const LinkableSession&) = default;
};

// Sessions by request id: copies of the linkable part of session facts (the resolver builds it
// from SessionFacts).
class SessionIndex {
 public:
  using BySessionKey = std::map<std::string, LinkableSession>;
  // Adds (or replaces, by session_key) a session; ignored unless it exists and has a request_id.
  void Add(const SessionFact& session);
  // Retention: forgets the sessions last seen before `before`.
  void DropBefore(Millis before);
  // The existing sessions of `org` whose request_id is `request_id` (non-empty); nullptr when
  // there are none. Valid until the next Add.
  const BySessionKey* SessionsWithRequestId(std::string_view org,
                                            std::string_view request_id) const;

  // Orders (org, request_id) keys and their views alike, so a look-up copies no string.
  struct OrgRequestLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return std::tie(a.first, a.second) < std::tie(b.first, b.second);
    }
  };
  using Entries = std::map<std::pair<std::string, std::string>, BySessionKey, OrgRequestLess>;
  // Every entry, for the resolver's checkpoint (which writes and reads them as they are).
  const Entries& entries() const { return sessions_; }
  Entries& entries() { return sessions_; }

 private:
  Entries sessions_;
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
