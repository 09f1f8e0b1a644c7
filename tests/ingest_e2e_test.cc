// `naap simulate` and `naap ingest` end to end: exact accounting against the real sample and the
// simulator's ground truth, idempotence (ingest twice = ingest once), and framing independence.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "test_util.h"

namespace naap {
namespace {

using testing::LastLine;
using testing::RunCommand;

const std::string kNaap = NAAP_BINARY;
const std::string kSample = std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";

// The class/reason counts of an ingest summary or of a simulator truth file.
struct Counts {
  int64_t lines = 0, accepted = 0, duplicates = 0;
  std::map<std::string, int64_t> ignored, rejected;
  int64_t Sum(const std::map<std::string, int64_t>& m) const {
    int64_t s = 0;
    for (const auto& [k, v] : m) s += v;
    return s;
  }
  int64_t ClassTotal() const { return accepted + Sum(ignored) + Sum(rejected) + duplicates; }
};

Counts ParseCounts(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(json);
  Counts c;
  c.lines = int64_t(root["lines"]);
  c.accepted = int64_t(root["accepted"]);
  c.duplicates = int64_t(root["duplicates"]);
  for (auto [k, v] : root["ignored"].get_object()) c.ignored[std::string(k)] = int64_t(v);
  for (auto [k, v] : root["rejected"].get_object()) c.rejected[std::string(k)] = int64_t(v);
  return c;
}

void ExpectSameCounts(const Counts& got, const Counts& want) {
  EXPECT_EQ(got.lines, want.lines);
  EXPECT_EQ(got.accepted, want.accepted);
  EXPECT_EQ(got.duplicates, want.duplicates);
  EXPECT_EQ(got.ignored, want.ignored);
  EXPECT_EQ(got.rejected, want.rejected);
}

class IngestE2e : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Counts Ingest(const std::string& store, const std::string& files) {
    auto r = RunCommand(kNaap + " ingest --json --store sqlite:" + dir_ + "/" + store + " " + files);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return ParseCounts(LastLine(r.out));
  }
  // A small simulated network with every fault, and its ground truth.
  void Simulate(const std::string& name) {
    auto r = RunCommand(kNaap + " simulate --hours 2 --scale 0.02 --seed 11 --start 2026-01-08T00:00:00Z --out " +
                        dir_ + "/" + name + " --truth " + dir_ + "/" + name + ".truth");
    ASSERT_EQ(r.exit_code, 0);
  }
  std::string dir_;
};

// `naap checksum` reads a store its user may only read (a file 0444 in a directory 0555, as a copy
// handed to an analyst): the same output as the owner's, and the file unchanged. Root ignores
// file modes, so as root the check runs as the user nobody (setpriv).
TEST_F(IngestE2e, ChecksumReadsAStoreItsUserMayOnlyRead) {
  Ingest("owned.db", kSample);
  auto owner = RunCommand(kNaap + " checksum --store sqlite:" + dir_ + "/owned.db");
  ASSERT_EQ(owner.exit_code, 0) << owner.out;
  const std::string shared = dir_ + "/shared";
  std::filesystem::create_directory(shared);
  std::filesystem::copy_file(dir_ + "/owned.db", shared + "/naap.db");
  using std::filesystem::perms;
  std::filesystem::permissions(shared + "/naap.db",
                               perms::owner_read | perms::group_read | perms::others_read);
  std::filesystem::permissions(dir_, perms::owner_all | perms::group_read | perms::group_exec |
                                         perms::others_read | perms::others_exec);
  std::filesystem::permissions(shared, perms::owner_read | perms::owner_exec | perms::group_read |
                                           perms::group_exec | perms::others_read |
                                           perms::others_exec);
  const std::string as_reader =
      geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  auto reader = RunCommand(as_reader + kNaap + " checksum --store sqlite:" + shared + "/naap.db");
  EXPECT_EQ(reader.exit_code, 0) << reader.out;
  EXPECT_EQ(reader.out, owner.out);
  EXPECT_FALSE(std::filesystem::exists(shared + "/naap.db-wal"));
  std::filesystem::permissions(shared, perms::owner_all);
}

// Exit 2 for usage errors, whoever finds them (the option parser or the command), with a message
// naming the problem; 1 for a missing or unreadable store. No run leaves a store behind.
TEST_F(IngestE2e, UsageErrorsExit2AndStoreErrorsExit1WithAClearMessage) {
  const std::string store = dir_ + "/none.db";
  const std::vector<std::pair<std::string, std::string>> usage = {
      {"", "A subcommand is required"},
      {"bogus", "unknown command \"bogus\""},
      {"ingest --bogus x", "--bogus"},
      {"ingest --org '' " + kSample, "invalid --org \"\""},
      {"checksum extra", "extra"},
      {"simulate --hours 0 --out -", "--hours: must be > 0, got 0"},
      {"simulate --hours nan --out -", "--hours: not a number: \"nan\""},
      {"simulate --seed -5 --hours 0.01 --out -", "--seed: not an unsigned integer"},
      {"rebuild --from '' --store sqlite:" + store, "invalid --from \"\""},
  };
  for (const auto& [args, message] : usage) {
    auto r = RunCommand(kNaap + " " + args + " 2>&1");
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.out.find(message), std::string::npos) << args << ": " << r.out;
  }
  for (const std::string command : {"checksum", "rebuild"}) {
    auto r = RunCommand(kNaap + " " + command + " --store sqlite:" + store + " 2>&1");
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_NE(r.out.find("no store at " + store), std::string::npos) << r.out;
  }
  EXPECT_FALSE(std::filesystem::exists(store));
  const std::string not_sqlite = dir_ + "/not.db";
  std::filesystem::copy_file(kSample, not_sqlite);
  auto r = RunCommand(kNaap + " checksum --store sqlite:" + not_sqlite + " 2>&1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("open " + not_sqlite + ": file is not a database"), std::string::npos)
      << r.out;
  EXPECT_EQ(RunCommand(kNaap + " --version").exit_code, 0);
}

TEST_F(IngestE2e, RealSampleIsAllAcceptedThenAllDuplicates) {
  Counts first = Ingest("a.db", kSample);
  EXPECT_EQ(first.lines, 65);
  EXPECT_EQ(first.accepted, 65);
  EXPECT_EQ(first.duplicates, 0);
  EXPECT_TRUE(first.ignored.empty());
  EXPECT_TRUE(first.rejected.empty());

  Counts second = Ingest("a.db", kSample);
  EXPECT_EQ(second.lines, 65);
  EXPECT_EQ(second.accepted, 0);
  EXPECT_EQ(second.duplicates, 65);
}

TEST_F(IngestE2e, SimulatorOutputMatchesGroundTruthExactly) {
  Simulate("sim.ndjson");
  Counts truth = ParseCounts(testing::ReadFile(dir_ + "/sim.ndjson.truth"));
  ASSERT_GT(truth.lines, 1000);
  // The simulator injects every fault class.
  EXPECT_GT(truth.duplicates, 0);
  EXPECT_GT(truth.rejected["malformed_json"], 0);
  EXPECT_GT(truth.rejected["missing_event_id"], 0);
  EXPECT_GT(truth.ignored["unsupported_event_family"], 0);

  Counts got = Ingest("s.db", dir_ + "/sim.ndjson");
  ExpectSameCounts(got, truth);
  EXPECT_EQ(got.ClassTotal(), got.lines);
}

TEST_F(IngestE2e, IngestingTwiceChangesNothingTheSecondTime) {
  Simulate("sim.ndjson");
  Counts first = Ingest("s.db", dir_ + "/sim.ndjson");
  Counts second = Ingest("s.db", dir_ + "/sim.ndjson");
  EXPECT_EQ(second.lines, first.lines);
  EXPECT_EQ(second.accepted, 0);
  EXPECT_EQ(second.Sum(second.ignored), 0);
  EXPECT_EQ(second.Sum(second.rejected), 0);
  EXPECT_EQ(second.duplicates, second.lines);
}

TEST_F(IngestE2e, SplitAndCompressedInputCountsLikeTheWhole) {
  Simulate("sim.ndjson");
  const std::string f = dir_ + "/sim.ndjson";
  Counts whole = Ingest("whole.db", f);

  // The same lines in two files (lexical order in a directory), one gzip and one zstd.
  ASSERT_EQ(RunCommand("mkdir " + dir_ + "/parts && cd " + dir_ + "/parts && split -n l/2 " + f +
                       " part- && gzip part-aa && zstd -q --rm part-ab")
                .exit_code,
            0);
  Counts parts = Ingest("parts.db", dir_ + "/parts");
  ExpectSameCounts(parts, whole);
}

}  // namespace
}  // namespace naap
