#pragma once
// FactsView: the read side of the resolver that the publisher builds slices from. Every serving
// slice (org, hour) is a pure function of what this view returns for it (spec/analytics.md §0.4),
// so late data, duplicates and replays can never double count.
//
// Contract: each method returns the facts that contribute to (org, hour) in the sense of §4.0 and
// §6.1, each once, ordered by the fact's key (deterministic iteration). Pointers stay valid until
// the resolver's next mutation.
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"

namespace naap::resolve {

struct SessionFact;       // session.h
struct PaymentFact;       // payments.h
struct AiBatchJobFact;    // jobs.h
struct ByocJobFact;       // jobs.h
struct WorkerFact;        // jobs.h
struct AuthFact;          // jobs.h
struct ByocPaymentFact;   // jobs.h
struct DiscoveryFact;     // jobs.h
struct ObservedSnapshot;  // capability_registry.h

class FactsView {
 public:
  virtual ~FactsView() = default;
  // Orgs holding any fact, sorted.
  virtual std::vector<std::string> Orgs() const = 0;
  // Existing sessions whose session_hour is `hour` or that have a session hour at `hour`, by key;
  // also ingest-only keys (exists = false) with a session hour at `hour`, for §2.9 / §4.7.
  virtual std::vector<const SessionFact*> SessionsAt(std::string_view org, Millis hour) const = 0;
  // Payments with hour(event_ts) = hour, by event_id.
  virtual std::vector<const PaymentFact*> PaymentsAt(std::string_view org, Millis hour) const = 0;
  // AI-batch jobs with hour(completed_at) = hour, by request_id.
  virtual std::vector<const AiBatchJobFact*> AiBatchJobsAt(std::string_view org, Millis hour) const = 0;
  // BYOC jobs with hour(completed_at) = hour, by job id.
  virtual std::vector<const ByocJobFact*> ByocJobsAt(std::string_view org, Millis hour) const = 0;
  // Facts with hour(event_ts) = hour, by event_id (discovery: by (event_id, rank)).
  virtual std::vector<const WorkerFact*> WorkersAt(std::string_view org, Millis hour) const = 0;
  virtual std::vector<const AuthFact*> AuthAt(std::string_view org, Millis hour) const = 0;
  virtual std::vector<const ByocPaymentFact*> ByocPaymentsAt(std::string_view org, Millis hour) const = 0;
  virtual std::vector<const DiscoveryFact*> DiscoveryAt(std::string_view org, Millis hour) const = 0;
  // Capability snapshots with hour(snapshot_ts) = hour, by (chain key, snapshot_ts, event_id): the
  // observed-inventory rows of §2.1 (CapabilityRegistry::ObservedSnapshots of that hour).
  virtual std::vector<ObservedSnapshot> ObservedSnapshotsAt(std::string_view org,
                                                            Millis hour) const = 0;
};

}  // namespace naap::resolve
