#include "publish/analytics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>

#include "base/bytes.h"
#include "base/hash.h"
#include "ingest/file_source.h"
#include "ingest/pipeline.h"
#include "ingest/test_util.h"
#include "resolve/fact_codec.h"
#include "sim/generator.h"
#include "store/store.h"

namespace naap::publish {
namespace {

using ::testing::ElementsAre;

store::Slice MakeSlice(std::string table, std::string org, Millis hour, std::string rows) {
  std::string sha = Sha256Hex(rows);
  return {.table = std::move(table),
          .org = std::move(org),
          .hour = hour,
          .rows = std::move(rows),
          .sha256_hex = std::move(sha)};
}

std::string Line(const TableChecksum& c) {
  return c.table + " " + c.sha256_hex + " " + std::to_string(c.slices);
}

TEST(StoredTableChecksumsTest, DigestsOrgHourAndSliceChecksumInOrderPerTable) {
  auto store = std::move(*store::OpenStore("memory:"));
  store::IngestBatch batch;
  batch.slices = {MakeSlice("sla", "zeta", 7'200'000, "z"),
                  MakeSlice("sla", "acme", 3'600'000, "a"), MakeSlice("other", "", 0, "o")};
  ASSERT_TRUE(store->Commit(batch).ok());
  Result<std::vector<TableChecksum>> checksums =
      StoredTableChecksums(*store, {"sla", "empty_table"});
  ASSERT_TRUE(checksums.ok()) << checksums.status().ToString();
  // SHA-256("a") = ca978112…, SHA-256("z") = 594e519a…, SHA-256("o") = 65c74c15….
  const std::string sla_input =
      "acme\n3600000\nca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\n"
      "zeta\n7200000\n594e519ae499312b29433b7dd8a97ff068defcba9755b6d5d00e84c524d67b06\n";
  const std::string other_input =
      "\n0\n65c74c15a686187bb6bbf9958f494fc6b80068034a659a9ad44991b08c58f2d2\n";
  std::vector<std::string> lines;
  for (const TableChecksum& c : *checksums) lines.push_back(Line(c));
  EXPECT_THAT(lines, ElementsAre("empty_table " + Sha256Hex("") + " 0",
                                 "other " + Sha256Hex(other_input) + " 1",
                                 "sla " + Sha256Hex(sla_input) + " 2"));
  // SHA-256 of nothing, as every empty table prints it.
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(ServingTablesTest, PublishTheBenchmarkBeforeTheScoredSlaTable) {
  std::vector<std::string> names = ServingTableNames();
  auto position = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) - names.begin();
  };
  ASSERT_LT(position("api_sla_benchmark_daily"), static_cast<long>(names.size()));
  EXPECT_LT(position("api_sla_benchmark_daily"), position("api_hourly_streaming_sla"));
  EXPECT_EQ(PublisherOptions{}.benchmark_table, "api_sla_benchmark_daily");
  EXPECT_THAT(PublisherOptions{}.scored_tables, ElementsAre("api_hourly_streaming_sla"));
}

// `hours` simulated hours from `start` at `scale`, as one NDJSON file in `dir`.
std::string SimulatedFile(const ingest::testing::TempDir& dir, const char* start, int hours,
                          double scale) {
  const Millis start_ms = *sim::ParseUtcTime(start);
  auto generator = sim::Generator::Create(
      {.seed = 3, .start_ms = start_ms, .end_ms = start_ms + hours * kHourMs, .scale = scale});
  EXPECT_TRUE(generator.ok());
  std::string lines;
  sim::Message message;
  while ((*generator)->Next(message)) sim::WriteWrapperLine(message, lines);
  return dir.Write("sim.ndjson", lines);
}

// Ingests `file` into `store` through `sink` in commits of 300 messages.
Status IngestFile(store::Store& store, const std::string& file, const Clock& clock,
                  ingest::RecordSink& sink, const std::string& org_override = "") {
  ingest::PipelineOptions options;
  options.commit_every = 300;
  options.org_override = org_override;
  auto pipeline = ingest::Pipeline::Open(store, clock, options, &sink);
  EXPECT_TRUE(pipeline.ok());
  auto source = ingest::FileSource::Open({file});
  EXPECT_TRUE(source.ok());
  return (*pipeline)->Run(**source);
}

std::string Checksums(store::Store& store) {
  Result<std::vector<TableChecksum>> checksums = StoredTableChecksums(store, ServingTableNames());
  EXPECT_TRUE(checksums.ok()) << checksums.status().ToString();
  std::string text;
  if (!checksums.ok()) return text;
  for (const TableChecksum& c : *checksums) text += Line(c) + "\n";
  return text;
}

// Forwards to Analytics: publishing at every commit (`defer` false), or as a pipeline run does,
// failing the run's last commit when `crash_at_end` (a process that dies before it).
class ForwardingSink final : public ingest::RecordSink {
 public:
  ForwardingSink(Analytics& analytics, bool defer, bool crash_at_end)
      : analytics_(analytics), defer_(defer), crash_at_end_(crash_at_end) {}
  Status OnAccepted(const event::Decoded& decoded) override {
    return analytics_.OnAccepted(decoded);
  }
  Status BeforeCommit(store::IngestBatch& batch) override {
    return analytics_.BeforeCommit(batch);
  }
  Status BeforeRunCommit(store::IngestBatch& batch, bool run_ends) override {
    if (crash_at_end_ && run_ends) return Status(StatusCode::kUnavailable, "crash");
    return defer_ ? analytics_.BeforeRunCommit(batch, run_ends) : BeforeCommit(batch);
  }

 private:
  Analytics& analytics_;
  const bool defer_, crash_at_end_;
};

class DeferredPublicationTest : public ::testing::Test {
 protected:
  // Ingests the file in commits of 300 messages (several publications apart).
  Status Ingest(store::Store& store, bool defer, bool crash_at_end) {
    Analytics analytics(store);
    EXPECT_TRUE(analytics.Restore().ok());
    ForwardingSink sink(analytics, defer, crash_at_end);
    return IngestFile(store, file_, clock_, sink);
  }
  std::string Unpublished(store::Store& store) {
    auto stored = store.SourcePosition(Analytics::kUnpublishedSlicesPosition);
    EXPECT_TRUE(stored.ok());
    return stored.ok() ? stored->value_or("") : "";
  }

  ingest::testing::TempDir dir_;
  std::string file_ = SimulatedFile(dir_, "2026-01-08T23:00:00Z", 2, 0.02);
  FakeClock clock_{*sim::ParseUtcTime("2026-01-09T01:30:00Z")};
  std::unique_ptr<store::Store> every_commit_ = std::move(*store::OpenStore("memory:"));
  std::unique_ptr<store::Store> deferred_ = std::move(*store::OpenStore("memory:"));
};

TEST_F(DeferredPublicationTest, RunEndsWithTheSlicesOfPublishingAtEveryCommit) {
  ASSERT_TRUE(Ingest(*every_commit_, /*defer=*/false, /*crash_at_end=*/false).ok());
  ASSERT_TRUE(Ingest(*deferred_, /*defer=*/true, /*crash_at_end=*/false).ok());
  EXPECT_THAT(Checksums(*every_commit_), ::testing::HasSubstr("api_hourly_streaming_sla"));
  EXPECT_EQ(Checksums(*deferred_), Checksums(*every_commit_));
  EXPECT_EQ(Unpublished(*deferred_), "");
}

TEST_F(DeferredPublicationTest, SlicesACrashLeftUnpublishedArePublishedByRestore) {
  ASSERT_FALSE(Ingest(*deferred_, /*defer=*/true, /*crash_at_end=*/true).ok());
  ASSERT_NE(Unpublished(*deferred_), "");
  const std::string crashed = Checksums(*deferred_);
  Analytics restarted(*deferred_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_EQ(Unpublished(*deferred_), "");
  const std::string restored = Checksums(*deferred_);
  EXPECT_NE(restored, crashed);
  // What a full rebuild of the committed raw log publishes.
  Analytics rebuilt(*deferred_);
  ASSERT_TRUE(rebuilt.Rebuild(std::nullopt, std::nullopt).ok());
  EXPECT_EQ(Checksums(*deferred_), restored);
}

// 26 simulated hours from 2026-01-08T00:00:00Z at 0.001 of today's volume, and a memory store.
class SimulatedDayTest : public ::testing::Test {
 protected:
  // Restores `analytics` (over store_) and ingests the file through it.
  void Ingest(Analytics& analytics) {
    ASSERT_TRUE(analytics.Restore().ok());
    ASSERT_TRUE(IngestFile(*store_, file_, clock_, analytics).ok());
  }
  std::unique_ptr<store::Store> store_ = std::move(*store::OpenStore("memory:"));

 private:
  ingest::testing::TempDir dir_;
  const std::string file_ = SimulatedFile(dir_, "2026-01-08T00:00:00Z", 26, 0.001);
  FakeClock clock_{*sim::ParseUtcTime("2026-01-09T03:00:00Z")};
};
using RebuildTest = SimulatedDayTest;
using RestoreTest = SimulatedDayTest;
using RetentionTest = SimulatedDayTest;

// Every fact of every kind the view holds for the hours [from, to), and the capability snapshots
// it observed in them, encoded, org by org.
std::string AllFacts(const resolve::FactsView& facts, Millis from, Millis to) {
  std::string out;
  ByteWriter w(out);
  const auto put = [&w](const auto& list) {
    w.Varint(list.size());
    for (const auto* fact : list) resolve::EncodeFact(w, *fact);
  };
  for (const std::string& org : facts.Orgs()) {
    w.String(org);
    for (Millis hour = from; hour < to; hour += kHourMs) {
      put(facts.SessionsAt(org, hour));
      put(facts.PaymentsAt(org, hour));
      put(facts.AiBatchJobsAt(org, hour));
      put(facts.ByocJobsAt(org, hour));
      put(facts.WorkersAt(org, hour));
      put(facts.AuthAt(org, hour));
      put(facts.ByocPaymentsAt(org, hour));
      put(facts.DiscoveryAt(org, hour));
      // The capability registry, as observed inventory reads it.
      for (const resolve::ObservedSnapshot& o : facts.ObservedSnapshotsAt(org, hour)) {
        for (const std::string* text :
             {&o.snapshot_id, &o.event_id, &o.capability_version_id, &o.content->digest}) {
          w.String(*text);
        }
        w.Int(o.snapshot_ts);
        w.String(o.raw_element);
        for (const auto* values : {&o.capacity_in_use, &o.gpu_memory_bytes_free}) {
          for (const std::optional<int64_t>& v : *values) w.Int(v.value_or(-1));
        }
      }
    }
  }
  return out;
}

// A checkpoint of another build: a restore replays the whole raw log instead.
void PutOtherBuildsCheckpoint(store::Store& store) {
  ASSERT_TRUE(store
                  .PutCheckpoint(1,
                                 [](const store::Store::PartWriter& write) {
                                   return write("naap checkpoint 2 build 0123");
                                 })
                  .ok());
}

// The stored checkpoint's covers_seq (nullopt: none).
std::optional<int64_t> CheckpointSeq(store::Store& store) {
  Result<std::optional<int64_t>> seq =
      store.ReadCheckpoint([](std::string_view) { return Status::Ok(); });
  EXPECT_TRUE(seq.ok());
  return seq.ok() ? *seq : std::nullopt;
}

// A restore decodes only the raw-log entries ingest accepted, a rebuild every entry: both give
// back every fact the ingest built.
TEST_F(RestoreTest, ReplaysEveryFactTheIngestBuilt) {
  const Millis from = *sim::ParseUtcTime("2026-01-08T00:00:00Z"), to = from + 27 * kHourMs;
  Analytics live(*store_);
  Ingest(live);
  const std::string built = AllFacts(live.facts(), from, to);
  ASSERT_GT(built.size(), 10'000u);
  PutOtherBuildsCheckpoint(*store_);
  Analytics restored(*store_);
  ASSERT_TRUE(restored.Restore().ok());
  EXPECT_TRUE(AllFacts(restored.facts(), from, to) == built);
  Analytics rebuilt(*store_);
  ASSERT_TRUE(rebuilt.Rebuild(std::nullopt, std::nullopt).ok());
  EXPECT_TRUE(AllFacts(rebuilt.facts(), from, to) == built);
}

// The run that ingested the file wrote a checkpoint at its end: a restore loads it and gives back
// every fact, as the replay of the whole raw log does when the checkpoint is another build's.
TEST_F(RestoreTest, TheCheckpointGivesBackEveryFactTheIngestBuilt) {
  const Millis from = *sim::ParseUtcTime("2026-01-08T00:00:00Z"), to = from + 27 * kHourMs;
  Analytics live(*store_);
  Ingest(live);
  const std::string built = AllFacts(live.facts(), from, to);
  ASSERT_EQ(CheckpointSeq(*store_), store_->LastRawSeq().value());
  Analytics restored(*store_);
  ASSERT_TRUE(restored.Restore().ok());
  EXPECT_TRUE(restored.restore_report().from_checkpoint);
  EXPECT_EQ(restored.restore_report().tail_blocks, 0);
  EXPECT_TRUE(AllFacts(restored.facts(), from, to) == built);
  PutOtherBuildsCheckpoint(*store_);
  Analytics replayed(*store_);
  ASSERT_TRUE(replayed.Restore().ok());
  EXPECT_FALSE(replayed.restore_report().from_checkpoint);
  EXPECT_EQ(replayed.restore_report().why_not, "written by another build");
  EXPECT_TRUE(AllFacts(replayed.facts(), from, to) == built);
}

// A checkpoint that does not decode: the restore says so and replays the whole raw log.
TEST_F(RestoreTest, AnUnreadableCheckpointFallsBackToTheWholeRawLog) {
  const Millis from = *sim::ParseUtcTime("2026-01-08T00:00:00Z"), to = from + 27 * kHourMs;
  Analytics live(*store_);
  Ingest(live);
  const std::string built = AllFacts(live.facts(), from, to);
  std::vector<std::string> parts;
  ASSERT_TRUE(store_
                  ->ReadCheckpoint([&](std::string_view part) {
                    parts.emplace_back(part);
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_GT(parts.size(), 2u);
  parts[parts.size() / 2].resize(parts[parts.size() / 2].size() / 2);  // a truncated part
  ASSERT_TRUE(store_
                  ->PutCheckpoint(store_->LastRawSeq().value(),
                                  [&](const store::Store::PartWriter& write) {
                                    for (const std::string& part : parts) {
                                      NAAP_RETURN_IF_ERROR(write(part));
                                    }
                                    return Status::Ok();
                                  })
                  .ok());
  Analytics restored(*store_);
  ASSERT_TRUE(restored.Restore().ok());
  EXPECT_FALSE(restored.restore_report().from_checkpoint);
  EXPECT_THAT(restored.restore_report().why_not, ::testing::HasSubstr("unreadable"));
  EXPECT_TRUE(AllFacts(restored.facts(), from, to) == built);
}

// The simulated day in three files ingested by three runs: the runs without a checkpoint at their
// end (a crash after their last commit, or raw blocks of another writer in between) leave their
// blocks to the tail a restart replays. Facts, and the slices of the run after the restart, are
// those of one run over the whole file.
class CheckpointTest : public ::testing::Test {
 protected:
  CheckpointTest() {
    std::string lines;
    std::ifstream in(whole_);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) all.push_back(line + "\n");
    for (size_t part = 0; part < 3; ++part) {
      std::string text;
      for (size_t i = all.size() * part / 3; i < all.size() * (part + 1) / 3; ++i) text += all[i];
      parts_.push_back(dir_.Write("part" + std::to_string(part) + ".ndjson", text));
    }
  }
  // Ingests `file` through `analytics` as a run does, with a checkpoint at its end unless
  // `crash_before_checkpoint`.
  void Run(Analytics& analytics, const std::string& file, bool crash_before_checkpoint = false) {
    ForwardingSink forward(analytics, /*defer=*/true, /*crash_at_end=*/false);
    ingest::RecordSink& sink = crash_before_checkpoint
                                   ? static_cast<ingest::RecordSink&>(forward)
                                   : static_cast<ingest::RecordSink&>(analytics);
    ASSERT_TRUE(IngestFile(*store_, file, clock_, sink).ok());
  }
  // Facts and checksums of one run over the whole file, in a store of its own.
  void ExpectOneRunsResults(const Analytics& restored) {
    std::unique_ptr<store::Store> one = std::move(*store::OpenStore("memory:"));
    Analytics analytics(*one);
    ASSERT_TRUE(analytics.Restore().ok());
    ASSERT_TRUE(IngestFile(*one, whole_, clock_, analytics).ok());
    EXPECT_TRUE(AllFacts(restored.facts(), from_, from_ + 27 * kHourMs) ==
                AllFacts(analytics.facts(), from_, from_ + 27 * kHourMs));
    EXPECT_EQ(Checksums(*store_), Checksums(*one));
  }

  ingest::testing::TempDir dir_;
  const std::string whole_ = SimulatedFile(dir_, "2026-01-08T00:00:00Z", 26, 0.001);
  std::vector<std::string> parts_;
  const Millis from_ = *sim::ParseUtcTime("2026-01-08T00:00:00Z");
  FakeClock clock_{*sim::ParseUtcTime("2026-01-09T03:00:00Z")};
  std::unique_ptr<store::Store> store_ = std::move(*store::OpenStore("memory:"));
};

TEST_F(CheckpointTest, ARestartAfterACrashReplaysTheBlocksCommittedAfterTheCheckpoint) {
  {
    Analytics first(*store_);
    ASSERT_TRUE(first.Restore().ok());
    Run(first, parts_[0]);
  }
  const std::optional<int64_t> first_checkpoint = CheckpointSeq(*store_);
  ASSERT_EQ(first_checkpoint, store_->LastRawSeq().value());
  {
    Analytics crashed(*store_);
    ASSERT_TRUE(crashed.Restore().ok());
    EXPECT_TRUE(crashed.restore_report().from_checkpoint);
    Run(crashed, parts_[1], /*crash_before_checkpoint=*/true);
  }
  ASSERT_EQ(CheckpointSeq(*store_), first_checkpoint);
  Analytics restarted(*store_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_TRUE(restarted.restore_report().from_checkpoint);
  EXPECT_EQ(restarted.restore_report().tail_blocks,
            store_->LastRawSeq().value() - *first_checkpoint);
  EXPECT_GT(restarted.restore_report().tail_blocks, 0);
  Run(restarted, parts_[2]);
  EXPECT_EQ(CheckpointSeq(*store_), store_->LastRawSeq().value());
  ExpectOneRunsResults(restarted);
}

TEST_F(CheckpointTest, AResolverThatMissedAnotherWritersBlocksWritesNoCheckpoint) {
  {
    Analytics first(*store_);
    ASSERT_TRUE(first.Restore().ok());
    Run(first, parts_[0]);
  }
  Analytics a(*store_), b(*store_);
  ASSERT_TRUE(a.Restore().ok());
  ASSERT_TRUE(b.Restore().ok());
  Run(a, parts_[1]);
  const std::optional<int64_t> written_by_a = CheckpointSeq(*store_);
  ASSERT_EQ(written_by_a, store_->LastRawSeq().value());
  Run(b, parts_[2]);  // b never took part 1
  EXPECT_EQ(CheckpointSeq(*store_), written_by_a);
  ASSERT_TRUE(b.WriteCheckpoint().ok());
  EXPECT_EQ(CheckpointSeq(*store_), written_by_a);
  Analytics restarted(*store_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_TRUE(restarted.restore_report().from_checkpoint);
  EXPECT_GT(restarted.restore_report().tail_blocks, 0);
  // The slices b published missed part 1: what one run gives is the restarted engine's facts.
  EXPECT_TRUE(AllFacts(restarted.facts(), from_, from_ + 27 * kHourMs) == [&] {
    std::unique_ptr<store::Store> one = std::move(*store::OpenStore("memory:"));
    Analytics analytics(*one);
    EXPECT_TRUE(analytics.Restore().ok());
    EXPECT_TRUE(IngestFile(*one, whole_, clock_, analytics).ok());
    return AllFacts(analytics.facts(), from_, from_ + 27 * kHourMs);
  }());
}

// A rebuild thaws every hour of facts to publish it, and freezes each day again once the day's
// slices are built: it ends with the frozen hours that the replay alone leaves.
TEST_F(RebuildTest, FreezesEachPublishedDayAgain) {
  {
    Analytics analytics(*store_);
    Ingest(analytics);
  }
  const std::string ingested = Checksums(*store_);
  PutOtherBuildsCheckpoint(*store_);  // a replay of the whole raw log, as the rebuild's
  Analytics restored(*store_);
  ASSERT_TRUE(restored.Restore().ok());
  ASSERT_GT(restored.FrozenHours(), 0u);

  Analytics rebuilt(*store_);
  Result<PublishStats> stats = rebuilt.Rebuild(std::nullopt, std::nullopt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(stats->built, 24);
  EXPECT_EQ(rebuilt.FrozenHours(), restored.FrozenHours());
  EXPECT_EQ(Checksums(*store_), ingested);
}

// A logic fix: entries that the ingest's decoder ignored and today's accepts. A restart keeps them
// out (the same decoder ignores them again, so it skips them undecoded), a rebuild applies them,
// in its replay and in the reloads of settled entities alike: its facts and slices are those of a
// store that accepted them from the start.
TEST_F(RebuildTest, AppliesWhatIngestIgnoredAndTodaysDecoderAccepts) {
  const Millis from = *sim::ParseUtcTime("2026-01-08T00:00:00Z"), to = from + 27 * kHourMs;
  Analytics live(*store_);
  Ingest(live);
  const std::string built = AllFacts(live.facts(), from, to);
  const std::string ingested = Checksums(*store_);

  // The same raw log in another store, one accepted entry in seven marked ignored.
  std::unique_ptr<store::Store> older = std::move(*store::OpenStore("memory:"));
  ingest::RawLogWriter writer;
  ingest::RawBlockEntries decoded;
  int64_t accepted = 0, marked = 0;
  ASSERT_TRUE(store_
                  ->ScanRawBlocks(from, to,
                                  [&](const store::RawBlock& block) {
                                    NAAP_RETURN_IF_ERROR(ingest::DecodeRawBlock(block, decoded));
                                    for (ingest::RawEntry entry : decoded.entries) {
                                      if (entry.ignore_reason.empty() && accepted++ % 7 == 0) {
                                        entry.ignore_reason = "unsupported_event_family";
                                        ++marked;
                                      }
                                      writer.Add(entry);
                                    }
                                    return Status::Ok();
                                  })
                  .ok());
  ASSERT_GT(marked, 100);
  store::IngestBatch batch;
  batch.raw_blocks = std::move(writer.Flush().value());
  ASSERT_TRUE(older->Commit(batch).ok());

  Analytics restarted(*older);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_FALSE(AllFacts(restarted.facts(), from, to) == built);
  Analytics rebuilt(*older);
  Result<PublishStats> stats = rebuilt.Rebuild(std::nullopt, std::nullopt);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_TRUE(AllFacts(rebuilt.facts(), from, to) == built);
  EXPECT_EQ(Checksums(*older), ingested);

  // Late evidence for settled sessions of the first hours reloads them from the raw log: the
  // rebuilt engine's reloads decode the marked entries too.
  std::string lines;
  int late = 0;
  for (Millis hour = from; hour < from + 20 * kHourMs; hour += kHourMs) {
    for (const resolve::SessionFact* s : live.facts().SessionsAt("daydream", hour)) {
      if (!s->exists || !s->first_seen || late == 20) continue;
      const std::string ts = std::to_string(*s->first_seen + 1000);
      lines += R"({"topic":"network_events","value":{"id":"late-)" + std::to_string(late++) +
               R"(","type":"stream_trace","timestamp":")" + ts +
               R"(","gateway":"","data":{"type":"gateway_receive_stream_request","stream_id":")" +
               s->stream_id + R"(","request_id":")" + s->request_id + R"(","timestamp":)" + ts +
               "}}}\n";
    }
  }
  ASSERT_GT(late, 5);
  ingest::testing::TempDir dir;
  const std::string late_file = dir.Write("late.ndjson", lines);
  const FakeClock clock(*sim::ParseUtcTime("2026-01-09T04:00:00Z"));
  ASSERT_TRUE(IngestFile(*store_, late_file, clock, live).ok());
  ASSERT_TRUE(IngestFile(*older, late_file, clock, rebuilt).ok());
  EXPECT_FALSE(AllFacts(live.facts(), from, to) == built);
  EXPECT_TRUE(AllFacts(rebuilt.facts(), from, to) == AllFacts(live.facts(), from, to));
}

// Retention: the sweep drops the raw log and the facts of the hours before each org's cut, and
// changes no stored slice. The sessions after the cut are those a restart of the swept store
// rebuilds, also where they are attributed to a capability version that began before the cut
// (its anchor, resolve::VersionAnchor).
TEST_F(RetentionTest, SweepDropsTheOldRawLogAndItsFactsAndKeepsTheSlices) {
  Analytics analytics(*store_);
  Ingest(analytics);
  const std::string ingested = Checksums(*store_);
  const Millis first_hour = *sim::ParseUtcTime("2026-01-08T00:00:00Z");
  const auto sessions = [](const resolve::FactsView& facts, const std::string& org, Millis from,
                           Millis to) {
    std::vector<resolve::SessionFact> out;
    for (Millis h = from; h < to; h += kHourMs) {
      for (const resolve::SessionFact* f : facts.SessionsAt(org, h)) out.push_back(*f);
    }
    return out;
  };

  ingest::RetentionPolicy policy;
  policy.raw_log = 12 * kHourMs;
  std::map<std::string, Millis> cuts;  // org → first hour kept
  size_t before_cuts = 0;
  for (const std::string& org : analytics.facts().Orgs()) {
    Result<std::optional<Millis>> data_clock = store_->DataClock(org);
    ASSERT_TRUE(data_clock.ok() && data_clock->has_value());
    cuts[org] = HourFloor(**data_clock - policy.raw_log);
    before_cuts += sessions(analytics.facts(), org, first_hour, cuts[org]).size();
  }
  ASSERT_GT(before_cuts, 0u);
  Result<bool> swept = analytics.SweepRetention(policy);
  ASSERT_TRUE(swept.ok() && *swept);
  EXPECT_EQ(Checksums(*store_), ingested);
  swept = analytics.SweepRetention(policy);  // no hour left the horizon since
  ASSERT_TRUE(swept.ok());
  EXPECT_FALSE(*swept);
  swept = analytics.SweepRetention(ingest::RetentionPolicy{});  // a longer horizon: nothing back
  ASSERT_TRUE(swept.ok());
  EXPECT_FALSE(*swept);

  Result<std::vector<Millis>> raw_hours = store_->RawLogHours();
  ASSERT_TRUE(raw_hours.ok());
  ASSERT_FALSE(raw_hours->empty());
  EXPECT_GE(raw_hours->front(), std::min_element(cuts.begin(), cuts.end(), [](auto& a, auto& b) {
                                  return a.second < b.second;
                                })->second);
  // From the checkpoint the ingest wrote before the sweep: the restore forgets what the sweep did.
  Analytics restarted(*store_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_TRUE(restarted.restore_report().from_checkpoint);
  size_t kept_after = 0, on_older_versions = 0;
  for (const auto& [org, cut] : cuts) {
    EXPECT_TRUE(sessions(analytics.facts(), org, first_hour, cut).empty()) << org;
    EXPECT_TRUE(sessions(restarted.facts(), org, first_hour, cut).empty()) << org;
    const Millis end = first_hour + 27 * kHourMs;
    const auto kept = sessions(analytics.facts(), org, cut, end);
    kept_after += kept.size();
    for (const resolve::SessionFact& fact : kept) {
      const std::optional<Millis>& valid_from = fact.attribution.attribution_snapshot_ts;
      on_older_versions += valid_from && *valid_from < cut ? 1 : 0;
    }
    EXPECT_EQ(kept, sessions(restarted.facts(), org, cut, end)) << org;
  }
  EXPECT_GT(kept_after, 0u);
  EXPECT_GT(on_older_versions, 0u);  // the anchors are what keeps those the same
  EXPECT_EQ(Checksums(*store_), ingested);

  // A rebuild republishes from the first whole day each org's raw log still holds: the slices
  // before it are frozen (§7.3), those after it come out the same.
  Analytics rebuilt(*store_);
  Result<PublishStats> rebuild = rebuilt.Rebuild(std::nullopt, std::nullopt);
  ASSERT_TRUE(rebuild.ok()) << rebuild.status().ToString();
  EXPECT_GT(rebuild->built, 0);
  EXPECT_EQ(Checksums(*store_), ingested);
}

// `n` stream requests (V01's shape) of org cloudspe, a second apart from `first_ts`, with ids
// prefix0, prefix1, …: each makes a session when applied.
std::string StreamRequests(ingest::testing::TempDir& dir, const std::string& prefix,
                           Millis first_ts, int n) {
  std::string lines;
  for (int i = 0; i < n; ++i) {
    const std::string id = prefix + std::to_string(i);
    const std::string ts = std::to_string(first_ts + i * 1000);
    lines += R"({"topic":"streaming_events","value":{"id":")" + id +
             R"(","type":"stream_trace","timestamp":")" + ts +
             R"(","gateway":"","data":{"type":"gateway_receive_stream_request","stream_id":"s-)" +
             id + R"(","request_id":"r-)" + id + R"(","timestamp":)" + ts + "}}}\n";
  }
  return dir.Write(prefix + ".ndjson", lines);
}

// A record older than the horizon on arrival (analytics §7.3) in an hour a sweep keeps: the run
// applies it to no fact, and neither does a restart's replay nor a rebuild (RawEntry::too_old).
TEST_F(RetentionTest, ARecordTooOldOnArrivalStaysOutOfEveryReplay) {
  Analytics analytics(*store_);
  Ingest(analytics);
  Result<std::optional<Millis>> data_clock = store_->DataClock("cloudspe");
  ASSERT_TRUE(data_clock.ok() && data_clock->has_value());
  const Millis horizon = ingest::RetentionPolicy{}.raw_log;
  const Millis edge = **data_clock - horizon;  // the oldest event time not too old
  ASSERT_GT(edge, HourFloor(edge) + 1);        // so edge - 1 falls in the hour a sweep keeps
  ingest::testing::TempDir dir;
  const FakeClock clock(*sim::ParseUtcTime("2026-01-09T03:00:00Z"));
  ASSERT_TRUE(IngestFile(*store_, StreamRequests(dir, "old", edge - 1, 1), clock, analytics).ok());
  ASSERT_TRUE(IngestFile(*store_, StreamRequests(dir, "kept", edge, 1), clock, analytics).ok());
  const std::string ingested = Checksums(*store_);
  const auto stream_ids = [&](const resolve::FactsView& facts) {
    std::vector<std::string> ids;
    for (const resolve::SessionFact* f : facts.SessionsAt("cloudspe", HourFloor(edge))) {
      ids.push_back(f->stream_id);
    }
    return ids;
  };
  EXPECT_THAT(stream_ids(analytics.facts()), ElementsAre("s-kept0"));
  Analytics restarted(*store_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_THAT(stream_ids(restarted.facts()), ElementsAre("s-kept0"));
  Analytics rebuilt(*store_);
  ASSERT_TRUE(rebuilt.Rebuild(std::nullopt, std::nullopt).ok());
  EXPECT_THAT(stream_ids(rebuilt.facts()), ElementsAre("s-kept0"));
  EXPECT_EQ(Checksums(*store_), ingested);
}

// An org whose records were all ignored has a raw log and no facts: the sweep cuts it too.
TEST_F(RetentionTest, AnOrgWithoutFactsIsSweptToo) {
  Analytics analytics(*store_);
  Ingest(analytics);
  const Millis first = *sim::ParseUtcTime("2026-01-08T00:00:00Z");
  const Millis last = *sim::ParseUtcTime("2026-01-09T01:00:00Z");
  ingest::testing::TempDir dir;
  std::string lines;
  for (const Millis ts : {first, last}) {
    lines += R"({"id":"acme-)" + std::to_string(ts) + R"(","type":"some_future_family",)" +
             R"("timestamp":")" + std::to_string(ts) + R"(","gateway":"","data":{}})" + "\n";
  }
  const FakeClock clock(*sim::ParseUtcTime("2026-01-09T03:00:00Z"));
  ASSERT_TRUE(IngestFile(*store_, dir.Write("acme.ndjson", lines), clock, analytics, "acme").ok());
  ASSERT_THAT(analytics.facts().Orgs(), ::testing::Not(::testing::Contains("acme")));
  const auto acme_ids = [&] {
    std::vector<std::string> ids;
    EXPECT_TRUE(ingest::ScanRawLog(*store_, first, last, [&](const ingest::RawEntry& e) {
                  if (e.org == "acme") ids.emplace_back(e.event_id);
                  return Status::Ok();
                }).ok());
    return ids;
  };
  ASSERT_EQ(acme_ids().size(), 2u);

  ingest::RetentionPolicy policy;
  policy.raw_log = 12 * kHourMs;
  Result<bool> swept = analytics.SweepRetention(policy);
  ASSERT_TRUE(swept.ok() && *swept);
  EXPECT_EQ(analytics.FactsFrom("acme"), last - 12 * kHourMs);
  EXPECT_THAT(acme_ids(), ElementsAre("acme-" + std::to_string(last)));
}

// Mixed horizons: after a sweep under a 12 h horizon, runs under the default 90 days bring records
// of an hour before the cut. They reach no fact and no slice, live or after a restart or rebuild.
// A pipeline that reads the cut (Analytics::FactsFrom) counts them too_old and flags them in the
// raw log; one whose sink does not (ForwardingSink) hands them over, and Analytics drops them.
TEST_F(RetentionTest, RecordsOfHoursBeforeAShorterHorizonsCutReachNoFact) {
  Analytics analytics(*store_);
  Ingest(analytics);
  ingest::RetentionPolicy policy;
  policy.raw_log = 12 * kHourMs;
  Result<bool> swept = analytics.SweepRetention(policy);
  ASSERT_TRUE(swept.ok() && *swept);
  const std::string ingested = Checksums(*store_);
  const Millis cut = analytics.FactsFrom("cloudspe");
  ASSERT_GT(cut, *sim::ParseUtcTime("2026-01-08T00:00:00Z"));
  EXPECT_EQ(analytics.FactsFrom("no-such-org"), std::numeric_limits<Millis>::min());

  // 2 h before the cut.
  ingest::testing::TempDir dir;
  const FakeClock clock(*sim::ParseUtcTime("2026-01-09T03:00:00Z"));
  ForwardingSink unaware(analytics, /*defer=*/false, /*crash_at_end=*/false);
  const std::string late_a = StreamRequests(dir, "late-a", cut - 2 * kHourMs, 3);
  ASSERT_TRUE(IngestFile(*store_, late_a, clock, unaware).ok());
  const std::string late_b = StreamRequests(dir, "late-b", cut - 2 * kHourMs, 3);
  ASSERT_TRUE(IngestFile(*store_, late_b, clock, analytics).ok());

  const Millis late_hour = HourFloor(cut - 2 * kHourMs);
  const auto sessions_before_cut = [&](const resolve::FactsView& facts) {
    size_t n = 0;
    for (Millis h = late_hour - kHourMs; h < cut; h += kHourMs) {
      n += facts.SessionsAt("cloudspe", h).size();
    }
    return n;
  };
  EXPECT_EQ(sessions_before_cut(analytics.facts()), 0u);
  EXPECT_EQ(Checksums(*store_), ingested);
  Result<std::vector<store::CounterRow>> counters = store_->Counters(late_hour, late_hour);
  ASSERT_TRUE(counters.ok());
  int64_t too_old = 0;
  for (const store::CounterRow& row : *counters) {
    if (row.kind == "check" && row.key == "too_old") too_old += row.count;
  }
  EXPECT_EQ(too_old, 3);  // late-b's: the pipeline that ran late-a did not know the cut
  std::map<std::string, bool> flagged;
  ASSERT_TRUE(ingest::ScanRawLog(*store_, late_hour, late_hour, [&](const ingest::RawEntry& e) {
                flagged[std::string(e.event_id)] = e.too_old;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(flagged, (std::map<std::string, bool>{{"late-a0", false},
                                                  {"late-a1", false},
                                                  {"late-a2", false},
                                                  {"late-b0", true},
                                                  {"late-b1", true},
                                                  {"late-b2", true}}));

  Analytics restarted(*store_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_EQ(sessions_before_cut(restarted.facts()), 0u);
  const Millis end = *sim::ParseUtcTime("2026-01-09T03:00:00Z");
  EXPECT_TRUE(AllFacts(restarted.facts(), cut, end) == AllFacts(analytics.facts(), cut, end));
  Analytics rebuilt(*store_);
  ASSERT_TRUE(rebuilt.Rebuild(std::nullopt, std::nullopt).ok());
  EXPECT_EQ(sessions_before_cut(rebuilt.facts()), 0u);
  EXPECT_EQ(Checksums(*store_), ingested);
}

// Slices of every serving table (benchmark included) with from <= hour <= to.
size_t SlicesIn(store::Store& store, Millis from, Millis to) {
  size_t n = 0;
  for (const std::string& table : ServingTableNames()) {
    EXPECT_TRUE(store
                    .ScanSlices(table, from, to,
                                [&](const store::Slice&) {
                                  ++n;
                                  return Status::Ok();
                                })
                    .ok());
  }
  return n;
}

// Serving retention (analytics §7.3): data 100 days older than the newest is too_old when it
// arrives second, and its slices and counters go at the sweep when it arrived first, so both
// orders leave the same tables. A longer serving horizon keeps them, also for sweeps that name
// none (the stored horizon), until one names a shorter one.
TEST_F(RetentionTest, ServingSlicesPastTheHorizonGoSoEitherOrderGivesTheSameTables) {
  ingest::testing::TempDir dir;
  const Millis old_ts = *sim::ParseUtcTime("2026-01-01T10:00:00Z");
  const Millis new_ts = old_ts + 100 * kDayMs;
  const std::string old_file = StreamRequests(dir, "old", old_ts, 3);
  const std::string new_file = StreamRequests(dir, "new", new_ts, 3);
  const FakeClock clock(new_ts + kHourMs);
  const auto feed = [&](store::Store& store, const std::vector<std::string>& files,
                        const ingest::RetentionPolicy& policy) {
    Analytics analytics(store);
    for (const std::string& file : files) {
      ASSERT_TRUE(IngestFile(store, file, clock, analytics).ok());
      ASSERT_TRUE(analytics.SweepRetention(policy, /*always=*/true).ok());  // as naap ingest
    }
  };
  const auto old_counters = [&](store::Store& store) {
    Result<std::vector<store::CounterRow>> rows = store.Counters(old_ts - kDayMs, old_ts + kDayMs);
    EXPECT_TRUE(rows.ok());
    return rows.ok() ? rows->size() : 0;
  };
  std::unique_ptr<store::Store> old_first = std::move(*store::OpenStore("memory:"));
  std::unique_ptr<store::Store> new_first = std::move(*store::OpenStore("memory:"));
  {
    Analytics analytics(*old_first);
    ASSERT_TRUE(IngestFile(*old_first, old_file, clock, analytics).ok());
  }
  ASSERT_GT(SlicesIn(*old_first, old_ts - kDayMs, old_ts + kDayMs), 0u);
  ASSERT_GT(old_counters(*old_first), 0u);
  feed(*old_first, {new_file}, {});
  feed(*new_first, {new_file, old_file}, {});
  EXPECT_EQ(SlicesIn(*old_first, old_ts - kDayMs, old_ts + kDayMs), 0u);
  EXPECT_EQ(old_counters(*old_first), 0u);
  EXPECT_EQ(old_counters(*new_first), 0u);
  EXPECT_GT(SlicesIn(*old_first, new_ts - kDayMs, new_ts + kDayMs), 0u);
  EXPECT_EQ(Checksums(*old_first), Checksums(*new_first));

  std::unique_ptr<store::Store> kept = std::move(*store::OpenStore("memory:"));
  ingest::RetentionPolicy longer;
  longer.serving = 200 * kDayMs;
  feed(*kept, {old_file, new_file}, longer);
  const size_t old_slices = SlicesIn(*kept, old_ts - kDayMs, old_ts + kDayMs);
  EXPECT_GT(old_slices, 0u);
  Analytics restarted(*kept);
  ASSERT_TRUE(restarted.Restore().ok());
  Result<bool> swept = restarted.SweepRetention({});  // no horizon named: the stored 200 days
  ASSERT_TRUE(swept.ok());
  EXPECT_FALSE(*swept);
  EXPECT_EQ(SlicesIn(*kept, old_ts - kDayMs, old_ts + kDayMs), old_slices);
  ingest::RetentionPolicy shorter;
  shorter.serving = ingest::RetentionPolicy::kDefaultServing;
  swept = restarted.SweepRetention(shorter);
  ASSERT_TRUE(swept.ok());
  EXPECT_TRUE(*swept);
  EXPECT_EQ(SlicesIn(*kept, old_ts - kDayMs, old_ts + kDayMs), 0u);
  EXPECT_EQ(Checksums(*kept), Checksums(*new_first));
}

// A retention record that does not decode stops a restore, before any replay, and says what.
TEST(RetentionRecordTest, AnUnreadableOneStopsTheRestore) {
  std::unique_ptr<store::Store> store = std::move(*store::OpenStore("memory:"));
  store::IngestBatch batch;
  batch.positions.emplace_back(Analytics::kRetentionPosition, "\x01");  // one cut, then nothing
  ASSERT_TRUE(store->Commit(batch).ok());
  Analytics analytics(*store);
  const Status restored = analytics.Restore();
  EXPECT_EQ(restored.code(), StatusCode::kCorruption);
  EXPECT_THAT(restored.message(), ::testing::HasSubstr("retention record"));
}

}  // namespace
}  // namespace naap::publish
