// SQLite-specific behaviour beyond the conformance suite: a failure inside the commit
// transaction, the journal mode, migrations on reopen, and commit latency.
#include "store/sqlite/sqlite_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "store/sqlite/db.h"
#include "store/store_test_util.h"

namespace naap::store::sqlite {
namespace {

using store::testing::Block;
using store::testing::kT0;
using store::testing::Rejection;
using store::testing::ScopedTempDir;
using ::testing::ElementsAre;

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> OpenStoreFile() {
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(*store) : nullptr;
  }

  // A second, plain connection to the same file, as another process would have.
  std::unique_ptr<Db> OpenSideConnection() {
    Result<std::unique_ptr<Db>> db = Db::Open(path_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  // "version|name|applied_ms" of every applied migration.
  std::vector<std::string> MigrationRows() {
    std::unique_ptr<Db> db = OpenSideConnection();
    Stmt query =
        db->Prepare("SELECT version, name, applied_ms FROM schema_migrations ORDER BY version");
    std::vector<std::string> rows;
    for (Result<bool> row = query.Next(); row.ok() && *row; row = query.Next()) {
      rows.push_back(std::to_string(query.Int(0)) + "|" + std::string(query.Bytes(1)) + "|" +
                     std::to_string(query.Int(2)));
    }
    return rows;
  }

  ScopedTempDir dir_;
  std::string path_ = (dir_.path() / "naap.db").string();
};

TEST_F(SqliteStoreTest, FileIsInWalMode) {
  std::unique_ptr<Store> store = OpenStoreFile();
  std::unique_ptr<Db> side = OpenSideConnection();
  Stmt mode = side->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(*mode.Next());
  EXPECT_EQ(mode.Bytes(0), "wal");
}

TEST_F(SqliteStoreTest, FailureMidCommitLeavesNothingOfTheBatch) {
  std::unique_ptr<Store> store = OpenStoreFile();
  IngestBatch before;
  before.counters = {{"acme", kT0, kT0, "accepted", "stream_trace", "x", 5}};
  before.positions = {{"file:a", "10"}};
  ASSERT_TRUE(store->Commit(before).ok());

  // Raw blocks are written last in a commit, so a trigger refusing one makes the failure happen
  // after the dedup, counter, rejected and position rows of the batch have been written.
  ASSERT_TRUE(OpenSideConnection()
                  ->Exec("CREATE TRIGGER refuse_poison BEFORE INSERT ON raw_blocks "
                         "WHEN NEW.org = 'poison' BEGIN SELECT RAISE(ABORT, 'forced failure'); END")
                  .ok());
  IngestBatch failing;
  failing.dedup = {{"acme", Key128{1, 1}, kT0, kT0}};
  failing.counters = {{"acme", kT0, kT0, "accepted", "stream_trace", "x", 100}};
  failing.rejected = {Rejection("acme", kT0, "r")};
  failing.positions = {{"file:a", "20"}};
  failing.raw_blocks = {Block("acme", kT0, 0, 1, "good"), Block("poison", kT0, 0, 1, "bad")};
  Status status = store->Commit(failing);
  ASSERT_FALSE(status.ok());
  EXPECT_THAT(status.message(), ::testing::HasSubstr("forced failure"));

  int dedup_keys = 0;
  ASSERT_TRUE(store->ForEachDedupKey([&](std::string_view, const Key128&) { ++dedup_keys; }).ok());
  EXPECT_EQ(dedup_keys, 0);
  EXPECT_THAT(*store->Counters(kT0, kT0),
              ElementsAre(CounterRow{"acme", kT0, kT0, "accepted", "stream_trace", "x", 5}));
  EXPECT_TRUE(store->Rejected(0, kT0 * 2)->empty());
  EXPECT_EQ(*store->SourcePosition("file:a"), "10");
  EXPECT_EQ(*store->DataClock("acme"), std::nullopt);

  // The store stays usable: the same batch without the poisoned block commits.
  failing.raw_blocks.pop_back();
  ASSERT_TRUE(store->Commit(failing).ok());
  EXPECT_EQ(store->Counters(kT0, kT0)->at(0).count, 105);
  EXPECT_EQ(*store->SourcePosition("file:a"), "20");
}

TEST_F(SqliteStoreTest, TruncatedDedupChunkIsCorruption) {
  std::unique_ptr<Store> store = OpenStoreFile();
  IngestBatch batch;
  batch.dedup = {{"acme", Key128{1, 1}, kT0, kT0}, {"acme", Key128{1, 2}, kT0, kT0}};
  ASSERT_TRUE(store->Commit(batch).ok());
  ASSERT_TRUE(
      OpenSideConnection()->Exec("UPDATE dedup_chunks SET records = substr(records, 1, 40)").ok());
  Status status = store->ForEachDedupKey([](std::string_view, const Key128&) {});
  EXPECT_EQ(status.code(), StatusCode::kCorruption) << status.ToString();
  EXPECT_THAT(status.message(), ::testing::HasSubstr("40 bytes, expected 2 records"));
}

TEST_F(SqliteStoreTest, ReopenDoesNotRerunMigrations) {
  OpenStoreFile();
  std::vector<std::string> first = MigrationRows();
  ASSERT_EQ(first.size(), StoreMigrations().size());
  EXPECT_EQ(first[0].substr(0, 17), "1|initial schema|");
  OpenStoreFile();
  EXPECT_EQ(MigrationRows(), first);
}

// Not a benchmark: measures one typical commit on a store already holding 200,000 dedup keys and
// prints it; the bound only catches gross regressions such as a transaction per row.
TEST_F(SqliteStoreTest, TypicalBatchCommitsQuickly) {
  std::unique_ptr<Store> store = OpenStoreFile();
  uint64_t next_key = 0;
  auto make_batch = [&](Millis hour) {
    IngestBatch batch;
    for (int i = 0; i < 10'000; ++i) {
      uint64_t k = next_key++;
      batch.dedup.push_back({"acme", Key128{k * 0x9E37'79B9'7F4A'7C15ull, k}, hour + i, hour + i});
    }
    for (int i = 0; i < 3; ++i)
      batch.raw_blocks.push_back(Block("acme", hour, 0, 1, std::string(256 * 1024, 'p')));
    for (int i = 0; i < 100; ++i) {
      batch.counters.push_back(
          {"acme", hour, hour, "accepted", "stream_trace", "k" + std::to_string(i), 1});
    }
    batch.positions = {{"kafka:naap:0", std::to_string(next_key)}};
    return batch;
  };
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(store->Commit(make_batch(kT0 + i * kHourMs)).ok());
  IngestBatch batch = make_batch(kT0 + 20 * kHourMs);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(store->Commit(batch).ok());
  double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("commit of 10,000 dedup + 3 raw blocks (768 KiB) + 100 counters: %.1f ms\n", ms);
  RecordProperty("commit_ms", static_cast<int>(ms));
  EXPECT_LT(ms, 1000.0);
}

}  // namespace
}  // namespace naap::store::sqlite
