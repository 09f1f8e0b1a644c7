#include "ingest/raw_log.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <deque>
#include <map>

#include "base/bytes.h"
#include "store/store.h"

namespace naap::ingest {
namespace {

constexpr Millis kHour0 = 1767906000000;  // 2026-01-08T21:00:00Z

// Entries' strings are views: the test's entries keep their envelopes here.
std::deque<std::string> envelopes;

RawEntry Entry(std::string_view org, std::string_view id, Millis ts,
               std::string_view ignore_reason = "") {
  RawEntry e;
  e.org = org;
  e.event_id = id;
  e.family = "stream_trace";
  e.subtype = "gateway_receive_stream_request";
  e.event_ts = ts;
  e.gateway = "10.0.1.42:8935";
  e.ignore_reason = ignore_reason;
  e.provenance = "file:events.ndjson:1@0";
  e.envelope =
      envelopes.emplace_back(R"({"id":")" + std::string(id) + R"(","type":"stream_trace"})");
  e.ingest_ms = ts + 1234;
  return e;
}

std::unique_ptr<store::Store> MemoryStore() {
  auto store = store::OpenStore("memory:");
  EXPECT_TRUE(store.ok());
  return std::move(store.value());
}

Status CommitBlocks(store::Store& store, std::vector<store::RawBlock> blocks) {
  store::IngestBatch batch;
  batch.raw_blocks = std::move(blocks);
  return store.Commit(batch);
}

// The event ids of every entry, in scan order.
std::vector<std::string> ScanIds(store::Store& store, Status* status = nullptr) {
  std::vector<std::string> ids;
  Status st = ScanRawLog(store, 0, kHour0 + 1000 * kDayMs, [&](const RawEntry& e) {
    ids.emplace_back(e.event_id);
    return Status::Ok();
  });
  if (status != nullptr) {
    *status = st;
  } else {
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  return ids;
}

TEST(RawLogTest, BlocksArePartitionedByOrgAndHourAndRoundTrip) {
  RawLogWriter writer;
  std::vector<RawEntry> entries = {
      Entry("cloudspe", "e1", kHour0 + 500), Entry("cloudspe", "e2", kHour0 + 100, "app_noise"),
      Entry("daydream", "e3", kHour0 + 200), Entry("cloudspe", "e4", kHour0 + kHourMs + 7)};
  entries[0].too_old = true;
  for (const RawEntry& e : entries) writer.Add(e);
  auto blocks = writer.Flush();
  ASSERT_TRUE(blocks.ok());
  ASSERT_EQ(blocks->size(), 3u);  // (cloudspe, h0), (cloudspe, h1), (daydream, h0)
  const store::RawBlock& first = (*blocks)[0];
  EXPECT_EQ(first.org, "cloudspe");
  EXPECT_EQ(first.hour, kHour0);
  EXPECT_EQ(first.count, 2);
  EXPECT_EQ(first.min_ts, kHour0 + 100);
  EXPECT_EQ(first.max_ts, kHour0 + 500);
  EXPECT_EQ((*blocks)[1].hour, kHour0 + kHourMs);
  EXPECT_EQ((*blocks)[2].org, "daydream");

  RawBlockEntries decoded;
  Status st = DecodeRawBlock(first, decoded);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(decoded.entries.size(), 2u);
  EXPECT_EQ(decoded.entries[0], entries[0]);  // every field survives, in insertion order
  EXPECT_EQ(decoded.entries[1], entries[1]);
  // Decoding reuses the buffers: a smaller block after a larger one yields only its own entries.
  ASSERT_TRUE(DecodeRawBlock((*blocks)[2], decoded).ok());
  ASSERT_EQ(decoded.entries.size(), 1u);
  EXPECT_EQ(decoded.entries[0], entries[2]);

  auto again = writer.Flush();  // a flush empties the writer
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
}

// Format versions 1 (before entries carried too_old) and 2 (entries stored their content hash)
// still decode; a version this build does not know is corruption.
TEST(RawLogTest, OlderVersionBlocksDecodeAndAnUnknownVersionIsCorruption) {
  RawEntry entry = Entry("cloudspe", "e1", kHour0 + 5, "app_noise");
  const auto block_of = [&](char version) {
    std::string plain(1, version);
    ByteWriter w(plain);
    for (std::string_view text : {entry.org, entry.event_id, entry.family, entry.subtype}) {
      w.String(text);
    }
    w.Int(entry.event_ts);
    w.String(entry.gateway);
    w.String(entry.ignore_reason);
    if (version >= 2) w.Bool(entry.too_old);
    w.String(entry.provenance);
    w.Fixed64(entry.content_hash().hi);
    w.Fixed64(entry.content_hash().lo);
    w.Int(entry.ingest_ms);
    w.String(entry.envelope);
    store::RawBlock block{.org = "cloudspe",
                          .hour = kHour0,
                          .min_ts = entry.event_ts,
                          .max_ts = entry.event_ts,
                          .count = 1};
    block.payload.resize(ZSTD_compressBound(plain.size()));
    block.payload.resize(
        ZSTD_compress(block.payload.data(), block.payload.size(), plain.data(), plain.size(), 1));
    block.crc32 = static_cast<uint32_t>(
        crc32_z(0, reinterpret_cast<const Bytef*>(block.payload.data()), block.payload.size()));
    return block;
  };
  RawBlockEntries decoded;
  Status st = DecodeRawBlock(block_of(1), decoded);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(decoded.entries.size(), 1u);
  EXPECT_EQ(decoded.entries[0], entry);
  EXPECT_FALSE(decoded.entries[0].too_old);
  entry.too_old = true;
  st = DecodeRawBlock(block_of(2), decoded);
  ASSERT_TRUE(st.ok()) << st.ToString();
  ASSERT_EQ(decoded.entries.size(), 1u);
  EXPECT_EQ(decoded.entries[0], entry);
  st = DecodeRawBlock(block_of(4), decoded);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("unknown format version"), std::string::npos) << st.message();
}

// What a replay applies: accepted entries that were not too old; a rebuild (reclassify) also
// decodes the ignored ones again, never a too-old one.
TEST(RawLogTest, AnEntryReachesFactsUnlessIgnoredOrTooOld) {
  RawEntry accepted = Entry("cloudspe", "e1", kHour0),
           ignored = Entry("cloudspe", "e2", kHour0, "app_noise");
  RawEntry too_old = accepted;
  too_old.too_old = true;
  EXPECT_TRUE(accepted.ReachesFacts(false));
  EXPECT_TRUE(accepted.ReachesFacts(true));
  EXPECT_FALSE(ignored.ReachesFacts(false));
  EXPECT_TRUE(ignored.ReachesFacts(true));
  EXPECT_FALSE(too_old.ReachesFacts(false));
  EXPECT_FALSE(too_old.ReachesFacts(true));
}

TEST(RawLogTest, LargePartitionsAreSplitIntoSeveralBlocks) {
  RawLogWriter writer(/*max_block_bytes=*/300);
  for (int i = 0; i < 10; ++i) writer.Add(Entry("cloudspe", "e" + std::to_string(i), kHour0 + i));
  auto blocks = writer.Flush();
  ASSERT_TRUE(blocks.ok());
  EXPECT_GT(blocks->size(), 1u);
  int64_t total = 0;
  for (const auto& b : *blocks) total += b.count;
  EXPECT_EQ(total, 10);
}

// The writer remembers the partition of the last entry: entries that go back and forth between
// partitions, and entries after a block sealed or after a flush, still reach their own blocks.
TEST(RawLogTest, EntriesGoingBackAndForthBetweenPartitionsReachTheirOwnBlocks) {
  RawLogWriter writer(/*max_block_bytes=*/300);
  const std::vector<RawEntry> entries = {
      Entry("cloudspe", "a1", kHour0),     Entry("daydream", "b1", kHour0),
      Entry("cloudspe", "a2", kHour0 + 1), Entry("cloudspe", "c1", kHour0 + kHourMs),
      Entry("cloudspe", "a3", kHour0 + 2), Entry("cloudspe", "a4", kHour0 + 3),
      Entry("cloudspe", "a5", kHour0 + 4), Entry("daydream", "b2", kHour0 + 1)};
  for (const RawEntry& e : entries) writer.Add(e);
  auto blocks = writer.Flush();
  ASSERT_TRUE(blocks.ok());
  writer.Add(Entry("cloudspe", "a6", kHour0 + 5));
  auto after_flush = writer.Flush();
  ASSERT_TRUE(after_flush.ok());
  blocks->insert(blocks->end(), after_flush->begin(), after_flush->end());

  std::map<std::pair<std::string, Millis>, std::vector<std::string>> ids;
  RawBlockEntries decoded;
  for (const store::RawBlock& block : *blocks) {
    ASSERT_TRUE(DecodeRawBlock(block, decoded).ok());
    for (const RawEntry& e : decoded.entries) {
      EXPECT_EQ(e.org, block.org);
      EXPECT_EQ(HourFloor(e.event_ts), block.hour);
      ids[{block.org, block.hour}].emplace_back(e.event_id);
    }
  }
  using Ids = std::vector<std::string>;
  EXPECT_EQ((ids[{"cloudspe", kHour0}]), (Ids{"a1", "a2", "a3", "a4", "a5", "a6"}));
  EXPECT_EQ((ids[{"daydream", kHour0}]), (Ids{"b1", "b2"}));
  EXPECT_EQ((ids[{"cloudspe", kHour0 + kHourMs}]), (Ids{"c1"}));
  EXPECT_GT(blocks->size(), 4u);  // (cloudspe, h0) sealed at least once on the way
}

TEST(RawLogTest, CrcMismatchIsCorruptionNamingTheBlock) {
  RawLogWriter writer;
  writer.Add(Entry("cloudspe", "e1", kHour0 + 5));
  auto blocks = writer.Flush();
  ASSERT_TRUE(blocks.ok());
  store::RawBlock bad = (*blocks)[0];
  bad.payload[bad.payload.size() / 2] ^= 0x01;
  RawBlockEntries decoded;
  ASSERT_TRUE(DecodeRawBlock((*blocks)[0], decoded).ok());
  Status corrupt = DecodeRawBlock(bad, decoded);
  EXPECT_EQ(corrupt.code(), StatusCode::kCorruption);
  EXPECT_NE(corrupt.message().find("cloudspe"), std::string::npos);
  EXPECT_NE(corrupt.message().find("2026-01-08T21:00:00.000Z"), std::string::npos)
      << corrupt.message();
  EXPECT_TRUE(decoded.entries.empty());  // nothing of the corrupt block, nor of the one before

  // Through the store, the scan stops with the same error.
  auto store = MemoryStore();
  ASSERT_TRUE(CommitBlocks(*store, {bad}).ok());
  Status st;
  ScanIds(*store, &st);
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
}

TEST(RawLogTest, AnEntryCountThatDisagreesIsCorruptionAndYieldsNoEntry) {
  RawLogWriter writer;
  writer.Add(Entry("cloudspe", "e1", kHour0 + 5));
  writer.Add(Entry("cloudspe", "e2", kHour0 + 6));
  store::RawBlock block = writer.Flush().value()[0];
  RawBlockEntries decoded;
  for (int64_t count : {1, 3}) {
    block.count = count;
    Status st = DecodeRawBlock(block, decoded);
    EXPECT_EQ(st.code(), StatusCode::kCorruption);
    EXPECT_NE(st.message().find("entry count mismatch"), std::string::npos) << st.message();
    EXPECT_TRUE(decoded.entries.empty());
  }
}

TEST(RawLogTest, ScanYieldsBlocksByHourOrgAndCommitWithEntriesInAddedOrder) {
  auto store = MemoryStore();
  RawLogWriter writer;
  writer.Add(Entry("cloudspe", "late", kHour0 + 900));
  writer.Add(Entry("cloudspe", "next-hour", kHour0 + kHourMs + 1));
  writer.Add(Entry("daydream", "mid", kHour0 + 500));
  writer.Add(Entry("cloudspe", "earlier", kHour0 + 300));
  ASSERT_TRUE(CommitBlocks(*store, writer.Flush().value()).ok());
  writer.Add(Entry("cloudspe", "early", kHour0 + 100));
  writer.Add(Entry("cloudspe", "tie", kHour0 + 900));
  ASSERT_TRUE(CommitBlocks(*store, writer.Flush().value()).ok());

  EXPECT_EQ(ScanIds(*store),
            (std::vector<std::string>{"late", "earlier", "early", "tie", "mid", "next-hour"}));
}

// A scan for one org (a settled entity's reload) never checks or decompresses another org's
// blocks: a corrupt block of another org does not stop it.
TEST(RawLogTest, AScanOfOneOrgSkipsTheBlocksOfOthers) {
  auto store = MemoryStore();
  RawLogWriter writer;
  writer.Add(Entry("cloudspe", "c1", kHour0 + 5));
  writer.Add(Entry("daydream", "d1", kHour0 + 6));
  writer.Add(Entry("daydream", "d2", kHour0 + kHourMs + 7));
  std::vector<store::RawBlock> blocks = writer.Flush().value();
  ASSERT_EQ(blocks[0].org, "cloudspe");
  blocks[0].payload[blocks[0].payload.size() / 2] ^= 0x01;
  ASSERT_TRUE(CommitBlocks(*store, std::move(blocks)).ok());

  std::vector<std::string> ids;
  const Status st = ScanRawLog(
      *store, kHour0, kHour0 + kHourMs,
      [&](const RawEntry& e) {
        ids.emplace_back(e.event_id);
        return Status::Ok();
      },
      "daydream");
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(ids, (std::vector<std::string>{"d1", "d2"}));
  Status all;
  ScanIds(*store, &all);
  EXPECT_EQ(all.code(), StatusCode::kCorruption);
}

TEST(RetentionTest, CutIsMeasuredBackFromTheDataClock) {
  Millis clock = kHour0 + 30 * 60 * 1000 + 5;  // 21:30:00.005
  store::RetentionCut cut = ComputeRetentionCut("cloudspe", clock, {});
  EXPECT_EQ(cut.org, "cloudspe");
  EXPECT_EQ(cut.raw_before_hour, kHour0 - 90 * kDayMs);  // that whole hour is partly kept
  EXPECT_EQ(cut.dedup_event_before, kHour0 - 90 * kDayMs);
  EXPECT_EQ(cut.dedup_seen_before, clock - 90 * kDayMs);
  EXPECT_EQ(cut.rejected_before, clock - 90 * kDayMs);
  EXPECT_EQ(cut.serving_before_hour, kHour0 - 21 * kHourMs - 90 * kDayMs);  // whole days only

  // A longer serving horizon keeps more days; a shorter one than the raw log's is raised to it.
  RetentionPolicy policy;
  policy.serving = 400 * kDayMs;
  EXPECT_EQ(ComputeRetentionCut("cloudspe", clock, policy).serving_before_hour,
            kHour0 - 21 * kHourMs - 400 * kDayMs);
  policy.serving = kDayMs;
  EXPECT_EQ(ComputeRetentionCut("cloudspe", clock, policy).serving_before_hour,
            kHour0 - 21 * kHourMs - 90 * kDayMs);
}

// Org "" (rejected rows without an org, the benchmark's slices) is cut from the newest clock,
// its serving days from the oldest org's: a benchmark day goes once every org let it go.
TEST(RetentionTest, TheUnscopedCutKeepsTheBenchmarkDaysOfTheOldestOrg) {
  auto store = MemoryStore();
  RawLogWriter writer;
  writer.Add(Entry("cloudspe", "newest", kHour0 + 10 * kDayMs));
  writer.Add(Entry("daydream", "older", kHour0));
  store::IngestBatch batch;
  batch.raw_blocks = writer.Flush().value();
  ASSERT_TRUE(store->Commit(batch).ok());
  Result<std::vector<store::RetentionCut>> cuts = RetentionCuts(*store);
  ASSERT_TRUE(cuts.ok());
  ASSERT_EQ(cuts->size(), 3u);
  EXPECT_EQ(cuts->back().org, "");
  EXPECT_EQ(cuts->back().rejected_before, kHour0 + 10 * kDayMs - 90 * kDayMs);
  EXPECT_EQ(cuts->back().serving_before_hour, kHour0 - 21 * kHourMs - 90 * kDayMs);
}

// Sweeps `store` to RetentionCuts under the default policy.
Status Sweep(store::Store& store, const std::map<std::string, Millis>& first_kept = {}) {
  Result<std::vector<store::RetentionCut>> cuts = RetentionCuts(store, {}, first_kept);
  NAAP_RETURN_IF_ERROR(cuts.status());
  for (const store::RetentionCut& cut : *cuts) NAAP_RETURN_IF_ERROR(store.Sweep(cut));
  return Status::Ok();
}

TEST(RetentionTest, SweepRemovesWhatIsOlderThanTheHorizonPerOrg) {
  auto store = MemoryStore();
  Millis newest = kHour0 + 100 * kDayMs;
  RawLogWriter writer;
  writer.Add(Entry("cloudspe", "old", kHour0));                 // 100 days before newest
  writer.Add(Entry("cloudspe", "kept", kHour0 + 20 * kDayMs));  // 80 days before
  writer.Add(Entry("cloudspe", "newest", newest));
  writer.Add(Entry("daydream", "other-org", kHour0));  // its own data clock: kept
  store::IngestBatch batch;
  batch.raw_blocks = writer.Flush().value();
  // Dedup entries: first seen long ago (so only the raw-log rule decides).
  batch.dedup.push_back({"cloudspe", KeyDigest({"old"}), kHour0, kHour0});
  batch.dedup.push_back({"cloudspe", KeyDigest({"kept"}), kHour0 + 20 * kDayMs, kHour0});
  batch.dedup.push_back({"daydream", KeyDigest({"other-org"}), kHour0, kHour0});
  ASSERT_TRUE(store->Commit(batch).ok());

  // The sweep does not depend on the wall clock: nothing here reads it.
  ASSERT_TRUE(Sweep(*store).ok());

  EXPECT_EQ(ScanIds(*store), (std::vector<std::string>{"other-org", "kept", "newest"}));
  int cloudspe_keys = 0, daydream_keys = 0;
  ASSERT_TRUE(store
                  ->ForEachDedupKey([&](std::string_view org, const Key128&) {
                    (org == "cloudspe" ? cloudspe_keys : daydream_keys)++;
                  })
                  .ok());
  EXPECT_EQ(cloudspe_keys, 1);
  EXPECT_EQ(daydream_keys, 1);

  // An earlier sweep's cut raises the org's own: daydream's block goes. Its dedup key stays, first
  // seen less than 90 days before daydream's clock.
  ASSERT_TRUE(Sweep(*store, {{"daydream", kHour0 + kHourMs}}).ok());
  EXPECT_EQ(ScanIds(*store), (std::vector<std::string>{"kept", "newest"}));
  daydream_keys = 0;
  ASSERT_TRUE(store
                  ->ForEachDedupKey([&](std::string_view org, const Key128&) {
                    daydream_keys += org == "daydream" ? 1 : 0;
                  })
                  .ok());
  EXPECT_EQ(daydream_keys, 1);
}

}  // namespace
}  // namespace naap::ingest
