#pragma once
// The one read interface over the hourly serving tables (spec/analytics.md §6.2, spec/api.md
// §1.7): given a table, a window, filters and a grain, it reads the table's slices from any
// store::Store, sums the (A) columns of the selected rows, merges the (M) columns by their rule
// and recomputes the (D) values from the sums with the tables' own Derive* functions and
// formulas.h. Stored (D) values are never read. Every backend goes through this same code.
//  - Rows are selected by window_start ∈ [from, to), by org (when `orgs` is set) and by equality
//    on the table's key columns. A group is (time bucket, values of group_by); groups come out
//    sorted by (bucket_start, group), so results are deterministic (invariant: hourly sums =
//    window sums, whatever the grain).
//  - SLA scores follow §5.2 "scores above the stored grain": rows are summed per (date, cohort)
//    group and scored exactly with that date's 7-day benchmark (read from the
//    api_sla_benchmark_daily slices), then combined requested-weighted across groups; rates and
//    reliability_score come from the group's total sums.
//  - A slice that does not decode fails the query with a Corruption Status; an unknown column
//    name or an empty window is InvalidArgument.
// Library naap_query (links naap_publish and naap_store): the query reads the store, which the
// slice builders of naap_publish must not depend on, and needs nothing of ingest (naap_analytics).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "publish/formulas.h"
#include "publish/streaming_rows.h"
#include "publish/tables_quality.h"
#include "publish/tables_requests.h"
#include "publish/tables_streaming.h"
#include "store/store.h"

namespace naap::publish {

enum class TimeBucket {
  kNone,  // the whole window is one bucket, bucket_start = from
  kHour,  // bucket_start = window_start
  kDay,   // bucket_start = the UTC day start of window_start
};

struct TableQuery {
  Millis from = 0, to = 0;                    // hour starts, [from, to); from < to
  std::optional<std::set<std::string>> orgs;  // nullopt: every org
  // Key column name → the value it must equal (e.g. "orchestrator_address" → "0xd003…").
  std::map<std::string, std::string> equals;
  // The grain: key column names and/or "org", in the order the result's `group` holds them.
  std::vector<std::string> group_by;
  TimeBucket bucket = TimeBucket::kNone;
};

struct NoDerived {};

// One group of the result: the sums of its rows, their merged attributes, the recomputed values.
template <typename Sums, typename Attributes, typename Derived>
struct QueryRow {
  Millis bucket_start = 0;
  std::vector<std::string> group;  // values of TableQuery::group_by, in its order
  Sums sums;
  Attributes attributes;
  Derived derived;
};

template <typename Derived>
using StreamingQueryRow = QueryRow<StreamingSums, SessionAttributes, Derived>;

// ---- streaming tables (tables_streaming.h); keys are StreamingKey columns of the table ----

// Key columns gateway, pipeline_id, model_id.
Result<std::vector<StreamingQueryRow<DemandDerived>>> QueryStreamingDemand(store::Store& store,
                                                                           const TableQuery& q);
// Key columns gateway, orchestrator_address, pipeline_id, model_id, gpu_id;
// gpu_identity_status is set only when gpu_id is in the grain.
Result<std::vector<StreamingQueryRow<DemandDerived>>> QueryGpuNetworkDemand(store::Store& store,
                                                                            const TableQuery& q);
// Key columns orchestrator_address, pipeline_id, model_id, gpu_id.
Result<std::vector<StreamingQueryRow<SlaDerived>>> QueryStreamingSla(store::Store& store,
                                                                     const TableQuery& q);
// Key columns orchestrator_address, pipeline_id, model_id, gpu_id.
Result<std::vector<StreamingQueryRow<GpuMetricsDerived>>> QueryGpuMetrics(store::Store& store,
                                                                          const TableQuery& q);
// Key columns orchestrator_address, pipeline_id, model_id.
Result<std::vector<StreamingQueryRow<ReliabilityRates>>> QueryOrchStreamStats(store::Store& store,
                                                                              const TableQuery& q);

// ---- request tables (tables_requests.h); key columns are the Key struct's members ----

// (M) attributes of request-demand rows survive a group only when all its rows agree; a field
// that differs is cleared (nullopt / "").
Result<std::vector<QueryRow<PaymentsSums, NoAttributes, PaymentsDerived>>> QueryPayments(
    store::Store& store, const TableQuery& q);
Result<std::vector<QueryRow<RequestDemandSums, RequestDemandAttributes, RequestDemandDerived>>>
QueryRequestDemand(store::Store& store, const TableQuery& q);
Result<std::vector<QueryRow<ByocAuthSums, NoAttributes, ByocAuthDerived>>> QueryByocAuth(
    store::Store& store, const TableQuery& q);
Result<std::vector<QueryRow<ByocPaymentsSums, LatestCurrency, NoDerived>>> QueryByocPayments(
    store::Store& store, const TableQuery& q);
Result<std::vector<QueryRow<DiscoverySums, NoAttributes, DiscoveryDerived>>> QueryDiscoveryLatency(
    store::Store& store, const TableQuery& q);

// ---- api_hourly_attribution_quality (tables_quality.h): sums is the count ----

Result<std::vector<QueryRow<int64_t, NoAttributes, NoDerived>>> QueryAttributionQuality(
    store::Store& store, const TableQuery& q);

}  // namespace naap::publish
