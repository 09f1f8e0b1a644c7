// naap-kafka-test-broker: librdkafka's mock cluster (rdkafka_mock.h) on loopback, for the Kafka
// integration tests and bench/kafka.sh. It speaks the real Kafka protocol over TCP, so `naap
// serve --kafka`, `naap simulate --kafka` and kcat use it like any cluster.
//
//   naap-kafka-test-broker [--brokers N] [--topic NAME:PARTITIONS]... [--rtt MS]
//
// Starts N brokers (default 3, ids 1..N) and creates the topics (default network_events:3 and
// streaming_events:3); --rtt delays every broker response by MS milliseconds (a slow network,
// so tests can act while a consumer is still reading). Then it prints `bootstrap=<host:port,...>` as its first stdout line. It runs
// until SIGTERM, SIGINT or EOF on stdin, and reads one command per stdin line:
//   down  every broker drops its connections and refuses new ones (an outage);
//   up    every broker accepts connections again.
// Each command is answered by one stdout line, `ok <command>` or `error <reason>`. Tests "stop and
// restart the broker" with down/up: the topics and their messages survive, as they would on a
// real cluster whose brokers restart.
//
// Limit of the mock cluster (librdkafka 2.0.2): each partition keeps only its newest 5 MB of
// message batches (or 100,000 batches) and silently drops older ones. Size topics accordingly:
// more partitions, or a compressing producer with full batches (`naap simulate --kafka
// --kafka-config compression.codec=zstd --kafka-config linger.ms=1000`).
#include <librdkafka/rdkafka.h>
// rdkafka_mock.h must follow rdkafka.h.
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void RequestStop(int) { stop_requested = 1; }

struct TopicSpec {
  std::string name;
  int partitions = 0;
};

// "NAME:PARTITIONS" with PARTITIONS ≥ 1.
bool ParseTopic(const std::string& text, TopicSpec& out) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  try {
    size_t used = 0;
    const std::string count = text.substr(colon + 1);
    out.partitions = std::stoi(count, &used);
    if (used != count.size() || out.partitions < 1) return false;
  } catch (const std::exception&) {
    return false;
  }
  out.name = text.substr(0, colon);
  return true;
}

void Reply(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

// Applies `down` or `up` to every broker.
void RunCommand(rd_kafka_mock_cluster_t* cluster, int brokers, const std::string& command) {
  if (command != "down" && command != "up") {
    Reply("error unknown command: " + command);
    return;
  }
  for (int id = 1; id <= brokers; ++id) {
    const rd_kafka_resp_err_t err = command == "down" ? rd_kafka_mock_broker_set_down(cluster, id)
                                                      : rd_kafka_mock_broker_set_up(cluster, id);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      Reply("error broker " + std::to_string(id) + ": " + rd_kafka_err2str(err));
      return;
    }
  }
  Reply("ok " + command);
}

// Serves stdin commands until a stop signal or EOF.
void CommandLoop(rd_kafka_mock_cluster_t* cluster, int brokers) {
  std::string pending;
  char buf[4096];
  while (!stop_requested) {
    pollfd fd{.fd = STDIN_FILENO, .events = POLLIN, .revents = 0};
    if (poll(&fd, 1, 200) <= 0) continue;  // timeout, or EINTR from a stop signal
    const ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) return;  // EOF: the parent went away
    pending.append(buf, static_cast<size_t>(n));
    size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string command = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      while (!command.empty() && (command.back() == '\r' || command.back() == ' ')) command.pop_back();
      if (!command.empty()) RunCommand(cluster, brokers, command);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("librdkafka mock Kafka cluster on loopback for naap's integration tests");
  int brokers = 3;
  int rtt_ms = 0;
  std::vector<std::string> topic_args;
  app.add_option("--brokers", brokers, "number of brokers")->check(CLI::Range(1, 16));
  app.add_option("--topic", topic_args, "NAME:PARTITIONS, repeatable")
      ->default_str("network_events:3 streaming_events:3");
  app.add_option("--rtt", rtt_ms, "response delay of every broker, ms")
      ->check(CLI::Range(0, 10'000));
  CLI11_PARSE(app, argc, argv);
  if (topic_args.empty()) topic_args = {"network_events:3", "streaming_events:3"};
  std::vector<TopicSpec> topics;
  for (const std::string& arg : topic_args) {
    TopicSpec spec;
    if (!ParseTopic(arg, spec)) {
      std::fprintf(stderr, "naap-kafka-test-broker: bad --topic %s (want NAME:PARTITIONS)\n",
                   arg.c_str());
      return 2;
    }
    topics.push_back(std::move(spec));
  }

  // The mock cluster needs a client handle for its bookkeeping; it is never used to produce.
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof errstr);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (handle == nullptr) {
    std::fprintf(stderr, "naap-kafka-test-broker: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "naap-kafka-test-broker: cannot start the mock cluster\n");
    rd_kafka_destroy(handle);
    return 1;
  }
  int exit_code = 0;
  for (const TopicSpec& topic : topics) {
    const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(
        cluster, topic.name.c_str(), topic.partitions, std::min(brokers, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "naap-kafka-test-broker: topic %s: %s\n", topic.name.c_str(),
                   rd_kafka_err2str(err));
      exit_code = 1;
    }
  }
  for (int id = 1; id <= brokers && rtt_ms > 0; ++id) {
    if (rd_kafka_mock_broker_set_rtt(cluster, id, rtt_ms) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "naap-kafka-test-broker: cannot set the rtt of broker %d\n", id);
      exit_code = 1;
    }
  }
  if (exit_code == 0) {
    std::signal(SIGTERM, RequestStop);
    std::signal(SIGINT, RequestStop);
    std::signal(SIGPIPE, SIG_IGN);
    Reply(std::string("bootstrap=") + rd_kafka_mock_cluster_bootstraps(cluster));
    CommandLoop(cluster, brokers);
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return exit_code;
}
