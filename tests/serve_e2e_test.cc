// `naap serve` end to end: the binary on an ephemeral port with the live simulator, /healthz,
// growing dashboard data, /metrics, SIGTERM → exit 0, and the store keeping every counted line
// (a second `naap serve` over the same store reports at least as many); a server answers while
// it restores its facts and stops promptly then.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "test_util.h"

namespace naap {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::ChildProcess;
using testing::HttpGet;
using testing::HttpResult;

const std::string kNaap = NAAP_BINARY;

std::vector<std::string> NaapArgv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{kNaap};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// A `naap serve` child process; its stdout is read until the metrics URL names the port.
class ServeProcess {
 public:
  explicit ServeProcess(const std::vector<std::string>& args) : child_(NaapArgv(args)) {
    const std::regex metrics_url(R"(^metrics +http://127\.0\.0\.1:([0-9]+)/metrics)");
    const auto line = child_.WaitForLine(metrics_url, std::chrono::seconds(60));
    std::smatch m;
    if (line && std::regex_search(*line, m, metrics_url)) {
      port_ = static_cast<uint16_t>(std::stoi(m[1]));
    }
  }
  uint16_t port() const { return port_; }
  const std::string& output() const { return child_.output(); }

  // Sends SIGTERM and returns the exit status (-1 when it had not exited within `limit`).
  int Terminate(milliseconds limit) {
    child_.Signal(SIGTERM);
    return child_.Wait(limit);
  }

 private:
  ChildProcess child_;
  uint16_t port_ = 0;
};

// Σ naap_ingest_lines_total over every series of a /metrics body.
double IngestedLines(const std::string& metrics) {
  double total = 0;
  const std::regex line(R"((^|\n)naap_ingest_lines_total\{[^}]*\} ([0-9.e+]+))");
  for (auto it = std::sregex_iterator(metrics.begin(), metrics.end(), line);
       it != std::sregex_iterator(); ++it) {
    total += std::stod((*it)[2]);
  }
  return total;
}

struct Kpi {
  double usage_mins = 0;
  int64_t sessions = 0;
};
Kpi ParseKpi(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(body);
  Kpi kpi;
  kpi.usage_mins = double(root["streaming"]["dailyUsageMins"]["value"]);
  kpi.sessions = int64_t(root["streaming"]["dailySessionCount"]["value"]);
  return kpi;
}

bool WaitHealthy(uint16_t port) {
  const auto deadline = steady_clock::now() + std::chrono::seconds(15);
  while (steady_clock::now() < deadline) {
    if (HttpGet(port, "/healthz").status == 200) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

class ServeE2e : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  // The URI of a new sqlite store in dir_ holding `hours` simulated hours (0.05 scale) from
  // `start`.
  std::string SimulatedStore(const std::string& name, int hours, const std::string& start) {
    const std::string store = "sqlite:" + dir_ + "/" + name;
    auto ingested = testing::RunCommand(kNaap + " simulate --hours " + std::to_string(hours) +
                                        " --seed 5 --scale 0.05 --start " + start + " --out - | " +
                                        kNaap + " ingest --store " + store + " - > /dev/null");
    EXPECT_EQ(ingested.exit_code, 0) << ingested.out;
    return store;
  }
  std::string dir_;
};

TEST_F(ServeE2e, LiveSimulatorGrowsTheDashboardAndSurvivesARestart) {
  const std::string store = "sqlite:" + dir_ + "/serve.db";
  double lines_before_stop = 0;
  {
    ServeProcess serve({"serve", "--store", store, "--listen", "127.0.0.1:0", "--source", "sim:400",
                        "--threads", "2"});
    ASSERT_GT(serve.port(), 0) << "no metrics URL on stdout: " << serve.output();
    EXPECT_NE(serve.output().find("API     http://127.0.0.1:"), std::string::npos);
    EXPECT_NE(serve.output().find("/docs\n"), std::string::npos);
    ASSERT_TRUE(WaitHealthy(serve.port()));
    ASSERT_TRUE(testing::WaitFactsRestored(serve.port(), std::chrono::seconds(30)));

    HttpResult kpi = HttpGet(serve.port(), "/v1/dashboard/kpi");
    if (kpi.status == 404) {
      GTEST_SKIP() << "route /v1/dashboard/kpi is missing from AllRoutes(): " << kpi.body;
    }
    ASSERT_EQ(kpi.status, 200) << kpi.body;
    // The live dataset grows: within 20 s the dashboard shows more usage or more sessions, and
    // never less.
    Kpi first = ParseKpi(kpi.body);
    bool grew = false;
    const auto deadline = steady_clock::now() + std::chrono::seconds(20);
    while (!grew && steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(500));
      kpi = HttpGet(serve.port(), "/v1/dashboard/kpi");
      ASSERT_EQ(kpi.status, 200);
      Kpi now = ParseKpi(kpi.body);
      EXPECT_GE(now.sessions, first.sessions);
      grew = now.sessions > first.sessions || now.usage_mins > first.usage_mins;
    }
    EXPECT_TRUE(grew) << "no new sessions or usage within 20 s";

    // Let more than 100 lines commit (a few batches at 400 events/s; the simulated network
    // starts below its rate), then stop.
    HttpResult metrics;
    const auto lines_deadline = steady_clock::now() + std::chrono::seconds(20);
    do {
      metrics = HttpGet(serve.port(), "/metrics");
      ASSERT_EQ(metrics.status, 200);
      lines_before_stop = IngestedLines(metrics.body);
      if (lines_before_stop <= 100) std::this_thread::sleep_for(milliseconds(200));
    } while (lines_before_stop <= 100 && steady_clock::now() < lines_deadline);
    EXPECT_NE(metrics.body.find("naap_ingest_lag_seconds{source=\"sim\"}"), std::string::npos);
    EXPECT_NE(metrics.body.find("http_requests_total{"), std::string::npos);
    EXPECT_GT(lines_before_stop, 100);

    EXPECT_EQ(serve.Terminate(std::chrono::seconds(20)), 0);
  }
  // Every line counted before the stop (and the final batch) is in the store: a server without
  // a source over the same store counts at least as many, and the serving tables have slices.
  {
    ServeProcess again({"serve", "--store", store, "--listen", "127.0.0.1:0"});
    ASSERT_GT(again.port(), 0) << again.output();
    ASSERT_TRUE(WaitHealthy(again.port()));
    ASSERT_TRUE(testing::WaitFactsRestored(again.port(), std::chrono::seconds(30)));
    HttpResult metrics = HttpGet(again.port(), "/metrics");
    ASSERT_EQ(metrics.status, 200);
    const double stored = IngestedLines(metrics.body);
    EXPECT_GE(stored, lines_before_stop);
    // Idle: nothing more arrives without a source.
    std::this_thread::sleep_for(milliseconds(1500));
    EXPECT_EQ(IngestedLines(HttpGet(again.port(), "/metrics").body), stored);
    EXPECT_EQ(again.Terminate(std::chrono::seconds(20)), 0);
  }
  auto checksum = testing::RunCommand(kNaap + " checksum --store " + store);
  ASSERT_EQ(checksum.exit_code, 0);
  const std::regex table_line(R"((^|\n)\S+ [0-9a-f]{64} ([0-9]+))");
  int64_t slices = 0;
  for (auto it = std::sregex_iterator(checksum.out.begin(), checksum.out.end(), table_line);
       it != std::sregex_iterator(); ++it) {
    slices += std::stoll((*it)[2]);
  }
  EXPECT_GT(slices, 0) << checksum.out;
}

TEST_F(ServeE2e, AnswersWhileItRestoresAndStopsPromptlyThen) {
  // Three simulated hours: their restore takes seconds, long enough to be seen.
  const std::string store = "sqlite:" + dir_ + "/restore.db";
  auto ingested = testing::RunCommand(kNaap + " simulate --hours 3 --seed 5 --out - | " + kNaap +
                                      " ingest --store " + store + " - > /dev/null");
  ASSERT_EQ(ingested.exit_code, 0) << ingested.out;
  // Without the checkpoint the ingest wrote, the restore replays the whole raw log.
  auto dropped =
      testing::RunCommand("sqlite3 " + dir_ +
                          "/restore.db \"DELETE FROM checkpoint_parts; "
                          "DELETE FROM store_meta WHERE name = 'checkpoint_covers_seq'\"");
  ASSERT_EQ(dropped.exit_code, 0) << dropped.out;

  ServeProcess serve({"serve", "--store", store, "--listen", "127.0.0.1:0", "--source", "sim:100"});
  ASSERT_GT(serve.port(), 0) << serve.output();
  EXPECT_EQ(HttpGet(serve.port(), "/healthz").status, 200);
  const HttpResult ready = HttpGet(serve.port(), "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find(R"({"name":"facts","ok":false)"), std::string::npos) << ready.body;
  // Routes that read the stored slices answer; those that read the facts say why they cannot.
  const HttpResult kpi = HttpGet(serve.port(), "/v1/dashboard/kpi");
  EXPECT_EQ(kpi.status, 200) << kpi.body;
  const HttpResult feed = HttpGet(serve.port(), "/v1/dashboard/job-feed");
  EXPECT_EQ(feed.status, 503);
  EXPECT_NE(feed.body.find(R"("detail":"the facts are being restored from the raw log")"),
            std::string::npos)
      << feed.body;

  // SIGTERM during the restore: it is cancelled, the live source stops, exit 0.
  const auto stop = steady_clock::now();
  EXPECT_EQ(serve.Terminate(std::chrono::seconds(20)), 0) << serve.output();
  EXPECT_LT(steady_clock::now() - stop, std::chrono::seconds(5));

  // A second server restores the same facts in full and then serves them.
  // Its KPI during the restore and after it are the same: the restore changes no stored slice.
  ServeProcess again({"serve", "--store", store, "--listen", "127.0.0.1:0"});
  ASSERT_GT(again.port(), 0) << again.output();
  const HttpResult early_kpi = HttpGet(again.port(), "/v1/dashboard/kpi");
  ASSERT_TRUE(testing::WaitFactsRestored(again.port(), std::chrono::seconds(60)));
  EXPECT_EQ(HttpGet(again.port(), "/readyz").status, 200);
  const HttpResult restored_kpi = HttpGet(again.port(), "/v1/dashboard/kpi");
  EXPECT_EQ(restored_kpi.status, 200);
  EXPECT_EQ(restored_kpi.body, early_kpi.body);
  EXPECT_EQ(HttpGet(again.port(), "/v1/dashboard/job-feed").status, 200);
  EXPECT_EQ(again.Terminate(std::chrono::seconds(20)), 0);
}

// `--raw-retention`: once restored, the server sweeps the raw log hours older than the horizon
// (from the newest event), and its status reports the new oldest event.
TEST_F(ServeE2e, SweepsTheRawLogPastItsRetention) {
  const std::string store = SimulatedStore("retention.db", 5, "2026-01-01T00:00:00Z");
  const std::string token = "0123456789abcdef0123";
  const std::string token_file = dir_ + "/token";
  std::FILE* f = std::fopen(token_file.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(token.c_str(), f);
  std::fclose(f);
  const auto oldest_event = [&](uint16_t port) {
    const HttpResult status =
        HttpGet(port, "/v1/admin/status", "Authorization: Bearer " + token + "\r\n");
    EXPECT_EQ(status.status, 200) << status.body;
    const std::regex oldest(R"re("raw_log":\{[^}]*"oldest_event_at":"([^"]+)")re");
    std::smatch m;
    return std::regex_search(status.body, m, oldest) ? m[1].str() : std::string();
  };

  ServeProcess full(
      {"serve", "--store", store, "--listen", "127.0.0.1:0", "--admin-token-file", token_file});
  ASSERT_GT(full.port(), 0) << full.output();
  ASSERT_TRUE(testing::WaitFactsRestored(full.port(), std::chrono::seconds(60)));
  EXPECT_EQ(oldest_event(full.port()).substr(0, 13), "2026-01-01T00") << full.output();
  EXPECT_EQ(full.Terminate(std::chrono::seconds(20)), 0);

  // The newest event is just before 05:00: with a 3 h horizon the cut is hour(01:59) = 01:00.
  ServeProcess swept({"serve", "--store", store, "--listen", "127.0.0.1:0", "--admin-token-file",
                      token_file, "--raw-retention", "3h"});
  ASSERT_GT(swept.port(), 0) << swept.output();
  ASSERT_TRUE(testing::WaitFactsRestored(swept.port(), std::chrono::seconds(60)));
  std::string oldest;
  const auto deadline = steady_clock::now() + std::chrono::seconds(20);
  while ((oldest = oldest_event(swept.port())).substr(0, 13) < "2026-01-01T01" &&
         steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_EQ(oldest.substr(0, 13), "2026-01-01T01") << oldest;
  EXPECT_EQ(swept.Terminate(std::chrono::seconds(20)), 0);
}

// `--serving-retention`: the sweep removes the serving slices of the UTC days wholly past it
// (here all of 2026-01-01, four hours of two orgs, and its benchmark day), and a later server
// that names no horizon keeps the store's: nothing more goes, nothing comes back.
TEST_F(ServeE2e, ServingRetentionRemovesTheDaysPastIt) {
  const std::string store = SimulatedStore("serving.db", 8, "2026-01-01T20:00:00Z");
  // Table → slice count, from `naap checksum`.
  const auto slice_counts = [&] {
    auto r = testing::RunCommand(kNaap + " checksum --store " + store);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    std::map<std::string, int> counts;
    std::istringstream lines(r.out);
    std::string table, sha;
    int count = 0;
    while (lines >> table >> sha >> count) counts[table] = count;
    return counts;
  };
  const std::map<std::string, int> before = slice_counts();
  ASSERT_EQ(before.at("api_hourly_streaming_sla"), 16);
  ASSERT_EQ(before.at("api_sla_benchmark_daily"), 2);

  // The newest event is just before 04:00 on 2026-01-02: with 3 h, the serving cut is that day.
  for (const bool named : {true, false}) {
    std::vector<std::string> args = {"serve", "--store", store, "--listen", "127.0.0.1:0"};
    if (named) {
      for (const char* arg : {"--raw-retention", "3h", "--serving-retention", "3h"}) {
        args.emplace_back(arg);
      }
    }
    ServeProcess server(args);
    ASSERT_GT(server.port(), 0) << server.output();
    ASSERT_TRUE(testing::WaitFactsRestored(server.port(), std::chrono::seconds(60)));
    // The sweep at the restore's end: the benchmark's day (org "") goes last.
    const auto deadline = steady_clock::now() + std::chrono::seconds(20);
    while (named && slice_counts().at("api_sla_benchmark_daily") > 1 &&
           steady_clock::now() < deadline) {
      std::this_thread::sleep_for(milliseconds(200));
    }
    EXPECT_EQ(server.Terminate(std::chrono::seconds(20)), 0);
    const std::map<std::string, int> after = slice_counts();
    ASSERT_EQ(after.size(), before.size());
    for (const auto& [table, count] : after) {
      EXPECT_EQ(count, table == "api_sla_benchmark_daily" ? 1 : 8) << table << " named " << named;
    }
  }
}

TEST_F(ServeE2e, UsageErrorsExitWithStatus2) {
  const std::string token_file = dir_ + "/token";
  std::FILE* f = std::fopen(token_file.c_str(), "w");
  std::fputs("short-token\n", f);
  std::fclose(f);
  for (const std::string& args :
       {"--admin-token-file " + token_file, std::string("--listen nowhere"),
        std::string("--listen 256.1.1.1:80"), std::string("--source sim:600000"),
        std::string("--trusted-proxies bogus"), std::string("--threads abc"),
        std::string("--source kafka"), std::string("--admin-max-body 12XB"),
        std::string("--serving-retention 2x"),
        std::string("--raw-retention 10d --serving-retention 5d")}) {
    auto r = testing::RunCommand(kNaap + " serve --store memory: " + args + " 2>/dev/null");
    EXPECT_EQ(r.exit_code, 2) << args;
  }
  auto r = testing::RunCommand("NAAP_ADMIN_TOKEN=0123456789abcde " + kNaap +
                               " serve --store memory: 2>/dev/null");
  EXPECT_EQ(r.exit_code, 2) << "a 15-character token";
}

}  // namespace
}  // namespace naap
