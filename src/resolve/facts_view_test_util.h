#pragma once
// Test double: a FactsView holding no facts. Fakes derive from it and override only the queries
// their test feeds.
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "resolve/capability_registry.h"
#include "resolve/facts_view.h"

namespace naap::resolve::testing {

class NoFacts : public FactsView {
 public:
  std::vector<std::string> Orgs() const override { return {}; }
  std::vector<const SessionFact*> SessionsAt(std::string_view, Millis) const override { return {}; }
  std::vector<const PaymentFact*> PaymentsAt(std::string_view, Millis) const override { return {}; }
  std::vector<const AiBatchJobFact*> AiBatchJobsAt(std::string_view, Millis) const override {
    return {};
  }
  std::vector<const ByocJobFact*> ByocJobsAt(std::string_view, Millis) const override { return {}; }
  std::vector<const WorkerFact*> WorkersAt(std::string_view, Millis) const override { return {}; }
  std::vector<const AuthFact*> AuthAt(std::string_view, Millis) const override { return {}; }
  std::vector<const ByocPaymentFact*> ByocPaymentsAt(std::string_view, Millis) const override {
    return {};
  }
  std::vector<const DiscoveryFact*> DiscoveryAt(std::string_view, Millis) const override {
    return {};
  }
  std::vector<ObservedSnapshot> ObservedSnapshotsAt(std::string_view, Millis) const override {
    return {};
  }
};

}  // namespace naap::resolve::testing
