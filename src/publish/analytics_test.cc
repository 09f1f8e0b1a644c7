#include "publish/analytics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "base/hash.h"
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

}  // namespace
}  // namespace naap::publish
