// Written by the registry area.
#pragma once
// The capability registry (spec/analytics.md §2.1) and the attribution matcher (§2.3).
// Snapshots are grouped in chains keyed (org, orch_address, orch_uri_norm) and ordered by
// (snapshot_ts, event_id); consecutive snapshots with one content digest form a version; each
// version yields validity intervals from its templates. Invariants: Add is idempotent by
// snapshot_id, the state is a pure function of the set of snapshots added (never of their arrival
// order), and every iteration is in sorted key order. Not thread-safe.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/gap_vector.h"
#include "base/shared_strings.h"
#include "base/time.h"
#include "event/records.h"
#include "resolve/matcher.h"

namespace naap::resolve {

// Matcher horizons (§2.3 step 2), spec defaults.
struct MatchHorizons {
  Millis exact_ms = 10 * 60'000;        // exact (in force) and prior (ended) sighting age
  Millis stale_ms = kDayMs;             // beyond it a version contributes nothing
  Millis future_ms = 30'000;            // a version starting this far after ts is `future`
  Millis first_after_ms = 10 * 60'000;  // cold start: first version this far after ts
};

struct ChainKey {
  std::string org;
  std::string orch_address;  // on-chain, lower-case
  std::string orch_uri_norm;
  friend auto operator<=>(const ChainKey&, const ChainKey&) = default;
};

enum class IdentityType { kUri = 0, kAddress = 1, kAlias = 2 };  // value = priority

// One validity interval (template of a version, §2.1); it inherits the version's bounds.
struct CapabilityInterval {
  std::string interval_id;  // hid(version id, pipeline, model, gpu_id)
  int capability_id = 0;    // catalog id of the template's offer or hardware row
  std::string pipeline;     // canonical pipeline, else the offered name (BYOC); "" for path 3
  std::string model;
  bool hardware_present = false;
  std::string gpu_id;
  std::string gpu_model_name;
  std::optional<int64_t> gpu_memory_bytes_total;
  std::string runner_version;  // "" = NULL
};

// The content of a version: every digest member, rows in canonical (sorted) order, with the
// volatile members capacity_in_use and gpu_memory_bytes_free cleared.
struct VersionContent {
  std::string digest;
  std::string orch_uri;
  std::string alias_address;
  std::string version;
  std::vector<event::CapabilityOffer> offers;
  std::vector<event::CapabilityPrice> prices;
  std::vector<event::HardwareRow> hardware;
};

struct CapabilityVersion {
  std::string capability_version_id;  // hid(org, address, uri_norm, first event_id, digest)
  std::string first_event_id;
  Millis valid_from = 0;
  std::optional<Millis> valid_to;  // valid_from of the next version; nullopt for the last
  GapVector<Millis> sightings;     // snapshot_ts of every snapshot, ascending
  // From a VersionAnchor: the version's last sighting before the swept hours (its snapshots
  // there are gone; valid_from and first_event_id come from the anchor too).
  std::optional<Millis> anchored_sighting;
  std::shared_ptr<const VersionContent> content;
  // Volatile values of the latest sighting, parallel to content->offers / content->hardware.
  std::vector<std::optional<int64_t>> capacity_in_use;
  std::vector<std::optional<int64_t>> gpu_memory_bytes_free;
  std::vector<CapabilityInterval> intervals;
};

struct CapabilityChain {
  ChainKey key;
  std::vector<CapabilityVersion> versions;  // by valid_from
  std::set<std::string> alias_addresses;    // every non-empty alias any snapshot carried
};

// Retention (§7.3) keeps a version while it is sighted, but the raw log it would be rebuilt from
// is swept by the hour. For a version that began before a cut and is still sighted after it, the
// anchor keeps what a registry rebuilt from the kept raw log cannot know: the first snapshot's
// event id and time, and the last sighting before the cut. A registry given the anchor builds the
// version with the same id and bounds, and matches every time from the cut on the same way, as the
// registry that saw every snapshot.
struct VersionAnchor {
  ChainKey chain;
  std::string first_event_id;
  Millis valid_from = 0;
  std::string digest;        // of the version's content
  Millis last_sighting = 0;  // the latest before the cut
  friend bool operator==(const VersionAnchor&, const VersionAnchor&) = default;
};

// What one Add changed, for dirty marking (§7.1). Every added snapshot is a new sighting, so it
// can change decisions even when versions_changed is false.
struct SnapshotAddResult {
  ChainKey chain;
  Millis snapshot_ts = 0;
  bool added = false;             // false: the snapshot_id was already known (or no address)
  bool versions_changed = false;  // a version appeared, vanished or changed id or bounds
  // After a late snapshot changed versions: the hours of the chain's snapshots that lie in a
  // version that appeared, vanished or changed, whose observed-inventory rows carry another
  // capability_version_id now (§4.13). Ascending, without the added snapshot's own hour.
  std::vector<Millis> restated_hours;
  // When versions did not change and the chain's next snapshot is in the added one's version:
  // its time. A match at or after it finds the same latest sighting as before the Add, so only
  // matches before it can change.
  std::optional<Millis> next_sighting;
};

// One snapshot as observed-inventory input (§2.1 last paragraph, §4.13).
struct ObservedSnapshot {
  const ChainKey* chain = nullptr;
  std::string snapshot_id;
  std::string event_id;
  Millis snapshot_ts = 0;
  std::string capability_version_id;
  std::shared_ptr<const VersionContent> content;
  std::vector<std::optional<int64_t>> capacity_in_use;        // parallel to content->offers
  std::vector<std::optional<int64_t>> gpu_memory_bytes_free;  // parallel to content->hardware
  // The element as received; kept only for the latest snapshot of its chain in its hour
  // (api_observed_orchestrator.raw_element), "" for the others.
  std::string_view raw_element;
};

class CapabilityRegistry : public Matcher {
 public:
  explicit CapabilityRegistry(MatchHorizons horizons = {});
  ~CapabilityRegistry() override;
  CapabilityRegistry(const CapabilityRegistry&) = delete;
  CapabilityRegistry& operator=(const CapabilityRegistry&) = delete;

  // snapshot_id = hid(event_id, orch_address, orch_uri_norm); snapshot_ts = header.event_ts.
  SnapshotAddResult Add(const event::RecordHeader& header,
                        const event::CapabilitySnapshot& snapshot);

  Decision Match(const MatchRequest& request) const override;

  // Retention (§7.3): forgets, in every chain of `org`, the versions whose latest sighting is
  // before `before`, with their snapshots and the raw elements of the hours before the first
  // snapshot kept. A version goes whole, so the versions kept, their ids and bounds, and those a
  // late snapshot recomputes are the same as before.
  void Prune(std::string_view org, Millis before);
  // The anchors of the versions of `org` that began before `before` and are sighted at or after
  // it, in chain order (at most one a chain).
  std::vector<VersionAnchor> Anchors(std::string_view org, Millis before) const;
  // Used from now on by the first version of each anchored chain whose content matches and whose
  // first snapshot is later than the anchor's; call before any Add. Prune drops a chain's anchor
  // with the chain's first version.
  void SetAnchors(const std::vector<VersionAnchor>& anchors);

  const CapabilityChain* FindChain(const ChainKey& key) const;  // nullptr when unknown
  // Chains indexed under the identity (uri = orch_uri_norm, address, alias), in key order.
  std::vector<const CapabilityChain*> ChainsByIdentity(std::string_view org, IdentityType type,
                                                       std::string_view value) const;
  // The snapshots of the org with snapshot_ts in [from, to), by (chain key, snapshot_ts, event_id).
  std::vector<ObservedSnapshot> ObservedSnapshots(std::string_view org, Millis from,
                                                  Millis to) const;

  // For the resolver's checkpoint: calls fn with the bytes of each chain, its snapshots, contents
  // and raw elements. DecodeChain takes one into a registry that does not hold that chain, and
  // rebuilds its versions from the snapshots as a late snapshot does, with the anchors set before:
  // the same registry as the one encoded when the anchors are those it had.
  void ForEachEncodedChain(const std::function<void(std::string)>& fn) const;
  bool DecodeChain(ByteReader& r);

  size_t chain_count() const { return chains_.size(); }
  size_t snapshot_count() const { return snapshot_count_; }
  // Distinct event ids the snapshots hold (each is stored once).
  size_t event_id_count() const;

  // The content digest of a snapshot (§2.1); exposed for tests and tools.
  static std::string ContentDigest(const event::CapabilitySnapshot& snapshot);

 private:
  struct ChainState;
  struct Candidate;

  void CollectCandidates(const ChainState& chain, IdentityType type, std::string_view value,
                         Millis ts, std::vector<Candidate>& out) const;
  std::vector<Candidate> CandidatesFor(std::string_view org, IdentityType type,
                                       std::string_view value, Millis ts) const;
  void Index(const ChainState& chain, IdentityType type, std::string_view value);

  const VersionAnchor* AnchorOf(const ChainKey& key) const;  // nullptr when none
  // The chain's versions, from its snapshots in order (the first one anchored when it applies).
  std::vector<CapabilityVersion> VersionsOf(const ChainState& chain) const;
  // The version that holds snapshots[index - 1] when snapshots[index] (just inserted) has its
  // content, so that it joins that version's run; nullptr otherwise.
  static CapabilityVersion* VersionEndingRunAt(ChainState& chain, size_t index);

  MatchHorizons horizons_;
  std::map<ChainKey, VersionAnchor> anchors_;
  // The snapshots' event ids, one copy each: a message's snapshots in all the chains it lists point
  // to the same one. Declared before chains_, which points into it.
  SharedStrings event_ids_;
  std::map<ChainKey, std::unique_ptr<ChainState>> chains_;
  // (org, identity type, value) → chains, in chain key order.
  std::map<std::string, std::vector<const ChainState*>> index_;
  size_t snapshot_count_ = 0;
};

}  // namespace naap::resolve
