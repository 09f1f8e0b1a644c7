// LocalBackend: ingest through the analytics engine, facts under the lock, restart from the store
// (before Open returns or in the background), admin bodies without an org.
#include "api/local_backend.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "ingest/raw_log.h"
#include "resolve/facts_view.h"
#include "sim/generator.h"
#include "store/store.h"
#include "store/store_test_util.h"

namespace naap::api {
namespace {

const std::string kSample = std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json";

std::unique_ptr<LocalBackend> OpenBackend(store::Store& store, const Clock& clock) {
  auto backend = LocalBackend::Open(store, clock, ApiConfig{});
  EXPECT_TRUE(backend.ok()) << backend.status().ToString();
  return std::move(backend.value());
}

// A backend whose facts only StartRestore() restores.
std::unique_ptr<LocalBackend> OpenWithoutRestore(store::Store& store, const Clock& clock) {
  auto backend = LocalBackend::Open(store, clock, ApiConfig{}, event::TopicMap::Default(),
                                    /*restore_now=*/false);
  EXPECT_TRUE(backend.ok()) << backend.status().ToString();
  return std::move(backend.value());
}

std::vector<std::string> FactOrgs(LocalBackend& backend) {
  std::vector<std::string> orgs;
  Status read = backend.ReadFacts([&](const resolve::FactsView& facts) {
    orgs = facts.Orgs();
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok());
  return orgs;
}

TEST(LocalBackend, IngestsTheSampleAndRestoresItsFactsAfterARestart) {
  std::string path = ::testing::TempDir() + "/local_backend_restart.db";
  std::filesystem::remove(path);
  SystemClock clock;
  {
    auto store = store::OpenStore("sqlite:" + path);
    ASSERT_TRUE(store.ok());
    auto backend = OpenBackend(**store, clock);
    auto counts = backend->IngestFiles({kSample});
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    EXPECT_EQ(counts->lines, 65);
    EXPECT_EQ(counts->accepted, 65);
    EXPECT_EQ(FactOrgs(*backend), std::vector<std::string>{"cloudspe"});
    // The sample's newest envelope timestamp is the data clock (over all orgs and for its org).
    auto all = backend->DataClock(std::nullopt);
    auto org = backend->DataClock("cloudspe");
    ASSERT_TRUE(all.ok() && org.ok());
    ASSERT_TRUE(all->has_value());
    EXPECT_EQ(**all, **org);
    EXPECT_FALSE(backend->DataClock("daydream")->has_value());
    PipelineStatus status = backend->Pipeline();
    EXPECT_EQ(status.lines_read, 65);
    ASSERT_EQ(status.sources.size(), 1u);
    EXPECT_EQ(status.sources[0].kind, "file");
    EXPECT_GT(status.raw_segments, 0);
  }
  auto store = store::OpenStore("sqlite:" + path);
  ASSERT_TRUE(store.ok());
  auto backend = OpenBackend(**store, clock);
  EXPECT_EQ(FactOrgs(*backend), std::vector<std::string>{"cloudspe"});  // restored from the raw log
  auto again = backend->IngestFiles({kSample});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->duplicates, 65);  // the dedup index survived too
  EXPECT_EQ(again->accepted, 0);
  std::filesystem::remove(path);
}

// A SQLite store holding the ingested sample, reopened with a backend that has not restored it.
class UnrestoredBackend : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() + "/" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db";
    std::filesystem::remove(path_);
    {
      auto store = store::OpenStore("sqlite:" + path_);
      ASSERT_TRUE(store.ok());
      ASSERT_TRUE(OpenBackend(**store, clock_)->IngestFiles({kSample}).ok());
    }
    auto store = store::OpenStore("sqlite:" + path_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store.value());
    backend_ = OpenWithoutRestore(*store_, clock_);
  }
  void TearDown() override {
    backend_.reset();
    store_.reset();
    std::filesystem::remove(path_);
  }

  SystemClock clock_;
  std::string path_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LocalBackend> backend_;
};

TEST_F(UnrestoredBackend, AnswersWhileItRestoresInTheBackgroundAndIngestsOnceRestored) {
  LocalBackend& backend = *backend_;

  // Not restored yet: what needs the facts says so; what reads the store answers.
  const auto restoring = [](const Status& st) {
    return st.code() == StatusCode::kUnavailable && st.message() == kRestoringFacts;
  };
  EXPECT_TRUE(restoring(backend.ReadFacts([](const resolve::FactsView&) { return Status::Ok(); })));
  EXPECT_TRUE(restoring(backend.IngestBody("{}", "cloudspe", "test").status()));
  EXPECT_TRUE(restoring(backend.StartRebuild("verify").status()));
  EXPECT_TRUE(backend.Pipeline().restoring);
  EXPECT_EQ(backend.Pipeline().restore_hours_total, 0);  // not listed yet
  EXPECT_TRUE(backend.PingStore().ok());
  // The data clock is the store's: the same before the restore as after it.
  auto org_clock = backend.DataClock("cloudspe");
  auto clock = backend.DataClock(std::nullopt);
  ASSERT_TRUE(org_clock.ok() && clock.ok());
  ASSERT_TRUE(org_clock->has_value());
  EXPECT_EQ(*clock, *org_clock);

  // An ingest started now waits for the restore (and its dedup index).
  Result<LocalBackend::IngestCounts> again = Internal("not run");
  std::thread ingest([&] { again = backend.IngestFiles({kSample}); });
  Status failed;
  backend.StartRestore([&failed](const Status& st) { failed = st; });
  EXPECT_TRUE(backend.WaitRestored().ok());
  ingest.join();
  EXPECT_TRUE(failed.ok());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->duplicates, 65);
  EXPECT_EQ(FactOrgs(backend), std::vector<std::string>{"cloudspe"});
  EXPECT_EQ(*backend.DataClock(std::nullopt), *clock);
  const PipelineStatus restored = backend.Pipeline();
  EXPECT_FALSE(restored.restoring);
  EXPECT_GT(restored.restore_hours_total, 0);  // the sample's hours of the raw log
  EXPECT_EQ(restored.restore_hours_replayed, restored.restore_hours_total);
}

// Five simulated hours from 2026-01-01T00:00Z as an NDJSON file of export wrapper lines.
std::string WriteSimulatedHours(const std::string& path) {
  sim::Config config;
  config.seed = 5;
  config.scale = 0.02;
  config.start_ms = sim::ParseUtcTime("2026-01-01T00:00:00Z").value();
  config.end_ms = config.start_ms + 5 * kHourMs;
  auto generator = sim::Generator::Create(config);
  EXPECT_TRUE(generator.ok());
  std::string lines;
  sim::Message message;
  while ((*generator)->Next(message)) sim::WriteWrapperLine(message, lines);
  std::ofstream(path) << lines;
  return path;
}

TEST(LocalBackend, TheMaintainerSweepsRetentionWhileTheServerRuns) {
  const std::string path = ::testing::TempDir() + "/local_backend_maintainer.db";
  std::filesystem::remove(path);
  const std::string input = WriteSimulatedHours(::testing::TempDir() + "/maintainer.ndjson");
  auto store = store::OpenStore("sqlite:" + path);
  ASSERT_TRUE(store.ok());
  SystemClock clock;
  ApiConfig config;
  config.raw_retention_ms = 3 * kHourMs;
  config.maintain_every_ms = 20;
  auto opened = LocalBackend::Open(**store, clock, config);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  LocalBackend& backend = **opened;  // restored at Open, on an empty store: nothing to sweep
  ASSERT_TRUE(backend.IngestFiles({input}).ok());

  // The newest event is just before 05:00, so the cut is hour(01:59) = 01:00. No restart comes
  // in between: only the maintainer's rounds can sweep.
  const Millis start = sim::ParseUtcTime("2026-01-01T00:00:00Z").value();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (backend.Pipeline().raw_oldest_event_at < start + kHourMs &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::optional<Millis> oldest = backend.Pipeline().raw_oldest_event_at;
  ASSERT_TRUE(oldest.has_value());
  EXPECT_EQ(HourFloor(*oldest), start + kHourMs);
  // The facts of the swept hour went with it; those of the kept hours stayed.
  Status read = backend.ReadFacts([&](const resolve::FactsView& facts) {
    size_t swept = 0, kept = 0;
    for (const std::string& org : facts.Orgs()) {
      swept += facts.SessionsAt(org, start).size();
      kept += facts.SessionsAt(org, start + 2 * kHourMs).size();
    }
    EXPECT_EQ(swept, 0u);
    EXPECT_GT(kept, 0u);
    return Status::Ok();
  });
  EXPECT_TRUE(read.ok()) << read.ToString();
  opened->reset();
  store->reset();
  std::filesystem::remove(path);
  std::filesystem::remove(input);
}

TEST(LocalBackend, AFailedBackgroundRestoreIsReportedAndKeepsTheFactsUnavailable) {
  auto store = store::OpenStore("memory:");
  ASSERT_TRUE(store.ok());
  ingest::RawEntry entry;
  entry.org = "cloudspe";
  entry.event_id = "e1";
  entry.family = "stream_trace";
  entry.event_ts = 1000;
  ingest::RawLogWriter writer;
  writer.Add(entry);
  auto blocks = writer.Flush();
  ASSERT_TRUE(blocks.ok());
  store::IngestBatch batch;
  batch.raw_blocks = std::move(blocks.value());
  batch.raw_blocks[0].crc32 ^= 1;  // the restore reads a corrupt block
  ASSERT_TRUE((*store)->Commit(batch).ok());

  SystemClock clock;
  std::unique_ptr<LocalBackend> opened = OpenWithoutRestore(**store, clock);
  LocalBackend& backend = *opened;
  Status reported;
  backend.StartRestore([&reported](const Status& st) { reported = st; });
  const Status restored = backend.WaitRestored();
  EXPECT_EQ(restored.code(), StatusCode::kCorruption) << restored.ToString();
  EXPECT_EQ(reported.code(), StatusCode::kCorruption);
  EXPECT_EQ(backend.ReadFacts([](const resolve::FactsView&) { return Status::Ok(); }).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(backend.IngestFiles({kSample}).status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(backend.Pipeline().restoring);
}

TEST_F(UnrestoredBackend, ACancelledRestoreIsNoFailureAndLeavesTheBackendUnavailable) {
  LocalBackend& backend = *backend_;
  backend.CancelRestore();  // a server stopping before the restore reached the first hour
  bool failed_called = false;
  backend.StartRestore([&failed_called](const Status&) { failed_called = true; });
  const Status restored = backend.WaitRestored();
  EXPECT_EQ(restored.code(), StatusCode::kUnavailable) << restored.ToString();
  EXPECT_FALSE(failed_called);
  EXPECT_EQ(backend.IngestFiles({kSample}).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(backend.ReadFacts([](const resolve::FactsView&) { return Status::Ok(); }).code(),
            StatusCode::kUnavailable);
}

// Holds each checkpoint write open until a read of the facts, started from inside it, returned
// (or 10 s passed: the read waits for the write's lock).
class CheckpointReadingStore final : public store::testing::ForwardingStore {
 public:
  CheckpointReadingStore() : ForwardingStore(std::move(store::OpenStore("memory:").value())) {}
  Status PutCheckpoint(int64_t covers_seq,
                       const std::function<Status(const PartWriter& write)>& produce) override {
    return ForwardingStore::PutCheckpoint(covers_seq, [&](const PartWriter& write) {
      reads.push_back(std::async(std::launch::async, [this] { return FactOrgs(*backend); }));
      if (reads.back().wait_for(std::chrono::seconds(10)) == std::future_status::ready) {
        orgs_read_during_checkpoint.push_back(reads.back().get());
      } else {
        ++reads_held_up;
      }
      return produce(write);
    });
  }

  LocalBackend* backend = nullptr;
  // A held-up read ends once the write released the lock; its future waits for it here.
  std::vector<std::future<std::vector<std::string>>> reads;
  std::vector<std::vector<std::string>> orgs_read_during_checkpoint;
  int reads_held_up = 0;
};

TEST(LocalBackend, ReadsOfTheFactsGoOnWhileACheckpointIsWritten) {
  CheckpointReadingStore store;
  SystemClock clock;
  auto backend = OpenBackend(store, clock);
  store.backend = backend.get();
  ASSERT_TRUE(backend->IngestFiles({kSample}).ok());  // the run's end writes a checkpoint
  EXPECT_EQ(store.reads_held_up, 0);
  EXPECT_EQ(store.orgs_read_during_checkpoint, std::vector<std::vector<std::string>>{{"cloudspe"}});
}

TEST(LocalBackend, BodyWithoutOrgNeedsMappedWrapperTopicsOnEveryLine) {
  auto store = store::OpenStore("memory:");
  ASSERT_TRUE(store.ok());
  SystemClock clock;
  auto backend = OpenBackend(**store, clock);
  const std::string wrapper =
      R"({"id":"w","timestamp":1767908945298,"type":"stream_trace","topic":"streaming-events",)"
      R"("partition":0,"offset":0,"value":{"id":"e1","type":"stream_trace","timestamp":"1767908945298",)"
      R"("gateway":"","data":{"type":"gateway_receive_stream_request","stream_id":"s","request_id":"r"}}})";
  const std::string plain =
      R"({"id":"e2","type":"stream_trace","timestamp":"1767908945298","gateway":"","data":{}})";

  auto refused = backend->IngestBody(wrapper + "\n\n" + plain + "\n", std::nullopt, "http");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "parameter \"org\" is required: line 3 has no topic that maps to an org");
  EXPECT_EQ(backend->Pipeline().lines_read, 0);  // nothing ingested

  auto taken = backend->IngestBody(wrapper + "\n", std::nullopt, "http");
  ASSERT_TRUE(taken.ok()) << taken.status().ToString();
  EXPECT_FALSE(taken->org.has_value());
  EXPECT_EQ(taken->lines_read, 1);
  EXPECT_EQ(taken->accepted, 1);
  EXPECT_EQ(FactOrgs(*backend), std::vector<std::string>{"cloudspe"});
  ASSERT_EQ(taken->accepted_by_family.size(), 14u);
  EXPECT_EQ(taken->rejected_by_reason.size(), 7u);
  EXPECT_EQ(taken->ignored_by_reason.size(), 4u);
  EXPECT_EQ(taken->dirty_slices, 1);

  auto with_org = backend->IngestBody(plain + "\n{broken\n", "daydream", "http");
  ASSERT_TRUE(with_org.ok());
  EXPECT_EQ(with_org->lines_read, 2);
  EXPECT_EQ(with_org->rejected, 1);
  ASSERT_EQ(with_org->first_rejections.size(), 1u);
  EXPECT_EQ(with_org->first_rejections[0], std::make_pair(int64_t{2}, std::string("malformed_json")));
}

}  // namespace
}  // namespace naap::api
