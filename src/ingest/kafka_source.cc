#include "ingest/kafka_source.h"

#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>
#include <mutex>
#include <tuple>
#include <utility>

namespace naap::ingest {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;
using PartitionKey = std::pair<std::string, int32_t>;  // (topic, partition)

// A polling Next() notices Stop() and the batch end at least this often.
constexpr int kMaxPollMs = 100;
constexpr int kCatchUpPollMs = 5;
// While messages (or errors) flow, the batch clock is read once per this many of them.
constexpr int64_t kMessagesPerClockRead = 64;
// librdkafka reports broker states this often (statistics callback); also refreshes watermarks.
constexpr const char* kStatisticsIntervalMs = "1000";

std::string PositionKey(const std::string& topic, int32_t partition) {
  return "kafka:" + topic + "/" + std::to_string(partition);
}

// The stored position of a partition ("<offset>", pipeline.cc), nullopt when none.
Result<std::optional<int64_t>> StoredOffset(store::Store& store, const std::string& topic,
                                            int32_t partition) {
  const std::string key = PositionKey(topic, partition);
  auto stored = store.SourcePosition(key);
  if (!stored.ok()) return stored.status();
  if (!*stored) return std::optional<int64_t>();
  const std::string& text = **stored;
  int64_t offset = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
  if (ec != std::errc() || end != text.data() + text.size() || offset < 0) {
    return Corruption("stored position " + key + " is not an offset: \"" + text + "\"");
  }
  return std::optional<int64_t>(offset);
}

}  // namespace

struct KafkaSource::Impl {
  // What the current batch yielded from one partition.
  struct Yielded {
    int64_t last_offset = -1;
    Millis last_timestamp = 0;
    int64_t messages = 0;
  };
  struct Partition {
    int64_t committed_next = -1;  // stored offset + 1; -1 before anything is stored
    std::optional<Millis> committed_timestamp;
    Millis assigned_at = 0;
    bool delivered = false;  // a message of it was committed since the assignment
  };

  Impl(store::Store& s, const Clock& c, KafkaSourceOptions o)
      : store(s), clock(c), options(std::move(o)) {}
  ~Impl() {
    if (held != nullptr) rd_kafka_message_destroy(held);
    if (rk != nullptr) {
      closing = true;
      rd_kafka_consumer_close(rk);
      if (pending_revoke != nullptr) rd_kafka_topic_partition_list_destroy(pending_revoke);
      rd_kafka_destroy(rk);
    }
  }

  // NULL while the consumer closes.
  bool Cooperative() const {
    const char* protocol = rd_kafka_rebalance_protocol(rk);
    return protocol != nullptr && std::strcmp(protocol, "COOPERATIVE") == 0;
  }

  void Fail(Status status) {
    std::lock_guard lock(mu);
    if (failure.ok()) failure = std::move(status);
  }
  void RecordError(std::string message) {
    std::lock_guard lock(mu);
    last_error = std::move(message);
  }
  void SetConnected(bool up) {
    if (connected.exchange(up) != up && up) RecordError("");
  }

  void OnAssign(rd_kafka_topic_partition_list_t* partitions) {
    const Millis now = clock.NowMs();
    std::map<PartitionKey, Partition> assigned;
    for (int i = 0; i < partitions->cnt; ++i) {
      rd_kafka_topic_partition_t& tp = partitions->elems[i];
      auto stored = StoredOffset(store, tp.topic, tp.partition);
      if (!stored.ok()) {
        Fail(stored.status());
        return;  // nothing is assigned; Next() ends the source
      }
      Partition& p = assigned[{tp.topic, tp.partition}];
      p.assigned_at = now;
      if (*stored) {
        p.committed_next = **stored + 1;
        tp.offset = p.committed_next;
      } else {
        tp.offset = options.start == KafkaStart::kEarliest ? RD_KAFKA_OFFSET_BEGINNING
                                                           : RD_KAFKA_OFFSET_END;
      }
    }
    if (Cooperative()) {
      if (rd_kafka_error_t* error = rd_kafka_incremental_assign(rk, partitions)) {
        Fail(Unavailable(std::string("kafka assign failed: ") + rd_kafka_error_string(error)));
        rd_kafka_error_destroy(error);
        return;
      }
    } else if (rd_kafka_resp_err_t err = rd_kafka_assign(rk, partitions)) {
      Fail(Unavailable(std::string("kafka assign failed: ") + rd_kafka_err2str(err)));
      return;
    }
    SetConnected(true);
    std::lock_guard lock(mu);
    if (!Cooperative()) partition_state.clear();
    partition_state.merge(assigned);
  }

  // Hands revoked partitions back to the group. Deferred while the current batch holds messages
  // not yet committed (StartBatch() applies it), so their next owner sees their positions.
  void OnRevoke(rd_kafka_topic_partition_list_t* partitions) {
    if (pending_revoke != nullptr) rd_kafka_topic_partition_list_destroy(pending_revoke);
    pending_revoke = rd_kafka_topic_partition_list_copy(partitions);
    if (closing || batch_yielded == 0) ApplyRevoke();
  }

  void ApplyRevoke() {
    if (pending_revoke == nullptr) return;
    if (Cooperative()) {
      if (rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk, pending_revoke)) {
        RecordError(std::string("kafka unassign failed: ") + rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
      }
    } else {
      rd_kafka_assign(rk, nullptr);
    }
    {
      std::lock_guard lock(mu);
      for (int i = 0; i < pending_revoke->cnt; ++i) {
        const rd_kafka_topic_partition_t& tp = pending_revoke->elems[i];
        partition_state.erase({tp.topic, tp.partition});
      }
      if (!Cooperative()) partition_state.clear();
    }
    rd_kafka_topic_partition_list_destroy(pending_revoke);
    pending_revoke = nullptr;
  }

  // (next offset to read, high watermark) of an assigned partition, -1 where unknown. Before
  // anything is stored the next offset is the start: the low watermark (earliest) or the high one
  // (latest: nothing before it is pending).
  std::pair<int64_t, int64_t> Offsets(const PartitionKey& key, const Partition& state) const {
    int64_t low = -1, high = -1;
    rd_kafka_get_watermark_offsets(rk, key.first.c_str(), key.second, &low, &high);
    high = std::max<int64_t>(high, -1);
    if (state.committed_next >= 0) return {state.committed_next, high};
    if (options.start == KafkaStart::kEarliest) return {std::max<int64_t>(low, 0), high};
    return {high, high};
  }

  static void RebalanceCallback(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* impl = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      impl->OnAssign(partitions);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
      impl->OnRevoke(partitions);
    } else {
      impl->RecordError(std::string("kafka rebalance failed: ") + rd_kafka_err2str(err));
      rd_kafka_assign(rk, nullptr);
      std::lock_guard lock(impl->mu);
      impl->partition_state.clear();
    }
  }

  static void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
    auto* impl = static_cast<Impl*>(opaque);
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      char fatal[512];
      rd_kafka_fatal_error(rk, fatal, sizeof fatal);
      impl->Fail(Unavailable(std::string("kafka fatal error: ") + fatal));
      return;
    }
    impl->RecordError(reason);
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) impl->connected = false;
  }

  // Broker states from the statistics JSON: connected while some broker is "UP".
  static int StatisticsCallback(rd_kafka_t*, char* json, size_t json_len, void* opaque) {
    auto* impl = static_cast<Impl*>(opaque);
    simdjson::dom::object brokers;
    if (impl->stats_parser.parse(json, json_len)["brokers"].get(brokers) != simdjson::SUCCESS) {
      return 0;
    }
    bool up = false;
    for (auto [name, broker] : brokers) {
      std::string_view state;
      if (broker["state"].get(state) == simdjson::SUCCESS && state == "UP") up = true;
    }
    impl->SetConnected(up);
    return 0;  // librdkafka frees `json`
  }

  store::Store& store;
  const Clock& clock;
  const KafkaSourceOptions options;
  rd_kafka_t* rk = nullptr;

  // Consumer thread only (callbacks run inside its poll, or in the destructor).
  rd_kafka_message_t* held = nullptr;  // backs the latest Message
  SteadyTime batch_end;       // after this, the batch ends once caught up …
  SteadyTime batch_deadline;  // … and here at the latest
  bool caught_up = false;     // the latest poll found nothing waiting
  int64_t batch_left = 0;
  int64_t batch_yielded = 0;
  int64_t unclocked = 0;  // messages and errors polled since the batch clock was last read
  std::map<PartitionKey, Yielded> batch;
  // The partition of the latest message and its entry of `batch` (messages come in runs).
  rd_kafka_topic_t* last_topic = nullptr;
  int32_t last_partition = -1;
  Yielded* last_yielded = nullptr;
  rd_kafka_topic_partition_list_t* pending_revoke = nullptr;
  bool closing = false;
  simdjson::dom::parser stats_parser;

  std::atomic<bool> connected{false};
  mutable std::mutex mu;  // guards the figures below
  Status failure;
  std::string last_error;
  std::map<PartitionKey, Partition> partition_state;  // the current assignment
  std::map<std::string, int64_t> committed_messages;
};

Result<std::unique_ptr<KafkaSource>> KafkaSource::Create(store::Store& store, const Clock& clock,
                                                         KafkaSourceOptions options) {
  if (options.topics.empty()) return InvalidArgument("no Kafka topic to consume");
  auto impl = std::make_unique<Impl>(store, clock, std::move(options));
  const KafkaSourceOptions& o = impl->options;
  std::vector<std::pair<std::string, std::string>> properties = {
      {"bootstrap.servers", o.brokers},
      {"group.id", o.group},
      {"client.id", "naap"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // Only used when a stored position is out of range (e.g. deleted by retention).
      {"auto.offset.reset", "earliest"},
      {"queued.max.messages.kbytes", std::to_string(o.queued_max_kbytes)},
      // A restarted naap (crash, kill -9, deploy) gets its partitions back after at most 10 s
      // instead of librdkafka's 45 s default; a batch commits well within that.
      {"session.timeout.ms", "10000"},
      {"heartbeat.interval.ms", "1000"},
      {"statistics.interval.ms", kStatisticsIntervalMs}};
  properties.insert(properties.end(), o.config.begin(), o.config.end());

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  for (const auto& [key, value] : properties) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return InvalidArgument(std::string(errstr));
    }
  }
  rd_kafka_conf_set_opaque(conf, impl.get());
  rd_kafka_conf_set_rebalance_cb(conf, &Impl::RebalanceCallback);
  rd_kafka_conf_set_error_cb(conf, &Impl::ErrorCallback);
  rd_kafka_conf_set_stats_cb(conf, &Impl::StatisticsCallback);
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (impl->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument(std::string(errstr));
  }
  // Every callback (errors, statistics, rebalances) is served by the consumer poll.
  rd_kafka_poll_set_consumer(impl->rk);

  rd_kafka_topic_partition_list_t* topics =
      rd_kafka_topic_partition_list_new(static_cast<int>(o.topics.size()));
  for (const std::string& topic : o.topics) {
    rd_kafka_topic_partition_list_add(topics, topic.c_str(), RD_KAFKA_PARTITION_UA);
  }
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(impl->rk, topics);
  rd_kafka_topic_partition_list_destroy(topics);
  if (err) return InvalidArgument(std::string("kafka subscribe: ") + rd_kafka_err2str(err));
  auto source = std::unique_ptr<KafkaSource>(new KafkaSource(std::move(impl)));
  source->StartBatch();
  return source;
}

KafkaSource::KafkaSource(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaSource::~KafkaSource() = default;

Status KafkaSource::status() const {
  std::lock_guard lock(impl_->mu);
  return impl_->failure;
}

void KafkaSource::StartBatch() {
  Impl& s = *impl_;
  {
    std::lock_guard lock(s.mu);
    for (const auto& [key, yielded] : s.batch) {
      s.committed_messages[key.first] += yielded.messages;
      auto it = s.partition_state.find(key);
      if (it == s.partition_state.end()) continue;
      it->second.committed_next = yielded.last_offset + 1;
      it->second.committed_timestamp = yielded.last_timestamp;
      it->second.delivered = true;
    }
  }
  s.batch.clear();
  s.last_topic = nullptr;
  s.last_yielded = nullptr;
  s.batch_yielded = 0;
  s.ApplyRevoke();
  const SteadyTime now = std::chrono::steady_clock::now();
  s.batch_end = now + std::chrono::milliseconds(s.options.batch_ms);
  s.batch_deadline = now + std::chrono::milliseconds(s.options.max_batch_ms);
  s.caught_up = false;
  s.batch_left = s.options.batch_messages;
}

bool KafkaSource::Next(Message& out) {
  Impl& s = *impl_;
  if (s.held != nullptr) {
    rd_kafka_message_destroy(s.held);
    s.held = nullptr;
  }
  for (;;) {
    if (finished_) return false;
    if (stop_requested_ || !status().ok()) {
      finished_ = true;
      return false;
    }
    if (s.pending_revoke != nullptr || s.batch_left <= 0) return false;
    // While messages flow a poll returns at once; an empty one sets caught_up and the next
    // iteration reads the clock.
    int64_t wait = kCatchUpPollMs;
    if (s.caught_up || s.unclocked >= kMessagesPerClockRead) {
      s.unclocked = 0;
      const SteadyTime now = std::chrono::steady_clock::now();
      if (now >= s.batch_deadline || (now >= s.batch_end && s.caught_up)) return false;
      const int64_t left =
          std::chrono::duration_cast<std::chrono::milliseconds>(s.batch_end - now).count();
      // Past batch_end a short poll only checks whether more is already waiting.
      if (left > 0) wait = std::min<int64_t>(left, kMaxPollMs);
    }
    rd_kafka_message_t* message = rd_kafka_consumer_poll(s.rk, static_cast<int>(wait));
    if (message == nullptr) {
      s.caught_up = true;
      continue;
    }
    s.caught_up = false;
    if (message->err) {
      ++s.unclocked;  // a flood of errors must not keep the batch from ending
      if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        s.RecordError(rd_kafka_message_errstr(message));
      }
      rd_kafka_message_destroy(message);
      continue;
    }
    s.held = message;
    break;
  }
  rd_kafka_message_t* m = s.held;
  if (!s.connected.load()) s.SetConnected(true);
  const char* topic = rd_kafka_topic_name(m->rkt);
  rd_kafka_timestamp_type_t timestamp_type;
  int64_t timestamp = rd_kafka_message_timestamp(m, &timestamp_type);
  if (timestamp < 0) timestamp = s.clock.NowMs();

  out = Message{};
  out.bytes = std::string_view(static_cast<const char*>(m->payload), m->payload ? m->len : 0);
  out.kafka_topic = topic;
  out.provenance.source = "kafka";
  out.provenance.topic = topic;
  out.provenance.partition = m->partition;
  out.provenance.offset = m->offset;
  out.provenance.index = messages_.fetch_add(1) + 1;
  if (m->rkt != s.last_topic || m->partition != s.last_partition) {
    s.last_topic = m->rkt;
    s.last_partition = m->partition;
    s.last_yielded = &s.batch[{out.provenance.topic, m->partition}];
  }
  Impl::Yielded& yielded = *s.last_yielded;
  yielded.last_offset = m->offset;
  yielded.last_timestamp = timestamp;
  ++yielded.messages;
  --s.batch_left;
  ++s.batch_yielded;
  ++s.unclocked;
  return true;
}

bool KafkaSource::StreamsPending() const {
  const Impl& s = *impl_;
  const Millis now = s.clock.NowMs();
  std::lock_guard lock(s.mu);
  for (const auto& [key, state] : s.partition_state) {
    if (state.delivered || now - state.assigned_at >= kStreamIdleMs || s.batch.contains(key)) {
      continue;
    }
    const auto [next, high] = s.Offsets(key, state);
    if (high < 0 || next < 0 || next < high) return true;  // waiting, or not known yet
  }
  return false;
}

KafkaStatus KafkaSource::Snapshot() const {
  const Impl& s = *impl_;
  const Millis now = s.clock.NowMs();
  KafkaStatus snapshot;
  snapshot.connected = s.connected.load();
  std::lock_guard lock(s.mu);
  snapshot.last_error = s.last_error;
  if (!snapshot.connected) {
    snapshot.degraded_reason =
        s.last_error.empty() ? "no broker connection yet" : "no broker up: " + s.last_error;
  }
  snapshot.committed_messages = s.committed_messages;
  for (const auto& [key, state] : s.partition_state) {
    KafkaPartitionStatus p{.topic = key.first, .partition = key.second};
    std::tie(p.committed_offset, p.high_watermark) = s.Offsets(key, state);
    if (p.high_watermark >= 0 && p.committed_offset >= 0) {
      p.lag = std::max<int64_t>(0, p.high_watermark - p.committed_offset);
    }
    if (p.lag > 0) {
      const Millis since = state.committed_timestamp.value_or(state.assigned_at);
      p.lag_seconds = static_cast<double>(std::max<Millis>(0, now - since)) / 1000;
    }
    snapshot.partitions.push_back(std::move(p));
  }
  return snapshot;
}

}  // namespace naap::ingest
