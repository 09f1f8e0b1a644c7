// The public sample data (data/): 65 real events and a real getNetworkCapabilities response.
#include <gtest/gtest.h>

#include <map>

#include "event/json_span.h"
#include "event/test_util.h"

namespace naap::event {
namespace {
using testing::DecoderHarness;
using testing::ReadFileOrDie;

std::string SharedFile(const char* name) { return std::string(NAAP_SHARED_DIR) + "/data/" + name; }

TEST(RealEvents, AllSixtyFiveAcceptedWithExactFamilyCounts) {
  std::string file = ReadFileOrDie(SharedFile("livepeer-events-2026-01-08.json"));
  std::vector<std::string_view> messages;
  JsonArrayElementSpans(file, messages);
  ASSERT_EQ(messages.size(), 65u);
  DecoderHarness h;
  std::map<std::string, int> families;
  std::vector<std::string> fees;
  int keyed = 0;
  for (std::string_view message : messages) {
    const Decoded& d = h.File(message);
    ASSERT_EQ(d.cls, MessageClass::kAccepted) << d.reason << " " << d.detail << "\n" << message;
    EXPECT_EQ(d.org, "cloudspe");
    EXPECT_TRUE(d.notes.empty()) << d.notes[0].note << " " << d.notes[0].detail;
    EXPECT_EQ(d.envelope.front(), '{');
    ++families[d.family];
    for (const auto& p : d.records.payments) fees.push_back(p.expected_fee_wei.ToString());
    for (const auto& s : d.records.ingest_samples) {
      keyed += s.key.session_key == "cloudspe|stream-o5s73x-mk5zc8fy|db936fab";
    }
    for (const auto& s : d.records.status_samples) {
      EXPECT_EQ(s.key.session_key, "cloudspe|stream-o5s73x-mk5zc8fy|db936fab");
      EXPECT_EQ(s.pipeline, "live-video-to-video");
      EXPECT_EQ(s.model, "streamdiffusion-sdxl-faceid");
    }
    if (d.family == "network_capabilities") {
      ASSERT_EQ(d.records.capability_snapshots.size(), 1u);
      const CapabilitySnapshot& snap = d.records.capability_snapshots[0];
      EXPECT_EQ(snap.orch_address, "0xd00354656922168815fcd1e51cbddb9e359e3c7f");
      EXPECT_EQ(snap.alias_address, "0x52cf2968b3dc6016778742d3539449a6597d5954");
      EXPECT_EQ(snap.orch_uri_norm, "https://rtav-orch2.xodeapp.xyz:28935");
      ASSERT_EQ(snap.hardware.size(), 1u);
      EXPECT_EQ(snap.hardware[0].gpu_model_name, "NVIDIA GeForce RTX 5090");
      EXPECT_EQ(snap.hardware[0].gpu_id, "GPU-a8d13655-197b-2226-d09f-b4b81e07504b");
      // SHA-256 of the element's minified text, computed independently.
      EXPECT_EQ(snap.element_hash, "c52706280cf6324db56f6edf74901059caaa7ad01b995b988a51cebc3f48e045");
    }
  }
  EXPECT_EQ(families, (std::map<std::string, int>{{"stream_ingest_metrics", 34},
                                                  {"ai_stream_status", 17},
                                                  {"stream_trace", 6},
                                                  {"create_new_payment", 6},
                                                  {"discovery_results", 1},
                                                  {"network_capabilities", 1}}));
  EXPECT_EQ(keyed, 34);
  EXPECT_EQ(fees, (std::vector<std::string>{"4800000004800", "2400000002400", "2400000000000",
                                            "2400000000000", "2400000000000", "2400000000000"}));
}

TEST(RealCapabilities, WholeResponseAsPayload) {
  std::string response = ReadFileOrDie(SharedFile("getNetworkCapabilities-2026.json"));
  std::string message = R"({"id":"caps-1","type":"network_capabilities","timestamp":"1767909021590","data":)";
  message.append(response).append("}");
  DecoderHarness h;
  const Decoded& d = h.Kafka(message);
  ASSERT_EQ(d.cls, MessageClass::kAccepted) << d.reason << " " << d.detail;
  const auto& snaps = d.records.capability_snapshots;
  EXPECT_EQ(snaps.size(), 52u);  // 53 elements, one duplicate skipped
  int skipped = 0;
  for (const auto& n : d.notes) skipped += n.note == "element_skipped";
  EXPECT_EQ(skipped, 1);
  EXPECT_TRUE(testing::HasNote(d, "element_skipped", "duplicate capability element"));
  EXPECT_EQ(snaps.front().orch_address, "0x2cc8aec211fdc372c0f7e4d1add1675733381328");
  EXPECT_EQ(snaps.front().element_hash,
            "d6beba9c3e941694af431a693a59c30ba76455dc5dad2c3d3126a5519b8877e9");
  EXPECT_EQ(snaps.front().alias_address, "");  // local_address equals the address
  EXPECT_EQ(snaps.front().version, "0.8.8");
  EXPECT_EQ(snaps.back().orch_address, "0xf909ac60c647a14db3663da5ecf5f8ecbe324395");
  EXPECT_EQ(snaps.back().orch_uri_norm, "https://adexlabs.go.ro:8936");
  int with_hardware = 0;
  for (const auto& s : snaps) with_hardware += !s.hardware.empty();
  EXPECT_EQ(with_hardware, 15);
  for (const auto& s : snaps) {
    if (s.orch_address != "0xdef1c70578b2b5e8589a42e26980687fc5153079") continue;
    EXPECT_EQ(s.alias_address, "0xa2868a9e9c0f880a4c3ef1930764d54e645ae389");
    ASSERT_EQ(s.offers.size(), 1u);
    EXPECT_EQ(s.offers[0].capability_id, 33);
    EXPECT_EQ(s.offers[0].canonical_pipeline, "llm");
    EXPECT_EQ(s.offers[0].capacity, 35968);
    ASSERT_EQ(s.prices.size(), 2u);
    EXPECT_EQ(s.prices[1].constraint, "meta-llama/Llama-4-Scout-17B-16E-Instruct");
    EXPECT_EQ(s.prices[1].price_per_unit.ToString(), "56909258");
    ASSERT_EQ(s.hardware.size(), 1u);
    EXPECT_FALSE(s.hardware[0].hardware_present);  // llm entry without gpu_info
    EXPECT_EQ(s.hardware[0].capability_id, 33);
    EXPECT_EQ(s.hardware[0].model_id, "meta-llama/Meta-Llama-3.1-8B-Instruct");
  }
}

}  // namespace
}  // namespace naap::event
