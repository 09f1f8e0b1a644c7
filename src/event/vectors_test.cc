// One test per test vector of spec/events.md §8 (topic streaming_events, ingest 2026-01-09).
#include <gtest/gtest.h>

#include "base/time.h"
#include "event/test_util.h"

namespace naap::event {
namespace {
using testing::DecoderHarness;
using testing::HasNote;

constexpr std::string_view kV01 =
    R"({"id":"59485235-8460-472f-a894-3b84f37ee9bb","type":"stream_trace","timestamp":"1767908945298","gateway":"","data":{"orchestrator_info":{"address":"","url":""},"pipeline_id":"","request_id":"db936fab","stream_id":"stream-o5s73x-mk5zc8fy","timestamp":1767908945298,"type":"gateway_receive_stream_request"}})";
constexpr std::string_view kV02 =
    R"({"id":"log-1","timestamp":1767908945559,"type":"discovery_results","topic":"streaming-events","partition":0,"offset":0,"value":{"id":"86efc363-271e-4e51-93b2-80c0034f22b4","type":"discovery_results","timestamp":"1767908945559","gateway":"","data":[{"address":"0x52cf2968b3dc6016778742d3539449a6597d5954","latency_ms":"77","url":"https://rtav-orch2.xodeapp.xyz:28935"}]},"expanded":false})";
constexpr std::string_view kV11 =
    R"({"id":"9c838785-dc30-4725-9769-34cc47792393","type":"create_new_payment","timestamp":"1767908945560","gateway":"","data":{"capability":"","clientIP":"","faceValue":"2402400000000000 WEI","manifestID":"35_streamdiffusion-sdxl-faceid","numTickets":"2","orchestrator":"https://rtav-orch2.xodeapp.xyz:28935","price":"1635.021 wei/pixel","recipient":"0xd00354656922168815Fcd1e51CBddB9e359e3C7F","requestID":"db936fab","sender":"0x5aE4E42dB3671370a0c25AfF451E7482aAEc3D0B","sessionID":"01b55632","winProb":"0.0009990010"}})";
constexpr std::string_view kV20 =
    R"({"id":"v20","type":"worker_lifecycle","timestamp":"1767909100000","data":{"id":"w-1","type":"worker_registered","capability":"openai-chat-completions","worker_url":"http://10.0.0.5:8000","price_per_unit":2500,"worker_options":[{"model":"Qwen/Qwen2.5-14B-Instruct-AWQ"}],"orchestrator_info":{"address":"0xd00354656922168815fcd1e51cbddb9e359e3c7f","url":"https://livepeer-ai.xodeapp.xyz:18935"}}})";

std::string Replace(std::string_view text, std::string_view from, std::string_view to) {
  std::string s(text);
  size_t pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

class VectorTest : public ::testing::Test {
 protected:
  void ExpectAccepted(const Decoded& d) {
    EXPECT_EQ(d.cls, MessageClass::kAccepted) << d.reason << " " << d.detail;
    EXPECT_EQ(d.reason, "");
  }
  void ExpectClass(const Decoded& d, MessageClass cls, std::string_view reason) {
    EXPECT_EQ(d.cls, cls);
    EXPECT_EQ(d.reason, reason) << d.detail;
    EXPECT_TRUE(d.records.stream_traces.empty() && d.records.Count() == 0);
  }
  DecoderHarness h;
};

TEST_F(VectorTest, V01StreamRequestTrace) {
  const Decoded& d = h.Kafka(kV01);
  ExpectAccepted(d);
  EXPECT_EQ(d.org, "cloudspe");
  EXPECT_EQ(d.family, "stream_trace");
  EXPECT_EQ(d.subtype, "gateway_receive_stream_request");
  EXPECT_EQ(FormatRfc3339Ms(d.event_ts), "2026-01-08T21:49:05.298Z");
  EXPECT_EQ(d.envelope, kV01);
  ASSERT_EQ(d.records.stream_traces.size(), 1u);
  const StreamTrace& t = d.records.stream_traces[0];
  EXPECT_EQ(t.key.session_key, "cloudspe|stream-o5s73x-mk5zc8fy|db936fab");
  EXPECT_EQ(t.orch.orch_reported_address, "");
  EXPECT_EQ(t.orch.orch_url, "");
  EXPECT_EQ(t.orch.orch_url_norm, "");
  EXPECT_EQ(t.pipeline, "");
  EXPECT_EQ(t.model, "");
  EXPECT_EQ(d.records.header.event_id, "59485235-8460-472f-a894-3b84f37ee9bb");
  EXPECT_EQ(d.records.header.ingested_at, testing::kIngestMs);
}

TEST_F(VectorTest, V02ExportWrapperWithTopic) {
  const Decoded& d = h.File(kV02);
  ExpectAccepted(d);
  EXPECT_EQ(d.org, "cloudspe");
  EXPECT_EQ(d.event_id, "86efc363-271e-4e51-93b2-80c0034f22b4");
  EXPECT_TRUE(d.envelope.starts_with(R"({"id":"86efc363)"));
  EXPECT_TRUE(d.envelope.ends_with(R"(28935"}]})"));
  ASSERT_EQ(d.records.discovery_rows.size(), 1u);
  EXPECT_EQ(d.records.discovery_rows[0].rank, 0);
  EXPECT_EQ(d.records.discovery_rows[0].latency_ms, 77.0);
  EXPECT_EQ(d.records.discovery_rows[0].orch_url_norm, "https://rtav-orch2.xodeapp.xyz:28935");
}

TEST_F(VectorTest, V03StatusSample) {
  const Decoded& d = h.Kafka(
      R"({"id":"f0f0e510-9cda-4879-8546-6adbc080fb6e","type":"ai_stream_status","timestamp":"1767908955607","gateway":"","data":{"type":"status","stream_id":"stream-o5s73x-mk5zc8fy","request_id":"db936fab","pipeline":"streamdiffusion-sdxl-faceid","pipeline_id":"","state":"ONLINE","start_time":1767908945607,"inference_status":{"fps":17.298215447072742,"last_error":null,"last_error_time":null,"restart_count":0},"input_status":{"fps":20.484865861692217},"orchestrator_info":{"address":"0x52cf2968b3dc6016778742d3539449a6597d5954","url":"https://rtav-orch2.xodeapp.xyz:28935"}}})");
  ExpectAccepted(d);
  ASSERT_EQ(d.records.status_samples.size(), 1u);
  const StatusSample& s = d.records.status_samples[0];
  EXPECT_EQ(s.model, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(s.pipeline, "live-video-to-video");
  EXPECT_EQ(s.start_time_ms, 1767908945607);
  EXPECT_EQ(s.output_fps, 17.298215447072742);
  EXPECT_EQ(s.input_fps, 20.484865861692217);
  EXPECT_FALSE(s.has_error);
  EXPECT_EQ(s.restart_count, 0);
  EXPECT_EQ(s.e2e_latency_ms, std::nullopt);
  EXPECT_EQ(s.last_error_time_ms, std::nullopt);
  EXPECT_TRUE(s.is_running);
  EXPECT_EQ(s.orch.orch_reported_address, "0x52cf2968b3dc6016778742d3539449a6597d5954");
  EXPECT_TRUE(d.notes.empty());
}

TEST_F(VectorTest, V04NestedFallbacks) {
  const Decoded& d = h.Kafka(
      R"({"id":"v04","type":"ai_stream_status","timestamp":"1767909000000","data":{"type":"status","stream_id":"s1","request_id":"r1","inference_status":{"pipeline":"live-video-to-video","start_time":1743500000.123,"output_fps":24.8,"input_fps":25.0,"last_error":"null","restart_count":1}}})");
  ExpectAccepted(d);
  const StatusSample& s = d.records.status_samples.at(0);
  EXPECT_EQ(s.pipeline, "live-video-to-video");
  EXPECT_EQ(s.model, "");
  EXPECT_EQ(s.start_time_ms, 1743500000123);
  EXPECT_EQ(s.output_fps, 24.8);
  EXPECT_EQ(s.input_fps, 25.0);
  EXPECT_FALSE(s.has_error);
  EXPECT_EQ(s.last_error, "null");
  EXPECT_EQ(s.restart_count, 1);
  EXPECT_EQ(s.state, "");
  EXPECT_FALSE(s.is_running);
}

TEST_F(VectorTest, V05ExcusableError) {
  const Decoded& d = h.Kafka(
      R"({"id":"v05","type":"ai_stream_events","timestamp":"1767909000000","data":{"type":"error","stream_id":"s1","request_id":"r1","pipeline_id":"","pipeline":"live-video-to-video","capability":"LiveVideoToVideo","message":"WHIP disconnected"}})");
  ExpectAccepted(d);
  const StreamEvent& e = d.records.stream_events.at(0);
  EXPECT_TRUE(e.is_error);
  EXPECT_TRUE(e.is_excusable_error);
  EXPECT_FALSE(e.is_swap);
  EXPECT_EQ(e.pipeline, "live-video-to-video");
  EXPECT_EQ(e.model, "");
  EXPECT_EQ(e.capability_label, "LiveVideoToVideo");
  EXPECT_EQ(e.orch.orch_reported_address, "");
  EXPECT_EQ(e.orch.orch_url, "");
}

TEST_F(VectorTest, V06PassedThroughEvent) {
  const Decoded& d = h.Kafka(
      R"({"id":"v06","type":"ai_stream_events","timestamp":"1767909000000","data":{"type":"inference_complete","stream_id":"s1","request_id":"r1","pipeline_id":"","seq":42,"latency_ms":320,"orchestrator_info":{"address":"0x52cf2968b3dc6016778742d3539449a6597d5954","url":"https://rtav-orch2.xodeapp.xyz:28935"}}})");
  ExpectAccepted(d);
  const StreamEvent& e = d.records.stream_events.at(0);
  EXPECT_EQ(e.event_name, "inference_complete");
  EXPECT_FALSE(e.is_error || e.is_swap || e.is_params_update || e.is_excusable_error);
}

TEST_F(VectorTest, V07IngestMetrics) {
  const Decoded& d = h.Kafka(
      R"({"id":"5dd0cf64-52fd-4067-86d7-a0d19508952b","type":"stream_ingest_metrics","timestamp":"1767908950608","gateway":"","data":{"pipeline_id":"","request_id":"db936fab","stream_id":"stream-o5s73x-mk5zc8fy","stats":{"peer_conn_stats":{"ID":"iceTransport","BytesReceived":477890,"BytesSent":4013},"track_stats":[{"type":"video","jitter":10.126770701625134,"packets_lost":0,"packets_received":413,"packet_loss_pct":0,"rtt":0},{"type":"audio","jitter":20.29064497237114,"packets_lost":0,"packets_received":248,"packet_loss_pct":0,"rtt":0}],"conn_quality":"good"}}})");
  ExpectAccepted(d);
  const IngestSample& s = d.records.ingest_samples.at(0);
  EXPECT_EQ(s.bytes_received, 477890);
  EXPECT_EQ(s.bytes_sent, 4013);
  EXPECT_EQ(s.video.packets_received, 413);
  EXPECT_EQ(s.audio.packets_received, 248);
  EXPECT_EQ(s.audio.jitter, 20.29064497237114);
  EXPECT_EQ(s.video.packet_loss_pct, 0.0);
  EXPECT_EQ(s.video.latency, std::nullopt);
  EXPECT_EQ(s.conn_quality, "good");
  EXPECT_EQ(s.key.session_key, "cloudspe|stream-o5s73x-mk5zc8fy|db936fab");
}

TEST_F(VectorTest, V08CapabilitySnapshot) {
  const Decoded& d = h.Kafka(
      R"({"id":"e89def1c-7a3c-40aa-a51a-ad490a305112","type":"network_capabilities","timestamp":"1767909021590","gateway":"","data":[{"address":"0xd00354656922168815Fcd1e51CBddB9e359e3C7F","local_address":"0x52CF2968b3DC6016778742D3539449a6597D5954","orch_uri":"https://rtav-orch2.xodeapp.xyz:28935","capabilities":{"version":"0.8.8-3a5678ec-dirty","constraints":{"PerCapability":{"35":{"models":{"streamdiffusion-sdxl-faceid":{"warm":true,"runnerVersion":"0.14.0","capacityInUse":1}}}}}},"capabilities_prices":[{"pricePerUnit":1618,"pixelsPerUnit":1,"capability":35,"constraint":"streamdiffusion-sdxl-faceid"}],"hardware":[{"pipeline":"live-video-to-video","model_id":"streamdiffusion-sdxl-faceid","gpu_info":{"0":{"id":"GPU-a8d13655-197b-2226-d09f-b4b81e07504b","name":"NVIDIA GeForce RTX 5090","major":12,"memory_free":33595981824,"memory_total":34190917632}}}]}]})");
  ExpectAccepted(d);
  ASSERT_EQ(d.records.capability_snapshots.size(), 1u);
  const CapabilitySnapshot& s = d.records.capability_snapshots[0];
  EXPECT_EQ(s.orch_address, "0xd00354656922168815fcd1e51cbddb9e359e3c7f");
  EXPECT_EQ(s.alias_address, "0x52cf2968b3dc6016778742d3539449a6597d5954");
  EXPECT_EQ(s.version, "0.8.8-3a5678ec-dirty");
  EXPECT_EQ(s.element_hash.size(), 64u);
  EXPECT_TRUE(s.raw_element.starts_with(R"({"address":"0xd00354656922168815Fcd1e51CBddB9e359e3C7F")"));
  ASSERT_EQ(s.offers.size(), 1u);
  EXPECT_EQ(s.offers[0].capability_id, 35);
  EXPECT_EQ(s.offers[0].model_id, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(s.offers[0].canonical_pipeline, "live-video-to-video");
  EXPECT_EQ(s.offers[0].warm, true);
  EXPECT_EQ(s.offers[0].capacity, std::nullopt);
  EXPECT_EQ(s.offers[0].capacity_in_use, 1);
  EXPECT_EQ(s.offers[0].runner_version, "0.14.0");
  ASSERT_EQ(s.prices.size(), 1u);
  EXPECT_EQ(s.prices[0].capability_id, 35);
  EXPECT_EQ(s.prices[0].constraint, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(s.prices[0].price_per_unit.ToString(), "1618");
  EXPECT_EQ(s.prices[0].pixels_per_unit.ToString(), "1");
  ASSERT_EQ(s.hardware.size(), 1u);
  const HardwareRow& hw = s.hardware[0];
  EXPECT_EQ(hw.capability_id, 35);
  EXPECT_EQ(hw.canonical_pipeline, "live-video-to-video");
  EXPECT_EQ(hw.gpu_id, "GPU-a8d13655-197b-2226-d09f-b4b81e07504b");
  EXPECT_EQ(hw.gpu_model_name, "NVIDIA GeForce RTX 5090");
  EXPECT_EQ(hw.gpu_memory_bytes_total, 34190917632);
  EXPECT_EQ(hw.gpu_memory_bytes_free, 33595981824);
  EXPECT_EQ(hw.gpu_compute_major, 12);
  EXPECT_EQ(hw.gpu_compute_minor, 0);
  EXPECT_EQ(hw.gpu_slot, 0);
  EXPECT_TRUE(hw.hardware_present);
}

TEST_F(VectorTest, V09SingleObjectSecondsTimestamp) {
  const Decoded& d = h.Kafka(
      R"({"id":"v09","type":"network_capabilities","timestamp":1767909021,"data":{"address":"0xAbC0000000000000000000000000000000000001","local_address":"10.0.1.10:8935","uri":"HTTPS://Orch-01.Example.com:8935/","version":"0.8.9","hardware":[{"pipeline":"text-to-image","model_id":"stabilityai/sd-turbo","gpu_info":[{"id":"GPU-1","name":"NVIDIA A10G","memory_total":23028}]}]}})");
  ExpectAccepted(d);
  EXPECT_EQ(FormatRfc3339Ms(d.event_ts), "2026-01-08T21:50:21.000Z");
  ASSERT_EQ(d.records.capability_snapshots.size(), 1u);
  const CapabilitySnapshot& s = d.records.capability_snapshots[0];
  EXPECT_EQ(s.alias_address, "");
  EXPECT_EQ(s.orch_local_address, "10.0.1.10:8935");
  EXPECT_EQ(s.orch_uri_norm, "https://orch-01.example.com:8935");
  EXPECT_EQ(s.version, "0.8.9");
  ASSERT_EQ(s.hardware.size(), 1u);
  EXPECT_EQ(s.hardware[0].capability_id, 27);
  EXPECT_EQ(s.hardware[0].gpu_memory_bytes_total, 24146608128);
  EXPECT_EQ(s.hardware[0].gpu_compute_major, std::nullopt);
  EXPECT_EQ(s.hardware[0].gpu_compute_minor, std::nullopt);
}

TEST_F(VectorTest, V10EmptyCapabilities) {
  const Decoded& d =
      h.Kafka(R"({"id":"v10","type":"network_capabilities","timestamp":"1767909000000","data":[]})");
  ExpectAccepted(d);
  EXPECT_TRUE(d.records.capability_snapshots.empty());
}

TEST_F(VectorTest, V11PaymentExactFee) {
  const Decoded& d = h.Kafka(kV11);
  ExpectAccepted(d);
  const Payment& p = d.records.payments.at(0);
  EXPECT_EQ(p.face_value_wei.ToString(), "2402400000000000");
  EXPECT_EQ(p.num_tickets, 2);
  EXPECT_EQ(p.win_prob.ToString(), "0.0009990010");
  EXPECT_EQ(p.expected_fee_wei.ToString(), "4800000004800");
  EXPECT_EQ(p.price_wei_per_pixel, 1635.021);
  EXPECT_EQ(p.manifest_capability_id, 35);
  EXPECT_EQ(p.pipeline, "live-video-to-video");
  EXPECT_EQ(p.model, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(p.recipient_address, "0xd00354656922168815fcd1e51cbddb9e359e3c7f");
  EXPECT_EQ(p.sender_address, "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b");
  EXPECT_EQ(p.request_id, "db936fab");
  EXPECT_EQ(p.payment_session_id, "01b55632");
  EXPECT_EQ(p.orch_url_norm, "https://rtav-orch2.xodeapp.xyz:28935");
}

TEST_F(VectorTest, V12PaymentEthFaceValue) {
  const Decoded& d = h.Kafka(
      R"({"id":"v12","type":"create_new_payment","timestamp":"1767909000000","data":{"faceValue":"0.000000100000000000","manifestID":"d05da5dd","numTickets":"1","orchestrator":"https://orch-01.example.com:8935","price":"100.000 wei/pixel","recipient":"0x4a9b6c3d2e1f0a8b7c6d5e4f3a2b1c0d9e8f7a6b","requestID":"","sender":"0x1d2c3b4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b","sessionID":"sess-1","winProb":"0.0010000000"}})");
  ExpectAccepted(d);
  const Payment& p = d.records.payments.at(0);
  EXPECT_EQ(p.face_value_wei.ToString(), "100000000000");
  EXPECT_EQ(p.expected_fee_wei.ToString(), "100000000");
  EXPECT_EQ(p.pipeline, "");
  EXPECT_EQ(p.model, "");
  EXPECT_EQ(p.manifest_capability_id, std::nullopt);
  EXPECT_EQ(p.request_id, "");
  EXPECT_EQ(p.payment_session_id, "sess-1");
  EXPECT_EQ(p.price_wei_per_pixel, 100.0);
}

TEST_F(VectorTest, V13BatchCompleted) {
  const Decoded& d = h.Kafka(
      R"({"id":"v13","type":"ai_batch_request","timestamp":"1767909000000","data":{"type":"ai_batch_request_completed","request_id":"req-001","pipeline":"text-to-image","model_id":"stabilityai/sd-turbo","success":true,"tries":1,"duration_ms":4000,"orch_url":"https://orch-01.example.com:8935","latency_score":0.9,"price_per_unit":0.0001,"error_type":"","error":""}})");
  ExpectAccepted(d);
  EXPECT_EQ(d.subtype, "ai_batch_request_completed");
  const BatchEvent& b = d.records.batch_events.at(0);
  EXPECT_EQ(b.pipeline, "text-to-image");
  EXPECT_EQ(b.model, "stabilityai/sd-turbo");
  EXPECT_EQ(b.success, true);
  EXPECT_EQ(b.tries, 1);
  EXPECT_EQ(b.duration_ms, 4000);
  EXPECT_EQ(b.latency_score, 0.9);
  EXPECT_EQ(b.price_per_unit, 0.0001);
}

TEST_F(VectorTest, V14LlmStreamCompleted) {
  const Decoded& d = h.Kafka(
      R"({"id":"v14","type":"ai_llm_request","timestamp":"1767909000000","data":{"type":"llm_stream_completed","request_id":"req-002","model":"meta-llama/Llama-3.1-8B-Instruct","orch_url":"https://orch-01.example.com:8935","streaming":true,"prompt_tokens":120,"completion_tokens":200,"total_tokens":320,"finish_reason":"stop","total_duration_ms":2500,"tokens_per_second":80.0,"ttft_ms":180,"error":""}})");
  ExpectAccepted(d);
  const LlmEvent& e = d.records.llm_events.at(0);
  EXPECT_EQ(e.pipeline, "llm");
  EXPECT_EQ(e.model, "meta-llama/Llama-3.1-8B-Instruct");
  EXPECT_EQ(e.total_tokens, 320);
  EXPECT_EQ(e.ttft_ms, 180);
  EXPECT_EQ(e.tokens_per_second, 80.0);
  EXPECT_EQ(e.streaming, true);
}

TEST_F(VectorTest, V15LlmRequestCompletedHasNoTtft) {
  const Decoded& d = h.Kafka(
      R"({"id":"v15","type":"ai_llm_request","timestamp":"1767909000000","data":{"type":"llm_request_completed","request_id":"req-004","model":"meta-llama/Llama-3.1-8B-Instruct","streaming":false,"prompt_tokens":50,"completion_tokens":10,"total_tokens":60,"finish_reason":"length"}})");
  ExpectAccepted(d);
  const LlmEvent& e = d.records.llm_events.at(0);
  EXPECT_EQ(e.ttft_ms, std::nullopt);
  EXPECT_EQ(e.finish_reason, "length");
  EXPECT_EQ(e.streaming, false);
}

TEST_F(VectorTest, V16JobGatewayShortForm) {
  const Decoded& d = h.Kafka(
      R"({"id":"v16","type":"job_gateway","timestamp":"1767909100000","data":{"type":"completed","request_id":"req-003","attempt_index":0,"capability":"openai-chat-completions","success":true,"error":null,"duration_ms":2345,"completed_at":1767909100000,"http_status":200,"streaming":true,"orchestrator_info":{"address":"0xD00354656922168815Fcd1e51CBddB9e359e3C7F","url":"https://livepeer-ai.xodeapp.xyz:18935"}}})");
  ExpectAccepted(d);
  EXPECT_EQ(d.subtype, "job_gateway_completed");
  EXPECT_EQ(d.records.header.subtype, "job_gateway_completed");
  EXPECT_EQ(d.event_id, "v16");
  const ByocJobEvent& j = d.records.byoc_job_events.at(0);
  EXPECT_TRUE(j.is_job);
  EXPECT_EQ(j.success, true);
  EXPECT_EQ(j.error, "");
  EXPECT_EQ(j.attempt_index, 0);
  EXPECT_EQ(j.completed_at_ms, 1767909100000);
  EXPECT_EQ(j.http_status, 200);
  EXPECT_EQ(j.capability.capability, "openai-chat-completions");
  EXPECT_EQ(j.orch.orch_reported_address, "0xd00354656922168815fcd1e51cbddb9e359e3c7f");
}

TEST_F(VectorTest, V17JobOrchestrator) {
  const Decoded& d = h.Kafka(
      R"({"id":"v17","type":"job_orchestrator","timestamp":"1767909100000","data":{"type":"job_orchestrator_completed","request_id":"req-003","capability":"openai-chat-completions","duration_ms":2100,"http_status":200,"worker_url":"http://10.0.0.5:8000","charged_compute":true,"orchestrator_info":{"address":"0xd00354656922168815fcd1e51cbddb9e359e3c7f","url":"https://livepeer-ai.xodeapp.xyz:18935"}}})");
  ExpectAccepted(d);
  const OrchestratorJobEvent& j = d.records.orchestrator_job_events.at(0);
  EXPECT_EQ(j.charged_compute, true);
  EXPECT_EQ(j.success, std::nullopt);
  EXPECT_EQ(j.worker_url_norm, "http://10.0.0.5:8000");
  EXPECT_TRUE(d.records.byoc_job_events.empty());
}

TEST_F(VectorTest, V18JobAuth) {
  const Decoded& d = h.Kafka(
      R"({"id":"v18","type":"job_auth","timestamp":"1767909100000","data":{"type":"job_auth_webhook_result","stream_name":"stream-abc","stream_id":"stream-abc123","pipeline":"live-video-to-video","pipeline_id":"pipe-xyz789","success":true,"error":null,"gateway_host":"gw.example.com"}})");
  ExpectAccepted(d);
  const AuthEvent& a = d.records.auth_events.at(0);
  EXPECT_EQ(a.capability_name, "live-video-to-video");
  EXPECT_EQ(a.success, true);
  EXPECT_EQ(a.gateway_host, "gw.example.com");
}

TEST_F(VectorTest, V19JobPayment) {
  const Decoded& d = h.Kafka(
      R"({"id":"v19","type":"job_payment","timestamp":"1767909100000","data":{"type":"payment_balance_sync","request_id":"req-003","capability":"openai-chat-completions","sender":"0x1D2C3B4A5E6F7A8B9C0D1E2F3A4B5C6D7E8F9A0B","orchestrator_addr":"0x4A9B6C3D2E1F0A8B7C6D5E4F3A2B1C0D9E8F7A6B","balance":"120.000","diff":"10.000","min_bal_covered":true,"reset_to_zero":false}})");
  ExpectAccepted(d);
  const ByocPayment& p = d.records.byoc_payments.at(0);
  EXPECT_EQ(p.payment_type, "payment_balance_sync");
  EXPECT_EQ(p.orch.orch_reported_address, "0x4a9b6c3d2e1f0a8b7c6d5e4f3a2b1c0d9e8f7a6b");
  EXPECT_EQ(p.sender_address, "0x1d2c3b4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b");
  ASSERT_TRUE(p.balance.has_value());
  EXPECT_EQ(p.balance->ToString(), "120.000");
  EXPECT_EQ(p.diff->ToString(), "10.000");
  EXPECT_EQ(p.amount, std::nullopt);
  EXPECT_EQ(p.min_bal_covered, true);
  EXPECT_EQ(p.reset_to_zero, false);
}

TEST_F(VectorTest, V20WorkerLifecycle) {
  const Decoded& d = h.Kafka(kV20);
  ExpectAccepted(d);
  EXPECT_EQ(d.worker_event_id, "w-1");
  const WorkerSnapshot& w = d.records.worker_snapshots.at(0);
  EXPECT_EQ(w.lifecycle_action, "registered");
  EXPECT_EQ(w.model, "Qwen/Qwen2.5-14B-Instruct-AWQ");
  EXPECT_EQ(w.price_per_unit, 2500.0);
}

// V21/V22: the duplicate class is assigned by ingest's dedup (§7.1); the decoder yields the
// same dedup keys for the copies.
TEST_F(VectorTest, V21RedrainedWorkerSharesSecondKey) {
  std::string first_worker_id = h.Kafka(kV20).worker_event_id;
  const Decoded& d = h.Kafka(Replace(kV20, R"("id":"v20")", R"("id":"v21")"));
  ExpectAccepted(d);
  EXPECT_EQ(d.event_id, "v21");
  EXPECT_EQ(d.worker_event_id, first_worker_id);
}

TEST_F(VectorTest, V22SameEventIdSameKey) {
  std::string first = h.Kafka(kV01).event_id;
  const Decoded& d = h.Kafka(Replace(kV01, R"("gateway":"")", R"("gateway":"10.0.1.42:8935")"));
  EXPECT_EQ(d.org, "cloudspe");
  EXPECT_EQ(d.event_id, first);
  EXPECT_EQ(d.gateway, "10.0.1.42:8935");
}

TEST_F(VectorTest, V23OtherTopicOtherOrg) {
  const Decoded& d = h.Kafka(kV01, "network_events");
  ExpectAccepted(d);
  EXPECT_EQ(d.org, "daydream");
  EXPECT_EQ(d.records.stream_traces.at(0).key.session_key,
            "daydream|stream-o5s73x-mk5zc8fy|db936fab");
}

TEST_F(VectorTest, V24UnsupportedFamily) {
  ExpectClass(h.Kafka(R"({"id":"v24","type":"webrtc_stats","timestamp":"1767909000000","gateway":"","data":{}})"),
              MessageClass::kIgnored, "unsupported_event_family");
}

TEST_F(VectorTest, V25NonCoreApp) {
  const Decoded& d = h.Kafka(
      R"({"id":"v25","type":"stream_trace","timestamp":"1767909000000","data":{"type":"app_send_stream_request","stream_id":"s1","request_id":""}})");
  ExpectClass(d, MessageClass::kIgnored, "ignored_stream_trace_non_core_app");
  EXPECT_EQ(d.subtype, "app_send_stream_request");
  EXPECT_TRUE(d.has_event_ts);
}

TEST_F(VectorTest, V26ScopeClientNoise) {
  ExpectClass(h.Kafka(R"({"id":"v26","type":"stream_trace","timestamp":"1767909000000","data":{"type":"pipeline_loaded","client_source":"Scope"}})"),
              MessageClass::kIgnored, "ignored_stream_trace_scope_client_noise");
}

TEST_F(VectorTest, V27UnsupportedTraceType) {
  ExpectClass(h.Kafka(R"({"id":"v27","type":"stream_trace","timestamp":"1767909000000","data":{"type":"stream_stopped","stream_id":"s1","duration_ms":360000,"swap_count":2,"error":""}})"),
              MessageClass::kIgnored, "unsupported_stream_trace_type");
}

TEST_F(VectorTest, V28AppPrecedenceAnyCase) {
  const Decoded& d = h.Kafka(
      R"({"id":"v28","type":"stream_trace","timestamp":"1767909000000","data":{"type":"APP_heartbeat","client_source":"scope"}})");
  ExpectClass(d, MessageClass::kIgnored, "ignored_stream_trace_non_core_app");
  EXPECT_EQ(d.subtype, "app_heartbeat");
}

TEST_F(VectorTest, V29Truncated) {
  const Decoded& d = h.Kafka(R"({"id":"v29","type":"stream_trace","timestamp":"17679)");
  ExpectClass(d, MessageClass::kRejected, "malformed_json");
  EXPECT_EQ(d.org, "cloudspe");
  EXPECT_FALSE(d.has_event_ts);
}

TEST_F(VectorTest, V30MissingEventId) {
  ExpectClass(h.Kafka(R"({"id":"","type":"stream_trace","timestamp":"1767909000000","data":{}})"),
              MessageClass::kRejected, "missing_event_id");
}

TEST_F(VectorTest, V31MissingEventType) {
  ExpectClass(h.Kafka(R"({"id":"v31","timestamp":"1767909000000","data":{}})"),
              MessageClass::kRejected, "missing_event_type");
}

TEST_F(VectorTest, V32BadTimestamp) {
  ExpectClass(h.Kafka(R"({"id":"v32","type":"ai_stream_status","timestamp":"yesterday","data":{}})"),
              MessageClass::kRejected, "bad_timestamp");
  const Decoded& d = h.Kafka(R"({"id":"v32","type":"ai_stream_status","timestamp":1000,"data":{}})");
  ExpectClass(d, MessageClass::kRejected, "bad_timestamp");
  EXPECT_FALSE(d.has_event_ts);
  EXPECT_EQ(d.AccountingHour(testing::kIngestMs), testing::kIngestMs);
}

TEST_F(VectorTest, V33Oversized) {
  std::string big(R"({"id":"v33","type":"stream_trace","timestamp":"1767909000000","data":{"pad":")");
  big.append(1'048'576, 'x');
  big.append(R"("}})");
  const Decoded& d = h.Kafka(big);
  ExpectClass(d, MessageClass::kRejected, "oversized_message");
  EXPECT_EQ(d.org, "cloudspe");
}

TEST_F(VectorTest, V34UnknownOrg) {
  const Decoded& d = h.File(Replace(kV02, R"("topic":"streaming-events")", R"("topic":"naap.events.raw")"));
  ExpectClass(d, MessageClass::kRejected, "unknown_org");
  EXPECT_EQ(d.org, "");
}

TEST_F(VectorTest, V35MissingRequestId) {
  const Decoded& d = h.Kafka(
      R"({"id":"v35","type":"stream_trace","timestamp":"1767909000000","data":{"type":"gateway_ingest_stream_closed","stream_id":"s1"}})");
  ExpectClass(d, MessageClass::kRejected, "invalid_payload");
  EXPECT_EQ(d.detail, "data.request_id: absent");
}

TEST_F(VectorTest, V36EmptyDiscovery) {
  ExpectClass(h.Kafka(R"({"id":"v36","type":"discovery_results","timestamp":"1767909000000","data":[]})"),
              MessageClass::kRejected, "invalid_payload");
}

TEST_F(VectorTest, V37BadFaceValue) {
  std::string v37 = Replace(Replace(kV11, R"("id":"9c838785-dc30-4725-9769-34cc47792393")", R"("id":"v37")"),
                            R"("faceValue":"2402400000000000 WEI")", R"("faceValue":"abc WEI")");
  const Decoded& d = h.Kafka(v37);
  ExpectClass(d, MessageClass::kRejected, "invalid_payload");
  EXPECT_TRUE(d.detail.starts_with("data.faceValue")) << d.detail;
}

TEST_F(VectorTest, V38IsoAndSecondsTimestamps) {
  std::string v38 = Replace(kV01, R"("id":"59485235-8460-472f-a894-3b84f37ee9bb")", R"("id":"v38")");
  const Decoded& iso = h.Kafka(Replace(v38, R"("timestamp":"1767908945298")", R"("timestamp":"2026-01-08 21:49:05+01:00")"));
  ExpectAccepted(iso);
  EXPECT_EQ(iso.event_ts, 1767905345000);
  const Decoded& secs = h.Kafka(Replace(v38, R"("timestamp":"1767908945298")", R"("timestamp":1767908945)"));
  ExpectAccepted(secs);
  EXPECT_EQ(secs.event_ts, 1767908945000);
}

TEST_F(VectorTest, V39DataAsJsonString) {
  const Decoded& d = h.Kafka(
      R"({"id":"v39","type":"stream_trace","timestamp":"1767909000000","data":"{\"type\":\"gateway_ingest_stream_closed\",\"stream_id\":\"s1\",\"request_id\":\"r1\"}"})");
  ExpectAccepted(d);
  EXPECT_EQ(d.subtype, "gateway_ingest_stream_closed");
  EXPECT_EQ(d.records.stream_traces.at(0).key.session_key, "cloudspe|s1|r1");
}

TEST_F(VectorTest, V40SwapHints) {
  constexpr std::string_view kV40 =
      R"({"id":"v40","type":"stream_trace","timestamp":"1767909000000","data":{"type":"orchestrator_swap","stream_id":"s1","request_id":"r1","pipeline_id":"","pipeline":"pip_sdxl-turbo-faceid","message":"trickle subscribe error, swapping: EOF"}})";
  const Decoded& d = h.Kafka(kV40);
  ExpectAccepted(d);
  const StreamTrace& t = d.records.stream_traces.at(0);
  EXPECT_EQ(t.model, "streamdiffusion-sdxl-faceid");
  EXPECT_EQ(t.pipeline, "live-video-to-video");
  EXPECT_EQ(t.raw_pipeline_hint, "pip_sdxl-turbo-faceid");
  EXPECT_EQ(t.message, "trickle subscribe error, swapping: EOF");
  const Decoded& d2 = h.Kafka(Replace(kV40, "pip_sdxl-turbo-faceid", "live-video-to-video"));
  ExpectAccepted(d2);
  EXPECT_EQ(d2.records.stream_traces.at(0).pipeline, "live-video-to-video");
  EXPECT_EQ(d2.records.stream_traces.at(0).model, "");
}

TEST_F(VectorTest, V41PartialAndUnkeyedSessions) {
  constexpr std::string_view kV41 =
      R"({"id":"v41","type":"ai_stream_status","timestamp":"1767909000000","data":{"type":"status","stream_id":"s1","request_id":"","pipeline":""}})";
  const Decoded& d = h.Kafka(kV41);
  ExpectAccepted(d);
  EXPECT_EQ(d.records.status_samples.at(0).key.session_key, "cloudspe|s1|_missing_request");
  EXPECT_FALSE(HasNote(d, "unkeyed_session"));
  const Decoded& d2 = h.Kafka(Replace(kV41, R"("stream_id":"s1")", R"("stream_id":"")"));
  ExpectAccepted(d2);
  EXPECT_EQ(d2.records.status_samples.at(0).key.session_key, "");
  EXPECT_TRUE(HasNote(d2, "unkeyed_session"));
}

TEST_F(VectorTest, V42AddressAndUrlNormalisation) {
  const Decoded& d = h.Kafka(
      R"({"id":"v42","type":"stream_trace","timestamp":"1767909000000","data":{"type":"gateway_send_first_ingest_segment","stream_id":"s1","request_id":"r1","orchestrator_info":{"address":" 0xD00354656922168815Fcd1e51CBddB9e359e3C7F ","url":"HTTPS://Rtav-Orch2.xodeapp.xyz:28935/"}}})");
  ExpectAccepted(d);
  const OrchInfo& o = d.records.stream_traces.at(0).orch;
  EXPECT_EQ(o.orch_reported_address, "0xd00354656922168815fcd1e51cbddb9e359e3c7f");
  EXPECT_EQ(o.orch_url, "HTTPS://Rtav-Orch2.xodeapp.xyz:28935/");
  EXPECT_EQ(o.orch_url_norm, "https://rtav-orch2.xodeapp.xyz:28935");
}

}  // namespace
}  // namespace naap::event
