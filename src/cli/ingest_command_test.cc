// Runs the built `naap` binary: `naap ingest --json` on the real sample, twice, and usage errors.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

namespace {

struct Outcome {
  int exit_code = -1;
  std::string stdout_text;
};

Outcome RunNaap(const std::string& args) {
  std::string command = std::string(NAAP_BINARY) + " " + args + " 2>/dev/null";
  Outcome outcome;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return outcome;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
    outcome.stdout_text.append(buf.data(), n);
  int status = pclose(pipe);
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

std::string LastLine(const std::string& text) {
  std::string trimmed = text.substr(0, text.find_last_not_of('\n') + 1);
  return trimmed.substr(trimmed.find_last_of('\n') + 1);
}

class IngestCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("naap_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string StoreArg() const { return "--store sqlite:" + (dir_ / "naap.db").string(); }

  std::filesystem::path dir_;
  const std::string sample_ =
      std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";
};

TEST_F(IngestCommandTest, SampleTwiceThenAllDuplicates) {
  Outcome first = RunNaap("ingest " + StoreArg() + " --json " + sample_);
  EXPECT_EQ(first.exit_code, 0);
  std::string line = LastLine(first.stdout_text);
  EXPECT_TRUE(line.starts_with(
      R"({"lines":65,"accepted":65,"ignored":{},"rejected":{},"duplicates":0,"seconds":)"))
      << line;

  Outcome second = RunNaap("ingest " + StoreArg() + " --json " + sample_);
  EXPECT_EQ(second.exit_code, 0);
  line = LastLine(second.stdout_text);
  EXPECT_TRUE(line.starts_with(
      R"({"lines":65,"accepted":0,"ignored":{},"rejected":{},"duplicates":65,"seconds":)"))
      << line;
}

TEST_F(IngestCommandTest, HumanSummaryWithoutJson) {
  Outcome run = RunNaap("ingest " + StoreArg() + " " + sample_);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.stdout_text.find("65 lines: 65 accepted, 0 ignored, 0 rejected, 0 duplicates"),
            std::string::npos)
      << run.stdout_text;
}

TEST_F(IngestCommandTest, InvalidOrgIsAUsageError) {
  EXPECT_EQ(RunNaap("ingest " + StoreArg() + " --org Bad.Org " + sample_).exit_code, 2);
}

TEST_F(IngestCommandTest, MissingFileIsAnOperationalFailure) {
  EXPECT_EQ(RunNaap("ingest " + StoreArg() + " " + (dir_ / "absent.ndjson").string()).exit_code, 1);
}

TEST_F(IngestCommandTest, BadEventsDoNotFailTheCommand) {
  std::string path = (dir_ / "bad.ndjson").string();
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs("not json\n{\"id\":\"x\"}\n", f);
  std::fclose(f);
  Outcome run = RunNaap("ingest " + StoreArg() + " --org cloudspe --json " + path);
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(
      LastLine(run.stdout_text).find(R"("rejected":{"malformed_json":1,"missing_event_type":1})"),
      std::string::npos)
      << run.stdout_text;
}

}  // namespace
