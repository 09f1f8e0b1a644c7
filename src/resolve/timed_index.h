#pragma once
// TimedIndex: key → the set of (ts, value) entries filed under it; the shape of the resolver's
// indexes that find entities by an observed identity or a lookup key at a time.
//
// Frozen hours (less memory, as HourlyFacts): Freeze(before) encodes the entries of every hour
// < before into one zstd frame per hour (kept in a FrameFile when one is given) and drops them;
// only a hash of each key stays in memory, with the hours it has entries in. Any change to an hour
// that is frozen, and any query of a key over a time range, thaws the frozen hours involved
// first; they stay thawed until the next Freeze. An hour is wholly thawed or wholly frozen, so
// results never depend on what is frozen. Not thread-safe (the resolver's thread only).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/status.h"
#include "base/time.h"
#include "resolve/fact_codec.h"
#include "resolve/hourly_facts.h"
#include "resolve/state_codec.h"

namespace naap::resolve {

template <typename Key, typename Value>
class TimedIndex {
 public:
  using Entry = std::pair<Millis, Value>;
  using Entries = std::set<Entry>;

  // Frames frozen from now on go to `file` (which must outlive this).
  void SpillTo(FrameFile* file) { spill_ = file; }

  void Insert(const Key& key, Millis ts, Value value) {
    Thaw(HourFloor(ts));
    live_[key].emplace(ts, std::move(value));
  }
  void Erase(const Key& key, Millis ts, const Value& value) {
    Thaw(HourFloor(ts));
    const auto it = live_.find(key);
    if (it == live_.end()) return;
    it->second.erase(Entry{ts, value});
    if (it->second.empty()) live_.erase(it);
  }

  // fn(ts, value) with each entry of `key` with ts in [from, to], in (ts, value) order.
  template <typename Fn>
  void ForEach(const Key& key, Millis from, Millis to, Fn&& fn) {
    for (const Millis hour : FrozenHoursOf(key, from, to)) Thaw(hour);
    const auto it = live_.find(key);
    if (it == live_.end()) return;
    for (auto e = it->second.lower_bound(Entry{from, Value{}});
         e != it->second.end() && e->first <= to; ++e) {
      fn(e->first, e->second);
    }
  }
  // The last entry of `key` with ts in [from, to], or nullptr. Thaws the key's frozen hours from
  // the newest down, and only those that could hold a later entry than the best one so far.
  const Entry* Last(const Key& key, Millis from, Millis to) {
    for (;;) {
      const Entry* best = nullptr;
      if (const auto it = live_.find(key); it != live_.end()) {
        auto e = to == std::numeric_limits<Millis>::max()
                     ? it->second.end()
                     : it->second.lower_bound(Entry{to + 1, Value{}});
        if (e != it->second.begin() && (--e)->first >= from) best = &*e;
      }
      const std::vector<Millis> hours =
          FrozenHoursOf(key, best == nullptr ? from : HourFloor(best->first) + kHourMs, to);
      if (hours.empty()) return best;
      Thaw(hours.back());
    }
  }

  // Freezes the entries of every hour < `before` (an hour boundary).
  void Freeze(Millis before) {
    // hour → the keys with entries in it, each with the range of those entries
    std::map<Millis, std::vector<std::pair<const Key*, std::pair<Iter, Iter>>>> hours;
    for (auto& [key, entries] : live_) {
      for (auto e = entries.begin(); e != entries.end() && e->first < before;) {
        const Millis hour = HourFloor(e->first);
        const auto end = entries.lower_bound(Entry{hour + kHourMs, Value{}});
        hours[hour].push_back({&key, {e, end}});
        e = end;
      }
    }
    for (const auto& [hour, keys] : hours) {
      std::string bytes;
      ByteWriter w(bytes);
      w.Varint(keys.size());
      for (const auto& [key, range] : keys) {
        state_codec::Put(w, *key);
        w.Varint(static_cast<uint64_t>(std::distance(range.first, range.second)));
        for (auto e = range.first; e != range.second; ++e) state_codec::Put(w, *e);
        AddFrozen(HashOf(*key), hour);
      }
      FrameFile::Ref ref{.bytes = Compress(bytes)};
      if (spill_ != nullptr) ref = spill_->Keep(std::move(ref.bytes));
      frozen_.emplace(hour, std::move(ref));
    }
    EraseLiveBefore(before);
  }

  // Retention: forgets every entry with ts < `before` (an hour boundary), frozen or not.
  void DropBefore(Millis before) {
    EraseLiveBefore(before);
    for (auto ref = frozen_.begin(); ref != frozen_.end() && ref->first < before;) {
      DecodeFrameOf(ref->first, ref->second,
                    [&](Key key, Entries) { RemoveFrozen(HashOf(key), ref->first); });
      if (spill_ != nullptr) spill_->Release(ref->second);
      ref = frozen_.erase(ref);
    }
  }

  size_t frozen_hours() const { return frozen_.size(); }

  // For the resolver's checkpoint (Resolver::SaveState): writes every key's thawed entries and
  // every frozen hour's frame as elements of index `id` of `parts`.
  template <typename Parts>
  Status EncodeSettled(uint64_t id, Parts& parts) const {
    struct Element {
      const std::pair<const Key, Entries>* thawed = nullptr;
      const std::pair<const Millis, FrameFile::Ref>* frozen = nullptr;
    };
    std::vector<Element> elements;
    elements.reserve(live_.size() + frozen_.size());
    for (const auto& thawed : live_) elements.push_back({.thawed = &thawed});
    for (const auto& frozen : frozen_) elements.push_back({.frozen = &frozen});
    bool read = true;
    std::string frame;
    NAAP_RETURN_IF_ERROR(parts.Write(id, elements, [&](ByteWriter& w, const Element& e) {
      w.Bool(e.frozen != nullptr);
      if (e.thawed != nullptr) return state_codec::Put(w, *e.thawed);
      const FrameFile::Ref& ref = e.frozen->second;
      read = read && (ref.offset < 0 || spill_->Read(ref, frame));
      w.Int(e.frozen->first);
      w.String(ref.offset < 0 ? ref.bytes : frame);
    }));
    return read ? Status::Ok()
                : Status(StatusCode::kInternal, "a frozen index frame cannot be read back");
  }
  // Reads `n` elements EncodeSettled wrote into an index holding none of them.
  bool DecodeSettled(ByteReader& r, uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) {
      bool frozen = false;
      if (!r.Bool(frozen)) return false;
      if (!frozen) {
        std::pair<Key, Entries> thawed;
        if (!state_codec::Get(r, thawed) || thawed.second.empty()) return false;
        live_[std::move(thawed.first)].merge(thawed.second);
        continue;
      }
      Millis hour = 0;
      FrameFile::Ref ref;
      if (!r.Int(hour) || !r.String(ref.bytes) || frozen_.contains(hour)) return false;
      std::vector<uint64_t> hashes;
      if (!DecodeFrame(ref.bytes, [&](Key key, Entries) { hashes.push_back(HashOf(key)); })) {
        return false;
      }
      for (const uint64_t hash : hashes) AddFrozen(hash, hour);
      if (spill_ != nullptr) ref = spill_->Keep(std::move(ref.bytes));
      frozen_.emplace(hour, std::move(ref));
    }
    return true;
  }

 private:
  using Iter = typename Entries::const_iterator;

  // A hash of the key's encoding: stable for as long as the build (checkpoints are build-bound).
  static uint64_t HashOf(const Key& key) {
    thread_local std::string bytes;
    bytes.clear();
    ByteWriter w(bytes);
    state_codec::Put(w, key);
    return std::hash<std::string_view>{}(bytes);
  }

  // The frozen hours in [from, to] (an entry's hour may start before `from`) that hold entries of
  // `key` (or of a key with the same hash), ascending.
  std::vector<Millis> FrozenHoursOf(const Key& key, Millis from, Millis to) const {
    if (frozen_.empty()) return {};
    const auto it = frozen_hours_.find(HashOf(key));
    if (it == frozen_hours_.end()) return {};
    const std::vector<Millis>& hours = it->second;
    const auto first = std::upper_bound(hours.begin(), hours.end(), from,
                                        [](Millis t, Millis h) { return t < h + kHourMs; });
    const auto last = std::upper_bound(first, hours.end(), to);
    return {first, last};
  }
  void AddFrozen(uint64_t hash, Millis hour) {
    std::vector<Millis>& hours = frozen_hours_[hash];
    const auto at = std::lower_bound(hours.begin(), hours.end(), hour);
    if (at == hours.end() || *at != hour) hours.insert(at, hour);
  }
  void RemoveFrozen(uint64_t hash, Millis hour) {
    const auto it = frozen_hours_.find(hash);
    if (it == frozen_hours_.end()) return;
    std::erase(it->second, hour);
    if (it->second.empty()) frozen_hours_.erase(it);
  }

  // Reads a frame Freeze made: on_key(key, entries) for each key in it. False when it does not
  // decode (on_key may have taken the keys before the fault).
  template <typename OnKey>
  static bool DecodeFrame(std::string_view frame, OnKey on_key) {
    std::string bytes;
    if (!Decompress(frame, bytes)) return false;
    ByteReader r(bytes);
    uint64_t keys = 0;
    if (!r.Varint(keys)) return false;
    for (uint64_t k = 0; k < keys; ++k) {
      Key key;
      uint64_t n = 0;
      if (!state_codec::Get(r, key) || !r.Varint(n)) return false;
      Entries entries;
      for (uint64_t i = 0; i < n; ++i) {
        Entry e;
        if (!state_codec::Get(r, e)) return false;
        entries.insert(entries.end(), std::move(e));
      }
      on_key(std::move(key), std::move(entries));
    }
    return r.done();
  }
  // DecodeFrame of a frozen hour's frame, wherever it is kept; aborts when it cannot be read back
  // or decoded (Freeze wrote it: only a bug or a lost file).
  template <typename OnKey>
  void DecodeFrameOf(Millis hour, const FrameFile::Ref& ref, OnKey on_key) const {
    std::string frame;
    const bool read = ref.offset < 0 || spill_->Read(ref, frame);
    if (read && DecodeFrame(ref.offset < 0 ? ref.bytes : frame, on_key)) return;
    std::fprintf(stderr, "naap: frozen index entries of hour %lld %s\n",
                 static_cast<long long>(hour),
                 read ? "do not decode" : "cannot be read back from the temporary file");
    std::abort();
  }

  // Erases the thawed entries with ts < `before`, and the keys left without entries.
  void EraseLiveBefore(Millis before) {
    for (auto it = live_.begin(); it != live_.end();) {
      Entries& entries = it->second;
      entries.erase(entries.begin(), entries.lower_bound(Entry{before, Value{}}));
      it = entries.empty() ? live_.erase(it) : std::next(it);
    }
  }

  // Decodes the frozen entries of `hour` back into live_.
  void Thaw(Millis hour) {
    const auto ref = frozen_.find(hour);
    if (ref == frozen_.end()) return;
    DecodeFrameOf(hour, ref->second, [&](Key key, Entries entries) {
      RemoveFrozen(HashOf(key), hour);
      live_[std::move(key)].merge(entries);
    });
    if (spill_ != nullptr) spill_->Release(ref->second);
    frozen_.erase(ref);
  }

  std::map<Key, Entries> live_;              // the entries of thawed hours; no key without entries
  std::map<Millis, FrameFile::Ref> frozen_;  // hour → frame: (key count, then each key, n, entries)
  // Key hash → the frozen hours with its entries, ascending.
  std::unordered_map<uint64_t, std::vector<Millis>> frozen_hours_;
  FrameFile* spill_ = nullptr;
};

}  // namespace naap::resolve
