#pragma once
// Test doubles for the streaming tables: a FactsView over a set of SessionFacts and a fixed
// LinkedPayments source (FakeContext: publish/table_test_util.h).
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "publish/table_test_util.h"
#include "publish/tables_streaming.h"
#include "resolve/capability_registry.h"
#include "resolve/facts_view.h"
#include "resolve/facts_view_test_util.h"
#include "resolve/session.h"

namespace naap::publish::testing {

class FakeFacts : public resolve::testing::NoFacts {
 public:
  explicit FakeFacts(std::vector<resolve::SessionFact> sessions) : sessions_(std::move(sessions)) {}

  std::vector<std::string> Orgs() const override {
    std::set<std::string> orgs;
    for (const auto& s : sessions_) orgs.insert(s.org);
    return {orgs.begin(), orgs.end()};
  }
  std::vector<const resolve::SessionFact*> SessionsAt(std::string_view org,
                                                      Millis hour) const override {
    std::vector<const resolve::SessionFact*> out;
    for (const auto& s : sessions_) {
      if (s.org != org) continue;
      const bool has_hour = std::any_of(s.hours.begin(), s.hours.end(),
                                        [hour](const auto& h) { return h.hour == hour; });
      if ((s.exists && s.session_hour == hour) || has_hour) out.push_back(&s);
    }
    std::sort(out.begin(), out.end(),
              [](const auto* a, const auto* b) { return a->session_key < b->session_key; });
    return out;
  }

  const std::vector<resolve::SessionFact>& sessions() const { return sessions_; }

 private:
  std::vector<resolve::SessionFact> sessions_;
};

class FakePayments : public LinkedPayments {
 public:
  void Add(std::string org, Millis hour, LinkedPayment payment) {
    payments_[{std::move(org), hour}].push_back(std::move(payment));
  }
  std::vector<LinkedPayment> At(const resolve::FactsView&, std::string_view org,
                                Millis hour) const override {
    const auto it = payments_.find({std::string(org), hour});
    return it == payments_.end() ? std::vector<LinkedPayment>{} : it->second;
  }

 private:
  std::map<std::pair<std::string, Millis>, std::vector<LinkedPayment>> payments_;
};

}  // namespace naap::publish::testing
