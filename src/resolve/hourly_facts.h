#pragma once
// HourlyFacts: the resolver's facts of one kind (sessions, payments, jobs, workers, auth, BYOC
// payments, discovery rows) by key, each in one hour, with the per-hour index in key order.
//
// Frozen hours (less memory): Freeze(before) encodes the facts of every hour < before
// (fact_codec.h) into one zstd frame per hour and drops them; each key keeps only its hour. Any
// access to a fact of a frozen hour (Find, At, a Put to its key or into its hour) thaws the whole
// hour first, and it stays thawed until the next Freeze. Callers therefore see the same facts
// whether or not hours were frozen: freezing changes memory and time, never results.
//
// Pointers returned by Find and At stay valid until the next Freeze (a Put or Set of the same key
// changes the fact they point to). Find and At may run on several threads at once (thawing
// holds a mutex); the other members need exclusive access.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/time.h"
#include "resolve/fact_codec.h"

namespace naap::resolve {

// (org, hour) slices whose inputs changed.
using ChangedSlices = std::set<std::pair<std::string, Millis>>;

template <typename Key, typename Fact, typename Hash>
class HourlyFacts {
 public:
  // Sets the fact of `key`. When it differs from the previous one, adds the old and new hour to
  // `changed` and returns true.
  bool Put(const Key& key, Millis hour, Fact fact, const std::string& org, ChangedSlices& changed) {
    std::lock_guard lock(mu_);
    if (const Slot* slot = FindLocked(key)) {
      if (slot->hour == hour && *slot->fact == fact) return false;
      changed.emplace(org, slot->hour);
    }
    changed.emplace(org, hour);
    SetLocked(key, hour, std::move(fact));
    return true;
  }
  // Sets the fact of `key` without comparing it (the caller has).
  void Set(const Key& key, Millis hour, Fact fact) {
    std::lock_guard lock(mu_);
    SetLocked(key, hour, std::move(fact));
  }

  template <typename K>
  const Fact* Find(const K& key) const {
    std::lock_guard lock(mu_);
    const Slot* slot = FindLocked(key);
    return slot == nullptr ? nullptr : slot->fact.get();
  }
  // Find for a caller that changes the fact in place and restores it (exclusive access only).
  Fact* FindMutable(const Key& key) {
    std::lock_guard lock(mu_);
    const Slot* slot = FindLocked(key);
    return slot == nullptr ? nullptr : slot->fact.get();
  }

  std::vector<const Fact*> At(Millis hour) const {
    std::lock_guard lock(mu_);
    std::vector<const Fact*> out;
    const auto entries = by_hour_.find(hour);
    if (entries == by_hour_.end()) return out;
    ThawLocked(hour);
    out.reserve(entries->second.size());
    for (const auto& [key, slot] : entries->second) out.push_back(slot->fact.get());
    return out;
  }

  void Freeze(Millis before) {
    std::lock_guard lock(mu_);
    std::string bytes;
    for (const auto& [hour, entries] : by_hour_) {
      if (hour >= before) break;
      if (frozen_.contains(hour)) continue;
      bytes.clear();
      ByteWriter w(bytes);
      for (const auto& [key, slot] : entries) EncodeFact(w, *slot->fact);
      frozen_.emplace(hour, Compress(bytes));
      for (const auto& [key, slot] : entries) slot->fact.reset();
    }
  }

  size_t frozen_hours() const {
    std::lock_guard lock(mu_);
    return frozen_.size();
  }

 private:
  struct Slot {
    Millis hour = 0;
    std::unique_ptr<Fact> fact;  // nullptr while the hour is frozen
  };
  // (key, slot) of a fact in facts_: two pointers per fact, no copy of its key.
  using Entry = std::pair<const Key*, Slot*>;

  static typename std::vector<Entry>::iterator Position(std::vector<Entry>& entries,
                                                        const Key& key) {
    return std::lower_bound(entries.begin(), entries.end(), key,
                            [](const Entry& e, const Key& k) { return *e.first < k; });
  }
  void Insert(Millis hour, Entry entry) {
    std::vector<Entry>& entries = by_hour_[hour];
    entries.insert(Position(entries, *entry.first), entry);
  }
  void Erase(Millis hour, const Key& key) {
    const auto entries = by_hour_.find(hour);
    entries->second.erase(Position(entries->second, key));
    if (entries->second.empty()) by_hour_.erase(entries);
  }

  // The slot of `key` with its hour thawed; nullptr when unknown.
  template <typename K>
  const Slot* FindLocked(const K& key) const {
    const auto it = facts_.find(key);
    if (it == facts_.end()) return nullptr;
    ThawLocked(it->second.hour);
    return &it->second;
  }
  void SetLocked(const Key& key, Millis hour, Fact fact) {
    ThawLocked(hour);
    auto it = facts_.find(key);
    if (it == facts_.end()) {
      it = facts_.emplace(key, Slot{hour, std::make_unique<Fact>(std::move(fact))}).first;
      Insert(hour, {&it->first, &it->second});
      return;
    }
    Slot& slot = it->second;
    ThawLocked(slot.hour);
    if (slot.hour != hour) {
      Erase(slot.hour, key);
      Insert(hour, {&it->first, &slot});
      slot.hour = hour;
    }
    *slot.fact = std::move(fact);
  }

  // Decodes the frozen facts of `hour` back into their slots, in the order they were encoded.
  void ThawLocked(Millis hour) const {
    const auto frame = frozen_.find(hour);
    if (frame == frozen_.end()) return;
    std::string bytes;
    bool ok = Decompress(frame->second, bytes);
    ByteReader r(bytes);
    for (const auto& [key, slot] : by_hour_.find(hour)->second) {
      auto fact = std::make_unique<Fact>();
      ok = ok && DecodeFact(r, *fact);
      slot->fact = std::move(fact);
    }
    if (!ok || !r.done()) {  // the frame was written by Freeze above: only a bug gets here
      std::fprintf(stderr, "naap: frozen facts of hour %lld do not decode\n",
                   static_cast<long long>(hour));
      std::abort();
    }
    frozen_.erase(frame);
  }

  mutable std::mutex mu_;
  // Hashed: found once per rebuilt fact. Nodes never move, so the pointers below stay valid.
  std::unordered_map<Key, Slot, Hash, std::equal_to<>> facts_;
  // The facts of each hour, sorted by key; frozen hours keep their entries.
  std::map<Millis, std::vector<Entry>> by_hour_;
  mutable std::map<Millis, std::string> frozen_;  // hour → zstd frame of its facts, in entry order
};

}  // namespace naap::resolve
