#include "resolve/payments.h"

#include <algorithm>
#include <tuple>

namespace naap::resolve {
namespace {

// Distance from ts to [first_seen, last_seen]: 0 when contained.
Millis DistanceToSpan(const LinkableSession& s, Millis ts) {
  if (ts < s.first_seen) return s.first_seen - ts;
  if (ts > s.last_seen) return ts - s.last_seen;
  return 0;
}

// Rule 1: the session containing ts, else the nearest one; ties by session_key.
std::optional<LinkableSession> SessionByRequestId(std::string_view org, const event::Payment& p,
                                                  Millis ts, const SessionLookup& sessions) {
  if (p.request_id.empty()) return std::nullopt;
  std::vector<LinkableSession> candidates = sessions.SessionsWithRequestId(org, p.request_id);
  if (candidates.empty()) return std::nullopt;
  return *std::min_element(candidates.begin(), candidates.end(),
                           [ts](const LinkableSession& a, const LinkableSession& b) {
                             return std::make_pair(DistanceToSpan(a, ts),
                                                   std::cref(a.session_key)) <
                                    std::make_pair(DistanceToSpan(b, ts), std::cref(b.session_key));
                           });
}

Wei FaceValueTotal(const Wei& face_value, int64_t num_tickets) {
  unsigned __int128 total = 0;
  if (num_tickets < 0 ||
      __builtin_mul_overflow(face_value.value(), static_cast<unsigned __int128>(num_tickets),
                             &total) ||
      total > Wei::kMax) {
    total = num_tickets < 0 ? 0 : Wei::kMax;
  }
  return *Wei::FromU128(total);
}

PaymentFact BaseFact(std::string_view org, const Stamped<event::Payment>& s) {
  const event::Payment& p = s.record;
  PaymentFact f;
  f.event_id = s.header.event_id;
  f.org = std::string(org);
  f.event_ts = s.header.event_ts;
  f.gateway = s.header.gateway;
  f.sender_address = p.sender_address;
  f.recipient_address = p.recipient_address;
  f.orch_url = p.orch_url;
  f.orch_url_norm = p.orch_url_norm;
  f.payment_session_id = p.payment_session_id;
  f.request_id = p.request_id;
  f.manifest_id = p.manifest_id;
  f.manifest_capability_id = p.manifest_capability_id;
  f.face_value_wei = p.face_value_wei;
  f.num_tickets = p.num_tickets;
  f.win_prob = p.win_prob;
  f.price_wei_per_pixel = p.price_wei_per_pixel;
  f.face_value_total_wei = FaceValueTotal(p.face_value_wei, p.num_tickets);
  f.fees_wei = p.expected_fee_wei;
  return f;
}

void ApplyLink(const std::optional<LinkableSession>& session, std::string_view method,
               const event::Payment& p, PaymentFact& f) {
  if (session) {
    f.session_key = session->session_key;
    f.link_method = std::string(method);
    f.link_status = "resolved";
  } else {
    f.link_method = "unlinked";
    f.link_status = "unresolved";
  }
  // Each dimension from the linked session, falling back to the manifest hint.
  f.pipeline_id = session && !session->pipeline_id.empty() ? session->pipeline_id : p.pipeline;
  f.model_id = session && !session->model_id.empty() ? session->model_id : p.model;
}

}  // namespace

void SessionIndex::Add(const SessionFact& session) {
  if (!session.exists || session.request_id.empty() || !session.first_seen || !session.last_seen) {
    return;
  }
  sessions_[{session.org, session.request_id}][session.session_key] =
      LinkableSession{session.session_key, *session.first_seen, *session.last_seen,
                      session.pipeline_id, session.model_id};
}

std::vector<LinkableSession> SessionIndex::SessionsWithRequestId(
    std::string_view org, std::string_view request_id) const {
  std::vector<LinkableSession> out;
  const auto it = sessions_.find(std::make_pair(std::string(org), std::string(request_id)));
  if (it == sessions_.end()) return out;
  for (const auto& [key, session] : it->second) out.push_back(session);
  return out;
}

std::pair<std::string, std::string> PaymentGroupOf(const event::Payment& payment) {
  return {payment.sender_address, payment.payment_session_id};
}

std::vector<PaymentFact> LinkPayments(std::string_view org,
                                      std::span<const Stamped<event::Payment>> payments,
                                      const SessionLookup& sessions) {
  // Rule 1 per payment; the rule-1 anchors of each payment group, by (event_ts, event_id).
  struct Anchor {
    Millis ts;
    std::string_view event_id;
    const LinkableSession* session;
    auto Key() const { return std::make_pair(ts, event_id); }
  };
  std::vector<std::optional<LinkableSession>> direct(payments.size());
  std::map<std::pair<std::string, std::string>, std::vector<Anchor>> anchors;
  for (size_t i = 0; i < payments.size(); ++i) {
    direct[i] = SessionByRequestId(org, payments[i].record, payments[i].header.event_ts, sessions);
  }
  for (size_t i = 0; i < payments.size(); ++i) {
    if (!direct[i] || payments[i].record.payment_session_id.empty()) continue;
    anchors[PaymentGroupOf(payments[i].record)].push_back(
        {payments[i].header.event_ts, payments[i].header.event_id, &*direct[i]});
  }
  for (auto& [group, list] : anchors) {
    std::sort(list.begin(), list.end(),
              [](const Anchor& a, const Anchor& b) { return a.Key() < b.Key(); });
  }

  std::vector<PaymentFact> facts;
  facts.reserve(payments.size());
  for (size_t i = 0; i < payments.size(); ++i) {
    const event::Payment& p = payments[i].record;
    const Millis ts = payments[i].header.event_ts;
    PaymentFact f = BaseFact(org, payments[i]);
    if (direct[i]) {
      ApplyLink(direct[i], "request_id", p, f);
    } else {
      std::optional<LinkableSession> via_group;
      const auto group =
          p.payment_session_id.empty() ? anchors.end() : anchors.find(PaymentGroupOf(p));
      if (group != anchors.end()) {
        const std::vector<Anchor>& list = group->second;
        // The latest anchor at or before ts, else the earliest after it.
        const auto after = std::upper_bound(list.begin(), list.end(), ts,
                                            [](Millis t, const Anchor& a) { return t < a.ts; });
        const Anchor& anchor = after == list.begin() ? list.front() : *std::prev(after);
        if (ts <= anchor.session->last_seen + kPaymentSessionGraceMs) via_group = *anchor.session;
      }
      ApplyLink(via_group, "payment_session", p, f);
    }
    facts.push_back(std::move(f));
  }
  std::sort(facts.begin(), facts.end(),
            [](const PaymentFact& a, const PaymentFact& b) { return a.event_id < b.event_id; });
  return facts;
}

}  // namespace naap::resolve
