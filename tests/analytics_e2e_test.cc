// `naap ingest`, `naap checksum` and `naap rebuild` end to end (spec/analytics.md §7.2, §8 items
// 2–4): the serving tables depend only on the set of deduplicated records, never on their order,
// on how they are split between files and runs, on duplicates, or on a rebuild.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"

namespace naap {
namespace {

using testing::RunCommand;

const std::string kNaap = NAAP_BINARY;

class AnalyticsE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    sim_ = dir_ + "/sim.ndjson";
    ASSERT_EQ(
        RunCommand(kNaap + " simulate --hours 3 --scale 0.02 --seed 5 " +
                   "--start 2026-01-08T22:00:00Z --out " + sim_ + " --truth " + sim_ + ".truth")
            .exit_code,
        0);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Store(const std::string& name) { return "sqlite:" + dir_ + "/" + name; }
  void Shell(const std::string& command) {
    ASSERT_EQ(RunCommand("cd " + dir_ + " && " + command).exit_code, 0) << command;
  }
  void Ingest(const std::string& store, const std::string& files) {
    auto r = RunCommand(kNaap + " ingest --store " + Store(store) + " " + files + " > /dev/null");
    ASSERT_EQ(r.exit_code, 0);
  }
  std::string Checksum(const std::string& store) {
    auto r = RunCommand(kNaap + " checksum --store " + Store(store));
    EXPECT_EQ(r.exit_code, 0);
    return r.out;
  }

  std::string dir_, sim_;
};

// The "<table> <slices>" of each checksum line with at least one slice.
std::vector<std::string> NonEmptyTables(const std::string& checksum) {
  std::vector<std::string> tables;
  std::istringstream lines(checksum);
  std::string table, sha;
  long long slices = 0;
  while (lines >> table >> sha >> slices) {
    EXPECT_EQ(sha.size(), 64u) << table;
    if (slices > 0) tables.push_back(table);
  }
  return tables;
}

TEST_F(AnalyticsE2e, ChecksumsCoverEveryStreamingTable) {
  Ingest("a.db", sim_);
  // 3 hours over a day boundary: the streaming and request tables have rows, the benchmark has
  // two cohort days.
  EXPECT_THAT(NonEmptyTables(Checksum("a.db")),
              ::testing::IsSupersetOf({"api_hourly_streaming_demand", "api_hourly_streaming_sla",
                                       "api_hourly_orch_stream_stats", "api_sla_benchmark_daily",
                                       "api_hourly_payments", "api_hourly_request_demand"}));
  EXPECT_THAT(Checksum("a.db"), ::testing::EndsWith(" 2\n"));  // the benchmark line is last
}

// The checksum lines of every table but `table`.
std::string WithoutTable(const std::string& checksum, const std::string& table) {
  std::istringstream lines(checksum);
  std::string line, kept;
  while (std::getline(lines, line)) {
    if (line.rfind(table + " ", 0) != 0) kept += line + "\n";
  }
  return kept;
}

TEST_F(AnalyticsE2e, OrderSplitAndDuplicatesGiveTheSameChecksums) {
  Ingest("whole.db", sim_);
  const std::string whole = Checksum("whole.db");

  // Reversed delivery puts every re-drained worker_lifecycle copy before its original; the first
  // copy wins (events §7.1), so only the worker observations' last_seen may differ
  // (docs/decisions.md, "Re-drained workers"). Everything else must be identical.
  Shell("tac sim.ndjson > reversed.ndjson");
  Ingest("reversed.db", dir_ + "/reversed.ndjson");
  EXPECT_EQ(WithoutTable(Checksum("reversed.db"), "api_observed_byoc_worker"),
            WithoutTable(whole, "api_observed_byoc_worker"));

  // Two files in two runs: the second run restores the facts of the first from its checkpoint.
  Shell("split -n l/2 sim.ndjson part-");
  Ingest("split.db", dir_ + "/part-ab");
  auto second = RunCommand(kNaap + " ingest --store " + Store("split.db") + " " + dir_ +
                           "/part-aa 2>&1 >/dev/null");
  ASSERT_EQ(second.exit_code, 0);
  EXPECT_THAT(second.out, ::testing::HasSubstr("restored from the checkpoint and 0 raw blocks"));
  EXPECT_EQ(Checksum("split.db"), whole);

  Shell("cat sim.ndjson sim.ndjson > doubled.ndjson");
  Ingest("doubled.db", dir_ + "/doubled.ndjson");
  EXPECT_EQ(Checksum("doubled.db"), whole);
}

// Any order and any split: the lines in a random order (a fixed permutation, so a failure
// reproduces), cut into four files ingested in runs of their own out of their order, the first
// file twice. Events arrive hours late and before what they follow, across the runs'
// checkpoints; only the re-drained workers' last_seen may differ, as above.
TEST_F(AnalyticsE2e, ShuffledLinesInFourRunsOutOfOrderGiveTheSameChecksums) {
  Ingest("whole.db", sim_);
  const std::string whole = WithoutTable(Checksum("whole.db"), "api_observed_byoc_worker");

  Shell("yes 7 | head -c 65536 > seed && shuf --random-source=seed sim.ndjson > shuffled.ndjson");
  Shell("cmp -s sim.ndjson shuffled.ndjson; test $? = 1");  // really another order
  Shell("split -n l/4 shuffled.ndjson part-");
  for (const char* part : {"part-ac", "part-aa", "part-ad", "part-ab", "part-aa"}) {
    Ingest("shuffled.db", dir_ + "/" + part);
  }
  EXPECT_EQ(WithoutTable(Checksum("shuffled.db"), "api_observed_byoc_worker"), whole);
}

// An ingest killed (SIGKILL) after some of its commits and before the checkpoint of its end: the
// next run restores from the previous checkpoint and the raw blocks committed after it, takes the
// same input again (what was committed comes back as duplicates) and ends with the checksums of
// one clean run.
TEST_F(AnalyticsE2e, AKilledIngestLosesNothingAndCountsNothingTwice) {
  const std::string first_hour =
      kNaap + " simulate --hours 1 --seed 9 --start 2026-01-08T00:00:00Z";
  const std::string next_hours =
      kNaap + " simulate --hours 2 --seed 9 --start 2026-01-08T01:00:00Z";
  const std::string db = dir_ + "/killed.db";
  Shell(first_hour + " --out - | " + kNaap + " ingest --store " + Store("killed.db") +
        " - >/dev/null");
  // Killed once a commit of this run is in the store and the checkpoint does not cover it yet.
  const std::string behind_the_checkpoint =
      "sqlite3 " + db +
      " \"SELECT (SELECT MAX(seq) FROM raw_blocks) > (SELECT value FROM "
      "store_meta WHERE name = 'checkpoint_covers_seq')\" 2>/dev/null";
  Shell("(" + next_hours + " --out - | " + kNaap + " ingest --store " + Store("killed.db") +
        " - >/dev/null 2>&1 & pid=$!; while kill -0 $pid 2>/dev/null && [ \"$(" +
        behind_the_checkpoint + ")\" != 1 ]; do sleep 0.05; done; kill -9 $pid; wait $pid; true)");
  auto restarted = RunCommand(next_hours + " --out - | " + kNaap + " ingest --store " +
                              Store("killed.db") + " - 2>&1 >/dev/null");
  ASSERT_EQ(restarted.exit_code, 0) << restarted.out;
  EXPECT_THAT(restarted.out, ::testing::ContainsRegex("from the checkpoint and [1-9][0-9]* raw"));
  Shell(first_hour + " --out - | " + kNaap + " ingest --store " + Store("clean.db") +
        " - >/dev/null");
  Shell(next_hours + " --out - | " + kNaap + " ingest --store " + Store("clean.db") +
        " - >/dev/null");
  EXPECT_EQ(Checksum("killed.db"), Checksum("clean.db"));
}

// After an upgrade (the checkpoint names another build): the first restart replays the raw log
// and, though it ingests nothing, leaves a checkpoint the next restart resumes from.
TEST_F(AnalyticsE2e, ARestartThatReplayedLeavesACheckpointEvenWithNothingToIngest) {
  Ingest("replayed.db", sim_);
  const std::string whole = Checksum("replayed.db");
  Shell("sqlite3 " + dir_ +
        "/replayed.db \"UPDATE checkpoint_parts SET bytes = CAST('naap checkpoint 2 build 00' AS "
        "BLOB) WHERE part = (SELECT MIN(part) FROM checkpoint_parts)\"");
  Shell(": > nothing.ndjson");
  const std::string restart = kNaap + " ingest --store " + Store("replayed.db") + " " + dir_ +
                              "/nothing.ndjson 2>&1 >/dev/null";
  auto replayed = RunCommand(restart);
  ASSERT_EQ(replayed.exit_code, 0) << replayed.out;
  EXPECT_THAT(replayed.out, ::testing::HasSubstr("by replaying the raw log"));
  EXPECT_THAT(replayed.out, ::testing::HasSubstr("written by another build"));
  auto resumed = RunCommand(restart);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out;
  EXPECT_THAT(resumed.out, ::testing::HasSubstr("restored from the checkpoint and 0 raw blocks"));
  EXPECT_EQ(Checksum("replayed.db"), whole);
}

TEST_F(AnalyticsE2e, SecondIngestOfTheSameFileChangesNoChecksum) {
  Ingest("a.db", sim_);
  const std::string first = Checksum("a.db");
  Ingest("a.db", sim_);
  EXPECT_EQ(Checksum("a.db"), first);
}

TEST_F(AnalyticsE2e, RebuildReproducesTheChecksums) {
  Ingest("a.db", sim_);
  const std::string ingested = Checksum("a.db");
  ASSERT_EQ(RunCommand(kNaap + " rebuild --store " + Store("a.db")).exit_code, 0);
  EXPECT_EQ(Checksum("a.db"), ingested);
  // A range (one of the two days) deletes and republishes only its own slices.
  auto ranged = RunCommand(kNaap + " rebuild --store " + Store("a.db") +
                           " --from 2026-01-09T00:30:00Z --to 2026-01-09T01:00:00Z");
  ASSERT_EQ(ranged.exit_code, 0);
  EXPECT_THAT(ranged.out, ::testing::HasSubstr(" written"));
  EXPECT_EQ(Checksum("a.db"), ingested);
}

TEST_F(AnalyticsE2e, RebuildOfAStoreWithoutSlicesPublishesThemAll) {
  // The raw log alone (the slices dropped behind naap's back) is enough to recreate every slice.
  Ingest("a.db", sim_);
  const std::string ingested = Checksum("a.db");
  Shell("sqlite3 a.db 'DELETE FROM slices'");
  EXPECT_NE(Checksum("a.db"), ingested);
  ASSERT_EQ(RunCommand(kNaap + " rebuild --store " + Store("a.db")).exit_code, 0);
  EXPECT_EQ(Checksum("a.db"), ingested);
}

TEST_F(AnalyticsE2e, RebuildRefusesABadTime) {
  EXPECT_EQ(RunCommand(kNaap + " rebuild --store " + Store("a.db") + " --from yesterday").exit_code,
            2);
  EXPECT_EQ(RunCommand(kNaap + " rebuild --store " + Store("a.db") +
                       " --from 2026-01-09T00:00:00Z --to 2026-01-08T00:00:00Z")
                .exit_code,
            2);
}

}  // namespace
}  // namespace naap
