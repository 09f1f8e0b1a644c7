// The observed-inventory tables (spec/analytics.md §4.13) built from a Resolver fed with the real
// sample data and with hand-made snapshots, and their canonical codec.
#include "publish/tables_inventory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "event/json_span.h"
#include "event/test_util.h"
#include "publish/analytics.h"
#include "publish/table_test_util.h"
#include "resolve/capability_registry.h"
#include "resolve/resolver.h"

namespace naap::publish {
namespace {

using ::testing::ElementsAre;
using ::testing::IsSupersetOf;

constexpr Millis kHour21 = 1'767'906'000'000;  // 2026-01-08T21:00:00Z
constexpr Millis kSnapshotTs = 1'767'909'021'590;
constexpr char kD003[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kRtavUri[] = "https://rtav-orch2.xodeapp.xyz:28935";
constexpr char kLlmUri[] = "https://livepeer-ai.xodeapp.xyz:18935";
constexpr char kGpu[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";

std::string ReadData(const char* name) {
  return event::testing::ReadFileOrDie(std::string(NAAP_SHARED_DIR) + "/data/" + name);
}

std::string CapabilitiesMessage(std::string_view id, Millis ts, std::string_view data) {
  std::string m = R"({"id":")";
  m.append(id).append(R"(","type":"network_capabilities","timestamp":")");
  m.append(std::to_string(ts)).append(R"(","data":)").append(data).append("}");
  return m;
}

const resolve::CapabilityVersion& OnlyVersion(const resolve::Resolver& resolver,
                                              const std::string& uri) {
  const resolve::CapabilityChain* chain =
      resolver.Registry("cloudspe")->FindChain({"cloudspe", kD003, uri});
  EXPECT_NE(chain, nullptr);
  EXPECT_EQ(chain->versions.size(), 1u);
  return chain->versions.at(0);
}

// Builds every slice of the four tables for (org, hour) and checks each decodes to the rows the
// builders return and encodes back to the same bytes.
template <typename Row>
void ExpectSliceMatches(const std::string& bytes, const std::vector<Row>& rows) {
  Result<std::vector<Row>> decoded = DecodeInventoryRows<Row>(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, rows);
  EXPECT_EQ(EncodeInventoryRows(*decoded), bytes);
}

void ExpectTablesMatchBuilders(const resolve::Resolver& resolver, std::string_view org,
                               Millis hour) {
  const testing::FakeContext ctx(resolver);
  const auto tables = InventoryTables();
  ASSERT_EQ(tables.size(), 4u);
  EXPECT_EQ(tables[0]->name(), "api_observed_orchestrator");
  EXPECT_EQ(tables[1]->name(), "api_observed_capability_offer");
  EXPECT_EQ(tables[2]->name(), "api_observed_capability_pricing");
  EXPECT_EQ(tables[3]->name(), "api_observed_byoc_worker");
  ExpectSliceMatches(tables[0]->BuildSlice(ctx, org, hour),
                     BuildObservedOrchestratorRows(resolver, org, hour));
  ExpectSliceMatches(tables[1]->BuildSlice(ctx, org, hour),
                     BuildObservedOfferRows(resolver, org, hour));
  ExpectSliceMatches(tables[2]->BuildSlice(ctx, org, hour),
                     BuildObservedPricingRows(resolver, org, hour));
  ExpectSliceMatches(tables[3]->BuildSlice(ctx, org, hour),
                     BuildObservedWorkerRows(resolver, org, hour));
}

TEST(ObservedInventory, TheOneSnapshotOfTheRealEvents) {
  const std::string file = ReadData("livepeer-events-2026-01-08.json");
  std::vector<std::string_view> messages;
  event::JsonArrayElementSpans(file, messages);
  ASSERT_EQ(messages.size(), 65u);
  event::testing::DecoderHarness harness;
  resolve::Resolver resolver;
  std::string raw_element;
  for (std::string_view message : messages) {
    const event::Decoded& d = harness.File(message);
    ASSERT_EQ(d.cls, event::MessageClass::kAccepted);
    for (const auto& s : d.records.capability_snapshots) raw_element = s.raw_element;
    resolver.Add(d);
  }
  resolver.Resolve();
  ASSERT_THAT(raw_element,
              ::testing::StartsWith(R"({"address":"0xd00354656922168815Fcd1e51CBddB9e359e3C7F",)"));
  const std::string version_id = OnlyVersion(resolver, kRtavUri).capability_version_id;
  ASSERT_EQ(version_id.size(), 32u);
  const std::string event_id = "e89def1c-7a3c-40aa-a51a-ad490a305112";
  const Sighting sighting{kSnapshotTs, kSnapshotTs, event_id};

  const auto orchestrators = BuildObservedOrchestratorRows(resolver, "cloudspe", kHour21);
  const ObservedOrchestratorRow orchestrator{
      .window_start = kHour21,
      .org = "cloudspe",
      .key = {kD003, kRtavUri},
      .sighting = sighting,
      .columns = {.snapshot_count = 1,
                  .orch_uri = kRtavUri,
                  .alias_address = "0x52cf2968b3dc6016778742d3539449a6597d5954",
                  .version = "0.8.8-3a5678ec-dirty",
                  .capability_version_id = version_id,
                  .raw_element = raw_element}};
  EXPECT_THAT(orchestrators, ElementsAre(orchestrator));

  const ObservedOfferRow offer{
      .window_start = kHour21,
      .org = "cloudspe",
      .key = {kD003, kRtavUri, 35, "live-video-to-video", "streamdiffusion-sdxl-faceid", kGpu},
      .sighting = sighting,
      .columns = {.orch_uri = kRtavUri,
                  .offered_name = "live-video-to-video",
                  .capability_name = "live-video-to-video",
                  .capability_family = "builtin",
                  .canonical_pipeline = "live-video-to-video",
                  .warm = true,
                  .advertised_capacity = std::nullopt,
                  .capacity_in_use = 1,
                  .hardware_present = true,
                  .gpu_model_name = "NVIDIA GeForce RTX 5090",
                  .gpu_memory_bytes_total = 34'190'917'632,
                  .runner_version = "0.14.0",
                  .supports_stream = true,
                  .supports_request = false,
                  .capability_version_id = version_id}};
  EXPECT_THAT(BuildObservedOfferRows(resolver, "cloudspe", kHour21), ElementsAre(offer));

  const ObservedPricingRow price{.window_start = kHour21,
                                 .org = "cloudspe",
                                 .key = {kD003, 35, "streamdiffusion-sdxl-faceid"},
                                 .sighting = sighting,
                                 .columns = {.price_per_unit = *Wei::FromU128(1618),
                                             .pixels_per_unit = *Wei::FromU128(1),
                                             .capability_version_id = version_id,
                                             .model_id = "streamdiffusion-sdxl-faceid",
                                             .external_capability_name = std::nullopt}};
  EXPECT_THAT(BuildObservedPricingRows(resolver, "cloudspe", kHour21), ElementsAre(price));
  EXPECT_TRUE(BuildObservedWorkerRows(resolver, "cloudspe", kHour21).empty());

  // Other hours and orgs have no rows; the slices are the builders' rows, canonically encoded.
  EXPECT_TRUE(BuildObservedOrchestratorRows(resolver, "cloudspe", kHour21 + kHourMs).empty());
  EXPECT_TRUE(BuildObservedOfferRows(resolver, "daydream", kHour21).empty());
  ExpectTablesMatchBuilders(resolver, "cloudspe", kHour21);
  const testing::FakeContext ctx(resolver);
  EXPECT_EQ(InventoryTables()[3]->BuildSlice(ctx, "cloudspe", kHour21), "");
}

TEST(ObservedInventory, TheRealNetworkCapabilitiesResponseAndAWorker) {
  event::testing::DecoderHarness harness;
  resolve::Resolver resolver;
  const event::Decoded& caps = harness.Kafka(
      CapabilitiesMessage("caps-1", kSnapshotTs, ReadData("getNetworkCapabilities-2026.json")));
  ASSERT_EQ(caps.cls, event::MessageClass::kAccepted) << caps.reason;
  resolver.Add(caps);
  // Events V20: a BYOC worker registered at the llm URI of 0xd003 (resolved by URL).
  const event::Decoded& worker = harness.Kafka(
      R"({"id":"v20","type":"worker_lifecycle","timestamp":"1767909100000","data":{"id":"w-1","type":"worker_registered","capability":"openai-chat-completions","worker_url":"http://10.0.0.5:8000","price_per_unit":2500,"worker_options":[{"model":"Qwen/Qwen2.5-14B-Instruct-AWQ"}],"orchestrator_info":{"address":"0xd00354656922168815fcd1e51cbddb9e359e3c7f","url":"https://livepeer-ai.xodeapp.xyz:18935"}}})");
  ASSERT_EQ(worker.cls, event::MessageClass::kAccepted) << worker.reason;
  resolver.Add(worker);
  resolver.Resolve();

  // 53 elements, 0x733D… at legio.click listed twice: 52 chains, one snapshot each. 22 hardware
  // rows (19 with a GPU, 3 without) and one offer no hardware row covers; 44 distinct prices of
  // AI capabilities, no price_info (all counted independently from the file).
  const auto orchestrators = BuildObservedOrchestratorRows(resolver, "cloudspe", kHour21);
  EXPECT_EQ(orchestrators.size(), 52u);
  for (const auto& row : orchestrators) EXPECT_EQ(row.columns.snapshot_count, 1);
  const auto offers = BuildObservedOfferRows(resolver, "cloudspe", kHour21);
  EXPECT_EQ(offers.size(), 23u);
  const auto prices = BuildObservedPricingRows(resolver, "cloudspe", kHour21);
  EXPECT_EQ(prices.size(), 44u);

  // 0xd003 at its llm URI: a GPU-less hardware row covering the offer (capacity 67542, no
  // capacityInUse, no runnerVersion).
  const std::string llm_version = OnlyVersion(resolver, kLlmUri).capability_version_id;
  ObservedOfferColumns llm{.orch_uri = kLlmUri,
                           .offered_name = "llm",
                           .capability_name = "llm",
                           .capability_family = "builtin",
                           .canonical_pipeline = "llm",
                           .warm = true,
                           .advertised_capacity = 67542,
                           .capacity_in_use = std::nullopt,
                           .hardware_present = false,
                           .gpu_model_name = std::nullopt,
                           .gpu_memory_bytes_total = std::nullopt,
                           .runner_version = "",
                           .supports_stream = false,
                           .supports_request = true,
                           .capability_version_id = llm_version};
  const Sighting sighting{kSnapshotTs, kSnapshotTs, "caps-1"};
  const ObservedOfferKey llm_key{kD003, kLlmUri, 33, "llm", "meta-llama/Meta-Llama-3.1-8B-Instruct",
                                 ""};
  // 0x0fc8…: no hardware at all, its one live-video offer has gpu_id "".
  const std::string k0fc8 = "0x0fc80afb7876f579f1fb1c4d1c37cf1339038658";
  const std::string coef = "https://livepeer-ai.coef120.com:8936";
  const ObservedOfferKey bare_key{k0fc8, coef, 35, "live-video-to-video", "streamdiffusion-sdxl",
                                  ""};
  int checked = 0;
  for (const auto& row : offers) {
    if (row.key == llm_key) {
      EXPECT_EQ(row.sighting, sighting);
      EXPECT_EQ(row.columns, llm);
      ++checked;
    }
    if (row.key == bare_key) {
      EXPECT_EQ(row.columns.offered_name, "live-video-to-video");
      EXPECT_FALSE(row.columns.hardware_present);
      EXPECT_EQ(row.columns.warm, true);
      EXPECT_EQ(row.columns.advertised_capacity, std::nullopt);
      EXPECT_EQ(row.columns.runner_version, "0.13.11-c8dd0dc1");
      EXPECT_EQ(row.columns.gpu_model_name, std::nullopt);
      EXPECT_TRUE(row.columns.supports_stream);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);

  // 0xd003 prices two llm models at its llm URI (only one is offered).
  std::vector<std::string> d003_constraints;
  for (const auto& row : prices) {
    if (row.key.orch_address != kD003) continue;
    EXPECT_EQ(row.key.capability_id, 33);
    EXPECT_EQ(row.columns.price_per_unit.value(), 56'909'258u);
    EXPECT_EQ(row.columns.pixels_per_unit.value(), 1u);
    EXPECT_EQ(row.columns.model_id, row.key.constraint);
    EXPECT_EQ(row.columns.capability_version_id, llm_version);
    d003_constraints.push_back(*row.key.constraint);
  }
  EXPECT_THAT(d003_constraints, ElementsAre("meta-llama/Llama-4-Scout-17B-16E-Instruct",
                                            "meta-llama/Meta-Llama-3.1-8B-Instruct"));

  const ObservedWorkerRow expected_worker{
      .window_start = kHour21,
      .org = "cloudspe",
      .key = {"openai-chat-completions", kD003, "http://10.0.0.5:8000"},
      .sighting = {1'767'909'100'000, 1'767'909'100'000, "v20"},
      .columns = {.worker_url = "http://10.0.0.5:8000",
                  .orch_url = kLlmUri,
                  .orchestrator_address = kD003,
                  .model = "Qwen/Qwen2.5-14B-Instruct-AWQ",
                  .price_per_unit = 2500,
                  .lifecycle_action = "registered",
                  .worker_options_raw = R"([{"model":"Qwen/Qwen2.5-14B-Instruct-AWQ"}])"}};
  EXPECT_THAT(BuildObservedWorkerRows(resolver, "cloudspe", kHour21), ElementsAre(expected_worker));
  ExpectTablesMatchBuilders(resolver, "cloudspe", kHour21);
}

// One chain of 0xabc… seen twice in one hour (second sighting: a new version and BYOC price, one
// more stream in use) and once in the next hour (another price); a BYOC hardware entry, a BYOC
// price and the global price_info.
std::string Element(std::string_view version, int capacity_in_use, int llm_price) {
  std::string e =
      R"({"address":"0xABC0000000000000000000000000000000000001","orch_uri":"https://o.example:8935",)";
  e.append(R"("capabilities":{"version":")").append(version).append(R"(","constraints":)");
  e.append(R"({"PerCapability":{"35":{"models":{"sd":{"warm":true,"capacity":2,"capacityInUse":)");
  e.append(std::to_string(capacity_in_use)).append("}}}}}},");
  e.append(R"("capabilities_prices":[{"capability":37,"constraint":"openai-chat-completions",)");
  e.append(R"("pricePerUnit":)")
      .append(std::to_string(llm_price))
      .append(R"(,"pixelsPerUnit":1},)");
  e.append(R"({"capability":5,"constraint":"x","pricePerUnit":9,"pixelsPerUnit":1}],)");
  e.append(R"("price_info":{"pricePerUnit":11800000000000,"pixelsPerUnit":54901722631},)");
  e.append(R"("hardware":[{"pipeline":"openai-chat-completions","model_id":"qwen"}]})");
  return e;
}

class TwoSnapshots : public ::testing::Test {
 protected:
  static constexpr Millis kHour = 1'767'902'400'000;  // 2026-01-08T20:00:00Z
  static constexpr char kAbc[] = "0xabc0000000000000000000000000000000000001";
  static constexpr char kUri[] = "https://o.example:8935";

  void Feed(resolve::Resolver& resolver, const std::vector<int>& order) {
    const std::string messages[] = {
        CapabilitiesMessage("b-first", kHour + 60'000, "[" + Element("0.8.8", 0, 100) + "]"),
        CapabilitiesMessage("a-second", kHour + 120'000, "[" + Element("0.8.9", 1, 200) + "]"),
        CapabilitiesMessage("c-next-hour", kHour + kHourMs, "[" + Element("0.8.9", 2, 300) + "]"),
    };
    for (int i : order) {
      const event::Decoded& d = harness_.Kafka(messages[i]);
      ASSERT_EQ(d.cls, event::MessageClass::kAccepted) << d.reason;
      resolver.Add(d);
    }
    resolver.Resolve();
  }

  event::testing::DecoderHarness harness_;
};

TEST_F(TwoSnapshots, OneRowPerHourWithTheLatestAttributes) {
  resolve::Resolver resolver;
  Feed(resolver, {0, 1, 2});
  const resolve::CapabilityChain* chain =
      resolver.Registry("cloudspe")->FindChain({"cloudspe", kAbc, kUri});
  ASSERT_NE(chain, nullptr);
  ASSERT_EQ(chain->versions.size(), 3u);  // every sighting changes the version or a price
  const std::string second_version = chain->versions[1].capability_version_id;
  const Sighting sighting{kHour + 60'000, kHour + 120'000, "a-second"};

  const auto orchestrators = BuildObservedOrchestratorRows(resolver, "cloudspe", kHour);
  ASSERT_EQ(orchestrators.size(), 1u);
  EXPECT_EQ(orchestrators[0].sighting, sighting);
  EXPECT_EQ(orchestrators[0].columns.snapshot_count, 2);
  EXPECT_EQ(orchestrators[0].columns.version, "0.8.9");
  EXPECT_EQ(orchestrators[0].columns.capability_version_id, second_version);
  EXPECT_EQ(orchestrators[0].columns.alias_address, "");
  EXPECT_THAT(orchestrators[0].columns.raw_element, ::testing::HasSubstr(R"("0.8.9")"));

  // Offers: the BYOC hardware entry (no GPU; no offer of capability 37 covers it) and the
  // uncovered live-video offer.
  const auto offers = BuildObservedOfferRows(resolver, "cloudspe", kHour);
  ASSERT_EQ(offers.size(), 2u);
  EXPECT_EQ(offers[0].key, (ObservedOfferKey{kAbc, kUri, 35, "live-video-to-video", "sd", ""}));
  EXPECT_EQ(offers[0].sighting, sighting);
  EXPECT_EQ(offers[0].columns.capacity_in_use, 1);
  EXPECT_EQ(offers[0].columns.advertised_capacity, 2);
  EXPECT_EQ(offers[0].columns.capability_version_id, second_version);
  EXPECT_EQ(offers[1].key,
            (ObservedOfferKey{kAbc, kUri, 37, "openai-chat-completions", "qwen", ""}));
  const ObservedOfferColumns& byoc = offers[1].columns;
  EXPECT_EQ(byoc.offered_name, "openai-chat-completions");
  EXPECT_EQ(byoc.capability_name, "byoc");
  EXPECT_EQ(byoc.capability_family, "byoc");
  EXPECT_EQ(byoc.canonical_pipeline, "");
  EXPECT_TRUE(byoc.supports_stream);
  EXPECT_TRUE(byoc.supports_request);
  EXPECT_FALSE(byoc.hardware_present);
  EXPECT_EQ(byoc.warm, std::nullopt);

  // Pricing: the global row first (capability and constraint NULL), then BYOC; the transcoding
  // price (capability 5) is left out.
  const auto prices = BuildObservedPricingRows(resolver, "cloudspe", kHour);
  ASSERT_EQ(prices.size(), 2u);
  EXPECT_EQ(prices[0].key, (ObservedPricingKey{kAbc, std::nullopt, std::nullopt}));
  EXPECT_EQ(prices[0].columns.price_per_unit.value(), 11'800'000'000'000u);
  EXPECT_EQ(prices[0].columns.pixels_per_unit.value(), 54'901'722'631u);
  EXPECT_EQ(prices[0].columns.model_id, std::nullopt);
  EXPECT_EQ(prices[0].columns.external_capability_name, std::nullopt);
  EXPECT_EQ(prices[1].key, (ObservedPricingKey{kAbc, 37, "openai-chat-completions"}));
  EXPECT_EQ(prices[1].sighting, sighting);
  EXPECT_EQ(prices[1].columns.price_per_unit.value(), 200u);
  EXPECT_EQ(prices[1].columns.model_id, std::nullopt);
  EXPECT_EQ(prices[1].columns.external_capability_name, "openai-chat-completions");

  // The next hour has its own row.
  const auto next = BuildObservedOrchestratorRows(resolver, "cloudspe", kHour + kHourMs);
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].columns.snapshot_count, 1);
  EXPECT_EQ(next[0].sighting.latest_event_id, "c-next-hour");
  EXPECT_EQ(BuildObservedPricingRows(resolver, "cloudspe", kHour + kHourMs)[1]
                .columns.price_per_unit.value(),
            300u);
  ExpectTablesMatchBuilders(resolver, "cloudspe", kHour);
}

TEST_F(TwoSnapshots, SlicesDoNotDependOnArrivalOrder) {
  resolve::Resolver forward, backward;
  Feed(forward, {0, 1, 2});
  Feed(backward, {2, 1, 0});
  const testing::FakeContext a(forward), b(backward);
  for (const auto& table : InventoryTables()) {
    for (Millis hour : {kHour, kHour + kHourMs}) {
      EXPECT_EQ(table->BuildSlice(a, "cloudspe", hour), table->BuildSlice(b, "cloudspe", hour))
          << table->name();
    }
  }
}

TEST(ObservedInventoryCodec, CanonicalBytesAndRejects) {
  const ObservedWorkerRow row{.window_start = 0,
                              .org = "o",
                              .key = {"c", "a", "u"},
                              .sighting = {1, 2, "e"},
                              .columns = {.worker_url = "w",
                                          .orch_url = "",
                                          .orchestrator_address = "",
                                          .model = "m",
                                          .price_per_unit = std::nullopt,
                                          .lifecycle_action = "r",
                                          .worker_options_raw = "[]"}};
  // org, window_start (zigzag), 1 row; key strings; sighting 1 → 2, 2 → 4 (zigzag), "e"; columns:
  // "w", "", "", "m", absent price, "r", "[]".
  const std::string older(
      "\x01o\x00\x01\x01"
      "c\x01"
      "a\x01u"
      "\x02\x04\x01"
      "e"
      "\x01w\x00\x00\x01m\x00\x01r",
      23);
  const std::string bytes = EncodeInventoryRows(std::vector<ObservedWorkerRow>{row});
  EXPECT_EQ(bytes, older + "\x02[]");
  auto decoded = DecodeInventoryRows<ObservedWorkerRow>(bytes);
  ASSERT_TRUE(decoded.ok());
  EXPECT_THAT(*decoded, ElementsAre(row));
  // A slice of a build before worker_options_raw reads with the column empty.
  ObservedWorkerRow without_options = row;
  without_options.columns.worker_options_raw.clear();
  auto read_older = DecodeInventoryRows<ObservedWorkerRow>(older);
  ASSERT_TRUE(read_older.ok()) << read_older.status().ToString();
  EXPECT_THAT(*read_older, ElementsAre(without_options));

  EXPECT_FALSE(DecodeInventoryRows<ObservedWorkerRow>(bytes.substr(0, bytes.size() - 1)).ok());
  EXPECT_FALSE(DecodeInventoryRows<ObservedWorkerRow>(bytes + "x").ok());
  ObservedWorkerRow before = row;
  before.key.capability = "b";
  const std::string out_of_order = EncodeInventoryRows(std::vector<ObservedWorkerRow>{row, before});
  EXPECT_FALSE(DecodeInventoryRows<ObservedWorkerRow>(out_of_order).ok());
  EXPECT_EQ(EncodeInventoryRows(std::vector<ObservedWorkerRow>{}), "");
  EXPECT_TRUE(DecodeInventoryRows<ObservedWorkerRow>("")->empty());
}

TEST(ObservedInventory, RegisteredAsServingTables) {
  EXPECT_THAT(ServingTableNames(),
              IsSupersetOf({"api_observed_orchestrator", "api_observed_capability_offer",
                            "api_observed_capability_pricing", "api_observed_byoc_worker"}));
}

}  // namespace
}  // namespace naap::publish
