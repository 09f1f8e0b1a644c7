// Every Store backend must pass this suite; a new backend adds one line to kBackends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "store/store.h"
#include "store/store_test_util.h"

namespace naap::store {
namespace {

using testing::Block;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::kT0;
using testing::MakeSlice;
using testing::Rejection;
using testing::ScopedTempDir;

struct Backend {
  const char* name;
  bool durable;  // a reopened store sees what was committed before
  std::string (*uri)(const std::filesystem::path& dir);
};

const Backend kBackends[] = {
    {"memory", false, [](const std::filesystem::path&) { return std::string("memory:"); }},
    {"sqlite", true,
     [](const std::filesystem::path& dir) { return "sqlite:" + (dir / "naap.db").string(); }},
};

constexpr Millis kH = kHourMs;

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    Result<std::unique_ptr<Store>> opened = OpenStore(GetParam().uri(dir_.path()));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
  }

  void CommitOk(const IngestBatch& batch) {
    Status status = store_->Commit(batch);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  // "org/hour-offset/payload" of every block in [from, to], in scan order.
  std::vector<std::string> ScanSummary(Millis from, Millis to) {
    std::vector<std::string> seen;
    Status status = store_->ScanRawBlocks(from, to, [&](const RawBlock& b) {
      seen.push_back(b.org + "/" + std::to_string((b.hour - kT0) / kH) + "/" + b.payload);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return seen;
  }

  // Every (org, key) ForEachDedupKey reports, once per report.
  std::multiset<std::pair<std::string, Key128>> DedupKeyReports() {
    std::multiset<std::pair<std::string, Key128>> keys;
    Status status = store_->ForEachDedupKey(
        [&](std::string_view org, const Key128& key) { keys.emplace(std::string(org), key); });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return keys;
  }

  std::set<std::pair<std::string, Key128>> AllDedupKeys() {
    std::multiset<std::pair<std::string, Key128>> reports = DedupKeyReports();
    return {reports.begin(), reports.end()};
  }

  bool HasKey(std::string_view org, Key128 key) {
    return AllDedupKeys().contains({std::string(org), key});
  }

  std::optional<std::string> Position(std::string_view source) {
    Result<std::optional<std::string>> position = store_->SourcePosition(source);
    EXPECT_TRUE(position.ok()) << position.status().ToString();
    return position.ok() ? *position : std::nullopt;
  }

  std::optional<Millis> Clock(std::optional<std::string_view> org) {
    Result<std::optional<Millis>> clock = store_->DataClock(org);
    EXPECT_TRUE(clock.ok()) << clock.status().ToString();
    return clock.ok() ? *clock : std::nullopt;
  }

  std::vector<CounterRow> CountersIn(Millis from, Millis to) {
    Result<std::vector<CounterRow>> rows = store_->Counters(from, to);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? *rows : std::vector<CounterRow>{};
  }

  // detail of every rejected row in [from, to], in order.
  std::vector<std::string> RejectedDetails(Millis from, Millis to) {
    Result<std::vector<RejectedRow>> rows = store_->Rejected(from, to);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> details;
    if (rows.ok()) {
      for (const RejectedRow& row : *rows) details.push_back(row.detail);
    }
    return details;
  }

  // One batch touching every part of the store, for the all-or-nothing and persistence tests.
  static IngestBatch FullBatch() {
    IngestBatch batch;
    batch.raw_blocks = {Block("acme", kT0, 10, 20, "p1")};
    batch.rejected = {Rejection("acme", kT0 + 5, "r1")};
    batch.dedup = {{"acme", Key128{1, 2}, kT0 + 10, kT0 + 100}};
    batch.counters = {
        {"acme", kT0, kT0, "accepted", "stream_trace", "gateway_receive_stream_request", 3}};
    batch.positions = {{"file:a.ndjson", "120"}};
    batch.slices = {MakeSlice("demand", "acme", kT0, "rows-a0")};
    return batch;
  }

  // "table/org/hour-offset/rows" of every slice of table in [from, to], in scan order.
  std::vector<std::string> SliceSummary(std::string_view table, Millis from, Millis to) {
    std::vector<std::string> seen;
    Status status = store_->ScanSlices(table, from, to, [&](const Slice& s) {
      EXPECT_EQ(s.sha256_hex, Sha256Hex(s.rows));
      seen.push_back(s.table + "/" + s.org + "/" + std::to_string((s.hour - kT0) / kH) + "/" +
                     s.rows);
      return Status::Ok();
    });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return seen;
  }

  // "table/org/hour-offset/sha-prefix" of every stored slice, in checksum order.
  std::vector<std::string> ChecksumSummary() {
    std::vector<std::string> seen;
    Status status = store_->ForEachSliceChecksum(
        [&](std::string_view table, std::string_view org, Millis hour, std::string_view sha) {
          seen.push_back(std::string(table) + "/" + std::string(org) + "/" +
                         std::to_string((hour - kT0) / kH) + "/" + std::string(sha.substr(0, 8)));
        });
    EXPECT_TRUE(status.ok()) << status.ToString();
    return seen;
  }

  std::optional<std::string> SliceRows(std::string_view table, std::string_view org, Millis hour) {
    Result<std::optional<Slice>> slice = store_->GetSlice(table, org, hour);
    EXPECT_TRUE(slice.ok()) << slice.status().ToString();
    if (!slice.ok() || !slice->has_value()) return std::nullopt;
    EXPECT_EQ((*slice)->table, table);
    EXPECT_EQ((*slice)->org, org);
    EXPECT_EQ((*slice)->hour, hour);
    EXPECT_EQ((*slice)->sha256_hex, Sha256Hex((*slice)->rows));
    return (*slice)->rows;
  }

  void ExpectFullBatchVisible() {
    EXPECT_THAT(ScanSummary(kT0, kT0), ElementsAre("acme/0/p1"));
    EXPECT_THAT(RejectedDetails(kT0, kT0 + kH), ElementsAre("r1"));
    EXPECT_TRUE(HasKey("acme", Key128{1, 2}));
    EXPECT_THAT(CountersIn(kT0, kT0),
                ElementsAre(CounterRow{"acme", kT0, kT0, "accepted", "stream_trace",
                                       "gateway_receive_stream_request", 3}));
    EXPECT_EQ(Position("file:a.ndjson"), "120");
    EXPECT_EQ(Clock("acme"), kT0 + 20);
    EXPECT_EQ(SliceRows("demand", "acme", kT0), "rows-a0");
  }

  ScopedTempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, EmptyStoreHoldsNothing) {
  EXPECT_FALSE(HasKey("acme", Key128{1, 2}));
  EXPECT_TRUE(AllDedupKeys().empty());
  EXPECT_EQ(Position("file:a.ndjson"), std::nullopt);
  EXPECT_TRUE(ScanSummary(0, kT0 * 2).empty());
  EXPECT_EQ(Clock("acme"), std::nullopt);
  EXPECT_TRUE(CountersIn(0, kT0 * 2).empty());
  EXPECT_TRUE(RejectedDetails(0, kT0 * 2).empty());
  EXPECT_TRUE(SliceSummary("demand", 0, kT0 * 2).empty());
  EXPECT_TRUE(ChecksumSummary().empty());
  EXPECT_EQ(SliceRows("demand", "acme", kT0), std::nullopt);
}

TEST_P(StoreConformanceTest, CommitMakesEveryPartVisible) {
  CommitOk(FullBatch());
  ExpectFullBatchVisible();
}

TEST_P(StoreConformanceTest, EmptyBatchCommitsAndChangesNothing) {
  CommitOk(IngestBatch{});
  EXPECT_TRUE(AllDedupKeys().empty());
  EXPECT_TRUE(ScanSummary(0, kT0 * 2).empty());
}

TEST_P(StoreConformanceTest, MalformedRawBlockRefusesTheWholeBatch) {
  IngestBatch batch = FullBatch();
  // max_ts in the next hour: the block straddles two partitions.
  batch.raw_blocks.push_back(Block("acme", kT0 + kH, 0, kH, "straddles"));
  Status status = store_->Commit(batch);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_TRUE(ScanSummary(0, kT0 * 2).empty());
  EXPECT_TRUE(RejectedDetails(0, kT0 * 2).empty());
  EXPECT_TRUE(AllDedupKeys().empty());
  EXPECT_TRUE(CountersIn(0, kT0 * 2).empty());
  EXPECT_EQ(Position("file:a.ndjson"), std::nullopt);
}

TEST_P(StoreConformanceTest, CommitStatsCountBatchesAndTheirRawBytes) {
  EXPECT_EQ(store_->commit_stats().commits, 0u);
  IngestBatch batch = FullBatch();
  int64_t raw_bytes = 0;
  for (const RawBlock& block : batch.raw_blocks) raw_bytes += std::ssize(block.payload);
  ASSERT_GT(raw_bytes, 0);
  CommitOk(batch);
  CommitOk(IngestBatch{});
  batch.raw_blocks.push_back(Block("acme", kT0 + kH, 0, kH, "straddles"));  // refused
  EXPECT_FALSE(store_->Commit(batch).ok());
  const CommitStats stats = store_->commit_stats();
  EXPECT_EQ(stats.commits, 2u);
  EXPECT_EQ(stats.failed, 1u);
  EXPECT_EQ(stats.raw_bytes, raw_bytes);  // of the committed batches only
  EXPECT_GT(stats.seconds, 0);
}

TEST_P(StoreConformanceTest, MalformedBlocksAndCountersAreRefused) {
  IngestBatch unaligned_block, reversed_range, empty_block, unaligned_counter;
  unaligned_block.raw_blocks = {Block("acme", kT0 + 1, 0, 5, "x")};
  reversed_range.raw_blocks = {Block("acme", kT0, 9, 5, "x")};
  empty_block.raw_blocks = {Block("acme", kT0, 0, 5, "x")};
  empty_block.raw_blocks[0].count = 0;
  IngestBatch unaligned_ingest_hour;
  unaligned_counter.counters = {{"acme", kT0 + 60'000, kT0, "duplicate", "", "", 1}};
  unaligned_ingest_hour.counters = {{"acme", kT0, kT0 + 60'000, "duplicate", "", "", 1}};
  for (const IngestBatch* batch : {&unaligned_block, &reversed_range, &empty_block,
                                   &unaligned_counter, &unaligned_ingest_hour}) {
    EXPECT_EQ(store_->Commit(*batch).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ScanSummary(0, kT0 * 2).empty());
  EXPECT_TRUE(CountersIn(0, kT0 * 2).empty());
}

TEST_P(StoreConformanceTest, CountersAreSummedAcrossCommitsAndOrdered) {
  IngestBatch first, second;
  first.counters = {
      {"zeta", kT0, kT0, "accepted", "stream_trace", "a", 5},
      {"acme", kT0 + kH, kT0 + kH, "rejected", "", "malformed_json", 2},
      {"acme", kT0, kT0 + kH, "accepted", "stream_trace", "b", 1},
      {"acme", kT0, kT0 + kH, "accepted", "stream_trace", "b", 4},  // same row twice in one batch
  };
  second.counters = {
      {"acme", kT0, kT0 + kH, "accepted", "stream_trace", "b", 10},
      {"acme", kT0, kT0 + 3 * kH, "accepted", "stream_trace", "b", 6},  // a later ingest hour
      {"acme", kT0, kT0 + 9 * kH, "accepted", "ai_stream_status", "x", 7},
      {"acme", kT0 + 2 * kH, kT0 + 2 * kH, "duplicate", "", "", 1},
  };
  CommitOk(first);
  CommitOk(second);
  // Ordered by (org, hour, ingest_hour, kind, family, key); the range is on the accounting hour.
  EXPECT_THAT(
      CountersIn(kT0, kT0 + kH),
      ElementsAre(CounterRow{"acme", kT0, kT0 + kH, "accepted", "stream_trace", "b", 15},
                  CounterRow{"acme", kT0, kT0 + 3 * kH, "accepted", "stream_trace", "b", 6},
                  CounterRow{"acme", kT0, kT0 + 9 * kH, "accepted", "ai_stream_status", "x", 7},
                  CounterRow{"acme", kT0 + kH, kT0 + kH, "rejected", "", "malformed_json", 2},
                  CounterRow{"zeta", kT0, kT0, "accepted", "stream_trace", "a", 5}));
  EXPECT_THAT(CountersIn(kT0 + 2 * kH, kT0 + 2 * kH),
              ElementsAre(CounterRow{"acme", kT0 + 2 * kH, kT0 + 2 * kH, "duplicate", "", "", 1}));
  EXPECT_TRUE(CountersIn(kT0 + 3 * kH, kT0 + 9 * kH).empty());
}

TEST_P(StoreConformanceTest, CountersSumToTheSameTotalOverEitherHourKey) {
  IngestBatch batch;
  batch.counters = {
      {"acme", kT0, kT0, "accepted", "stream_trace", "a", 2},
      {"acme", kT0, kT0 + kH, "accepted", "stream_trace", "a", 3},
      {"acme", kT0 + kH, kT0 + kH, "ignored", "stream_trace", "unknown_stream_trace_type", 4},
      {"acme", kT0 + kH, kT0 + 2 * kH, "duplicate", "stream_trace", "", 5},
  };
  CommitOk(batch);
  std::map<Millis, int64_t> by_accounting_hour, by_ingest_hour;
  for (const CounterRow& row : CountersIn(kT0, kT0 + 2 * kH)) {
    by_accounting_hour[row.hour] += row.count;
    by_ingest_hour[row.ingest_hour] += row.count;
  }
  EXPECT_EQ(by_accounting_hour, (std::map<Millis, int64_t>{{kT0, 5}, {kT0 + kH, 9}}));
  EXPECT_EQ(by_ingest_hour,
            (std::map<Millis, int64_t>{{kT0, 2}, {kT0 + kH, 7}, {kT0 + 2 * kH, 5}}));
}

TEST_P(StoreConformanceTest, DedupKeysAreScopedByOrgAndEnumerated) {
  const Key128 high_bits{0xFFFF'FFFF'FFFF'FFFFull, 0x8000'0000'0000'0001ull};
  IngestBatch batch;
  batch.dedup = {{"acme", Key128{1, 2}, kT0, kT0},
                 {"acme", high_bits, kT0, kT0},
                 {"zeta", Key128{1, 2}, kT0, kT0},
                 {"acme", Key128{1, 2}, kT0 + 5, kT0 + 5}};  // repeated key: a second copy
  CommitOk(batch);
  CommitOk(batch);  // the same keys again: no error, one more copy of each
  EXPECT_TRUE(HasKey("acme", Key128{1, 2}));
  EXPECT_TRUE(HasKey("acme", high_bits));
  EXPECT_TRUE(HasKey("zeta", Key128{1, 2}));
  EXPECT_FALSE(HasKey("zeta", high_bits));
  EXPECT_FALSE(HasKey("acme", Key128{2, 1}));
  EXPECT_FALSE(HasKey("", Key128{1, 2}));
  std::set<std::pair<std::string, Key128>> expected = {
      {"acme", Key128{1, 2}}, {"acme", high_bits}, {"zeta", Key128{1, 2}}};
  EXPECT_EQ(AllDedupKeys(), expected);
  EXPECT_EQ(DedupKeyReports().count({"acme", Key128{1, 2}}), 4u);
  EXPECT_EQ(DedupKeyReports().count({"zeta", Key128{1, 2}}), 2u);
}

TEST_P(StoreConformanceTest, RecommittedKeyStaysUntilItsLastCopyIsSwept) {
  IngestBatch first, later;
  first.dedup = {{"acme", Key128{7, 7}, kT0, kT0}};
  later.dedup = {{"acme", Key128{7, 7}, kT0 + 10 * kH, kT0 + 10 * kH}};
  CommitOk(first);
  CommitOk(later);
  // A cut between the two copies' times sweeps only the first copy.
  ASSERT_TRUE(
      store_->Sweep({.org = "acme", .dedup_event_before = kT0 + kH, .dedup_seen_before = kT0 + kH})
          .ok());
  EXPECT_EQ(DedupKeyReports().count({"acme", Key128{7, 7}}), 1u);
  ASSERT_TRUE(store_
                  ->Sweep({.org = "acme",
                           .dedup_event_before = kT0 + 11 * kH,
                           .dedup_seen_before = kT0 + 11 * kH})
                  .ok());
  EXPECT_FALSE(HasKey("acme", Key128{7, 7}));
}

TEST_P(StoreConformanceTest, PositionsAreReplaced) {
  IngestBatch first, second;
  first.positions = {{"kafka:naap:0", "100"}, {"file:a.ndjson", "7"}};
  second.positions = {{"kafka:naap:0", "150"}, {"kafka:naap:0", "200"}};  // last one wins
  CommitOk(first);
  CommitOk(second);
  EXPECT_EQ(Position("kafka:naap:0"), "200");
  EXPECT_EQ(Position("file:a.ndjson"), "7");
  EXPECT_EQ(Position("kafka:naap:1"), std::nullopt);
}

TEST_P(StoreConformanceTest, ScanRawBlocksOrdersByHourOrgCommitAndHonoursRange) {
  IngestBatch first, second;
  first.raw_blocks = {Block("zeta", kT0 + kH, 0, 1, "z1"), Block("acme", kT0 + 2 * kH, 0, 1, "a2"),
                      Block("acme", kT0 + kH, 5, 6, "a1-first"), Block("acme", kT0, 0, 1, "a0")};
  second.raw_blocks = {Block("acme", kT0 + kH, 0, 1, "a1-second"),
                       Block("acme", kT0 + 3 * kH, 0, 1, "a3")};
  CommitOk(first);
  CommitOk(second);
  EXPECT_THAT(ScanSummary(kT0 + kH, kT0 + 2 * kH),
              ElementsAre("acme/1/a1-first", "acme/1/a1-second", "zeta/1/z1", "acme/2/a2"));
  EXPECT_THAT(ScanSummary(kT0, kT0), ElementsAre("acme/0/a0"));
  EXPECT_TRUE(ScanSummary(kT0 + 4 * kH, kT0 + 9 * kH).empty());
}

TEST_P(StoreConformanceTest, RawLogSizeCountsBlocksEntriesBytesAndTheOldestEvent) {
  Result<RawLogStats> empty = store_->RawLogSize();
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->blocks, 0);
  EXPECT_EQ(empty->entries, 0);
  EXPECT_EQ(empty->payload_bytes, 0);
  EXPECT_FALSE(empty->oldest_event.has_value());
  IngestBatch batch;
  batch.raw_blocks = {Block("zeta", kT0 + kH, 7, 9, "12345"), Block("acme", kT0, 3, 4, "ab")};
  CommitOk(batch);
  Result<RawLogStats> stats = store_->RawLogSize();
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->blocks, 2);
  EXPECT_EQ(stats->entries, 4);  // Block() gives each block 2
  EXPECT_EQ(stats->payload_bytes, 7);
  EXPECT_EQ(stats->oldest_event, kT0 + 3);
}

TEST_P(StoreConformanceTest, RawLogHoursAreDistinctAndAscending) {
  Result<std::vector<Millis>> empty = store_->RawLogHours();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  IngestBatch first, second;
  first.raw_blocks = {Block("zeta", kT0 + 2 * kH, 1, 2, "a"), Block("acme", kT0, 1, 2, "b")};
  second.raw_blocks = {Block("acme", kT0 + 2 * kH, 3, 4, "c"), Block("acme", kT0 + kH, 5, 6, "d")};
  CommitOk(first);
  CommitOk(second);
  Result<std::vector<Millis>> hours = store_->RawLogHours();
  ASSERT_TRUE(hours.ok());
  EXPECT_THAT(*hours, ElementsAre(kT0, kT0 + kH, kT0 + 2 * kH));
}

TEST_P(StoreConformanceTest, RawLogOrgsAreDistinctAndAscending) {
  Result<std::vector<std::string>> empty = store_->RawLogOrgs();
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
  IngestBatch batch;
  batch.raw_blocks = {Block("zeta", kT0 + 2 * kH, 1, 2, "a"), Block("acme", kT0, 1, 2, "b"),
                      Block("acme", kT0 + kH, 3, 4, "c")};
  CommitOk(batch);
  Result<std::vector<std::string>> orgs = store_->RawLogOrgs();
  ASSERT_TRUE(orgs.ok());
  EXPECT_THAT(*orgs, ElementsAre("acme", "zeta"));
  ASSERT_TRUE(store_->Sweep({.org = "zeta", .raw_before_hour = kT0 + 3 * kH}).ok());
  orgs = store_->RawLogOrgs();
  ASSERT_TRUE(orgs.ok());
  EXPECT_THAT(*orgs, ElementsAre("acme"));
}

TEST_P(StoreConformanceTest, RawBlockFieldsRoundTripExactly) {
  RawBlock block = Block("acme", kT0, 1'000, 3'599'999, std::string("\0\xff\x01zstd", 7));
  block.count = 12'345;
  block.crc32 = 0xFFFF'FFFEu;
  IngestBatch batch;
  batch.raw_blocks = {block};
  CommitOk(batch);
  std::vector<RawBlock> seen;
  ASSERT_TRUE(store_
                  ->ScanRawBlocks(kT0, kT0,
                                  [&](const RawBlock& b) {
                                    seen.push_back(b);
                                    return Status::Ok();
                                  })
                  .ok());
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].org, "acme");
  EXPECT_EQ(seen[0].hour, kT0);
  EXPECT_EQ(seen[0].min_ts, kT0 + 1'000);
  EXPECT_EQ(seen[0].max_ts, kT0 + 3'599'999);
  EXPECT_EQ(seen[0].count, 12'345);
  EXPECT_EQ(seen[0].crc32, 0xFFFF'FFFEu);
  EXPECT_EQ(seen[0].payload, block.payload);
}

TEST_P(StoreConformanceTest, RawBlockSeqsFollowCommitsAndAreNeverGivenTwice) {
  EXPECT_EQ(store_->LastRawSeq().value(), 0);
  IngestBatch first;
  first.raw_blocks = {Block("acme", kT0 + kH, 0, 1, "a"), Block("acme", kT0, 0, 1, "b")};
  CommitOk(first);
  IngestBatch second;
  second.raw_blocks = {Block("beta", kT0, 0, 1, "c")};
  CommitOk(second);
  const auto after = [&](int64_t seq) {
    std::vector<std::string> seen;
    EXPECT_TRUE(store_
                    ->ScanRawBlocksAfter(seq,
                                         [&](const RawBlock& b) {
                                           seen.push_back(std::to_string(b.seq) + ":" + b.payload);
                                           return Status::Ok();
                                         })
                    .ok());
    return seen;
  };
  EXPECT_THAT(after(0), ElementsAre("1:a", "2:b", "3:c"));
  EXPECT_THAT(after(1), ElementsAre("2:b", "3:c"));
  EXPECT_THAT(after(3), ElementsAre());
  EXPECT_EQ(store_->LastRawSeq().value(), 3);
  // Sweeping the newest block leaves its seq used: the next block gets a new one.
  ASSERT_TRUE(store_->Sweep({.org = "beta", .raw_before_hour = kT0 + kH}).ok());
  EXPECT_EQ(store_->LastRawSeq().value(), 3);
  IngestBatch third;
  third.raw_blocks = {Block("beta", kT0 + 2 * kH, 0, 1, "d")};
  CommitOk(third);
  EXPECT_THAT(after(2), ElementsAre("4:d"));
  if (GetParam().durable) {
    Reopen();
    EXPECT_EQ(store_->LastRawSeq().value(), 4);
    EXPECT_THAT(after(0), ElementsAre("1:a", "2:b", "4:d"));
  }
}

TEST_P(StoreConformanceTest, CheckpointIsReplacedWholeAndAFailedOneKeepsTheOld) {
  const auto read = [&](std::vector<std::string>& parts) {
    parts.clear();
    Result<std::optional<int64_t>> seq = store_->ReadCheckpoint([&](std::string_view part) {
      parts.emplace_back(part);
      return Status::Ok();
    });
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    return seq.ok() ? *seq : std::nullopt;
  };
  const auto put = [&](int64_t seq, std::vector<std::string> parts, bool fail_at_end) {
    return store_->PutCheckpoint(seq, [&](const Store::PartWriter& write) {
      for (const std::string& part : parts) NAAP_RETURN_IF_ERROR(write(part));
      return fail_at_end ? Unavailable("encoding failed") : Status::Ok();
    });
  };
  std::vector<std::string> parts;
  EXPECT_EQ(read(parts), std::nullopt);
  EXPECT_TRUE(parts.empty());
  ASSERT_TRUE(put(7, {"one", std::string("\0two", 4), "three"}, false).ok());
  EXPECT_EQ(read(parts), 7);
  EXPECT_THAT(parts, ElementsAre("one", std::string("\0two", 4), "three"));
  EXPECT_EQ(put(9, {"x"}, true).code(), StatusCode::kUnavailable);
  EXPECT_EQ(read(parts), 7);
  EXPECT_THAT(parts, ElementsAre("one", std::string("\0two", 4), "three"));
  ASSERT_TRUE(put(12, {"only"}, false).ok());
  if (GetParam().durable) Reopen();
  EXPECT_EQ(read(parts), 12);
  EXPECT_THAT(parts, ElementsAre("only"));
  int calls = 0;
  Result<std::optional<int64_t>> stopped = store_->ReadCheckpoint([&](std::string_view) {
    ++calls;
    return Corruption("bad part");
  });
  EXPECT_EQ(stopped.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformanceTest, ScanStopsAtTheFirstCallbackError) {
  IngestBatch batch;
  batch.raw_blocks = {Block("acme", kT0, 0, 1, "a"), Block("acme", kT0 + kH, 0, 1, "b")};
  CommitOk(batch);
  int calls = 0;
  Status status = store_->ScanRawBlocks(kT0, kT0 + kH, [&](const RawBlock&) {
    ++calls;
    return Corruption("bad block");
  });
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformanceTest, DataClockIsNewestEventPerOrgAndOverAllOrgs) {
  EXPECT_EQ(Clock(std::nullopt), std::nullopt);  // nothing held
  IngestBatch batch;
  batch.raw_blocks = {Block("acme", kT0 + 5 * kH, 0, 42, "new"),
                      Block("acme", kT0, 0, 3'000'000, "old"),
                      Block("zeta", kT0 + 2 * kH, 7, 9, "z")};
  CommitOk(batch);
  EXPECT_EQ(Clock("acme"), kT0 + 5 * kH + 42);
  EXPECT_EQ(Clock("zeta"), kT0 + 2 * kH + 9);
  EXPECT_EQ(Clock("other"), std::nullopt);
  EXPECT_EQ(Clock(std::nullopt), kT0 + 5 * kH + 42);
  IngestBatch later;
  later.raw_blocks = {Block("zeta", kT0 + 9 * kH, 0, 1, "z2")};
  CommitOk(later);
  EXPECT_EQ(Clock(std::nullopt), kT0 + 9 * kH + 1);
}

TEST_P(StoreConformanceTest, RejectedRowsRoundTripInIngestThenInsertionOrder) {
  IngestBatch first, second;
  RejectedRow binary = Rejection("", kT0 + 100, "no-org");
  binary.head = std::string("\0\x80{", 3);
  binary.total_bytes = 1'048'577;
  first.rejected = {Rejection("acme", kT0 + 300, "late"),
                    Rejection("acme", kT0 + 100, "first-at-100"),
                    Rejection("acme", kT0 + 50, "early")};
  second.rejected = {Rejection("acme", kT0 + 200, "mid"), binary};
  CommitOk(first);
  CommitOk(second);
  EXPECT_THAT(RejectedDetails(kT0 + 100, kT0 + 200), ElementsAre("first-at-100", "no-org", "mid"));
  EXPECT_THAT(RejectedDetails(kT0, kT0 + 1'000),
              ElementsAre("early", "first-at-100", "no-org", "mid", "late"));
  Result<std::vector<RejectedRow>> rows = store_->Rejected(kT0 + 100, kT0 + 100);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  const RejectedRow& got = (*rows)[1];
  EXPECT_EQ(got.org, "");
  EXPECT_EQ(got.reason, binary.reason);
  EXPECT_EQ(got.provenance, binary.provenance);
  EXPECT_EQ(got.ingest_ms, kT0 + 100);
  EXPECT_EQ(got.total_bytes, 1'048'577);
  EXPECT_EQ(got.sha256_hex, binary.sha256_hex);
  EXPECT_EQ(got.head, binary.head);
}

TEST_P(StoreConformanceTest, SweepRawBlocksBeforeHourOfOneOrg) {
  IngestBatch batch;
  batch.raw_blocks = {Block("acme", kT0, 0, 1, "a0"), Block("acme", kT0 + kH, 0, 1, "a1"),
                      Block("acme", kT0 + 2 * kH, 0, 1, "a2"), Block("zeta", kT0, 0, 1, "z0")};
  CommitOk(batch);
  ASSERT_TRUE(store_->Sweep({.org = "acme", .raw_before_hour = kT0 + kH}).ok());
  EXPECT_THAT(ScanSummary(kT0, kT0 + 2 * kH), ElementsAre("zeta/0/z0", "acme/1/a1", "acme/2/a2"));
  ASSERT_TRUE(store_->Sweep({.org = "acme", .raw_before_hour = kT0 + 3 * kH}).ok());
  EXPECT_EQ(Clock("acme"), std::nullopt);
  EXPECT_EQ(Clock("zeta"), kT0 + 1);
}

TEST_P(StoreConformanceTest, SweepDedupNeedsBothTimesBeforeTheCut) {
  IngestBatch batch;
  batch.dedup = {{"acme", Key128{0, 1}, kT0, kT0},            // both old: goes
                 {"acme", Key128{0, 2}, kT0, kT0 + 10 * kH},  // seen recently: stays
                 {"acme", Key128{0, 3}, kT0 + 10 * kH, kT0},  // recent event: stays
                 {"acme", Key128{0, 4}, kT0 + kH, kT0 + kH},  // exactly at the cut: stays
                 {"zeta", Key128{0, 1}, kT0, kT0}};           // other org: stays
  CommitOk(batch);
  ASSERT_TRUE(
      store_->Sweep({.org = "acme", .dedup_event_before = kT0 + kH, .dedup_seen_before = kT0 + kH})
          .ok());
  std::set<std::pair<std::string, Key128>> expected = {{"acme", Key128{0, 2}},
                                                       {"acme", Key128{0, 3}},
                                                       {"acme", Key128{0, 4}},
                                                       {"zeta", Key128{0, 1}}};
  EXPECT_EQ(AllDedupKeys(), expected);
  EXPECT_FALSE(HasKey("acme", Key128{0, 1}));
}

// Commits hold entries of several ages: a sweep may take all, some or none of a commit's entries.
TEST_P(StoreConformanceTest, SweepDedupAcrossCommitsOfMixedAges) {
  IngestBatch old_only, mixed, recent_only;
  old_only.dedup = {{"acme", Key128{1, 1}, kT0, kT0}, {"acme", Key128{1, 2}, kT0 + 1, kT0 + 2}};
  mixed.dedup = {{"acme", Key128{2, 1}, kT0 + 3 * kH, kT0 + 3 * kH},
                 {"acme", Key128{2, 2}, kT0, kT0 + 3 * kH},
                 {"acme", Key128{2, 3}, kT0 + 6 * kH, kT0 + 6 * kH},
                 {"zeta", Key128{2, 4}, kT0, kT0}};
  recent_only.dedup = {{"acme", Key128{3, 1}, kT0 + 8 * kH, kT0 + 8 * kH}};
  CommitOk(old_only);
  CommitOk(mixed);
  CommitOk(recent_only);
  ASSERT_TRUE(store_
                  ->Sweep({.org = "acme",
                           .dedup_event_before = kT0 + 4 * kH,
                           .dedup_seen_before = kT0 + 4 * kH})
                  .ok());
  std::set<std::pair<std::string, Key128>> after_first = {
      {"acme", Key128{2, 3}}, {"zeta", Key128{2, 4}}, {"acme", Key128{3, 1}}};
  EXPECT_EQ(AllDedupKeys(), after_first);
  ASSERT_TRUE(store_
                  ->Sweep({.org = "acme",
                           .dedup_event_before = kT0 + 7 * kH,
                           .dedup_seen_before = kT0 + 7 * kH})
                  .ok());
  std::set<std::pair<std::string, Key128>> after_second = {{"zeta", Key128{2, 4}},
                                                           {"acme", Key128{3, 1}}};
  EXPECT_EQ(AllDedupKeys(), after_second);
  // Entries committed after the sweeps land beside the survivors.
  IngestBatch later;
  later.dedup = {{"acme", Key128{4, 1}, kT0, kT0}};
  CommitOk(later);
  after_second.insert({"acme", Key128{4, 1}});
  EXPECT_EQ(AllDedupKeys(), after_second);
}

TEST_P(StoreConformanceTest, SweepRejectedBeforeIngestAndKeepsCountersOfTheServingHorizon) {
  IngestBatch batch;
  batch.rejected = {Rejection("acme", kT0 + 10, "old"), Rejection("acme", kT0 + 20, "at-cut"),
                    Rejection("zeta", kT0 + 10, "other-org")};
  batch.counters = {{"acme", kT0, kT0, "rejected", "", "malformed_json", 2}};
  CommitOk(batch);
  ASSERT_TRUE(store_
                  ->Sweep({.org = "acme",
                           .raw_before_hour = kT0 + 9 * kH,
                           .dedup_event_before = kT0 + 9 * kH,
                           .dedup_seen_before = kT0 + 9 * kH,
                           .rejected_before = kT0 + 20,
                           .serving_before_hour = kT0})
                  .ok());
  EXPECT_THAT(RejectedDetails(kT0, kT0 + kH), ElementsAre("other-org", "at-cut"));
  EXPECT_THAT(CountersIn(kT0, kT0),
              ElementsAre(CounterRow{"acme", kT0, kT0, "rejected", "", "malformed_json", 2}));
}

// Serving slices and counter rows go by their hour, for the cut's org only (org "" is the
// benchmark's).
TEST_P(StoreConformanceTest, SweepSlicesAndCountersBeforeTheServingCutOfOneOrg) {
  IngestBatch batch;
  batch.slices = {MakeSlice("sla", "acme", kT0, "a0"), MakeSlice("demand", "acme", kT0 + kH, "d1"),
                  MakeSlice("sla", "acme", kT0 + 2 * kH, "a2"), MakeSlice("sla", "zeta", kT0, "z0"),
                  MakeSlice("bench", "", kT0, "b0")};
  batch.counters = {{"acme", kT0 + kH, kT0 + 5 * kH, "accepted", "stream_trace", "a", 3},
                    {"acme", kT0 + 2 * kH, kT0 + 2 * kH, "duplicate", "", "", 1},
                    {"zeta", kT0, kT0, "duplicate", "", "", 4}};
  CommitOk(batch);
  ASSERT_TRUE(store_->Sweep({.org = "acme", .serving_before_hour = kT0 + 2 * kH}).ok());
  EXPECT_THAT(SliceSummary("sla", 0, kT0 * 2), ElementsAre("sla/zeta/0/z0", "sla/acme/2/a2"));
  EXPECT_THAT(SliceSummary("demand", 0, kT0 * 2), ElementsAre());
  EXPECT_THAT(SliceSummary("bench", 0, kT0 * 2), ElementsAre("bench//0/b0"));
  EXPECT_THAT(CountersIn(kT0, kT0 + 2 * kH),
              ElementsAre(CounterRow{"acme", kT0 + 2 * kH, kT0 + 2 * kH, "duplicate", "", "", 1},
                          CounterRow{"zeta", kT0, kT0, "duplicate", "", "", 4}));
  ASSERT_TRUE(store_->Sweep({.org = "", .serving_before_hour = kT0 + kH}).ok());
  EXPECT_THAT(SliceSummary("bench", 0, kT0 * 2), ElementsAre());
}

TEST_P(StoreConformanceTest, SlicesAreReplacedDeletedAndScannedByHourThenOrg) {
  IngestBatch first, second;
  first.slices = {MakeSlice("sla", "zeta", kT0, "z0"), MakeSlice("sla", "acme", kT0 + kH, "a1"),
                  MakeSlice("sla", "acme", kT0, "a0"), MakeSlice("demand", "acme", kT0, "d0"),
                  MakeSlice("sla", "acme", kT0 + 3 * kH, "a3")};
  second.slices = {MakeSlice("sla", "acme", kT0, "a0-new"),     // replaced
                   MakeSlice("sla", "acme", kT0 + kH, ""),      // deleted
                   MakeSlice("sla", "beta", kT0 + 9 * kH, ""),  // deleting nothing is fine
                   MakeSlice("sla", "beta", kT0, "b0-old"),
                   MakeSlice("sla", "beta", kT0, "b0")};  // the last one of a key wins
  CommitOk(first);
  EXPECT_THAT(SliceSummary("sla", kT0, kT0 + kH),
              ElementsAre("sla/acme/0/a0", "sla/zeta/0/z0", "sla/acme/1/a1"));
  CommitOk(second);
  EXPECT_THAT(SliceSummary("sla", kT0, kT0 + 3 * kH),
              ElementsAre("sla/acme/0/a0-new", "sla/beta/0/b0", "sla/zeta/0/z0", "sla/acme/3/a3"));
  EXPECT_THAT(SliceSummary("sla", kT0 + kH, kT0 + 2 * kH), ElementsAre());
  EXPECT_THAT(SliceSummary("demand", 0, kT0 * 2), ElementsAre("demand/acme/0/d0"));
  EXPECT_THAT(SliceSummary("other", 0, kT0 * 2), ElementsAre());
  EXPECT_EQ(SliceRows("sla", "acme", kT0), "a0-new");
  EXPECT_EQ(SliceRows("sla", "acme", kT0 + kH), std::nullopt);
  EXPECT_EQ(SliceRows("demand", "zeta", kT0), std::nullopt);
}

TEST_P(StoreConformanceTest, SliceChecksumsAreOrderedByTableOrgHour) {
  IngestBatch batch;
  batch.slices = {MakeSlice("sla", "acme", kT0 + kH, "a1"), MakeSlice("bench", "", kT0, "b"),
                  MakeSlice("sla", "", kT0 + 2 * kH, "x"), MakeSlice("sla", "acme", kT0, "a0"),
                  MakeSlice("demand", "zeta", kT0, "z")};
  CommitOk(batch);
  // SHA-256 prefixes: "a1" f55ff16f, "b" 3e23e816, "x" 2d711642, "a0" 4e1195df, "z" 594e519a.
  EXPECT_THAT(ChecksumSummary(),
              ElementsAre("bench//0/3e23e816", "demand/zeta/0/594e519a", "sla//2/2d711642",
                          "sla/acme/0/4e1195df", "sla/acme/1/f55ff16f"));
}

TEST_P(StoreConformanceTest, DeletedRangesApplyBeforeTheSlicesOfTheSameBatch) {
  IngestBatch first, rebuild;
  first.slices = {MakeSlice("sla", "acme", kT0, "a0"), MakeSlice("sla", "acme", kT0 + kH, "a1"),
                  MakeSlice("sla", "zeta", kT0 + 2 * kH, "z2"),
                  MakeSlice("sla", "acme", kT0 + 3 * kH, "a3"),
                  MakeSlice("demand", "acme", kT0 + kH, "d1")};
  CommitOk(first);
  rebuild.deleted_slice_ranges = {{"sla", kT0 + kH, kT0 + 2 * kH}};
  rebuild.slices = {MakeSlice("sla", "acme", kT0 + kH, "a1-rebuilt")};
  CommitOk(rebuild);
  EXPECT_THAT(SliceSummary("sla", 0, kT0 * 2),
              ElementsAre("sla/acme/0/a0", "sla/acme/1/a1-rebuilt", "sla/acme/3/a3"));
  EXPECT_THAT(SliceSummary("demand", 0, kT0 * 2), ElementsAre("demand/acme/1/d1"));
}

TEST_P(StoreConformanceTest, ADeletedRangeOfOneOrgLeavesTheOtherOrgs) {
  IngestBatch first, rebuild;
  first.slices = {MakeSlice("sla", "acme", kT0, "a0"), MakeSlice("sla", "zeta", kT0, "z0"),
                  MakeSlice("sla", "acme", kT0 + kH, "a1"),
                  MakeSlice("sla", "zeta", kT0 + kH, "z1")};
  CommitOk(first);
  rebuild.deleted_slice_ranges = {{"sla", kT0 + kH, kT0 + 2 * kH, "zeta"},
                                  {"sla", kT0, kT0 + 2 * kH, "nobody"}};
  CommitOk(rebuild);
  EXPECT_THAT(SliceSummary("sla", 0, kT0 * 2),
              ElementsAre("sla/acme/0/a0", "sla/zeta/0/z0", "sla/acme/1/a1"));
}

TEST_P(StoreConformanceTest, MalformedSlicesRefuseTheWholeBatch) {
  IngestBatch unaligned, wrong_sha, sha_on_delete, no_table, reversed_range;
  unaligned.slices = {MakeSlice("sla", "acme", kT0 + 1, "x")};
  wrong_sha.slices = {MakeSlice("sla", "acme", kT0, "x")};
  wrong_sha.slices[0].sha256_hex = Sha256Hex("y");
  sha_on_delete.slices = {MakeSlice("sla", "acme", kT0, "")};
  sha_on_delete.slices[0].sha256_hex = Sha256Hex("");
  no_table.slices = {MakeSlice("", "acme", kT0, "x")};
  reversed_range.deleted_slice_ranges = {{"sla", kT0 + kH, kT0}};
  for (IngestBatch* batch : {&unaligned, &wrong_sha, &sha_on_delete, &no_table, &reversed_range}) {
    batch->positions = {{"file:a.ndjson", "1"}};
    EXPECT_EQ(store_->Commit(*batch).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ChecksumSummary().empty());
  EXPECT_EQ(Position("file:a.ndjson"), std::nullopt);
}

TEST_P(StoreConformanceTest, SliceScanStopsAtTheFirstCallbackError) {
  IngestBatch batch;
  batch.slices = {MakeSlice("sla", "acme", kT0, "a0"), MakeSlice("sla", "acme", kT0 + kH, "a1")};
  CommitOk(batch);
  int calls = 0;
  Status status = store_->ScanSlices("sla", kT0, kT0 + kH, [&](const Slice&) {
    ++calls;
    return Corruption("bad slice");
  });
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_EQ(calls, 1);
}

TEST_P(StoreConformanceTest, ReopenKeepsEverything) {
  if (!GetParam().durable) GTEST_SKIP() << GetParam().name << " keeps nothing across reopen";
  CommitOk(FullBatch());
  Reopen();
  ExpectFullBatchVisible();
  IngestBatch more;
  more.counters = {
      {"acme", kT0, kT0, "accepted", "stream_trace", "gateway_receive_stream_request", 4}};
  more.raw_blocks = {Block("acme", kT0, 30, 40, "p2")};
  CommitOk(more);
  EXPECT_EQ(CountersIn(kT0, kT0).at(0).count, 7);
  EXPECT_THAT(ScanSummary(kT0, kT0), ElementsAre("acme/0/p1", "acme/0/p2"));
}

INSTANTIATE_TEST_SUITE_P(AllBackends, StoreConformanceTest, ::testing::ValuesIn(kBackends),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param.name;
                         });

TEST(OpenStoreTest, UnknownUriIsInvalidArgumentListingSchemes) {
  for (std::string_view uri : {"postgres://db", "sqlite:", "memory:x", ""}) {
    Result<std::unique_ptr<Store>> store = OpenStore(uri);
    ASSERT_FALSE(store.ok()) << uri;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(store.status().message(), HasSubstr("'" + std::string(uri) + "'"));
    EXPECT_THAT(store.status().message(), HasSubstr("sqlite:PATH"));
    EXPECT_THAT(store.status().message(), HasSubstr("memory:"));
  }
}

TEST(OpenStoreTest, SqliteInMissingDirectoryIsIoError) {
  Result<std::unique_ptr<Store>> store = OpenStore("sqlite:/nonexistent-naap-dir/x/naap.db");
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError);
  EXPECT_THAT(store.status().message(), HasSubstr("/nonexistent-naap-dir/x/naap.db"));
}

}  // namespace
}  // namespace naap::store
