#include "ingest/pipeline.h"

#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "base/cpus.h"
#include "ingest/file_source.h"
#include "ingest/test_util.h"
#include "store/store_test_util.h"

namespace naap::ingest {
namespace {

using testing::CountWhereItStops;
using testing::FirstCpus;
using testing::Gzip;
using testing::TempDir;
using testing::VectorSource;

constexpr Millis kIngestMs = 1767916800000;  // 2026-01-09T00:00:00Z
constexpr Millis kH21 = 1767906000000;       // 2026-01-08T21:00:00Z
constexpr Millis kH23 = 1767913200000;       // 2026-01-08T23:00:00Z
const std::string kSample = std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";

// V01 of spec/events.md §8 with a chosen id.
std::string TraceEnvelope(std::string_view id) {
  return R"({"id":")" + std::string(id) +
         R"(","type":"stream_trace","timestamp":"1767908945298","gateway":"","data":{"orchestrator_info":{"address":"","url":""},"pipeline_id":"","request_id":"db936fab","stream_id":"stream-o5s73x-mk5zc8fy","timestamp":1767908945298,"type":"gateway_receive_stream_request"}})";
}

// A stream_trace request of session `stream` with event time `ts`.
std::string TraceAt(std::string_view id, Millis ts, std::string_view stream = "s1") {
  const std::string t = std::to_string(ts);
  return R"({"id":")" + std::string(id) + R"(","type":"stream_trace","timestamp":")" + t +
         R"(","data":{"request_id":"r1","stream_id":")" + std::string(stream) +
         R"(","type":"gateway_receive_stream_request"}})";
}

std::string Worker(std::string_view id) {
  return R"({"id":")" + std::string(id) +
         R"(","type":"worker_lifecycle","timestamp":"1767909100000","data":{"id":"w-1","type":"worker_registered","capability":"openai-chat-completions","worker_url":"http://10.0.0.5:8000","price_per_unit":2500,"worker_options":[{"model":"Qwen/Qwen2.5-14B-Instruct-AWQ"}],"orchestrator_info":{"address":"0xd00354656922168815fcd1e51cbddb9e359e3c7f","url":"https://livepeer-ai.xodeapp.xyz:18935"}}})";
}

std::string Wrapped(std::string_view topic, std::string_view envelope) {
  return R"({"id":"log-0","topic":")" + std::string(topic) +
         R"(","partition":0,"offset":0,"value":)" + std::string(envelope) + "}";
}

// Forwards to a memory store, counting commits; can be told to fail them.
class CountingStore final : public store::testing::ForwardingStore {
 public:
  CountingStore() : ForwardingStore(std::move(store::OpenStore("memory:").value())) {}
  Status CommitBatch(const store::IngestBatch& batch) override {
    ++commits;
    if (fail_commits) return Unavailable("store down");
    return ForwardingStore::CommitBatch(batch);
  }

  int commits = 0;
  bool fail_commits = false;
};

class RecordingSink final : public RecordSink {
 public:
  Status OnAccepted(const event::Decoded& decoded) override {
    accepted_ids.push_back(decoded.event_id);
    return Status::Ok();
  }
  Status BeforeCommit(store::IngestBatch&) override {
    ++commits;
    return Status::Ok();
  }
  Millis FactsFrom(const std::string& org) override {
    const auto cut = facts_from.find(org);
    return cut == facts_from.end() ? RecordSink::FactsFrom(org) : cut->second;
  }
  std::vector<std::string> accepted_ids;
  int commits = 0;
  std::map<std::string, Millis> facts_from;  // org → FactsFrom, when set
};

class PipelineTest : public ::testing::Test {
 protected:
  // One pipeline run over `source` on a pipeline opened afresh (as a restarted process would).
  RunStats RunOnce(Source& source, PipelineOptions options = {}, RecordSink* sink = nullptr,
                   Status expected = Status::Ok()) {
    auto pipeline = Pipeline::Open(store_, clock_, std::move(options), sink);
    EXPECT_TRUE(pipeline.ok()) << pipeline.status().ToString();
    Status st = (*pipeline)->Run(source);
    EXPECT_EQ(st.code(), expected.code()) << st.ToString();
    const RunStats& stats = (*pipeline)->stats();
    EXPECT_EQ(stats.lines,
              stats.accepted + stats.ignored_total() + stats.rejected_total() + stats.duplicates);
    return stats;
  }
  RunStats RunMessages(std::vector<std::string> messages, std::string org = "cloudspe") {
    VectorSource source(std::move(messages));
    PipelineOptions options;
    options.org_override = std::move(org);
    return RunOnce(source, options);
  }
  std::vector<store::CounterRow> StoredCounters() {
    auto rows = store_.Counters(0, kIngestMs + kDayMs);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? *rows : std::vector<store::CounterRow>{};
  }
  // Stored class totals (accepted, ignored, rejected, duplicate) by (org, hour, kind).
  std::map<std::tuple<std::string, Millis, std::string>, int64_t> Accounting() {
    std::map<std::tuple<std::string, Millis, std::string>, int64_t> totals;
    for (const auto& row : StoredCounters()) {
      if (IsClass(row.kind)) totals[{row.org, row.hour, row.kind}] += row.count;
    }
    return totals;
  }
  // Stored counts of one kind by (org, accounting hour, ingest hour, family, key).
  std::map<std::tuple<std::string, Millis, Millis, std::string, std::string>, int64_t> CountsOf(
      std::string_view kind) {
    std::map<std::tuple<std::string, Millis, Millis, std::string, std::string>, int64_t> counts;
    for (const auto& row : StoredCounters()) {
      if (row.kind == kind)
        counts[{row.org, row.hour, row.ingest_hour, row.family, row.key}] += row.count;
    }
    return counts;
  }
  static bool IsClass(std::string_view kind) {
    return kind == "accepted" || kind == "ignored" || kind == "rejected" || kind == "duplicate";
  }
  // Calls fn with every raw-log entry in scan order; returns how many there were.
  int ForEachRawEntry(const std::function<void(const RawEntry&)>& fn = [](const RawEntry&) {}) {
    int n = 0;
    EXPECT_TRUE(ScanRawLog(store_, 0, kIngestMs + kDayMs, [&](const RawEntry& e) {
                  fn(e);
                  ++n;
                  return Status::Ok();
                }).ok());
    return n;
  }

  CountingStore store_;
  FakeClock clock_{kIngestMs};
};

TEST_F(PipelineTest, SampleFileTwiceIsAllDuplicatesTheSecondTime) {
  auto source = FileSource::Open({kSample});
  ASSERT_TRUE(source.ok());
  RunStats first = RunOnce(**source);
  EXPECT_EQ(first.lines, 65);
  EXPECT_EQ(first.accepted, 65);
  EXPECT_EQ(first.duplicates, 0);

  std::vector<std::string> ids;
  Millis previous_ts = 0;
  const int logged = ForEachRawEntry([&](const RawEntry& e) {
    EXPECT_EQ(e.org, "cloudspe");
    EXPECT_EQ(e.ingest_ms, kIngestMs);
    EXPECT_NE(e.envelope.find(e.event_id), std::string::npos);
    EXPECT_NE(e.event_id.substr(0, 4), "log-");  // the envelope id, not the wrapper's
    EXPECT_LE(previous_ts, e.event_ts);
    previous_ts = e.event_ts;
    ids.emplace_back(e.event_id);
  });
  ASSERT_EQ(logged, 65);
  EXPECT_EQ(ids.front(), "59485235-8460-472f-a894-3b84f37ee9bb");  // V01, the earliest

  auto position = store_.SourcePosition("file:" + kSample);
  ASSERT_TRUE(position.ok());
  ASSERT_TRUE(position->has_value());
  EXPECT_TRUE(position->value().starts_with("65:")) << position->value();

  source = FileSource::Open({kSample});
  RunStats second = RunOnce(**source);
  EXPECT_EQ(second.lines, 65);
  EXPECT_EQ(second.accepted, 0);
  EXPECT_EQ(second.duplicates, 65);
  EXPECT_EQ(ForEachRawEntry(), 65);  // nothing new kept

  auto totals = Accounting();
  EXPECT_EQ(totals[std::make_tuple("cloudspe", kH21, "accepted")], 65);
  EXPECT_EQ(totals[std::make_tuple("cloudspe", kH21, "duplicate")], 65);
  EXPECT_EQ(totals.size(), 2u);
}

TEST_F(PipelineTest, RedrainedWorkerLifecycleIsADuplicate) {
  RunStats stats = RunMessages({Worker("v20"), Worker("v21")});
  EXPECT_EQ(stats.accepted, 1);
  EXPECT_EQ(stats.duplicates, 1);
  // Across a restart too: the worker key comes back from the store.
  stats = RunMessages({Worker("v22")});
  EXPECT_EQ(stats.duplicates, 1);
  // The same worker in another org is another event.
  stats = RunMessages({Worker("v23")}, "daydream");
  EXPECT_EQ(stats.accepted, 1);
}

TEST_F(PipelineTest, RejectedBytesRedeliveredAreDuplicatesButACorrectedCopyIsNot) {
  std::string bad = R"({"id":"r1","type":"stream_trace","timestamp":"not a time","data":{}})";
  RunStats stats = RunMessages({bad, bad});
  EXPECT_EQ(stats.rejected, (std::map<std::string, int64_t>{{"bad_timestamp", 1}}));
  EXPECT_EQ(stats.duplicates, 1);

  auto rows = store_.Rejected(0, kIngestMs + kDayMs);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  const store::RejectedRow& row = (*rows)[0];
  EXPECT_EQ(row.org, "cloudspe");
  EXPECT_EQ(row.reason, "bad_timestamp");
  EXPECT_EQ(row.head, bad);
  EXPECT_EQ(row.total_bytes, static_cast<int64_t>(bad.size()));
  EXPECT_EQ(row.sha256_hex, Sha256Hex(bad));
  EXPECT_EQ(row.ingest_ms, kIngestMs);

  stats = RunMessages({bad, TraceEnvelope("r1")});
  EXPECT_EQ(stats.duplicates, 1);
  EXPECT_EQ(stats.accepted, 1);
}

TEST_F(PipelineTest, AccountingHoldsPerOrgAndHourInTheStoredCounters) {
  std::string webrtc_h21 =
      R"({"id":"i1","type":"webrtc_stats","timestamp":"1767909000000","data":{}})";
  std::string webrtc_h23 =
      R"({"id":"i2","type":"webrtc_stats","timestamp":"1767913200000","data":{}})";
  std::string no_ts = R"({"id":"b1","type":"stream_trace","data":{}})";
  VectorSource source({
      Wrapped("streaming-events", TraceEnvelope("t1")),  // cloudspe H21 accepted
      Wrapped("network_events", TraceEnvelope("t1")),    // daydream H21 accepted
      Wrapped("streaming_events", webrtc_h21),           // cloudspe H21 ignored
      Wrapped("streaming-events", TraceEnvelope("t1")),  // cloudspe H21 duplicate
      "not json",                                        // "" at ingest hour: rejected
      Wrapped("streaming-events", webrtc_h23),           // cloudspe H23 ignored
      Wrapped("streaming-events", no_ts),                // cloudspe at ingest hour: rejected
  });
  RunStats stats = RunOnce(source);
  EXPECT_EQ(stats.lines, 7);
  EXPECT_EQ(stats.ignored, (std::map<std::string, int64_t>{{"unsupported_event_family", 2}}));
  EXPECT_EQ(stats.rejected,
            (std::map<std::string, int64_t>{{"bad_timestamp", 1}, {"malformed_json", 1}}));

  std::map<std::tuple<std::string, Millis, std::string>, int64_t> expected = {
      {{"cloudspe", kH21, "accepted"}, 1},     {{"cloudspe", kH21, "ignored"}, 1},
      {{"cloudspe", kH21, "duplicate"}, 1},    {{"daydream", kH21, "accepted"}, 1},
      {{"", kIngestMs, "rejected"}, 1},        {{"cloudspe", kH23, "ignored"}, 1},
      {{"cloudspe", kIngestMs, "rejected"}, 1}};
  EXPECT_EQ(Accounting(), expected);

  // The ignored message is in the raw log with its reason.
  int ignored_in_log = 0;
  ForEachRawEntry([&](const RawEntry& e) {
    if (!e.ignore_reason.empty()) {
      EXPECT_EQ(e.ignore_reason, "unsupported_event_family");
      ++ignored_in_log;
    }
  });
  EXPECT_EQ(ignored_in_log, 2);
}

TEST_F(PipelineTest, CommitsEveryNMessagesWithTheFilePositionAndFeedsTheSink) {
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 5; ++i) lines += TraceEnvelope("p" + std::to_string(i)) + "\n";
  std::string path = dir.Write("five.ndjson", lines);
  auto source = FileSource::Open({path});
  PipelineOptions options;
  options.org_override = "cloudspe";
  options.commit_every = 2;
  RecordingSink sink;
  RunStats stats = RunOnce(**source, options, &sink);
  EXPECT_EQ(stats.accepted, 5);
  EXPECT_EQ(store_.commits, 3);  // after 2, after 4, and the last one
  EXPECT_EQ(sink.commits, 3);
  EXPECT_EQ(sink.accepted_ids, (std::vector<std::string>{"p0", "p1", "p2", "p3", "p4"}));
  auto position = store_.SourcePosition("file:" + path);
  ASSERT_TRUE(position.ok() && position->has_value());
  EXPECT_EQ(**position, "5:" + std::to_string(4 * (lines.size() / 5)));
}

// Kafka-like messages from two partitions of topic "t"; the source says a stream is pending until
// partition 1 has delivered, and advances the clock before the message that sets `idle_before`.
class PartitionedSource final : public Source {
 public:
  struct Item {
    int32_t partition;
    std::string bytes;
    bool idle_before = false;
  };
  PartitionedSource(std::vector<Item> items, FakeClock& clock)
      : items_(std::move(items)), clock_(clock) {}
  bool Next(Message& out) override {
    if (next_ == items_.size()) return false;
    const Item& item = items_[next_];
    if (item.idle_before) clock_.Advance(kStreamIdleMs + 1);
    out = Message{};
    out.bytes = item.bytes;
    out.provenance.source = "kafka";
    out.provenance.topic = "t";
    out.provenance.partition = item.partition;
    out.provenance.offset = static_cast<int64_t>(next_);
    out.provenance.index = static_cast<int64_t>(++next_);
    if (item.partition == 1) partition_1_spoke_ = true;
    return true;
  }
  Status status() const override { return Status::Ok(); }
  bool StreamsPending() const override { return !partition_1_spoke_; }

 private:
  std::vector<Item> items_;
  FakeClock& clock_;
  size_t next_ = 0;
  bool partition_1_spoke_ = false;
};

// Holds the first message it is given until Release(), so accepted messages pile up before it.
class HoldingSink final : public RecordSink {
 public:
  Status OnAccepted(const event::Decoded&) override {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [&] { return release_; });
    return Status::Ok();
  }
  Status BeforeCommit(store::IngestBatch&) override { return Status::Ok(); }
  void Release() {
    std::lock_guard lock(mutex_);
    release_ = true;
    released_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  bool release_ = false;
};

// Counts the messages read from it, for another thread to watch.
class CountingSource final : public Source {
 public:
  explicit CountingSource(std::vector<std::string> messages) : source_(std::move(messages)) {}
  bool Next(Message& out) override {
    if (!source_.Next(out)) return false;
    ++read;
    return true;
  }
  Status status() const override { return Status::Ok(); }
  std::atomic<int64_t> read = 0;

 private:
  VectorSource source_;
};

// Runs a pipeline over `n` distinct traces on a thread (and so a sink thread) allowed `cpus` of
// the CPUs this process may use, with the sink holding its first message. Returns how many messages
// the pipeline read before it stopped reading: all of them, or those it could queue.
int64_t ReadWhileTheSinkHolds(store::Store& store, const Clock& clock, int cpus, int n) {
  std::vector<std::string> messages;
  // Ids of their own per `cpus`: a duplicate of an earlier call's message never reaches the sink.
  for (int i = 0; i < n; ++i) {
    messages.push_back(TraceEnvelope("held-" + std::to_string(cpus) + "-" + std::to_string(i)));
  }
  CountingSource source(std::move(messages));
  HoldingSink sink;
  std::thread run([&] {
    const cpu_set_t chosen = FirstCpus(cpus);
    EXPECT_EQ(sched_setaffinity(0, sizeof chosen, &chosen), 0);
    PipelineOptions options;
    options.org_override = "cloudspe";
    auto pipeline = Pipeline::Open(store, clock, options, &sink);
    EXPECT_TRUE(pipeline.ok());
    if (pipeline.ok()) {
      EXPECT_TRUE((*pipeline)->Run(source).ok());
    }
  });
  // A chunk decodes in about 1 ms.
  const int64_t read = CountWhereItStops(source.read, n);
  sink.Release();
  run.join();
  return read;
}

TEST_F(PipelineTest, OnOneCpuOnlyTwoChunksOfMessagesWaitForTheSink) {
  using pipeline_internal::kSinkChunk;
  if (UsableCpus() < 2) GTEST_SKIP() << "needs two CPUs to compare";
  const int n = 20 * kSinkChunk;
  // One chunk held by the sink, two waiting, one being handed over when reading stopped.
  EXPECT_LE(ReadWhileTheSinkHolds(store_, clock_, 1, n), 4 * kSinkChunk + 1);
  // With two CPUs a whole commit batch (100,000 messages by default) may wait.
  EXPECT_EQ(ReadWhileTheSinkHolds(store_, clock_, 2, n), n);
}

class WatermarkSink final : public RecordSink {
 public:
  Status OnAccepted(const event::Decoded&) override { return Status::Ok(); }
  Status BeforeCommit(store::IngestBatch&) override { return Status::Ok(); }
  void OnWatermark(Millis watermark) override { watermarks.push_back(watermark); }
  std::vector<Millis> watermarks;
};

TEST_F(PipelineTest, WatermarkIsTheLeastNewestEventOfTheStreamsStillDelivering) {
  const Millis t = kIngestMs - kDayMs;
  const auto at = [&](int minute) { return t + minute * 60'000; };
  PartitionedSource source({{0, TraceAt("a", at(10))},
                            {1, TraceAt("b", at(5))},
                            {0, TraceAt("c", at(30))},
                            {1, TraceAt("d", at(20))},
                            {0, TraceAt("e", at(50)), /*idle_before=*/true}},
                           clock_);
  PipelineOptions options;
  options.commit_every = 1;
  options.org_override = "cloudspe";
  WatermarkSink sink;
  RunOnce(source, options, &sink);
  const Millis none = std::numeric_limits<Millis>::min();
  // Held while partition 1 has not spoken; then the least newest event of both partitions,
  // never lowered; partition 1, silent for longer than kStreamIdleMs, stops holding it back.
  EXPECT_EQ(sink.watermarks, (std::vector<Millis>{none, at(5), at(5), at(20), at(50), at(50)}));
  for (const auto& [partition, offset] : {std::pair{0, "4"}, std::pair{1, "3"}}) {
    auto position = store_.SourcePosition("kafka:t/" + std::to_string(partition));
    ASSERT_TRUE(position.ok() && position->has_value());
    EXPECT_EQ(**position, offset);
  }
}

TEST_F(PipelineTest, CorruptCompressionCommitsWhatWasReadAndFails) {
  TempDir dir;
  std::string gz = Gzip(TraceEnvelope("g1") + "\n" + TraceEnvelope("g2") + "\n");
  std::string path = dir.Write("cut.gz", gz.substr(0, gz.size() - 12));
  auto source = FileSource::Open({path});
  PipelineOptions options;
  options.org_override = "cloudspe";
  RunStats stats = RunOnce(**source, options, nullptr, Corruption(""));
  EXPECT_EQ(stats.accepted, 1);
  EXPECT_EQ(stats.rejected, (std::map<std::string, int64_t>{{"malformed_json", 1}}));
  EXPECT_EQ(Accounting()[std::make_tuple("cloudspe", kH21, "accepted")], 1);
}

TEST_F(PipelineTest, StoreFailureIsReturned) {
  store_.fail_commits = true;
  VectorSource source({TraceEnvelope("s1")});
  PipelineOptions options;
  options.org_override = "cloudspe";
  RunOnce(source, options, nullptr, Unavailable(""));
}

TEST_F(PipelineTest, OversizedMessageIsRejectedWithItsFullLength) {
  TempDir dir;
  std::string big =
      R"({"id":"big","type":"stream_trace","pad":")" + std::string(3 << 20, 'x') + "\"}";
  std::string path = dir.Write("big.ndjson", big + "\n" + TraceEnvelope("small") + "\n");
  FileSourceOptions file_options;
  file_options.max_buffered_bytes = 3 << 19;  // 1.5 MiB: the source keeps only a head
  auto source = FileSource::Open({path}, file_options);
  PipelineOptions options;
  options.org_override = "cloudspe";
  RunStats stats = RunOnce(**source, options);
  EXPECT_EQ(stats.rejected, (std::map<std::string, int64_t>{{"oversized_message", 1}}));
  EXPECT_EQ(stats.accepted, 1);
  auto rows = store_.Rejected(0, kIngestMs + kDayMs);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].total_bytes, static_cast<int64_t>(big.size()));
  EXPECT_EQ((*rows)[0].head, big.substr(0, 65536));
}

TEST_F(PipelineTest, CountersCarryTheIngestHourOfTheClock) {
  RunMessages({TraceAt("a1", kH21 + 1000)});
  clock_.Advance(2 * kHourMs + 5 * 60'000);
  RunMessages({TraceAt("a2", kH21 + 2000)});
  std::map<std::tuple<std::string, Millis, Millis, std::string, std::string>, int64_t> expected = {
      {{"cloudspe", kH21, kIngestMs, "stream_trace", "gateway_receive_stream_request"}, 1},
      {{"cloudspe", kH21, kIngestMs + 2 * kHourMs, "stream_trace",
        "gateway_receive_stream_request"},
       1}};
  EXPECT_EQ(CountsOf("accepted"), expected);
}

TEST_F(PipelineTest, AccountingHoldsPerRowGroupOfEitherHourKey) {
  // Ingest hour kIngestMs: H21 accepted + duplicate, H23 ignored, a rejected line.
  // Ingest hour kIngestMs + 1 h: H21 accepted + ignored, H23 duplicate of the first run's trace.
  std::string webrtc_h23 =
      R"({"id":"i2","type":"webrtc_stats","timestamp":"1767913200000","data":{}})";
  std::string webrtc_h21 =
      R"({"id":"i3","type":"webrtc_stats","timestamp":"1767909000000","data":{}})";
  RunMessages({TraceAt("b1", kH21 + 10), TraceAt("b1", kH21 + 10), webrtc_h23, "not json",
               TraceAt("b3", kH23 + 10)});
  clock_.Advance(kHourMs + 1);
  RunMessages({TraceAt("b2", kH21 + 20), webrtc_h21, TraceAt("b3", kH23 + 10)});

  std::map<std::pair<std::string, Millis>, int64_t> by_hour, by_ingest_hour;
  for (const store::CounterRow& row : StoredCounters()) {
    if (!IsClass(row.kind)) continue;
    by_hour[{row.org, row.hour}] += row.count;
    by_ingest_hour[{row.org, row.ingest_hour}] += row.count;
  }
  // Lines fed per group, counted by hand from the messages above; the rejected line has the
  // override org and its ingest hour as accounting hour.
  EXPECT_EQ(by_hour,
            (std::map<std::pair<std::string, Millis>, int64_t>{
                {{"cloudspe", kH21}, 4}, {{"cloudspe", kH23}, 3}, {{"cloudspe", kIngestMs}, 1}}));
  EXPECT_EQ(by_ingest_hour,
            (std::map<std::pair<std::string, Millis>, int64_t>{
                {{"cloudspe", kIngestMs}, 5}, {{"cloudspe", kIngestMs + kHourMs}, 3}}));
}

TEST(ArrivalClassTest, BoundariesAreSeventyMinutesAndADayAfterTheHourCloses) {
  const Millis h = kH21;
  EXPECT_EQ(ArrivalClass(h + 59 * 60'000, h - 1000), "on_time");  // ingested before the event
  EXPECT_EQ(ArrivalClass(h + 59 * 60'000, h + 70 * 60'000), "on_time");
  EXPECT_EQ(ArrivalClass(h, h + 70 * 60'000 + 1), "late");
  EXPECT_EQ(ArrivalClass(h + 30 * 60'000, h + kHourMs + kDayMs), "late");
  EXPECT_EQ(ArrivalClass(h + 30 * 60'000, h + kHourMs + kDayMs + 1), "very_late");
}

TEST_F(PipelineTest, ArrivalIsCountedPerAcceptedRecordAtItsAccountingHour) {
  // kIngestMs is 3 h after H21 and 1 h after H23 started: H23 + 60 min is on time, H21 late.
  std::string webrtc = R"({"id":"i1","type":"webrtc_stats","timestamp":"1767913200000","data":{}})";
  RunMessages({TraceAt("c1", kH23), TraceAt("c2", kH21), TraceAt("c2", kH21), webrtc,
               TraceAt("c3", kIngestMs - kHourMs - kDayMs - 1)});
  const Millis very_late_hour = HourFloor(kIngestMs - kHourMs - kDayMs - 1);
  std::map<std::tuple<std::string, Millis, Millis, std::string, std::string>, int64_t> expected = {
      {{"cloudspe", kH23, kIngestMs, "stream_trace", "on_time"}, 1},
      {{"cloudspe", kH21, kIngestMs, "stream_trace", "late"}, 1},
      {{"cloudspe", very_late_hour, kIngestMs, "stream_trace", "very_late"}, 1}};
  EXPECT_EQ(CountsOf("arrival"), expected);  // not for the duplicate nor the ignored message
}

TEST_F(PipelineTest, TooOldRecordIsLoggedAndCountedButReachesNoFact) {
  const Millis horizon = 90 * kDayMs;
  const Millis clock = kH23 + 10;
  RecordingSink sink;
  PipelineOptions options;
  options.org_override = "cloudspe";
  {
    // The clock this run has seen: d1 sets it, d2 is exactly at the horizon (kept), d3 is 1 ms
    // older (too old). Another org has its own clock.
    VectorSource source(
        {TraceAt("d1", clock), TraceAt("d2", clock - horizon), TraceAt("d3", clock - horizon - 1)});
    RunOnce(source, options, &sink);
  }
  EXPECT_EQ(sink.accepted_ids, (std::vector<std::string>{"d1", "d2"}));
  {
    // A restarted pipeline takes the clock from the store.
    VectorSource source({TraceAt("d4", clock - horizon - kHourMs), TraceAt("d5", kH21)});
    RunOnce(source, options, &sink);
  }
  EXPECT_EQ(sink.accepted_ids, (std::vector<std::string>{"d1", "d2", "d5"}));
  {
    options.org_override = "daydream";
    VectorSource source({TraceAt("d6", clock - horizon - kHourMs)});
    RunOnce(source, options, &sink);
  }
  EXPECT_EQ(sink.accepted_ids, (std::vector<std::string>{"d1", "d2", "d5", "d6"}));
  {
    // The sink's facts begin later than the horizon (a sweep under a shorter one): d7, within
    // the horizon but before them, is too old too.
    options.org_override = "cloudspe";
    sink.facts_from["cloudspe"] = kH21;
    VectorSource source({TraceAt("d7", kH21 - 1), TraceAt("d8", kH21)});
    RunOnce(source, options, &sink);
  }
  EXPECT_EQ(sink.accepted_ids, (std::vector<std::string>{"d1", "d2", "d5", "d6", "d8"}));

  auto too_old = store_.Counters(clock - horizon - kDayMs, clock);
  ASSERT_TRUE(too_old.ok());
  std::map<std::pair<std::string, Millis>, int64_t> checks, accepted;
  for (const store::CounterRow& row : *too_old) {
    if (row.kind == "check") {
      EXPECT_EQ(row.key, "too_old");
      EXPECT_EQ(row.family, "stream_trace");
      checks[{row.org, row.hour}] += row.count;
    }
    if (row.kind == "accepted") accepted[{row.org, row.hour}] += row.count;
  }
  EXPECT_EQ(checks, (std::map<std::pair<std::string, Millis>, int64_t>{
                        {{"cloudspe", HourFloor(clock - horizon - 1)}, 1},
                        {{"cloudspe", HourFloor(clock - horizon - kHourMs)}, 1},
                        {{"cloudspe", HourFloor(kH21 - 1)}, 1}}));
  // Too-old records are still accepted and kept in the raw log, flagged so that no replay
  // applies them either (d3 shares its hour with d2, which a sweep keeps).
  EXPECT_EQ(accepted[std::make_pair("cloudspe", HourFloor(clock - horizon - kHourMs))], 1);
  std::map<std::string, bool> logged;
  ASSERT_TRUE(ScanRawLog(store_, clock - horizon - kDayMs, clock, [&](const RawEntry& e) {
                logged[std::string(e.event_id)] = e.too_old;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(logged, (std::map<std::string, bool>{{"d1", false},
                                                 {"d2", false},
                                                 {"d3", true},
                                                 {"d4", true},
                                                 {"d5", false},
                                                 {"d6", false},
                                                 {"d7", true},
                                                 {"d8", false}}));
}

}  // namespace
}  // namespace naap::ingest
