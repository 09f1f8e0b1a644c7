#include "publish/publisher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "resolve/capability_registry.h"
#include "resolve/facts_view_test_util.h"
#include "store/store.h"

namespace naap::publish {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Millis kDay0 = 1'767'830'400'000;  // 2026-01-08T00:00:00Z
constexpr Millis kH = kHourMs;

// The fake facts: one value per (org, hour); the fake tables below are functions of it.
struct World final : resolve::testing::NoFacts {
  std::map<std::pair<std::string, Millis>, std::string> values;
  std::vector<std::pair<std::string, Millis>> built;  // "scored" slices built, in order
  int memo_builds = 0;                                // MemoBenchTable's derivations

  std::vector<std::string> Orgs() const override {
    std::vector<std::string> orgs;
    for (const auto& [key, value] : values) {
      if (orgs.empty() || orgs.back() != key.first) orgs.push_back(key.first);
    }
    return orgs;
  }

  std::string ValueAt(std::string_view org, Millis hour) const {
    auto it = values.find({std::string(org), hour});
    return it == values.end() ? "" : it->second;
  }
};

// "counts": the value of (org, hour).
class CountsTable final : public Table {
 public:
  explicit CountsTable(const World& world) : world_(world) {}
  std::string_view name() const override { return "counts"; }
  std::string BuildSlice(const PublishContext&, std::string_view org, Millis hour) const override {
    return world_.ValueAt(org, hour);
  }

 private:
  const World& world_;
};

// "bench": (org "", day start) → every "org@hour-offset=value;" of the day, over all orgs.
class BenchTable final : public Table {
 public:
  explicit BenchTable(const World& world) : world_(world) {}
  std::string_view name() const override { return "bench"; }
  std::string BuildSlice(const PublishContext&, std::string_view, Millis day) const override {
    std::string rows;
    for (const auto& [key, value] : world_.values) {
      if (key.second >= day && key.second < day + kDayMs) {
        rows += key.first + "@" + std::to_string((key.second - kDay0) / kH) + "=" + value + ";";
      }
    }
    return rows;
  }

 private:
  const World& world_;
};

// "bench" read through PublishContext::Memo: the values of the day's hours of every org, each
// derived once and kept until its (org, hour) is dirty.
class MemoBenchTable final : public Table {
 public:
  explicit MemoBenchTable(World& world) : world_(world) {}
  std::string_view name() const override { return "bench"; }
  std::string BuildSlice(const PublishContext& ctx, std::string_view, Millis day) const override {
    std::string rows;
    for (const std::string& org : world_.Orgs()) {
      for (Millis hour = day; hour < day + kDayMs; hour += kH) {
        rows += ctx.Memo("value", org, hour, [&] {
          ++world_.memo_builds;
          return world_.ValueAt(org, hour);
        });
      }
    }
    return rows;
  }

 private:
  World& world_;
};

// "scored": the value of (org, hour), then "|" and the bench slices of the 7 previous days.
class ScoredTable final : public Table {
 public:
  explicit ScoredTable(World& world) : world_(world) {}
  std::string_view name() const override { return "scored"; }
  std::string BuildSlice(const PublishContext& ctx, std::string_view org,
                         Millis hour) const override {
    world_.built.emplace_back(org, hour);
    std::string value = world_.ValueAt(org, hour);
    if (value.empty()) return "";
    const Millis day = hour - (hour - kDay0) % kDayMs;
    std::string rows = value + "|";
    for (int back = 7; back >= 1; --back) rows += ctx.Slice("bench", "", day - back * kDayMs);
    return rows;
  }

 private:
  World& world_;
};

// "table/org/hour-offset/rows" of a batch's slices, in batch order.
std::vector<std::string> Summary(const store::IngestBatch& batch) {
  std::vector<std::string> out;
  for (const store::Slice& s : batch.slices) {
    out.push_back(s.table + "/" + s.org + "/" + std::to_string((s.hour - kDay0) / kH) + "/" +
                  s.rows);
  }
  return out;
}

class PublisherTest : public ::testing::Test {
 protected:
  std::unique_ptr<Publisher> NewPublisher() {
    std::vector<std::unique_ptr<Table>> tables;
    tables.push_back(std::make_unique<CountsTable>(world_));
    tables.push_back(std::make_unique<BenchTable>(world_));
    tables.push_back(std::make_unique<ScoredTable>(world_));
    auto publisher = std::make_unique<Publisher>(
        std::move(tables), *store_,
        PublisherOptions{.benchmark_table = "bench", .scored_tables = {"scored"}});
    EXPECT_TRUE(publisher->LoadStoredChecksums().ok());
    return publisher;
  }

  // Publishes `dirty` into a fresh batch, commits it and returns it.
  store::IngestBatch PublishAndCommit(Publisher& publisher, const DirtySlices& dirty) {
    store::IngestBatch batch;
    world_.built.clear();
    Status published = publisher.Publish(world_, dirty, batch);
    EXPECT_TRUE(published.ok()) << published.ToString();
    Status committed = store_->Commit(batch);
    EXPECT_TRUE(committed.ok()) << committed.ToString();
    return batch;
  }

  std::vector<std::string> StoredChecksumKeys() {
    std::vector<std::string> keys;
    EXPECT_TRUE(store_
                    ->ForEachSliceChecksum([&](std::string_view table, std::string_view org,
                                               Millis hour, std::string_view) {
                      keys.push_back(std::string(table) + "/" + std::string(org) + "/" +
                                     std::to_string((hour - kDay0) / kH));
                    })
                    .ok());
    return keys;
  }

  World world_;
  std::unique_ptr<store::Store> store_ = std::move(*store::OpenStore("memory:"));
};

TEST_F(PublisherTest, EmitsNewSlicesOnceAndUnchangedOnesNever) {
  world_.values[{"acme", kDay0 + 5 * kH}] = "x";
  auto publisher = NewPublisher();
  store::IngestBatch first = PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}});
  EXPECT_THAT(Summary(first),
              ElementsAre("counts/acme/5/x", "bench//0/acme@5=x;", "scored/acme/5/x|"));
  EXPECT_EQ(first.slices[0].sha256_hex, Sha256Hex("x"));

  // The same dirty set again, from this publisher and from a fresh one loading the store's
  // checksums: every slice rebuilds to the same bytes, so nothing is emitted.
  EXPECT_THAT(Summary(PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}})), IsEmpty());
  auto restarted = NewPublisher();
  EXPECT_THAT(Summary(PublishAndCommit(*restarted, {{"acme", kDay0 + 5 * kH}})), IsEmpty());
  EXPECT_EQ(restarted->stats().built, 3);
  EXPECT_EQ(restarted->stats().written, 0);
}

TEST_F(PublisherTest, ChangedSliceIsReplacedAndAnEmptyOneDeletesTheStoredSlice) {
  world_.values[{"acme", kDay0 + 5 * kH}] = "x";
  world_.values[{"acme", kDay0 + 6 * kH}] = "y";
  auto publisher = NewPublisher();
  PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}, {"acme", kDay0 + 6 * kH}});

  world_.values[{"acme", kDay0 + 5 * kH}] = "x2";
  EXPECT_THAT(Summary(PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}})),
              ElementsAre("counts/acme/5/x2", "bench//0/acme@5=x2;acme@6=y;", "scored/acme/5/x2|"));

  world_.values.erase({"acme", kDay0 + 6 * kH});
  store::IngestBatch deletion = PublishAndCommit(*publisher, {{"acme", kDay0 + 6 * kH}});
  EXPECT_THAT(Summary(deletion),
              ElementsAre("counts/acme/6/", "bench//0/acme@5=x2;", "scored/acme/6/"));
  EXPECT_EQ(deletion.slices[0].sha256_hex, "");
  EXPECT_THAT(StoredChecksumKeys(), ElementsAre("bench//0", "counts/acme/5", "scored/acme/5"));

  // Empty again and nothing stored: nothing to emit.
  EXPECT_THAT(Summary(PublishAndCommit(*publisher, {{"acme", kDay0 + 6 * kH}})), ElementsAre());
}

TEST_F(PublisherTest, ChangedBenchmarkDayRescoresTheNextSevenDaysOfEveryOrg) {
  world_.values[{"acme", kDay0 + 5 * kH}] = "a";
  world_.values[{"beta", kDay0 + 3 * kDayMs + 2 * kH}] = "b3";  // inside days 1..7
  world_.values[{"beta", kDay0 + 8 * kDayMs}] = "b8";           // day 8: outside
  auto publisher = NewPublisher();
  store::IngestBatch batch = PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}});

  // 7 × 24 hours for each of the two orgs, plus the dirty slice itself.
  EXPECT_EQ(world_.built.size(), 2u * 7 * 24 + 1);
  EXPECT_EQ(world_.built.front(), std::make_pair(std::string("acme"), kDay0 + 5 * kH));
  EXPECT_EQ(world_.built.back(), std::make_pair(std::string("beta"), kDay0 + 8 * kDayMs - kH));
  EXPECT_THAT(Summary(batch), ElementsAre("counts/acme/5/a", "bench//0/acme@5=a;",
                                          "scored/acme/5/a|", "scored/beta/74/b3|acme@5=a;"));

  // The benchmark day did not change this time: only the dirty SLA slice is rebuilt.
  PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}});
  EXPECT_THAT(world_.built, ElementsAre(std::make_pair(std::string("acme"), kDay0 + 5 * kH)));
}

TEST_F(PublisherTest, BuildsOneDayAtATimeAndCallsBackAfterEach) {
  world_.values[{"acme", kDay0 + 5 * kH}] = "a";
  world_.values[{"acme", kDay0 + kDayMs + 3 * kH}] = "b";
  auto publisher = NewPublisher();
  store::IngestBatch batch;
  std::vector<size_t> slices_after_each_day;
  ASSERT_TRUE(publisher
                  ->Publish(world_, {{"acme", kDay0 + kDayMs + 3 * kH}, {"acme", kDay0 + 5 * kH}},
                            batch, [&] { slices_after_each_day.push_back(batch.slices.size()); })
                  .ok());
  // Day 1's score reads day 0's bench as built in this cycle (the store has none yet). Days
  // 2 … 8 follow a changed bench day: only their scored slices are built, all empty here.
  EXPECT_THAT(Summary(batch), ElementsAre("counts/acme/5/a", "bench//0/acme@5=a;",
                                          "scored/acme/5/a|", "counts/acme/27/b",
                                          "bench//24/acme@27=b;", "scored/acme/27/b|acme@5=a;"));
  EXPECT_THAT(slices_after_each_day, ElementsAre(3, 6, 6, 6, 6, 6, 6, 6, 6));
}

TEST_F(PublisherTest, ContextReadsStoredSlicesNotBuiltInThisCycle) {
  world_.values[{"acme", kDay0 + 5 * kH}] = "a";
  auto publisher = NewPublisher();
  PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}});

  // Day 2 is dirty; its score reads the bench slice of day 0 from the store and day 1 (this
  // cycle's build: still empty, no fact on day 1).
  world_.values[{"acme", kDay0 + 2 * kDayMs + kH}] = "c";
  auto restarted = NewPublisher();
  store::IngestBatch batch = PublishAndCommit(*restarted, {{"acme", kDay0 + 2 * kDayMs + kH}});
  EXPECT_THAT(Summary(batch), ElementsAre("counts/acme/49/c", "bench//48/acme@49=c;",
                                          "scored/acme/49/c|acme@5=a;"));
}

TEST_F(PublisherTest, MemosLastAcrossCyclesUntilTheirHourIsDirty) {
  world_.values[{"acme", kDay0 + 5 * kH}] = "a";
  world_.values[{"acme", kDay0 + 6 * kH}] = "b";
  std::vector<std::unique_ptr<Table>> tables;
  tables.push_back(std::make_unique<MemoBenchTable>(world_));
  Publisher publisher(std::move(tables), *store_, PublisherOptions{.benchmark_table = "bench"});
  EXPECT_THAT(Summary(PublishAndCommit(publisher, {{"acme", kDay0 + 5 * kH}})),
              ElementsAre("bench//0/ab"));
  EXPECT_EQ(world_.memo_builds, 24);

  // Hour 6 changes without being reported dirty: its memo is kept (a fact change the resolver did
  // not report would be a resolver bug); only the dirty hour 5 is derived again.
  world_.values[{"acme", kDay0 + 5 * kH}] = "c";
  world_.values[{"acme", kDay0 + 6 * kH}] = "d";
  EXPECT_THAT(Summary(PublishAndCommit(publisher, {{"acme", kDay0 + 5 * kH}})),
              ElementsAre("bench//0/cb"));
  EXPECT_EQ(world_.memo_builds, 25);
  EXPECT_THAT(Summary(PublishAndCommit(publisher, {{"acme", kDay0 + 6 * kH}})),
              ElementsAre("bench//0/cd"));
  EXPECT_EQ(world_.memo_builds, 26);

  // DeleteRange (a rebuild) forgets the memos of its range.
  store::IngestBatch batch;
  publisher.DeleteRange(kDay0, kDay0 + 23 * kH, batch);
  ASSERT_TRUE(publisher.Publish(world_, {{"acme", kDay0 + 5 * kH}}, batch).ok());
  EXPECT_EQ(world_.memo_builds, 50);
}

TEST_F(PublisherTest, DeleteRangeRemovesStoredSlicesAndRepublishesTheLiveOnes) {
  world_.values[{"acme", kDay0 + 5 * kH}] = "a";
  world_.values[{"acme", kDay0 + 7 * kH}] = "b";
  auto publisher = NewPublisher();
  PublishAndCommit(*publisher, {{"acme", kDay0 + 5 * kH}, {"acme", kDay0 + 7 * kH}});
  // A fact disappears without being marked dirty (a logic fix): only a rebuild removes its rows.
  world_.values.erase({"acme", kDay0 + 7 * kH});

  auto rebuilder = NewPublisher();
  store::IngestBatch batch;
  rebuilder->DeleteRange(kDay0, kDay0 + kDayMs - kH, batch);
  ASSERT_TRUE(rebuilder->Publish(world_, {{"acme", kDay0 + 5 * kH}}, batch).ok());
  ASSERT_EQ(batch.deleted_slice_ranges.size(), 3u);
  EXPECT_EQ(batch.deleted_slice_ranges[1].table, "bench");
  EXPECT_EQ(batch.deleted_slice_ranges[1].from_hour, kDay0);
  EXPECT_EQ(batch.deleted_slice_ranges[1].to_hour, kDay0 + 23 * kH);
  EXPECT_THAT(Summary(batch),
              ElementsAre("counts/acme/5/a", "bench//0/acme@5=a;", "scored/acme/5/a|"));
  ASSERT_TRUE(store_->Commit(batch).ok());
  EXPECT_THAT(StoredChecksumKeys(), ElementsAre("bench//0", "counts/acme/5", "scored/acme/5"));
}

}  // namespace
}  // namespace naap::publish
