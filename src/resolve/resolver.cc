// Resolver: routing of records to entities, dirty marking, the observed-identity index for
// re-attribution (§7.1) and the per-(org, hour) fact indexes behind FactsView.
#include "resolve/resolver.h"

#include <algorithm>
#include <concepts>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>
#include <span>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

#include "base/containers.h"
#include "base/hash.h"
#include "resolve/fact_codec.h"
#include "resolve/hourly_facts.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"
#include "resolve/record_hours.h"
#include "resolve/state_codec.h"
#include "resolve/timed_index.h"

namespace naap::resolve {

namespace {

// Entities whose decisions a capability snapshot can change (§7.1).
enum class EntityKind { kSession, kAiBatchJob, kByocJob, kWorker, kDiscovery };

struct EntityRef {
  EntityKind kind = EntityKind::kSession;
  std::string key;  // session key, request id, job id or event id
  size_t row = 0;   // discovery: the row's index in its message
  friend auto operator<=>(const EntityRef&, const EntityRef&) = default;
};

void Put(ByteWriter& w, EntityKind kind) { w.Varint(static_cast<uint64_t>(kind)); }
bool Get(ByteReader& r, EntityKind& kind) {
  uint64_t value = 0;
  if (!r.Varint(value) || value > static_cast<uint64_t>(EntityKind::kDiscovery)) return false;
  kind = static_cast<EntityKind>(value);
  return true;
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, EntityRef>
bool Fields(Self& e, Fn&& fn) { return fn(e.kind, e.key, e.row); }

// Checkpoint parts (Resolver::SaveState): an org's settling state ('O'), one chain of its
// capability registry ('R'), some elements of one of its indexes ('I'), or one hour's frame of one
// of its fact kinds ('F').
constexpr char kOrgPart = 'O', kRegistryPart = 'R', kIndexPart = 'I', kFactsPart = 'F';

// Writes the elements of an org's indexes into 'I' parts of about kBytes encoded each, so that
// neither writing nor reading a checkpoint holds a whole index encoded.
class IndexParts {
 public:
  static constexpr size_t kBytes = 4 << 20;
  IndexParts(std::string_view org, const std::function<Status(std::string part)>& emit)
      : org_(org), emit_(emit) {}

  // Index `id` is `elements`, each written by put(ByteWriter&, element).
  template <typename Range, typename PutFn>
  Status Write(uint64_t id, const Range& elements, PutFn put) {
    ByteWriter w(bytes_);
    for (const auto& element : elements) {
      put(w, element);
      ++count_;
      if (bytes_.size() >= kBytes) NAAP_RETURN_IF_ERROR(Flush(id));
    }
    return Flush(id);
  }

 private:
  // The part: its tag, the org, the index id, the element count, then the elements compressed.
  Status Flush(uint64_t id) {
    if (count_ == 0) return Status::Ok();
    std::string part(1, kIndexPart);
    ByteWriter w(part);
    w.String(org_);
    w.Varint(id);
    w.Varint(count_);
    part += Compress(bytes_);
    bytes_.clear();
    count_ = 0;
    return emit_(std::move(part));
  }

  std::string_view org_;
  const std::function<Status(std::string part)>& emit_;
  std::string bytes_;
  uint64_t count_ = 0;
};

// One observed identity ("u:" + URL norm, "a:" + reported address) at a time.
struct Observation {
  std::string identity;
  Millis ts = 0;
  friend bool operator==(const Observation&, const Observation&) = default;
};
using Observations = std::vector<Observation>;

void Observe(std::string_view url, std::string_view address, Millis ts, Observations& out) {
  if (!url.empty()) out.push_back({"u:" + std::string(url), ts});
  if (!address.empty()) out.push_back({"a:" + std::string(address), ts});
}

// Observed identity ("u:" + URL norm, "a:" + reported address) → the entities that observed it,
// by observation time, so a snapshot visits only the entities in its time range.
using IdentityIndex = TimedIndex<std::string, EntityRef>;

// Files `entity` under the identities it observes now (`after`) instead of `before`.
void ReplaceObservations(IdentityIndex& index, const EntityRef& entity, const Observations& before,
                         const Observations& after) {
  if (before == after) return;
  for (const Observation& o : before) index.Erase(o.identity, o.ts, entity);
  for (const Observation& o : after) index.Insert(o.identity, o.ts, entity);
}

Observations ObservationsOf(const SessionFact& fact) {
  Observations out;
  for (const Selection& s : fact.selections) {
    Observe(s.observed_url, s.observed_address, s.selection_ts, out);
  }
  return out;
}

Observations ObservationsOf(const JobSelection& selection) {
  Observations out;
  Observe(selection.observed_url, selection.observed_address, selection.selection_ts, out);
  return out;
}

// What a changed registry does to a session's decisions, re-matched from its stored selections.
enum class Recheck { kSame, kVersionRenamed, kChanged };
Recheck RecheckDecisions(const SessionFact& fact, const Matcher& matcher) {
  Recheck result = Recheck::kSame;
  for (const Selection& s : fact.selections) {
    const Decision now = matcher.Match(SelectionRequest(fact, s));
    if (now == s.decision) continue;
    if (!SameButVersionName(now, s.decision)) return Recheck::kChanged;
    result = Recheck::kVersionRenamed;
  }
  return result;
}

// Hours a session contributes to: its session_hour (outcomes, existing sessions only) and every
// session hour (samples; ingest-only keys too, §2.9).
std::set<Millis> ContributedHours(const SessionFact& fact) {
  std::set<Millis> hours;
  if (fact.exists) hours.insert(fact.session_hour);
  for (const SessionHour& h : fact.hours) hours.insert(h.hour);
  for (const FailureEvent& f : fact.failures) hours.insert(HourFloor(f.failure_ts));
  return hours;
}

// What every row of the session reads besides its own hour's samples (§7.1 "a dimension or the
// swap flags changed"): a change re-marks every hour the session contributes to.
bool DimensionsDiffer(const SessionFact& a, const SessionFact& b) {
  return std::tie(a.exists, a.session_start, a.gateway, a.orchestrator_address, a.pipeline_id,
                  a.model_id, a.gpu_id, a.confirmed_swapped, a.inferred_swapped, a.swapped) !=
             std::tie(b.exists, b.session_start, b.gateway, b.orchestrator_address, b.pipeline_id,
                      b.model_id, b.gpu_id, b.confirmed_swapped, b.inferred_swapped, b.swapped) ||
         !SameButVersionName(a.attribution, b.attribution);
}

// Equality of everything but the per-hour parts (hours, failures). Both facts are restored.
bool SessionLevelDiffers(SessionFact& a, SessionFact& b) {
  std::vector<SessionHour> a_hours, b_hours;
  std::vector<FailureEvent> a_failures, b_failures;
  const auto swap_out = [&] {
    a.hours.swap(a_hours);
    b.hours.swap(b_hours);
    a.failures.swap(a_failures);
    b.failures.swap(b_failures);
  };
  swap_out();
  const bool differs = a != b;
  swap_out();
  return differs;
}

// The hours whose contributions differ between `before` (nullptr: no fact yet) and `after`
// (§7.1): all of both when a dimension changed; else the old and new session_hour when a
// session-level value changed, plus every hour whose session hour or failure events changed.
std::set<Millis> ChangedHours(SessionFact* before, SessionFact& after) {
  std::set<Millis> hours = ContributedHours(after);
  if (before == nullptr) return hours;
  if (DimensionsDiffer(*before, after)) {
    hours.merge(ContributedHours(*before));
    return hours;
  }
  hours.clear();
  if (SessionLevelDiffers(*before, after)) {
    if (before->exists) hours.insert(before->session_hour);
    if (after.exists) hours.insert(after.session_hour);
  }
  std::map<Millis, const SessionHour*> old_hours;
  for (const SessionHour& h : before->hours) old_hours[h.hour] = &h;
  for (const SessionHour& h : after.hours) {
    const auto it = old_hours.find(h.hour);
    if (it == old_hours.end() || !(*it->second == h)) hours.insert(h.hour);
    if (it != old_hours.end()) old_hours.erase(it);
  }
  for (const auto& [hour, unused] : old_hours) hours.insert(hour);
  std::vector<FailureEvent> changed_failures;
  std::set_symmetric_difference(
      before->failures.begin(), before->failures.end(), after.failures.begin(),
      after.failures.end(), std::back_inserter(changed_failures),
      [](const FailureEvent& x, const FailureEvent& y) {
        return std::tie(x.failure_ts, x.event_id, x.failure_type, x.orchestrator_address,
                        x.detail) <
               std::tie(y.failure_ts, y.event_id, y.failure_type, y.orchestrator_address, y.detail);
      });
  for (const FailureEvent& f : changed_failures) hours.insert(HourFloor(f.failure_ts));
  return hours;
}

// A payment group (payments.h): (sender, payment_session_id), or the event id alone when the
// payment_session_id is empty.
using PaymentGroupKey = std::tuple<std::string, std::string, std::string>;

// Hash of the resolver's hashed keys: session keys, event ids, request ids, payment groups and
// discovery rows (event_id, rank). Transparent, so a string key is found by a string_view.
struct EntityKeyHash : StringHash {
  using StringHash::operator();
  size_t operator()(const std::pair<std::string, int>& key) const {
    return (*this)(key.first) ^ (static_cast<size_t>(key.second) * 0x9e3779b97f4a7c15ULL);
  }
  size_t operator()(const PaymentGroupKey& key) const {
    const auto& [a, b, c] = key;
    return (*this)(a) ^ ((*this)(b) * 0x9e3779b97f4a7c15ULL) ^ ((*this)(c) * 0xc2b2ae3d27d4eb4fULL);
  }
};

PaymentGroupKey PaymentGroupKeyOf(const event::RecordHeader& header,
                                  const event::Payment& payment) {
  const auto [sender, payment_session_id] = PaymentGroupOf(payment);
  if (payment_session_id.empty()) return {"", "", header.event_id};
  return {std::string(sender), std::string(payment_session_id), ""};
}

// Whether payment links read different values from the two facts (payments.h contract).
bool LinkableDiffers(const SessionFact* before, const SessionFact& after) {
  return before == nullptr ||
         std::tie(before->exists, before->first_seen, before->last_seen, before->pipeline_id,
                  before->model_id) != std::tie(after.exists, after.first_seen, after.last_seen,
                                                after.pipeline_id, after.model_id);
}

template <typename Key, typename Fact>
std::vector<const Fact*> FactsAt(const HourlyFacts<Key, Fact, EntityKeyHash>* facts, Millis hour) {
  return facts == nullptr ? std::vector<const Fact*>{} : facts->At(hour);
}

// The event ids of held records, so a reload skips records already held.
template <typename Record>
void CollectEventIds(const std::vector<Stamped<Record>>& records, std::set<std::string>& out) {
  for (const Stamped<Record>& r : records) out.insert(r.header.event_id);
}
void CollectEventIds(const SessionRecords& records, std::set<std::string>& out) {
  CollectEventIds(records.traces, out);
  CollectEventIds(records.status_samples, out);
  CollectEventIds(records.stream_events, out);
  CollectEventIds(records.ingest_samples, out);
}

// Calls `fn` with the records of every accepted message of one org and of one of `families` in
// [from_hour, to_hour] (RecordLoader).
using RangeLoader =
    std::function<Status(std::span<const std::string_view> families, Millis from_hour,
                         Millis to_hour, const std::function<void(const event::Records&)>& fn)>;

// The digest a settled entity is kept under (KeyedRecords): XXH3-128 of its key's parts, unique
// in practice (base/hash.h), in 16 B instead of the key's strings.
Key128 SettledDigest(const std::string& key) { return KeyDigest({key}); }
Key128 SettledDigest(const PaymentGroupKey& key) {
  const auto& [a, b, c] = key;
  return KeyDigest({a, b, c});
}
struct Key128Hash {
  size_t operator()(const Key128& k) const { return k.lo; }  // XXH3's bits are uniform
};

// The records of one kind by entity key, with the hours of every record the entity ever had
// (RecordHours). Settle() drops the records of entities whose newest record is older than a cutoff
// and keeps only their hours, under the key's digest; a later record (Append) or a Reload() of the
// key brings the entity back under its key, its new records held beside the dropped ones until
// Reload() reads those back.
template <typename Key, typename Records>
class KeyedRecords {
 public:
  Records& Append(const Key& key, Millis event_ts) {
    auto [it, added] = held_.try_emplace(key);
    Held& held = it->second;
    if (added) Unsettle(key, held);
    held.hours.Add(event_ts);
    if (added || held.settled) active_.insert(key);  // an unsettled held key is active already
    return held.records;
  }
  bool Contains(const Key& key) const {
    return held_.contains(key) || settled_.contains(SettledDigest(key));
  }
  // The records of a key held since its last Append or Reload; complete unless the key settled
  // before and was not reloaded since.
  const Records& At(const Key& key) const { return held_.find(key)->second.records; }

  void Settle(Millis cutoff) {
    for (auto it = active_.begin(); it != active_.end();) {
      const auto held = held_.find(*it);
      if (held->second.hours.max_ts() >= cutoff || held->second.settled) {
        ++it;
        continue;
      }
      settled_[SettledDigest(*it)] = std::move(held->second.hours);
      held_.erase(held);
      it = active_.erase(it);
    }
  }

  // Retention: forgets settled keys whose newest record is older than `before` (not one that
  // took a record since it settled: its rebuild still reads it).
  void DropSettledBefore(Millis before) {
    std::erase_if(settled_, [&](const auto& e) { return e.second.max_ts() < before; });
    // A key whose reload failed stays held as settled, and not active.
    std::erase_if(held_, [&](const auto& e) {
      return e.second.settled && e.second.hours.max_ts() < before && !active_.contains(e.first);
    });
  }

  // Reloads the settled keys of `keys`: `load` is called once per merged range of the hours that
  // hold their records, for the `families` whose records `route` reads, and `route` (called with
  // each message's records and this) appends through Reloading().
  template <typename KeyRange, typename Route>
  Status Reload(const KeyRange& keys, const RangeLoader& load,
                std::span<const std::string_view> families, const Route& route) {
    std::vector<std::pair<Millis, Millis>> ranges;
    for (const Key& key : keys) {
      auto it = held_.find(key);
      if (it == held_.end()) {
        it = held_.try_emplace(key).first;
        if (!Unsettle(key, it->second)) {
          held_.erase(it);
          continue;
        }
      }
      if (!it->second.settled) continue;
      CollectEventIds(it->second.records, reloading_[key]);
      std::ranges::copy(it->second.hours.HourRanges(), std::back_inserter(ranges));
    }
    if (ranges.empty()) return Status::Ok();
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<Millis, Millis>> merged;
    for (const auto& range : ranges) {
      if (!merged.empty() && range.first <= merged.back().second + kHourMs) {
        merged.back().second = std::max(merged.back().second, range.second);
      } else {
        merged.push_back(range);
      }
    }
    Status status;
    for (const auto& [from, to] : merged) {
      status =
          load(families, from, to, [&](const event::Records& records) { route(records, *this); });
      if (!status.ok()) break;
    }
    for (const auto& [key, unused] : reloading_) {
      if (!status.ok()) break;
      held_.find(key)->second.settled = false;
      active_.insert(key);
    }
    reloading_.clear();
    return status;
  }

  // For the checkpoint: every key with the hours of its records, as settled (a settled key
  // reloads its records when it needs them, so the records are left out). A held key is written
  // with its key, a settled one with its digest.
  Status EncodeSettled(uint64_t id, IndexParts& parts) const {
    NAAP_RETURN_IF_ERROR(parts.Write(id, held_, [](ByteWriter& w, const auto& held) {
      w.Bool(true);
      state_codec::Put(w, held.first);
      held.second.hours.Encode(w);
    }));
    return parts.Write(id, settled_, [](ByteWriter& w, const auto& settled) {
      w.Bool(false);
      w.Fixed64(settled.first.hi);
      w.Fixed64(settled.first.lo);
      settled.second.Encode(w);
    });
  }
  // Reads `n` keys EncodeSettled wrote.
  bool DecodeSettled(ByteReader& r, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      bool keyed = false;
      Key key;
      Key128 digest;
      RecordHours hours;
      const bool read =
          r.Bool(keyed) &&
          (keyed ? state_codec::Get(r, key) : r.Fixed64(digest.hi) && r.Fixed64(digest.lo)) &&
          hours.Decode(r);
      if (!read) return false;
      settled_[keyed ? SettledDigest(key) : digest] = std::move(hours);
    }
    return true;
  }

  // During Reload: the records to append a record of `key` from message `event_id` to, or nullptr
  // when the key is not being reloaded or already holds that message's records.
  Records* Reloading(const Key& key, const std::string& event_id) {
    const auto it = reloading_.find(key);
    if (it == reloading_.end() || it->second.contains(event_id)) return nullptr;
    return &held_.find(key)->second.records;
  }

 private:
  struct Held {
    Records records;
    RecordHours hours;     // of every record the key ever had
    bool settled = false;  // records older than the settling are not in `records`
  };
  // A key new to held_: takes the hours of its settled digest as settled; false when it has none.
  bool Unsettle(const Key& key, Held& held) {
    const auto settled = settled_.find(SettledDigest(key));
    if (settled == settled_.end()) return false;
    held.hours = std::move(settled->second);
    held.settled = true;
    settled_.erase(settled);
    return true;
  }

  // Hashed: a record's entity is looked up once per Append, the hottest path of ingest.
  std::unordered_map<Key, Held, EntityKeyHash> held_;            // keys with records in memory
  std::unordered_map<Key128, RecordHours, Key128Hash> settled_;  // the others, by digest
  std::unordered_set<Key, EntityKeyHash> active_;  // keys holding all their records
  std::map<Key, std::set<std::string>> reloading_;  // key → event ids held before the reload
};

template <typename Key, typename Record>
using RecordLists = KeyedRecords<Key, std::vector<Stamped<Record>>>;

// (capability_norm, orch_reported_address): the §2.6 worker lookup key of BYOC jobs and workers.
using WorkerKey = std::pair<std::string, std::string>;

template <typename Record>
using StampedList = std::vector<Stamped<Kept<Record>>> SessionRecords::*;

// Records waiting for the next Resolve() with their whole header.
template <typename Record>
using Pending = std::vector<std::pair<event::RecordHeader, Record>>;

// A session record as the session keeps it: what BuildSession reads. The stream key (the entity
// key) is left out to save memory, and ingest and status samples are kept as their IngestPoint
// and StatusPoint.
template <typename Record>
Stamped<Kept<Record>> SessionRecord(const event::RecordHeader& header, const Record& record) {
  Stamped<Kept<Record>> kept;
  kept.header = header;
  if constexpr (std::is_same_v<Record, event::IngestSample>) {
    kept.record = IngestPointOf(record);
  } else if constexpr (std::is_same_v<Record, event::StatusSample>) {
    kept.record = StatusPointOf(record);
  } else {
    kept.record = record;
    std::string().swap(kept.record.key.stream_id);
    std::string().swap(kept.record.key.request_id);
    std::string().swap(kept.record.key.session_key);
  }
  return kept;
}

// Reload routes (KeyedRecords::Reload): the same keys as the Add path. Each reads the records of
// the families listed with it (event/family_*.cc: one record kind per family), and a reload
// decodes only those.
constexpr std::string_view kSessionFamilies[] = {"stream_trace", "ai_stream_status",
                                                 "ai_stream_events", "stream_ingest_metrics"};
constexpr std::string_view kPaymentFamilies[] = {"create_new_payment"};
constexpr std::string_view kLlmFamilies[] = {"ai_llm_request"};
constexpr std::string_view kBatchFamilies[] = {"ai_batch_request"};

template <typename Record>
void RouteToSessions(const event::RecordHeader& header, const std::vector<Record>& records,
                     StampedList<Record> list, KeyedRecords<std::string, SessionRecords>& to) {
  for (const Record& record : records) {
    if (SessionRecords* held = to.Reloading(record.key.session_key, header.event_id)) {
      (held->*list).push_back(SessionRecord(header, record));
    }
  }
}

void RouteSessionRecords(const event::Records& r, KeyedRecords<std::string, SessionRecords>& to) {
  RouteToSessions(r.header, r.stream_traces, &SessionRecords::traces, to);
  RouteToSessions(r.header, r.status_samples, &SessionRecords::status_samples, to);
  RouteToSessions(r.header, r.stream_events, &SessionRecords::stream_events, to);
  RouteToSessions(r.header, r.ingest_samples, &SessionRecords::ingest_samples, to);
}

void RoutePayments(const event::Records& r, RecordLists<PaymentGroupKey, event::Payment>& to) {
  for (const event::Payment& p : r.payments) {
    if (auto* held = to.Reloading(PaymentGroupKeyOf(r.header, p), r.header.event_id)) {
      held->push_back({r.header, p});
    }
  }
}

void RouteLlmRecords(const event::Records& r, RecordLists<std::string, event::LlmEvent>& to) {
  for (const event::LlmEvent& l : r.llm_events) {
    if (auto* held = to.Reloading(l.request_id, r.header.event_id)) held->push_back({r.header, l});
  }
}

void RouteBatchRecords(const event::Records& r, RecordLists<std::string, event::BatchEvent>& to) {
  for (const event::BatchEvent& b : r.batch_events) {
    if (auto* held = to.Reloading(b.request_id, r.header.event_id)) held->push_back({r.header, b});
  }
}

void Keep(Status& first, Status next) {
  if (first.ok()) first = std::move(next);
}

}  // namespace

struct Resolver::OrgState {
  OrgState(std::string org_name, const MatchHorizons& horizons)
      : org(std::move(org_name)), registry(horizons) {}

  std::string org;
  std::optional<Millis> data_clock;  // newest event_ts added
  Millis settled_before = std::numeric_limits<Millis>::min();  // cutoff of the last settling
  Millis pruned_before = std::numeric_limits<Millis>::min();   // retention: see Prune()
  CapabilityRegistry registry;
  std::set<Millis> snapshot_hours;  // observed-inventory hours changed since the last Resolve()
  IdentityIndex identities;         // sessions, jobs, workers, discovery rows

  // Sessions (§2.2–§2.4), by key.
  KeyedRecords<std::string, SessionRecords> session_records;
  // As of the last Resolve(), in the last hour they contribute to (so an active session's hour is
  // not frozen).
  HourlyFacts<std::string, SessionFact, EntityKeyHash> sessions;
  std::unordered_set<std::string> dirty_sessions;  // new records: rebuild (hashed: per record)
  std::set<std::string> recheck_sessions;  // a snapshot in range: rebuild if a decision changed
  std::map<Millis, std::set<std::string>> sessions_by_hour;  // contributed hour → keys

  // Payments (§2.5), linked per payment group.
  RecordLists<PaymentGroupKey, event::Payment> payment_groups;
  std::map<std::string, std::set<PaymentGroupKey>> payment_groups_by_request;  // request_id →
  std::set<PaymentGroupKey> dirty_payment_groups;
  SessionIndex linkable_sessions;
  HourlyFacts<std::string, PaymentFact, EntityKeyHash> payments;     // by event_id
  // session_key → hour → how many payments of that hour are linked to it.
  std::unordered_map<std::string, std::map<Millis, int64_t>, EntityKeyHash, std::equal_to<>>
      payments_by_session;

  // LLM facts and AI-batch jobs (§2.6), by request_id.
  RecordLists<std::string, event::LlmEvent> llm_records;
  HourlyFacts<std::string, LlmFact, EntityKeyHash> llm_facts;  // event hour
  std::set<std::string> dirty_llm;
  RecordLists<std::string, event::BatchEvent> batch_records;
  std::set<std::string> dirty_batch_jobs;
  std::set<std::string> reattribute_batch_jobs;  // a snapshot in range: attribute the fact again
  HourlyFacts<std::string, AiBatchJobFact, EntityKeyHash> batch_jobs;  // completion hour

  // Workers, by event_id. Records only wait here for the next Resolve() (jobs.h: a worker, BYOC
  // job or discovery fact is re-attributed from the fact itself).
  Pending<event::WorkerSnapshot> pending_workers;
  // (event_ts, event_id) of the workers of each lookup key, and of each (key, non-empty
  // worker_url_norm).
  TimedIndex<WorkerKey, std::string> workers_by_key;
  TimedIndex<std::pair<WorkerKey, std::string>, std::string> workers_by_key_and_url;
  std::set<std::string> dirty_workers;
  HourlyFacts<std::string, WorkerFact, EntityKeyHash> workers;

  // BYOC jobs, by job id (= event_id), and the worker named for each payload request id.
  Pending<event::ByocJobEvent> pending_byoc_jobs;
  TimedIndex<WorkerKey, std::string> byoc_by_worker_key;
  // (event_ts, job id) of the jobs of each payload request id.
  TimedIndex<std::string, std::string> byoc_by_payload_request;
  // The latest worker a record named for each non-empty request id, in that record's hour.
  HourlyFacts<std::string, NamedWorker, EntityKeyHash> named_workers;
  std::set<std::string> dirty_byoc_jobs;
  HourlyFacts<std::string, ByocJobFact, EntityKeyHash> byoc_jobs;

  // Discovery rows, by (event_id, rank).
  Pending<std::vector<event::DiscoveryRow>> pending_discovery;
  std::set<std::pair<std::string, int>> dirty_discovery;  // (event_id, rank)
  HourlyFacts<std::pair<std::string, int>, DiscoveryFact, EntityKeyHash> discovery;

  // Auth and BYOC payment facts depend on their record alone: built once, records not kept.
  Pending<event::AuthEvent> pending_auth;
  Pending<event::ByocPayment> pending_byoc_payments;
  HourlyFacts<std::string, AuthFact, EntityKeyHash> auth;
  HourlyFacts<std::string, ByocPaymentFact, EntityKeyHash> byoc_payments;

  // ---- routing ----

  template <typename Record>
  void AddToSession(const event::RecordHeader& header, const Record& record,
                    StampedList<Record> list) {
    const std::string& key = record.key.session_key;
    if (key.empty()) return;
    (session_records.Append(key, header.event_ts).*list).push_back(SessionRecord(header, record));
    dirty_sessions.insert(key);
  }

  // Every record of the message but its streaming records and capability snapshots.
  void AddOthers(const event::RecordHeader& header, const event::Records& r) {
    for (const auto& p : r.payments) {
      const PaymentGroupKey group = PaymentGroupKeyOf(header, p);
      payment_groups.Append(group, header.event_ts).push_back({header, p});
      if (!p.request_id.empty()) payment_groups_by_request[p.request_id].insert(group);
      dirty_payment_groups.insert(group);
    }
    for (const auto& l : r.llm_events) {
      if (l.request_id.empty()) continue;
      llm_records.Append(l.request_id, header.event_ts).push_back({header, l});
      dirty_llm.insert(l.request_id);
    }
    for (const auto& b : r.batch_events) {
      if (b.request_id.empty()) continue;
      batch_records.Append(b.request_id, header.event_ts).push_back({header, b});
      dirty_batch_jobs.insert(b.request_id);
    }
    for (const auto& w : r.worker_snapshots) {
      pending_workers.emplace_back(header, w);
      WorkerKey key{w.capability.capability_norm, w.orch.orch_reported_address};
      workers_by_key.Insert(key, header.event_ts, header.event_id);
      if (!w.worker_url_norm.empty()) {  // jobs only look up the URL a record names
        workers_by_key_and_url.Insert({std::move(key), w.worker_url_norm}, header.event_ts,
                                      header.event_id);
      }
      // The worker's identity match reads its orch URL only (§2.6).
      Observations observed;
      Observe(w.orch.orch_url_norm, "", header.event_ts, observed);
      ReplaceObservations(identities, {EntityKind::kWorker, header.event_id}, {}, observed);
    }
    for (const auto& j : r.byoc_job_events) {
      if (!j.is_job) continue;  // only job_gateway_completed makes a job
      pending_byoc_jobs.emplace_back(header, j);
      byoc_by_worker_key.Insert({j.capability.capability_norm, j.orch.orch_reported_address},
                                header.event_ts, header.event_id);
      if (!j.request_id.empty()) {
        byoc_by_payload_request.Insert(j.request_id, header.event_ts, header.event_id);
      }
    }
    for (const auto& o : r.orchestrator_job_events) {
      if (o.request_id.empty() || o.worker_url_norm.empty()) continue;
      std::optional<NamedWorker> latest;
      if (const NamedWorker* known = named_workers.Find(o.request_id)) latest = *known;
      if (!KeepLatestNamedWorker(header.event_ts, header.event_id, o, latest)) continue;
      named_workers.Set(o.request_id, HourFloor(latest->event_ts), std::move(*latest));
      byoc_by_payload_request.ForEach(
          o.request_id, std::numeric_limits<Millis>::min(), std::numeric_limits<Millis>::max(),
          [&](Millis, const std::string& job_id) { dirty_byoc_jobs.insert(job_id); });
    }
    if (!r.discovery_rows.empty()) {
      pending_discovery.emplace_back(header, r.discovery_rows);
      // Rows are indexed one by one: a snapshot re-runs only the rows naming its orchestrator.
      for (const event::DiscoveryRow& row : r.discovery_rows) {
        Observations observed;
        Observe(row.orch_url_norm, row.orch_reported_address, header.event_ts, observed);
        ReplaceObservations(
            identities, {EntityKind::kDiscovery, header.event_id, static_cast<size_t>(row.rank)},
            {}, observed);
      }
    }
    for (const auto& a : r.auth_events) pending_auth.emplace_back(header, a);
    for (const auto& p : r.byoc_payments) pending_byoc_payments.emplace_back(header, p);
  }

  void MarkForSnapshot(const EntityRef& entity) {
    switch (entity.kind) {
      case EntityKind::kSession:
        recheck_sessions.insert(entity.key);
        break;
      case EntityKind::kAiBatchJob:
        reattribute_batch_jobs.insert(entity.key);
        break;
      case EntityKind::kByocJob:
        dirty_byoc_jobs.insert(entity.key);
        break;
      case EntityKind::kWorker:
        dirty_workers.insert(entity.key);
        break;
      case EntityKind::kDiscovery:
        dirty_discovery.emplace(entity.key, static_cast<int>(entity.row));
        break;
    }
  }

  // ---- checkpoint ----

  // Nothing waits for a Resolve(): the state SaveState may write.
  bool Idle() const {
    return snapshot_hours.empty() && dirty_sessions.empty() && recheck_sessions.empty() &&
           dirty_payment_groups.empty() && dirty_llm.empty() && dirty_batch_jobs.empty() &&
           reattribute_batch_jobs.empty() && pending_workers.empty() && dirty_workers.empty() &&
           pending_byoc_jobs.empty() && dirty_byoc_jobs.empty() && pending_discovery.empty() &&
           dirty_discovery.empty() && pending_auth.empty() && pending_byoc_payments.empty();
  }

  // Calls fn(id, index) with each index the checkpoint holds, numbered in this order.
  template <typename State, typename Fn>
  static void ForEachIndex(State& state, Fn&& fn) {
    uint64_t id = 0;
    const auto each = [&](auto& index) { fn(id++, index); };
    each(state.identities);
    each(state.session_records);
    each(state.sessions_by_hour);
    each(state.payment_groups);
    each(state.payment_groups_by_request);
    each(state.linkable_sessions);
    each(state.payments_by_session);
    each(state.llm_records);
    each(state.batch_records);
    each(state.workers_by_key);
    each(state.workers_by_key_and_url);
    each(state.byoc_by_worker_key);
    each(state.byoc_by_payload_request);
  }

  // Every index but the registry's, with every held entity as settled.
  Status EncodeIndexes(IndexParts& parts) const {
    Status status;
    ForEachIndex(*this, [&](uint64_t id, const auto& index) {
      if (!status.ok()) return;
      if constexpr (requires { index.EncodeSettled(id, parts); }) {
        status = index.EncodeSettled(id, parts);
      } else {
        status =
            parts.Write(id, index, [](ByteWriter& w, const auto& e) { state_codec::Put(w, e); });
      }
    });
    return status;
  }
  // Reads `n` elements of index `id` that EncodeIndexes wrote.
  bool DecodeIndex(uint64_t id, uint64_t n, ByteReader& r) {
    bool ok = false;
    ForEachIndex(*this, [&](uint64_t each, auto& index) {
      if (each != id) return;
      if constexpr (requires { index.DecodeSettled(r, n); }) {
        ok = index.DecodeSettled(r, n);
      } else {
        ok = state_codec::GetElements(r, n, index);
      }
    });
    return ok && r.done();
  }

  // ---- retention ----

  // Forgets every fact of an hour < `before` (an hour boundary), the held keys and index entries
  // dated before it, and the capability versions last sighted before it (spec/analytics.md §7.3).
  // A fact's hour is never earlier than the times its index entries carry, so nothing kept points
  // at a forgotten fact. Marks no slice changed.
  void Prune(Millis before) {
    if (before <= pruned_before) return;
    pruned_before = before;
    ForEachFactKind(*this, [&](auto& facts) { facts.DropBefore(before); });
    registry.Prune(org, before);
    session_records.DropSettledBefore(before);
    payment_groups.DropSettledBefore(before);
    llm_records.DropSettledBefore(before);
    batch_records.DropSettledBefore(before);
    linkable_sessions.DropBefore(before);
    sessions_by_hour.erase(sessions_by_hour.begin(), sessions_by_hour.lower_bound(before));
    TrimValues(payments_by_session,
               [&](auto& by_hour) { by_hour.erase(by_hour.begin(), by_hour.lower_bound(before)); });
    TrimValues(payment_groups_by_request, [&](auto& groups) {
      std::erase_if(groups, [&](const auto& group) { return !payment_groups.Contains(group); });
    });
    ForEachTimedIndex(*this, [&](auto& index) { index.DropBefore(before); });
  }

  // ---- rebuilding, in dependency order ----

  void Resolve(const RangeLoader& load, Status& status, ChangedSlices& changed) {
    // A session whose decisions only name their version anew is decided again from its fact,
    // without its records (a backfill renames the first version of every chain it reaches back to).
    std::vector<std::string> renamed;  // key order
    for (const std::string& key : recheck_sessions) {
      if (dirty_sessions.contains(key)) continue;
      const SessionFact* fact = sessions.Find(key);
      if (fact == nullptr) continue;
      switch (RecheckDecisions(*fact, registry)) {
        case Recheck::kSame:
          break;
        case Recheck::kVersionRenamed:
          renamed.push_back(key);
          break;
        case Recheck::kChanged:
          dirty_sessions.insert(key);
          break;
      }
    }
    recheck_sessions.clear();
    Keep(status,
         session_records.Reload(dirty_sessions, load, kSessionFamilies, RouteSessionRecords));
    std::vector<const std::string*> rebuild_order;  // key order, as every other rebuild
    rebuild_order.reserve(dirty_sessions.size());
    for (const std::string& key : dirty_sessions) rebuild_order.push_back(&key);
    std::sort(rebuild_order.begin(), rebuild_order.end(),
              [](const std::string* a, const std::string* b) { return *a < *b; });
    for (const std::string* key : rebuild_order) {
      ReplaceSession(*key, BuildSession(org, *key, session_records.At(*key), registry), changed);
    }
    dirty_sessions.clear();
    for (const std::string& key : renamed) {
      SessionFact fact = *sessions.Find(key);
      DecideSelections(registry, fact);
      ReplaceSession(key, std::move(fact), changed);
    }
    Keep(status,
         payment_groups.Reload(dirty_payment_groups, load, kPaymentFamilies, RoutePayments));
    RelinkPayments(changed);
    RebuildAiBatchJobs(load, status, changed);
    RebuildWorkers(changed);
    RebuildByocJobs(changed);
    RebuildDiscovery(changed);
    BuildPerRecordFacts(changed);
    for (Millis hour : snapshot_hours) changed.emplace(org, hour);
    snapshot_hours.clear();
  }

  // Drops the records of entities settled before `cutoff`, and freezes the facts of the hours that
  // ended an hour or more before it (hourly_facts.h).
  void Settle(Millis cutoff) {
    session_records.Settle(cutoff);
    payment_groups.Settle(cutoff);
    llm_records.Settle(cutoff);
    batch_records.Settle(cutoff);
    settled_before = cutoff;
    Freeze();
  }

  // Freezes the hours before the line of the last settling (none before the first).
  void Freeze() {
    if (settled_before == std::numeric_limits<Millis>::min()) return;
    const Millis freeze_before = HourFloor(settled_before) - kHourMs;
    ForEachFactKind(*this, [&](auto& facts) { facts.Freeze(freeze_before); });
    ForEachTimedIndex(*this, [&](auto& index) { index.Freeze(freeze_before); });
  }

  // Calls fn with each TimedIndex member of `state` (const or not).
  template <typename State, typename Fn>
  static void ForEachTimedIndex(State& state, Fn&& fn) {
    fn(state.identities);
    fn(state.workers_by_key);
    fn(state.workers_by_key_and_url);
    fn(state.byoc_by_worker_key);
    fn(state.byoc_by_payload_request);
  }

  // Calls fn with each HourlyFacts member of `state` (const or not).
  template <typename State, typename Fn>
  static void ForEachFactKind(State& state, Fn&& fn) {
    fn(state.sessions);
    fn(state.payments);
    fn(state.batch_jobs);
    fn(state.workers);
    fn(state.byoc_jobs);
    fn(state.discovery);
    fn(state.auth);
    fn(state.byoc_payments);
    fn(state.llm_facts);
    fn(state.named_workers);
  }

  // Sets the fact of session `key` to `fact`, what BuildSession gives for its records now, and
  // marks what the change reaches.
  void ReplaceSession(const std::string& key, SessionFact fact, ChangedSlices& changed) {
    SessionFact* before = sessions.FindMutable(key);  // ChangedHours swaps parts out and back
    if (before != nullptr && *before == fact) return;
    for (Millis hour : ChangedHours(before, fact)) changed.emplace(org, hour);
    if (before != nullptr && DimensionsDiffer(*before, fact)) MarkLinkedPayments(key, changed);
    if (LinkableDiffers(before, fact) && !fact.request_id.empty()) {
      linkable_sessions.Add(fact);
      const auto groups = payment_groups_by_request.find(fact.request_id);
      if (groups != payment_groups_by_request.end()) {
        dirty_payment_groups.insert(groups->second.begin(), groups->second.end());
      }
    }
    ReplaceObservations(identities, {EntityKind::kSession, key},
                        before != nullptr ? ObservationsOf(*before) : Observations{},
                        ObservationsOf(fact));
    if (before != nullptr) {
      for (Millis hour : ContributedHours(*before)) {
        auto it = sessions_by_hour.find(hour);
        it->second.erase(key);
        if (it->second.empty()) sessions_by_hour.erase(it);
      }
    }
    const std::set<Millis> hours = ContributedHours(fact);
    for (Millis hour : hours) sessions_by_hour[hour].insert(key);
    sessions.Set(key, hours.empty() ? fact.session_hour : *hours.rbegin(), std::move(fact));
  }

  // Linked payments contribute Block P under their session's dimensions (§4.0): a dimension
  // change re-marks their hours.
  void MarkLinkedPayments(const std::string& session_key, ChangedSlices& changed) const {
    const auto linked = payments_by_session.find(session_key);
    if (linked == payments_by_session.end()) return;
    for (const auto& [hour, count] : linked->second) changed.emplace(org, hour);
  }

  void Unlink(const std::string& session_key, Millis hour) {
    const auto linked = payments_by_session.find(session_key);
    if (linked == payments_by_session.end()) return;
    const auto in_hour = linked->second.find(hour);
    if (in_hour != linked->second.end() && --in_hour->second == 0) linked->second.erase(in_hour);
    if (linked->second.empty()) payments_by_session.erase(linked);
  }

  void RelinkPayments(ChangedSlices& changed) {
    const KnownPayment known = [this](std::string_view event_id) {
      return payments.Find(event_id);
    };
    for (const PaymentGroupKey& group : dirty_payment_groups) {
      for (PaymentFact& fact :
           LinkPayments(org, payment_groups.At(group), linkable_sessions, known)) {
        const std::string event_id = fact.event_id;
        const Millis hour = HourFloor(fact.event_ts);  // a payment's event_ts never changes
        const PaymentFact* before = payments.Find(event_id);
        if (before == nullptr || before->session_key != fact.session_key) {
          if (before != nullptr) Unlink(before->session_key, hour);
          if (!fact.session_key.empty()) ++payments_by_session[fact.session_key][hour];
        }
        payments.Put(event_id, hour, std::move(fact), org, changed);
      }
    }
    dirty_payment_groups.clear();
  }

  void RebuildAiBatchJobs(const RangeLoader& load, Status& status, ChangedSlices& changed) {
    Keep(status, llm_records.Reload(dirty_llm, load, kLlmFamilies, RouteLlmRecords));
    for (const std::string& request_id : dirty_llm) {
      std::optional<LlmFact> llm = BuildLlmFact(org, request_id, llm_records.At(request_id));
      const LlmFact* known = llm_facts.Find(request_id);
      if (!llm || (known != nullptr && *known == *llm)) continue;
      const Millis hour = HourFloor(llm->event_ts);
      llm_facts.Set(request_id, hour, std::move(*llm));
      dirty_batch_jobs.insert(request_id);
    }
    dirty_llm.clear();
    Keep(status, batch_records.Reload(dirty_batch_jobs, load, kBatchFamilies, RouteBatchRecords));
    for (const std::string& request_id : dirty_batch_jobs) {
      if (!batch_records.Contains(request_id)) continue;  // LLM records only
      std::optional<AiBatchJobFact> job = BuildAiBatchJob(
          org, request_id, batch_records.At(request_id), llm_facts.Find(request_id), registry);
      if (!job) continue;  // no completed record yet
      const AiBatchJobFact* before = batch_jobs.Find(request_id);
      ReplaceObservations(identities, {EntityKind::kAiBatchJob, request_id},
                          before != nullptr ? ObservationsOf(before->selection) : Observations{},
                          ObservationsOf(job->selection));
      const Millis hour = HourFloor(job->completed_at);
      batch_jobs.Put(request_id, hour, std::move(*job), org, changed);
    }
    // A job whose records did not change is attributed again from its fact (jobs.h).
    for (const std::string& request_id : reattribute_batch_jobs) {
      if (dirty_batch_jobs.contains(request_id)) continue;  // built from its records above
      const AiBatchJobFact* fact = batch_jobs.Find(request_id);
      if (fact == nullptr) continue;  // no completed record yet
      AiBatchJobFact job = *fact;
      AttributeAiBatchJob(job, registry);
      const Millis hour = HourFloor(job.completed_at);
      batch_jobs.Put(request_id, hour, std::move(job), org, changed);
    }
    reattribute_batch_jobs.clear();
    dirty_batch_jobs.clear();
  }

  // New workers are built from their records, re-attributed ones from their facts.
  void RebuildWorkers(ChangedSlices& changed) {
    for (const auto& [header, record] : pending_workers) {
      PutWorker(BuildWorkerFact(header, record, registry), changed);
    }
    pending_workers.clear();
    for (const std::string& event_id : dirty_workers) {
      if (const WorkerFact* fact = workers.Find(event_id)) {
        WorkerFact worker = *fact;
        AttributeWorker(worker, registry);
        PutWorker(std::move(worker), changed);
      }
    }
    dirty_workers.clear();
  }

  // A changed worker fact at T re-runs the BYOC jobs of its lookup key completed in
  // [T, T + 30 d] (§7.1).
  void PutWorker(WorkerFact fact, ChangedSlices& changed) {
    const Millis ts = fact.event_ts;
    WorkerKey key{fact.capability_norm, fact.orch_reported_address};
    const std::string event_id = fact.event_id;
    if (!workers.Put(event_id, HourFloor(ts), std::move(fact), org, changed)) return;
    byoc_by_worker_key.ForEach(
        key, ts, ts + kWorkerLookbackMs,
        [&](Millis, const std::string& job_id) { dirty_byoc_jobs.insert(job_id); });
  }

  void RebuildByocJobs(ChangedSlices& changed) {
    for (const auto& [header, record] : pending_byoc_jobs) {
      AttributeAndPutByocJob(ByocJobOf(header, record), changed);
    }
    pending_byoc_jobs.clear();
    for (const std::string& job_id : dirty_byoc_jobs) {
      if (const ByocJobFact* fact = byoc_jobs.Find(job_id)) {
        AttributeAndPutByocJob(*fact, changed);
      }
    }
    dirty_byoc_jobs.clear();
  }

  void AttributeAndPutByocJob(ByocJobFact job, ChangedSlices& changed) {
    const NamedWorker* named = named_workers.Find(job.payload_request_id);
    // The two workers the §2.6 lookup can pick (jobs.h): the latest of the key in the
    // look-back window, and the latest of those with the job's worker URL.
    WorkerKey key{job.capability_norm, job.orch_reported_address};
    std::vector<const WorkerFact*> candidates;
    const auto add_latest = [&](auto& index, const auto& index_key) {
      const auto* latest =
          index.Last(index_key, job.completed_at - kWorkerLookbackMs, job.completed_at);
      if (latest != nullptr) candidates.push_back(workers.Find(latest->second));
    };
    add_latest(workers_by_key, key);
    if (named != nullptr) {
      add_latest(workers_by_key_and_url, std::make_pair(std::move(key), named->worker_url_norm));
    }
    AttributeByocJob(job, named, candidates, registry);
    const ByocJobFact* before = byoc_jobs.Find(job.job_id);
    ReplaceObservations(identities, {EntityKind::kByocJob, job.job_id},
                        before != nullptr ? ObservationsOf(before->selection) : Observations{},
                        ObservationsOf(job.selection));
    const std::string job_id = job.job_id;
    const Millis hour = HourFloor(job.completed_at);
    byoc_jobs.Put(job_id, hour, std::move(job), org, changed);
  }

  void RebuildDiscovery(ChangedSlices& changed) {
    for (const auto& [header, rows] : pending_discovery) {
      for (DiscoveryFact& fact : BuildDiscoveryFacts(header, rows, registry)) {
        PutDiscovery(fact, changed);
      }
    }
    pending_discovery.clear();
    for (const auto& key : dirty_discovery) {
      if (const DiscoveryFact* fact = discovery.Find(key)) {
        DiscoveryFact row = *fact;
        AttributeDiscovery(row, registry);
        PutDiscovery(row, changed);
      }
    }
    dirty_discovery.clear();
  }

  void PutDiscovery(DiscoveryFact& fact, ChangedSlices& changed) {
    std::pair<std::string, int> key{fact.event_id, fact.rank};
    const Millis hour = HourFloor(fact.event_ts);
    discovery.Put(std::move(key), hour, std::move(fact), org, changed);
  }

  void BuildPerRecordFacts(ChangedSlices& changed) {
    for (const auto& [header, record] : pending_auth) {
      if (std::optional<AuthFact> fact = BuildAuthFact(header, record)) {
        auth.Put(header.event_id, HourFloor(header.event_ts), std::move(*fact), org, changed);
      }
    }
    pending_auth.clear();
    for (const auto& [header, record] : pending_byoc_payments) {
      byoc_payments.Put(header.event_id, HourFloor(header.event_ts),
                        BuildByocPaymentFact(header, record), org, changed);
    }
    pending_byoc_payments.clear();
  }
};

Resolver::Resolver(MatchHorizons horizons, std::optional<Eviction> eviction)
    : horizons_(horizons),
      eviction_(std::move(eviction)),
      frame_file_(eviction_ ? std::make_unique<FrameFile>() : nullptr) {}
Resolver::~Resolver() = default;

Resolver::OrgState& Resolver::State(const std::string& org) {
  auto it = orgs_.find(org);
  if (it == orgs_.end()) {
    it = orgs_.emplace(org, std::make_unique<OrgState>(org, horizons_)).first;
    if (auto anchors = anchors_.extract(org)) it->second->registry.SetAnchors(anchors.mapped());
    const auto spill = [&](auto& kept) { kept.SpillTo(frame_file_.get()); };
    OrgState::ForEachFactKind(*it->second, spill);
    OrgState::ForEachTimedIndex(*it->second, spill);
  }
  return *it->second;
}

const Resolver::OrgState* Resolver::FindState(std::string_view org) const {
  const auto it = orgs_.find(org);
  return it == orgs_.end() ? nullptr : it->second.get();
}

void Resolver::Add(const event::Decoded& decoded) {
  if (decoded.cls != event::MessageClass::kAccepted) return;
  const event::Records& r = decoded.records;
  const event::RecordHeader& header = r.header;
  OrgState& state = State(header.org);
  state.data_clock = std::max(state.data_clock.value_or(header.event_ts), header.event_ts);
  for (const auto& s : r.capability_snapshots) AddSnapshot(state, header, s);
  for (const auto& t : r.stream_traces) state.AddToSession(header, t, &SessionRecords::traces);
  for (const auto& s : r.status_samples) {
    state.AddToSession(header, s, &SessionRecords::status_samples);
  }
  for (const auto& e : r.stream_events) {
    state.AddToSession(header, e, &SessionRecords::stream_events);
  }
  for (const auto& i : r.ingest_samples) {
    state.AddToSession(header, i, &SessionRecords::ingest_samples);
  }
  const size_t others = r.Count() - r.capability_snapshots.size() - r.stream_traces.size() -
                        r.status_samples.size() - r.stream_events.size() - r.ingest_samples.size();
  if (others > 0) state.AddOthers(header, r);
}

void Resolver::AddSnapshot(OrgState& state, const event::RecordHeader& header,
                           const event::CapabilitySnapshot& snapshot) {
  const SnapshotAddResult result = state.registry.Add(header, snapshot);
  if (!result.added) return;
  const Millis t = result.snapshot_ts;
  state.snapshot_hours.insert(HourFloor(t));
  state.snapshot_hours.insert(result.restated_hours.begin(), result.restated_hours.end());
  const Millis from = t - std::max(horizons_.first_after_ms, horizons_.future_ms);
  Millis to = result.versions_changed ? std::numeric_limits<Millis>::max() : t + horizons_.stale_ms;
  if (result.next_sighting) to = std::min(to, *result.next_sighting - 1);
  Observations identities;
  Observe(result.chain.orch_uri_norm, result.chain.orch_address, t, identities);
  for (const std::string& alias : state.registry.FindChain(result.chain)->alias_addresses) {
    Observe("", alias, t, identities);
  }
  // Marking only inserts into sets, so an entity seen under several identities is marked once.
  for (const Observation& identity : identities) {
    state.identities.ForEach(identity.identity, from, to, [&](Millis, const EntityRef& entity) {
      state.MarkForSnapshot(entity);
    });
  }
}

std::set<std::pair<std::string, Millis>> Resolver::Resolve() {
  ChangedSlices changed;
  for (auto& [org, state] : orgs_) {
    const RangeLoader load = [&](std::span<const std::string_view> families, Millis from_hour,
                                 Millis to_hour,
                                 const std::function<void(const event::Records&)>& fn) {
      if (!eviction_ || !eviction_->loader) {
        return Status(StatusCode::kInternal, "settled records without a loader");
      }
      return eviction_->loader(org, families, from_hour, to_hour,
                               [&](const event::Decoded& decoded) {
                                 if (decoded.cls == event::MessageClass::kAccepted &&
                                     decoded.records.header.org == org) {
                                   fn(decoded.records);
                                 }
                               });
    };
    state->Resolve(load, status_, changed);
    if (!eviction_ || !state->data_clock) continue;
    // Settling scans every unsettled entity: at most once per step of the cutoff. The cutoff moves
    // back when an input behind the data clock sets the watermark (a backfill of older days after
    // newer ones): its entities settle behind it as in an ingest in order, so memory stays bounded.
    const Millis clock = std::min(*state->data_clock, watermark_.value_or(*state->data_clock));
    if (clock < std::numeric_limits<Millis>::min() + eviction_->lateness_ms) continue;
    const Millis cutoff = clock - eviction_->lateness_ms;
    const Millis step = std::clamp<Millis>(eviction_->lateness_ms / 8, 1, 15 * 60'000);
    if (cutoff - step >= state->settled_before || cutoff + step <= state->settled_before) {
      state->Settle(cutoff);
    }
  }
  return changed;
}

Status Resolver::SaveState(const std::function<Status(std::string part)>& emit) const {
  for (const auto& [org, state] : orgs_) {
    if (!state->Idle()) return Status(StatusCode::kInternal, "a checkpoint before Resolve()");
    std::string part(1, kOrgPart);
    ByteWriter w(part);
    w.String(org);
    state_codec::Put(w, state->data_clock);
    state_codec::Put(w, state->settled_before);
    state_codec::Put(w, state->pruned_before);
    NAAP_RETURN_IF_ERROR(emit(std::move(part)));
    Status status;
    state->registry.ForEachEncodedChain([&](std::string chain) {
      if (!status.ok()) return;
      std::string part(1, kRegistryPart);
      ByteWriter w(part);
      w.String(org);
      part += Compress(chain);
      status = emit(std::move(part));
    });
    NAAP_RETURN_IF_ERROR(status);
    IndexParts index_parts(org, emit);
    NAAP_RETURN_IF_ERROR(state->EncodeIndexes(index_parts));
    uint64_t kind = 0;
    OrgState::ForEachFactKind(*state, [&](const auto& facts) {
      const bool read = facts.ForEachFrame([&](Millis hour, std::string_view frame) {
        if (!status.ok()) return;
        std::string part(1, kFactsPart);
        ByteWriter w(part);
        w.String(org);
        w.Varint(kind);
        w.Int(hour);
        part += frame;
        status = emit(std::move(part));
      });
      if (!read && status.ok()) {
        status = Status(StatusCode::kIoError, "frozen facts cannot be read back for a checkpoint");
      }
      ++kind;
    });
    NAAP_RETURN_IF_ERROR(status);
  }
  return Status::Ok();
}

Status Resolver::LoadPart(std::string_view part) {
  const Status corrupt(StatusCode::kCorruption, "unreadable checkpoint part");
  if (part.empty()) return corrupt;
  ByteReader r(part.substr(1));
  std::string org;
  if (!r.String(org)) return corrupt;
  // The rest of a part after what `r` read.
  const auto rest = [&] { return part.substr(part.size() - r.Remaining()); };
  if (part[0] == kOrgPart) {
    if (orgs_.contains(org)) return corrupt;  // each org's part comes once, before the others
    OrgState& state = State(org);
    const bool read = state_codec::Get(r, state.data_clock) &&
                      state_codec::Get(r, state.settled_before) &&
                      state_codec::Get(r, state.pruned_before) && r.done();
    return read ? Status::Ok() : corrupt;
  }
  const auto it = orgs_.find(org);
  if (it == orgs_.end()) return corrupt;
  OrgState& state = *it->second;
  if (part[0] == kRegistryPart) {
    std::string chain;
    if (!Decompress(rest(), chain)) return corrupt;
    ByteReader cr(chain);
    return state.registry.DecodeChain(cr) ? Status::Ok() : corrupt;
  }
  if (part[0] == kIndexPart) {
    uint64_t id = 0, n = 0;
    std::string elements;
    if (!r.Varint(id) || !r.Varint(n) || !Decompress(rest(), elements)) return corrupt;
    ByteReader er(elements);
    return state.DecodeIndex(id, n, er) ? Status::Ok() : corrupt;
  }
  uint64_t kind = 0;
  Millis hour = 0;
  if (part[0] != kFactsPart || !r.Varint(kind) || !r.Int(hour)) return corrupt;
  uint64_t index = 0;
  bool loaded = false;
  OrgState::ForEachFactKind(state, [&](auto& facts) {
    if (index++ == kind) loaded = facts.LoadFrame(hour, std::string(rest()));
  });
  return loaded ? Status::Ok() : corrupt;
}

void Resolver::Prune(std::string_view org, Millis before) {
  const auto it = orgs_.find(org);
  if (it != orgs_.end()) it->second->Prune(HourFloor(before));
}

std::vector<VersionAnchor> Resolver::Anchors(std::string_view org, Millis before) const {
  const OrgState* state = FindState(org);
  return state == nullptr ? std::vector<VersionAnchor>{} : state->registry.Anchors(org, before);
}

void Resolver::SetAnchors(std::vector<VersionAnchor> anchors) {
  anchors_.clear();
  for (VersionAnchor& anchor : anchors) anchors_[anchor.chain.org].push_back(std::move(anchor));
  for (auto& [org, state] : orgs_) {
    const auto own = anchors_.extract(org);
    state->registry.SetAnchors(own ? own.mapped() : std::vector<VersionAnchor>{});
  }
}

void Resolver::Refreeze() {
  for (auto& [org, state] : orgs_) state->Freeze();
}

size_t Resolver::FrozenHours() const {
  size_t n = 0;
  for (const auto& [org, state] : orgs_) {
    OrgState::ForEachFactKind(*state, [&n](const auto& facts) { n += facts.frozen_hours(); });
  }
  return n;
}

const SessionFact* Resolver::FindSession(std::string_view org, std::string_view session_key) const {
  const OrgState* state = FindState(org);
  if (state == nullptr) return nullptr;
  return state->sessions.Find(session_key);
}

const CapabilityRegistry* Resolver::Registry(std::string_view org) const {
  const OrgState* state = FindState(org);
  return state == nullptr ? nullptr : &state->registry;
}

std::vector<std::string> Resolver::Orgs() const {
  std::vector<std::string> orgs;
  for (const auto& [org, state] : orgs_) orgs.push_back(org);
  return orgs;
}

std::vector<const SessionFact*> Resolver::SessionsAt(std::string_view org, Millis hour) const {
  std::vector<const SessionFact*> out;
  const OrgState* state = FindState(org);
  if (state == nullptr) return out;
  const auto it = state->sessions_by_hour.find(hour);
  if (it == state->sessions_by_hour.end()) return out;
  for (const std::string& key : it->second) out.push_back(state->sessions.Find(key));
  return out;
}

std::vector<const PaymentFact*> Resolver::PaymentsAt(std::string_view org, Millis hour) const {
  const OrgState* state = FindState(org);
  return FactsAt(state == nullptr ? nullptr : &state->payments, hour);
}

std::vector<const AiBatchJobFact*> Resolver::AiBatchJobsAt(std::string_view org,
                                                           Millis hour) const {
  const OrgState* state = FindState(org);
  return FactsAt(state == nullptr ? nullptr : &state->batch_jobs, hour);
}

std::vector<const ByocJobFact*> Resolver::ByocJobsAt(std::string_view org, Millis hour) const {
  const OrgState* state = FindState(org);
  return FactsAt(state == nullptr ? nullptr : &state->byoc_jobs, hour);
}

std::vector<const WorkerFact*> Resolver::WorkersAt(std::string_view org, Millis hour) const {
  const OrgState* state = FindState(org);
  return FactsAt(state == nullptr ? nullptr : &state->workers, hour);
}

std::vector<const AuthFact*> Resolver::AuthAt(std::string_view org, Millis hour) const {
  const OrgState* state = FindState(org);
  return FactsAt(state == nullptr ? nullptr : &state->auth, hour);
}

std::vector<const ByocPaymentFact*> Resolver::ByocPaymentsAt(std::string_view org,
                                                             Millis hour) const {
  const OrgState* state = FindState(org);
  return FactsAt(state == nullptr ? nullptr : &state->byoc_payments, hour);
}

std::vector<const DiscoveryFact*> Resolver::DiscoveryAt(std::string_view org, Millis hour) const {
  const OrgState* state = FindState(org);
  return FactsAt(state == nullptr ? nullptr : &state->discovery, hour);
}

std::vector<ObservedSnapshot> Resolver::ObservedSnapshotsAt(std::string_view org,
                                                            Millis hour) const {
  const OrgState* state = FindState(org);
  if (state == nullptr) return {};
  return state->registry.ObservedSnapshots(org, hour, hour + kHourMs);
}

}  // namespace naap::resolve
