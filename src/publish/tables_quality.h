#pragma once
// api_hourly_attribution_quality (spec/analytics.md §4.12): per (org, hour), how many subjects
// ended in each (selection_outcome, attribution_status, attribution_reason). A publish::Table
// whose slice is built from the FactsView facts of that hour:
//  - session: existing sessions with session_hour = hour; the session's classification
//    selection_outcome and attribution (status, reason);
//  - status_sample: the status_samples of the sessions' hour `hour` (a SessionFact keeps no
//    per-sample rows), with the session's outcome and attribution;
//  - ai_batch_job, byoc_job: jobs completed in the hour; their selection_outcome and decision;
//  - payment: payments of the hour; status = link_status, reason = link_method, outcome "";
//  - discovery: discovery rows of the hour; status = resolution, outcome and reason "".
// Rows with count 0 are never written. The other two data-quality tables of §4.12 are ingest
// counters (store::CounterRow, written by ingest::Pipeline), not slices.
#include <compare>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "publish/table.h"
#include "resolve/facts_view.h"

namespace naap::publish {

inline constexpr char kAttributionQualityTable[] = "api_hourly_attribution_quality";

struct AttributionQualityKey {
  std::string subject;  // session | status_sample | ai_batch_job | byoc_job | payment | discovery
  std::string selection_outcome;
  std::string attribution_status;
  std::string attribution_reason;
  friend auto operator<=>(const AttributionQualityKey&, const AttributionQualityKey&) = default;
};

struct AttributionQualityRow {
  Millis window_start = 0;
  std::string org;
  AttributionQualityKey key;
  int64_t count = 0;  // (A)
  friend bool operator==(const AttributionQualityRow&, const AttributionQualityRow&) = default;
};

// The rows of slice (org, hour), in ascending key order.
std::vector<AttributionQualityRow> BuildAttributionQualityRows(const resolve::FactsView& facts,
                                                               std::string_view org, Millis hour);

// Canonical slice bytes (publish/streaming_rows.h EncodeSlice): "" for no rows; rows must be in
// strictly ascending key order and share org and hour.
std::string EncodeAttributionQualityRows(const std::vector<AttributionQualityRow>& rows);
// Fails on truncated, trailing or out-of-order bytes.
Result<std::vector<AttributionQualityRow>> DecodeAttributionQualityRows(std::string_view bytes);

std::unique_ptr<Table> AttributionQualityTable();

}  // namespace naap::publish
