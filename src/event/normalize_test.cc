#include "event/normalize.h"

#include <gtest/gtest.h>

#include "event/catalog.h"
#include "event/org.h"

namespace naap::event {
namespace {

TEST(Timestamp, ParserTable) {
  EXPECT_EQ(ParseTimestampText("1767908945298"), 1767908945298);
  EXPECT_EQ(ParseTimestampText("1767908945"), 1767908945000);
  EXPECT_EQ(ParseTimestampText("1767908945.5"), 1767908945500);
  EXPECT_EQ(ParseTimestampText("1767908945298.9"), 1767908945298);
  EXPECT_EQ(ParseTimestampText("1.767908945298e12"), 1767908945298);
  EXPECT_EQ(ParseTimestampText("2026-01-08T21:49:05.298Z"), 1767908945298);
  EXPECT_EQ(ParseTimestampText("2026-01-08 21:49:05+01:00"), 1767905345000);
  EXPECT_EQ(ParseTimestampText(" 1767908945298 "), 1767908945298);
  EXPECT_EQ(ParseTimestampText("2026-01-08t21:49:05.2987654z"), 1767908945298);
  EXPECT_EQ(ParseTimestampText("2026-01-08T21:49:05-0130"), 1767908945000 + 90 * 60000);
  EXPECT_EQ(ParseTimestampText("2026-01-08T21:49:05"), 1767908945000);
  for (const char* bad : {"", "abc", "0", "-1767908945298", "2026-01-08", "NaN", "Infinity",
                          "0x1A", "1,767,908,945", "2026-02-30T00:00:00Z", "2026-01-08T25:00:00Z"}) {
    EXPECT_FALSE(ParseTimestampText(bad).has_value()) << bad;
  }
  EXPECT_TRUE(InEventTimeRange(kMinEventTsMs, 0 + kMinEventTsMs));
  EXPECT_FALSE(InEventTimeRange(kMinEventTsMs - 1, 1767916800000));
  EXPECT_TRUE(InEventTimeRange(1767916800000 + kDayMs, 1767916800000));
  EXPECT_FALSE(InEventTimeRange(1767916800000 + kDayMs + 1, 1767916800000));
}

PipelineModel Hints(std::string_view p, std::string_view m) { return NormalizeHints(p, m); }

TEST(Hints, AliasRows) {
  for (const char* hint : {"streamdiffusion", "StreamDiffusion"}) {
    EXPECT_EQ(Hints("", hint).model, "streamdiffusion");
    EXPECT_EQ(Hints("", hint).pipeline, "live-video-to-video");
  }
  for (const char* hint : {"streamdiffusion-sdxl", "pip_sdxl-turbo", "pip_sd-turbo"}) {
    EXPECT_EQ(Hints("", hint).model, "streamdiffusion-sdxl") << hint;
    EXPECT_EQ(Hints(hint, "").model, "streamdiffusion-sdxl") << hint;  // step 3: alias in P
    EXPECT_EQ(Hints(hint, "").pipeline, "live-video-to-video") << hint;
  }
  for (const char* hint : {"streamdiffusion-sdxl-v2v", "PIP_SDXL-TURBO-V2V"}) {
    EXPECT_EQ(Hints("", hint).model, "streamdiffusion-sdxl-v2v") << hint;
  }
  for (const char* hint : {"streamdiffusion-sdxl-faceid", "pip_sdxl-turbo-faceid"}) {
    EXPECT_EQ(Hints("", hint).model, "streamdiffusion-sdxl-faceid") << hint;
    EXPECT_EQ(Hints("", hint).pipeline, "live-video-to-video") << hint;
  }
}

TEST(Hints, Steps) {
  // 1. pipeline name in the model slot; P kept when already allow-listed.
  EXPECT_EQ(Hints("", "Live-Video-To-Video").pipeline, "live-video-to-video");
  EXPECT_EQ(Hints("", "Live-Video-To-Video").model, "");
  EXPECT_EQ(Hints("text-to-image", "llm").pipeline, "text-to-image");
  // 2. non-allow-listed P is dropped.
  EXPECT_EQ(Hints("d05da5dd", "").pipeline, "");
  EXPECT_EQ(Hints(" Text-To-Image ", "stabilityai/sd-turbo").pipeline, "text-to-image");
  // 4. alias model keeps an explicit allow-listed pipeline.
  EXPECT_EQ(Hints("noop", "pip_sd-turbo").pipeline, "noop");
  // 5. streamdiffusion prefix.
  EXPECT_EQ(Hints("", "streamdiffusion-custom").pipeline, "live-video-to-video");
  EXPECT_EQ(Hints("", "streamdiffusion-custom").model, "streamdiffusion-custom");
  EXPECT_EQ(Hints("", " StreamDiffusion-Custom ").pipeline, "live-video-to-video");
  EXPECT_EQ(Hints("", " StreamDiffusion-Custom ").model, "StreamDiffusion-Custom");  // case kept
  // 1. again, in another case: the model slot named the pipeline, so it is emptied.
  EXPECT_EQ(Hints("upscale", "UPSCALE").pipeline, "upscale");
  EXPECT_EQ(Hints("upscale", "UPSCALE").model, "");
  // 7. other models pass through with no pipeline.
  EXPECT_EQ(Hints("", "meta-llama/Llama-3.1-8B-Instruct").model, "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(Hints("", "meta-llama/Llama-3.1-8B-Instruct").pipeline, "");
  EXPECT_EQ(Hints("llm", "meta-llama/Llama-3.1-8B-Instruct").pipeline, "llm");
}

TEST(Money, FaceValueUnitsAndFees) {
  EXPECT_EQ(ParseFaceValueWei("2402400000000000 WEI")->ToString(), "2402400000000000");
  EXPECT_EQ(ParseFaceValueWei("2402400000000000wei")->ToString(), "2402400000000000");
  EXPECT_EQ(ParseFaceValueWei("2402400000000000")->ToString(), "2402400000000000");
  EXPECT_EQ(ParseFaceValueWei("0.000000100000000000")->ToString(), "100000000000");
  EXPECT_EQ(ParseFaceValueWei("0.0024024 ETH")->ToString(), "2402400000000000");
  EXPECT_EQ(ParseFaceValueWei("1 eth")->ToString(), "1000000000000000000");
  EXPECT_EQ(ParseFaceValueWei("1e-18")->ToString(), "1");
  EXPECT_EQ(ParseFaceValueWei("1.9 WEI")->ToString(), "1");
  EXPECT_EQ(ParseFaceValueWei("170141183460469231731687303715884105727")->ToString(),
            "170141183460469231731687303715884105727");
  EXPECT_FALSE(ParseFaceValueWei("170141183460469231731687303715884105728").has_value());
  EXPECT_FALSE(ParseFaceValueWei("abc WEI").has_value());
  EXPECT_FALSE(ParseFaceValueWei("-1").has_value());
  EXPECT_EQ(ExpectedFeeWei(*ParseFaceValueWei("2402400000000000 WEI"), 2,
                           *Decimal::Parse("0.0009990010"))->ToString(),
            "4800000004800");
  EXPECT_EQ(ParsePriceWeiPerPixel("1635.021 wei/pixel"), 1635.021);
  EXPECT_EQ(ParsePriceWeiPerPixel("1635.021 WEI/unit"), 1635.021);
  EXPECT_EQ(ParsePriceWeiPerPixel("12"), 12.0);
  EXPECT_FALSE(ParsePriceWeiPerPixel("-1 wei/pixel").has_value());
  EXPECT_FALSE(ParsePriceWeiPerPixel("1 eth/pixel").has_value());
}

TEST(Normalise, UrlsSessionsManifestsOrgs) {
  EXPECT_EQ(NormalizeUrl(" HTTPS://Rtav-Orch2.xodeapp.xyz:28935// "), "https://rtav-orch2.xodeapp.xyz:28935");
  EXPECT_EQ(SessionKey("cloudspe", "s", "r"), "cloudspe|s|r");
  EXPECT_EQ(SessionKey("cloudspe", "", "r"), "cloudspe|_missing_stream|r");
  EXPECT_EQ(SessionKey("cloudspe", " ", ""), "");
  ManifestHints m = ParseManifestId("35_streamdiffusion-sdxl-faceid");
  EXPECT_EQ(m.capability_id, 35);
  EXPECT_EQ(m.pipeline_hint, "live-video-to-video");
  EXPECT_EQ(m.model_hint, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(ParseManifestId("Qm1a2b").pipeline_hint, "Qm1a2b");
  // Any number of digits (leading zeros too); digits beyond int's range do not match.
  EXPECT_EQ(ParseManifestId("0000000035_streamdiffusion-sdxl-faceid").capability_id, 35);
  EXPECT_EQ(ParseManifestId("0000000035_x").pipeline_hint, "live-video-to-video");
  EXPECT_FALSE(ParseManifestId("99999999999_x").capability_id.has_value());
  EXPECT_EQ(ParseManifestId("99999999999_x").pipeline_hint, "99999999999_x");
  EXPECT_FALSE(ParseManifestId("Qm1a2b").capability_id.has_value());
  EXPECT_EQ(ParseManifestId("5_x").pipeline_hint, "");
  EXPECT_TRUE(IsValidOrg("cloudspe"));
  EXPECT_FALSE(IsValidOrg("-x"));
  EXPECT_FALSE(IsValidOrg("Cloud"));
  EXPECT_FALSE(IsValidOrg(std::string(65, 'a')));
  TopicMap map = TopicMap::Default();
  EXPECT_EQ(map.Resolve("Streaming-Events"), "cloudspe");
  EXPECT_EQ(map.Resolve("network-events"), "daydream");
  EXPECT_FALSE(map.Set("t", "Bad Org").ok());
  EXPECT_TRUE(map.Set("naap.events.raw", "acme").ok());
  EXPECT_EQ(map.Resolve("naap.events.raw"), "acme");
  EXPECT_EQ(CapabilityIdForOfferedName("Text-To-Image"), 27);
  EXPECT_EQ(CapabilityIdForOfferedName("openai-chat-completions"), 37);
  EXPECT_EQ(CatalogPipeline(37), "");
  EXPECT_EQ(CanonicalModelId(" StreamDiffusion-SDXL "), "streamdiffusion-sdxl");
}

}  // namespace
}  // namespace naap::event
