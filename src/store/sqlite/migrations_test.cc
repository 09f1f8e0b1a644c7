#include "store/sqlite/migrations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <set>

#include "store/sqlite/sqlite_store.h"
#include "store/store_test_util.h"

namespace naap::store::sqlite {
namespace {

using store::testing::ScopedTempDir;
using ::testing::HasSubstr;

class MigrationsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Db> OpenDb() {
    Result<std::unique_ptr<Db>> db = Db::Open(path_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return db.ok() ? std::move(*db) : nullptr;
  }

  int VersionOf(Db& db) {
    Result<int> version = SchemaVersion(db);
    EXPECT_TRUE(version.ok()) << version.status().ToString();
    return version.ok() ? *version : -1;
  }

  int64_t CountRows(Db& db, const char* count_sql) {
    Stmt query = db.Prepare(count_sql);
    Result<bool> row = query.Next();
    EXPECT_TRUE(row.ok() && *row) << count_sql;
    return query.Int(0);
  }

  ScopedTempDir dir_;
  std::string path_ = (dir_.path() / "m.db").string();
};

constexpr Migration kSteps[] = {
    {1, "create a", "CREATE TABLE a(x INTEGER)"},
    {2, "create b and seed", "CREATE TABLE b(y INTEGER); INSERT INTO b VALUES (1), (2)"},
    {3, "create c", "CREATE TABLE c(z INTEGER)"},
};

TEST_F(MigrationsTest, FreshFileIsVersionZero) {
  std::unique_ptr<Db> db = OpenDb();
  EXPECT_EQ(VersionOf(*db), 0);
}

TEST_F(MigrationsTest, AppliesOnlyStepsNewerThanTheFile) {
  std::unique_ptr<Db> db = OpenDb();
  ASSERT_TRUE(Migrate(*db, std::span(kSteps).first(2)).ok());
  EXPECT_EQ(VersionOf(*db), 2);
  // Re-running step 1 or 2 would fail (table exists) or double the seed rows.
  Status status = Migrate(*db, kSteps);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(VersionOf(*db), 3);
  EXPECT_EQ(CountRows(*db, "SELECT COUNT(*) FROM b"), 2);
  EXPECT_EQ(CountRows(*db, "SELECT COUNT(*) FROM schema_migrations"), 3);
  ASSERT_TRUE(Migrate(*db, kSteps).ok());
  EXPECT_EQ(CountRows(*db, "SELECT COUNT(*) FROM schema_migrations"), 3);
}

TEST_F(MigrationsTest, FailingStepRollsBackEveryStepOfTheRun) {
  std::unique_ptr<Db> db = OpenDb();
  ASSERT_TRUE(Migrate(*db, std::span(kSteps).first(1)).ok());
  const Migration with_bad_step[] = {
      kSteps[0], kSteps[1], {3, "broken", "CREATE TABLE c(z); SELECT nope FROM nowhere"}};
  EXPECT_FALSE(Migrate(*db, with_bad_step).ok());
  EXPECT_EQ(VersionOf(*db), 1);
  EXPECT_EQ(CountRows(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('b', 'c')"), 0);
}

TEST_F(MigrationsTest, NewerFileThanTheBinaryIsRefused) {
  std::unique_ptr<Db> db = OpenDb();
  ASSERT_TRUE(Migrate(*db, kSteps).ok());
  Status status = Migrate(*db, std::span(kSteps).first(2));
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(),
              HasSubstr("schema version 3 is newer than this binary supports (2)"));
}

TEST_F(MigrationsTest, MisnumberedStepsAreAProgrammingError) {
  std::unique_ptr<Db> db = OpenDb();
  const Migration gap[] = {kSteps[0], kSteps[2]};
  EXPECT_EQ(Migrate(*db, gap).code(), StatusCode::kInternal);
  EXPECT_EQ(VersionOf(*db), 0);
}

TEST_F(MigrationsTest, StoreOpenMigratesAnEmptyFileToTheLatestVersion) {
  ASSERT_TRUE(OpenSqliteStore(path_).ok());
  std::unique_ptr<Db> db = OpenDb();
  EXPECT_EQ(VersionOf(*db), static_cast<int>(StoreMigrations().size()));
  EXPECT_EQ(StoreMigrations().back().version, static_cast<int>(StoreMigrations().size()));
  EXPECT_EQ(CountRows(*db,
                      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                      "('raw_blocks', 'rejected', 'dedup_chunks', 'counters', 'source_positions')"),
            5);
}

// "org|count|min_event|max_event|min_first_seen|max_first_seen" of every dedup chunk, in order.
std::vector<std::string> DedupChunkRows(Db& db) {
  Stmt query = db.Prepare(
      "SELECT org, count, min_event_ms, max_event_ms, min_first_seen_ms, max_first_seen_ms "
      "FROM dedup_chunks ORDER BY seq");
  std::vector<std::string> rows;
  for (Result<bool> row = query.Next(); row.ok() && *row; row = query.Next()) {
    std::string line(query.Bytes(0));
    for (int column = 1; column < 6; ++column) line += "|" + std::to_string(query.Int(column));
    rows.push_back(line);
  }
  return rows;
}

TEST_F(MigrationsTest, Version3AddsSlicesToAVersion2FileAndKeepsItsData) {
  {
    std::unique_ptr<Db> db = OpenDb();
    ASSERT_TRUE(Migrate(*db, StoreMigrations().first(2)).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO source_positions VALUES ('file:a.ndjson', '42')").ok());
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  Result<std::optional<std::string>> position = (*store)->SourcePosition("file:a.ndjson");
  ASSERT_TRUE(position.ok());
  EXPECT_EQ(*position, "42");
  IngestBatch batch;
  batch.slices = {store::testing::MakeSlice("sla", "acme", 0, "rows")};
  ASSERT_TRUE((*store)->Commit(batch).ok());
  Result<std::optional<Slice>> slice = (*store)->GetSlice("sla", "acme", 0);
  ASSERT_TRUE(slice.ok() && slice->has_value());
  EXPECT_EQ((*slice)->rows, "rows");
  std::unique_ptr<Db> db = OpenDb();
  EXPECT_EQ(VersionOf(*db), static_cast<int>(StoreMigrations().size()));
}

TEST_F(MigrationsTest, Version4KeysCountersByIngestHourAndGivesOldRowsTheirAccountingHour) {
  constexpr Millis kH = kHourMs;
  {
    std::unique_ptr<Db> db = OpenDb();
    ASSERT_TRUE(Migrate(*db, StoreMigrations().first(3)).ok());
    ASSERT_TRUE(db->Exec("INSERT INTO counters VALUES ('acme', 0, 'accepted', 'stream_trace', "
                         "'x', 5), ('acme', 3600000, 'note', 'stream_trace', 'unkeyed_session', "
                         "2)")
                    .ok());
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // The same key at the old row's ingest hour adds to it; at another ingest hour it is a new row.
  IngestBatch batch;
  batch.counters = {{"acme", 0, 0, "accepted", "stream_trace", "x", 1},
                    {"acme", 0, 2 * kH, "accepted", "stream_trace", "x", 3}};
  ASSERT_TRUE((*store)->Commit(batch).ok());
  Result<std::vector<CounterRow>> rows = (*store)->Counters(0, kH);
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_THAT(*rows, ::testing::ElementsAre(
                         CounterRow{"acme", 0, 0, "accepted", "stream_trace", "x", 6},
                         CounterRow{"acme", 0, 2 * kH, "accepted", "stream_trace", "x", 3},
                         CounterRow{"acme", kH, kH, "note", "stream_trace", "unkeyed_session", 2}));
  std::unique_ptr<Db> db = OpenDb();
  EXPECT_EQ(VersionOf(*db), static_cast<int>(StoreMigrations().size()));
  EXPECT_EQ(CountRows(*db,
                      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                      "('counters_by_hour', 'counters_by_ingest_hour')"),
            2);
}

TEST_F(MigrationsTest, Version2MovesV1DedupRowsIntoChunksAndDropsTheOldTable) {
  {
    std::unique_ptr<Db> db = OpenDb();
    ASSERT_TRUE(Migrate(*db, StoreMigrations().first(1)).ok());
    // acme: key (n, ~n), event_ms 1000 + n, first_seen 5000 + n for n = 0..9999; lo has its top
    // bit set, stored as a negative integer as v1 did. zeta: one key.
    ASSERT_TRUE(db->Exec("WITH RECURSIVE c(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM c "
                         "WHERE n < 9999) INSERT INTO dedup SELECT 'acme', n, -1 - n, 1000 + n, "
                         "5000 + n FROM c;"
                         "INSERT INTO dedup VALUES ('zeta', 7, 8, 1000, 1000);")
                    .ok());
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  {
    std::unique_ptr<Db> db = OpenDb();
    EXPECT_EQ(VersionOf(*db), static_cast<int>(StoreMigrations().size()));
    EXPECT_EQ(CountRows(*db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'dedup'"), 0);
    // Per org in event order, at most 8192 entries a chunk: 8192 + 1808 for acme.
    EXPECT_THAT(DedupChunkRows(*db), ::testing::ElementsAre("acme|8192|1000|9191|5000|13191",
                                                            "acme|1808|9192|10999|13192|14999",
                                                            "zeta|1|1000|1000|1000|1000"));
  }
  auto expected_keys = [](int first_acme_n) {
    std::multiset<std::pair<std::string, Key128>> keys = {{"zeta", Key128{7, 8}}};
    for (uint64_t n = first_acme_n; n < 10'000; ++n) keys.insert({"acme", Key128{n, ~n}});
    return keys;
  };
  auto reported_keys = [&] {
    std::multiset<std::pair<std::string, Key128>> keys;
    Status status = (*store)->ForEachDedupKey(
        [&](std::string_view org, const Key128& key) { keys.emplace(std::string(org), key); });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return keys;
  };
  EXPECT_EQ(reported_keys(), expected_keys(0));
  // Both times survived the move: event_ms < 6000 means n < 5000, first_seen < 7000 means n < 2000.
  ASSERT_TRUE(
      (*store)->Sweep({.org = "acme", .dedup_event_before = 6000, .dedup_seen_before = 7000}).ok());
  EXPECT_EQ(reported_keys(), expected_keys(2000));
}

TEST_F(MigrationsTest, StoreOpenRefusesANewerFile) {
  ASSERT_TRUE(OpenSqliteStore(path_).ok());
  {
    std::unique_ptr<Db> db = OpenDb();
    ASSERT_TRUE(db->Exec("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)").ok());
  }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("schema version 99"));
}

// A file without naap's schema (here an empty one, as a full disk leaves) is refused by a
// read-only open with a message that says so, and stays empty.
TEST_F(MigrationsTest, ReadOnlyOpenOfAFileWithoutTheSchemaSaysItIsNotAStore) {
  std::ofstream(path_).flush();
  Result<std::unique_ptr<Store>> empty = OpenSqliteStore(path_, /*read_only=*/true);
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("not a naap store"));
  EXPECT_EQ(std::filesystem::file_size(path_), 0u);
}

// A read-only open migrates nothing: it reads a store of the latest schema, refuses an older or
// a newer one, and every write through it fails.
TEST_F(MigrationsTest, ReadOnlyOpenReadsTheLatestSchemaOnlyAndWritesNothing) {
  {
    std::unique_ptr<Db> db = OpenDb();
    ASSERT_TRUE(Migrate(*db, StoreMigrations().first(4)).ok());
  }
  Result<std::unique_ptr<Store>> older = OpenSqliteStore(path_, /*read_only=*/true);
  ASSERT_FALSE(older.ok());
  EXPECT_THAT(older.status().message(), HasSubstr("schema version 4 is older"));
  {
    std::unique_ptr<Db> db = OpenDb();
    ASSERT_TRUE(SchemaVersion(*db).ok());
    EXPECT_EQ(*SchemaVersion(*db), 4);  // the refused open migrated nothing
  }

  ASSERT_TRUE(OpenSqliteStore(path_).ok());  // migrates
  Result<std::unique_ptr<Store>> reader = OpenSqliteStore(path_, /*read_only=*/true);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->SourcePosition("anything").ok());
  IngestBatch batch;
  batch.positions.emplace_back("source", "1");
  EXPECT_FALSE((*reader)->Commit(batch).ok());

  {
    std::unique_ptr<Db> db = OpenDb();
    ASSERT_TRUE(db->Exec("INSERT INTO schema_migrations VALUES (99, 'from the future', 0)").ok());
  }
  Result<std::unique_ptr<Store>> newer = OpenSqliteStore(path_, /*read_only=*/true);
  ASSERT_FALSE(newer.ok());
  EXPECT_THAT(newer.status().message(), HasSubstr("schema version 99 is newer"));
}

TEST_F(MigrationsTest, StoreOpenOfANonDatabaseFileIsCorruption) {
  std::ofstream(path_) << std::string(4096, 'x');
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption) << store.status().ToString();
}

}  // namespace
}  // namespace naap::store::sqlite
