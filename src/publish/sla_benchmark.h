#pragma once
// api_sla_benchmark_daily (spec/analytics.md §4.3): one slice per cohort date, org "" and hour =
// the day's start. Its population is the SLA (A) rows of every org for the 24 hours of the date,
// built from the facts (never from stored SLA slices, so SLA → benchmark → SLA is no cycle),
// summed across orgs to the scoring grain (hour, pipeline_id, model_id, orchestrator_address,
// gpu_id) with pipeline_id ≠ "". The SLA table scores date d with the merge of dates d − 7 … d − 1.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "publish/formulas.h"
#include "publish/table.h"
#include "resolve/facts_view.h"

namespace naap::publish {

inline constexpr char kSlaBenchmarkTable[] = "api_sla_benchmark_daily";

struct BenchmarkRow {
  int64_t cohort_date = 0;  // days since the epoch
  std::string pipeline_id, model_id;
  BenchmarkDay day;      // (A)
  SlaBenchmark display;  // (D) the day's own quantiles and row counts
};

// date(t) as days since the epoch (floor).
int64_t CohortDate(Millis t);

// The rows of cohort date `day_start` ÷ kDayMs, by (pipeline_id, model_id), from the SLA sum rows
// of the day's hours (SlaSumRows).
std::vector<BenchmarkRow> BuildBenchmarkRows(const PublishContext& ctx, Millis day_start);
std::string EncodeBenchmarkRows(const std::vector<BenchmarkRow>& rows);
Result<std::vector<BenchmarkRow>> DecodeBenchmarkRows(std::string_view bytes);

// Reads the benchmark slices of the 7 cohort dates before date(hour) and returns, per
// (pipeline_id, model_id), the days found. A slice that does not decode counts as absent.
using CohortKey = std::pair<std::string, std::string>;
std::map<CohortKey, std::map<int64_t, BenchmarkDay>> ReadPreviousBenchmarkDays(
    const PublishContext& ctx, Millis hour);

}  // namespace naap::publish
