// The fact codec (fact_codec.h) and the frozen hours of HourlyFacts (hourly_facts.h).
#include "resolve/hourly_facts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "resolve/fact_codec.h"

namespace naap::resolve {
namespace {

// Every field of a decision set to a value other than its default.
Decision FullDecision(const std::string& tag) {
  return {.status = "resolved",
          .reason = "exact_" + tag,
          .method = "uri",
          .confidence = "high",
          .capability_version_id = "v-" + tag,
          .attribution_snapshot_ts = 1'767'900'000'000,
          .attributed_orch_address = "0xabc" + tag,
          .attributed_orch_uri = "https://o.example:8935",
          .pipeline = "live-video-to-video",
          .model = "streamdiffusion",
          .gpu_id = "GPU-1",
          .gpu_model_name = "NVIDIA GeForce RTX 4090",
          .gpu_memory_bytes_total = 25'757'220'864,
          .runner_version = "0.14.1"};
}

JobSelection FullSelection(const std::string& tag) {
  return {.selection_id = "sel-" + tag,
          .selection_trigger = "byoc_completion",
          .selection_ts = -42,
          .observed_url = "https://o.example:8935",
          .observed_address = "0xobserved",
          .decision = FullDecision(tag),
          .decision_id = "d-" + tag};
}

PaymentFact FullPayment(const std::string& id, Millis ts) {
  return {.event_id = id,
          .org = "daydream",
          .event_ts = ts,
          .gateway = "gw",
          .sender_address = "0xsender",
          .recipient_address = "0xrecipient",
          .orch_url = "https://O.example:8935/",
          .orch_url_norm = "https://o.example:8935",
          .payment_session_id = "ps-1",
          .request_id = "req-1",
          .manifest_id = "m-1",
          .manifest_capability_id = 35,
          .face_value_wei = *Wei::FromU128(static_cast<unsigned __int128>(1) << 100),
          .num_tickets = 3,
          .win_prob = *Decimal::Parse("0.000123"),
          .price_wei_per_pixel = 0.25,
          .face_value_total_wei = *Wei::FromU128(Wei::kMax),
          .fees_wei = *Wei::FromU128(77),
          .session_key = "daydream|s|r",
          .link_method = "request_id",
          .link_status = "resolved",
          .pipeline_id = "live-video-to-video",
          .model_id = "streamdiffusion"};
}

LlmFact FullLlm() {
  return {.org = "daydream",
          .request_id = "req-9",
          .event_id = "e-llm",
          .event_ts = 5,
          .subtype = "llm_stream_completed",
          .model = "llama",
          .completion_id = "c-1",
          .orch_url_norm = "https://o.example:8935",
          .streaming = false,
          .prompt_tokens = 10,
          .completion_tokens = 20,
          .total_tokens = 30,
          .tokens_per_second = 41.5,
          .ttft_ms = 120,
          .finish_reason = "stop",
          .error = "none"};
}

template <typename Fact>
void ExpectRoundTrip(const Fact& fact) {
  std::string bytes;
  ByteWriter w(bytes);
  EncodeFact(w, fact);
  Fact decoded;
  ByteReader r(bytes);
  ASSERT_TRUE(DecodeFact(r, decoded));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(decoded, fact);
  for (size_t n = 0; n < bytes.size(); ++n) {  // every truncation fails
    ByteReader prefix(std::string_view(bytes).substr(0, n));
    Fact partial;
    EXPECT_FALSE(DecodeFact(prefix, partial)) << n << " of " << bytes.size() << " bytes";
  }
}

QuantileSketch SketchOf(std::initializer_list<double> values) {
  QuantileSketch sketch;
  for (double v : values) sketch.Add(v);
  return sketch;
}

// Every field of a session fact, its hours, failures and selections set to a non-default value.
SessionFact FullSession() {
  SessionFact s{.exists = true,
                .org = "daydream",
                .session_key = "daydream|s|r",
                .stream_id = "s",
                .request_id = "r",
                .first_seen = 1,
                .last_seen = 2,
                .requested_at = 3,
                .first_ingest_at = 4,
                .first_processed_at = 5,
                .playable_at = 6,
                .first_data_at = 7,
                .runner_first_processed_at = 8,
                .closed_at = 9,
                .session_start = 10,
                .session_hour = kHourMs,
                .gateway = "gw",
                .request_count = 11,
                .playable_count = 12,
                .no_orch_count = 13,
                .closed_count = 14,
                .explicit_swap_count = 15,
                .status_sample_count = 16,
                .running_state_samples = 17,
                .fps_positive_samples = 18,
                .degraded_input_samples = 19,
                .degraded_inference_samples = 20,
                .error_samples = 21,
                .max_restart_count = 22,
                .status_latency_samples = 23,
                .status_latency_sum_ms = 24,
                .startup_error_count = 25,
                .excusable_error_count = 26,
                .session_hint = {.pipeline = "p", .model = "m"},
                .latest_sample = LatestSample{.event_id = "e-last",
                                              .sample_ts = 27,
                                              .state = "ONLINE",
                                              .output_fps = 17.5,
                                              .input_fps = 20.25},
                .selections = {},
                .attribution = FullDecision("a"),
                .selection_count = 2,
                .distinct_identity_count = 3,
                .has_snapshot_match = true,
                .is_hardware_less = true,
                .is_stale = true,
                .has_ambiguous_identity = true,
                .orchestrator_address = "0xchain",
                .pipeline_id = "live-video-to-video",
                .model_id = "m",
                .gpu_id = "GPU-1",
                .confirmed_swapped = true,
                .inferred_swapped = true,
                .swapped = true,
                .classification = {.requested_seen = true,
                                   .playable_seen = true,
                                   .completed = true,
                                   .restart_seen = true,
                                   .error_seen = true,
                                   .degraded_input_seen = true,
                                   .degraded_inference_seen = true,
                                   .loading_only = true,
                                   .zero_output_fps = true,
                                   .output_failed = true,
                                   .selection_outcome = "selected",
                                   .startup_result = "success",
                                   .excusal_reason = "none",
                                   .startup_outcome = "success",
                                   .effective_failed = true,
                                   .health_signal_count = 4,
                                   .health_expected_signal_count = 5,
                                   .startup_latency_ms = 1200,
                                   .prompt_to_first_frame_ms = 900,
                                   .e2e_latency_ms = 310.5,
                                   .e2e_source = "status",
                                   .total_duration_ms = 60'000},
                .hours = {},
                .failures = {}};
  s.selections.push_back({.selection_id = "sel-1",
                          .selection_seq = 1,
                          .selection_ts = 28,
                          .selection_trigger = "swap",
                          .observed_address = "0xlocal",
                          .observed_url = "https://o:1",
                          .identity = "u:https://o:1",
                          .anchor_event_id = "e-anchor",
                          .anchor_family = "stream_trace",
                          .hints = {.pipeline = "p2", .model = "m2"},
                          .decision = FullDecision("s"),
                          .decision_id = "d-1"});
  s.hours.push_back({.hour = kHourMs,
                     .evidence_events = 1,
                     .status_samples = 2,
                     .running_state_samples = 3,
                     .fps_positive_samples = 4,
                     .output_fps_sum = 5,
                     .input_fps_samples = 6,
                     .input_fps_sum = 7,
                     .output_fps_sketch = SketchOf({17.5, 18.0}),
                     .input_fps_sketch = SketchOf({20.0}),
                     .degraded_input_samples = 8,
                     .degraded_inference_samples = 9,
                     .error_status_samples = 10,
                     .inference_restarts = 11,
                     .inference_errors = 12,
                     .status_latency_samples = 13,
                     .status_latency_sum_ms = 14,
                     .status_latency_sketch = SketchOf({250.0, 0.5}),
                     .avg_output_fps_hour = 17.75,
                     .ingest = {.ingest_samples = 15,
                                .video_jitter_sum = 16,
                                .video_jitter_samples = 17,
                                .audio_jitter_sum = 18,
                                .audio_jitter_samples = 19,
                                .conn_good = 20,
                                .conn_fair = 21,
                                .conn_poor = 22,
                                .video_packets_lost = 23,
                                .video_packets_received = 24,
                                .audio_packets_lost = 25,
                                .audio_packets_received = 26},
                     .is_terminal_tail_artifact = true});
  s.failures.push_back({.failure_id = "f-1",
                        .failure_ts = 29,
                        .failure_type = "inference_error",
                        .event_id = "e-f",
                        .org = "daydream",
                        .session_key = "daydream|s|r",
                        .stream_id = "s",
                        .request_id = "r",
                        .gateway = "gw",
                        .pipeline_id = "live-video-to-video",
                        .model_id = "m",
                        .orchestrator_address = "0xchain",
                        .detail = "CUDA out of memory"});
  return s;
}

TEST(FactCodec, EveryFieldOfEveryFactRoundTrips) {
  ExpectRoundTrip(FullSession());
  ExpectRoundTrip(SessionFact{});
  ExpectRoundTrip(FullPayment("e-1", 1'767'908'945'298));
  ExpectRoundTrip(PaymentFact{});  // defaults: empty strings, nullopt, zero wei
  ExpectRoundTrip(AiBatchJobFact{.org = "daydream",
                                 .request_id = "req-9",
                                 .completion_event_id = "e-9",
                                 .completed_at = 1'000,
                                 .received_at = 900,
                                 .gateway = "gw",
                                 .pipeline = "llm",
                                 .model_id = "llama",
                                 .success = true,
                                 .tries = 2,
                                 .duration_ms = 100,
                                 .orch_url = "https://O.example:8935",
                                 .orch_url_norm = "https://o.example:8935",
                                 .latency_score = 0.5,
                                 .price_per_unit = 1e-9,
                                 .error_type = "timeout",
                                 .error = "late",
                                 .selection_outcome = "selected",
                                 .selection = FullSelection("b"),
                                 .canonical_pipeline = "llm",
                                 .attributed_model = "llama",
                                 .capability_id = 33,
                                 .llm = FullLlm()});
  ExpectRoundTrip(FullLlm());
  ExpectRoundTrip(NamedWorker{.event_ts = 8,
                              .event_id = "o-1",
                              .worker_url = "http://W:2",
                              .worker_url_norm = "http://w:2"});
  ExpectRoundTrip(WorkerFact{.event_id = "w-1",
                             .org = "daydream",
                             .event_ts = 7,
                             .worker_event_id = "wid",
                             .lifecycle_action = "register",
                             .capability = "Echo",
                             .capability_norm = "echo",
                             .orch_reported_address = "0xlocal",
                             .orch_url = "https://O:1",
                             .orch_url_norm = "https://o:1",
                             .worker_url = "http://W:2",
                             .worker_url_norm = "http://w:2",
                             .price_per_unit = 3.0,
                             .model = "m",
                             .models = {"m", "n"},
                             .orchestrator_address = "0xchain"});
  ExpectRoundTrip(ByocJobFact{.job_id = "j-1",
                              .org = "daydream",
                              .payload_request_id = "p-1",
                              .capability = "Echo",
                              .capability_norm = "echo",
                              .completed_at = 8,
                              .gateway = "gw",
                              .success = false,
                              .duration_ms = 12,
                              .http_status = 503,
                              .error = "busy",
                              .orch_reported_address = "0xlocal",
                              .orch_url = "https://O:1",
                              .orch_url_norm = "https://o:1",
                              .worker_url = "http://W:2",
                              .worker_url_norm = "http://w:2",
                              .selection_outcome = "selected",
                              .worker_event_id = "w-1",
                              .worker_model = "m",
                              .worker_price_per_unit = 2.5,
                              .selection = FullSelection("j"),
                              .model = "m"});
  ExpectRoundTrip(AuthFact{.event_id = "a-1",
                           .org = "daydream",
                           .event_ts = 9,
                           .capability_name = "Echo",
                           .subtype = "job_auth_failed",
                           .success = false});
  ExpectRoundTrip(ByocPaymentFact{.event_id = "bp-1",
                                  .org = "daydream",
                                  .event_ts = 10,
                                  .capability = "Echo",
                                  .payment_type = "prepaid",
                                  .orch_reported_address = "0xlocal",
                                  .amount = *Decimal::Parse("-12.500"),
                                  .currency = "USD"});
  ExpectRoundTrip(DiscoveryFact{.event_id = "d-1",
                                .org = "daydream",
                                .event_ts = 11,
                                .rank = 4,
                                .orch_reported_address = "0xlocal",
                                .orch_url = "https://O:1",
                                .orch_url_norm = "https://o:1",
                                .latency_ms = 77.0,
                                .orchestrator_address = "0xchain",
                                .resolution = "uri"});
}

TEST(FactCodec, KeysRoundTripAndTruncationsFail) {
  std::string bytes;
  ByteWriter w(bytes);
  EncodeKey(w, std::string("daydream|stream-1|req-1"));
  EncodeKey(w, std::pair<std::string, int>("e-7", 3));
  ByteReader r(bytes);
  std::string key;
  std::pair<std::string, int> discovery_key;
  ASSERT_TRUE(DecodeKey(r, key));
  ASSERT_TRUE(DecodeKey(r, discovery_key));
  EXPECT_TRUE(r.done());
  EXPECT_EQ(key, "daydream|stream-1|req-1");
  EXPECT_EQ(discovery_key, (std::pair<std::string, int>("e-7", 3)));
  const size_t first = bytes.size() - 5;  // the pair: a 3-byte string, its length and the rank
  for (size_t n = first; n < bytes.size(); ++n) {
    ByteReader prefix(std::string_view(bytes).substr(first, n - first));
    EXPECT_FALSE(DecodeKey(prefix, discovery_key)) << n;
  }
}

TEST(FrozenKeyHours, HoldsEveryHourOfAHashUntilRemoved) {
  FrozenKeyHours index;
  EXPECT_TRUE(index.HoursOf(7).empty());
  // 3,000 hashes in 3 hours each, crowded onto few start slots so probes run long and wrap.
  for (uint64_t i = 0; i < 3'000; ++i) {
    for (Millis h = 0; h < 3; ++h) index.Add(i << 40 | (i % 3), h * kHourMs);
  }
  EXPECT_EQ(index.size(), 9'000u);
  for (uint64_t i = 0; i < 3'000; i += 7) {
    std::vector<Millis> hours = index.HoursOf(i << 40 | (i % 3));
    std::sort(hours.begin(), hours.end());
    EXPECT_EQ(hours, (std::vector<Millis>{0, kHourMs, 2 * kHourMs})) << i;
  }
  for (uint64_t i = 0; i < 3'000; ++i) index.Remove(i << 40 | (i % 3), kHourMs);
  EXPECT_EQ(index.size(), 6'000u);
  EXPECT_EQ(index.HoursOf(5ull << 40 | 2), (std::vector<Millis>{0, 2 * kHourMs}));
  // Removed slots are reused and dropped when the table grows.
  for (uint64_t i = 0; i < 20'000; ++i) index.Add(i << 40 | 9, 5 * kHourMs);
  EXPECT_EQ(index.size(), 26'000u);
  EXPECT_EQ(index.HoursOf(123ull << 40 | 9), (std::vector<Millis>{5 * kHourMs}));
  EXPECT_EQ(index.HoursOf(123ull << 40 | 0), (std::vector<Millis>{0, 2 * kHourMs}));
  EXPECT_TRUE(index.HoursOf(123ull << 40 | 1).empty());
}

TEST(FrozenKeyHours, RemoveBeforeDropsTheEarlierHoursOnly) {
  FrozenKeyHours index;
  for (uint64_t i = 0; i < 1'000; ++i) {
    for (Millis h = 0; h < 4; ++h) index.Add(i * 31, h * kHourMs);
  }
  index.RemoveBefore(2 * kHourMs);
  EXPECT_EQ(index.size(), 2'000u);
  for (uint64_t i = 0; i < 1'000; i += 13) {
    std::vector<Millis> hours = index.HoursOf(i * 31);
    std::sort(hours.begin(), hours.end());
    EXPECT_EQ(hours, (std::vector<Millis>{2 * kHourMs, 3 * kHourMs})) << i;
  }
  index.RemoveBefore(10 * kHourMs);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.HoursOf(31).empty());
  index.Add(31, 11 * kHourMs);
  EXPECT_EQ(index.HoursOf(31), (std::vector<Millis>{11 * kHourMs}));
}

TEST(FactCodec, CompressedFramesRoundTripAndBadFramesFail) {
  const std::string bytes(10'000, 'x');
  const std::string frame = Compress(bytes);
  EXPECT_LT(frame.size(), bytes.size() / 10);
  std::string out;
  ASSERT_TRUE(Decompress(frame, out));
  EXPECT_EQ(out, bytes);
  EXPECT_FALSE(Decompress(std::string_view(frame).substr(0, frame.size() - 1), out));
  EXPECT_FALSE(Decompress("not a frame", out));
}

using Payments = HourlyFacts<std::string, PaymentFact, std::hash<std::string>>;
constexpr Millis kH0 = 1'767'905'000'000 / kHourMs * kHourMs;

std::vector<PaymentFact> Copies(const std::vector<const PaymentFact*>& facts) {
  std::vector<PaymentFact> out;
  for (const PaymentFact* f : facts) out.push_back(*f);
  return out;
}

// Three hours of payments, two of them frozen.
class FrozenHours : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int h = 0; h < 3; ++h) {
      for (int i = 0; i < 5; ++i) {
        const std::string id = "e-" + std::to_string(h) + "-" + std::to_string(4 - i);
        PaymentFact fact = FullPayment(id, kH0 + h * kHourMs + i);
        ASSERT_TRUE(facts.Put(id, kH0 + h * kHourMs, fact, "daydream", changed));
        expected[h].push_back(fact);
      }
      std::sort(expected[h].begin(), expected[h].end(),
                [](const PaymentFact& a, const PaymentFact& b) { return a.event_id < b.event_id; });
    }
    changed.clear();
    facts.Freeze(kH0 + 2 * kHourMs);
    ASSERT_EQ(facts.frozen_hours(), 2u);
  }
  Payments facts;
  ChangedSlices changed;
  std::vector<PaymentFact> expected[3];
};

TEST_F(FrozenHours, ReadsThawTheHourAndSeeTheSameFacts) {
  EXPECT_EQ(Copies(facts.At(kH0 + kHourMs)), expected[1]);
  EXPECT_EQ(facts.frozen_hours(), 1u);
  ASSERT_NE(facts.Find("e-0-3"), nullptr);
  EXPECT_EQ(*facts.Find("e-0-3"), FullPayment("e-0-3", kH0 + 1));
  EXPECT_EQ(facts.frozen_hours(), 0u);
  EXPECT_EQ(Copies(facts.At(kH0)), expected[0]);
  EXPECT_EQ(Copies(facts.At(kH0 + 2 * kHourMs)), expected[2]);
  EXPECT_TRUE(facts.At(kH0 + 3 * kHourMs).empty());
  EXPECT_EQ(facts.Find("unknown"), nullptr);
  facts.Freeze(kH0 + 3 * kHourMs);  // thawed hours freeze again
  EXPECT_EQ(facts.frozen_hours(), 3u);
  EXPECT_EQ(Copies(facts.At(kH0)), expected[0]);
}

TEST_F(FrozenHours, PutsIntoFrozenHoursCompareWithTheFrozenFacts) {
  EXPECT_FALSE(facts.Put("e-0-2", kH0, FullPayment("e-0-2", kH0 + 2), "daydream", changed));
  EXPECT_TRUE(changed.empty());

  PaymentFact relinked = FullPayment("e-0-2", kH0 + 2);
  relinked.session_key = "daydream|other|r";
  EXPECT_TRUE(facts.Put("e-0-2", kH0, relinked, "daydream", changed));
  EXPECT_EQ(changed, (ChangedSlices{{"daydream", kH0}}));

  // Moved from a frozen hour into another frozen hour: both are marked and both hold the truth.
  facts.Freeze(kH0 + 3 * kHourMs);
  changed.clear();
  PaymentFact moved = FullPayment("e-0-4", kH0 + kHourMs + 9);
  EXPECT_TRUE(facts.Put("e-0-4", kH0 + kHourMs, moved, "daydream", changed));
  EXPECT_EQ(changed, (ChangedSlices{{"daydream", kH0}, {"daydream", kH0 + kHourMs}}));
  facts.Freeze(kH0 + 3 * kHourMs);
  std::vector<PaymentFact> hour0 = Copies(facts.At(kH0));
  ASSERT_EQ(hour0.size(), 4u);
  EXPECT_EQ(hour0[2], relinked);
  std::vector<PaymentFact> hour1 = Copies(facts.At(kH0 + kHourMs));
  ASSERT_EQ(hour1.size(), 6u);
  EXPECT_EQ(hour1[0], moved);  // "e-0-4" sorts before "e-1-…"

  // A new key into a frozen hour.
  facts.Freeze(kH0 + 3 * kHourMs);
  EXPECT_TRUE(facts.Put("e-2-9", kH0 + 2 * kHourMs, FullPayment("e-2-9", 1), "daydream", changed));
  EXPECT_EQ(facts.At(kH0 + 2 * kHourMs).size(), 6u);
}

TEST_F(FrozenHours, SpilledFramesAreReadBackFromTheFile) {
  FrameFile file;
  facts.SpillTo(&file);
  EXPECT_EQ(Copies(facts.At(kH0)), expected[0]);  // frozen in memory before the spill: thawed
  facts.Freeze(kH0 + 3 * kHourMs);                // hours 0 and 2 to the file; 1 stays in memory
  EXPECT_EQ(facts.frozen_hours(), 3u);
  const int64_t two_hours = file.file_bytes();
  EXPECT_GT(two_hours, 0);
  auto read_all = [&] {
    EXPECT_EQ(Copies(facts.At(kH0 + 2 * kHourMs)), expected[2]);
    EXPECT_EQ(Copies(facts.At(kH0)), expected[0]);
    ASSERT_NE(facts.Find("e-1-0"), nullptr);
    EXPECT_EQ(*facts.Find("e-1-0"), expected[1][0]);
    EXPECT_EQ(facts.frozen_hours(), 0u);
  };
  read_all();
  facts.Freeze(kH0 + 3 * kHourMs);  // hour 1 is appended; hours 0 and 2 reuse their extents
  const int64_t three_hours = file.file_bytes();
  EXPECT_GT(three_hours, two_hours);
  read_all();
  facts.Freeze(kH0 + 3 * kHourMs);  // frozen again unchanged: the file does not grow
  EXPECT_EQ(file.file_bytes(), three_hours);
  // A grown hour no longer fits its extent and goes to the end of the file.
  ASSERT_TRUE(facts.Put("e-0-9", kH0, FullPayment("e-0-9", kH0 + 9), "daydream", changed));
  facts.Freeze(kH0 + 3 * kHourMs);
  EXPECT_GT(file.file_bytes(), three_hours);
  expected[0].push_back(FullPayment("e-0-9", kH0 + 9));
  EXPECT_EQ(Copies(facts.At(kH0)), expected[0]);
  EXPECT_EQ(Copies(facts.At(kH0 + kHourMs)), expected[1]);
  EXPECT_EQ(Copies(facts.At(kH0 + 2 * kHourMs)), expected[2]);
}

TEST_F(FrozenHours, DropBeforeForgetsFrozenAndThawedHoursAndKeepsTheRest) {
  FrameFile file;
  facts.SpillTo(&file);
  EXPECT_EQ(Copies(facts.At(kH0)), expected[0]);  // hour 0 thawed, hour 1 frozen, 2 never frozen
  facts.DropBefore(kH0 + 2 * kHourMs);
  EXPECT_EQ(facts.frozen_hours(), 0u);
  EXPECT_TRUE(facts.At(kH0).empty());
  EXPECT_TRUE(facts.At(kH0 + kHourMs).empty());
  EXPECT_EQ(facts.Find("e-0-3"), nullptr);
  EXPECT_EQ(facts.Find("e-1-0"), nullptr);
  EXPECT_EQ(Copies(facts.At(kH0 + 2 * kHourMs)), expected[2]);
  // A dropped key is new again; the kept hour freezes and thaws as before.
  EXPECT_TRUE(facts.Put("e-1-0", kH0 + 2 * kHourMs, expected[1][0], "daydream", changed));
  expected[2].insert(expected[2].begin(), expected[1][0]);
  facts.Freeze(kH0 + 3 * kHourMs);
  EXPECT_EQ(facts.frozen_hours(), 1u);
  EXPECT_EQ(Copies(facts.At(kH0 + 2 * kHourMs)), expected[2]);
  facts.DropBefore(kH0 + 3 * kHourMs);
  EXPECT_TRUE(facts.At(kH0 + 2 * kHourMs).empty());
  EXPECT_EQ(facts.Find("e-2-0"), nullptr);
}

// Puts in random key order, moves between hours and reads in between: every read of an hour
// gives its facts in key order, as a sorted model of the same puts does.
TEST(HourlyFacts, ReadsAreInKeyOrderWhateverThePutOrder) {
  Payments facts;
  ChangedSlices changed;
  std::map<Millis, std::map<std::string, Millis>> model;  // hour → key → fact's event_ts
  std::map<std::string, Millis> hour_of;
  std::mt19937 rng(11);
  for (int step = 0; step < 2'000; ++step) {
    const std::string id = "e-" + std::to_string(rng() % 500);
    const Millis hour = kH0 + static_cast<Millis>(rng() % 3) * kHourMs;
    const Millis ts = hour + step;
    facts.Put(id, hour, FullPayment(id, ts), "daydream", changed);
    if (const auto was = hour_of.find(id); was != hour_of.end()) model[was->second].erase(id);
    model[hour][id] = ts;
    hour_of[id] = hour;
    if (step % 97 == 0) facts.Freeze(kH0 + kHourMs);  // the first hour freezes now and then
    if (step % 7 != 0) continue;
    const Millis read = kH0 + static_cast<Millis>(rng() % 3) * kHourMs;
    std::vector<PaymentFact> want;
    for (const auto& [key, at] : model[read]) want.push_back(FullPayment(key, at));
    ASSERT_EQ(Copies(facts.At(read)), want) << "step " << step;
  }
}

// Every key hashes to one of two values, so frozen keys share hashes across hours.
struct TwoValueHash {
  size_t operator()(const std::string& key) const { return key.back() % 2; }
};

TEST(FrozenKeys, KeysSharingAHashAreFoundInTheirOwnHour) {
  HourlyFacts<std::string, PaymentFact, TwoValueHash> facts;
  ChangedSlices changed;
  for (int h = 0; h < 4; ++h) {
    for (int i = 0; i < 4; ++i) {
      const std::string id = "p" + std::to_string(h) + std::to_string(i);
      facts.Put(id, kH0 + h * kHourMs, FullPayment(id, h), "daydream", changed);
    }
  }
  facts.Freeze(kH0 + 4 * kHourMs);
  EXPECT_EQ(facts.frozen_hours(), 4u);
  ASSERT_NE(facts.Find("p21"), nullptr);
  EXPECT_EQ(*facts.Find("p21"), FullPayment("p21", 2));
  EXPECT_EQ(facts.Find("p51"), nullptr);  // an unknown key whose hash is held
  facts.Freeze(kH0 + 4 * kHourMs);
  // A frozen key moved to another frozen hour is found there, once.
  EXPECT_TRUE(facts.Put("p03", kH0 + 3 * kHourMs, FullPayment("p03", 9), "daydream", changed));
  facts.Freeze(kH0 + 4 * kHourMs);
  EXPECT_EQ(facts.At(kH0).size(), 3u);
  EXPECT_EQ(facts.At(kH0 + 3 * kHourMs).size(), 5u);
  facts.Freeze(kH0 + 4 * kHourMs);
  ASSERT_NE(facts.Find("p03"), nullptr);
  EXPECT_EQ(*facts.Find("p03"), FullPayment("p03", 9));
}

TEST(FrozenKeys, DiscoveryKeysFreezeAndThaw) {
  HourlyFacts<std::pair<std::string, int>, DiscoveryFact,
              decltype([](const std::pair<std::string, int>& k) {
                return std::hash<std::string>{}(k.first) + static_cast<size_t>(k.second);
              })>
      facts;
  ChangedSlices changed;
  DiscoveryFact row;
  row.event_id = "e-1";
  row.rank = 2;
  facts.Put({"e-1", 2}, kH0, row, "daydream", changed);
  facts.Freeze(kH0 + kHourMs);
  EXPECT_EQ(facts.frozen_hours(), 1u);
  ASSERT_NE(facts.Find(std::pair<std::string, int>("e-1", 2)), nullptr);
  EXPECT_EQ(*facts.Find(std::pair<std::string, int>("e-1", 2)), row);
  EXPECT_EQ(facts.Find(std::pair<std::string, int>("e-1", 3)), nullptr);
}

}  // namespace
}  // namespace naap::resolve
