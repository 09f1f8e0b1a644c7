#include "metrics/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <thread>

namespace naap::metrics {
namespace {

TEST(RegistryTest, RendersCountersAndGaugesInRegistrationAndLabelOrder) {
  Registry registry;
  registry.GetCounter("http_requests_total", "Requests served.", {{"route", "/b"}}).Add(2);
  registry.GetGauge("queue_depth", "Items queued.").Set(-1.5);
  registry.GetCounter("http_requests_total", "ignored", {{"route", "/a"}}).Add();
  registry.GetCounter("http_requests_total", "ignored", {{"route", "/b"}}).Add(0.25);
  EXPECT_EQ(registry.Render(),
            "# HELP http_requests_total Requests served.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{route=\"/a\"} 1\n"
            "http_requests_total{route=\"/b\"} 2.25\n"
            "# HELP queue_depth Items queued.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth -1.5\n");
}

TEST(RegistryTest, HistogramBucketsAreCumulativeWithInclusiveUpperBounds) {
  Registry registry;
  Histogram& h = registry.GetHistogram("req_seconds", "Latency.", {0.1, 1, 2.5}, {{"m", "GET"}});
  for (double v : {0.05, 0.1, 0.7, 3.0}) h.Observe(v);
  EXPECT_EQ(registry.Render(),
            "# HELP req_seconds Latency.\n"
            "# TYPE req_seconds histogram\n"
            "req_seconds_bucket{m=\"GET\",le=\"0.1\"} 2\n"
            "req_seconds_bucket{m=\"GET\",le=\"1\"} 3\n"
            "req_seconds_bucket{m=\"GET\",le=\"2.5\"} 3\n"
            "req_seconds_bucket{m=\"GET\",le=\"+Inf\"} 4\n"
            "req_seconds_sum{m=\"GET\"} 3.85\n"
            "req_seconds_count{m=\"GET\"} 4\n");
  Histogram::Snapshot snap = h.Read();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{2, 3, 3, 4}));
  EXPECT_EQ(snap.count, 4u);
}

TEST(RegistryTest, EscapesLabelValuesAndHelpText) {
  Registry registry;
  registry.GetGauge("g", "line one\nback\\slash \"kept\"", {{"path", "a\"b\\c\nd"}}).Set(1e21);
  EXPECT_EQ(registry.Render(),
            "# HELP g line one\\nback\\\\slash \"kept\"\n"
            "# TYPE g gauge\n"
            "g{path=\"a\\\"b\\\\c\\nd\"} 1e+21\n");
}

TEST(RegistryTest, CollectorSamplesAreSortedAndPlacedAtTheirRegistration) {
  Registry registry;
  registry.GetGauge("first", "First.").Set(3);
  registry.AddCollector({{"lag_seconds", "Lag.", "gauge"}, {"lines_total", "Lines.", "counter"}},
                        [] {
                          return std::vector<Sample>{{"lines_total", {{"org", "b"}}, 7},
                                                     {"lag_seconds", {{"source", "sim"}}, 0.5},
                                                     {"lines_total", {{"org", "a"}}, 5}};
                        });
  registry.GetCounter("last_total", "Last.").Add(4);
  EXPECT_EQ(registry.Render(),
            "# HELP first First.\n# TYPE first gauge\nfirst 3\n"
            "# HELP lag_seconds Lag.\n# TYPE lag_seconds gauge\nlag_seconds{source=\"sim\"} 0.5\n"
            "# HELP lines_total Lines.\n# TYPE lines_total counter\n"
            "lines_total{org=\"a\"} 5\nlines_total{org=\"b\"} 7\n"
            "# HELP last_total Last.\n# TYPE last_total counter\nlast_total 4\n");
}

TEST(RegistryTest, SpecialValuesAndConcurrentUpdates) {
  Registry registry;
  Gauge& g = registry.GetGauge("g", "G.");
  g.Set(std::numeric_limits<double>::infinity());
  EXPECT_NE(registry.Render().find("g +Inf\n"), std::string::npos);
  g.Set(-0.0);
  EXPECT_NE(registry.Render().find("g 0\n"), std::string::npos);

  Counter& c = registry.GetCounter("c_total", "C.");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&registry] {
      for (int i = 0; i < 10000; ++i) registry.GetCounter("c_total", "C.").Add();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 40000);
}

TEST(RegistryTest, ProcessCollectorReportsThisProcess) {
  Registry registry;
  AddProcessCollector(registry);
  const std::string text = registry.Render();
  EXPECT_NE(text.find("# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total "),
            std::string::npos);
  for (const char* name : {"process_resident_memory_bytes ", "process_open_fds ",
                           "process_start_time_seconds ", "process_virtual_memory_bytes "}) {
    const size_t at = text.find(std::string("\n") + name);
    ASSERT_NE(at, std::string::npos) << name;
    const double value = std::strtod(text.c_str() + at + 1 + std::strlen(name), nullptr);
    EXPECT_GT(value, 0) << name;
  }
  // Started within the last day, not in the future.
  const size_t at = text.find("\nprocess_start_time_seconds ");
  const double start = std::strtod(text.c_str() + at + 28, nullptr);
  const double now = static_cast<double>(time(nullptr));
  EXPECT_LE(start, now + 1);
  EXPECT_GT(start, now - 86400);
}

TEST(RegistryTest, PromtoolAcceptsTheExposition) {
  Registry registry;
  AddProcessCollector(registry);
  registry
      .GetCounter("http_requests_total", "HTTP responses sent.",
                  {{"method", "GET"}, {"route", "/v1/x"}, {"status", "200"}})
      .Add(3);
  registry
      .GetHistogram("http_request_duration_seconds", "Request latency.",
                    {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
                    {{"method", "GET"}, {"route", "/v1/x"}})
      .Observe(0.02);
  registry.GetGauge("http_requests_in_flight", "Requests being served.").Set(1);
  registry.GetGauge("naap_build_info", "Build.", {{"store", "memory"}, {"version", "dev\"x"}})
      .Set(1);
  const std::string path = ::testing::TempDir() + "/metrics_" + std::to_string(getpid()) + ".txt";
  std::ofstream(path) << registry.Render();
  const int rc = std::system(("/usr/bin/promtool check metrics < " + path).c_str());
  std::remove(path.c_str());
  ASSERT_TRUE(WIFEXITED(rc));
  EXPECT_EQ(WEXITSTATUS(rc), 0);
}

}  // namespace
}  // namespace naap::metrics
