// The read-time views (spec/analytics.md §4.14) and leaderboard inputs (§4.15): the real sample
// published into a memory store and read back, and hand-built rows for each rule.
#include "publish/views.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/hash.h"
#include "event/json_span.h"
#include "event/test_util.h"
#include "publish/table_test_util.h"
#include "resolve/resolver.h"
#include "store/store.h"

namespace naap::publish {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Pair = std::pair<std::string, std::string>;

constexpr Millis kHour21 = 1'767'906'000'000;  // 2026-01-08T21:00:00Z
constexpr char kD003[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kGpu[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";

// The 65 real events in a Resolver, their newest event time, and the inventory slices of every
// hour they touch committed to a memory store with a raw block carrying that time.
struct RealSample {
  resolve::Resolver resolver;
  std::unique_ptr<store::Store> store;
  Millis newest = 0;
};

void LoadRealSample(RealSample& sample) {
  const std::string file = event::testing::ReadFileOrDie(std::string(NAAP_SHARED_DIR) +
                                                         "/data/livepeer-events-2026-01-08.json");
  std::vector<std::string_view> messages;
  event::JsonArrayElementSpans(file, messages);
  ASSERT_EQ(messages.size(), 65u);
  event::testing::DecoderHarness harness;
  for (std::string_view message : messages) {
    const event::Decoded& d = harness.File(message);
    ASSERT_EQ(d.cls, event::MessageClass::kAccepted);
    sample.newest = std::max(sample.newest, d.event_ts);
    sample.resolver.Add(d);
  }
  const auto changed = sample.resolver.Resolve();
  sample.store = std::move(*store::OpenStore("memory:"));
  store::IngestBatch batch;
  batch.raw_blocks.push_back({.org = "cloudspe",
                              .hour = HourFloor(sample.newest),
                              .min_ts = sample.newest,
                              .max_ts = sample.newest,
                              .count = 1,
                              .payload = "x"});
  const testing::FakeContext ctx(sample.resolver);
  for (const auto& table : InventoryTables()) {
    for (const auto& [org, hour] : changed) {
      std::string rows = table->BuildSlice(ctx, org, hour);
      if (rows.empty()) continue;
      std::string sha = Sha256Hex(rows);
      batch.slices.push_back({std::string(table->name()), org, hour, std::move(rows), sha});
    }
  }
  ASSERT_TRUE(sample.store->Commit(batch).ok());
}

TEST(ViewsRealSampleTest, CurrentOrchestratorGpuAndStreamingModel) {
  RealSample sample;
  ASSERT_NO_FATAL_FAILURE(LoadRealSample(sample));
  Result<std::optional<Millis>> clock = sample.store->DataClock(std::nullopt);
  ASSERT_TRUE(clock.ok());
  ASSERT_EQ(*clock, sample.newest);
  const CurrentWindow window{**clock};
  Result<ObservedInventory> inventory =
      LoadObservedInventory(*sample.store, window.first_hour(), window.last_hour());
  ASSERT_TRUE(inventory.ok()) << inventory.status().ToString();

  const std::vector<CurrentOrchestrator> current = BuildCurrentOrchestrators(*inventory, window);
  ASSERT_EQ(current.size(), 1u);
  const CurrentOrchestrator& o = current[0];
  EXPECT_EQ(o.identity.orch_address, kD003);
  EXPECT_EQ(o.identity.orgs, std::set<std::string>{"cloudspe"});
  EXPECT_EQ(o.identity.version, "0.8.8-3a5678ec-dirty");
  EXPECT_EQ(o.identity.last_seen, 1'767'909'021'590);
  // No enrichment name: the local key, which starts with 0x, so the label is the short address.
  EXPECT_EQ(o.identity.name, "0x52cf2968b3dc6016778742d3539449a6597d5954");
  EXPECT_EQ(o.identity.short_address, "0xd00354...3c7f");
  EXPECT_EQ(o.identity.label, "0xd00354...3c7f");
  EXPECT_EQ(o.gpu_count, 1);
  EXPECT_THAT(o.streaming_models, ElementsAre("streamdiffusion-sdxl-faceid"));
  EXPECT_TRUE(o.pipelines.contains("live-video-to-video"));
  EXPECT_TRUE(
      o.pipeline_model_pairs.contains(Pair{"live-video-to-video", "streamdiffusion-sdxl-faceid"}));
  EXPECT_FALSE(o.raw_capabilities.empty());
  // The data clock is the newest event, later than the snapshot by more than 10 minutes or not.
  EXPECT_EQ(o.is_active, o.identity.last_seen >= sample.newest - kActiveWithinMs);

  const std::vector<CurrentGpu> gpus = BuildCurrentGpuInventory(inventory->offers, window);
  ASSERT_EQ(gpus.size(), 1u);
  EXPECT_EQ(gpus[0].orch_address, kD003);
  EXPECT_EQ(gpus[0].gpu_id, kGpu);
  EXPECT_EQ(gpus[0].gpu_model_name, "NVIDIA GeForce RTX 5090");
  EXPECT_EQ(gpus[0].gpu_memory_bytes_total, 34'190'917'632);
  EXPECT_THAT(gpus[0].models, ElementsAre("streamdiffusion-sdxl-faceid"));

  // A window starting after the snapshot has no current orchestrator.
  EXPECT_THAT(BuildCurrentOrchestrators(*inventory, {1'767'909'021'590 + kDayMs}), IsEmpty());
}

TEST(ViewsRealSampleTest, NewestEventIsTheDataClockAndTheOrchestratorIsActive) {
  RealSample sample;
  ASSERT_NO_FATAL_FAILURE(LoadRealSample(sample));
  // log-64, the last ai_stream_status; the snapshot is 94 020 ms older: within 10 minutes.
  EXPECT_EQ(sample.newest, 1'767'909'115'610);
  Result<ObservedInventory> inventory =
      LoadObservedInventory(*sample.store, kHour21, kHour21, "cloudspe");
  ASSERT_TRUE(inventory.ok());
  const std::vector<CurrentOrchestrator> current =
      BuildCurrentOrchestrators(*inventory, {sample.newest});
  ASSERT_EQ(current.size(), 1u);
  EXPECT_TRUE(current[0].is_active);
  EXPECT_FALSE(BuildCurrentOrchestrators(*inventory, {1'767'909'021'590 + kActiveWithinMs + 1})
                   .at(0)
                   .is_active);
}

TEST(ViewsRealSampleTest, TheOpenStreamIsActiveAndThePaymentSenderIsAGateway) {
  RealSample sample;
  ASSERT_NO_FATAL_FAILURE(LoadRealSample(sample));
  const CurrentWindow window{sample.newest};
  // Six traces without gateway_ingest_stream_closed: not completed.
  const std::vector<ActiveStreamState> active =
      BuildActiveStreamStates(sample.resolver, {"cloudspe"}, window);
  ASSERT_EQ(active.size(), 1u);
  const ActiveStreamState& s = active[0];
  EXPECT_EQ(s.session_key, "cloudspe|stream-o5s73x-mk5zc8fy|db936fab");
  EXPECT_EQ(s.session_start, 1'767'908'945'298);  // gateway_receive_stream_request
  EXPECT_EQ(s.last_seen, 1'767'909'115'610);
  ASSERT_TRUE(s.latest_sample.has_value());
  EXPECT_EQ(s.latest_sample->event_id, "8b35b1b6-38ca-4acb-bc55-84ecc5cb73b5");
  EXPECT_EQ(s.latest_sample->state, "ONLINE");
  EXPECT_EQ(s.orchestrator_address, kD003);
  EXPECT_EQ(s.pipeline_id, "live-video-to-video");
  EXPECT_EQ(s.model_id, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(s.gpu_id, kGpu);
  EXPECT_EQ(s.gateway, "");
  EXPECT_THAT(BuildActiveStreamStates(sample.resolver, {"cloudspe"}, {sample.newest + kDayMs}),
              IsEmpty());

  // Every envelope gateway is empty: the one gateway is the sender of the 6 payments.
  const std::vector<GatewaySighting> gateways =
      BuildGateways(sample.resolver, {"cloudspe"}, kHour21, kHour21);
  ASSERT_EQ(gateways.size(), 1u);
  EXPECT_EQ(gateways[0].gateway, "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b");
  EXPECT_EQ(gateways[0].first_seen, 1'767'908'945'560);
  EXPECT_EQ(gateways[0].last_seen, 1'767'909'113'607);
  EXPECT_EQ(gateways[0].orgs, std::set<std::string>{"cloudspe"});
}

// ---- hand-built rows ----

constexpr Millis kNow = 1'767'920'000'000;  // 2026-01-09T00:53:20Z
constexpr char kA[] = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kB[] = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr char kC[] = "0xcccccccccccccccccccccccccccccccccccccccc";
constexpr char kD[] = "0xdddddddddddddddddddddddddddddddddddddddd";

ObservedOrchestratorRow Orch(std::string org, std::string address, std::string uri,
                             Millis last_seen, std::string event_id, std::string local_key = "",
                             std::string version = "1") {
  ObservedOrchestratorRow row;
  row.window_start = HourFloor(last_seen);
  row.org = std::move(org);
  row.key = {address, uri};
  row.sighting = {last_seen, last_seen, std::move(event_id)};
  row.columns.snapshot_count = 1;
  row.columns.orch_uri = uri;
  row.columns.alias_address = std::move(local_key);
  row.columns.version = std::move(version);
  row.columns.raw_element = "{" + uri + "}";
  return row;
}

const OrchestratorIdentity& IdentityOf(const std::vector<OrchestratorIdentity>& ids,
                                       std::string_view address) {
  auto it = std::find_if(ids.begin(), ids.end(), [&](const OrchestratorIdentity& id) {
    return id.orch_address == address;
  });
  EXPECT_NE(it, ids.end());
  return *it;
}

TEST(OrchestratorIdentityTest, LabelSuffixesNamesSharedCaseInsensitively) {
  const std::vector<OrchestratorIdentity> ids = BuildOrchestratorIdentities({
      Orch("o1", kA, "https://a:1", kNow, "e1", "Alpha"),
      Orch("o1", kB, "https://b:1", kNow, "e2", "alpha"),
      Orch("o1", kC, "https://c:1", kNow, "e3", "Beta"),
      Orch("o1", kD, "https://d:1", kNow, "e4", ""),
  });
  ASSERT_EQ(ids.size(), 4u);
  EXPECT_EQ(IdentityOf(ids, kA).label, "Alpha (0xaaaaaa...aaaa)");
  EXPECT_EQ(IdentityOf(ids, kB).label, "alpha (0xbbbbbb...bbbb)");
  EXPECT_EQ(IdentityOf(ids, kC).label, "Beta");
  EXPECT_EQ(IdentityOf(ids, kD).name, kD);
  EXPECT_EQ(IdentityOf(ids, kD).label, "0xdddddd...dddd");
}

TEST(OrchestratorIdentityTest, LatestRowAcrossOrgsWithUriTieRules) {
  const Millis t = kNow - 5 * kHourMs;
  // A: the later sighting wins whatever its URI; its empty local key keeps the older one.
  // B: one snapshot naming two URIs of equal sighting: the longer URI, then the greater string.
  // C: equal length, so the greater string.
  const std::vector<OrchestratorIdentity> ids = BuildOrchestratorIdentities({
      Orch("o2", kA, "https://a-long-uri:1", t, "e1", "0xlocal1", "1"),
      Orch("o1", kA, "https://a:2", t + 1, "e0", "", "2"),
      Orch("o1", kB, "https://b:1", t, "e5"),
      Orch("o1", kB, "https://bbbb:1", t, "e5"),
      Orch("o1", kC, "https://y:1", t, "e6"),
      Orch("o1", kC, "https://z:1", t, "e6"),
  });
  const OrchestratorIdentity& a = IdentityOf(ids, kA);
  EXPECT_EQ(a.orgs, (std::set<std::string>{"o1", "o2"}));
  EXPECT_EQ(a.orchestrator_uri, "https://a:2");
  EXPECT_EQ(a.version, "2");
  EXPECT_EQ(a.last_seen, t + 1);
  EXPECT_EQ(a.name, "0xlocal1");
  EXPECT_EQ(IdentityOf(ids, kB).orchestrator_uri, "https://bbbb:1");
  EXPECT_EQ(IdentityOf(ids, kC).orchestrator_uri, "https://z:1");
}

TEST(CurrentOrchestratorTest, ActiveAtExactlyTenMinutesAndWindowIsHalfOpen) {
  ObservedInventory inv;
  inv.orchestrators = {
      Orch("o1", kA, "https://a:1", kNow - kActiveWithinMs, "e1"),
      Orch("o1", kB, "https://b:1", kNow - kActiveWithinMs - 1, "e2"),
      Orch("o1", kC, "https://c:1", kNow - kDayMs + 1, "e3"),
      Orch("o1", kD, "https://d:1", kNow - kDayMs, "e4"),  // outside (now − 24 h, now]
  };
  const std::vector<CurrentOrchestrator> current = BuildCurrentOrchestrators(inv, {kNow});
  ASSERT_EQ(current.size(), 3u);
  EXPECT_EQ(current[0].identity.orch_address, kA);
  EXPECT_TRUE(current[0].is_active);
  EXPECT_EQ(current[1].identity.orch_address, kB);
  EXPECT_FALSE(current[1].is_active);
  EXPECT_EQ(current[2].identity.orch_address, kC);
  EXPECT_FALSE(current[2].is_active);
  EXPECT_EQ(current[0].raw_capabilities, "{https://a:1}");
}

ObservedWorkerRow Worker(std::string capability, std::string worker_url, Millis last_seen,
                         std::string event_id, std::string action, std::string model = "m1") {
  ObservedWorkerRow row;
  row.window_start = HourFloor(last_seen);
  row.org = "o1";
  row.key = {std::move(capability), "0xlocal", std::move(worker_url)};
  row.sighting = {last_seen, last_seen, std::move(event_id)};
  row.columns = {.worker_url = row.key.worker_url_norm,
                 .orch_url = "https://a:1",
                 .orchestrator_address = kA,
                 .model = std::move(model),
                 .price_per_unit = 2.5,
                 .lifecycle_action = std::move(action)};
  return row;
}

ObservedOfferRow Offer(std::string org, std::string address, int64_t capability_id,
                       std::string pipeline, std::string model, std::string gpu, Millis last_seen,
                       std::string event_id, std::optional<int64_t> capacity) {
  ObservedOfferRow row;
  row.window_start = HourFloor(last_seen);
  row.org = std::move(org);
  row.key = {address, "https://a:1", capability_id, pipeline, model, std::move(gpu)};
  row.sighting = {last_seen, last_seen, std::move(event_id)};
  const bool live = pipeline == "live-video-to-video";
  row.columns.orch_uri = "https://a:1";
  row.columns.offered_name = row.columns.capability_name = row.columns.canonical_pipeline =
      pipeline;
  row.columns.capability_family = "builtin";
  row.columns.warm = true;
  row.columns.advertised_capacity = capacity;
  row.columns.hardware_present = !row.key.gpu_id.empty();
  row.columns.supports_stream = live;
  row.columns.supports_request = !live;
  return row;
}

TEST(CurrentWorkersTest, UnregisteredWorkerIsNotCurrentButItsCapabilityRegisteredAgainIs) {
  const std::vector<ObservedWorkerRow> rows = {
      Worker("gone", "http://w1", kNow - 3 * kHourMs, "w1", "register"),
      Worker("gone", "http://w1", kNow - 2 * kHourMs, "w2", "unregistered"),
      Worker("back", "http://w2", kNow - 3 * kHourMs, "w3", "unregistered"),
      Worker("back", "http://w2", kNow - 1 * kHourMs, "w4", "register"),
  };
  const std::vector<CurrentWorker> workers = BuildCurrentWorkers(rows, {kNow});
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].key.capability, "back");
  EXPECT_EQ(workers[0].sighting.first_seen, kNow - 3 * kHourMs);
  EXPECT_EQ(workers[0].sighting.last_seen, kNow - 1 * kHourMs);
  EXPECT_EQ(workers[0].sighting.latest_event_id, "w4");

  ObservedInventory inv;
  inv.orchestrators = {Orch("o1", kA, "https://a:1", kNow, "e1")};
  inv.workers = rows;
  const std::vector<CurrentOrchestrator> current = BuildCurrentOrchestrators(inv, {kNow});
  ASSERT_EQ(current.size(), 1u);
  EXPECT_THAT(current[0].request_capability_pairs, ElementsAre(Pair{"back", "m1"}));
  EXPECT_THAT(current[0].pipelines, ElementsAre("back"));
}

ObservedPricingRow Quote(std::optional<int64_t> id, std::optional<std::string> constraint, Millis t,
                         uint64_t price, uint64_t pixels, std::string version = "") {
  ObservedPricingRow row;
  row.window_start = HourFloor(t);
  row.org = "o1";
  row.key = {kA, id, std::move(constraint)};
  row.sighting = {t, t, "p" + std::to_string(t)};
  row.columns.price_per_unit = *Wei::FromU128(price);
  row.columns.pixels_per_unit = *Wei::FromU128(pixels);
  row.columns.capability_version_id = std::move(version);
  return row;
}

TEST(CurrentCapabilityTest, MergesOffersPricesAndAddsWorkersWithoutAnOffer) {
  ObservedInventory inv;
  inv.offers = {
      Offer("o1", kA, 27, "text-to-image", "sd", "", kNow - 2 * kHourMs, "e1", 4),
      Offer("o1", kA, 27, "text-to-image", "sd", "", kNow - 1 * kHourMs, "e2", 2),
      Offer("o1", kA, 37, "byoc-offered", "m1", "", kNow - 1 * kHourMs, "e2", std::nullopt),
  };
  const auto quote = [](auto... args) { return Quote(args...); };
  inv.pricing = {quote(27, "sd", kNow - 2 * kHourMs, 9, 1),
                 quote(27, "sd", kNow - kHourMs, 1000, 4),
                 quote(std::nullopt, std::nullopt, kNow, 7, 1)};
  inv.workers = {Worker("byoc-offered", "http://w1", kNow - kHourMs, "w1", "register"),
                 Worker("byoc-worker", "http://w2", kNow - kHourMs, "w2", "register", "m2")};
  const std::vector<CurrentCapability> caps = BuildCurrentCapabilities(inv, {kNow});
  ASSERT_EQ(caps.size(), 3u);
  const CurrentCapability& sd = caps[0];
  EXPECT_EQ(sd.key.capability_id, 27);
  EXPECT_EQ(sd.sighting.first_seen, kNow - 2 * kHourMs);
  EXPECT_EQ(sd.sighting.last_seen, kNow - kHourMs);
  EXPECT_EQ(sd.columns.advertised_capacity, 2);  // latest attributes …
  EXPECT_EQ(sd.max_advertised_capacity, 4);      // … and the largest capacity advertised
  EXPECT_EQ(sd.price_per_unit, Wei::FromU128(1000));
  EXPECT_EQ(sd.unit_price, 250.0);
  EXPECT_FALSE(sd.from_worker);
  EXPECT_EQ(caps[1].key.pipeline_id, "byoc-offered");
  EXPECT_FALSE(caps[1].from_worker);  // the offer covers the worker
  EXPECT_EQ(caps[2].key.pipeline_id, "byoc-worker");
  EXPECT_EQ(caps[2].key.model_id, "m2");
  EXPECT_EQ(caps[2].key.capability_id, 37);
  EXPECT_TRUE(caps[2].from_worker);
  EXPECT_TRUE(caps[2].columns.supports_request);
  EXPECT_FALSE(caps[2].columns.supports_stream);
  EXPECT_EQ(caps[2].unit_price, std::nullopt);
}

// api.md A6/B38/B39: every quote of the window counts, offered or not; warmth comes from offers.
TEST(CurrentPricesTest, LatestQuotePerKeyWithOrWithoutAnOffer) {
  ObservedInventory inv;
  ObservedOfferRow cold_gpu = Offer("o1", kA, 27, "text-to-image", "gpu-model", "GPU-1",
                                    kNow - kHourMs, "e1", std::nullopt);
  cold_gpu.columns.warm = false;  // hardware-backed: warm for prices all the same
  ObservedOfferRow cold = Offer("o1", kA, 27, "text-to-image", "cold", "", kNow - kHourMs, "e2", 1);
  cold.columns.warm = false;
  inv.offers = {cold_gpu, cold};
  inv.pricing = {
      Quote(27, "gpu-model", kNow - 2 * kHourMs, 5, 1, "v1"),
      Quote(27, "gpu-model", kNow - kHourMs, 6, 1, "v1"),  // newer
      Quote(27, "gpu-model", kNow - kHourMs, 7, 1, "v2"),  // same time, greater version: latest
      Quote(27, "cold", kNow - kHourMs, 8, 2),             // offered, not warm
      Quote(27, "unoffered", kNow - kHourMs, 9, 3),        // no offer at all
      Quote(27, "stale", kNow - kDayMs, 1, 1),             // outside (now − 24 h, now]
      Quote(27, "free", kNow - kHourMs, 0, 1),             // price 0
      Quote(5, "transcoding", kNow - kHourMs, 1, 1),       // no catalog pipeline
      Quote(std::nullopt, std::nullopt, kNow - kHourMs, 1, 1),  // the global price_info row
      Quote(37, "byoc-cap", kNow - kHourMs, 4, 1),
      Quote(37, "byoc-alone", kNow - kHourMs, 3, 1),
  };
  inv.workers = {Worker("byoc-cap", "http://w1", kNow - kHourMs, "w1", "register", "m1"),
                 Worker("byoc-cap", "http://w2", kNow - kHourMs, "w2", "register", "m2")};
  std::vector<std::tuple<std::string, std::string, uint64_t, uint64_t, bool>> got;
  for (const CurrentPrice& p : BuildCurrentPrices(inv, {kNow})) {
    EXPECT_EQ(p.key.orch_address, kA);
    got.emplace_back(p.key.pipeline, p.key.model, static_cast<uint64_t>(p.price_per_unit.value()),
                     static_cast<uint64_t>(p.pixels_per_unit.value()), p.is_warm);
  }
  using Row = std::tuple<std::string, std::string, uint64_t, uint64_t, bool>;
  EXPECT_THAT(got, ElementsAre(Row{"byoc-alone", "byoc-alone", 3, 1, false},
                               Row{"byoc-cap", "m1", 4, 1, true}, Row{"byoc-cap", "m2", 4, 1, true},
                               Row{"text-to-image", "cold", 8, 2, false},
                               Row{"text-to-image", "gpu-model", 7, 1, true},
                               Row{"text-to-image", "unoffered", 9, 3, false}));
  EXPECT_EQ(BuildCurrentPrices(inv, {kNow}).at(3).unit_price, 4.0);
}

// ---- leaderboard ----

OrchStreamStatsRow Stats(std::string address, Millis hour, int64_t sessions, int64_t fps_samples,
                         int64_t fps_sum_milli, int64_t status_samples, int64_t degraded) {
  OrchStreamStatsRow row;
  row.window_start = hour;
  row.org = "o1";
  row.key.orchestrator_address = std::move(address);
  row.key.pipeline_id = "live-video-to-video";
  row.sums.sessions_handled = sessions;
  row.sums.fps_positive_samples = fps_samples;
  row.sums.output_fps_sum_milli = fps_sum_milli;
  row.sums.status_samples = status_samples;
  row.sums.degraded_inference_samples = degraded;
  return row;
}

DiscoveryRow Latency(std::string address, int64_t samples, int64_t sum_ms) {
  DiscoveryRow row;
  row.window_start = kHour21;
  row.org = "o1";
  row.key.orchestrator_address = std::move(address);
  row.sums.appearance_count = samples;
  row.sums.sample_count = samples;
  row.sums.latency_ms_sum_milli = sum_ms * 1000;
  return row;
}

TEST(LeaderboardInputsTest, SumsHoursRanksEligibleAndBreaksTiesByStreams) {
  // A: 12 streams over two hours, fps 20, degraded 1/10, latency 100 ms.
  // B: 20 streams, fps 30, degraded 3/10, latency 300 ms. C: 9 streams (below min_streams 10).
  // Normalised over {A, B}: A is 0 on every dimension, B is 1, so
  // score A = 100 × (0.3·0 + 0.3·1 + 0.2·0 + 0.2·1) = 50 and
  // score B = 100 × (0.3·1 + 0.3·0 + 0.2·1 + 0.2·0) = 50: B ranks first on streams.
  const std::vector<OrchStreamStatsRow> stats = {
      Stats(kA, kHour21, 5, 4, 80'000, 4, 0),     Stats(kA, kHour21 + kHourMs, 7, 6, 120'000, 6, 1),
      Stats(kB, kHour21, 20, 10, 300'000, 10, 3), Stats(kC, kHour21, 9, 10, 100'000, 10, 0),
      Stats("", kHour21, 50, 10, 100'000, 10, 0),
  };
  const std::vector<DiscoveryRow> discovery = {Latency(kA, 2, 200), Latency(kB, 1, 300),
                                               Latency("", 5, 5)};
  const std::vector<OrchestratorIdentity> ids = BuildOrchestratorIdentities(
      {Orch("o1", kA, "https://a:1", kNow - kActiveWithinMs, "e1"),
       Orch("o1", kB, "https://b:1", kNow - kActiveWithinMs - 1, "e2")});
  const std::vector<LeaderboardRow> rows = BuildLeaderboardRows(stats, discovery, ids, kNow);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].input.address, kA);
  EXPECT_EQ(rows[0].input.streams_handled, 12);
  EXPECT_EQ(rows[0].input.avg_inference_fps, 20.0);
  EXPECT_EQ(rows[0].input.degraded_rate, 0.1);
  EXPECT_EQ(rows[0].input.avg_latency_ms, 100.0);
  EXPECT_EQ(rows[0].last_seen, kNow - kActiveWithinMs);
  EXPECT_TRUE(rows[0].is_active);
  EXPECT_FALSE(rows[1].is_active);
  EXPECT_EQ(rows[2].input.address, kC);
  EXPECT_EQ(rows[2].input.avg_latency_ms, std::nullopt);
  EXPECT_EQ(rows[2].last_seen, std::nullopt);

  const std::vector<LeaderboardEntry> ranked =
      RankLeaderboardRows(rows, kDefaultLeaderboardMinStreams, LeaderboardWeights{});
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(rows[ranked[0].input_index].input.address, kB);
  EXPECT_EQ(ranked[0].rank, 1);
  EXPECT_NEAR(ranked[0].score, 50.0, 1e-9);
  EXPECT_EQ(rows[ranked[1].input_index].input.address, kA);
  EXPECT_EQ(ranked[1].rank, 2);
  EXPECT_NEAR(ranked[1].score, 50.0, 1e-9);
  EXPECT_EQ(RankLeaderboardRows(rows, 9, LeaderboardWeights{}).size(), 3u);
}

TEST(ViewsLoadTest, LeaderboardRowsReadBackFromStoredSlices) {
  auto store = std::move(*store::OpenStore("memory:"));
  const std::vector<OrchStreamStatsRow> hour21 = {Stats(kA, kHour21, 5, 4, 80'000, 4, 0)};
  const std::vector<DiscoveryRow> latency = {Latency(kA, 2, 200)};
  store::IngestBatch batch;
  std::string stats_rows = EncodeOrchStreamStatsRows(hour21);
  std::string latency_rows = EncodeRequestRows(latency);
  batch.slices = {{kOrchStreamStatsTable, "o1", kHour21, stats_rows, Sha256Hex(stats_rows)},
                  {kDiscoveryLatencyTable, "o1", kHour21, latency_rows, Sha256Hex(latency_rows)}};
  ASSERT_TRUE(store->Commit(batch).ok());
  Result<std::vector<OrchStreamStatsRow>> stats = LoadOrchStreamStats(*store, kHour21, kHour21);
  ASSERT_TRUE(stats.ok());
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_EQ((*stats)[0].sums.sessions_handled, 5);
  EXPECT_THAT(*LoadOrchStreamStats(*store, kHour21, kHour21, "other"), IsEmpty());
  Result<std::vector<DiscoveryRow>> loaded = LoadDiscoveryLatency(*store, kHour21, kHour21, "o1");
  ASSERT_TRUE(loaded.ok());
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ((*loaded)[0].sums.latency_ms_sum_milli, 200'000);
}

TEST(ShortAddressTest, FirstEightDotsLastFour) {
  EXPECT_EQ(ShortAddress(kD003), "0xd00354...3c7f");
  EXPECT_EQ(ShortAddress("gateway-1"), "gateway-1");
}

}  // namespace
}  // namespace naap::publish
