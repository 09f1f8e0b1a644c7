// Kafka end to end over the real protocol: naap-kafka-test-broker (librdkafka's mock cluster on
// loopback), `naap simulate --kafka` and kcat as producers, `naap serve --kafka` as the consumer.
// Exactly once: the store's accounting equals the simulator's truth and its serving tables equal
// a clean file ingest of the same events, after SIGKILLs at random points, across a broker outage,
// with two topics mapped to two orgs, and past a poison message.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "test_util.h"

namespace naap {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using testing::ChildProcess;
using testing::HttpGet;
using testing::RunCommand;

const std::string kNaap = NAAP_BINARY;
const std::string kBroker = NAAP_KAFKA_TEST_BROKER;
const std::string kAdminToken = "kafka-e2e-admin-token-0123456789";

// Class and reason counts; reasons with a zero count are left out.
struct Counts {
  int64_t lines = 0, accepted = 0, duplicates = 0;
  std::map<std::string, int64_t> ignored, rejected;
  bool operator==(const Counts&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Counts& c) {
  os << "{lines " << c.lines << ", accepted " << c.accepted << ", duplicates " << c.duplicates;
  for (const auto& [k, v] : c.ignored) os << ", ignored " << k << " " << v;
  for (const auto& [k, v] : c.rejected) os << ", rejected " << k << " " << v;
  return os << "}";
}

std::map<std::string, int64_t> NonZero(simdjson::dom::object counts) {
  std::map<std::string, int64_t> out;
  for (auto [k, v] : counts) {
    if (int64_t(v) != 0) out[std::string(k)] = int64_t(v);
  }
  return out;
}

// The counts of a truth file's class-count object (the root, or one entry of by_org).
Counts TruthCounts(simdjson::dom::element c) {
  return {int64_t(c["lines"]), int64_t(c["accepted"]), int64_t(c["duplicates"]),
          NonZero(c["ignored"]), NonZero(c["rejected"])};
}

Counts Sum(const Counts& a, const Counts& b) {
  Counts sum{a.lines + b.lines, a.accepted + b.accepted, a.duplicates + b.duplicates, a.ignored,
             a.rejected};
  for (const auto& [k, v] : b.ignored) sum.ignored[k] += v;
  for (const auto& [k, v] : b.rejected) sum.rejected[k] += v;
  return sum;
}

// What GET /v1/quality reports: the store's accounting and the slices still to publish.
struct Quality {
  Counts counts;
  int64_t dirty_slices = -1;
};

std::optional<Quality> GetQuality(uint16_t port, const std::string& org) {
  const auto r = HttpGet(port, "/v1/quality" + (org.empty() ? "" : "?org=" + org));
  if (r.status != 200) return std::nullopt;
  simdjson::dom::parser parser;
  simdjson::dom::element data = parser.parse(r.body)["data"];
  simdjson::dom::element ingest = data["ingest"];
  Quality q;
  q.counts = {int64_t(ingest["lines_read"]), int64_t(ingest["accepted"]),
              int64_t(ingest["duplicates"]), NonZero(data["ignored_by_reason"]),
              NonZero(data["rejected_by_reason"])};
  q.dirty_slices = int64_t(data["freshness"]["dirty_slices"]);
  return q;
}

// The start of the current UTC hour minus two hours, ISO-8601: the simulated window then lies in
// the default 24 h window of /v1/quality.
std::string SimulationStart() {
  const std::time_t start = std::time(nullptr) / 3600 * 3600 - 2 * 3600;
  std::tm utc{};
  gmtime_r(&start, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:00:00Z", &utc);
  return text;
}

// A running `naap serve --kafka` with its HTTP port.
struct Serve {
  std::unique_ptr<ChildProcess> process;
  uint16_t port = 0;
};

class KafkaE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir();
    setenv("NAAP_ADMIN_TOKEN", kAdminToken.c_str(), 1);
    sim_args_ = " --hours 2 --scale 0.02 --start " + SimulationStart();
  }
  void TearDown() override {
    broker_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts the test broker with `topics` (NAME:PARTITIONS; none = its defaults).
  void StartBroker(const std::vector<std::string>& topics = {}) {
    std::vector<std::string> argv = {kBroker};
    for (const std::string& t : topics) argv.insert(argv.end(), {"--topic", t});
    broker_ = std::make_unique<ChildProcess>(argv);
    auto line = broker_->WaitForLine(std::regex("^bootstrap="), seconds(10));
    ASSERT_TRUE(line.has_value()) << "the test broker printed no bootstrap line";
    bootstrap_ = line->substr(std::string("bootstrap=").size());
  }
  // Sends `down` or `up` to the broker and waits for its acknowledgement.
  void BrokerCommand(const std::string& command) {
    ASSERT_TRUE(broker_->WriteLine(command));
    ASSERT_TRUE(broker_->WaitForLine(std::regex("^ok " + command + "$"), seconds(5)).has_value());
  }

  // Produces the simulation to the broker; returns the truth document. Compressed with zstd: the
  // mock broker keeps only the newest ~5 MB per partition, which the larger simulations exceed
  // uncompressed (and with lz4) on one partition.
  std::string ProduceSimulation(const std::string& extra = "", int seed = kSeed) {
    const std::string truth = dir_ + "/kafka.truth";
    auto r = RunCommand(kNaap + " simulate --kafka " + bootstrap_ +
                        " --kafka-config compression.codec=zstd" + sim_args_ + " --seed " +
                        std::to_string(seed) + " --truth " + truth + extra);
    EXPECT_EQ(r.exit_code, 0) << "naap simulate --kafka failed";
    return testing::ReadFile(truth);
  }
  // The offset of the oldest message partition 0 of `topic` still holds (kcat), -1 when empty.
  // Above 0 once the mock broker has dropped batches to stay within its 5 MB per partition.
  int64_t FirstOffset(const std::string& topic) {
    auto r = RunCommand("kcat -C -b " + bootstrap_ + " -t " + topic +
                        " -p 0 -o beginning -c 1 -e -q -f '%o'");
    return r.exit_code == 0 && !r.out.empty() ? std::stoll(r.out) : -1;
  }
  // `naap checksum` of a clean `naap ingest` of the same simulation written to a file.
  std::string CleanFileChecksum() {
    const std::string file = dir_ + "/sim.ndjson", store = "sqlite:" + dir_ + "/clean.db";
    EXPECT_EQ(RunCommand(kNaap + " simulate --out " + file + sim_args_ + " --seed " +
                         std::to_string(kSeed))
                  .exit_code,
              0);
    EXPECT_EQ(RunCommand(kNaap + " ingest --json --store " + store + " " + file).exit_code, 0);
    return Checksum(store);
  }
  static std::string Checksum(const std::string& store) {
    auto r = RunCommand(kNaap + " checksum --store " + store);
    EXPECT_EQ(r.exit_code, 0);
    return r.out;
  }

  // A SIGKILLed consumer keeps its partitions until its group session times out (librdkafka's
  // default: 45 s), so the tests shorten the session.
  Serve StartServe(const std::string& store, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv = {kNaap,           "serve",
                                     "--kafka",       bootstrap_,
                                     "--store",       store,
                                     "--listen",      "127.0.0.1:0",
                                     "--kafka-start", "earliest",
                                     "--kafka-config", "session.timeout.ms=6000",
                                     "--kafka-config", "heartbeat.interval.ms=500"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Serve serve{std::make_unique<ChildProcess>(argv)};
    const std::regex metrics_url(R"(^metrics +http://127\.0\.0\.1:([0-9]+)/metrics)");
    auto line = serve.process->WaitForLine(metrics_url, seconds(20));
    std::smatch m;
    if (line && std::regex_search(*line, m, metrics_url)) {
      serve.port = static_cast<uint16_t>(std::stoi(m[1]));
    }
    return serve;
  }
  // Waits until the store has counted `lines` lines (only those that are not duplicates when
  // `distinct`) and published every slice; the last report.
  static Quality WaitConsumed(const Serve& serve, int64_t lines, seconds limit = seconds(45),
                              bool distinct = false) {
    Quality q;
    const auto deadline = steady_clock::now() + limit;
    while (steady_clock::now() < deadline) {
      if (auto now = GetQuality(serve.port, "")) {
        q = *now;
        const int64_t counted = q.counts.lines - (distinct ? q.counts.duplicates : 0);
        if (counted >= lines && q.dirty_slices == 0) return q;
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
    ADD_FAILURE() << "not consumed within " << limit.count() << " s: " << q.counts << ", want "
                  << lines << (distinct ? " distinct" : "") << " lines; dirty slices "
                  << q.dirty_slices;
    return q;
  }

  static constexpr int kSeed = 11;
  std::string dir_;
  std::string sim_args_;  // the simulated network, without its seed
  std::unique_ptr<ChildProcess> broker_;
  std::string bootstrap_;
};

// The checksum comparisons use one partition per topic: an org's messages then arrive in the
// file's order. With several partitions, the first copy of a re-drained worker_lifecycle to arrive
// (spec/events.md §7.1) can be the later one, and api_observed_byoc_worker then keeps its time.
const std::vector<std::string> kOnePartitionTopics = {"network_events:1", "streaming_events:1"};

TEST_F(KafkaE2e, ConsumedCountsEqualTruthAndTablesEqualFileIngest) {
  ASSERT_NO_FATAL_FAILURE(StartBroker(kOnePartitionTopics));
  simdjson::dom::parser parser;
  const Counts truth = TruthCounts(parser.parse(ProduceSimulation()));
  ASSERT_GT(truth.lines, 1000);
  ASSERT_GT(truth.duplicates, 0);
  ASSERT_GT(truth.rejected.at("malformed_json"), 0);

  const std::string store = "sqlite:" + dir_ + "/kafka.db";
  Serve serve = StartServe(store);
  ASSERT_GT(serve.port, 0) << serve.process->output();
  EXPECT_EQ(WaitConsumed(serve, truth.lines).counts, truth);
  serve.process->Signal(SIGTERM);
  EXPECT_EQ(serve.process->Wait(seconds(20)), 0);
  EXPECT_EQ(Checksum(store), CleanFileChecksum());
}

TEST_F(KafkaE2e, KillNineAtRandomPointsLosesAndDoubleCountsNothing) {
  // A larger network, so that consumption spans several batch commits and the kills land among
  // them. It must fit the mock broker's 5 MB per partition: the producer lingers 1 s, so every
  // batch fills up (10,000 messages or 1 MB) and compresses as well however busy the machine is
  // (with 5,000-message batches the 0.2 scale's streaming_events already overflowed).
  sim_args_ = " --hours 2 --scale 0.15 --start " + SimulationStart();
  ASSERT_NO_FATAL_FAILURE(StartBroker(kOnePartitionTopics));
  simdjson::dom::parser parser;
  const Counts truth =
      TruthCounts(parser.parse(ProduceSimulation(" --kafka-config linger.ms=1000")));
  for (const std::string topic : {"network_events", "streaming_events"}) {
    ASSERT_EQ(FirstOffset(topic), 0) << "the mock broker dropped the oldest batches of " << topic;
  }
  const std::string store = "sqlite:" + dir_ + "/kafka.db";
  const std::string auth = "Authorization: Bearer " + kAdminToken + "\r\n";
  std::mt19937 random(20260108);
  // Small fetches keep the consumption of the backlog several seconds long, so every kill lands
  // in it (with librdkafka's defaults the whole backlog takes about a second).
  const std::vector<std::string> slow_fetch = {
      "--kafka-config", "max.partition.fetch.bytes=16384", "--kafka-config",
      "queued.max.messages.kbytes=64"};
  int kills_mid_consumption = 0;
  for (int round = 0; round < 3; ++round) {
    Serve serve = StartServe(store, slow_fetch);
    ASSERT_GT(serve.port, 0) << serve.process->output();
    // Kill at a random moment of the first batch after the partitions are assigned.
    const auto deadline = steady_clock::now() + seconds(20);
    while (steady_clock::now() < deadline &&
           HttpGet(serve.port, "/v1/admin/status", auth).body.find("\"high_watermark\"") ==
               std::string::npos) {
      std::this_thread::sleep_for(milliseconds(20));
    }
    std::this_thread::sleep_for(milliseconds(std::uniform_int_distribution<int>(0, 600)(random)));
    serve.process->Signal(SIGKILL);
    EXPECT_EQ(serve.process->Wait(seconds(10)), 128 + SIGKILL);
    // What the killed process had committed, read back through a server without Kafka.
    Serve reader{std::make_unique<ChildProcess>(std::vector<std::string>{
        kNaap, "serve", "--store", store, "--listen", "127.0.0.1:0"})};
    const std::regex metrics_url(R"(^metrics +http://127\.0\.0\.1:([0-9]+)/metrics)");
    auto line = reader.process->WaitForLine(metrics_url, seconds(20));
    std::smatch m;
    ASSERT_TRUE(line && std::regex_search(*line, m, metrics_url));
    const auto reader_port = static_cast<uint16_t>(std::stoi(m[1]));
    ASSERT_TRUE(testing::WaitFactsRestored(reader_port, seconds(30)));
    auto stored = GetQuality(reader_port, "");
    ASSERT_TRUE(stored.has_value());
    if (stored->counts.lines < truth.lines) ++kills_mid_consumption;
  }
  EXPECT_EQ(kills_mid_consumption, 3) << "a kill came after consumption had finished";

  Serve serve = StartServe(store);
  ASSERT_GT(serve.port, 0);
  EXPECT_EQ(WaitConsumed(serve, truth.lines, seconds(90)).counts, truth);
  // Nothing more arrives later.
  std::this_thread::sleep_for(seconds(1));
  EXPECT_EQ(GetQuality(serve.port, "")->counts.lines, truth.lines);
  serve.process->Signal(SIGTERM);
  EXPECT_EQ(serve.process->Wait(seconds(20)), 0);
  EXPECT_EQ(Checksum(store), CleanFileChecksum());
}

TEST_F(KafkaE2e, BrokerOutageInTheMiddleLosesNothing) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const std::string store = "sqlite:" + dir_ + "/kafka.db";
  Serve serve = StartServe(store);
  ASSERT_GT(serve.port, 0) << serve.process->output();
  // The producer paces its messages over about 6 s; the brokers go down after 1.5 s for 4 s.
  std::string truth_json;
  std::thread producer([&] { truth_json = ProduceSimulation(" --rate 1500"); });
  std::this_thread::sleep_for(milliseconds(1500));
  ASSERT_NO_FATAL_FAILURE(BrokerCommand("down"));
  const auto outage_start = steady_clock::now();
  bool degraded = false;
  while (!degraded && steady_clock::now() < outage_start + seconds(15)) {
    const auto ready = HttpGet(serve.port, "/readyz");
    degraded = ready.status == 503 || ready.body.find("degraded") != std::string::npos;
    if (!degraded) std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_TRUE(degraded) << "/readyz reported nothing during the outage";
  EXPECT_EQ(HttpGet(serve.port, "/healthz").status, 200) << "the API stops serving in an outage";
  std::this_thread::sleep_until(outage_start + seconds(4));
  ASSERT_NO_FATAL_FAILURE(BrokerCommand("up"));
  producer.join();

  simdjson::dom::parser parser;
  const Counts truth = TruthCounts(parser.parse(truth_json));
  // Delivery is at least once: the producer resends what the brokers took but did not
  // acknowledge before they went down. Every resent copy must count as a duplicate.
  Counts counts =
      WaitConsumed(serve, truth.lines - truth.duplicates, seconds(45), /*distinct=*/true).counts;
  const int64_t resent = counts.lines - truth.lines;
  EXPECT_GE(resent, 0) << counts;
  counts.lines -= resent;
  counts.duplicates -= resent;
  EXPECT_EQ(counts, truth) << resent << " resent";
  const auto deadline = steady_clock::now() + seconds(15);
  while (HttpGet(serve.port, "/readyz").status != 200 && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(200));
  }
  EXPECT_EQ(HttpGet(serve.port, "/readyz").status, 200) << "still not ready after the outage";
}

TEST_F(KafkaE2e, TwoTopicsCountUnderTheirMappedOrgs) {
  ASSERT_NO_FATAL_FAILURE(StartBroker({"alpha-events:2", "beta_events:4"}));
  // Each org's events to its own topic: simulate the network twice, once per topic.
  const std::string alpha_json = ProduceSimulation(" --topic alpha-events");
  const std::string beta_json = ProduceSimulation(" --topic beta_events", kSeed + 1);
  simdjson::dom::parser alpha_parser, beta_parser;
  const Counts alpha = TruthCounts(alpha_parser.parse(alpha_json));
  const Counts beta = TruthCounts(beta_parser.parse(beta_json));

  Serve serve = StartServe("sqlite:" + dir_ + "/kafka.db",
                           {"--topics", "alpha-events,beta_events", "--topic-org",
                            "alpha-events=alpha", "--topic-org", "beta_events=beta"});
  ASSERT_GT(serve.port, 0) << serve.process->output();
  EXPECT_EQ(WaitConsumed(serve, alpha.lines + beta.lines).counts, Sum(alpha, beta));
  EXPECT_EQ(GetQuality(serve.port, "alpha")->counts, alpha);
  EXPECT_EQ(GetQuality(serve.port, "beta")->counts, beta);

  // Every partition of both topics reports its position and no lag.
  const auto status =
      HttpGet(serve.port, "/v1/admin/status", "Authorization: Bearer " + kAdminToken + "\r\n");
  ASSERT_EQ(status.status, 200) << status.body;
  simdjson::dom::parser status_parser;
  std::map<std::string, int> partitions;
  for (simdjson::dom::element source : status_parser.parse(status.body)["data"]["sources"]) {
    if (std::string_view(source["kind"]) != "kafka") continue;
    for (simdjson::dom::element p : source["partitions"].get_array()) {
      ++partitions[std::string(std::string_view(source["topic"]))];
      EXPECT_EQ(int64_t(p["lag"]), 0);
      EXPECT_EQ(int64_t(p["committed_offset"]), int64_t(p["high_watermark"]));
    }
  }
  EXPECT_EQ(partitions, (std::map<std::string, int>{{"alpha-events", 2}, {"beta_events", 4}}))
      << status.body;
}

TEST_F(KafkaE2e, PoisonMessageIsRejectedAndItsPartitionGoesOn) {
  ASSERT_NO_FATAL_FAILURE(StartBroker());
  const int64_t ts = static_cast<int64_t>(std::time(nullptr)) * 1000 - 60'000;
  auto envelope = [&](const std::string& id) {
    return R"({"id":")" + id + R"(","type":"discovery_results","timestamp":")" +
           std::to_string(ts) +
           R"(","gateway":"","data":[{"address":"0x52cf2968b3dc6016778742d3539449a6597d5954","latency_ms":"77","url":"https://orch.example:8935"}]})";
  };
  const std::string lines = dir_ + "/poison.ndjson";
  {
    std::FILE* f = std::fopen(lines.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fprintf(f, "%s\n%s\n%s\n%s\n", envelope("before-1").c_str(), envelope("before-2").c_str(),
                 "{\"id\":\"poison\",\"type\":", envelope("after-1").c_str());
    std::fclose(f);
  }
  ASSERT_EQ(RunCommand("kcat -P -b " + bootstrap_ + " -t streaming_events -p 0 < " + lines).exit_code,
            0);

  Serve serve = StartServe("sqlite:" + dir_ + "/kafka.db");
  ASSERT_GT(serve.port, 0) << serve.process->output();
  const Counts want{4, 3, 0, {}, {{"malformed_json", 1}}};
  EXPECT_EQ(WaitConsumed(serve, 4).counts, want);
  EXPECT_EQ(GetQuality(serve.port, "cloudspe")->counts, want);

  // The partition goes on: a message produced after the poison one is consumed too.
  ASSERT_EQ(RunCommand("echo '" + envelope("after-2") + "' | kcat -P -b " + bootstrap_ +
                       " -t streaming_events -p 0")
                .exit_code,
            0);
  const Counts more{5, 4, 0, {}, {{"malformed_json", 1}}};
  EXPECT_EQ(WaitConsumed(serve, 5).counts, more);
}

// No broker listening: the producer gives up after its connect timeout (10 s), not after
// librdkafka's 5 minutes of delivery retries, and says so (exit 1, an operational failure).
TEST(KafkaSimulate, AnUnreachableBrokerFailsTheRunAtOnce) {
  auto r = RunCommand(kNaap + " simulate --kafka 127.0.0.1:1 --hours 0.01 --scale 0.01 2>&1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no broker of 127.0.0.1:1 answered within 10 s"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace naap
