#include "publish/sla_benchmark.h"

#include "publish/streaming_rows.h"
#include "publish/tables_streaming.h"

namespace naap::publish {
namespace {

constexpr std::optional<double> SlaBenchmark::*kThresholdColumns[] = {
    &SlaBenchmark::ptff_p50, &SlaBenchmark::ptff_p90, &SlaBenchmark::e2e_p50,
    &SlaBenchmark::e2e_p90,  &SlaBenchmark::fps_p10,  &SlaBenchmark::fps_p50};

void WriteBenchmarkRow(ByteWriter& w, const BenchmarkRow& row) {
  w.String(row.pipeline_id);
  w.String(row.model_id);
  WriteSketch(w, row.day.ptff_sketch);
  WriteSketch(w, row.day.e2e_sketch);
  WriteSketch(w, row.day.fps_sketch);
  w.Int(row.day.ptff_row_count);
  w.Int(row.day.e2e_row_count);
  w.Int(row.day.fps_row_count);
  for (const auto column : kThresholdColumns) WriteOptionalDouble(w, row.display.*column);
  w.Int(row.display.n_ptff);
  w.Int(row.display.n_e2e);
  w.Int(row.display.n_fps);
}

bool ReadBenchmarkRow(ByteReader& r, BenchmarkRow& row) {
  if (!r.String(row.pipeline_id) || !r.String(row.model_id) ||
      !ReadSketch(r, row.day.ptff_sketch) || !ReadSketch(r, row.day.e2e_sketch) ||
      !ReadSketch(r, row.day.fps_sketch) || !r.Int(row.day.ptff_row_count) ||
      !r.Int(row.day.e2e_row_count) || !r.Int(row.day.fps_row_count)) {
    return false;
  }
  for (const auto column : kThresholdColumns) {
    if (!ReadOptionalDouble(r, row.display.*column)) return false;
  }
  return r.Int(row.display.n_ptff) && r.Int(row.display.n_e2e) && r.Int(row.display.n_fps);
}

}  // namespace

int64_t CohortDate(Millis t) { return (t - ((t % kDayMs) + kDayMs) % kDayMs) / kDayMs; }

std::vector<BenchmarkRow> BuildBenchmarkRows(const PublishContext& ctx, Millis day_start) {
  const int64_t cohort_date = CohortDate(day_start);
  const Millis first_hour = cohort_date * kDayMs;
  // The day's SLA rows summed across orgs to the scoring grain.
  std::map<std::pair<Millis, StreamingKey>, StreamingSums> scoring_rows;
  for (const std::string& org : ctx.facts().Orgs()) {
    for (Millis hour = first_hour; hour < first_hour + kDayMs; hour += kHourMs) {
      for (const SlaRow& row : SlaSumRows(ctx, org, hour)) {
        if (row.key.pipeline_id.empty()) continue;
        scoring_rows[{hour, row.key}] += row.sums;
      }
    }
  }
  std::map<CohortKey, BenchmarkDay> days;
  for (const auto& [hour_and_key, sums] : scoring_rows) {
    const StreamingKey& key = hour_and_key.second;
    days[{key.pipeline_id, key.model_id}].AddScoringRow(sums);
  }
  std::vector<BenchmarkRow> rows;
  rows.reserve(days.size());
  for (const auto& [cohort, day] : days) {
    rows.push_back({cohort_date, cohort.first, cohort.second, day, BenchmarkThresholds(day)});
  }
  return rows;
}

std::string EncodeBenchmarkRows(const std::vector<BenchmarkRow>& rows) {
  if (rows.empty()) return "";
  return EncodeSlice<BenchmarkRow>("", rows.front().cohort_date * kDayMs, rows, &WriteBenchmarkRow);
}

Result<std::vector<BenchmarkRow>> DecodeBenchmarkRows(std::string_view bytes) {
  return DecodeSlice<BenchmarkRow>(
      bytes,
      [](ByteReader& r, const std::string& org, Millis window_start, BenchmarkRow& row) {
        if (!org.empty() || CohortDate(window_start) * kDayMs != window_start) return false;
        row.cohort_date = CohortDate(window_start);
        return ReadBenchmarkRow(r, row);
      },
      [](const BenchmarkRow& a, const BenchmarkRow& b) {
        return std::tie(a.pipeline_id, a.model_id) < std::tie(b.pipeline_id, b.model_id);
      });
}

std::map<CohortKey, std::map<int64_t, BenchmarkDay>> ReadPreviousBenchmarkDays(
    const PublishContext& ctx, Millis hour) {
  std::map<CohortKey, std::map<int64_t, BenchmarkDay>> cohorts;
  const int64_t score_day = CohortDate(hour);
  for (int64_t day = score_day - 7; day < score_day; ++day) {
    Result<std::vector<BenchmarkRow>> rows =
        DecodeBenchmarkRows(ctx.Slice(kSlaBenchmarkTable, "", day * kDayMs));
    if (!rows.ok()) continue;
    for (BenchmarkRow& row : *rows) {
      cohorts[{row.pipeline_id, row.model_id}][day] = std::move(row.day);
    }
  }
  return cohorts;
}

}  // namespace naap::publish
