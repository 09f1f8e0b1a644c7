#include "resolve/payments.h"

#include <algorithm>
#include <tuple>

namespace naap::resolve {
namespace {

// Distance from ts to [first_seen, last_seen]: 0 when contained.
Millis DistanceToSpan(const SessionIndex::Entry& e, Millis ts) {
  const LinkableSession& s = e.second;
  if (ts < s.first_seen) return s.first_seen - ts;
  if (ts > s.last_seen) return ts - s.last_seen;
  return 0;
}

// Rule 1: the session containing ts, else the nearest one; ties by session_key.
const SessionIndex::Entry* SessionByRequestId(std::string_view org, const event::Payment& p,
                                              Millis ts, const SessionIndex& sessions) {
  if (p.request_id.empty()) return nullptr;
  const SessionIndex::Entry* nearest = nullptr;
  // By session_key: the first nearest wins ties.
  for (const SessionIndex::Entry& session : sessions.SessionsWithRequestId(org, p.request_id)) {
    if (nearest == nullptr || DistanceToSpan(session, ts) < DistanceToSpan(*nearest, ts)) {
      nearest = &session;
    }
  }
  return nearest;
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

// A payment's link and the dimensions it gives: the fact fields ApplyTo sets.
struct Link {
  std::string_view session_key, method, status, pipeline_id, model_id;

  Link(const SessionIndex::Entry* session, std::string_view linked_by, const event::Payment& p)
      : session_key(session != nullptr ? std::string_view(session->first.session_key) : ""),
        method(session != nullptr ? linked_by : "unlinked"),
        status(session != nullptr ? "resolved" : "unresolved"),
        // Each dimension from the linked session, falling back to the manifest hint.
        pipeline_id(session != nullptr && !session->second.pipeline_id->empty()
                        ? *session->second.pipeline_id
                        : p.pipeline),
        model_id(session != nullptr && !session->second.model_id->empty()
                     ? *session->second.model_id
                     : p.model) {}

  bool CarriedBy(const PaymentFact& f) const {
    return f.session_key == session_key && f.link_method == method && f.link_status == status &&
           f.pipeline_id == pipeline_id && f.model_id == model_id;
  }
  void ApplyTo(PaymentFact& f) const {
    f.session_key = session_key;
    f.link_method = method;
    f.link_status = status;
    f.pipeline_id = pipeline_id;
    f.model_id = model_id;
  }
};

}  // namespace

void SessionIndex::Add(const SessionFact& session) {
  if (!session.exists || session.request_id.empty() || !session.first_seen || !session.last_seen) {
    return;
  }
  const LinkableSession linkable{.first_seen = *session.first_seen,
                                 .last_seen = *session.last_seen,
                                 .pipeline_id = dimensions_.Take(session.pipeline_id),
                                 .model_id = dimensions_.Take(session.model_id)};
  const auto [it, added] =
      entries_.try_emplace({session.org, session.request_id, session.session_key}, linkable);
  if (added) return;
  Release(it->second);
  it->second = linkable;
}

void SessionIndex::Release(const LinkableSession& session) {
  dimensions_.Release(*session.pipeline_id);
  dimensions_.Release(*session.model_id);
}

void SessionIndex::DropBefore(Millis before) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.last_seen >= before) {
      ++it;
      continue;
    }
    Release(it->second);
    it = entries_.erase(it);
  }
}

SessionIndex::Range SessionIndex::SessionsWithRequestId(std::string_view org,
                                                        std::string_view request_id) const {
  const auto [first, last] = entries_.equal_range(std::make_pair(org, request_id));
  return {first, last};
}

void SessionIndex::Encode(ByteWriter& w, const Entry& e) {
  w.String(e.first.org);
  w.String(e.first.request_id);
  w.String(e.first.session_key);
  w.Int(e.second.first_seen);
  w.Int(e.second.last_seen);
  w.String(*e.second.pipeline_id);
  w.String(*e.second.model_id);
}

bool SessionIndex::DecodeSettled(ByteReader& r, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    Key key;
    Millis first_seen = 0, last_seen = 0;
    std::string_view pipeline_id, model_id;
    if (!r.String(key.org) || !r.String(key.request_id) || !r.String(key.session_key) ||
        !r.Int(first_seen) || !r.Int(last_seen) || !r.String(pipeline_id) || !r.String(model_id) ||
        entries_.contains(key)) {
      return false;
    }
    entries_.emplace(std::move(key), LinkableSession{.first_seen = first_seen,
                                                     .last_seen = last_seen,
                                                     .pipeline_id = dimensions_.Take(pipeline_id),
                                                     .model_id = dimensions_.Take(model_id)});
  }
  return true;
}

std::pair<std::string_view, std::string_view> PaymentGroupOf(const event::Payment& payment) {
  return {payment.sender_address, payment.payment_session_id};
}

std::vector<PaymentFact> LinkPayments(std::string_view org,
                                      std::span<const Stamped<event::Payment>> payments,
                                      const SessionIndex& sessions, const KnownPayment& known) {
  // Rule 1 per payment; the rule-1 anchors of each payment group, by (event_ts, event_id).
  struct Anchor {
    Millis ts;
    std::string_view event_id;
    const SessionIndex::Entry* session;
    auto Key() const { return std::make_pair(ts, event_id); }
  };
  std::vector<const SessionIndex::Entry*> direct(payments.size());
  std::map<std::pair<std::string_view, std::string_view>, std::vector<Anchor>> anchors;
  for (size_t i = 0; i < payments.size(); ++i) {
    direct[i] = SessionByRequestId(org, payments[i].record, payments[i].header.event_ts, sessions);
  }
  for (size_t i = 0; i < payments.size(); ++i) {
    if (direct[i] == nullptr || payments[i].record.payment_session_id.empty()) continue;
    anchors[PaymentGroupOf(payments[i].record)].push_back(
        {payments[i].header.event_ts, payments[i].header.event_id, direct[i]});
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
    const SessionIndex::Entry* via_group = nullptr;
    if (direct[i] == nullptr && !p.payment_session_id.empty()) {
      const auto group = anchors.find(PaymentGroupOf(p));
      if (group != anchors.end()) {
        const std::vector<Anchor>& list = group->second;
        // The latest anchor at or before ts, else the earliest after it.
        const auto after = std::upper_bound(list.begin(), list.end(), ts,
                                            [](Millis t, const Anchor& a) { return t < a.ts; });
        const Anchor& anchor = after == list.begin() ? list.front() : *std::prev(after);
        if (ts <= anchor.session->second.last_seen + kPaymentSessionGraceMs)
          via_group = anchor.session;
      }
    }
    const Link link = direct[i] != nullptr ? Link(direct[i], "request_id", p)
                                           : Link(via_group, "payment_session", p);
    if (known) {
      const PaymentFact* fact = known(payments[i].header.event_id);
      if (fact != nullptr && link.CarriedBy(*fact)) continue;
    }
    PaymentFact f = BaseFact(org, payments[i]);
    link.ApplyTo(f);
    facts.push_back(std::move(f));
  }
  std::sort(facts.begin(), facts.end(),
            [](const PaymentFact& a, const PaymentFact& b) { return a.event_id < b.event_id; });
  return facts;
}

}  // namespace naap::resolve
