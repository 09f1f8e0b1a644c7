// Group B routes B21–B45 called directly on a LocalBackend over a memory store, filled from the
// real sample (one stream on orchestrator 0xd003…, six payments) and copies of it with other
// stream, request and event ids. Expected values are worked out by hand from the sample.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/local_backend.h"
#include "api/routes_econ_util.h"
#include "event/json_span.h"
#include "event/test_util.h"
#include "store/store.h"

namespace naap::api {
namespace {

constexpr Millis kDayStart = 1'767'830'400'000;  // 2026-01-08T00:00:00Z
constexpr Millis kDayEnd = kDayStart + kDayMs;
constexpr Millis kNow = kDayEnd + 5 * kHourMs;
constexpr char kOrch[] = "0xd00354656922168815fcd1e51cbddb9e359e3c7f";
constexpr char kSender[] = "0x5ae4e42db3671370a0c25aff451e7482aaec3d0b";
constexpr char kNobody[] = "0x0000000000000000000000000000000000000000";

std::vector<std::string> SampleLines() {
  static const std::string file = event::testing::ReadFileOrDie(
      std::string(NAAP_SHARED_DIR) + "/data/livepeer-events-2026-01-08.json");
  std::vector<std::string_view> spans;
  event::JsonArrayElementSpans(file, spans);
  return {spans.begin(), spans.end()};
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The sample's stream events as another session: new stream, request, payment session and event
// ids (the capability snapshot is left to the original).
std::vector<std::string> SessionCopy(int copy) {
  std::vector<std::string> lines;
  const std::string tag = "c" + std::to_string(copy);
  for (std::string line : SampleLines()) {
    if (line.find("\"network_capabilities\"") != std::string::npos) continue;
    ReplaceAll(line, "stream-o5s73x-mk5zc8fy", "stream-" + tag);
    ReplaceAll(line, "db936fab", "req-" + tag);
    ReplaceAll(line, "01b55632", "pay-" + tag);
    ReplaceAll(line, "\"id\": \"", "\"id\": \"" + tag + "-");
    lines.push_back(line);
  }
  return lines;
}

class EconomicsRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override { OpenBackend(ApiConfig{}); }

  void OpenBackend(const ApiConfig& config) {
    backend_.reset();
    store_ = std::move(*store::OpenStore("memory:"));
    auto backend = LocalBackend::Open(*store_, clock_, config);
    ASSERT_TRUE(backend.ok()) << backend.status().ToString();
    backend_ = std::move(*backend);
  }

  void Ingest(const std::vector<std::string>& lines) {
    // One JSON array of the elements (the sample's elements span several lines).
    const std::string path = ::testing::TempDir() + "/econ_" + std::to_string(files_++) + "_" +
                             std::to_string(reinterpret_cast<uintptr_t>(this)) + ".json";
    {
      std::ofstream out(path, std::ios::trunc);
      out << "[";
      for (size_t i = 0; i < lines.size(); ++i) out << (i ? "," : "") << lines[i];
      out << "]";
    }
    auto counts = backend_->IngestFiles({path});
    ASSERT_TRUE(counts.ok()) << counts.status().ToString();
    ASSERT_EQ(counts->rejected, 0);
    std::remove(path.c_str());
  }

  void IngestSampleWithCopies(int copies) {
    ASSERT_NO_FATAL_FAILURE(Ingest(SampleLines()));
    for (int c = 1; c <= copies; ++c) ASSERT_NO_FATAL_FAILURE(Ingest(SessionCopy(c)));
  }

  const RouteSpec& Find(std::string_view id) {
    for (const RouteSpec& route : routes_) {
      if (route.id == id) return route;
    }
    ADD_FAILURE() << "no route " << id;
    return routes_.front();
  }

  Outcome Call(std::string_view id, std::map<std::string, std::string> params = {},
               std::map<std::string, std::string> path = {}, Window window = {kDayStart, kDayEnd}) {
    const RouteSpec& route = Find(id);
    RequestContext ctx;
    ctx.route = &route;
    ctx.method = "GET";
    ctx.path = route.pattern;
    ctx.path_params = std::move(path);
    for (auto& [name, value] : params) ctx.params[name] = {value};
    if (route.window) ctx.window = window;
    ctx.limit = 50;
    ctx.now = kNow;
    auto org = ctx.Get("org");
    auto clock = backend_->DataClock(org ? std::optional<std::string_view>(*org) : std::nullopt);
    EXPECT_TRUE(clock.ok());
    ctx.data_clock = *clock;
    return route.handler(ctx, *backend_);
  }

  // The `data` JSON of a data reply.
  std::string Data(const Outcome& outcome) {
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    EXPECT_FALSE(outcome.problem.has_value()) << outcome.problem->detail;
    if (!outcome.reply) return "";
    EXPECT_EQ(outcome.reply->kind, Reply::Kind::kData);
    return outcome.reply->json;
  }

  std::vector<ListRow> Rows(const Outcome& outcome) {
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.ToString();
    EXPECT_FALSE(outcome.problem.has_value()) << outcome.problem->detail;
    if (!outcome.reply) return {};
    EXPECT_EQ(outcome.reply->kind, Reply::Kind::kList);
    return outcome.reply->list_rows();
  }

  FakeClock clock_{kNow};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<LocalBackend> backend_;
  std::vector<RouteSpec> routes_ = EconomicsRoutes();
  int files_ = 0;
};

std::string ProblemDetail(const Outcome& outcome) {
  EXPECT_TRUE(outcome.problem.has_value());
  if (!outcome.problem) return "";
  EXPECT_EQ(outcome.problem->status, 404);
  return outcome.problem->detail;
}

TEST_F(EconomicsRoutesTest, RouteTableHasB21ToB45WithSpecWindows) {
  ASSERT_EQ(routes_.size(), 25u);
  for (size_t i = 0; i < routes_.size(); ++i) {
    EXPECT_EQ(routes_[i].id, "B" + std::to_string(21 + i));
    EXPECT_EQ(routes_[i].group, RouteGroup::kB);
  }
  const RouteSpec& sla = Find("B42");
  EXPECT_EQ(sla.window->min_width, kHourMs);
  EXPECT_EQ(*sla.window->max_width, 30 * kDayMs);
  EXPECT_EQ(sla.keyset[1].only_with_param, "org");
  EXPECT_EQ(Find("B43").window->default_width, 3 * kHourMs);
  EXPECT_EQ(*Find("B45").window->max_width, 72 * kHourMs);
  EXPECT_FALSE(Find("B38").window.has_value());
  EXPECT_FALSE(Find("B39").window.has_value());
  EXPECT_EQ(Find("B30").params[4].enum_values.size(), 4u);
}

// Behaviour 19: face value 2402400000000000 WEI × 2 tickets, win probability 0.0009990010.
TEST_F(EconomicsRoutesTest, OnePaymentGivesExactWei) {
  ASSERT_NO_FATAL_FAILURE(Ingest({SampleLines()[2]}));
  EXPECT_EQ(
      Data(Call("B21")),
      "{\"start_time\":\"2026-01-08T00:00:00.000Z\",\"end_time\":\"2026-01-09T00:00:00.000Z\","
      "\"total_payments_wei\":\"4800000004800\",\"total_face_value_wei\":\"4804800000000000\","
      "\"payment_event_count\":1,\"ticket_count\":2,\"unique_orchestrators\":1,"
      "\"by_org\":{\"cloudspe\":{\"total_wei\":\"4800000004800\","
      "\"total_face_value_wei\":\"4804800000000000\",\"count\":1}}}");
}

TEST_F(EconomicsRoutesTest, SamplePaymentsSumExactly) {
  ASSERT_NO_FATAL_FAILURE(Ingest(SampleLines()));
  // Faces: 2402400000000000 × 2 + 2402400000000000 + 4 × 2400000000000000.
  // Fees: 4800000004800 + 2400000002400 + 4 × 2400000000000.
  const std::string summary = Data(Call("B21"));
  EXPECT_NE(summary.find("\"total_payments_wei\":\"16800000007200\","
                         "\"total_face_value_wei\":\"16807200000000000\","
                         "\"payment_event_count\":6,\"ticket_count\":7,\"unique_orchestrators\":1"),
            std::string::npos)
      << summary;

  // History: 24 buckets, the payments all in 21:00.
  simdjson::dom::parser parser;
  const std::string history = Data(Call("B22"));
  simdjson::dom::array hours = parser.parse(history).get_array();
  ASSERT_EQ(hours.size(), 24u);
  for (simdjson::dom::element hour : hours) {
    const std::string_view ts = hour["timestamp"].get_string();
    const bool payment_hour = ts == "2026-01-08T21:00:00.000Z";
    EXPECT_EQ(hour["total_wei"].get_string().value(), payment_hour ? "16800000007200" : "0");
    EXPECT_EQ(hour["event_count"].get_int64().value(), payment_hour ? 6 : 0);
    EXPECT_EQ(hour["unique_orchs"].get_int64().value(), payment_hour ? 1 : 0);
  }
}

// Behaviour 29: the orch_address filter of /v1/payments/by-orch.
TEST_F(EconomicsRoutesTest, PaymentsByOrchFiltersOnOrchAddress) {
  ASSERT_NO_FATAL_FAILURE(Ingest(SampleLines()));
  std::vector<ListRow> all = Rows(Call("B24"));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].key, (std::vector<std::string>{"16800000007200", kOrch}));
  EXPECT_NE(all[0].json.find(std::string("{\"address\":\"") + kOrch + "\""), std::string::npos);
  EXPECT_NE(all[0].json.find("\"total_received_wei\":\"16800000007200\","
                             "\"total_face_value_wei\":\"16807200000000000\",\"payment_count\":6}"),
            std::string::npos)
      << all[0].json;
  EXPECT_EQ(Rows(Call("B24", {{"orch_address", kOrch}})).size(), 1u);
  EXPECT_TRUE(Rows(Call("B24", {{"orch_address", kNobody}})).empty());

  std::vector<ListRow> gateways = Rows(Call("B25"));
  ASSERT_EQ(gateways.size(), 1u);
  EXPECT_EQ(gateways[0].key, (std::vector<std::string>{"16800000007200", kSender}));
  EXPECT_NE(gateways[0].json.find("\"event_count\":6,\"unique_orchs\":1}"), std::string::npos);
}

TEST_F(EconomicsRoutesTest, GatewayDetailFromPaymentSender) {
  ASSERT_NO_FATAL_FAILURE(Ingest(SampleLines()));
  const std::string upper = "0x5aE4E42dB3671370a0c25AfF451E7482aAEc3D0B";
  const std::string detail = Data(Call("B36", {}, {{"address", upper}}));
  EXPECT_EQ(detail.rfind(std::string("{\"address\":\"") + kSender +
                             "\",\"name\":null,\"avatar\":null,\"deposit_wei\":null,"
                             "\"reserve_wei\":null,\"updated_at\":null,\"first_seen\":",
                         0),
            0u)
      << detail;
  EXPECT_NE(detail.find("\"total_payments_wei\":\"16800000007200\""), std::string::npos) << detail;
}

// Behaviour 25.
TEST_F(EconomicsRoutesTest, UnknownEntitiesAre404) {
  ASSERT_NO_FATAL_FAILURE(Ingest(SampleLines()));
  EXPECT_EQ(ProblemDetail(Call("B36", {}, {{"address", "x"}})), "gateway not found");
  EXPECT_EQ(ProblemDetail(Call("B37", {}, {{"address", "x"}})), "gateway not found");
  EXPECT_EQ(ProblemDetail(Call("B41", {}, {{"pipeline", "nosuch"}})), "pipeline not found");
  EXPECT_EQ(ProblemDetail(Call("B34", {}, {{"address", kNobody}})), "orchestrator not found");
  EXPECT_EQ(ProblemDetail(Call("B39", {}, {{"address", kNobody}})), "orchestrator not found");
}

// Behaviour 30: 9 streams are not enough for the default minimum of 10; a 10th makes the one
// orchestrator eligible, and a lone eligible orchestrator gets full credit on every dimension.
TEST_F(EconomicsRoutesTest, LeaderboardNeedsTenStreams) {
  ASSERT_NO_FATAL_FAILURE(IngestSampleWithCopies(8));
  EXPECT_TRUE(Rows(Call("B33")).empty());
  const std::string entry = Data(Call("B34", {}, {{"address", kOrch}}));
  EXPECT_EQ(entry.rfind(std::string("{\"rank\":null,\"address\":\"") + kOrch + "\",", 0), 0u)
      << entry;
  EXPECT_NE(entry.find("\"score\":null,\"streams_handled\":9,"), std::string::npos) << entry;
  EXPECT_NE(entry.find("\"eligible\":false,\"eligible_count\":0}"), std::string::npos) << entry;

  ASSERT_NO_FATAL_FAILURE(Ingest(SessionCopy(9)));
  std::vector<ListRow> board = Rows(Call("B33"));
  ASSERT_EQ(board.size(), 1u);
  EXPECT_EQ(board[0].key, (std::vector<std::string>{"100", "10", kOrch}));
  EXPECT_EQ(board[0].json.rfind(std::string("{\"rank\":1,\"address\":\"") + kOrch + "\",", 0), 0u);
  EXPECT_NE(board[0].json.find("\"score\":100,\"streams_handled\":10,"), std::string::npos)
      << board[0].json;
  const std::string eligible = Data(Call("B34", {}, {{"address", kOrch}}));
  EXPECT_NE(eligible.find("\"eligible\":true,\"eligible_count\":1}"), std::string::npos);

  // The same streams pass B29's threshold of 10 too.
  std::vector<ListRow> reliability = Rows(Call("B29"));
  ASSERT_EQ(reliability.size(), 1u);
  EXPECT_EQ(reliability[0].key, (std::vector<std::string>{"10", kOrch}));
}

// Behaviour 23 on /v1/sla/compliance.
TEST_F(EconomicsRoutesTest, SlaComplianceRowsAreInRange) {
  ASSERT_NO_FATAL_FAILURE(IngestSampleWithCopies(2));
  std::vector<ListRow> rows = Rows(Call("B42"));
  ASSERT_FALSE(rows.empty());
  simdjson::dom::parser parser;
  int64_t requested = 0;
  for (const ListRow& row : rows) {
    simdjson::dom::element e = parser.parse(row.json);
    EXPECT_TRUE(e["org"].is_null());
    EXPECT_TRUE(e["region"].is_null());
    EXPECT_EQ(e["sla_semantics_version"].get_string().value(), "naap-1");
    requested += e["requested_sessions"].get_int64().value();
    if (!e["sla_score"].is_null()) {
      const double score = e["sla_score"].get_double();
      EXPECT_GE(score, 0);
      EXPECT_LE(score, 100);
    }
    for (const char* rate :
         {"startup_success_rate", "excused_failure_rate", "effective_success_rate", "no_swap_rate",
          "output_viability_rate", "reliability_score", "quality_score",
          "health_signal_coverage_ratio"}) {
      if (e[rate].is_null()) continue;
      EXPECT_GE(e[rate].get_double().value(), 0) << rate;
      EXPECT_LE(e[rate].get_double().value(), 1) << rate;
    }
    EXPECT_LE(e["output_failed_sessions"].get_int64().value(),
              e["loading_only_sessions"].get_int64().value() +
                  e["zero_output_fps_sessions"].get_int64().value());
    ASSERT_EQ(row.key.size(), 5u);  // window_start and the grain without org
  }
  EXPECT_EQ(requested, 3);  // the sample's session and two copies

  // With the org filter, org joins the key and the rows.
  std::vector<ListRow> cloudspe = Rows(Call("B42", {{"org", "cloudspe"}}));
  ASSERT_EQ(cloudspe.size(), rows.size());
  EXPECT_EQ(cloudspe[0].key.size(), 6u);
  EXPECT_EQ(cloudspe[0].key[1], "cloudspe");
  EXPECT_NE(cloudspe[0].json.find("\"org\":\"cloudspe\""), std::string::npos);
  EXPECT_TRUE(Rows(Call("B42", {{"org", "nosuchorg"}})).empty());
}

TEST_F(EconomicsRoutesTest, DemandAndPipelinesOnSample) {
  ASSERT_NO_FATAL_FAILURE(Ingest(SampleLines()));
  int64_t requested = 0;
  simdjson::dom::parser parser;
  for (const ListRow& row : Rows(Call("B43"))) {
    simdjson::dom::element e = parser.parse(row.json);
    requested += e["requested_sessions"].get_int64().value();
  }
  EXPECT_EQ(requested, 1);
  const std::string pipelines = Data(Call("B40"));
  EXPECT_NE(pipelines.find("\"requested_count\":1,"), std::string::npos) << pipelines;
}

// Behaviour 21: nothing stored — lists are empty, every field is present, rates are null.
TEST_F(EconomicsRoutesTest, EmptyStoreGivesEmptyListsAndAllFields) {
  for (const RouteSpec& route : routes_) {
    std::map<std::string, std::string> path;
    for (const ParamSpec& p : route.path_params)
      path[p.name] = p.type == ParamType::kAddress ? kOrch : "x";
    Outcome outcome = Call(route.id, {}, path);
    if (!route.path_params.empty()) {
      EXPECT_TRUE(outcome.problem.has_value()) << route.id;
      continue;
    }
    ASSERT_TRUE(outcome.reply.has_value()) << route.id << " " << outcome.status.ToString();
    if (route.is_list()) {
      EXPECT_TRUE(outcome.reply->list_rows().empty()) << route.id;
    }
  }
  EXPECT_EQ(
      Data(Call("B21")),
      "{\"start_time\":\"2026-01-08T00:00:00.000Z\",\"end_time\":\"2026-01-09T00:00:00.000Z\","
      "\"total_payments_wei\":\"0\",\"total_face_value_wei\":\"0\",\"payment_event_count\":0,"
      "\"ticket_count\":0,\"unique_orchestrators\":0,\"by_org\":{}}");
  EXPECT_EQ(
      Data(Call("B27")),
      "{\"start_time\":\"2026-01-08T00:00:00.000Z\",\"end_time\":\"2026-01-09T00:00:00.000Z\","
      "\"startup_success_rate\":null,\"no_orch_session_rate\":null,\"orch_swap_rate\":null,"
      "\"orch_swap_count\":0,\"inference_restart_rate\":null,\"degraded_state_rate\":null,"
      "\"failure_breakdown\":{\"no_orch_sessions\":0,\"orch_swap\":0,\"inference_restart\":0,"
      "\"inference_error\":0,\"degraded_inference\":0,\"degraded_input\":0}}");
  EXPECT_EQ(Data(Call("B23")), "[]");
  EXPECT_EQ(Data(Call("B31")), "[]");
  EXPECT_EQ(Data(Call("B40")), "[]");
  simdjson::dom::parser parser;
  const std::string history = Data(Call("B28"));
  simdjson::dom::array hours = parser.parse(history).get_array();
  ASSERT_EQ(hours.size(), 24u);
  EXPECT_EQ(std::string(simdjson::minify(hours.at(0))),
            "{\"timestamp\":\"2026-01-08T00:00:00.000Z\",\"requested_sessions\":0,"
            "\"startup_success_rate\":null,\"no_orch_session_rate\":null,\"degraded_rate\":null}");
}

// The sample's six payments are linked to its one session (the first by request id, the others
// by payment session); its capability snapshot quotes 1618 wei per 1 pixel for the warm model.
// B26 sums a window's whole hours from a memo and cuts its first and last hours per request: the
// sample's six payments (21:49:05.560 fee 4800000004800, 21:49:11.589 fee 2400000002400, then
// 21:49:17.589, 21:50:05.597, 21:50:59.605, 21:51:53.607 fee 2400000000000 each) in windows
// that cut hour 21 at both ends, at its start only, at its end only, or hold it whole; two
// copies of the session tie on total_wei and are ordered by their keys.
TEST_F(EconomicsRoutesTest, PaymentsByStreamCountsExactlyTheWindowsPayments) {
  ASSERT_NO_FATAL_FAILURE(IngestSampleWithCopies(2));
  constexpr Millis k2100 = 1'767'906'000'000;
  auto totals = [&](Millis start, Millis end) {
    std::vector<std::string> out;
    for (const ListRow& row : Rows(Call("B26", {}, {}, Window{start, end}))) {
      out.push_back(row.key[0] + " " + row.key[2]);
    }
    return out;
  };
  const std::vector<std::string> streams = {"stream-c1", "stream-c2", "stream-o5s73x-mk5zc8fy"};
  auto each = [&](const std::string& wei) {
    std::vector<std::string> out;
    for (const std::string& stream : streams) out.push_back(wei + " " + stream);
    return out;
  };
  EXPECT_EQ(totals(1'767'908'951'589, 1'767'909'113'607), each("9600000002400"));
  EXPECT_EQ(totals(1'767'908'945'561, k2100 + 90 * 60'000), each("12000000002400"));
  EXPECT_EQ(totals(k2100, k2100 + 50 * 60'000), each("9600000007200"));
  EXPECT_EQ(totals(k2100 - 30 * 60'000, k2100 + 2 * kHourMs), each("16800000007200"));
  EXPECT_EQ(totals(1'767'909'113'607, 1'767'909'113'608), each("2400000000000"));
  EXPECT_TRUE(totals(1'767'909'113'608, k2100 + kHourMs).empty());
  // The org filter applies to the whole hours and the cut ones alike.
  EXPECT_TRUE(Rows(Call("B26", {{"org", "daydream"}}, {}, Window{k2100 + 1, k2100 + kHourMs - 1}))
                  .empty());
}

TEST_F(EconomicsRoutesTest, StreamsPricingAndPipelinesOnSample) {
  ASSERT_NO_FATAL_FAILURE(Ingest(SampleLines()));
  std::vector<ListRow> streams = Rows(Call("B26"));
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0].key, (std::vector<std::string>{"16800000007200", "cloudspe",
                                                      "stream-o5s73x-mk5zc8fy", "db936fab"}));
  EXPECT_EQ(streams[0].json,
            "{\"stream_id\":\"stream-o5s73x-mk5zc8fy\",\"request_id\":\"db936fab\","
            "\"org\":\"cloudspe\",\"pipeline\":\"live-video-to-video\","
            "\"total_wei\":\"16800000007200\",\"total_face_value_wei\":\"16807200000000000\","
            "\"event_count\":6}");
  EXPECT_TRUE(Rows(Call("B26", {{"stream_id", "other"}})).empty());

  std::vector<ListRow> prices = Rows(Call("B38"));
  ASSERT_EQ(prices.size(), 1u);
  EXPECT_EQ(prices[0].key, (std::vector<std::string>{kOrch, "live-video-to-video",
                                                     "streamdiffusion-sdxl-faceid"}));
  EXPECT_NE(prices[0].json.find("\"price_per_unit\":\"1618\",\"pixels_per_unit\":1,"
                                "\"price_wei_per_pixel\":1618,\"is_warm\":true}"),
            std::string::npos)
      << prices[0].json;
  EXPECT_TRUE(Rows(Call("B38", {{"pipeline", "text-to-image"}})).empty());

  const std::string pipelines = Data(Call("B40"));
  EXPECT_EQ(pipelines.rfind("[{\"pipeline\":\"live-video-to-video\",\"active_streams\":1,"
                            "\"requested_count\":1,\"success_rate\":1,",
                            0),
            0u)
      << pipelines;
  EXPECT_NE(pipelines.find("\"job_count\":0,\"total_payments_wei\":\"16800000007200\","
                           "\"warm_orch_count\":1,\"top_orch_address\":\"" +
                           std::string(kOrch) + "\"}]"),
            std::string::npos)
      << pipelines;
  const std::string detail = Data(Call("B41", {}, {{"pipeline", "live-video-to-video"}}));
  EXPECT_NE(detail.find("\"by_model\":[{\"model_id\":\"streamdiffusion-sdxl-faceid\","
                        "\"warm_orch_count\":1,\"requested_count\":1,"),
            std::string::npos)
      << detail;

  std::vector<ListRow> gpu = Rows(Call("B45"));
  ASSERT_EQ(gpu.size(), 1u);
  EXPECT_NE(gpu[0].json.find("\"gpu_model_name\":\"NVIDIA GeForce RTX 5090\","
                             "\"gpu_memory_bytes_total\":34190917632,\"runner_version\":\"0.14.0\","
                             "\"cuda_version\":null,"),
            std::string::npos)
      << gpu[0].json;
  EXPECT_NE(gpu[0].json.find("\"status_samples\":17,"), std::string::npos);
  EXPECT_TRUE(Rows(Call("B45", {{"gpu_model_name", "NVIDIA A100"}})).empty());
}

}  // namespace
}  // namespace naap::api
