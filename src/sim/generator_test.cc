#include "sim/generator.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <vector>

namespace naap::sim {
namespace {

constexpr Millis kStart = 1767916800000;  // 2026-01-09T00:00:00Z

struct SimRun {
  std::vector<std::string> lines;
  std::vector<Message> messages;  // views are dangling; only the scalar members are kept
  Truth truth;
};

SimRun Generate(uint64_t seed, double hours, double scale) {
  Config config{seed, kStart, kStart + static_cast<Millis>(hours * kHourMs), scale};
  auto gen = Generator::Create(config);
  EXPECT_TRUE(gen.ok());
  SimRun run;
  Message msg;
  while ((*gen)->Next(msg)) {
    std::string line;
    WriteWrapperLine(msg, line);
    run.lines.push_back(std::move(line));
    run.messages.push_back({{}, {}, msg.malformed, msg.event_ts, msg.partition, msg.offset});
  }
  run.truth = (*gen)->truth();
  return run;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& l : lines) all += l;
  return all;
}

TEST(GeneratorTest, SameSeedGivesIdenticalBytesAndOtherSeedsDiffer) {
  const SimRun a = Generate(42, 1, 0.01), b = Generate(42, 1, 0.01), c = Generate(43, 1, 0.01);
  EXPECT_GT(a.lines.size(), 100u);
  EXPECT_EQ(Join(a.lines), Join(b.lines));
  EXPECT_NE(Join(a.lines), Join(c.lines));
  EXPECT_EQ(a.truth.ToJson(), b.truth.ToJson());
}

TEST(GeneratorTest, RejectsInvalidConfigs) {
  EXPECT_FALSE(Generator::Create({1, kStart, kStart, 1.0}).ok());
  EXPECT_FALSE(Generator::Create({1, kStart, kStart + kHourMs, 0.0}).ok());
  EXPECT_FALSE(Generator::Create({1, 1000, 2000, 1.0}).ok());
}

class HourAtSmallScale : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { run_ = new SimRun(Generate(7, 1, 0.1)); }
  static void TearDownTestSuite() { delete run_; }
  static SimRun* run_;
};
SimRun* HourAtSmallScale::run_ = nullptr;

TEST_F(HourAtSmallScale, EveryFamilyReasonAndFaultAppears) {
  const ClassCounts& t = run_->truth.total;
  for (size_t f = 0; f < t.accepted_by_family.size(); ++f) {
    EXPECT_GT(t.accepted_by_family[f], 0) << FamilyName(static_cast<Family>(f));
  }
  for (size_t r = 0; r < t.ignored.size(); ++r) EXPECT_GT(t.ignored[r], 0) << "ignore reason " << r;
  for (size_t r = 0; r < t.rejected.size(); ++r) EXPECT_GT(t.rejected[r], 0) << "reject reason " << r;
  EXPECT_GT(t.duplicates, 0);
  const std::string all = Join(run_->lines);
  for (std::string_view needle :
       {"\"orchestrator_swap\"", "\"gateway_no_orchestrators_available\"", "\"LOADING\"", "\"DEGRADED_INPUT\"",
"\"gateway_receive_few_processed_segments\"", "\"llm_stream_completed\"",
        "\"no_orchestrators\"", "\"job_orchestrator_completed\"", "\"payment_balance_sync\"", "\"webrtc_stats\"",
        "\"pipelines_api_request\"", "\"create_signed_ticket\"", "\"client_source\":\"scope\"", "\"stream_stopped\"",
        "\"requestID\":\"\"", "\"id\":\"\""}) {
    EXPECT_NE(all.find(needle), std::string::npos) << needle;
  }
  // Startup failures with an excusable and with an unexcusable error.
  auto any_of = [&](std::initializer_list<std::string_view> messages) {
    return std::any_of(messages.begin(), messages.end(), [&](std::string_view m) { return all.find(m) != std::string::npos; });
  };
  EXPECT_TRUE(any_of({"WHIP disconnected", "ICE connection state failed", "user disconnected", "MediaMTX ingest"}));
  EXPECT_TRUE(any_of({"trickle publish error", "runner crashed", "pipeline load timeout", "control channel closed"}));
  // Exact re-deliveries, a re-drained worker (same data.id twice), out-of-order delivery.
  std::vector<std::string> sorted = run_->lines;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_NE(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
  size_t worker_ids = 0, distinct_worker_ids = 0;
  std::vector<std::string> ids;
  for (const auto& line : run_->lines) {
    const size_t at = line.find("\"data\":{\"id\":\"w-");
    if (at != std::string::npos && line.find("\"worker_lifecycle\"") != std::string::npos) {
      ids.push_back(line.substr(at, 40));
    }
  }
  worker_ids = ids.size();
  std::sort(ids.begin(), ids.end());
  distinct_worker_ids = std::unique(ids.begin(), ids.end()) - ids.begin();
  EXPECT_GT(worker_ids, distinct_worker_ids);
  bool out_of_order = false;
  Millis newest = 0;
  for (const Message& m : run_->messages) {
    out_of_order |= m.event_ts < newest;
    newest = std::max(newest, m.event_ts);
  }
  EXPECT_TRUE(out_of_order);
  // Both orgs, and every stream outcome counted.
  EXPECT_GT(run_->truth.by_org[static_cast<size_t>(Org::kCloudspe)].accepted, 0);
  EXPECT_GT(run_->truth.by_org[static_cast<size_t>(Org::kDaydream)].accepted, 0);
  EXPECT_GT(run_->truth.no_orchestrator_sessions[1] + run_->truth.no_orchestrator_sessions[2], 0);
}

TEST_F(HourAtSmallScale, TruthAccountsForEveryLine) {
  const Truth& truth = run_->truth;
  EXPECT_EQ(truth.total.lines, static_cast<int64_t>(run_->lines.size()));
  int64_t classes = truth.total.accepted + truth.total.duplicates, by_org = 0, families = 0;
  for (int64_t n : truth.total.ignored) classes += n;
  for (int64_t n : truth.total.rejected) classes += n;
  for (int64_t n : truth.total.accepted_by_family) families += n;
  for (const ClassCounts& c : truth.by_org) by_org += c.lines;
  EXPECT_EQ(classes, truth.total.lines);
  EXPECT_EQ(by_org, truth.total.lines);
  EXPECT_EQ(families, truth.total.accepted);
  // Malformed lines (and their copies) have no org; nothing else is under "".
  int64_t malformed = 0;
  for (const Message& m : run_->messages) malformed += m.malformed ? 1 : 0;
  EXPECT_EQ(truth.by_org[0].lines, malformed);
  EXPECT_EQ(truth.by_org[0].rejected[static_cast<size_t>(RejectReason::kMalformedJson)] + truth.by_org[0].duplicates,
            malformed);

  simdjson::dom::parser parser;
  simdjson::padded_string json(truth.ToJson());
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS);
  int64_t lines = 0;
  ASSERT_EQ(doc["lines"].get(lines), simdjson::SUCCESS);
  EXPECT_EQ(lines, truth.total.lines);
  for (const char* key : {"accepted", "ignored", "rejected", "duplicates", "by_org", "accepted_by_family", "streams",
                          "no_orchestrator_sessions", "jobs"}) {
    EXPECT_EQ(doc[key].error(), simdjson::SUCCESS) << key;
  }
  simdjson::dom::object streams;
  ASSERT_EQ(doc.at_pointer("/streams/cloudspe").get(streams), simdjson::SUCCESS);
  int64_t requested = 0, success = 0;
  for (auto [key, counts] : streams) {
    requested += counts["requested"].get_int64().value();
    success += counts["startup_success"].get_int64().value();
  }
  EXPECT_GT(requested, success);
  EXPECT_GT(success, 0);
  int64_t chat_jobs = 0;
  ASSERT_EQ(doc.at_pointer("/jobs/cloudspe/openai-chat-completions/jobs").get(chat_jobs), simdjson::SUCCESS);
  EXPECT_GT(chat_jobs, 0);
}

// Required fields per family (spec/events.md §4.0), so a correct decoder accepts every
// line the truth calls accepted.
void ExpectRequiredFields(std::string_view family, simdjson::dom::element data, const std::string& line) {
  auto has_string = [&](const char* path) {
    std::string_view s;
    EXPECT_EQ(data.at_pointer(path).get(s), simdjson::SUCCESS) << family << " " << path << " in " << line;
  };
  std::string_view subtype, client_source;
  if (family == "stream_trace" && data["type"].get(subtype) == simdjson::SUCCESS &&
      (subtype.starts_with("app_") || subtype == "stream_stopped" || subtype == "stream_orchestrator_token_refresh" ||
       (data["client_source"].get(client_source) == simdjson::SUCCESS && client_source == "scope"))) {
    return;  // ignored before the payload is checked
  }
  if (family == "stream_trace" || family == "stream_ingest_metrics") {
    has_string("/stream_id");
    has_string("/request_id");
  } else if (family == "ai_stream_status") {
    has_string("/stream_id");
    has_string("/request_id");
    has_string("/pipeline");
  } else if (family == "ai_stream_events") {
    has_string("/type");
    has_string("/stream_id");
    has_string("/request_id");
  } else if (family == "network_capabilities") {
    EXPECT_TRUE(data.is_array());
  } else if (family == "discovery_results") {
    simdjson::dom::array a;
    ASSERT_EQ(data.get(a), simdjson::SUCCESS);
    EXPECT_GT(a.size(), 0u);
  } else if (family == "create_new_payment") {
    for (const char* p : {"/sessionID", "/manifestID", "/sender", "/recipient", "/orchestrator", "/faceValue",
                          "/numTickets", "/price", "/winProb"}) {
      has_string(p);
    }
  } else if (family == "ai_batch_request" || family == "ai_llm_request") {
    has_string("/type");
    has_string("/request_id");
  } else if (family.starts_with("job_") || family == "worker_lifecycle") {
    has_string("/type");
  }
}

TEST_F(HourAtSmallScale, EveryLineParsesWithTheFieldsOfItsFamily) {
  simdjson::dom::parser parser;
  size_t malformed = 0;
  for (size_t i = 0; i < run_->lines.size(); ++i) {
    const std::string& line = run_->lines[i];
    ASSERT_EQ(line.back(), '\n');
    ASSERT_EQ(line.find('\n'), line.size() - 1);
    simdjson::dom::element root;
    const bool parses = parser.parse(line.data(), line.size() - 1).get(root) == simdjson::SUCCESS;
    if (run_->messages[i].malformed) {
      EXPECT_FALSE(parses) << line;
      ++malformed;
      continue;
    }
    ASSERT_TRUE(parses) << line;
    std::string_view topic, id, type, timestamp, gateway;
    int64_t partition = -1, offset = -1;
    ASSERT_EQ(root["topic"].get(topic), simdjson::SUCCESS);
    EXPECT_TRUE(topic == "streaming_events" || topic == "network_events");
    EXPECT_EQ(root["partition"].get(partition), simdjson::SUCCESS);
    EXPECT_EQ(root["offset"].get(offset), simdjson::SUCCESS);
    simdjson::dom::element value = root["value"], data;
    ASSERT_EQ(value["id"].get(id), simdjson::SUCCESS);
    ASSERT_EQ(value["type"].get(type), simdjson::SUCCESS);
    ASSERT_EQ(value["timestamp"].get(timestamp), simdjson::SUCCESS);
    ASSERT_EQ(value["gateway"].get(gateway), simdjson::SUCCESS);
    ASSERT_EQ(value["data"].get(data), simdjson::SUCCESS);
    EXPECT_EQ(std::to_string(run_->messages[i].event_ts), timestamp);
    if (id.empty()) continue;  // the empty-id fault: rejected before the payload is read
    EXPECT_EQ(id.size(), 36u);
    ExpectRequiredFields(type, data, line);
  }
  EXPECT_GT(malformed, 0u);
}

TEST_F(HourAtSmallScale, EventTimesStayInsideTheRunAndDelaysAreBounded) {
  const Millis end = kStart + kHourMs;
  Millis newest = 0;
  for (const Message& m : run_->messages) {
    EXPECT_GE(m.event_ts, kStart);
    EXPECT_LT(m.event_ts, end);
    newest = std::max(newest, m.event_ts);
    EXPECT_LE(newest - m.event_ts, kMaxDeliveryDelayMs);
  }
}

TEST(GeneratorTest, StateStaysBoundedOverADay) {
  auto gen = Generator::Create({3, kStart, kStart + 24 * kHourMs, 0.05});
  ASSERT_TRUE(gen.ok());
  Message msg;
  size_t early_max = 0, late_max = 0;
  int64_t lines = 0;
  while ((*gen)->Next(msg)) {
    ++lines;
    const Millis hour = (msg.event_ts - kStart) / kHourMs;
    if (hour >= 2 && hour < 6) early_max = std::max(early_max, (*gen)->state_size());
    if (hour >= 18 && hour < 23) late_max = std::max(late_max, (*gen)->state_size());
  }
  EXPECT_GT(lines, 100000);
  EXPECT_GT(early_max, 10u);
  EXPECT_LT(late_max, 3 * early_max + 50);
  EXPECT_LT(late_max, 2000u);
}

TEST(ParseUtcTimeTest, ReadsDatesAndTimes) {
  EXPECT_EQ(*ParseUtcTime("2026-01-09"), 1767916800000);
  EXPECT_EQ(*ParseUtcTime("2026-01-08T21:49:05.298Z"), 1767908945298);
  EXPECT_EQ(*ParseUtcTime("2026-01-08 21:49"), 1767908940000);
  EXPECT_FALSE(ParseUtcTime("2026-13-01").ok());
  EXPECT_FALSE(ParseUtcTime("yesterday").ok());
  EXPECT_FALSE(ParseUtcTime("2026-01-08T21:49:05+01:00").ok());
}

}  // namespace
}  // namespace naap::sim
