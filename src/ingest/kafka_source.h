#pragma once
// KafkaSource: a librdkafka high-level consumer as an endless ingest::Source, for `naap serve
// --kafka` (spec/events.md §1.1). Exactly once: naap never commits offsets to Kafka
// (enable.auto.commit and enable.auto.offset.store are off). The pipeline stores each message's
// position "kafka:<topic>/<partition>" → "<offset>" in the same store batch as its data; on
// every partition assignment the consumer starts at that stored offset + 1, else at
// options.start. A crash therefore re-reads exactly what was not committed.
//
// Batches (the LiveSource pattern): Next() returns false at the end of a batch — batch_messages
// messages; or, once batch_ms of real time has passed, as soon as a poll finds nothing waiting
// (caught up), and at the latest after max_batch_ms — on Stop(), and when a rebalance revokes
// partitions, so the caller (LocalBackend::IngestSource) commits; it then calls StartBatch() and
// Next() again. A revocation seen mid-batch is acknowledged to the group only by that
// StartBatch(), after the commit, so the next owner of a partition reads its stored position only
// once everything read from it is stored.
//
// Back-pressure: nothing is polled while the pipeline decodes and commits a batch, and
// librdkafka's prefetch queue is capped (queued.max.messages.kbytes), so a slow store pauses
// consumption instead of growing memory. Broker failures are retried by librdkafka with backoff;
// Snapshot() reports them (degraded while no broker is up) without ending the source.
//
// Threads: one thread calls Next() and StartBatch(); Stop() and Snapshot() may be called from any
// thread.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "ingest/source.h"
#include "store/store.h"

namespace naap::ingest {

enum class KafkaStart { kEarliest, kLatest };

struct KafkaSourceOptions {
  std::string brokers;  // bootstrap servers, comma-separated
  std::vector<std::string> topics = {"network_events", "streaming_events"};
  std::string group = "naap";
  KafkaStart start = KafkaStart::kEarliest;  // for a partition without a stored position
  // librdkafka properties (SASL, TLS, …), applied after naap's own, so they may override them.
  std::vector<std::pair<std::string, std::string>> config;
  // A live consumer ends a batch about every batch_ms; one working through a backlog makes
  // batches of up to batch_messages or max_batch_ms, which the pipeline commits every
  // commit_every messages and publishes like a file ingest run.
  int64_t batch_ms = 500;
  int64_t max_batch_ms = 10'000;
  int64_t batch_messages = 400'000;
  // Prefetch cap (librdkafka's default): one queue for all partitions; a smaller cap starves the
  // fetcher when many partitions are assigned (16 MiB measured 4.9× slower on 64 partitions).
  int64_t queued_max_kbytes = 64 * 1024;
};

// One assigned partition. committed_offset follows Kafka's convention: the next offset to read
// (stored offset + 1); high_watermark is the offset after the newest record (-1 until known);
// lag = high_watermark − committed_offset ≥ 0 messages. lag_seconds is 0 when nothing is
// pending, else now − the record timestamp of the last committed message (or − the assignment
// time before one is committed): an upper bound of how far behind the partition is.
struct KafkaPartitionStatus {
  std::string topic;
  int32_t partition = 0;
  int64_t committed_offset = -1;
  int64_t high_watermark = -1;
  int64_t lag = 0;
  double lag_seconds = 0;
};

struct KafkaStatus {
  bool connected = false;  // some broker is up (false before the first connection)
  std::optional<std::string> degraded_reason;         // set while not connected
  std::string last_error;                             // latest broker / consumer error, "" if none
  std::vector<KafkaPartitionStatus> partitions;       // by (topic, partition)
  std::map<std::string, int64_t> committed_messages;  // per topic, by this process
};

class KafkaSource final : public Source {
 public:
  // Creates the consumer and subscribes; connecting happens in the background. InvalidArgument
  // (with librdkafka's message) for an unknown or invalid property. `store` (read for positions
  // on assignment) and `clock` (lag seconds) must outlive the source.
  static Result<std::unique_ptr<KafkaSource>> Create(store::Store& store, const Clock& clock,
                                                     KafkaSourceOptions options);
  // Leaves the group (revoking every partition) and closes the consumer.
  ~KafkaSource() override;

  bool Next(Message& out) override;
  // Non-ok after a failure that ends the source: a fatal librdkafka error or an unreadable
  // stored position.
  Status status() const override;
  // A partition assigned less than kStreamIdleMs ago that has messages waiting (or whose
  // high watermark is not known yet) and has delivered none since its assignment.
  bool StreamsPending() const override;

  // Starts the next batch (the first starts at creation). Call it only once the messages yielded
  // so far are committed: they then count as committed in Snapshot(), and a revocation deferred
  // until their commit is handed to the group.
  void StartBatch();
  bool finished() const { return finished_.load(); }
  void Stop() { stop_requested_ = true; }

  KafkaStatus Snapshot() const;
  int64_t messages() const { return messages_.load(); }

  struct Impl;  // librdkafka state and callbacks (kafka_source.cc)

 private:
  explicit KafkaSource(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> finished_{false};
  std::atomic<int64_t> messages_{0};
};

}  // namespace naap::ingest
