// Written by the registry area.
#include "resolve/capability_registry.h"

#include <algorithm>
#include <concepts>
#include <functional>
#include <iterator>
#include <limits>
#include <numeric>
#include <set>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

#include "base/hash.h"
#include "base/strings.h"
#include "resolve/state_codec.h"

// The rows of a version's content, coded for the resolver's checkpoint (state_codec.h).
namespace naap::event {
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, CapabilityOffer>
bool Fields(Self& o, Fn&& fn) {
  return fn(o.capability_id, o.canonical_pipeline, o.model_id, o.warm, o.capacity,
            o.capacity_in_use, o.runner_version);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, CapabilityPrice>
bool Fields(Self& p, Fn&& fn) {
  return fn(p.capability_id, p.constraint, p.price_per_unit, p.pixels_per_unit);
}
template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, HardwareRow>
bool Fields(Self& h, Fn&& fn) {
  return fn(h.offered_name, h.capability_id, h.canonical_pipeline, h.model_id, h.hardware_present,
            h.gpu_slot, h.gpu_id, h.gpu_model_name, h.gpu_memory_bytes_total,
            h.gpu_memory_bytes_free, h.gpu_compute_major, h.gpu_compute_minor);
}
}  // namespace naap::event

namespace naap::resolve {

template <typename Self, typename Fn>
requires std::same_as<std::remove_const_t<Self>, VersionContent>
bool Fields(Self& c, Fn&& fn) {
  return fn(c.digest, c.orch_uri, c.alias_address, c.version, c.offers, c.prices, c.hardware);
}

namespace {

using event::CapabilityOffer;
using event::CapabilityPrice;
using event::CapabilitySnapshot;
using event::HardwareRow;

constexpr int kFirstBuiltinId = 27;
constexpr int kLastBuiltinId = 36;

bool IsBuiltin(int capability_id) {
  return capability_id >= kFirstBuiltinId && capability_id <= kLastBuiltinId;
}

// Length-prefixed fields, so no value can imitate a separator; "-" marks NULL.
void AppendField(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out.append(s);
  out += ';';
}
void AppendField(std::string& out, std::optional<int64_t> v) {
  out += v ? std::to_string(*v) : "-";
  out += ';';
}
void AppendField(std::string& out, std::optional<bool> v) { out += !v ? "-;" : (*v ? "1;" : "0;"); }
void AppendOptionalField(std::string& out, const std::optional<std::string>& v) {
  if (v) {
    AppendField(out, std::string_view(*v));
  } else {
    out += "-;";
  }
}

// Serialisations of the non-volatile members of each row kind.
std::string OfferKey(const CapabilityOffer& o) {
  std::string k;
  AppendField(k, std::optional<int64_t>(o.capability_id));
  AppendField(k, o.canonical_pipeline);
  AppendField(k, o.model_id);
  AppendField(k, o.warm);
  AppendField(k, o.capacity);
  AppendField(k, o.runner_version);
  return k;
}

std::string PriceKey(const CapabilityPrice& p) {
  std::string k;
  AppendField(k, p.capability_id ? std::optional<int64_t>(*p.capability_id) : std::nullopt);
  AppendOptionalField(k, p.constraint);
  AppendField(k, p.price_per_unit.ToString());
  AppendField(k, p.pixels_per_unit.ToString());
  return k;
}

std::optional<int64_t> Widen(std::optional<int> v) {
  return v ? std::optional<int64_t>(*v) : std::nullopt;
}

std::string HardwareKey(const HardwareRow& h) {
  std::string k;
  AppendField(k, h.offered_name);
  AppendField(k, std::optional<int64_t>(h.capability_id));
  AppendField(k, h.canonical_pipeline);
  AppendField(k, h.model_id);
  AppendField(k, std::optional<bool>(h.hardware_present));
  AppendField(k, Widen(h.gpu_slot));
  AppendField(k, h.gpu_id);
  AppendOptionalField(k, h.gpu_model_name);
  AppendField(k, h.gpu_memory_bytes_total);
  AppendField(k, Widen(h.gpu_compute_major));
  AppendField(k, Widen(h.gpu_compute_minor));
  return k;
}

// Indices of rows in canonical order (ascending serialisation; ties keep input order), each
// serialisation appended to `serialised` in that order.
template <typename Row, typename KeyFn>
std::vector<size_t> CanonicalOrder(const std::vector<Row>& rows, KeyFn key, char tag,
                                   std::string& serialised) {
  std::vector<std::string> keys;
  keys.reserve(rows.size());
  for (const Row& row : rows) keys.push_back(key(row));
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return keys[a] < keys[b]; });
  serialised += tag;
  AppendField(serialised, std::optional<int64_t>(static_cast<int64_t>(rows.size())));
  for (size_t i : order) AppendField(serialised, keys[i]);
  return order;
}

// A snapshot's content digest, the canonical order of its rows, and its volatile values in that
// order; the content itself is built (ContentOf) only when the digest is new to the chain.
struct Canonical {
  std::string digest;
  std::vector<size_t> offers, prices, hardware;  // row indices in canonical order
  std::vector<std::optional<int64_t>> capacity_in_use;
  std::vector<std::optional<int64_t>> gpu_memory_bytes_free;
};

Canonical Canonicalise(const CapabilitySnapshot& s) {
  Canonical c;
  std::string serialised;
  AppendField(serialised, s.orch_uri);
  AppendField(serialised, s.alias_address);
  AppendField(serialised, s.version);
  c.offers = CanonicalOrder(s.offers, OfferKey, 'O', serialised);
  c.prices = CanonicalOrder(s.prices, PriceKey, 'P', serialised);
  c.hardware = CanonicalOrder(s.hardware, HardwareKey, 'H', serialised);
  for (size_t i : c.offers) c.capacity_in_use.push_back(s.offers[i].capacity_in_use);
  for (size_t i : c.hardware) c.gpu_memory_bytes_free.push_back(s.hardware[i].gpu_memory_bytes_free);
  c.digest = Hid({serialised});
  return c;
}

// The version content of `s`: its rows in canonical order, without the volatile values.
std::shared_ptr<VersionContent> ContentOf(const CapabilitySnapshot& s, const Canonical& c) {
  auto content = std::make_shared<VersionContent>();
  content->digest = c.digest;
  content->orch_uri = s.orch_uri;
  content->alias_address = s.alias_address;
  content->version = s.version;
  for (size_t i : c.offers) content->offers.emplace_back(s.offers[i]).capacity_in_use.reset();
  for (size_t i : c.prices) content->prices.push_back(s.prices[i]);
  for (size_t i : c.hardware) {
    content->hardware.emplace_back(s.hardware[i]).gpu_memory_bytes_free.reset();
  }
  return content;
}

// Templates of a version (§2.1, exactly one of three paths).
std::vector<CapabilityInterval> BuildIntervals(const std::string& version_id,
                                               const VersionContent& c) {
  std::vector<CapabilityInterval> out;
  auto add = [&](CapabilityInterval t) {
    for (const CapabilityOffer& o : c.offers) {
      if (o.capability_id == t.capability_id && EqualsIgnoringCase(o.model_id, t.model)) {
        t.runner_version = o.runner_version;
        break;
      }
    }
    t.interval_id = Hid({version_id, t.pipeline, t.model, t.gpu_id});
    bool known = std::any_of(out.begin(), out.end(),
                             [&](const auto& e) { return e.interval_id == t.interval_id; });
    if (!known) out.push_back(std::move(t));
  };
  auto hardware_less = [](int capability_id, std::string_view pipeline, std::string_view model) {
    CapabilityInterval t;
    t.capability_id = capability_id;
    t.pipeline = pipeline;
    t.model = model;
    return t;
  };

  if (!c.hardware.empty()) {  // path 1
    for (const HardwareRow& h : c.hardware) {
      CapabilityInterval t = hardware_less(
          h.capability_id, h.canonical_pipeline.empty() ? h.offered_name : h.canonical_pipeline,
          h.model_id);
      if (h.hardware_present) {
        t.hardware_present = true;
        t.gpu_id = h.gpu_id;
        t.gpu_model_name = h.gpu_model_name.value_or("");
        t.gpu_memory_bytes_total = h.gpu_memory_bytes_total;
      }
      add(std::move(t));
    }
    for (const CapabilityOffer& o : c.offers) {
      if (!IsBuiltin(o.capability_id)) continue;
      bool covered = std::any_of(out.begin(), out.end(), [&](const CapabilityInterval& t) {
        return EqualsIgnoringCase(t.pipeline, o.canonical_pipeline) &&
               EqualsIgnoringCase(t.model, o.model_id);
      });
      if (!covered) add(hardware_less(o.capability_id, o.canonical_pipeline, o.model_id));
    }
    return out;
  }

  std::vector<const CapabilityOffer*> builtin;
  for (const CapabilityOffer& o : c.offers) {
    if (IsBuiltin(o.capability_id)) builtin.push_back(&o);
  }
  if (builtin.empty()) {  // path 3
    add(hardware_less(0, "", ""));
    return out;
  }
  // Path 2: warm first, then advertised capacity descending (NULL last), then model.
  std::stable_sort(builtin.begin(), builtin.end(),
                   [](const CapabilityOffer* a, const CapabilityOffer* b) {
                     auto rank = [](const CapabilityOffer* o) {
                       return std::make_tuple(!o->warm.value_or(false), !o->capacity.has_value(),
                                              -o->capacity.value_or(0));
                     };
                     const auto ra = rank(a), rb = rank(b);
                     return ra != rb ? ra < rb : a->model_id < b->model_id;
                   });
  for (const CapabilityOffer* o : builtin)
    add(hardware_less(o->capability_id, o->canonical_pipeline, o->model_id));
  return out;
}

std::string IndexKey(std::string_view org, IdentityType type, std::string_view value) {
  std::string key(org);
  key += '\x1f';
  key += static_cast<char>('0' + static_cast<int>(type));
  key += '\x1f';
  key.append(value);
  return key;
}

enum class TemporalClass { kExact = 0, kPrior = 1, kFuture = 2, kFirstAfter = 3, kStale = 4 };

std::string_view ClassName(TemporalClass c) {
  switch (c) {
    case TemporalClass::kExact:
      return "exact";
    case TemporalClass::kPrior:
      return "prior";
    case TemporalClass::kFuture:
      return "future";
    case TemporalClass::kFirstAfter:
      return "first_after";
    case TemporalClass::kStale:
      return "stale";
  }
  return "";
}

std::string_view IdentityName(IdentityType t) {
  switch (t) {
    case IdentityType::kUri:
      return "uri";
    case IdentityType::kAddress:
      return "address";
    case IdentityType::kAlias:
      return "alias";
  }
  return "";
}

using VolatileValues = std::span<const std::optional<int64_t>>;

// One stored snapshot: what versions and the observed inventory need, nothing more (24 bytes).
struct SnapshotEntry {
  static constexpr uint32_t kNoValues = std::numeric_limits<uint32_t>::max();
  const std::string* event_id = nullptr;  // in CapabilityRegistry::event_ids_
  Millis ts = 0;
  uint32_t content = 0;  // index into ChainState::contents
  // Where the snapshot's volatile values start in ChainState::values (as many as its content
  // has offers and hardware rows); kNoValues when all are NULL. 32 bits hold a chain's retention:
  // a snapshot a second for 90 days with 500 values each stays below 2^32.
  uint32_t values_at = kNoValues;
};

}  // namespace

// One chain: its snapshots, their distinct contents and volatile values, and its versions.
struct CapabilityRegistry::ChainState {
  CapabilityChain chain;
  GapVector<SnapshotEntry> snapshots;  // by (ts, event_id); a backfill inserts before the newer
  std::vector<std::shared_ptr<const VersionContent>> contents;
  std::map<std::string, uint32_t, std::less<>> content_by_digest;
  std::map<Millis, std::string> raw_element_by_hour;  // of the latest snapshot of each hour
  // The snapshots' volatile values, each snapshot's in one run: capacity_in_use per offer, then
  // gpu_memory_bytes_free per hardware row (canonical order).
  std::vector<std::optional<int64_t>> values;

  VolatileValues ValuesOf(const SnapshotEntry& s) const {
    if (s.values_at == SnapshotEntry::kNoValues) return {};
    const VersionContent& c = *contents[s.content];
    return VolatileValues(values).subspan(s.values_at, c.offers.size() + c.hardware.size());
  }
  // Keeps a snapshot's values (as many as its content has offers and hardware rows): where
  // they start, or kNoValues when all are NULL.
  uint32_t KeepValues(VolatileValues run) {
    if (std::none_of(run.begin(), run.end(), [](const auto& v) { return v.has_value(); })) {
      return SnapshotEntry::kNoValues;
    }
    const size_t at = values.size();
    values.insert(values.end(), run.begin(), run.end());
    return static_cast<uint32_t>(at);
  }
  // After snapshots were removed: keeps only the values of the remaining ones.
  void CompactValues() {
    std::vector<std::optional<int64_t>> kept;
    for (SnapshotEntry& s : snapshots) {
      if (s.values_at == SnapshotEntry::kNoValues) continue;
      const VolatileValues run = ValuesOf(s);
      s.values_at = static_cast<uint32_t>(kept.size());
      kept.insert(kept.end(), run.begin(), run.end());
    }
    values = std::move(kept);
  }
};

struct CapabilityRegistry::Candidate {
  TemporalClass cls;
  IdentityType type;
  const ChainState* chain;
  const CapabilityVersion* version;
  const CapabilityInterval* interval;
};

namespace {

void SplitVolatile(VolatileValues values, const VersionContent& c,
                   std::vector<std::optional<int64_t>>& capacity,
                   std::vector<std::optional<int64_t>>& gpu_free) {
  capacity.assign(c.offers.size(), std::nullopt);
  gpu_free.assign(c.hardware.size(), std::nullopt);
  if (values.empty()) return;
  std::copy_n(values.begin(), c.offers.size(), capacity.begin());
  std::copy_n(values.begin() + c.offers.size(), c.hardware.size(), gpu_free.begin());
}

void AddSighting(CapabilityVersion& v, const SnapshotEntry& s, VolatileValues values) {
  v.sightings.push_back(s.ts);
  SplitVolatile(values, *v.content, v.capacity_in_use, v.gpu_memory_bytes_free);
}

// A version from its first snapshot `s`; with `anchor` (the chain's first version only), from the
// anchor when it has the same content and began earlier.
CapabilityVersion StartVersion(const ChainKey& key, const SnapshotEntry& s, VolatileValues values,
                               std::shared_ptr<const VersionContent> content,
                               const VersionAnchor* anchor = nullptr) {
  CapabilityVersion v;
  v.first_event_id = *s.event_id;
  v.valid_from = s.ts;
  if (anchor != nullptr && anchor->digest == content->digest && anchor->valid_from < s.ts) {
    v.first_event_id = anchor->first_event_id;
    v.valid_from = anchor->valid_from;
    if (anchor->last_sighting < s.ts) v.anchored_sighting = anchor->last_sighting;
  }
  v.capability_version_id =
      Hid({key.org, key.orch_address, key.orch_uri_norm, v.first_event_id, content->digest});
  v.content = std::move(content);
  v.intervals = BuildIntervals(v.capability_version_id, *v.content);
  AddSighting(v, s, values);
  return v;
}

// The version's latest sighting at or before `ts` (its anchored one, else valid_from, when no
// snapshot kept is that early).
Millis LastSightingUpTo(const CapabilityVersion& v, Millis ts) {
  const auto after = std::upper_bound(v.sightings.begin(), v.sightings.end(), ts);
  if (after != v.sightings.begin()) return *(after - 1);
  return v.anchored_sighting && *v.anchored_sighting <= ts ? *v.anchored_sighting : v.valid_from;
}

bool SameBounds(const std::vector<CapabilityVersion>& a, const std::vector<CapabilityVersion>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.capability_version_id == y.capability_version_id && x.valid_from == y.valid_from &&
           x.valid_to == y.valid_to;
  });
}

// The hours of `snapshots` within a version of `before` or `after` that the other does not have
// with the same id and bounds, except `own_hour`; ascending.
std::vector<Millis> RestatedHours(const GapVector<SnapshotEntry>& snapshots,
                                  const std::vector<CapabilityVersion>& before,
                                  const std::vector<CapabilityVersion>& after, Millis own_hour) {
  using Bounds = std::tuple<std::string_view, Millis, Millis>;
  auto bounds = [](const CapabilityVersion& v) {
    return Bounds{v.capability_version_id, v.valid_from,
                  v.valid_to.value_or(std::numeric_limits<Millis>::max())};
  };
  std::set<Bounds> a, b, changed;
  for (const CapabilityVersion& v : before) a.insert(bounds(v));
  for (const CapabilityVersion& v : after) b.insert(bounds(v));
  std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(),
                                std::inserter(changed, changed.end()));
  std::vector<Millis> hours;
  if (changed.empty()) return hours;
  Millis from = std::numeric_limits<Millis>::max();
  for (const Bounds& v : changed) from = std::min(from, std::get<1>(v));
  auto first = std::partition_point(snapshots.begin(), snapshots.end(),
                                    [from](const SnapshotEntry& s) { return s.ts < from; });
  for (auto it = first; it != snapshots.end(); ++it) {
    const Millis hour = HourFloor(it->ts);
    if (hour == own_hour || (!hours.empty() && hours.back() == hour)) continue;
    const bool restated = std::any_of(changed.begin(), changed.end(), [&](const Bounds& v) {
      return std::get<1>(v) <= it->ts && it->ts < std::get<2>(v);
    });
    if (restated) hours.push_back(hour);
  }
  return hours;
}

// Whether snapshots[index] is the latest of its chain in its hour (it holds the hour's
// raw_element).
bool IsLatestOfHour(const GapVector<SnapshotEntry>& snapshots, size_t index) {
  return index + 1 == snapshots.size() ||
         HourFloor(snapshots[index + 1].ts) != HourFloor(snapshots[index].ts);
}

bool EntryBefore(const SnapshotEntry& e, const std::pair<Millis, std::string_view>& k) {
  return std::make_pair(e.ts, std::string_view(*e.event_id)) < k;
}

}  // namespace

CapabilityRegistry::CapabilityRegistry(MatchHorizons horizons) : horizons_(horizons) {}
CapabilityRegistry::~CapabilityRegistry() = default;

std::string CapabilityRegistry::ContentDigest(const CapabilitySnapshot& snapshot) {
  return Canonicalise(snapshot).digest;
}

SnapshotAddResult CapabilityRegistry::Add(const event::RecordHeader& header,
                                          const CapabilitySnapshot& snapshot) {
  SnapshotAddResult result;
  result.chain = ChainKey{header.org, snapshot.orch_address, snapshot.orch_uri_norm};
  result.snapshot_ts = header.event_ts;
  if (snapshot.orch_address.empty()) return result;

  std::unique_ptr<ChainState>& slot = chains_[result.chain];
  const bool new_chain = slot == nullptr;
  if (new_chain) {
    slot = std::make_unique<ChainState>();
    slot->chain.key = result.chain;
  }
  ChainState& cs = *slot;
  // Within a chain, snapshot_id = hid(event_id, chain address, chain uri) is fixed by the event_id,
  // and an event_id has one event_ts, so the (ts, event_id) position identifies the snapshot.
  const std::pair<Millis, std::string_view> order_key{header.event_ts, header.event_id};
  auto pos = std::lower_bound(cs.snapshots.begin(), cs.snapshots.end(), order_key, EntryBefore);
  if (pos != cs.snapshots.end() && pos->ts == header.event_ts && *pos->event_id == header.event_id)
    return result;

  Canonical canonical = Canonicalise(snapshot);
  auto [digest_it, new_content] = cs.content_by_digest.try_emplace(
      canonical.digest, static_cast<uint32_t>(cs.contents.size()));
  if (new_content) cs.contents.push_back(ContentOf(snapshot, canonical));
  SnapshotEntry entry;
  entry.event_id = event_ids_.Take(header.event_id);
  entry.ts = header.event_ts;
  entry.content = digest_it->second;
  std::vector<std::optional<int64_t>>& run = canonical.capacity_in_use;
  run.insert(run.end(), canonical.gpu_memory_bytes_free.begin(),
             canonical.gpu_memory_bytes_free.end());
  entry.values_at = cs.KeepValues(run);
  const bool appended = pos == cs.snapshots.end();
  const size_t index = pos - cs.snapshots.begin();
  cs.snapshots.insert(pos, std::move(entry));
  ++snapshot_count_;
  result.added = true;

  // raw_element is kept for the latest snapshot of the chain in each hour only.
  if (IsLatestOfHour(cs.snapshots, index))
    cs.raw_element_by_hour[HourFloor(header.event_ts)] = snapshot.raw_element;

  std::vector<CapabilityVersion>& versions = cs.chain.versions;
  const SnapshotEntry& added = cs.snapshots[index];
  const std::shared_ptr<const VersionContent>& content = cs.contents[added.content];
  if (appended && !versions.empty() && versions.back().content == content) {
    AddSighting(versions.back(), added, cs.ValuesOf(added));
  } else if (appended) {
    if (!versions.empty()) versions.back().valid_to = added.ts;
    versions.push_back(StartVersion(cs.chain.key, added, cs.ValuesOf(added), content,
                                    versions.empty() ? AnchorOf(cs.chain.key) : nullptr));
    result.versions_changed = true;
  } else if (CapabilityVersion* v = VersionEndingRunAt(cs, index)) {
    // A late snapshot right after one of its content: one more sighting of that version, whose
    // id and bounds stay (as VersionsOf would give them). Its values when it is the run's newest.
    v->sightings.insert(std::upper_bound(v->sightings.begin(), v->sightings.end(), added.ts),
                        added.ts);
    if (cs.snapshots[index + 1].content != added.content) {
      SplitVolatile(cs.ValuesOf(added), *v->content, v->capacity_in_use, v->gpu_memory_bytes_free);
    }
  } else {
    // Any other late snapshot: recompute the chain's versions from its snapshots.
    std::vector<CapabilityVersion> rebuilt = VersionsOf(cs);
    result.versions_changed = !SameBounds(versions, rebuilt);
    if (result.versions_changed) {
      result.restated_hours =
          RestatedHours(cs.snapshots, versions, rebuilt, HourFloor(header.event_ts));
    }
    versions = std::move(rebuilt);
  }
  if (!result.versions_changed && index + 1 < cs.snapshots.size() &&
      cs.snapshots[index + 1].content == added.content) {
    result.next_sighting = cs.snapshots[index + 1].ts;
  }

  if (new_chain) {
    if (!result.chain.orch_uri_norm.empty())
      Index(cs, IdentityType::kUri, result.chain.orch_uri_norm);
    Index(cs, IdentityType::kAddress, result.chain.orch_address);
  }
  if (!snapshot.alias_address.empty() &&
      cs.chain.alias_addresses.insert(snapshot.alias_address).second) {
    Index(cs, IdentityType::kAlias, snapshot.alias_address);
  }
  return result;
}

CapabilityVersion* CapabilityRegistry::VersionEndingRunAt(ChainState& cs, size_t index) {
  if (index == 0 || cs.snapshots[index - 1].content != cs.snapshots[index].content) return nullptr;
  // The version of snapshots[index - 1]: the last that began at or before it in the chain's
  // (ts, event_id) order (an anchored first version began before every snapshot kept).
  const SnapshotEntry& prev = cs.snapshots[index - 1];
  const std::pair<Millis, std::string_view> prev_key{prev.ts, *prev.event_id};
  std::vector<CapabilityVersion>& versions = cs.chain.versions;
  auto after = std::upper_bound(
      versions.begin(), versions.end(), prev_key, [](const auto& key, const CapabilityVersion& v) {
        return key < std::pair<Millis, std::string_view>(v.valid_from, v.first_event_id);
      });
  if (after == versions.begin()) return nullptr;
  CapabilityVersion& v = *std::prev(after);
  return v.content == cs.contents[cs.snapshots[index].content] ? &v : nullptr;
}

std::vector<CapabilityVersion> CapabilityRegistry::VersionsOf(const ChainState& cs) const {
  // A version's volatile values are its newest snapshot's, so they are split once per version,
  // not per snapshot.
  std::vector<CapabilityVersion> versions;
  const SnapshotEntry* newest = nullptr;  // of versions.back()
  const auto take_newest_values = [&] {
    if (versions.empty()) return;
    CapabilityVersion& v = versions.back();
    SplitVolatile(cs.ValuesOf(*newest), *v.content, v.capacity_in_use, v.gpu_memory_bytes_free);
  };
  for (const SnapshotEntry& s : cs.snapshots) {
    const std::shared_ptr<const VersionContent>& c = cs.contents[s.content];
    if (!versions.empty() && versions.back().content == c) {
      versions.back().sightings.push_back(s.ts);
    } else {
      take_newest_values();
      if (!versions.empty()) versions.back().valid_to = s.ts;
      versions.push_back(StartVersion(cs.chain.key, s, cs.ValuesOf(s), c,
                                      versions.empty() ? AnchorOf(cs.chain.key) : nullptr));
    }
    newest = &s;
  }
  take_newest_values();
  return versions;
}

void CapabilityRegistry::ForEachEncodedChain(const std::function<void(std::string)>& fn) const {
  for (const auto& [key, cs] : chains_) {
    std::string bytes;
    ByteWriter w(bytes);
    state_codec::Put(w, key.org);
    state_codec::Put(w, key.orch_address);
    state_codec::Put(w, key.orch_uri_norm);
    w.Varint(cs->contents.size());
    for (const std::shared_ptr<const VersionContent>& content : cs->contents) {
      state_codec::Put(w, *content);
    }
    w.Varint(cs->snapshots.size());
    for (const SnapshotEntry& s : cs->snapshots) {
      state_codec::Put(w, *s.event_id);
      state_codec::Put(w, s.ts);
      state_codec::Put(w, s.content);
      state_codec::Put(w, cs->ValuesOf(s));  // as a vector: empty when all are NULL
    }
    state_codec::Put(w, cs->raw_element_by_hour);
    state_codec::Put(w, cs->chain.alias_addresses);
    fn(std::move(bytes));
  }
}

bool CapabilityRegistry::DecodeChain(ByteReader& r) {
  auto cs = std::make_unique<ChainState>();
  ChainKey& key = cs->chain.key;
  uint64_t contents = 0;
  if (!state_codec::Get(r, key.org) || !state_codec::Get(r, key.orch_address) ||
      !state_codec::Get(r, key.orch_uri_norm) || !r.Varint(contents) || chains_.contains(key)) {
    return false;
  }
  for (uint64_t c = 0; c < contents; ++c) {
    VersionContent content;
    if (!state_codec::Get(r, content)) return false;
    cs->content_by_digest.emplace(content.digest, static_cast<uint32_t>(c));
    cs->contents.push_back(std::make_shared<const VersionContent>(std::move(content)));
  }
  // The chain takes its ids from the pool only once it decoded whole (a failed decode leaves
  // the registry as it was).
  std::vector<std::string> event_ids;
  uint64_t snapshots = 0;
  // A snapshot takes at least 4 bytes (id length, time, content, value count): a corrupt count
  // cannot make the vectors below larger than the part allows.
  if (!r.Varint(snapshots) || snapshots > r.Remaining() / 4) return false;
  event_ids.resize(snapshots);
  cs->snapshots.resize(snapshots);
  std::vector<std::optional<int64_t>> run;
  for (uint64_t i = 0; i < snapshots; ++i) {
    SnapshotEntry& s = cs->snapshots[i];
    if (!state_codec::Get(r, event_ids[i]) || !state_codec::Get(r, s.ts) ||
        !state_codec::Get(r, s.content) || !state_codec::Get(r, run) ||
        s.content >= cs->contents.size()) {
      return false;
    }
    const VersionContent& c = *cs->contents[s.content];
    if (!run.empty() && run.size() != c.offers.size() + c.hardware.size()) return false;
    s.values_at = cs->KeepValues(run);
  }
  if (!state_codec::Get(r, cs->raw_element_by_hour) ||
      !state_codec::Get(r, cs->chain.alias_addresses) || !r.done()) {
    return false;
  }
  for (uint64_t i = 0; i < snapshots; ++i)
    cs->snapshots[i].event_id = event_ids_.Take(event_ids[i]);
  cs->chain.versions = VersionsOf(*cs);
  snapshot_count_ += cs->snapshots.size();
  const ChainState& chain = *(chains_[key] = std::move(cs));
  if (!key.orch_uri_norm.empty()) Index(chain, IdentityType::kUri, key.orch_uri_norm);
  Index(chain, IdentityType::kAddress, key.orch_address);
  for (const std::string& alias : chain.chain.alias_addresses) {
    Index(chain, IdentityType::kAlias, alias);
  }
  return true;
}

size_t CapabilityRegistry::event_id_count() const { return event_ids_.size(); }

void CapabilityRegistry::Index(const ChainState& chain, IdentityType type, std::string_view value) {
  std::vector<const ChainState*>& chains = index_[IndexKey(chain.chain.key.org, type, value)];
  auto at = std::lower_bound(
      chains.begin(), chains.end(), &chain,
      [](const ChainState* a, const ChainState* b) { return a->chain.key < b->chain.key; });
  chains.insert(at, &chain);
}

void CapabilityRegistry::Prune(std::string_view org, Millis before) {
  for (auto it = chains_.lower_bound(ChainKey{std::string(org), "", ""});
       it != chains_.end() && it->first.org == org; ++it) {
    ChainState& cs = *it->second;
    std::vector<CapabilityVersion>& versions = cs.chain.versions;
    size_t gone = 0, snapshots = 0;  // versions [0, gone) hold snapshots [0, snapshots)
    for (; gone < versions.size() && versions[gone].sightings.back() < before; ++gone) {
      snapshots += versions[gone].sightings.size();
    }
    if (gone == 0) continue;
    anchors_.erase(cs.chain.key);  // it described the chain's first version, now gone
    versions.erase(versions.begin(), versions.begin() + static_cast<std::ptrdiff_t>(gone));
    const auto kept = cs.snapshots.begin() + static_cast<std::ptrdiff_t>(snapshots);
    for (auto s = cs.snapshots.begin(); s != kept; ++s) event_ids_.Release(*s->event_id);
    cs.snapshots.erase(cs.snapshots.begin(), kept);
    cs.CompactValues();
    snapshot_count_ -= snapshots;
    const Millis first_hour_kept = cs.snapshots.empty() ? before : HourFloor(cs.snapshots[0].ts);
    cs.raw_element_by_hour.erase(cs.raw_element_by_hour.begin(),
                                 cs.raw_element_by_hour.lower_bound(first_hour_kept));
  }
}

std::vector<VersionAnchor> CapabilityRegistry::Anchors(std::string_view org, Millis before) const {
  std::vector<VersionAnchor> out;
  for (auto it = chains_.lower_bound(ChainKey{std::string(org), "", ""});
       it != chains_.end() && it->first.org == org; ++it) {
    for (const CapabilityVersion& v : it->second->chain.versions) {
      if (v.valid_from >= before) break;
      if (v.sightings.back() < before) continue;
      out.push_back({.chain = it->first,
                     .first_event_id = v.first_event_id,
                     .valid_from = v.valid_from,
                     .digest = v.content->digest,
                     .last_sighting = LastSightingUpTo(v, before - 1)});
    }
  }
  return out;
}

void CapabilityRegistry::SetAnchors(const std::vector<VersionAnchor>& anchors) {
  anchors_.clear();
  for (const VersionAnchor& anchor : anchors) anchors_.insert_or_assign(anchor.chain, anchor);
}

const VersionAnchor* CapabilityRegistry::AnchorOf(const ChainKey& key) const {
  const auto it = anchors_.find(key);
  return it == anchors_.end() ? nullptr : &it->second;
}

const CapabilityChain* CapabilityRegistry::FindChain(const ChainKey& key) const {
  auto it = chains_.find(key);
  return it == chains_.end() ? nullptr : &it->second->chain;
}

std::vector<const CapabilityChain*> CapabilityRegistry::ChainsByIdentity(
    std::string_view org, IdentityType type, std::string_view value) const {
  std::vector<const CapabilityChain*> out;
  auto it = index_.find(IndexKey(org, type, value));
  if (it == index_.end()) return out;
  for (const ChainState* c : it->second) out.push_back(&c->chain);
  return out;
}

std::vector<ObservedSnapshot> CapabilityRegistry::ObservedSnapshots(std::string_view org,
                                                                    Millis from, Millis to) const {
  std::vector<ObservedSnapshot> out;
  for (auto it = chains_.lower_bound(ChainKey{std::string(org), "", ""});
       it != chains_.end() && it->first.org == org; ++it) {
    const ChainState& cs = *it->second;
    auto first = std::lower_bound(cs.snapshots.begin(), cs.snapshots.end(),
                                  std::make_pair(from, std::string_view()), EntryBefore);
    size_t version = 0;
    size_t version_end = cs.chain.versions.empty() ? 0 : cs.chain.versions[0].sightings.size();
    for (auto s = first; s != cs.snapshots.end() && s->ts < to; ++s) {
      const size_t index = s - cs.snapshots.begin();
      while (index >= version_end) version_end += cs.chain.versions[++version].sightings.size();
      ObservedSnapshot o;
      o.chain = &it->first;
      o.snapshot_id = Hid({*s->event_id, cs.chain.key.orch_address, cs.chain.key.orch_uri_norm});
      o.event_id = *s->event_id;
      o.snapshot_ts = s->ts;
      o.capability_version_id = cs.chain.versions[version].capability_version_id;
      o.content = cs.contents[s->content];
      SplitVolatile(cs.ValuesOf(*s), *o.content, o.capacity_in_use, o.gpu_memory_bytes_free);
      if (IsLatestOfHour(cs.snapshots, index))
        o.raw_element = cs.raw_element_by_hour.at(HourFloor(s->ts));
      out.push_back(std::move(o));
    }
  }
  return out;
}

void CapabilityRegistry::CollectCandidates(const ChainState& cs, IdentityType type,
                                           std::string_view value, Millis ts,
                                           std::vector<Candidate>& out) const {
  const CapabilityVersion* current = nullptr;  // latest carrying the identity with valid_from ≤ ts
  const CapabilityVersion* next = nullptr;     // earliest carrying it with valid_from > ts
  for (const CapabilityVersion& v : cs.chain.versions) {
    if (type == IdentityType::kAlias && v.content->alias_address != value) continue;
    if (v.valid_from <= ts) {
      current = &v;
    } else {
      next = &v;
      break;
    }
  }
  auto emit = [&](const CapabilityVersion& v, TemporalClass cls) {
    for (const CapabilityInterval& interval : v.intervals)
      out.push_back(Candidate{cls, type, &cs, &v, &interval});
  };
  if (current != nullptr) {
    const Millis age = ts - LastSightingUpTo(*current, ts);
    const bool in_force = !current->valid_to || ts < *current->valid_to;
    if (current->valid_from == ts) {
      emit(*current, TemporalClass::kExact);
    } else if (age <= horizons_.exact_ms) {
      emit(*current, in_force ? TemporalClass::kExact : TemporalClass::kPrior);
    } else if (age <= horizons_.stale_ms) {
      emit(*current, TemporalClass::kStale);
    }
  }
  if (next != nullptr) {
    // A version within the future tolerance also satisfies the cold-start rule; `future` wins.
    if (next->valid_from <= ts + horizons_.future_ms) {
      emit(*next, TemporalClass::kFuture);
    } else if (current == nullptr && next->valid_from <= ts + horizons_.first_after_ms) {
      emit(*next, TemporalClass::kFirstAfter);
    }
  }
}

std::vector<CapabilityRegistry::Candidate> CapabilityRegistry::CandidatesFor(std::string_view org,
                                                                             IdentityType type,
                                                                             std::string_view value,
                                                                             Millis ts) const {
  std::vector<Candidate> out;
  auto it = index_.find(IndexKey(org, type, value));
  if (it == index_.end()) return out;
  for (const ChainState* cs : it->second) CollectCandidates(*cs, type, value, ts, out);
  return out;
}

Decision CapabilityRegistry::Match(const MatchRequest& req) const {
  Decision d;
  // Step 1: identity set (a URL always wins over an address).
  std::vector<Candidate> candidates;
  if (!req.observed_url.empty()) {
    candidates = CandidatesFor(req.org, IdentityType::kUri, req.observed_url, req.ts);
  } else if (!req.observed_address.empty()) {
    candidates = CandidatesFor(req.org, IdentityType::kAddress, req.observed_address, req.ts);
    std::vector<Candidate> alias =
        CandidatesFor(req.org, IdentityType::kAlias, req.observed_address, req.ts);
    candidates.insert(candidates.end(), alias.begin(), alias.end());
  }

  // Step 3: the best temporal class wins; none → unresolved with the reason.
  if (candidates.empty()) {
    if (!req.observed_url.empty() && !req.observed_address.empty()) {
      if (!CandidatesFor(req.org, IdentityType::kAlias, req.observed_address, req.ts).empty()) {
        d.reason = "missing_uri_snapshot_local_alias_present";
      } else if (!CandidatesFor(req.org, IdentityType::kAddress, req.observed_address, req.ts)
                      .empty()) {
        d.reason = "missing_uri_snapshot_address_match_present";
      }
    }
    return d;
  }
  const auto keep_if = [&candidates](auto predicate) {
    std::erase_if(candidates, [&](const Candidate& c) { return !predicate(c); });
  };
  const TemporalClass best_class =
      std::min_element(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return a.cls < b.cls;
      })->cls;
  keep_if([&](const Candidate& c) { return c.cls == best_class; });

  // Step 4: compatibility, falling back to all when nothing is compatible.
  const auto compatible = [&req](const CapabilityInterval& i) {
    switch (req.kind) {
      case MatchKind::kStream:
      case MatchKind::kAiBatch:
        return (req.hint_pipeline.empty() || EqualsIgnoringCase(i.pipeline, req.hint_pipeline)) &&
               (req.hint_model.empty() || EqualsIgnoringCase(i.model, req.hint_model));
      case MatchKind::kByoc:
        return EqualsIgnoringCase(i.pipeline, req.capability) &&
               (req.worker_model.empty() || EqualsIgnoringCase(i.model, req.worker_model));
      case MatchKind::kIdentity:
        return true;
    }
    return true;
  };
  if (std::any_of(candidates.begin(), candidates.end(),
                  [&](const Candidate& c) { return compatible(*c.interval); })) {
    keep_if([&](const Candidate& c) { return compatible(*c.interval); });
  }

  // Step 5: the best identity type; order by (priority, valid_from descending, interval_id).
  const IdentityType best_type =
      std::min_element(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
        return a.type < b.type;
      })->type;
  keep_if([&](const Candidate& c) { return c.type == best_type; });
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.version->valid_from != b.version->valid_from)
      return a.version->valid_from > b.version->valid_from;
    return a.interval->interval_id < b.interval->interval_id;
  });

  // Step 6: ambiguity over surfaces (orch_address, lower(pipeline), lower(model)).
  std::set<std::tuple<std::string, std::string, std::string>> surfaces;
  for (const Candidate& c : candidates) {
    if (req.kind == MatchKind::kIdentity) {
      surfaces.emplace(c.chain->chain.key.orch_address, "", "");
    } else {
      surfaces.emplace(c.chain->chain.key.orch_address, ToLower(c.interval->pipeline),
                       ToLower(c.interval->model));
    }
  }
  if (surfaces.size() > 1) {
    d.status = "ambiguous";
    d.reason = "ambiguous_candidates";
    d.method = "ambiguous";
    d.confidence = "low";
    return d;
  }

  // Step 7: the first candidate, with the multi-GPU collapse.
  const Candidate& chosen = candidates.front();
  const CapabilityInterval& interval = *chosen.interval;
  d.capability_version_id = chosen.version->capability_version_id;
  d.attribution_snapshot_ts = chosen.version->valid_from;
  d.attributed_orch_address = chosen.chain->chain.key.orch_address;
  d.attributed_orch_uri = chosen.version->content->orch_uri;
  d.pipeline = interval.pipeline;
  d.model = interval.model;
  std::set<std::string_view> gpu_ids;
  bool all_full_hardware = true;
  for (const Candidate& c : candidates) {
    gpu_ids.insert(c.interval->gpu_id);
    all_full_hardware = all_full_hardware && c.interval->hardware_present &&
                        !c.interval->pipeline.empty() && !c.interval->model.empty();
  }
  const bool collapse = candidates.size() > 1 && all_full_hardware && gpu_ids.size() > 1;
  if (!collapse) {
    d.gpu_id = interval.gpu_id;
    d.gpu_model_name = interval.gpu_model_name;
    d.gpu_memory_bytes_total = interval.gpu_memory_bytes_total;
    d.runner_version = interval.runner_version;
  }

  // Step 8: outcome.
  d.method =
      std::string(IdentityName(chosen.type)) + "_interval_" + std::string(ClassName(chosen.cls));
  if (chosen.cls == TemporalClass::kStale) {
    d.status = "stale";
    d.reason = "stale_candidate";
    d.confidence = "medium";
  } else if (!interval.hardware_present) {
    d.status = "hardware_less";
    d.reason = "matched_without_hardware";
    d.confidence = "high";
  } else {
    d.status = "resolved";
    d.confidence = chosen.cls == TemporalClass::kFirstAfter ? "medium" : "high";
    switch (chosen.cls) {
      case TemporalClass::kExact:
        d.reason = "matched";
        break;
      case TemporalClass::kPrior:
        d.reason = "matched_prior";
        break;
      case TemporalClass::kFuture:
        d.reason = "future_skew";
        break;
      default:
        d.reason = "matched_first_snapshot";
        break;
    }
  }
  return d;
}

}  // namespace naap::resolve
