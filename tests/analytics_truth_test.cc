// The serving tables against the simulator's ground truth: a simulated network goes through
// `naap simulate | naap ingest` as a user would run it, then the stored slices are decoded and
// summed over the whole run and compared with the truth, per orchestrator and model (requested
// sessions, startup successes, swapped sessions), per org (no-orchestrator sessions) and per
// org and pipeline or BYOC capability (jobs and successes).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <limits>
#include <map>
#include <string>

#include "publish/tables_requests.h"
#include "publish/tables_streaming.h"
#include "store/store.h"
#include "test_util.h"

namespace naap {
namespace {

struct StreamCounts {
  int64_t requested = 0, startup_success = 0, swapped = 0;
  friend bool operator==(const StreamCounts&, const StreamCounts&) = default;
};
struct JobCounts {
  int64_t jobs = 0, success = 0;
  friend bool operator==(const JobCounts&, const JobCounts&) = default;
};

struct Figures {
  std::map<std::string, std::map<std::string, StreamCounts>> streams;  // org → "orch|model"
  std::map<std::string, int64_t> no_orch;                              // org
  std::map<std::string, std::map<std::string, JobCounts>> jobs;        // org → capability
};

Figures ReadTruth(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.load(path);
  Figures f;
  for (auto [org, by_key] : root["streams"].get_object()) {
    for (auto [key, c] : by_key.get_object()) {
      StreamCounts& s = f.streams[std::string(org)][std::string(key)];
      s.requested = int64_t(c["requested"]);
      s.startup_success = int64_t(c["startup_success"]);
      s.swapped = int64_t(c["swapped"]);
    }
  }
  for (auto [org, n] : root["no_orchestrator_sessions"].get_object()) {
    f.no_orch[std::string(org)] = int64_t(n);
  }
  for (auto [org, by_capability] : root["jobs"].get_object()) {
    for (auto [capability, c] : by_capability.get_object()) {
      JobCounts& j = f.jobs[std::string(org)][std::string(capability)];
      j.jobs = int64_t(c["jobs"]);
      j.success = int64_t(c["success"]);
    }
  }
  return f;
}

// Calls fn(rows) for every stored slice of `table`, decoded with `decode`.
template <typename Decode, typename Fn>
void ForEachRow(store::Store& store, std::string_view table, Decode decode, Fn fn) {
  Status st = store.ScanSlices(table, std::numeric_limits<Millis>::min(),
                               std::numeric_limits<Millis>::max(), [&](const store::Slice& s) {
                                 auto rows = decode(s.rows);
                                 if (!rows.ok()) return rows.status();
                                 for (const auto& row : rows.value()) fn(row);
                                 return Status::Ok();
                               });
  ASSERT_TRUE(st.ok()) << st.ToString();
}

Figures ReadTables(store::Store& store) {
  Figures f;
  ForEachRow(store, "api_hourly_streaming_sla", publish::DecodeSlaRows, [&](const publish::SlaRow& r) {
    if (r.sums.requested_sessions == 0) return;
    StreamCounts& s = f.streams[r.org][r.key.orchestrator_address + "|" + r.key.model_id];
    s.requested += r.sums.requested_sessions;
    s.startup_success += r.sums.startup_success_sessions;
    s.swapped += r.sums.total_swapped_sessions;
  });
  ForEachRow(store, "api_hourly_streaming_demand", publish::DecodeDemandRows,
             [&](const publish::DemandRow& r) {
               if (r.sums.no_orch_sessions > 0) f.no_orch[r.org] += r.sums.no_orch_sessions;
             });
  ForEachRow(store, "api_hourly_request_demand",
             publish::DecodeRequestRows<publish::RequestDemandRow>,
             [&](const publish::RequestDemandRow& r) {
               JobCounts& j = f.jobs[r.org][r.key.capability_name];
               j.jobs += r.sums.job_count;
               j.success += r.sums.success_count;
             });
  return f;
}

TEST(AnalyticsTruth, ServingTablesMatchTheSimulatorsGroundTruth) {
  const std::string dir = testing::MakeTempDir();
  const std::string db = dir + "/truth.db";
  auto r = testing::RunCommand(std::string(NAAP_BINARY) +
                               " simulate --hours 3 --scale 0.03 --seed 5 --start 2026-01-08T00:00:00Z"
                               " --out - --truth " + dir + "/truth.json | " + NAAP_BINARY +
                               " ingest --json --store sqlite:" + db + " -");
  ASSERT_EQ(r.exit_code, 0) << r.out;

  const Figures truth = ReadTruth(dir + "/truth.json");
  ASSERT_GT(truth.streams.size(), 1u);  // both orgs
  ASSERT_FALSE(truth.no_orch.empty());
  ASSERT_GT(truth.jobs.size(), 1u);
  auto store = store::OpenStore("sqlite:" + db);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  const Figures tables = ReadTables(*store.value());

  EXPECT_EQ(tables.no_orch, truth.no_orch);
  for (const auto& [org, by_key] : truth.streams) {
    for (const auto& [key, want] : by_key) {
      const auto org_it = tables.streams.find(org);
      const StreamCounts got = org_it == tables.streams.end() || !org_it->second.contains(key)
                                   ? StreamCounts{}
                                   : org_it->second.at(key);
      EXPECT_EQ(got.requested, want.requested) << org << " " << key;
      EXPECT_EQ(got.startup_success, want.startup_success) << org << " " << key;
      EXPECT_EQ(got.swapped, want.swapped) << org << " " << key;
    }
  }
  EXPECT_EQ(tables.streams, truth.streams);
  EXPECT_EQ(tables.jobs, truth.jobs);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace naap
