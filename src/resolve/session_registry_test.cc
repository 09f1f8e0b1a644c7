// §9.1 end to end through the real CapabilityRegistry: E1's snapshot, then the session.
#include <gtest/gtest.h>

#include "resolve/capability_registry.h"
#include "resolve/session.h"
#include "resolve/session_test_util.h"

namespace naap::resolve {
namespace {

using testing::At;
using testing::Orch;
using testing::SessionBuilder;

constexpr char kLocal[] = "0x52cf2968b3dc6016778742d3539449a6597d5954";
constexpr char kOnChain[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kUri[] = "https://rtav-orch2.xodeapp.xyz:28935";
constexpr char kGpu[] = "GPU-a8d13655-197b-2226-d09f-b4b81e07504b";
constexpr char kFaceid[] = "streamdiffusion-sdxl-faceid";
constexpr char kLv2v[] = "live-video-to-video";

void AddE1(CapabilityRegistry& registry) {
  event::RecordHeader header;
  header.org = "cloudspe";
  header.event_id = "E1";
  header.event_ts = At(14, 59, 0);
  header.family = "network_capabilities";
  event::CapabilitySnapshot s;
  s.orch_address = kOnChain;
  s.orch_local_address = kLocal;
  s.alias_address = kLocal;
  s.orch_uri = kUri;
  s.orch_uri_norm = kUri;
  s.version = "0.8.8-3a5678ec-dirty";
  event::CapabilityOffer offer;
  offer.capability_id = 35;
  offer.canonical_pipeline = kLv2v;
  offer.model_id = kFaceid;
  offer.warm = true;
  offer.runner_version = "0.14.0";
  s.offers.push_back(offer);
  event::CapabilityPrice price;
  price.capability_id = 35;
  price.constraint = kFaceid;
  price.price_per_unit = *Wei::FromU128(1618);
  price.pixels_per_unit = *Wei::FromU128(1);
  s.prices.push_back(price);
  event::HardwareRow hw;
  hw.offered_name = kLv2v;
  hw.capability_id = 35;
  hw.canonical_pipeline = kLv2v;
  hw.model_id = kFaceid;
  hw.hardware_present = true;
  hw.gpu_slot = 0;
  hw.gpu_id = kGpu;
  hw.gpu_model_name = "NVIDIA GeForce RTX 5090";
  hw.gpu_memory_bytes_total = 34190917632;
  s.hardware.push_back(hw);
  ASSERT_TRUE(registry.Add(header, s).added);
}

TEST(SessionWithRegistry, Example91ResolvesExactOnTheUri) {
  CapabilityRegistry registry;
  AddE1(registry);
  SessionBuilder b("cloudspe");
  const auto orch = Orch(kLocal, kUri);
  b.Trace("E2", At(14, 59, 20), "gateway_receive_stream_request");
  b.Trace("E4", At(14, 59, 22), "gateway_send_first_ingest_segment", orch);
  auto& e8 = b.Status("E8", At(14, 59, 30), "LOADING", 0.0, orch);
  e8.pipeline = kLv2v;
  e8.model = kFaceid;
  b.Status("E9", At(14, 59, 40), "ONLINE", 17.0, orch);
  const SessionFact f =
      BuildSession("cloudspe", "cloudspe|stream-ex1|aa11bb22", b.records(), registry);
  ASSERT_EQ(f.selections.size(), 1u);
  const Decision& d = f.selections[0].decision;
  EXPECT_EQ(d.status, "resolved");
  EXPECT_EQ(d.reason, "matched");
  EXPECT_EQ(d.method, "uri_interval_exact");
  EXPECT_EQ(d.confidence, "high");
  EXPECT_EQ(d.attributed_orch_address, kOnChain);
  EXPECT_EQ(d.attribution_snapshot_ts, At(14, 59, 0));
  EXPECT_EQ(d.gpu_id, kGpu);
  EXPECT_EQ(d.gpu_model_name, "NVIDIA GeForce RTX 5090");
  EXPECT_EQ(d.gpu_memory_bytes_total, 34190917632);
  EXPECT_EQ(d.runner_version, "0.14.0");
  EXPECT_EQ(f.attribution, d);
  EXPECT_EQ(f.orchestrator_address, kOnChain);
  EXPECT_EQ(f.pipeline_id, kLv2v);
  EXPECT_EQ(f.model_id, kFaceid);
  EXPECT_EQ(f.gpu_id, kGpu);
}

}  // namespace
}  // namespace naap::resolve
