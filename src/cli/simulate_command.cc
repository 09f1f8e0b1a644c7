// `naap simulate`: the simulator's network (src/sim/generator.h), optionally paced in real time,
// and its ground truth as JSON. Output goes to one of:
//  --out FILE|-        NDJSON export-wrapper lines;
//  --kafka BROKERS     a Kafka producer: each message's bytes (the envelope, or a malformed line's
//                      raw text) to the topic of its org, or to --topic. A malformed line has no
//                      readable org, so it goes to streaming_events (org cloudspe) unless --topic
//                      says otherwise. Like the upstream producer, every message carries a random
//                      key (from --seed, so a run is reproducible), which spreads a topic's
//                      messages over its partitions. Like the upstream producer (go-livepeer's
//                      monitor/backend_kafka.go: a kafka-go Writer without a codec) it does not
//                      compress; --kafka-config KEY=VALUE (repeatable) sets librdkafka producer
//                      properties, e.g. compression.codec=zstd. The producer is idempotent (no
//                      duplicates from retries); every delivery report is checked, and the
//                      command exits 1 if any message was not delivered.
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "base/time.h"
#include "cli/commands.h"
#include "sim/generator.h"

namespace naap::cli {
namespace {

struct SimulateOptions {
  std::string out;
  std::string kafka;
  std::string topic;
  std::vector<std::string> kafka_config;  // KEY=VALUE librdkafka producer properties
  double hours = 1.0;
  uint64_t seed = 1;
  std::string start;
  std::string truth;
  double rate = 0;  // events per second of wall time; 0 = as fast as possible
  double scale = 1.0;
};

// Where generated messages go. Write and Flush return false after a failure; error() names it.
class MessageOutput {
 public:
  virtual ~MessageOutput() = default;
  virtual bool Write(const sim::Message& msg) = 0;
  // Makes every message written so far visible to readers (called while pacing).
  virtual bool Flush() = 0;
  // Completes the output; false when any message was lost.
  virtual bool Close() = 0;
  const std::string& error() const { return error_; }

 protected:
  std::string error_;
};

class FileOutput final : public MessageOutput {
 public:
  static std::unique_ptr<FileOutput> Open(const std::string& path) {
    FILE* file = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
    if (file == nullptr) return nullptr;
    return std::unique_ptr<FileOutput>(new FileOutput(path, file));
  }
  ~FileOutput() override {
    if (file_ != stdout && file_ != nullptr) std::fclose(file_);
  }
  bool Write(const sim::Message& msg) override {
    sim::WriteWrapperLine(msg, buffer_);
    return buffer_.size() < (1 << 20) || Drain();
  }
  bool Flush() override { return Drain() && Check(std::fflush(file_) == 0); }
  bool Close() override {
    bool ok = Flush();
    if (file_ != stdout) ok = Check(std::fclose(file_) == 0) && ok;
    file_ = nullptr;
    return ok;
  }

 private:
  FileOutput(const std::string& path, FILE* file) : path_(path), file_(file) {
    buffer_.reserve(1 << 21);
  }
  bool Drain() {
    const bool ok = std::fwrite(buffer_.data(), 1, buffer_.size(), file_) == buffer_.size();
    buffer_.clear();
    return Check(ok);
  }
  bool Check(bool ok) {
    if (!ok && error_.empty()) error_ = "write error on " + path_;
    return ok;
  }

  std::string path_;
  FILE* file_;
  std::string buffer_;
};

class KafkaOutput final : public MessageOutput {
 public:
  static std::unique_ptr<KafkaOutput> Open(const SimulateOptions& opt, std::string& error) {
    char errstr[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    auto output = std::unique_ptr<KafkaOutput>(new KafkaOutput(opt));
    std::vector<std::pair<std::string, std::string>> properties = {
        {"bootstrap.servers", opt.kafka}, {"enable.idempotence", "true"}, {"linger.ms", "5"}};
    for (const std::string& property : opt.kafka_config) {
      auto pair = ParseAssignment(property);
      if (!pair) {
        rd_kafka_conf_destroy(conf);
        error = "--kafka-config: expected KEY=VALUE, got \"" + property + "\"";
        return nullptr;
      }
      properties.push_back(std::move(*pair));
    }
    for (const auto& [key, value] : properties) {
      if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
          RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        error = errstr;
        return nullptr;
      }
    }
    rd_kafka_conf_set_dr_msg_cb(conf, &KafkaOutput::OnDelivery);
    rd_kafka_conf_set_opaque(conf, output.get());
    output->producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (output->producer_ == nullptr) {  // rd_kafka_new destroys conf only on success
      rd_kafka_conf_destroy(conf);
      error = errstr;
      return nullptr;
    }
    return output;
  }
  ~KafkaOutput() override {
    if (producer_ != nullptr) rd_kafka_destroy(producer_);
  }

  // Whether a broker answers within kConnectTimeoutMs: an unreachable cluster fails the run at
  // once instead of after message.timeout.ms (5 minutes by default) of retries.
  static constexpr int kConnectTimeoutMs = 10'000;
  bool Reachable(std::string& error) {
    const rd_kafka_metadata_t* metadata = nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_metadata(producer_, 0, nullptr, &metadata, kConnectTimeoutMs);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      error = "no broker of " + options_.kafka + " answered within " +
              std::to_string(kConnectTimeoutMs / 1000) + " s: " + rd_kafka_err2str(err);
      return false;
    }
    rd_kafka_metadata_destroy(metadata);
    return true;
  }

  bool Write(const sim::Message& msg) override {
    const std::string_view topic =
        !options_.topic.empty() ? options_.topic
        : msg.malformed         ? sim::OrgTopic(sim::Org::kCloudspe)
                                : msg.topic;
    topic_.assign(topic);
    const std::string key = RandomKey();
    while (true) {
      const rd_kafka_resp_err_t err = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(topic_.c_str()),
          RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(msg.bytes.data()), msg.bytes.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        error_ = "produce to " + topic_ + ": " + rd_kafka_err2str(err);
        return false;
      }
      rd_kafka_poll(producer_, 50);  // the local queue is full: wait for deliveries
    }
    rd_kafka_poll(producer_, 0);
    return failed_ == 0;
  }
  bool Flush() override {
    rd_kafka_poll(producer_, 0);
    return failed_ == 0;
  }
  bool Close() override {
    // Every queued message ends in a delivery report (success, or failure after
    // message.timeout.ms), so this returns once all are accounted for.
    while (rd_kafka_outq_len(producer_) > 0) rd_kafka_flush(producer_, 1000);
    if (failed_ > 0) {
      error_ = std::to_string(failed_) + " messages not delivered, first: " + first_failure_;
    }
    return failed_ == 0;
  }

 private:
  explicit KafkaOutput(const SimulateOptions& opt) : options_(opt), key_rng_(opt.seed) {}

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* message, void* opaque) {
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
    auto* self = static_cast<KafkaOutput*>(opaque);
    if (self->failed_++ == 0) self->first_failure_ = rd_kafka_err2str(message->err);
  }
  // 32 random hex digits, like the random UUIDs of the upstream producer.
  std::string RandomKey() {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string key(32, '0');
    for (size_t i = 0; i < key.size(); i += 16) {
      uint64_t bits = key_rng_();
      for (size_t j = 0; j < 16; ++j, bits >>= 4) key[i + j] = kHex[bits & 15];
    }
    return key;
  }

  SimulateOptions options_;
  std::mt19937_64 key_rng_;
  rd_kafka_t* producer_ = nullptr;
  std::string topic_;
  int64_t failed_ = 0;
  std::string first_failure_;
};

int RunSimulate(const SimulateOptions& opt) {
  const Millis now = SystemClock().NowMs();
  Millis start = HourFloor(now) - static_cast<Millis>(std::llround(opt.hours * kHourMs));
  if (!opt.start.empty()) {
    Result<Millis> parsed = sim::ParseUtcTime(opt.start);
    if (!parsed.ok()) {
      std::fprintf(stderr, "naap simulate: %s\n", parsed.status().message().c_str());
      return 2;
    }
    start = *parsed;
  }
  if (opt.out.empty() == opt.kafka.empty()) {
    std::fprintf(stderr, "naap simulate: give exactly one of --out and --kafka\n");
    return 2;
  }
  sim::Config config;
  config.seed = opt.seed;
  config.start_ms = start;
  // Never an event time later than the real clock + 1 h.
  config.end_ms = std::min(start + static_cast<Millis>(std::llround(opt.hours * kHourMs)), now + kHourMs);
  config.scale = opt.scale;
  auto generator = sim::Generator::Create(config);
  if (!generator.ok()) {
    std::fprintf(stderr, "naap simulate: %s\n", generator.status().message().c_str());
    return 2;
  }
  std::unique_ptr<MessageOutput> output;
  if (!opt.kafka.empty()) {
    std::string error;
    std::unique_ptr<KafkaOutput> kafka = KafkaOutput::Open(opt, error);
    if (kafka == nullptr) {
      std::fprintf(stderr, "naap simulate: kafka producer: %s\n", error.c_str());
      return 2;
    }
    if (!kafka->Reachable(error)) {
      std::fprintf(stderr, "naap simulate: %s\n", error.c_str());
      return 1;
    }
    output = std::move(kafka);
  } else if (!(output = FileOutput::Open(opt.out))) {
    std::fprintf(stderr, "naap simulate: cannot open %s\n", opt.out.c_str());
    return 1;
  }
  sim::Message msg;
  bool ok = true;
  uint64_t written = 0;
  const auto wall_start = std::chrono::steady_clock::now();
  auto last_flush = wall_start;
  while (ok && (*generator)->Next(msg)) {
    ok = output->Write(msg);
    ++written;
    if (opt.rate > 0) {
      // Pace: message n is due n / rate seconds after the start; flush at least once a second.
      const auto due = wall_start + std::chrono::duration<double>(static_cast<double>(written) / opt.rate);
      const auto wall = std::chrono::steady_clock::now();
      if (due > wall || wall - last_flush >= std::chrono::seconds(1)) {
        ok = ok && output->Flush();
        last_flush = wall;
        std::this_thread::sleep_until(due);
      }
    }
  }
  ok = output->Close() && ok;
  if (!ok) {
    std::fprintf(stderr, "naap simulate: %s\n", output->error().c_str());
    return 1;
  }
  if (!opt.truth.empty()) {
    FILE* truth = std::fopen(opt.truth.c_str(), "wb");
    const std::string json = (*generator)->truth().ToJson() + "\n";
    if (truth == nullptr || std::fwrite(json.data(), 1, json.size(), truth) != json.size() || std::fclose(truth) != 0) {
      std::fprintf(stderr, "naap simulate: cannot write %s\n", opt.truth.c_str());
      return 1;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  std::fprintf(stderr, "naap simulate: %llu lines in %.2f s (%.0f lines/s)\n", static_cast<unsigned long long>(written),
               seconds, seconds > 0 ? static_cast<double>(written) / seconds : 0.0);
  return 0;
}

// A finite number, > 0 (or ≥ 0 with `allow_zero`), with a message naming the value: CLI11's own
// range checks print the whole of DBL_MAX.
CLI::Validator FiniteNumber(bool allow_zero) {
  return CLI::Validator(
      [allow_zero](std::string& text) -> std::string {
        double value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
          return "not a number: \"" + text + "\"";
        }
        if (allow_zero ? value < 0 : value <= 0) {
          return std::string(allow_zero ? "must be ≥ 0" : "must be > 0") + ", got " + text;
        }
        return "";
      },
      allow_zero ? "NUMBER ≥ 0" : "NUMBER > 0");
}

// Decimal digits only: CLI11 reads "-5" into an unsigned option as 2^64 − 5.
const CLI::Validator kUnsigned(
    [](std::string& text) -> std::string {
      const bool digits = !text.empty() && std::all_of(text.begin(), text.end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
      return digits ? "" : "not an unsigned integer: \"" + text + "\"";
    },
    "UINT");

}  // namespace

void AddSimulateCommand(CLI::App& app, int& exit_code) {
  auto opt = std::make_shared<SimulateOptions>();
  CLI::App* cmd = app.add_subcommand("simulate", "Generate a deterministic simulated Livepeer network as NDJSON or to Kafka");
  CLI::Option* out = cmd->add_option("--out", opt->out, "output file, or - for stdout");
  CLI::Option* kafka =
      cmd->add_option("--kafka", opt->kafka, "produce to Kafka instead: comma-separated bootstrap servers");
  out->excludes(kafka);
  cmd->add_option("--topic", opt->topic, "with --kafka: one topic for every message (default: each org's topic)")
      ->needs(kafka);
  cmd->add_option("--kafka-config", opt->kafka_config,
                  "with --kafka: a librdkafka producer property KEY=VALUE (repeatable)");
  cmd->add_option("--hours", opt->hours, "simulated hours (default 1)")->check(FiniteNumber(false));
  cmd->add_option("--seed", opt->seed, "random seed (default 1)")->check(kUnsigned);
  cmd->add_option("--start", opt->start, "first event hour, UTC ISO-8601 (default: the current hour minus --hours)");
  cmd->add_option("--truth", opt->truth, "write the ground-truth JSON here");
  cmd->add_option("--rate", opt->rate, "pace output at this many events per second of wall time")
      ->check(FiniteNumber(true));
  cmd->add_option("--scale", opt->scale,
                  "network size; 1 = today's network (about 5M events a day)")
      ->check(FiniteNumber(false));
  cmd->callback([opt, &exit_code] { exit_code = RunSimulate(*opt); });
}

}  // namespace naap::cli
