#pragma once
// HourlyFacts: the resolver's facts of one kind (sessions, payments, jobs, workers, auth, BYOC
// payments, discovery rows, LLM facts, named workers) by key, each in one hour, with the per-hour
// index in key order.
//
// Frozen hours (less memory): Freeze(before) encodes the keys and facts of every hour < before
// (fact_codec.h) into one zstd frame per hour and drops them; only a hash of each key stays, with
// its hour (FrozenKeyHours). The frames stay in memory, or go to a FrameFile when one is given
// (SpillTo). Any access to a fact of a frozen hour (Find, At, a Put to its key or into its hour)
// thaws the whole hour first, and it stays thawed until the next Freeze. Callers therefore see
// the same facts whether or not hours were frozen: freezing changes memory and time, never
// results.
//
// Pointers returned by Find and At stay valid until the next Freeze (a Put or Set of the same key
// changes the fact they point to). Find and At may run on several threads at once (thawing
// holds a mutex); the other members need exclusive access.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/temp_file.h"
#include "base/time.h"
#include "resolve/fact_codec.h"

namespace naap::resolve {

// (org, hour) slices whose inputs changed.
using ChangedSlices = std::set<std::pair<std::string, Millis>>;

// The hours of the keys of frozen hours, by a 64-bit hash of the key. A slot keeps 40 bits folded
// from the hash, with the hour: keys whose hashes fold alike share entries, so a look-up yields
// every hour stored under its folded hash and the caller checks those hours. Open addressing with
// linear probing, 8 B a slot, at most 3/4 full (removed slots counted). Hours from 1970 to 3883
// (event times are 2015 … ingest time + 24 h, spec/events.md §3).
class FrozenKeyHours {
 public:
  void Add(uint64_t hash, Millis hour);
  // Removes one entry (hash, hour), which must be held.
  void Remove(uint64_t hash, Millis hour);
  // Removes every entry of an hour < `hour`.
  void RemoveBefore(Millis hour);
  // The hours held under `hash`.
  std::vector<Millis> HoursOf(uint64_t hash) const;
  size_t size() const { return size_; }

 private:
  // slots_[i]: Fold(hash) << 24 | the hour's number since the epoch + 2; number 0 empty, 1 removed.
  static constexpr uint64_t kEmpty = 0, kRemoved = 1, kNumberMask = (uint64_t{1} << 24) - 1;
  static uint64_t Fold(uint64_t hash) { return (hash ^ (hash >> 24)) & ((uint64_t{1} << 40) - 1); }
  static uint64_t Number(Millis hour) { return static_cast<uint64_t>(hour / kHourMs + 2); }
  static uint64_t NumberOf(uint64_t slot) { return slot & kNumberMask; }
  void Grow();
  std::vector<uint64_t> slots_;
  size_t size_ = 0, removed_ = 0;
};

// Frames of frozen hours kept out of memory: written to an unnamed temporary file
// (base/temp_file.h) and read back by position. A frame the file cannot
// take (no file, disk full) stays in memory instead. Thread-safe.
class FrameFile {
 public:
  // A kept frame: in the file at [offset, offset + size) when offset >= 0, else `bytes`. The
  // frame's extent of the file is [offset, offset + capacity).
  struct Ref {
    int64_t offset = -1;
    size_t size = 0;
    size_t capacity = 0;
    std::string bytes;
  };
  FrameFile() : file_(TempFile::Create()) {}
  FrameFile(const FrameFile&) = delete;
  FrameFile& operator=(const FrameFile&) = delete;

  // Writes `frame` into `reuse`'s extent when it fits there (an hour frozen again mostly encodes
  // to the same bytes), else at the end of the file.
  Ref Keep(std::string frame, const Ref* reuse = nullptr);
  // The frame of `ref`; false when the file cannot return it.
  bool Read(const Ref& ref, std::string& frame) const;
  // Gives the disk space of `ref`'s extent back (best effort); the ref must not be read again.
  void Release(const Ref& ref);
  int64_t file_bytes() const;

 private:
  mutable std::mutex mu_;
  TempFile file_;
  int64_t end_ = 0;
};

template <typename Key, typename Fact, typename Hash>
class HourlyFacts {
 public:
  // Frames frozen from now on go to `file` (which must outlive this).
  void SpillTo(FrameFile* file) {
    std::lock_guard lock(mu_);
    spill_ = file;
  }

  // Sets the fact of `key`. When it differs from the previous one, adds the old and new hour to
  // `changed` and returns true.
  bool Put(const Key& key, Millis hour, Fact fact, const std::string& org, ChangedSlices& changed) {
    std::lock_guard lock(mu_);
    if (const Stored* stored = FindLocked(key)) {
      const Slot& slot = stored->second;
      if (slot.hour == hour && slot.fact == fact) return false;
      changed.emplace(org, slot.hour);
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
    const Stored* stored = FindLocked(key);
    return stored == nullptr ? nullptr : &stored->second.fact;
  }
  // Find for a caller that changes the fact in place and restores it (exclusive access only).
  Fact* FindMutable(const Key& key) {
    std::lock_guard lock(mu_);
    Stored* stored = FindLocked(key);
    return stored == nullptr ? nullptr : &stored->second.fact;
  }

  std::vector<const Fact*> At(Millis hour) const {
    std::lock_guard lock(mu_);
    std::vector<const Fact*> out;
    ThawLocked(hour);
    const auto entries = by_hour_.find(hour);
    if (entries == by_hour_.end()) return out;
    out.reserve(entries->second.entries.size());
    for (const auto& [key, slot] : entries->second.Sorted()) out.push_back(&slot->fact);
    return out;
  }

  void Freeze(Millis before) {
    std::lock_guard lock(mu_);
    for (auto hour = by_hour_.begin(); hour != by_hour_.end() && hour->first < before;) {
      const std::vector<Entry>& entries = hour->second.Sorted();
      FrameFile::Ref ref{.bytes = EncodeFrame(entries)};
      if (spill_ != nullptr) {
        const auto extent = released_.find(hour->first);
        ref = spill_->Keep(std::move(ref.bytes),
                           extent == released_.end() ? nullptr : &extent->second);
        if (extent != released_.end()) released_.erase(extent);
      }
      frozen_.emplace(hour->first, std::move(ref));
      for (const auto& [key, slot] : entries) {
        frozen_keys_.Add(Hash{}(*key), hour->first);
        facts_.erase(facts_.find(*key));
      }
      hour = by_hour_.erase(hour);
    }
  }

  // For the resolver's checkpoint: calls fn(hour, frame) with the frame of every hour, frozen or
  // not, in hour order, as Freeze makes it; thaws nothing. False when a frozen frame cannot be
  // read back from the file.
  template <typename Fn>
  bool ForEachFrame(Fn&& fn) const {
    std::lock_guard lock(mu_);
    auto thawed = by_hour_.begin();
    auto frozen = frozen_.begin();
    std::string frame;
    while (thawed != by_hour_.end() || frozen != frozen_.end()) {
      if (frozen == frozen_.end() || (thawed != by_hour_.end() && thawed->first < frozen->first)) {
        fn(thawed->first, EncodeFrame(thawed->second.Sorted()));
        ++thawed;
        continue;
      }
      const FrameFile::Ref& ref = frozen->second;
      if (ref.offset >= 0 && !spill_->Read(ref, frame)) return false;
      fn(frozen->first, ref.offset >= 0 ? frame : ref.bytes);
      ++frozen;
    }
    return true;
  }
  // Takes the frame of an hour (from ForEachFrame) as a frozen hour, into facts that hold nothing
  // of that hour. False when the frame does not decode.
  bool LoadFrame(Millis hour, std::string frame) {
    std::lock_guard lock(mu_);
    std::vector<uint64_t> hashes;
    const bool decoded = DecodeFrame(
        frame, [&](size_t n) { hashes.reserve(n); },
        [&](Key key, Fact) { hashes.push_back(Hash{}(key)); });
    if (!decoded || by_hour_.contains(hour) || frozen_.contains(hour)) return false;
    for (const uint64_t hash : hashes) frozen_keys_.Add(hash, hour);
    FrameFile::Ref ref{.bytes = std::move(frame)};
    if (spill_ != nullptr) ref = spill_->Keep(std::move(ref.bytes));
    frozen_.emplace(hour, std::move(ref));
    return true;
  }

  // Retention (spec/analytics.md §7.3): forgets every fact of an hour < `before`, frozen or not.
  // Marks no slice changed.
  void DropBefore(Millis before) {
    std::lock_guard lock(mu_);
    for (auto hour = by_hour_.begin(); hour != by_hour_.end() && hour->first < before;) {
      for (const auto& [key, slot] : hour->second.entries) facts_.erase(facts_.find(*key));
      hour = by_hour_.erase(hour);
    }
    for (auto* frames : {&frozen_, &released_}) {
      for (auto ref = frames->begin(); ref != frames->end() && ref->first < before;) {
        if (spill_ != nullptr) spill_->Release(ref->second);
        ref = frames->erase(ref);
      }
    }
    frozen_keys_.RemoveBefore(before);
  }

  size_t frozen_hours() const {
    std::lock_guard lock(mu_);
    return frozen_.size();
  }

 private:
  struct Slot {
    Millis hour = 0;
    Fact fact;
  };
  using Stored = std::pair<const Key, Slot>;  // an element of facts_
  // (key, slot) of a fact in facts_: two pointers per fact, no copy of its key.
  using Entry = std::pair<const Key*, Slot*>;
  // The entries of one hour. New ones are appended and put in key order when the hour is read,
  // so filling an hour costs O(n log n), not O(n²) (payments arrive in random key order).
  struct HourEntries {
    std::vector<Entry> entries;
    size_t sorted = 0;  // entries[0, sorted) are in key order
    const std::vector<Entry>& Sorted() {
      if (sorted == entries.size()) return entries;
      const auto by_key = [](const Entry& a, const Entry& b) { return *a.first < *b.first; };
      const auto tail = entries.begin() + static_cast<std::ptrdiff_t>(sorted);
      std::sort(tail, entries.end(), by_key);
      std::inplace_merge(entries.begin(), tail, entries.end(), by_key);
      sorted = entries.size();
      return entries;
    }
  };

  // The zstd frame of an hour's entries (in key order): their count, then each key and fact.
  static std::string EncodeFrame(const std::vector<Entry>& entries) {
    std::string bytes;
    ByteWriter w(bytes);
    w.Varint(entries.size());
    for (const auto& [key, slot] : entries) {
      EncodeKey(w, *key);
      EncodeFact(w, slot->fact);
    }
    return Compress(bytes);
  }
  // Reads a frame EncodeFrame made: on_count(n) with at most its entry count, then
  // on_entry(key, fact) for each entry in order. False when it does not decode (on_entry may
  // have taken the entries before the fault).
  template <typename OnCount, typename OnEntry>
  static bool DecodeFrame(std::string_view frame, OnCount on_count, OnEntry on_entry) {
    std::string bytes;
    if (!Decompress(frame, bytes)) return false;
    ByteReader r(bytes);
    uint64_t n = 0;
    if (!r.Varint(n)) return false;
    on_count(static_cast<size_t>(std::min<uint64_t>(n, bytes.size())));  // bounded: bytes may lie
    for (uint64_t i = 0; i < n; ++i) {
      Key key;
      Fact fact;
      if (!DecodeKey(r, key) || !DecodeFact(r, fact)) return false;
      on_entry(std::move(key), std::move(fact));
    }
    return r.done();
  }

  void Insert(Millis hour, Entry entry) { by_hour_[hour].entries.push_back(entry); }
  void Erase(Millis hour, const Key& key) {
    const auto hour_entries = by_hour_.find(hour);
    HourEntries& h = hour_entries->second;
    h.Sorted();
    h.entries.erase(std::lower_bound(h.entries.begin(), h.entries.end(), key,
                                     [](const Entry& e, const Key& k) { return *e.first < k; }));
    h.sorted = h.entries.size();
    if (h.entries.empty()) by_hour_.erase(hour_entries);
  }

  // The key and slot of `key`, its hour thawed first when frozen; nullptr when unknown.
  template <typename K>
  Stored* FindLocked(const K& key) const {
    auto it = facts_.find(key);
    if (it == facts_.end() && frozen_keys_.size() > 0) {
      const std::vector<Millis> hours = frozen_keys_.HoursOf(Hash{}(key));
      if (hours.empty()) return nullptr;
      for (Millis hour : hours) ThawLocked(hour);
      it = facts_.find(key);
    }
    return it == facts_.end() ? nullptr : &*it;
  }
  void SetLocked(const Key& key, Millis hour, Fact fact) {
    ThawLocked(hour);
    Stored* stored = FindLocked(key);
    if (stored == nullptr) {
      stored = &*facts_.emplace(key, Slot{hour, std::move(fact)}).first;
      Insert(hour, {&stored->first, &stored->second});
      return;
    }
    Slot& slot = stored->second;
    if (slot.hour != hour) {
      Erase(slot.hour, key);
      Insert(hour, {&stored->first, &slot});
      slot.hour = hour;
    }
    slot.fact = std::move(fact);
  }

  // Decodes the frozen keys and facts of `hour` back into facts_ and by_hour_.
  void ThawLocked(Millis hour) const {
    const auto ref = frozen_.find(hour);
    if (ref == frozen_.end()) return;
    std::string frame;
    const bool read = ref->second.offset < 0 || spill_->Read(ref->second, frame);
    HourEntries& thawed = by_hour_[hour];
    std::vector<Entry>& entries = thawed.entries;
    const bool ok =
        read &&
        DecodeFrame(
            ref->second.offset < 0 ? ref->second.bytes : frame,
            [&](size_t n) { entries.reserve(n); },
            [&](Key key, Fact fact) {
              frozen_keys_.Remove(Hash{}(key), hour);
              const auto it = facts_.emplace(std::move(key), Slot{hour, std::move(fact)}).first;
              entries.push_back({&it->first, &it->second});  // encoded in key order
            });
    thawed.sorted = entries.size();
    if (!ok) {  // the frame was written by Freeze above: only a bug or a lost file
      std::fprintf(stderr, "naap: frozen facts of hour %lld %s\n", static_cast<long long>(hour),
                   read ? "do not decode" : "cannot be read back from the temporary file");
      std::abort();
    }
    if (ref->second.offset >= 0) released_.emplace(hour, std::move(ref->second));
    frozen_.erase(ref);
  }

  mutable std::mutex mu_;
  // The facts of thawed hours. Hashed: found once per rebuilt fact. Nodes never move, so the
  // pointers below stay valid until their hour freezes.
  mutable std::unordered_map<Key, Slot, Hash, std::equal_to<>> facts_;
  // The facts of each thawed hour.
  mutable std::map<Millis, HourEntries> by_hour_;
  // Frozen hours: hour → zstd frame of (count, then key and fact of each in key order).
  mutable std::map<Millis, FrameFile::Ref> frozen_;
  // The file extents of thawed hours, reused when the hour freezes again (so reads of old hours
  // do not grow the file at every settling).
  mutable std::map<Millis, FrameFile::Ref> released_;
  mutable FrozenKeyHours frozen_keys_;
  FrameFile* spill_ = nullptr;
};

}  // namespace naap::resolve
