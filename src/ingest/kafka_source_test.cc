// KafkaSource against librdkafka's mock cluster, in process over loopback TCP: the real Kafka
// protocol (group join, fetch), produced to by a librdkafka producer.
#include "ingest/kafka_source.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/local_backend.h"
#include "store/memory/memory_store.h"

namespace naap::ingest {
namespace {

constexpr auto kWait = std::chrono::seconds(30);

// A three-broker mock cluster with topics streaming_events and network_events (two partitions
// each), and a producer writing to explicit partitions.
class MockKafka {
 public:
  MockKafka() {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof errstr);
    owner_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    cluster_ = rd_kafka_mock_cluster_new(owner_, 3);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(cluster_);
    for (const char* topic : {"streaming_events", "network_events"}) {
      rd_kafka_mock_topic_create(cluster_, topic, 2, 1);
    }
    conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstraps_.c_str(), errstr, sizeof errstr);
    producer_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  }
  ~MockKafka() {
    rd_kafka_destroy(producer_);
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(owner_);
  }
  const std::string& bootstraps() const { return bootstraps_; }
  rd_kafka_mock_cluster_t* cluster() { return cluster_; }

  void Produce(const std::string& topic, int32_t partition, const std::string& value) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    ASSERT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(rd_kafka_flush(producer_, 10'000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

 private:
  rd_kafka_t* owner_;
  rd_kafka_mock_cluster_t* cluster_;
  std::string bootstraps_;
  rd_kafka_t* producer_;
};

// A stream_trace envelope (spec/events.md V01) with event id number n.
std::string Envelope(int n) {
  char id[40];
  std::snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", n);
  return std::string(R"({"id":")") + id +
         R"(","type":"stream_trace","timestamp":"1767908945298","gateway":"","data":{)"
         R"("orchestrator_info":{"address":"","url":""},"pipeline_id":"","request_id":"r)" +
         std::to_string(n) +
         R"(","stream_id":"stream-a","timestamp":1767908945298,)"
         R"("type":"gateway_receive_stream_request"}})";
}

struct Got {
  std::string bytes, kafka_topic, source, topic;
  int32_t partition;
  int64_t offset;
};

class KafkaSourceTest : public ::testing::Test {
 protected:
  KafkaSourceTest() : store_(store::memory::NewMemoryStore()), clock_(SystemClock().NowMs()) {}

  std::unique_ptr<KafkaSource> Start(KafkaSourceOptions options = {}) {
    options.brokers = kafka_.bootstraps();
    // A new group each time: the mock coordinator is slow to rebalance a group a member left,
    // and the positions come from the store anyway.
    options.group = "test-group-" + std::to_string(++groups_);
    auto source = KafkaSource::Create(*store_, clock_, std::move(options));
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    return std::move(source).value();
  }

  // Reads batch after batch until `n` messages arrived (or the wait runs out).
  static std::vector<Got> Read(KafkaSource& source, size_t n) {
    std::vector<Got> got;
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    Message m;
    while (got.size() < n && std::chrono::steady_clock::now() < deadline) {
      while (got.size() < n && source.Next(m)) {
        got.push_back({std::string(m.bytes), std::string(m.kafka_topic), m.provenance.source,
                       m.provenance.topic, m.provenance.partition, m.provenance.offset});
      }
      source.StartBatch();
    }
    return got;
  }

  // Runs batches (nothing expected) until `done` holds.
  static bool RunUntil(KafkaSource& source, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + kWait;
    Message m;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      EXPECT_FALSE(source.Next(m));
      source.StartBatch();
    }
    return done();
  }

  MockKafka kafka_;
  int groups_ = 0;
  std::unique_ptr<store::Store> store_;
  FakeClock clock_;
};

TEST_F(KafkaSourceTest, MessagesCarryKafkaProvenance) {
  kafka_.Produce("streaming_events", 0, "a0");
  kafka_.Produce("streaming_events", 0, "a1");
  kafka_.Produce("streaming_events", 1, "b0");
  kafka_.Produce("network_events", 1, "c0");
  auto source = Start();
  std::vector<Got> got = Read(*source, 4);
  ASSERT_EQ(got.size(), 4u);
  std::map<std::string, Got> by_bytes;
  for (const Got& g : got) by_bytes[g.bytes] = g;
  for (const Got& g : got) {
    EXPECT_EQ(g.source, "kafka");
    EXPECT_EQ(g.kafka_topic, g.topic);
  }
  EXPECT_EQ(by_bytes["a0"].topic, "streaming_events");
  EXPECT_EQ(by_bytes["a0"].partition, 0);
  EXPECT_EQ(by_bytes["a0"].offset, 0);
  EXPECT_EQ(by_bytes["a1"].offset, 1);
  EXPECT_EQ(by_bytes["b0"].partition, 1);
  EXPECT_EQ(by_bytes["b0"].offset, 0);
  EXPECT_EQ(by_bytes["c0"].topic, "network_events");
  EXPECT_EQ(by_bytes["c0"].partition, 1);
  EXPECT_EQ(source->messages(), 4);
  EXPECT_TRUE(source->status().ok());
}

TEST_F(KafkaSourceTest, StartsAfterTheStoredPosition) {
  for (int i = 0; i < 4; ++i) kafka_.Produce("streaming_events", 0, "m" + std::to_string(i));
  kafka_.Produce("streaming_events", 1, "other");
  store::IngestBatch batch;
  batch.positions.emplace_back("kafka:streaming_events/0", "1");
  ASSERT_TRUE(store_->Commit(batch).ok());
  auto source = Start({.topics = {"streaming_events"}});
  std::vector<Got> got = Read(*source, 3);
  ASSERT_EQ(got.size(), 3u);
  std::vector<std::string> partition0;
  for (const Got& g : got) {
    if (g.partition == 0) partition0.push_back(g.bytes);
  }
  EXPECT_EQ(partition0, (std::vector<std::string>{"m2", "m3"}));
  // Stored offset 1 → the next offset to read is 2; 4 records → lag 2 until committed.
  source->StartBatch();
  for (const KafkaPartitionStatus& p : source->Snapshot().partitions) {
    if (p.partition == 0) {
      EXPECT_EQ(p.committed_offset, 4);
      EXPECT_EQ(p.high_watermark, 4);
      EXPECT_EQ(p.lag, 0);
    }
  }
}

TEST_F(KafkaSourceTest, EarliestReadsHistoryLatestOnlyNewRecords) {
  kafka_.Produce("streaming_events", 0, "old");
  {
    auto earliest = Start({.topics = {"streaming_events"}, .start = KafkaStart::kEarliest});
    std::vector<Got> got = Read(*earliest, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].bytes, "old");
  }
  auto latest = Start({.topics = {"streaming_events"}, .start = KafkaStart::kLatest});
  // Assigned, and the end offset resolved (the high watermark is known) before producing.
  ASSERT_TRUE(RunUntil(*latest, [&] {
    const KafkaStatus s = latest->Snapshot();
    return s.partitions.size() == 2 && s.partitions[0].high_watermark == 1;
  }));
  kafka_.Produce("streaming_events", 0, "new");
  std::vector<Got> got = Read(*latest, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].bytes, "new");
  EXPECT_EQ(got[0].offset, 1);
}

TEST_F(KafkaSourceTest, BatchesEndByCountAndByTime) {
  for (int i = 0; i < 5; ++i) kafka_.Produce("streaming_events", 0, "m" + std::to_string(i));
  auto source = Start({.topics = {"streaming_events"}, .batch_ms = 300, .batch_messages = 3});
  Message m;
  // Batches until the first message: the group join takes a while.
  int64_t first_batch = 0;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (first_batch == 0 && std::chrono::steady_clock::now() < deadline) {
    source->StartBatch();
    while (source->Next(m)) ++first_batch;
  }
  EXPECT_EQ(first_batch, 3);
  source->StartBatch();
  int64_t second_batch = 0;
  while (source->Next(m)) ++second_batch;
  EXPECT_EQ(second_batch, 2);
  // An idle batch ends after batch_ms.
  source->StartBatch();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(source->Next(m));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_GE(elapsed, std::chrono::milliseconds(250));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
  EXPECT_FALSE(source->finished());
  source->Stop();
  source->StartBatch();
  EXPECT_FALSE(source->Next(m));
  EXPECT_TRUE(source->finished());
}

// The pipeline's watermark waits for partitions that have messages but have not delivered yet,
// and for at most kStreamIdleMs for partitions that never deliver.
TEST_F(KafkaSourceTest, StreamsArePendingUntilEveryPartitionWithMessagesDelivered) {
  kafka_.Produce("streaming_events", 0, "a0");
  kafka_.Produce("streaming_events", 0, "a1");
  kafka_.Produce("streaming_events", 1, "b0");
  auto source = Start({.topics = {"streaming_events"}});
  ASSERT_EQ(Read(*source, 1).size(), 1u);
  EXPECT_TRUE(source->StreamsPending());  // the other partition has not delivered yet
  ASSERT_EQ(Read(*source, 2).size(), 2u);
  EXPECT_FALSE(source->StreamsPending());

  auto empty = Start({.topics = {"network_events"}});
  ASSERT_TRUE(RunUntil(*empty, [&] { return empty->Snapshot().partitions.size() == 2; }));
  clock_.Advance(kStreamIdleMs);
  EXPECT_FALSE(empty->StreamsPending());
}

TEST_F(KafkaSourceTest, PoisonMessageIsYieldedLikeAnyOther) {
  kafka_.Produce("streaming_events", 0, "not json {");
  kafka_.Produce("streaming_events", 0, Envelope(1));
  auto source = Start({.topics = {"streaming_events"}});
  std::vector<Got> got = Read(*source, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].bytes, "not json {");
  EXPECT_EQ(got[1].bytes, Envelope(1));
  EXPECT_EQ(got[1].offset, 1);
}

TEST_F(KafkaSourceTest, IngestThroughLocalBackendStoresLastOffsets) {
  kafka_.Produce("streaming_events", 0, Envelope(1));
  kafka_.Produce("streaming_events", 0, "poison");
  kafka_.Produce("streaming_events", 0, Envelope(2));
  kafka_.Produce("streaming_events", 1, Envelope(3));
  kafka_.Produce("network_events", 0, Envelope(1));    // same id, other org: not a duplicate
  kafka_.Produce("streaming_events", 1, Envelope(3));  // redelivered: a duplicate
  auto backend =
      api::LocalBackend::Open(*store_, clock_, api::ApiConfig{.store_backend = "memory"});
  ASSERT_TRUE(backend.ok()) << backend.status().ToString();
  auto source = Start();
  api::LocalBackend::IngestCounts total;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (total.lines < 6 && std::chrono::steady_clock::now() < deadline) {
    auto counts = (*backend)->IngestSource(*source, "kafka", "kafka");
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    total.lines += counts->lines;
    total.accepted += counts->accepted;
    total.rejected += counts->rejected;
    total.duplicates += counts->duplicates;
    source->StartBatch();
  }
  EXPECT_EQ(total.lines, 6);
  EXPECT_EQ(total.accepted, 4);
  EXPECT_EQ(total.rejected, 1);
  EXPECT_EQ(total.duplicates, 1);
  auto position = [&](const char* key) { return store_->SourcePosition(key).value(); };
  EXPECT_EQ(position("kafka:streaming_events/0"), "2");
  EXPECT_EQ(position("kafka:streaming_events/1"), "1");
  EXPECT_EQ(position("kafka:network_events/0"), "0");
  EXPECT_EQ(position("kafka:network_events/1"), std::nullopt);

  const KafkaStatus status = source->Snapshot();
  EXPECT_TRUE(status.connected);
  EXPECT_FALSE(status.degraded_reason);
  EXPECT_EQ(status.committed_messages.at("streaming_events"), 5);
  EXPECT_EQ(status.committed_messages.at("network_events"), 1);
  ASSERT_EQ(status.partitions.size(), 4u);
  EXPECT_EQ(status.partitions[0].topic, "network_events");
  EXPECT_EQ(status.partitions[2].topic, "streaming_events");
  EXPECT_EQ(status.partitions[2].partition, 0);
  EXPECT_EQ(status.partitions[2].committed_offset, 3);
  EXPECT_EQ(status.partitions[2].high_watermark, 3);
  for (const KafkaPartitionStatus& p : status.partitions) {
    EXPECT_EQ(p.lag, 0) << p.topic << "/" << p.partition;
    EXPECT_EQ(p.lag_seconds, 0);
  }

  // A restart resumes after the stored positions: only the new record is read.
  source.reset();
  kafka_.Produce("streaming_events", 0, Envelope(4));
  source = Start();
  std::vector<Got> got = Read(*source, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].bytes, Envelope(4));
  EXPECT_EQ(got[0].offset, 3);
  Message m;
  source->StartBatch();
  EXPECT_FALSE(source->Next(m));  // nothing else pending
}

TEST_F(KafkaSourceTest, LagIsReportedUntilCommitted) {
  for (int i = 0; i < 3; ++i) kafka_.Produce("streaming_events", 1, "m" + std::to_string(i));
  auto source = Start({.topics = {"streaming_events"}, .batch_messages = 1});
  ASSERT_EQ(Read(*source, 1).size(), 1u);  // offset 0 read; StartBatch() committed it
  clock_.Advance(5'000);
  const KafkaStatus status = source->Snapshot();
  ASSERT_EQ(status.partitions.size(), 2u);
  const KafkaPartitionStatus& p = status.partitions[1];
  EXPECT_EQ(p.committed_offset, 1);
  EXPECT_EQ(p.high_watermark, 3);
  EXPECT_EQ(p.lag, 2);
  // Lag runs from the committed message's broker timestamp to the fake clock's now. The fake
  // clock started at the real time before the message was produced, so the lag is the 5 s
  // advance less the real time that passed until the produce (never more than until now).
  const double real_seconds_since_start = (SystemClock().NowMs() - (clock_.NowMs() - 5'000)) / 1e3;
  EXPECT_LE(p.lag_seconds, 5);
  EXPECT_GE(p.lag_seconds, 5 - real_seconds_since_start);
  EXPECT_GT(p.lag_seconds, 0);
}

TEST_F(KafkaSourceTest, BrokerOutageIsDegradedThenRecovers) {
  // A short session, so the coordinator soon forgets the member cut off by the outage.
  KafkaSourceOptions options;
  options.topics = {"streaming_events"};
  options.config = {{"session.timeout.ms", "6000"}};
  auto source = Start(options);
  ASSERT_TRUE(RunUntil(*source, [&] { return source->Snapshot().partitions.size() == 2; }));
  EXPECT_TRUE(source->Snapshot().connected);
  ASSERT_EQ(rd_kafka_mock_broker_set_down(kafka_.cluster(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_TRUE(RunUntil(*source, [&] { return !source->Snapshot().connected; }));
  const KafkaStatus down = source->Snapshot();
  ASSERT_TRUE(down.degraded_reason);
  EXPECT_NE(down.degraded_reason->find("no broker up"), std::string::npos) << *down.degraded_reason;
  EXPECT_FALSE(down.last_error.empty());
  EXPECT_FALSE(source->finished());
  ASSERT_EQ(rd_kafka_mock_broker_set_up(kafka_.cluster(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  kafka_.Produce("streaming_events", 0, "after");
  std::vector<Got> got = Read(*source, 1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].bytes, "after");
  EXPECT_TRUE(source->Snapshot().connected);
  EXPECT_FALSE(source->Snapshot().degraded_reason);
}

TEST_F(KafkaSourceTest, InvalidConfigIsInvalidArgumentWithLibrdkafkasMessage) {
  KafkaSourceOptions options{.brokers = kafka_.bootstraps(), .config = {{"no.such.key", "1"}}};
  auto source = KafkaSource::Create(*store_, clock_, options);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(source.status().message().find("No such configuration property: \"no.such.key\""),
            std::string::npos)
      << source.status().message();
}

}  // namespace
}  // namespace naap::ingest
