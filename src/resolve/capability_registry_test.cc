// Written by the registry area.
#include "resolve/capability_registry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "base/hash.h"
#include "event/catalog.h"
#include "event/json_span.h"
#include "event/test_util.h"

namespace naap::resolve {
namespace {

using event::CapabilityOffer;
using event::CapabilitySnapshot;
using event::HardwareRow;

constexpr Millis kMinute = 60'000;
constexpr Millis kSecond = 1'000;
const Millis kDay0310 = DaysFromCivil(2026, 3, 10) * kDayMs;

// §9.1 / §9.2 identities.
constexpr char kAddrD003[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kLocal52cf[] = "0x52cf2968b3dc6016778742d3539449a6597d5954";
constexpr char kUriRtav[] = "https://rtav-orch2.xodeapp.xyz:28935";
constexpr char kGpu5090[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";
constexpr char kLv2v[] = "live-video-to-video";
constexpr char kFaceId[] = "streamdiffusion-sdxl-faceid";

event::RecordHeader Header(std::string_view event_id, Millis ts,
                           std::string_view org = "cloudspe") {
  event::RecordHeader h;
  h.org = org;
  h.event_id = event_id;
  h.event_ts = ts;
  h.family = "network_capabilities";
  return h;
}

CapabilitySnapshot Orch(std::string_view address, std::string_view alias, std::string_view uri) {
  CapabilitySnapshot s;
  s.orch_address = address;
  s.orch_local_address = alias;
  s.alias_address = alias;
  s.orch_uri = uri;
  s.orch_uri_norm = uri;
  s.version = "0.8.8-3a5678ec-dirty";
  s.raw_element = "{}";
  return s;
}

CapabilityOffer Offer(int id, std::string_view model, std::optional<bool> warm,
                      std::optional<int64_t> capacity, std::string_view runner = "",
                      std::optional<int64_t> in_use = std::nullopt) {
  CapabilityOffer o;
  o.capability_id = id;
  o.canonical_pipeline = event::CatalogPipeline(id);
  o.model_id = model;
  o.warm = warm;
  o.capacity = capacity;
  o.capacity_in_use = in_use;
  o.runner_version = runner;
  return o;
}

HardwareRow Gpu(std::string_view pipeline, std::string_view model, std::string_view gpu_id,
                std::string_view name = "NVIDIA GeForce RTX 5090", int64_t total = 34190917632,
                std::optional<int64_t> free = 33595981824) {
  HardwareRow h;
  h.offered_name = pipeline;
  h.capability_id = event::CapabilityIdForOfferedName(pipeline);
  h.canonical_pipeline = event::CatalogPipeline(h.capability_id);
  h.model_id = model;
  h.hardware_present = true;
  h.gpu_slot = 0;
  h.gpu_id = gpu_id;
  h.gpu_model_name = std::string(name);
  h.gpu_memory_bytes_total = total;
  h.gpu_memory_bytes_free = free;
  return h;
}

HardwareRow NoGpu(std::string_view pipeline, std::string_view model) {
  HardwareRow h;
  h.offered_name = pipeline;
  h.capability_id = event::CapabilityIdForOfferedName(pipeline);
  h.canonical_pipeline = event::CatalogPipeline(h.capability_id);
  h.model_id = model;
  return h;
}

// The §9.1 E1 snapshot.
CapabilitySnapshot FaceIdSnapshot(std::optional<int64_t> in_use = 1,
                                  std::optional<int64_t> free = 33595981824) {
  CapabilitySnapshot s = Orch(kAddrD003, kLocal52cf, kUriRtav);
  s.offers.push_back(Offer(35, kFaceId, true, std::nullopt, "0.14.0", in_use));
  event::CapabilityPrice p;
  p.capability_id = 35;
  p.constraint = kFaceId;
  p.price_per_unit = *Wei::FromU128(1618);
  p.pixels_per_unit = *Wei::FromU128(1);
  s.prices.push_back(p);
  s.hardware.push_back(Gpu(kLv2v, kFaceId, kGpu5090, "NVIDIA GeForce RTX 5090", 34190917632, free));
  return s;
}

MatchRequest Request(Millis ts, std::string_view url, std::string_view address,
                     std::string_view pipeline = "", std::string_view model = "",
                     std::string_view org = "cloudspe") {
  MatchRequest r;
  r.org = org;
  r.ts = ts;
  r.observed_url = url;
  r.observed_address = address;
  r.hint_pipeline = pipeline;
  r.hint_model = model;
  return r;
}

const CapabilityVersion& OnlyVersion(const CapabilityRegistry& reg, const ChainKey& key) {
  const CapabilityChain* chain = reg.FindChain(key);
  EXPECT_NE(chain, nullptr);
  EXPECT_EQ(chain->versions.size(), 1u);
  return chain->versions.at(0);
}

void ExpectOutcome(const Decision& d, std::string_view status, std::string_view reason,
                   std::string_view method, std::string_view confidence) {
  EXPECT_EQ(d.status, status);
  EXPECT_EQ(d.reason, reason);
  EXPECT_EQ(d.method, method);
  EXPECT_EQ(d.confidence, confidence);
}

TEST(CapabilityRegistry, WorkedExample91ExactMatch) {
  CapabilityRegistry reg;
  const Millis e1 = kDay0310 + 14 * kHourMs + 59 * kMinute;
  SnapshotAddResult added = reg.Add(Header("e1", e1), FaceIdSnapshot());
  EXPECT_TRUE(added.added);
  EXPECT_TRUE(added.versions_changed);
  EXPECT_EQ(added.chain, (ChainKey{"cloudspe", kAddrD003, kUriRtav}));

  const CapabilityVersion& v = OnlyVersion(reg, added.chain);
  const std::string digest = CapabilityRegistry::ContentDigest(FaceIdSnapshot());
  EXPECT_EQ(v.capability_version_id, Hid({"cloudspe", kAddrD003, kUriRtav, "e1", digest}));
  EXPECT_EQ(v.valid_from, e1);
  EXPECT_FALSE(v.valid_to.has_value());
  ASSERT_EQ(v.intervals.size(), 1u);
  EXPECT_EQ(v.intervals[0].interval_id, Hid({v.capability_version_id, kLv2v, kFaceId, kGpu5090}));

  // E4 at 14:59:22 with the local key and the URI; hints from E8.
  Decision d = reg.Match(Request(e1 + 22 * kSecond, kUriRtav, kLocal52cf, kLv2v, kFaceId));
  ExpectOutcome(d, "resolved", "matched", "uri_interval_exact", "high");
  EXPECT_EQ(d.capability_version_id, v.capability_version_id);
  EXPECT_EQ(d.attribution_snapshot_ts, e1);
  EXPECT_EQ(d.attributed_orch_address, kAddrD003);
  EXPECT_EQ(d.attributed_orch_uri, kUriRtav);
  EXPECT_EQ(d.pipeline, kLv2v);
  EXPECT_EQ(d.model, kFaceId);
  EXPECT_EQ(d.gpu_id, kGpu5090);
  EXPECT_EQ(d.gpu_model_name, "NVIDIA GeForce RTX 5090");
  EXPECT_EQ(d.gpu_memory_bytes_total, 34190917632);
  EXPECT_EQ(d.runner_version, "0.14.0");
  EXPECT_TRUE(d.HasIdentity());

  // At exactly valid_from → exact; another org sees nothing.
  EXPECT_EQ(reg.Match(Request(e1, kUriRtav, "")).method, "uri_interval_exact");
  EXPECT_EQ(reg.Match(Request(e1 + kSecond, kUriRtav, "", "", "", "daydream")), Decision{});
}

TEST(CapabilityRegistry, SampleFileSnapshotAfterAnchorIsFirstAfter) {
  CapabilityRegistry reg;
  const Millis anchor = 1767908947583;
  reg.Add(Header("e89def1c", 1767909021590), FaceIdSnapshot());  // 74.007 s later
  Decision d = reg.Match(Request(anchor, kUriRtav, kLocal52cf, kLv2v, kFaceId));
  ExpectOutcome(d, "resolved", "matched_first_snapshot", "uri_interval_first_after", "medium");
  EXPECT_EQ(d.attributed_orch_address, kAddrD003);
  EXPECT_EQ(d.gpu_id, kGpu5090);
  // Beyond the 10 min first-after horizon: nothing, for the URI and for the alias.
  Decision none = reg.Match(Request(1767909021590 - 10 * kMinute - 1, kUriRtav, kLocal52cf));
  ExpectOutcome(none, "unresolved", "missing_candidate", "none", "low");
}

TEST(CapabilityRegistry, SampleEventsFileThroughDecoder) {
  std::string file = event::testing::ReadFileOrDie(std::string(NAAP_SHARED_DIR) +
                                                   "/data/livepeer-events-2026-01-08.json");
  std::vector<std::string_view> messages;
  event::JsonArrayElementSpans(file, messages);
  event::testing::DecoderHarness h;
  CapabilityRegistry reg;
  std::optional<std::pair<Millis, std::string>> anchor;  // first trace with an orchestrator URL
  std::string anchor_address;
  for (std::string_view message : messages) {
    const event::Decoded& d = h.File(message);
    for (const auto& snap : d.records.capability_snapshots)
      EXPECT_TRUE(reg.Add(d.records.header, snap).added);
    for (const auto& t : d.records.stream_traces) {
      if (t.orch.orch_url_norm.empty()) continue;
      auto key = std::make_pair(d.records.header.event_ts, d.records.header.event_id);
      if (!anchor || key < *anchor) {
        anchor = key;
        anchor_address = t.orch.orch_reported_address;
      }
    }
  }
  const CapabilityVersion& v = OnlyVersion(reg, {"cloudspe", kAddrD003, kUriRtav});
  ASSERT_EQ(v.intervals.size(), 1u);
  EXPECT_EQ(v.intervals[0].pipeline, kLv2v);
  EXPECT_EQ(v.intervals[0].model, kFaceId);
  EXPECT_EQ(v.intervals[0].gpu_model_name, "NVIDIA GeForce RTX 5090");
  EXPECT_EQ(v.intervals[0].gpu_memory_bytes_total, 34190917632);
  EXPECT_EQ(v.capacity_in_use, (std::vector<std::optional<int64_t>>{1}));
  EXPECT_EQ(v.gpu_memory_bytes_free, (std::vector<std::optional<int64_t>>{33595981824}));
  ASSERT_TRUE(anchor.has_value());
  EXPECT_EQ(anchor->first, 1767908947583);
  EXPECT_EQ(reg.snapshot_count(), 1u);
  Decision d = reg.Match(Request(anchor->first, kUriRtav, anchor_address, kLv2v, kFaceId));
  ExpectOutcome(d, "resolved", "matched_first_snapshot", "uri_interval_first_after", "medium");
  EXPECT_EQ(d.attributed_orch_address, kAddrD003);
  EXPECT_EQ(d.gpu_id, kGpu5090);
  EXPECT_EQ(d.gpu_model_name, "NVIDIA GeForce RTX 5090");
  EXPECT_EQ(d.runner_version, "0.14.0");
}

TEST(CapabilityRegistry, WorkedExample92FutureSkew) {
  constexpr char kA[] = "0xaaaa000000000000000000000000000000000001";
  constexpr char kAl[] = "0xaaaa0000000000000000000000000000000000f1";
  constexpr char kB[] = "0xbbbb000000000000000000000000000000000002";
  constexpr char kBl[] = "0xbbbb0000000000000000000000000000000000f2";
  constexpr char kUriA[] = "https://orch-a.example.com:8935";
  constexpr char kUriB[] = "https://orch-b.example.com:8935";
  constexpr char kSdxl[] = "streamdiffusion-sdxl";
  const Millis t10 = kDay0310 + 10 * kHourMs;
  CapabilityRegistry reg;
  CapabilitySnapshot a = Orch(kA, kAl, kUriA);
  a.offers.push_back(Offer(35, kSdxl, true, 1));
  a.hardware.push_back(Gpu(kLv2v, kSdxl, "GPU-aaaaaaaa-0000-0000-0000-000000000001"));
  reg.Add(Header("f1", t10 - 20 * kSecond, "daydream"), a);

  Decision s1 = reg.Match(Request(t10 + 2 * kSecond, kUriA, kAl, kLv2v, kSdxl, "daydream"));
  ExpectOutcome(s1, "resolved", "matched", "uri_interval_exact", "high");
  Decision s2 = reg.Match(Request(t10 + 25 * kSecond, kUriA, kAl, kLv2v, kSdxl, "daydream"));
  EXPECT_EQ(s1, s2);
  const MatchRequest s3 = Request(t10 + 35 * kSecond, kUriB, kBl, kLv2v, kSdxl, "daydream");
  ExpectOutcome(reg.Match(s3), "unresolved", "missing_candidate", "none", "low");

  CapabilitySnapshot b = Orch(kB, kBl, kUriB);
  b.offers.push_back(Offer(35, kSdxl, true, 1));
  b.hardware.push_back(
      Gpu(kLv2v, kSdxl, "GPU-bbbbbbbb-0000-0000-0000-000000000002", "NVIDIA L40S", 48305799168));
  reg.Add(Header("f11", t10 + 50 * kSecond, "daydream"), b);
  Decision d = reg.Match(s3);  // B's version starts 15 s after S3
  ExpectOutcome(d, "resolved", "future_skew", "uri_interval_future", "high");
  EXPECT_EQ(d.attributed_orch_address, kB);
  EXPECT_EQ(d.gpu_id, "GPU-bbbbbbbb-0000-0000-0000-000000000002");
  EXPECT_EQ(d.gpu_model_name, "NVIDIA L40S");
  // 31 s ahead is beyond the future tolerance; B has no earlier version → first_after.
  Decision later = reg.Match(Request(t10 + 19 * kSecond, kUriB, kBl, kLv2v, kSdxl, "daydream"));
  ExpectOutcome(later, "resolved", "matched_first_snapshot", "uri_interval_first_after", "medium");
}

TEST(CapabilityRegistry, PriorWhenAliasChangedAndStaleByAge) {
  constexpr char kAddr[] = "0x1111111111111111111111111111111111111111";
  constexpr char kK1[] = "0x00000000000000000000000000000000000000a1";
  constexpr char kK2[] = "0x00000000000000000000000000000000000000a2";
  constexpr char kUri[] = "https://o.example.com:8935";
  const Millis t0 = kDay0310;
  CapabilityRegistry reg;
  CapabilitySnapshot v1 = Orch(kAddr, kK1, kUri);
  v1.hardware.push_back(Gpu(kLv2v, kFaceId, "GPU-1"));
  CapabilitySnapshot v2 = v1;
  v2.alias_address = kK2;
  reg.Add(Header("s1", t0), v1);
  reg.Add(Header("s2", t0 + kMinute), v2);
  const CapabilityChain* chain = reg.FindChain({"cloudspe", kAddr, kUri});
  ASSERT_EQ(chain->versions.size(), 2u);
  EXPECT_EQ(chain->versions[0].valid_to, t0 + kMinute);
  EXPECT_EQ(chain->alias_addresses, (std::set<std::string>{kK1, kK2}));

  // The old alias: its version ended at t0 + 1 min; sighting age 2 min → prior.
  Decision prior = reg.Match(Request(t0 + 2 * kMinute, "", kK1));
  ExpectOutcome(prior, "resolved", "matched_prior", "alias_interval_prior", "high");
  EXPECT_EQ(prior.capability_version_id, chain->versions[0].capability_version_id);
  EXPECT_EQ(prior.attributed_orch_address, kAddr);
  // The on-chain address: the current version, age 1 min → exact (address beats alias).
  Decision by_address = reg.Match(Request(t0 + 2 * kMinute, "", kAddr));
  ExpectOutcome(by_address, "resolved", "matched", "address_interval_exact", "high");
  EXPECT_EQ(by_address.capability_version_id, chain->versions[1].capability_version_id);
  // Ended version, age 15 min → stale (GPU kept); in force, age 11 min → stale.
  Decision stale = reg.Match(Request(t0 + 15 * kMinute, "", kK1));
  ExpectOutcome(stale, "stale", "stale_candidate", "alias_interval_stale", "medium");
  EXPECT_EQ(stale.gpu_id, "GPU-1");
  EXPECT_TRUE(stale.HasIdentity());
  ExpectOutcome(reg.Match(Request(t0 + 12 * kMinute, kUri, "")), "stale", "stale_candidate",
                "uri_interval_stale", "medium");
  // Exactly 24 h after the last sighting is still stale; 1 ms more is nothing.
  EXPECT_EQ(reg.Match(Request(t0 + kMinute + kDayMs, kUri, "")).status, "stale");
  ExpectOutcome(reg.Match(Request(t0 + kMinute + kDayMs + 1, kUri, "")), "unresolved",
                "missing_candidate", "none", "low");
  // A re-sighting refreshes the age: last sighting at +9 min, ts +18 min → exact.
  reg.Add(Header("s3", t0 + 9 * kMinute), v2);
  EXPECT_EQ(reg.Match(Request(t0 + 18 * kMinute, kUri, "")).method, "uri_interval_exact");
}

TEST(CapabilityRegistry, ConfigurableHorizons) {
  MatchHorizons h;
  h.exact_ms = kMinute;
  h.stale_ms = 2 * kMinute;
  h.future_ms = kSecond;
  h.first_after_ms = 5 * kSecond;
  CapabilityRegistry reg(h);
  reg.Add(Header("e1", kDay0310), FaceIdSnapshot());
  EXPECT_EQ(reg.Match(Request(kDay0310 + 61 * kSecond, kUriRtav, "")).status, "stale");
  EXPECT_EQ(reg.Match(Request(kDay0310 + 121 * kSecond, kUriRtav, "")).status, "unresolved");
  EXPECT_EQ(reg.Match(Request(kDay0310 - 2 * kSecond, kUriRtav, "")).method,
            "uri_interval_first_after");
  EXPECT_EQ(reg.Match(Request(kDay0310 - 6 * kSecond, kUriRtav, "")).status, "unresolved");
}

TEST(CapabilityRegistry, MissingUriReasons) {
  CapabilityRegistry reg;
  reg.Add(Header("e1", kDay0310), FaceIdSnapshot());
  const Millis ts = kDay0310 + kMinute;
  constexpr char kOtherUri[] = "https://elsewhere.example.com:8935";
  ExpectOutcome(reg.Match(Request(ts, kOtherUri, kLocal52cf)), "unresolved",
                "missing_uri_snapshot_local_alias_present", "none", "low");
  ExpectOutcome(reg.Match(Request(ts, kOtherUri, kAddrD003)), "unresolved",
                "missing_uri_snapshot_address_match_present", "none", "low");
  EXPECT_EQ(reg.Match(Request(ts, kOtherUri, "0x9999999999999999999999999999999999999999")).reason,
            "missing_candidate");
  EXPECT_EQ(reg.Match(Request(ts, "", "0x9999999999999999999999999999999999999999")).reason,
            "missing_candidate");
  EXPECT_EQ(reg.Match(Request(ts, "", "")).reason, "missing_candidate");
  // Without a URL the address is used: the alias matches.
  EXPECT_EQ(reg.Match(Request(ts, "", kLocal52cf)).method, "alias_interval_exact");
}

TEST(CapabilityRegistry, AmbiguityAcrossOrchestratorsButNotAcrossUrisOfOne) {
  constexpr char kOther[] = "0x5263e0ce3a97b634d8828ce4337ad0f70b30b077";
  CapabilityRegistry reg;
  reg.Add(Header("e1", kDay0310), FaceIdSnapshot());
  CapabilitySnapshot other = FaceIdSnapshot();  // one local key serving two on-chain orchestrators
  other.orch_address = kOther;
  other.orch_uri = other.orch_uri_norm = "https://livepeer-ai.compute-node.xyz:19935";
  reg.Add(Header("e2", kDay0310 + kSecond), other);
  ExpectOutcome(reg.Match(Request(kDay0310 + kMinute, "", kLocal52cf, kLv2v, kFaceId)), "ambiguous",
                "ambiguous_candidates", "ambiguous", "low");
  EXPECT_EQ(reg.Match(Request(kDay0310 + kMinute, "", kLocal52cf, kLv2v, kFaceId))
                .attributed_orch_address,
            "");

  // Two URIs of 0xd003 offering the same surface: one surface; the latest valid_from is chosen.
  CapabilitySnapshot second_uri = FaceIdSnapshot();
  second_uri.orch_uri = second_uri.orch_uri_norm = "https://livepeer-ai.xodeapp.xyz:18935";
  reg.Add(Header("e3", kDay0310 + 2 * kSecond), second_uri);
  Decision d = reg.Match(Request(kDay0310 + kMinute, "", kAddrD003, kLv2v, kFaceId));
  ExpectOutcome(d, "resolved", "matched", "address_interval_exact", "high");
  EXPECT_EQ(d.attributed_orch_uri, "https://livepeer-ai.xodeapp.xyz:18935");
  EXPECT_EQ(d.gpu_id, kGpu5090);  // one gpu_id across the candidates: no collapse

  // Different surfaces of one orchestrator: ambiguous for streams, one surface for `identity`.
  CapabilitySnapshot llm = FaceIdSnapshot();
  llm.orch_uri = llm.orch_uri_norm = "https://llm.xodeapp.xyz:18935";
  llm.hardware = {NoGpu("llm", "meta-llama/Meta-Llama-3.1-8B-Instruct")};
  reg.Add(Header("e4", kDay0310 + 3 * kSecond), llm);
  EXPECT_EQ(reg.Match(Request(kDay0310 + kMinute, "", kAddrD003)).status, "ambiguous");
  MatchRequest identity = Request(kDay0310 + kMinute, "", kAddrD003);
  identity.kind = MatchKind::kIdentity;
  Decision id = reg.Match(identity);
  ExpectOutcome(id, "hardware_less", "matched_without_hardware", "address_interval_exact", "high");
  EXPECT_EQ(id.attributed_orch_uri, "https://llm.xodeapp.xyz:18935");  // latest valid_from first
}

TEST(CapabilityRegistry, CompatibilityFilterAndFallback) {
  CapabilityRegistry reg;
  CapabilitySnapshot s = Orch(kAddrD003, "", kUriRtav);
  s.hardware.push_back(Gpu(kLv2v, "model-a", "GPU-A"));
  s.hardware.push_back(Gpu(kLv2v, "model-b", "GPU-B"));
  s.hardware.push_back(NoGpu("openai-chat-completions", "llama-3"));
  reg.Add(Header("e1", kDay0310), s);
  const Millis ts = kDay0310 + kMinute;
  Decision b = reg.Match(Request(ts, kUriRtav, "", "LIVE-video-to-video", "Model-B"));
  ExpectOutcome(b, "resolved", "matched", "uri_interval_exact", "high");
  EXPECT_EQ(b.gpu_id, "GPU-B");
  EXPECT_EQ(b.model, "model-b");
  // Nothing compatible → all kept → three surfaces → ambiguous; pipeline alone leaves two.
  EXPECT_EQ(reg.Match(Request(ts, kUriRtav, "", kLv2v, "unknown")).status, "ambiguous");
  EXPECT_EQ(reg.Match(Request(ts, kUriRtav, "", kLv2v, "")).status, "ambiguous");
  // BYOC: capability against the offered name (ci), then the worker model.
  MatchRequest byoc = Request(ts, kUriRtav, "");
  byoc.kind = MatchKind::kByoc;
  byoc.capability = "OpenAI-Chat-Completions";
  byoc.worker_model = "llama-3";
  Decision d = reg.Match(byoc);
  ExpectOutcome(d, "hardware_less", "matched_without_hardware", "uri_interval_exact", "high");
  EXPECT_EQ(d.pipeline, "openai-chat-completions");
  EXPECT_EQ(d.gpu_id, "");
}

TEST(CapabilityRegistry, TemplatePathOneHardwareThenUncoveredOffers) {
  CapabilityRegistry reg;
  CapabilitySnapshot s = FaceIdSnapshot();
  s.hardware.push_back(NoGpu("llm", "meta-llama/Meta-Llama-3.1-8B-Instruct"));
  s.offers.push_back(Offer(27, "stabilityai/sd-turbo", true, 2, "0.13.11-a201f99d"));
  s.offers.push_back(
      Offer(33, "Meta-Llama/Meta-Llama-3.1-8B-Instruct", true, 4, "0.9.0"));  // covered (ci)
  s.offers.push_back(Offer(37, "byoc-thing", true, 1));
  SnapshotAddResult r = reg.Add(Header("e1", kDay0310), s);
  const CapabilityVersion& v = OnlyVersion(reg, r.chain);
  ASSERT_EQ(v.intervals.size(), 3u);
  // Hardware rows in canonical (serialised) order, then the uncovered builtin offers.
  EXPECT_EQ(v.intervals[0].pipeline, kLv2v);
  EXPECT_TRUE(v.intervals[0].hardware_present);
  EXPECT_EQ(v.intervals[0].gpu_memory_bytes_total, 34190917632);
  EXPECT_EQ(v.intervals[0].runner_version, "0.14.0");
  EXPECT_EQ(v.intervals[1].pipeline, "llm");
  EXPECT_EQ(v.intervals[1].model, "meta-llama/Meta-Llama-3.1-8B-Instruct");
  EXPECT_FALSE(v.intervals[1].hardware_present);
  EXPECT_EQ(v.intervals[1].runner_version, "0.9.0");
  EXPECT_EQ(v.intervals[2].pipeline, "text-to-image");
  EXPECT_EQ(v.intervals[2].model, "stabilityai/sd-turbo");
  EXPECT_FALSE(v.intervals[2].hardware_present);
  EXPECT_EQ(v.intervals[2].runner_version, "0.13.11-a201f99d");
  EXPECT_EQ(v.intervals[2].interval_id,
            Hid({v.capability_version_id, "text-to-image", "stabilityai/sd-turbo", ""}));
}

TEST(CapabilityRegistry, TemplatePathTwoOrderAndPathThreePlaceholder) {
  CapabilityRegistry reg;
  CapabilitySnapshot s = Orch(kAddrD003, "", kUriRtav);
  s.offers.push_back(Offer(27, "model-z", false, 50));
  s.offers.push_back(Offer(27, "model-a", true, 1));
  s.offers.push_back(Offer(33, "model-b", true, 4));
  s.offers.push_back(Offer(28, "model-c", true, std::nullopt));
  s.offers.push_back(Offer(29, "model-d", true, 4));
  s.offers.push_back(Offer(37, "byoc-thing", true, 9));
  SnapshotAddResult r = reg.Add(Header("e1", kDay0310), s);
  std::vector<std::pair<std::string, std::string>> templates;
  for (const auto& i : OnlyVersion(reg, r.chain).intervals) {
    EXPECT_FALSE(i.hardware_present);
    templates.emplace_back(i.pipeline, i.model);
  }
  EXPECT_EQ(templates,
            (std::vector<std::pair<std::string, std::string>>{{"llm", "model-b"},
                                                              {"image-to-video", "model-d"},
                                                              {"text-to-image", "model-a"},
                                                              {"image-to-image", "model-c"},
                                                              {"text-to-image", "model-z"}}));

  CapabilitySnapshot bare =
      Orch("0x2222222222222222222222222222222222222222", "", "https://bare.example.com:8935");
  bare.offers.push_back(Offer(37, "byoc-thing", true, 9));
  r = reg.Add(Header("e2", kDay0310), bare);
  const CapabilityVersion& v = OnlyVersion(reg, r.chain);
  ASSERT_EQ(v.intervals.size(), 1u);
  EXPECT_EQ(v.intervals[0].pipeline, "");
  EXPECT_EQ(v.intervals[0].model, "");
  EXPECT_EQ(v.intervals[0].interval_id, Hid({v.capability_version_id, "", "", ""}));
  Decision d =
      reg.Match(Request(kDay0310 + kSecond, "https://bare.example.com:8935", "", kLv2v, kFaceId));
  ExpectOutcome(d, "hardware_less", "matched_without_hardware", "uri_interval_exact", "high");
  EXPECT_EQ(d.pipeline, "");
  EXPECT_EQ(d.attributed_orch_address, "0x2222222222222222222222222222222222222222");
}

TEST(CapabilityRegistry, MultiGpuCollapse) {
  CapabilityRegistry reg;
  CapabilitySnapshot s = FaceIdSnapshot();
  HardwareRow second = Gpu(kLv2v, kFaceId, "GPU-second");
  second.gpu_slot = 1;
  s.hardware.push_back(second);
  reg.Add(Header("e1", kDay0310), s);
  Decision d = reg.Match(Request(kDay0310 + kSecond, kUriRtav, "", kLv2v, kFaceId));
  ExpectOutcome(d, "resolved", "matched", "uri_interval_exact", "high");
  EXPECT_EQ(d.pipeline, kLv2v);
  EXPECT_EQ(d.model, kFaceId);
  EXPECT_EQ(d.gpu_id, "");
  EXPECT_EQ(d.gpu_model_name, "");
  EXPECT_FALSE(d.gpu_memory_bytes_total.has_value());
  EXPECT_EQ(d.runner_version, "");
  EXPECT_FALSE(d.capability_version_id.empty());
}

TEST(CapabilityRegistry, ReannouncedAndVolatileOnlyChangesAreSightings) {
  CapabilityRegistry reg;
  SnapshotAddResult first = reg.Add(Header("e1", kDay0310), FaceIdSnapshot(1, 100));
  SnapshotAddResult same = reg.Add(Header("e2", kDay0310 + 24 * kSecond), FaceIdSnapshot(1, 100));
  SnapshotAddResult volatile_only =
      reg.Add(Header("e3", kDay0310 + 48 * kSecond), FaceIdSnapshot(2, 200));
  EXPECT_TRUE(first.versions_changed);
  EXPECT_TRUE(same.added);
  EXPECT_FALSE(same.versions_changed);
  EXPECT_FALSE(volatile_only.versions_changed);
  EXPECT_EQ(CapabilityRegistry::ContentDigest(FaceIdSnapshot(1, 100)),
            CapabilityRegistry::ContentDigest(FaceIdSnapshot(std::nullopt, std::nullopt)));
  const CapabilityVersion& v = OnlyVersion(reg, first.chain);
  EXPECT_EQ(v.first_event_id, "e1");
  EXPECT_EQ(v.sightings,
            (GapVector<Millis>{kDay0310, kDay0310 + 24 * kSecond, kDay0310 + 48 * kSecond}));
  EXPECT_EQ(v.capacity_in_use, (std::vector<std::optional<int64_t>>{2}));
  EXPECT_EQ(v.gpu_memory_bytes_free, (std::vector<std::optional<int64_t>>{200}));
  EXPECT_FALSE(v.content->offers[0].capacity_in_use.has_value());

  // A price change is a new version.
  CapabilitySnapshot repriced = FaceIdSnapshot();
  repriced.prices[0].price_per_unit = *Wei::FromU128(1700);
  SnapshotAddResult r = reg.Add(Header("e4", kDay0310 + 72 * kSecond), repriced);
  EXPECT_TRUE(r.versions_changed);
  EXPECT_EQ(reg.FindChain(r.chain)->versions.size(), 2u);
}

TEST(CapabilityRegistry, LateSnapshotInsertedInOrderIndependentOfArrival) {
  // Two contents (d1, d2), each seen twice with other volatile values.
  CapabilitySnapshot d1 = FaceIdSnapshot(1, 100);
  CapabilitySnapshot d1_later = FaceIdSnapshot(5, 500);
  CapabilitySnapshot d2 = FaceIdSnapshot(3, 300);
  d2.version = "0.8.9";
  CapabilitySnapshot d2_later = FaceIdSnapshot(4, 400);
  d2_later.version = "0.8.9";
  const std::vector<std::tuple<std::string, Millis, const CapabilitySnapshot*>> in_order = {
      {"s1", kDay0310, &d1},
      {"s15", kDay0310 + kMinute / 2, &d1},
      {"s2", kDay0310 + kMinute, &d1_later},
      {"s3", kDay0310 + 2 * kMinute, &d2},
      {"s4", kDay0310 + 3 * kMinute, &d2_later},
      {"s5", kDay0310 + 4 * kMinute, &d2_later}};
  CapabilityRegistry late;
  late.Add(Header("s1", kDay0310), d1);
  late.Add(Header("s4", kDay0310 + 3 * kMinute), d2_later);
  const ChainKey key{"cloudspe", kAddrD003, kUriRtav};
  ASSERT_EQ(late.FindChain(key)->versions.size(), 2u);
  EXPECT_EQ(late.FindChain(key)->versions[0].valid_to, kDay0310 + 3 * kMinute);
  // s3 (content d2) arrives late: the d2 version now starts at s3 and the d1 version ends there.
  SnapshotAddResult r = late.Add(Header("s3", kDay0310 + 2 * kMinute), d2);
  EXPECT_TRUE(r.versions_changed);
  const auto& versions = late.FindChain(key)->versions;
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].valid_to, kDay0310 + 2 * kMinute);
  EXPECT_EQ(versions[1].first_event_id, "s3");
  EXPECT_EQ(versions[1].valid_from, kDay0310 + 2 * kMinute);
  EXPECT_FALSE(r.next_sighting.has_value());  // versions changed: any later match can
  // s2 (content d1) arrives late inside the d1 version: a sighting only, the version's last, so
  // it is the latest sighting of every later match of the ended version (prior, stale).
  const SnapshotAddResult s2 = late.Add(Header("s2", kDay0310 + kMinute), d1_later);
  EXPECT_FALSE(s2.versions_changed);
  EXPECT_FALSE(s2.next_sighting.has_value());
  // One more before s2, in the same version: matches from s2 on see s2 as before.
  const SnapshotAddResult s15 = late.Add(Header("s15", kDay0310 + kMinute / 2), d1);
  EXPECT_FALSE(s15.versions_changed);
  EXPECT_EQ(s15.next_sighting, kDay0310 + kMinute);
  EXPECT_FALSE(late.Add(Header("s5", kDay0310 + 4 * kMinute), d2_later).next_sighting);
  // Each version's volatile values are its newest snapshot's, whatever arrived last.
  EXPECT_EQ(versions[0].capacity_in_use, (std::vector<std::optional<int64_t>>{5}));
  EXPECT_EQ(versions[0].gpu_memory_bytes_free, (std::vector<std::optional<int64_t>>{500}));
  EXPECT_EQ(versions[1].capacity_in_use, (std::vector<std::optional<int64_t>>{4}));
  EXPECT_EQ(versions[1].gpu_memory_bytes_free, (std::vector<std::optional<int64_t>>{400}));

  CapabilityRegistry ordered;
  for (const auto& [id, ts, snap] : in_order) ordered.Add(Header(id, ts), *snap);
  const auto& expected = ordered.FindChain(key)->versions;
  ASSERT_EQ(expected.size(), versions.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i].capability_version_id, versions[i].capability_version_id);
    EXPECT_EQ(expected[i].valid_to, versions[i].valid_to);
    EXPECT_EQ(expected[i].sightings, versions[i].sightings);
    EXPECT_EQ(expected[i].capacity_in_use, versions[i].capacity_in_use);
    EXPECT_EQ(expected[i].gpu_memory_bytes_free, versions[i].gpu_memory_bytes_free);
  }
}

// Any arrival order gives the versions of in-order arrival, field by field: 60 snapshots in
// runs of three contents (the first five A A B A A in one millisecond), half sharing a
// millisecond with the one before, each with its own volatile values, added
// in 40 shuffled orders (the late ones that join a run take the incremental path, the others
// the recomputation).
TEST(CapabilityRegistry, AnyArrivalOrderGivesTheVersionsOfInOrderArrival) {
  std::mt19937 rng(7);
  std::vector<std::tuple<std::string, Millis, CapabilitySnapshot>> in_order;
  Millis ts = kDay0310;
  int content = 0;
  for (int i = 0; i < 60; ++i) {
    if (i < 5) {
      content = i == 2 ? 1 : 0;  // runs of A, B, A in one millisecond
    } else if (rng() % 3 == 0) {
      content = static_cast<int>(rng() % 3);
    }
    ts += i < 5 || rng() % 2 == 0 ? 0 : kMinute;  // half share the one before's millisecond
    CapabilitySnapshot s = FaceIdSnapshot(static_cast<int64_t>(i), 1000 + i);
    s.version = "0.8." + std::to_string(content);
    in_order.emplace_back("s" + std::to_string(100 + i), ts, std::move(s));
  }
  const ChainKey key{"cloudspe", kAddrD003, kUriRtav};
  CapabilityRegistry ordered;
  for (const auto& [id, at, snap] : in_order) ordered.Add(Header(id, at), snap);
  const std::vector<CapabilityVersion>& expected = ordered.FindChain(key)->versions;
  ASSERT_GT(expected.size(), 5u);
  for (int round = 0; round < 40; ++round) {
    auto shuffled = in_order;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    CapabilityRegistry late;
    for (const auto& [id, at, snap] : shuffled) late.Add(Header(id, at), snap);
    const std::vector<CapabilityVersion>& got = late.FindChain(key)->versions;
    ASSERT_EQ(got.size(), expected.size()) << round;
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(got[i].capability_version_id, expected[i].capability_version_id) << round;
      EXPECT_EQ(got[i].valid_from, expected[i].valid_from) << round;
      EXPECT_EQ(got[i].valid_to, expected[i].valid_to) << round;
      EXPECT_EQ(got[i].sightings, expected[i].sightings) << round;
      EXPECT_EQ(got[i].capacity_in_use, expected[i].capacity_in_use) << round;
      EXPECT_EQ(got[i].gpu_memory_bytes_free, expected[i].gpu_memory_bytes_free) << round;
    }
  }
}

// A late snapshot before a version's first one gives the version another id (its first event
// id): every hour with a sighting of it is restated, so its observed-inventory slices are
// published again (found by a split ingest whose older part came more than a day late).
TEST(CapabilityRegistry, LateSnapshotRestatesTheHoursOfTheVersionsItChanged) {
  CapabilityRegistry reg;
  const CapabilitySnapshot d1 = FaceIdSnapshot(1, 100);
  CapabilitySnapshot d2 = FaceIdSnapshot(2, 200);
  d2.version = "0.8.9";
  const Millis h0 = kDay0310, h1 = h0 + kHourMs, h2 = h0 + 2 * kHourMs, h3 = h0 + 3 * kHourMs;
  reg.Add(Header("a1", h1 + kMinute), d1);
  reg.Add(Header("a2", h2 + kMinute), d1);
  reg.Add(Header("b1", h3 + kMinute), d2);
  const ChainKey key{"cloudspe", kAddrD003, kUriRtav};
  const std::string d1_id = reg.FindChain(key)->versions.at(0).capability_version_id;
  const std::string d2_id = reg.FindChain(key)->versions.at(1).capability_version_id;
  const SnapshotAddResult late = reg.Add(Header("a0", h0 + kMinute), d1);
  EXPECT_TRUE(late.versions_changed);
  EXPECT_NE(reg.FindChain(key)->versions.at(0).capability_version_id, d1_id);
  EXPECT_EQ(reg.FindChain(key)->versions.at(1).capability_version_id, d2_id);
  // h1 and h2 held the d1 version under its old id; h0 is the snapshot's own hour; h3 unchanged.
  EXPECT_EQ(late.restated_hours, (std::vector<Millis>{h1, h2}));
  // A late sighting inside a version restates nothing.
  const SnapshotAddResult inside = reg.Add(Header("a15", h1 + 30 * kMinute), d1);
  EXPECT_FALSE(inside.versions_changed);
  EXPECT_TRUE(inside.restated_hours.empty());
}

TEST(CapabilityRegistry, AddIsIdempotent) {
  CapabilityRegistry reg;
  EXPECT_TRUE(reg.Add(Header("e1", kDay0310), FaceIdSnapshot()).added);
  SnapshotAddResult again = reg.Add(Header("e1", kDay0310), FaceIdSnapshot());
  EXPECT_FALSE(again.added);
  EXPECT_FALSE(again.versions_changed);
  EXPECT_EQ(reg.snapshot_count(), 1u);
  EXPECT_EQ(OnlyVersion(reg, again.chain).sightings.size(), 1u);
  // The same event id naming another chain is another snapshot.
  CapabilitySnapshot other = FaceIdSnapshot();
  other.orch_uri = other.orch_uri_norm = "https://other.example.com:1";
  EXPECT_TRUE(reg.Add(Header("e1", kDay0310), other).added);
  EXPECT_EQ(reg.chain_count(), 2u);
}

// A message's snapshots in several chains hold one copy of its event id, also after a checkpoint
// round trip; the id goes with the last snapshot that holds it.
TEST(CapabilityRegistry, EachEventIdIsHeldOnceWhateverTheChainsItNames) {
  CapabilitySnapshot a = FaceIdSnapshot();
  CapabilitySnapshot b = FaceIdSnapshot();
  b.orch_uri = b.orch_uri_norm = "https://other.example.com:1";
  const std::string e1 = "4d3f8a52-0c1e-4b7a-9f6d-2a8e5c7b1d90";  // a heap string, like real ids
  const std::string e2 = "9b1c2d3e-4f50-4617-a829-3b4c5d6e7f80";
  CapabilityRegistry reg;
  reg.Add(Header(e1, kDay0310), a);
  reg.Add(Header(e1, kDay0310), b);
  reg.Add(Header(e2, kDay0310 + 2 * kHourMs), b);
  EXPECT_EQ(reg.snapshot_count(), 3u);
  EXPECT_EQ(reg.event_id_count(), 2u);

  CapabilityRegistry restored;
  reg.ForEachEncodedChain([&](std::string chain) {
    ByteReader r(chain);
    EXPECT_TRUE(restored.DecodeChain(r));
  });
  EXPECT_EQ(restored.snapshot_count(), 3u);
  EXPECT_EQ(restored.event_id_count(), 2u);
  for (const CapabilityRegistry* r : {&reg, &restored}) {
    const std::vector<ObservedSnapshot> observed =
        r->ObservedSnapshots("cloudspe", 0, kDay0310 + kDayMs);
    std::vector<std::string> ids;
    for (const ObservedSnapshot& o : observed) ids.push_back(o.event_id);
    EXPECT_EQ(ids, (std::vector<std::string>{e1, e2, e1}));  // by chain (b's uri sorts first)
  }

  // Chain a's only version goes; chain b's, sighted after the cut, keeps e1 too.
  reg.Prune("cloudspe", kDay0310 + kHourMs);
  EXPECT_EQ(reg.snapshot_count(), 2u);
  EXPECT_EQ(reg.event_id_count(), 2u);
  reg.Prune("cloudspe", kDay0310 + 3 * kHourMs);
  EXPECT_EQ(reg.snapshot_count(), 0u);
  EXPECT_EQ(reg.event_id_count(), 0u);
}

TEST(CapabilityRegistry, ObservedSnapshotsKeepRawElementForLatestOfHour) {
  CapabilityRegistry reg;
  CapabilitySnapshot a = FaceIdSnapshot(1, 10);
  a.raw_element = R"({"n":1})";
  CapabilitySnapshot b = FaceIdSnapshot(3, 30);
  b.raw_element = R"({"n":2})";
  CapabilitySnapshot c = FaceIdSnapshot(5, 50);
  c.raw_element = R"({"n":3})";
  reg.Add(Header("e2", kDay0310 + 20 * kMinute), b);
  reg.Add(Header("e1", kDay0310 + 10 * kMinute), a);  // late, earlier in the same hour
  reg.Add(Header("e3", kDay0310 + 70 * kMinute), c);  // next hour
  std::vector<ObservedSnapshot> hour =
      reg.ObservedSnapshots("cloudspe", kDay0310, kDay0310 + kHourMs);
  ASSERT_EQ(hour.size(), 2u);
  EXPECT_EQ(hour[0].event_id, "e1");
  EXPECT_EQ(hour[0].snapshot_id, Hid({"e1", kAddrD003, kUriRtav}));
  EXPECT_EQ(hour[0].raw_element, "");
  EXPECT_EQ(hour[0].capacity_in_use, (std::vector<std::optional<int64_t>>{1}));
  EXPECT_EQ(hour[1].raw_element, R"({"n":2})");
  EXPECT_EQ(hour[1].gpu_memory_bytes_free, (std::vector<std::optional<int64_t>>{30}));
  EXPECT_EQ(hour[1].capability_version_id, OnlyVersion(reg, *hour[1].chain).capability_version_id);
  EXPECT_EQ(hour[1].content->hardware.at(0).gpu_id, kGpu5090);
  EXPECT_EQ(reg.ObservedSnapshots("cloudspe", kDay0310 + kHourMs, kDay0310 + 2 * kHourMs)
                .at(0)
                .raw_element,
            R"({"n":3})");
  EXPECT_TRUE(reg.ObservedSnapshots("daydream", 0, kDay0310 + kDayMs).empty());
}

// Retention: whole versions last sighted before the cut go; what stays is what a registry that
// never saw them holds, and a late snapshot recomputes the versions as it does there.
TEST(CapabilityRegistry, PruneForgetsWholeVersionsLastSightedBeforeTheCut) {
  CapabilitySnapshot d1 = FaceIdSnapshot(1, 100);
  CapabilitySnapshot d2 = FaceIdSnapshot(3, 300);
  d1.raw_element = R"({"n":1})";
  d2.version = "0.8.9";
  d2.raw_element = R"({"n":2})";
  // d1 at 00:00 and 00:30; d2 at 01:10 and 02:10; d1 again at 03:00.
  const std::vector<std::tuple<std::string, Millis, const CapabilitySnapshot*>> snapshots = {
      {"s1", kDay0310, &d1},
      {"s2", kDay0310 + 30 * kMinute, &d1},
      {"s3", kDay0310 + 70 * kMinute, &d2},
      {"s4", kDay0310 + 130 * kMinute, &d2},
      {"s5", kDay0310 + 180 * kMinute, &d1}};
  CapabilityRegistry pruned, never_saw;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    const auto& [id, ts, snapshot] = snapshots[i];
    pruned.Add(Header(id, ts), *snapshot);
    if (i >= 2) never_saw.Add(Header(id, ts), *snapshot);
  }
  const MatchRequest at_s4 = Request(kDay0310 + 131 * kMinute, kUriRtav, "");
  const Decision before_prune = pruned.Match(at_s4);
  pruned.Prune("cloudspe", kDay0310 + 100 * kMinute);  // d2's version straddles the cut: kept
  pruned.Prune("daydream", kDay0310 + kDayMs);         // another org: nothing
  EXPECT_EQ(pruned.snapshot_count(), 3u);
  EXPECT_EQ(pruned.Match(at_s4), before_prune);
  const auto same_versions = [&] {
    const ChainKey key{"cloudspe", kAddrD003, kUriRtav};
    const auto& a = pruned.FindChain(key)->versions;
    const auto& b = never_saw.FindChain(key)->versions;
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].capability_version_id, b[i].capability_version_id) << i;
      EXPECT_EQ(a[i].valid_from, b[i].valid_from) << i;
      EXPECT_EQ(a[i].valid_to, b[i].valid_to) << i;
      EXPECT_EQ(a[i].sightings, b[i].sightings) << i;
    }
  };
  same_versions();
  // The kept snapshots, their volatile values (d1: 1 in use, 100 B free; d2: 3 and 300) included.
  const auto same_observed = [&](size_t n) {
    const std::vector<ObservedSnapshot> observed =
        pruned.ObservedSnapshots("cloudspe", 0, kDay0310 + kDayMs);
    const std::vector<ObservedSnapshot> expected =
        never_saw.ObservedSnapshots("cloudspe", 0, kDay0310 + kDayMs);
    ASSERT_EQ(observed.size(), n);
    ASSERT_EQ(expected.size(), n);
    for (size_t i = 0; i < observed.size(); ++i) {
      EXPECT_EQ(observed[i].event_id, expected[i].event_id);
      EXPECT_EQ(observed[i].capability_version_id, expected[i].capability_version_id);
      EXPECT_EQ(observed[i].raw_element, expected[i].raw_element);
      EXPECT_EQ(observed[i].capacity_in_use, expected[i].capacity_in_use) << i;
      EXPECT_EQ(observed[i].gpu_memory_bytes_free, expected[i].gpu_memory_bytes_free) << i;
    }
    EXPECT_EQ(observed.back().capacity_in_use, (std::vector<std::optional<int64_t>>{1}));
    EXPECT_EQ(observed.back().gpu_memory_bytes_free, (std::vector<std::optional<int64_t>>{100}));
  };
  same_observed(3);
  EXPECT_EQ(pruned.ObservedSnapshots("cloudspe", 0, kDay0310 + kDayMs)[0].capacity_in_use,
            (std::vector<std::optional<int64_t>>{3}));
  // A late d1 snapshot inside d2's version splits it the same way in both.
  for (CapabilityRegistry* reg : {&pruned, &never_saw}) {
    EXPECT_TRUE(reg->Add(Header("s6", kDay0310 + 100 * kMinute), d1).versions_changed);
  }
  same_versions();
  same_observed(4);
  // Every version last sighted before the cut goes; the chain itself stays, without versions.
  pruned.Prune("cloudspe", kDay0310 + kDayMs);
  EXPECT_EQ(pruned.snapshot_count(), 0u);
  EXPECT_TRUE(pruned.ObservedSnapshots("cloudspe", 0, kDay0310 + kDayMs).empty());
  ExpectOutcome(pruned.Match(at_s4), "unresolved", "missing_candidate", "none", "low");
}

// Retention: a registry rebuilt from the snapshots after a cut, given the anchors of the registry
// that saw every snapshot, has that registry's versions and matches every time from the cut on as
// it does once pruned; its own anchors at the cut are the same.
TEST(CapabilityRegistry, AnchorsKeepAVersionThatBeganBeforeTheCutAsItWas) {
  CapabilitySnapshot d1 = FaceIdSnapshot(1, 100);
  CapabilitySnapshot d2 = FaceIdSnapshot(3, 300);
  d2.version = "0.8.9";
  // d1 at 00:00 and 00:30; d2 at 01:10, 01:55 and 02:10; d1 again at 03:00. Cut: 02:00.
  const std::vector<std::tuple<std::string, Millis, const CapabilitySnapshot*>> snapshots = {
      {"s1", kDay0310, &d1},
      {"s2", kDay0310 + 30 * kMinute, &d1},
      {"s3", kDay0310 + 70 * kMinute, &d2},
      {"s4", kDay0310 + 115 * kMinute, &d2},
      {"s5", kDay0310 + 130 * kMinute, &d2},
      {"s6", kDay0310 + 180 * kMinute, &d1}};
  const Millis cut = kDay0310 + 120 * kMinute;
  CapabilityRegistry full, rebuilt, unanchored;
  for (const auto& [id, ts, snapshot] : snapshots) full.Add(Header(id, ts), *snapshot);
  const std::vector<VersionAnchor> anchors = full.Anchors("cloudspe", cut);
  ASSERT_EQ(anchors.size(), 1u);  // d2's version; d1's first ended before the cut
  EXPECT_EQ(anchors[0].first_event_id, "s3");
  EXPECT_EQ(anchors[0].valid_from, kDay0310 + 70 * kMinute);
  EXPECT_EQ(anchors[0].last_sighting, kDay0310 + 115 * kMinute);
  EXPECT_TRUE(full.Anchors("daydream", cut).empty());
  rebuilt.SetAnchors(anchors);
  for (const auto& [id, ts, snapshot] : snapshots) {
    if (ts < cut) continue;
    rebuilt.Add(Header(id, ts), *snapshot);
    unanchored.Add(Header(id, ts), *snapshot);
  }
  full.Prune("cloudspe", cut);

  const ChainKey key{"cloudspe", kAddrD003, kUriRtav};
  const auto& a = full.FindChain(key)->versions;
  const auto& b = rebuilt.FindChain(key)->versions;
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(b.size(), 2u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].capability_version_id, b[i].capability_version_id) << i;
    EXPECT_EQ(a[i].first_event_id, b[i].first_event_id) << i;
    EXPECT_EQ(a[i].valid_from, b[i].valid_from) << i;
    EXPECT_EQ(a[i].valid_to, b[i].valid_to) << i;
    EXPECT_EQ(a[i].intervals.at(0).interval_id, b[i].intervals.at(0).interval_id) << i;
  }
  EXPECT_NE(unanchored.FindChain(key)->versions[0].capability_version_id,
            a[0].capability_version_id);
  // From the cut on, every match is the same; at the cut it rests on the 01:55 sighting.
  EXPECT_NE(full.Match(Request(cut, kUriRtav, "")).status, "stale");
  int stale = 0;
  for (Millis ts = cut; ts < kDay0310 + 4 * kHourMs; ts += 5 * kMinute) {
    const MatchRequest request = Request(ts, kUriRtav, "");
    const Decision expected = full.Match(request);
    EXPECT_EQ(rebuilt.Match(request), expected) << ts;
    stale += expected.status == "stale" ? 1 : 0;
  }
  EXPECT_GT(stale, 0);
  EXPECT_EQ(rebuilt.Anchors("cloudspe", cut), anchors);  // a second sweep stores them again
  // Once the anchored version is pruned, the anchor goes with it: the same content sighted again
  // starts a new version in both.
  for (CapabilityRegistry* reg : {&full, &rebuilt}) {
    reg->Prune("cloudspe", kDay0310 + 210 * kMinute);
    reg->Add(Header("s7", kDay0310 + 240 * kMinute), d2);
  }
  ASSERT_EQ(rebuilt.FindChain(key)->versions.size(), 1u);
  EXPECT_EQ(rebuilt.FindChain(key)->versions[0].capability_version_id,
            full.FindChain(key)->versions.at(0).capability_version_id);
  EXPECT_EQ(rebuilt.FindChain(key)->versions[0].first_event_id, "s7");
  // An anchor of other content is not this version's.
  CapabilityRegistry other;
  std::vector<VersionAnchor> wrong = anchors;
  wrong[0].digest = "another digest";
  other.SetAnchors(wrong);
  for (const auto& [id, ts, snapshot] : snapshots) {
    if (ts >= cut) other.Add(Header(id, ts), *snapshot);
  }
  EXPECT_EQ(other.FindChain(key)->versions[0].capability_version_id,
            unanchored.FindChain(key)->versions[0].capability_version_id);
}

TEST(CapabilityRegistry, RealNetworkCapabilitiesResponse) {
  std::string message =
      R"({"id":"caps-1","type":"network_capabilities","timestamp":"1767909021590","data":)";
  message.append(event::testing::ReadFileOrDie(std::string(NAAP_SHARED_DIR) +
                                               "/data/getNetworkCapabilities-2026.json"));
  message.append("}");
  event::testing::DecoderHarness h;
  const event::Decoded& decoded = h.Kafka(message);
  ASSERT_EQ(decoded.cls, event::MessageClass::kAccepted) << decoded.reason;
  CapabilityRegistry reg;
  for (const auto& snap : decoded.records.capability_snapshots)
    reg.Add(decoded.records.header, snap);
  EXPECT_EQ(reg.snapshot_count(), 52u);  // 53 elements, one duplicate skipped by the decoder
  EXPECT_EQ(reg.chain_count(), 52u);
  EXPECT_EQ(reg.ObservedSnapshots("cloudspe", 1767909021590, 1767909021591).size(), 52u);

  // 0xd003 at its llm URI: path 1 with a GPU-less hardware row, the offer covered.
  const CapabilityVersion& d003 =
      OnlyVersion(reg, {"cloudspe", kAddrD003, "https://livepeer-ai.xodeapp.xyz:18935"});
  ASSERT_EQ(d003.intervals.size(), 1u);
  EXPECT_EQ(d003.intervals[0].pipeline, "llm");
  EXPECT_EQ(d003.intervals[0].model, "meta-llama/Meta-Llama-3.1-8B-Instruct");
  EXPECT_FALSE(d003.intervals[0].hardware_present);
  EXPECT_EQ(d003.capacity_in_use, (std::vector<std::optional<int64_t>>{std::nullopt}));
  EXPECT_EQ(d003.content->offers.at(0).capacity, 67542);

  // The local key 0x52cf… serves 0xd003 and 0x5263: an address-only match is ambiguous, the URI is
  // not.
  EXPECT_EQ(reg.ChainsByIdentity("cloudspe", IdentityType::kAlias, kLocal52cf).size(), 2u);
  const Millis ts = 1767909021590 + kMinute;
  ExpectOutcome(
      reg.Match(Request(ts, "", kLocal52cf, "llm", "meta-llama/Meta-Llama-3.1-8B-Instruct")),
      "ambiguous", "ambiguous_candidates", "ambiguous", "low");
  Decision d = reg.Match(Request(ts, "https://livepeer-ai.xodeapp.xyz:18935", kLocal52cf, "llm",
                                 "meta-llama/Meta-Llama-3.1-8B-Instruct"));
  ExpectOutcome(d, "hardware_less", "matched_without_hardware", "uri_interval_exact", "high");
  EXPECT_EQ(d.attributed_orch_address, kAddrD003);

  // Every chain has one version with at least one interval; 19 distinct (pipeline, model, GPU)
  // hardware rows (counted independently from the file) become 19 GPU intervals, 6 on RTX 5090s.
  int gpu_intervals = 0, rtx5090 = 0;
  for (const auto& snap : decoded.records.capability_snapshots) {
    const CapabilityVersion& v =
        OnlyVersion(reg, {"cloudspe", snap.orch_address, snap.orch_uri_norm});
    EXPECT_FALSE(v.intervals.empty());
    for (const auto& i : v.intervals) {
      gpu_intervals += i.hardware_present;
      rtx5090 += i.gpu_model_name == "NVIDIA GeForce RTX 5090";
    }
  }
  EXPECT_EQ(gpu_intervals, 19);
  EXPECT_EQ(rtx5090, 6);
}

}  // namespace
}  // namespace naap::resolve
