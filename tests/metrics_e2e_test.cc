// /metrics of a running `naap serve` fed by the simulator passes Debian's Prometheus checker
// (issue 4 item 5: `promtool check metrics` on the output) and carries the spec/api.md §1.13
// families and the pipeline's own.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <thread>

#include "child_process.h"
#include "test_util.h"

namespace naap {
namespace {

using namespace std::chrono_literals;

TEST(MetricsE2e, ScrapeOfALiveServerPassesPromtool) {
  const std::string dir = testing::MakeTempDir();
  testing::ChildProcess serve({NAAP_BINARY, "serve", "--store", "sqlite:" + dir + "/naap.db",
                               "--listen", "127.0.0.1:0", "--source", "sim:400"});
  ASSERT_GT(serve.pid(), 0);
  auto line = serve.WaitForLine(std::regex("^metrics +http://127\\.0\\.0\\.1:[0-9]+/metrics"), 30s);
  ASSERT_TRUE(line.has_value()) << serve.output();
  const uint16_t port = static_cast<uint16_t>(
      std::stoi(std::regex_replace(*line, std::regex("^.*:([0-9]+)/metrics.*$"), "$1")));
  ASSERT_TRUE(testing::WaitFactsRestored(port, 30s));

  // Wait until the first simulator batch is committed and its lag published (the counts are
  // committed inside the batch, the lag just after it), scraping after one request of each kind.
  std::string metrics;
  for (int i = 0; i < 100; ++i) {
    testing::HttpGet(port, "/v1/dashboard/kpi");
    testing::HttpGet(port, "/v1/nope");
    metrics = testing::HttpGet(port, "/metrics").body;
    if (metrics.find("naap_ingest_lines_total{") != std::string::npos &&
        metrics.find("naap_ingest_lag_seconds{") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  for (const char* family :
       {"http_requests_total{method=\"GET\",route=\"/v1/dashboard/kpi\",status=\"200\"}",
        "http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"}",
        "http_request_duration_seconds_bucket{", "http_requests_in_flight", "naap_build_info{",
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
        "process_start_time_seconds", "naap_ingest_lines_total{", "naap_ingest_lag_seconds{",
        "\nnaap_store_commit_seconds_total ", "\nnaap_store_commits_total{result=\"error\"} 0\n",
        "\nnaap_store_raw_log_bytes "}) {
    EXPECT_NE(metrics.find(family), std::string::npos) << family;
  }
  // The batch behind the lines counted above is committed, and its raw log is in the store.
  for (const char* positive :
       {"\nnaap_store_commits_total{result=\"ok\"} ", "\nnaap_store_committed_raw_bytes_total ",
        "\nnaap_store_raw_log_blocks "}) {
    const size_t at = metrics.find(positive);
    ASSERT_NE(at, std::string::npos) << positive;
    EXPECT_GT(std::stod(metrics.substr(at + std::strlen(positive))), 0) << positive;
  }
  const std::string path = dir + "/metrics.txt";
  std::ofstream(path) << metrics;
  EXPECT_EQ(std::system(("/usr/bin/promtool check metrics < " + path + " > " + dir +
                         "/promtool.out 2>&1")
                            .c_str()),
            0)
      << testing::ReadFile(dir + "/promtool.out");

  serve.Signal(SIGTERM);
  EXPECT_EQ(serve.Wait(30s), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace naap
