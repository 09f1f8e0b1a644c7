#include "sim/network.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <regex>

namespace naap::sim {
namespace {

const Orchestrator* Find(const Network& n, std::string_view address_lower) {
  for (const Orchestrator& o : n.orchestrators()) {
    if (o.address_lower == address_lower) return &o;
  }
  return nullptr;
}

TEST(NetworkTest, EmbeddedResponseHasTheRealOrchestrators) {
  Result<Network> network = Network::Embedded();
  ASSERT_TRUE(network.ok()) << network.status().ToString();
  EXPECT_EQ(network->orchestrators().size(), 53u);  // legio.click is listed twice, as received
  const Orchestrator* xode = Find(*network, "0xd00354656922168815fcd1e51cbddb9e359e3c7f");
  ASSERT_NE(xode, nullptr);
  EXPECT_EQ(xode->address, "0xd00354656922168815Fcd1e51CBddB9e359e3C7F");
  EXPECT_EQ(xode->local_key, "0x52cf2968b3dc6016778742d3539449a6597d5954");
  EXPECT_EQ(xode->uri, "https://livepeer-ai.xodeapp.xyz:18935");
  ASSERT_EQ(xode->request_offers.size(), 1u);
  EXPECT_EQ(xode->request_offers[0].pipeline, "llm");
  EXPECT_EQ(xode->request_offers[0].model, "meta-llama/Meta-Llama-3.1-8B-Instruct");
  const Orchestrator* brz = Find(*network, "0x75fbf65a3dfe93545c9768f163e59a02daf08d36");
  ASSERT_NE(brz, nullptr);
  EXPECT_EQ(brz->live_model, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(brz->live_price_wei_per_pixel, 1588);
  int live = 0;
  for (const Orchestrator& o : network->orchestrators()) live += o.live_model.empty() ? 0 : 1;
  EXPECT_EQ(live, 7);
}

TEST(NetworkTest, SnapshotsKeepTheShapeAndVaryOnlyVolatileMembers) {
  Result<Network> network = Network::Embedded();
  ASSERT_TRUE(network.ok());
  Rng rng(7);
  std::string first, second;
  network->AppendSnapshotArray(rng, first);
  network->AppendSnapshotArray(rng, second);
  EXPECT_NE(first, second);
  const std::regex volatile_number("(\"memory_free\":|\"capacityInUse\":)[0-9]+");
  EXPECT_EQ(std::regex_replace(first, volatile_number, "$1N"), std::regex_replace(second, volatile_number, "$1N"));

  simdjson::dom::parser parser;
  simdjson::dom::array elements;
  ASSERT_EQ(parser.parse(first).get(elements), simdjson::SUCCESS);
  EXPECT_EQ(elements.size(), 53u);
  std::string_view address;
  ASSERT_EQ(elements.at(0)["address"].get(address), simdjson::SUCCESS);
  EXPECT_EQ(address, "0x2cC8AeC211Fdc372c0F7E4d1add1675733381328");
  int64_t memory_free = 0;
  for (simdjson::dom::element e : elements) {
    std::string_view a;
    ASSERT_EQ(e["address"].get(a), simdjson::SUCCESS);
    if (a == "0x75fbf65A3DFE93545C9768f163E59a02Daf08D36") {
      ASSERT_EQ(e.at_pointer("/hardware/0/gpu_info/0/memory_free").get(memory_free), simdjson::SUCCESS);
    }
  }
  // Captured 33650573312; the simulator only lowers it, by at most an eighth.
  EXPECT_LE(memory_free, 33650573312);
  EXPECT_GE(memory_free, 33650573312 - 33650573312 / 8);
}

TEST(NetworkTest, RejectsAResponseWithoutOrchestrators) {
  EXPECT_FALSE(Network::Parse("{\"orchestrators\":[]}").ok());
  EXPECT_FALSE(Network::Parse("not json").ok());
  Result<Network> one = Network::Parse(R"([{"address":"0xAbC0000000000000000000000000000000000001","orch_uri":"https://o:1"}])");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->orchestrators()[0].address_lower, "0xabc0000000000000000000000000000000000001");
}

}  // namespace
}  // namespace naap::sim
