// Classification edges of spec/events.md §1.4, §2, §3 beyond the §8 vectors.
#include <gtest/gtest.h>

#include "event/test_util.h"

namespace naap::event {
namespace {
using testing::DecoderHarness;
using testing::HasNote;

constexpr std::string_view kTrace =
    R"({"id":"t1","type":"stream_trace","timestamp":"1767909000000","data":{"type":"gateway_ingest_stream_closed","stream_id":"s1","request_id":"r1"}})";

TEST(Decoder, MalformedInputs) {
  DecoderHarness h;
  EXPECT_EQ(h.Kafka("").reason, "malformed_json");
  EXPECT_EQ(h.Kafka("[1,2]").reason, "malformed_json");
  EXPECT_EQ(h.Kafka("\"x\"").reason, "malformed_json");
  std::string bad_utf8 = R"({"id":"x)" + std::string("\xff\xfe") + R"(","type":"a","timestamp":1767909000000})";
  EXPECT_EQ(h.Kafka(bad_utf8).reason, "malformed_json");
  EXPECT_EQ(h.Kafka(R"({"value":42,"topic":"streaming_events"})").reason, "malformed_json");
  EXPECT_EQ(h.Kafka(R"({"value":"[1]"})").reason, "malformed_json");
  const Decoded& tail = h.decoder().Decode(DecodeInput{kTrace, "streaming_events", "", true, testing::kIngestMs});
  EXPECT_EQ(tail.cls, MessageClass::kRejected);
  EXPECT_EQ(tail.reason, "malformed_json");
}

TEST(Decoder, HeaderReadIsCalledForEveryMessageWhoseHeaderWasRead) {
  DecoderHarness h;
  std::vector<std::pair<std::string, std::string>> calls;
  const std::function<void(std::string_view, std::string_view)> header_read =
      [&calls](std::string_view org, std::string_view event_id) {
        calls.emplace_back(org, event_id);
      };
  auto decode = [&](std::string_view bytes) -> const Decoded& {
    DecodeInput in{bytes, "streaming_events", "", false, testing::kIngestMs};
    in.header_read = &header_read;
    return h.decoder().Decode(in);
  };
  const Decoded& trace = decode(kTrace);
  EXPECT_EQ(trace.cls, MessageClass::kAccepted);
  ASSERT_FALSE(trace.org.empty());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0], std::make_pair(trace.org, std::string("t1")));
  // A payload that fails its family's decoding, and a family naap does not decode: the header was
  // read all the same.
  EXPECT_EQ(
      decode(R"({"id":"p1","type":"create_new_payment","timestamp":"1767909000000","data":{}})")
          .reason,
      "invalid_payload");
  EXPECT_EQ(
      decode(R"({"id":"w1","type":"webrtc_stats","timestamp":"1767909000000","data":{}})").reason,
      "unsupported_event_family");
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[1].second, "p1");
  EXPECT_EQ(calls[2].second, "w1");
  // No header: malformed JSON, a missing id.
  EXPECT_EQ(decode("{").reason, "malformed_json");
  EXPECT_EQ(decode(R"({"type":"stream_trace","timestamp":"1767909000000","data":{}})").reason,
            "missing_event_id");
  EXPECT_EQ(calls.size(), 3u);
}

TEST(Decoder, OrgResolutionOrder) {
  DecoderHarness h;
  EXPECT_EQ(h.File(kTrace).reason, "unknown_org");
  EXPECT_EQ(h.File(kTrace, "acme").org, "acme");
  std::string wrapped = R"({"topic":"network-events","value":)" + std::string(kTrace) + "}";
  EXPECT_EQ(h.File(wrapped).org, "daydream");
  EXPECT_EQ(h.File(wrapped, "acme").org, "acme");  // --org overrides the wrapper topic
  EXPECT_EQ(h.Kafka(kTrace, "unmapped").reason, "unknown_org");
}

TEST(Decoder, WrapperValueAsStringAndExactText) {
  DecoderHarness h;
  std::string as_string =
      R"({"topic":"streaming-events","value":"{\"id\":\"w1\",\"type\":\"stream_trace\",\"timestamp\":\"1767909000000\",\"data\":{\"type\":\"gateway_ingest_stream_closed\",\"stream_id\":\"s1\",\"request_id\":\"r1\"}}"})";
  const Decoded& d = h.File(as_string);
  ASSERT_EQ(d.cls, MessageClass::kAccepted) << d.detail;
  EXPECT_EQ(d.event_id, "w1");
  EXPECT_TRUE(d.envelope.starts_with(R"({"id":"w1","type")"));
  std::string spaced = R"({ "value" :  )" + std::string(kTrace) + R"(  , "topic":"streaming_events"})";
  EXPECT_EQ(h.File(spaced).envelope, kTrace);
  // A message with both value and data is an envelope, not a wrapper.
  std::string both = R"({"id":"b","type":"webrtc_stats","timestamp":1767909000000,"value":1,"data":{}})";
  EXPECT_EQ(h.Kafka(both).reason, "unsupported_event_family");
}

TEST(Decoder, EnvelopeFieldKinds) {
  DecoderHarness h;
  const Decoded& numeric_id = h.Kafka(
      R"({"id":12345,"type":" Stream_Trace ","timestamp":1767909000000.7,"gateway":"0xD00354656922168815Fcd1e51CBddB9e359e3C7F","data":{"type":"gateway_ingest_stream_closed","stream_id":"s1","request_id":"r1","schema_version":"2"}})");
  ASSERT_EQ(numeric_id.cls, MessageClass::kAccepted) << numeric_id.detail;
  EXPECT_EQ(numeric_id.event_id, "12345");
  EXPECT_EQ(numeric_id.family, "stream_trace");
  EXPECT_EQ(numeric_id.event_ts, 1767909000000);
  EXPECT_EQ(numeric_id.gateway, "0xd00354656922168815fcd1e51cbddb9e359e3c7f");
  EXPECT_EQ(numeric_id.schema_version, "2");
  const Decoded& bad_gateway = h.Kafka(
      R"({"id":"g","type":"stream_trace","timestamp":"1767909000000","gateway":{},"data":{"type":"gateway_ingest_stream_closed","stream_id":"s1","request_id":"r1"}})");
  EXPECT_EQ(bad_gateway.cls, MessageClass::kAccepted);
  EXPECT_TRUE(HasNote(bad_gateway, "field_type_mismatch", "gateway"));
  EXPECT_EQ(h.Kafka(R"({"id":true,"type":"x","timestamp":"1767909000000"})").reason, "missing_event_id");
  EXPECT_EQ(h.Kafka(R"({"id":"x","type":7,"timestamp":"1767909000000"})").reason, "missing_event_type");
  // Range: ingest + 24 h inclusive, 2015-01-01 inclusive.
  EXPECT_EQ(h.Kafka(R"({"id":"x","type":"x","timestamp":1768003200000})").reason, "unsupported_event_family");
  EXPECT_EQ(h.Kafka(R"({"id":"x","type":"x","timestamp":1768003200001})").reason, "bad_timestamp");
  EXPECT_EQ(h.Kafka(R"({"id":"x","type":"x","timestamp":"2015-01-01T00:00:00Z"})").reason, "unsupported_event_family");
  EXPECT_EQ(h.Kafka(R"({"id":"x","type":"x","timestamp":"2014-12-31T23:59:59.999Z"})").reason, "bad_timestamp");
}

// §2.1: an id that is a number is its literal text; only a string is a gateway.
TEST(Decoder, NumericIdIsItsLiteralTextAndNumericGatewayIsAMismatch) {
  DecoderHarness h;
  const Decoded& d = h.Kafka(
      R"({"id": 1.50 ,"type":"stream_trace","timestamp":"1767909000000","gateway":42,"data":{"type":"gateway_ingest_stream_closed","stream_id":"s1","request_id":"r1","schema_version":3}})");
  ASSERT_EQ(d.cls, MessageClass::kAccepted) << d.detail;
  EXPECT_EQ(d.event_id, "1.50");
  EXPECT_EQ(d.gateway, "");
  EXPECT_TRUE(HasNote(d, "field_type_mismatch", "gateway: not a string"));
  EXPECT_EQ(d.schema_version, "3");  // a number in a string field is its text (§5.1)
  EXPECT_EQ(h.Kafka(R"({"id":1e3,"type":"x","timestamp":"1767909000000"})").event_id, "1e3");
  const Decoded& bad_version = h.Kafka(
      R"({"id":"v","type":"stream_trace","timestamp":"1767909000000","data":{"type":"gateway_ingest_stream_closed","stream_id":"s1","request_id":"r1","schema_version":{}}})");
  EXPECT_EQ(bad_version.schema_version, "");
  EXPECT_TRUE(HasNote(bad_version, "field_type_mismatch", "data.schema_version"));
}

// §4.0: four families have no subtype, whatever their data.type says; a numeric data.type is the
// subtype's text, except for stream_trace (§3.1 rows 8–10 read strings only).
TEST(Decoder, SubtypeOnlyForFamiliesThatHaveOne) {
  DecoderHarness h;
  const Decoded& ingest = h.Kafka(
      R"({"id":"i","type":"stream_ingest_metrics","timestamp":"1767909000000","data":{"type":"Foo","stream_id":"s","request_id":"r"}})");
  ASSERT_EQ(ingest.cls, MessageClass::kAccepted) << ingest.detail;
  EXPECT_EQ(ingest.subtype, "");
  EXPECT_EQ(ingest.records.header.subtype, "");
  const Decoded& numeric = h.Kafka(
      R"({"id":"e","type":"ai_stream_events","timestamp":"1767909000000","data":{"type":5,"stream_id":"s","request_id":"r"}})");
  ASSERT_EQ(numeric.cls, MessageClass::kAccepted) << numeric.detail;
  EXPECT_EQ(numeric.subtype, "5");
  EXPECT_EQ(numeric.records.stream_events.at(0).event_name, "5");
  EXPECT_EQ(
      h.Kafka(
           R"({"id":"t","type":"stream_trace","timestamp":"1767909000000","data":{"type":5,"stream_id":"s","request_id":"r"}})")
          .reason,
      "unsupported_stream_trace_type");
}

// Line 26: an optional object member of another kind reads as absent, with a note.
TEST(Decoder, OptionalObjectsOfAnotherKindAreNoted) {
  DecoderHarness h;
  const Decoded& status = h.Kafka(
      R"({"id":"s","type":"ai_stream_status","timestamp":"1767909000000","data":{"type":"status","stream_id":"s","request_id":"r","pipeline":"x","inference_status":"oops","input_status":7}})");
  ASSERT_EQ(status.cls, MessageClass::kAccepted) << status.detail;
  EXPECT_TRUE(HasNote(status, "field_type_mismatch", "data.inference_status: not an object"));
  EXPECT_TRUE(HasNote(status, "field_type_mismatch", "data.input_status: not an object"));
  EXPECT_TRUE(HasNote(
      h.Kafka(
          R"({"id":"m","type":"stream_ingest_metrics","timestamp":"1767909000000","data":{"stream_id":"s","request_id":"r","stats":5}})"),
      "field_type_mismatch", "data.stats: not an object"));
  const Decoded& stats = h.Kafka(
      R"({"id":"m2","type":"stream_ingest_metrics","timestamp":"1767909000000","data":{"stream_id":"s","request_id":"r","stats":{"peer_conn_stats":"x","track_stats":{}}}})");
  EXPECT_TRUE(HasNote(stats, "field_type_mismatch", "peer_conn_stats: not an object"));
  EXPECT_TRUE(HasNote(stats, "field_type_mismatch", "track_stats: not an array"));
  const Decoded& caps = h.Kafka(
      R"({"id":"c","type":"network_capabilities","timestamp":"1767909000000","data":[{"address":"0xa","capabilities":"x","price_info":[]},{"address":"0xb","capabilities":{"constraints":{"PerCapability":{"27":{"models":1}}}}}]})");
  ASSERT_EQ(caps.cls, MessageClass::kAccepted) << caps.detail;
  EXPECT_EQ(caps.records.capability_snapshots.size(), 2u);
  for (const char* what : {"data[].capabilities: not an object", "price_info: not an object",
                           "models: not an object"}) {
    EXPECT_TRUE(HasNote(caps, "field_type_mismatch", what)) << what;
  }
}

// §4.14: `model` is the first worker option whose model survives §5.5 (a pipeline name in the
// model slot does not).
TEST(Decoder, WorkerModelSkipsOptionsThatNormaliseToNoModel) {
  DecoderHarness h;
  const Decoded& d = h.Kafka(
      R"({"id":"w","type":"worker_lifecycle","timestamp":"1767909000000","data":{"id":"w-1","type":"worker_registered","worker_options":[{"model":"llm"},{"model_id":"Qwen/Qwen2.5-14B"},{"model":""}]}})");
  ASSERT_EQ(d.cls, MessageClass::kAccepted) << d.detail;
  const WorkerSnapshot& w = d.records.worker_snapshots.at(0);
  EXPECT_EQ(w.model, "Qwen/Qwen2.5-14B");
  EXPECT_EQ(w.models, std::vector<std::string>{"Qwen/Qwen2.5-14B"});
  EXPECT_EQ(w.options_raw, R"([{"model":"llm"},{"model_id":"Qwen/Qwen2.5-14B"},{"model":""}])");
}

// §4.14 "raw array kept": worker_options' text as received, minified, also when `data` came as a
// JSON string; nothing when it is not an array.
TEST(Decoder, WorkerOptionsKeepTheirRawText) {
  DecoderHarness h;
  const Decoded& spaced = h.Kafka(
      R"({"id":"w1","type":"worker_lifecycle","timestamp":"1767909000000","data":{"type":"worker_registered","worker_options" : [ {"model": "M", "extra": 1.50, "n": null} ] }})");
  ASSERT_EQ(spaced.cls, MessageClass::kAccepted) << spaced.detail;
  EXPECT_EQ(spaced.records.worker_snapshots.at(0).options_raw,
            R"([{"model":"M","extra":1.50,"n":null}])");
  const Decoded& as_string = h.Kafka(
      R"({"id":"w2","type":"worker_lifecycle","timestamp":"1767909000000","data":"{\"type\":\"worker_registered\",\"worker_options\":[{\"model\":\"M\"}]}"})");
  ASSERT_EQ(as_string.cls, MessageClass::kAccepted) << as_string.detail;
  EXPECT_EQ(as_string.records.worker_snapshots.at(0).options_raw, R"([{"model":"M"}])");
  const Decoded& not_array = h.Kafka(
      R"({"id":"w3","type":"worker_lifecycle","timestamp":"1767909000000","data":{"type":"worker_registered","worker_options":{"model":"M"}}})");
  EXPECT_EQ(not_array.records.worker_snapshots.at(0).options_raw, "");
  EXPECT_TRUE(HasNote(not_array, "field_type_mismatch", "worker_options"));
}

TEST(Decoder, OptionalFieldMismatchesAreNotes) {
  DecoderHarness h;
  const Decoded& d = h.Kafka(
      R"({"id":"n","type":"ai_stream_status","timestamp":"1767909000000","data":{"type":"status","stream_id":"s","request_id":"r","pipeline":"x","start_time":"soon","inference_status":{"fps":-1,"restart_count":2.5},"input_status":{"fps":"12.5"}}})");
  ASSERT_EQ(d.cls, MessageClass::kAccepted) << d.detail;
  const StatusSample& s = d.records.status_samples.at(0);
  EXPECT_EQ(s.output_fps, std::nullopt);
  EXPECT_EQ(s.restart_count, std::nullopt);
  EXPECT_EQ(s.start_time_ms, std::nullopt);
  EXPECT_EQ(s.input_fps, 12.5);
  EXPECT_TRUE(HasNote(d, "field_type_mismatch", "data.inference_status.fps: negative"));
  EXPECT_TRUE(HasNote(d, "field_type_mismatch", "restart_count"));
  EXPECT_TRUE(HasNote(d, "field_type_mismatch", "start_time"));
}

TEST(Decoder, RequiredFieldsAndKinds) {
  DecoderHarness h;
  EXPECT_EQ(h.Kafka(R"({"id":"a","type":"ai_stream_status","timestamp":"1767909000000","data":{"stream_id":"s","request_id":"r"}})").detail,
            "data.pipeline: absent");
  EXPECT_EQ(h.Kafka(R"({"id":"a","type":"job_gateway","timestamp":"1767909000000","data":{"type":""}})").reason,
            "invalid_payload");
  EXPECT_EQ(h.Kafka(R"({"id":"a","type":"job_gateway","timestamp":"1767909000000","data":[1]})").reason,
            "invalid_payload");
  EXPECT_EQ(h.Kafka(R"({"id":"a","type":"network_capabilities","timestamp":"1767909000000","data":"nope"})").reason,
            "invalid_payload");
  EXPECT_EQ(h.Kafka(R"({"id":"a","type":"stream_trace","timestamp":"1767909000000","data":"nope"})").reason,
            "unsupported_stream_trace_type");
  EXPECT_EQ(h.Kafka(R"({"id":"a","type":"ai_llm_request","timestamp":"1767909000000","data":{"type":"llm_request_started","request_id":"q"}})").records.Count(),
            0u);
}

TEST(Decoder, CapabilitySkipsAreNoted) {
  DecoderHarness h;
  const Decoded& d = h.Kafka(
      R"({"id":"c","type":"network_capabilities","timestamp":"1767909000000","data":[7,{"address":""},{"address":"0xA","orch_uri":"u","capabilities":{"constraints":{"PerCapability":{"x":{},"27":{"models":{"StreamDiffusion":{"capacity":0}}}}}},"capabilities_prices":[{"capability":0,"pricePerUnit":1,"pixelsPerUnit":1},{"capability":27,"pricePerUnit":"99999999999999999999","pixelsPerUnit":3}],"price_info":{"pricePerUnit":0,"pixelsPerUnit":1},"hardware":[{"pipeline":""},{"pipeline":"Custom","gpu_info":{"1":{"id":"B","memory_total":0},"0":{"id":"A","minor":5},"k":{}}}]},{"address":"0xa","orch_uri":"U/"}]})");
  ASSERT_EQ(d.cls, MessageClass::kAccepted) << d.detail;
  ASSERT_EQ(d.records.capability_snapshots.size(), 1u);
  const CapabilitySnapshot& s = d.records.capability_snapshots[0];
  ASSERT_EQ(s.offers.size(), 1u);
  EXPECT_EQ(s.offers[0].model_id, "streamdiffusion");
  EXPECT_EQ(s.offers[0].capacity, 0);
  ASSERT_EQ(s.prices.size(), 1u);
  EXPECT_EQ(s.prices[0].price_per_unit.ToString(), "99999999999999999999");
  ASSERT_EQ(s.hardware.size(), 2u);
  EXPECT_EQ(s.hardware[0].gpu_id, "A");
  EXPECT_EQ(s.hardware[0].gpu_compute_minor, 5);
  EXPECT_EQ(s.hardware[0].gpu_compute_major, std::nullopt);
  EXPECT_EQ(s.hardware[1].gpu_slot, 1);
  EXPECT_EQ(s.hardware[1].gpu_memory_bytes_total, std::nullopt);
  EXPECT_EQ(s.hardware[1].capability_id, 37);
  for (const char* what : {"capability element without address", "duplicate capability element",
                           "offer key", "price row", "hardware entry", "GPU entry"}) {
    EXPECT_TRUE(HasNote(d, "element_skipped", what)) << what;
  }
}

TEST(Decoder, ReusedAcrossCallsWithoutLeakingState) {
  DecoderHarness h;
  ASSERT_EQ(h.Kafka(kTrace).records.stream_traces.size(), 1u);
  const Decoded& d = h.Kafka(R"({"id":"z","type":"webrtc_stats","timestamp":"1767909000000"})");
  EXPECT_EQ(d.records.Count(), 0u);
  EXPECT_EQ(d.subtype, "");
  EXPECT_TRUE(d.notes.empty());
}

// A taken result outlives later calls; handed back as a spare, it is filled by the decode after
// the next take, with nothing left of the message it held.
TEST(Decoder, TakenResultsOutliveLaterCallsAndComeBackAsSpares) {
  constexpr std::string_view kStats =
      R"({"id":"z","type":"webrtc_stats","timestamp":"1767909000000"})";
  DecoderHarness h;
  h.Kafka(kTrace);
  std::unique_ptr<Decoded> trace = h.decoder().TakeResult();
  h.Kafka(kStats);
  EXPECT_EQ(trace->event_id, "t1");
  EXPECT_EQ(trace->subtype, "gateway_ingest_stream_closed");
  ASSERT_EQ(trace->records.stream_traces.size(), 1u);
  EXPECT_EQ(trace->records.stream_traces[0].key.stream_id, "s1");

  const Decoded* spare = trace.get();
  std::unique_ptr<Decoded> stats = h.decoder().TakeResult(std::move(trace));
  EXPECT_EQ(stats->event_id, "z");
  const Decoded& reused = h.Kafka(kStats);
  EXPECT_EQ(&reused, spare);
  EXPECT_EQ(reused.cls, stats->cls);
  EXPECT_EQ(reused.reason, stats->reason);
  EXPECT_EQ(reused.event_id, "z");
  EXPECT_EQ(reused.family, "webrtc_stats");
  EXPECT_EQ(reused.subtype, "");
  EXPECT_EQ(reused.records.Count(), 0u);
  EXPECT_EQ(reused.records.header.event_id, "");
}

TEST(Provenance, TextOfKafkaAndFileMessages) {
  const Provenance kafka{
      .source = "kafka", .topic = "streaming_events", .partition = 3, .offset = 1234567890123};
  EXPECT_EQ(kafka.ToString(), "kafka:streaming_events/3@1234567890123");
  const Provenance file{
      .source = "file", .path = "/data/events.ndjson", .index = 42, .byte_offset = 9001};
  EXPECT_EQ(file.ToString(), "file:/data/events.ndjson:42@9001");
  const Provenance stdin_line{.source = "file", .path = "-", .index = 1};
  std::string appended = "prefix|";
  stdin_line.AppendTo(appended);
  EXPECT_EQ(appended, "prefix|file:-:1@0");
  const Provenance unset_partition{.source = "kafka", .topic = "t", .offset = -1};
  EXPECT_EQ(unset_partition.ToString(), "kafka:t/-1@-1");
}

}  // namespace
}  // namespace naap::event
