#pragma once
// Resolver (docs/analytics-engine.md): keeps, per org, the capability registry and the records of
// every entity (session key, payment, job, worker, auth, BYOC payment, discovery row), marks the
// entity a new record belongs to dirty, and on Resolve() rebuilds the dirty entities' facts with
// the pure builders and reports the (org, hour) slices whose contributions changed. It is also the
// FactsView the publisher reads.
//
// Invariants: every fact equals its builder applied to the set of records added so far, so facts
// never depend on arrival order or on how Adds are split between Resolve() calls (spec/analytics.md
// §0.4, §7.2, invariant 26); every output is in sorted key order. Each accepted message is added
// at most once: ingest's dedup index (and the raw log it guards) guarantees it, so the resolver
// keeps no event-id sets of its own. Not thread-safe.
//
// Cost of a capability snapshot of chain K at T (a live network sends one per orchestrator every
// ~24 s): one registry Add, then one range scan per identity of K (uri, address, each alias) over a
// sorted (ts, entity) index, limited to [T − first-after horizon, T + stale horizon] (to the end
// when K's versions changed: a late snapshot can split a version and rename the later ones). A
// session in range is rebuilt only when re-running the matcher on its selections gives a
// different decision; jobs, workers and single discovery rows in range are rebuilt (one Match
// each) and report hours only when their fact changed. In steady state (T = now) that is one
// Match per selection, job, worker or discovery row that observed K in the last 10 minutes.
//
// Bounded memory (with an Eviction): the org's data clock is the newest event_ts added for it. At
// the end of Resolve(), a session key, payment group, LLM request or AI-batch request whose newest
// record is older than clock − lateness is *settled*: its records are dropped and only its facts
// (and the small indexes that find it) stay. A later record for a settled entity, or a rebuild it
// needs (a snapshot changed a decision, a linked session changed), first reloads its dropped
// records through the loader, over the hours [hour(oldest record), hour(newest record)] of the
// entity and only from the families its records come from, skipping event ids it already holds; so
// facts stay functions of the full record set and are identical to those built without eviction.
// Workers, BYOC jobs and discovery rows keep their records (one small record per fact). Loader
// failures are kept in status(). Settling also freezes the facts of the hours that ended an hour or
// more before the cutoff (hourly_facts.h; a session is in the last hour it contributes to): they
// become compressed frames in a temporary file (FrameFile) with a hash of each key left in memory,
// are thawed by any access, and are kept until retention (§7.3); so do the entries of those hours
// in the indexes by time (timed_index.h: identities, workers and BYOC jobs by lookup key, BYOC
// jobs by payload request). Session records are held without
// their stream key and without the header's org, family and schema version, ingest samples as
// IngestPoints and status samples as StatusPoints (BuildSession reads nothing else). Settling runs
// when the cutoff moved by min(lateness / 8, 15 min), either way (a watermark behind the last
// settling, as in a backfill of older days, moves it back). The loader must return every message
// added before the previous Resolve() (the owner commits them in between); messages it returns that
// are also held are skipped by event id.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "event/decoded.h"
#include "resolve/capability_registry.h"
#include "resolve/facts_view.h"
#include "resolve/session.h"

namespace naap::resolve {

class FrameFile;  // hourly_facts.h

// Calls `fn` with every accepted message of `org` and of one of `families` whose event_ts lies in
// the hours [from_hour, to_hour], decoded as at ingest (with its stored ingest time and org).
// Messages of other families may be passed too; the resolver ignores what it did not ask for.
using MessageFn = std::function<void(const event::Decoded&)>;
using RecordLoader =
    std::function<Status(std::string_view org, std::span<const std::string_view> families,
                         Millis from_hour, Millis to_hour, const MessageFn& fn)>;

// Settling of entities whose records are older than the data clock − lateness_ms (header comment).
struct Eviction {
  Millis lateness_ms = 2 * kHourMs;
  RecordLoader loader;
};

class Resolver final : public FactsView {
 public:
  // Without an eviction every record stays in memory.
  explicit Resolver(MatchHorizons horizons = {}, std::optional<Eviction> eviction = std::nullopt);
  ~Resolver() override;
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Takes the records of one accepted message; other classes are ignored. Dropped here, because
  // no fact reads them: streaming records without a session key (ingest counts them as
  // unkeyed_session), AI-batch, LLM and job_orchestrator records with an empty request id, and
  // job_gateway records other than job_gateway_completed. A message must not be added twice.
  void Add(const event::Decoded& decoded);

  // Rebuilds every dirty entity and returns the (org, hour) slices whose contributions changed,
  // including the observed-inventory hour of every new capability snapshot.
  std::set<std::pair<std::string, Millis>> Resolve();

  // Caps the data clock that settling uses from now on: records older than `watermark` may still
  // come from an input that is behind (a Kafka partition still working through its backlog), so
  // entities are only settled before min(data clock, watermark) − lateness. Without a watermark
  // settling follows the data clock alone.
  void SetWatermark(Millis watermark) { watermark_ = watermark; }

  // Retention (spec/analytics.md §7.3): forgets the org's facts of the hours before
  // HourFloor(`before`), with the held keys and index entries dated before it, and the capability
  // versions last sighted before it (CapabilityRegistry::Prune). Marks no slice changed: the
  // published slices of those hours stay as they are.
  void Prune(std::string_view org, Millis before);
  // The capability registry's anchors (capability_registry.h) of the org's versions that began
  // before `before` and are still sighted: what a retention sweep at `before` keeps of them.
  std::vector<VersionAnchor> Anchors(std::string_view org, Millis before) const;
  // Anchors every org's registry uses from then on; call before any Add.
  void SetAnchors(std::vector<VersionAnchor> anchors);

  // Freezes again the hours that reads thawed (FactsView accessors, FindSession) below each org's
  // last settling line. Resolve() does so only when the cutoff moves on, which never happens
  // without new input; a server calls this now and then to give the memory back.
  void Refreeze();

  // Checkpoint (docs/analytics-engine.md, "Restart and rebuild"). Calls `emit` with parts that
  // hold every org's facts, capability registry, indexes and settling state, each held entity
  // written as settled (a later record or rebuild reloads its records through the loader). Call
  // right after Resolve(), before any Add.
  Status SaveState(const std::function<Status(std::string part)>& emit) const;
  // Takes one part of SaveState's output, in order, into a resolver that held no org before and
  // was given the anchors (SetAnchors) the encoded one had.
  Status LoadPart(std::string_view part);

  // The first loader failure (facts of the entities it concerned are stale from then on).
  const Status& status() const { return status_; }
  // Frozen (org, hour, fact kind) parts, over every org (hourly_facts.h).
  size_t FrozenHours() const;

  // The session fact of `session_key` as of the last Resolve(); nullptr when unknown.
  const SessionFact* FindSession(std::string_view org, std::string_view session_key) const;
  // The org's capability registry (observed inventory, §4.13); nullptr for an unknown org.
  const CapabilityRegistry* Registry(std::string_view org) const;

  // FactsView. SessionsAt also returns ingest-only keys (exists = false) at their session hours,
  // for the ingest transport table (§2.9, §4.7).
  std::vector<std::string> Orgs() const override;
  std::vector<const SessionFact*> SessionsAt(std::string_view org, Millis hour) const override;
  std::vector<const PaymentFact*> PaymentsAt(std::string_view org, Millis hour) const override;
  std::vector<const AiBatchJobFact*> AiBatchJobsAt(std::string_view org,
                                                   Millis hour) const override;
  std::vector<const ByocJobFact*> ByocJobsAt(std::string_view org, Millis hour) const override;
  std::vector<const WorkerFact*> WorkersAt(std::string_view org, Millis hour) const override;
  std::vector<const AuthFact*> AuthAt(std::string_view org, Millis hour) const override;
  std::vector<const ByocPaymentFact*> ByocPaymentsAt(std::string_view org,
                                                     Millis hour) const override;
  std::vector<const DiscoveryFact*> DiscoveryAt(std::string_view org, Millis hour) const override;
  std::vector<ObservedSnapshot> ObservedSnapshotsAt(std::string_view org,
                                                    Millis hour) const override;

 private:
  struct OrgState;

  OrgState& State(const std::string& org);
  const OrgState* FindState(std::string_view org) const;
  void AddSnapshot(OrgState& state, const event::RecordHeader& header,
                   const event::CapabilitySnapshot& snapshot);

  MatchHorizons horizons_;
  std::optional<Eviction> eviction_;
  std::unique_ptr<FrameFile> frame_file_;  // with an eviction: where frozen frames go
  std::optional<Millis> watermark_;
  // SetAnchors' anchors by org, each org's handed to its registry when that is created.
  std::map<std::string, std::vector<VersionAnchor>, std::less<>> anchors_;
  Status status_;
  std::map<std::string, std::unique_ptr<OrgState>, std::less<>> orgs_;
};

}  // namespace naap::resolve
