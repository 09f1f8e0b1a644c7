// TimedIndex (timed_index.h): the same answers as a plain map of sets, however its hours were
// frozen, thawed, dropped or carried through a checkpoint.
#include "resolve/timed_index.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace naap::resolve {
namespace {

using Index = TimedIndex<std::string, std::string>;
using Model = std::map<std::string, std::set<std::pair<Millis, std::string>>>;
constexpr Millis kT0 = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

// Collects what EncodeSettled writes, as Resolver::SaveState's index parts do (one part here).
struct OnePart {
  std::string bytes;
  uint64_t count = 0;
  template <typename Range, typename PutFn>
  Status Write(uint64_t, const Range& elements, PutFn put) {
    ByteWriter w(bytes);
    for (const auto& element : elements) {
      put(w, element);
      ++count;
    }
    return Status::Ok();
  }
};

std::vector<std::pair<Millis, std::string>> Query(Index& index, const std::string& key, Millis from,
                                                  Millis to) {
  std::vector<std::pair<Millis, std::string>> out;
  index.ForEach(key, from, to, [&](Millis ts, const std::string& v) { out.emplace_back(ts, v); });
  return out;
}

std::vector<std::pair<Millis, std::string>> Query(const Model& model, const std::string& key,
                                                  Millis from, Millis to) {
  std::vector<std::pair<Millis, std::string>> out;
  const auto it = model.find(key);
  if (it == model.end()) return out;
  for (const auto& e : it->second) {
    if (e.first >= from && e.first <= to) out.push_back(e);
  }
  return out;
}

const std::pair<Millis, std::string>* Last(const Model& model, const std::string& key, Millis from,
                                           Millis to) {
  const auto it = model.find(key);
  if (it == model.end()) return nullptr;
  const std::pair<Millis, std::string>* last = nullptr;
  for (const auto& e : it->second) {
    if (e.first >= from && e.first <= to) last = &e;
  }
  return last;
}

Index Reloaded(const Index& index, FrameFile* spill) {
  OnePart part;
  EXPECT_TRUE(index.EncodeSettled(0, part).ok());
  Index copy;
  copy.SpillTo(spill);
  ByteReader r(part.bytes);
  EXPECT_TRUE(copy.DecodeSettled(r, part.count));
  EXPECT_TRUE(r.done());
  return copy;
}

// Random inserts, erases, queries, freezes, retention cuts and checkpoint round trips over two
// days, each answer compared with the plain model's.
void RunAgainstModel(FrameFile* spill, uint32_t seed) {
  std::mt19937 rng(seed);
  Index index;
  index.SpillTo(spill);
  Model model;
  Millis dropped_before = kT0;
  const auto key = [&] {
    // a few keys with entries in every hour (identities), many with one or two (request ids)
    return (rng() % 2 == 0) ? "id" + std::to_string(rng() % 4)
                            : "req" + std::to_string(rng() % 400);
  };
  const auto ts = [&] { return kT0 + static_cast<Millis>(rng() % (48 * kHourMs)); };
  size_t froze = 0, queries_with_entries = 0;
  for (int step = 0; step < 20000; ++step) {
    const uint32_t op = rng() % 100;
    if (op < 50) {
      const std::string k = key();
      const Millis t = std::max(ts(), dropped_before);
      const std::string v = "e" + std::to_string(rng() % 1000);
      index.Insert(k, t, v);
      model[k].emplace(t, v);
    } else if (op < 60) {
      const std::string k = key();
      auto it = model.find(k);
      if (it == model.end() || it->second.empty()) continue;
      auto e = std::next(it->second.begin(), static_cast<long>(rng() % it->second.size()));
      index.Erase(k, e->first, e->second);
      it->second.erase(e);
    } else if (op < 80) {
      const std::string k = key();
      const Millis from = ts() - static_cast<Millis>(rng() % (6 * kHourMs));
      const Millis to = from + static_cast<Millis>(rng() % (12 * kHourMs));
      const auto expected = Query(model, k, from, to);
      queries_with_entries += !expected.empty();
      ASSERT_EQ(Query(index, k, from, to), expected) << "step " << step;
    } else if (op < 90) {
      const std::string k = key();
      const Millis to = ts();
      const Millis from = to - static_cast<Millis>(rng() % (30 * kHourMs));
      const auto* expected = Last(model, k, from, to);
      const auto* got = index.Last(k, from, to);
      ASSERT_EQ(got == nullptr, expected == nullptr) << "step " << step;
      if (got != nullptr) {
        ASSERT_EQ(*got, *expected) << "step " << step;
      }
    } else if (op < 97) {
      index.Freeze(HourFloor(ts()));
      froze += index.frozen_hours() > 0;
    } else if (op < 98) {
      dropped_before = std::max(dropped_before, HourFloor(ts() - 24 * kHourMs));
      index.DropBefore(dropped_before);
      for (auto& [k, entries] : model) {
        std::erase_if(entries, [&](const auto& e) { return e.first < dropped_before; });
      }
    } else {
      index = Reloaded(index, spill);
    }
  }
  // Whole-range answers at the end, frozen as much as possible first.
  index.Freeze(kT0 + 49 * kHourMs);
  for (const auto& [k, entries] : model) {
    ASSERT_EQ(
        Query(index, k, std::numeric_limits<Millis>::min(), std::numeric_limits<Millis>::max()),
        std::vector(entries.begin(), entries.end()));
  }
  EXPECT_GT(froze, 100u);  // the comparison ran with frozen hours
  EXPECT_GT(queries_with_entries, 1000u);
}

TEST(TimedIndexTest, AnswersAsAPlainMapWhateverIsFrozen) { RunAgainstModel(nullptr, 1); }

TEST(TimedIndexTest, AnswersAsAPlainMapWithFramesInAFile) {
  FrameFile file;
  RunAgainstModel(&file, 2);
}

TEST(TimedIndexTest, AQueryThawsOnlyTheHoursItNeeds) {
  Index index;
  for (int h = 0; h < 24; ++h) {
    index.Insert("id", kT0 + h * kHourMs + 5, "w" + std::to_string(h));
    index.Insert("other", kT0 + h * kHourMs + 7, "x");
  }
  index.Freeze(kT0 + 24 * kHourMs);
  EXPECT_EQ(index.frozen_hours(), 24u);
  // The latest entry at the day's end: one hour thawed, the newest.
  const auto* last = index.Last("id", kT0, kT0 + 24 * kHourMs);
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->second, "w23");
  EXPECT_EQ(index.frozen_hours(), 23u);
  // A range of three hours thaws those three (one of them already thawed).
  EXPECT_EQ(Query(index, "id", kT0 + 20 * kHourMs, kT0 + 22 * kHourMs + 5).size(), 3u);
  EXPECT_EQ(index.frozen_hours(), 20u);
  // A key that is nowhere thaws nothing.
  EXPECT_TRUE(Query(index, "nobody", kT0, kT0 + 24 * kHourMs).empty());
  EXPECT_EQ(index.frozen_hours(), 20u);
  // A write into a frozen hour thaws it first, so the hour is never split.
  index.Insert("new", kT0 + 5, "y");
  EXPECT_EQ(index.frozen_hours(), 19u);
  EXPECT_EQ(Query(index, "id", kT0, kT0 + kHourMs - 1).size(), 1u);
  // Retention drops frozen hours too.
  index.DropBefore(kT0 + 10 * kHourMs);
  EXPECT_TRUE(Query(index, "id", kT0, kT0 + 10 * kHourMs - 1).empty());
  EXPECT_EQ(Query(index, "id", kT0, kT0 + 24 * kHourMs).size(), 14u);
}

TEST(TimedIndexTest, ACorruptCheckpointElementIsRefused) {
  Index index;
  index.Insert("id", kT0, "a");
  index.Insert("id", kT0 + 2 * kHourMs, "b");
  index.Freeze(kT0 + kHourMs);
  OnePart part;
  ASSERT_TRUE(index.EncodeSettled(0, part).ok());
  ASSERT_EQ(part.count, 2u);  // one thawed key, one frozen hour
  for (size_t cut = 0; cut < part.bytes.size(); ++cut) {
    Index copy;
    ByteReader r(std::string_view(part.bytes).substr(0, cut));
    EXPECT_FALSE(copy.DecodeSettled(r, part.count) && r.done()) << cut;
  }
  std::string flipped = part.bytes;
  const size_t magic = flipped.find("\x28\xb5\x2f\xfd");  // the frozen hour's zstd frame
  ASSERT_NE(magic, std::string::npos);
  flipped[magic] ^= 0x55;
  Index copy;
  ByteReader r(flipped);
  EXPECT_FALSE(copy.DecodeSettled(r, part.count));
}

}  // namespace
}  // namespace naap::resolve
