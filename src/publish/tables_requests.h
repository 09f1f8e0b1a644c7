#pragma once
// The payment, request, BYOC and discovery tables of spec/analytics.md §4.8–§4.11, each a
// publish::Table whose slice (org, hour) is built from the FactsView facts of that hour.
//  - Stored rows hold the grain key, the (A) sums and the (M) attributes; the (D) values are
//    recomputed from a row (or from any sum of rows) by the Derive* functions, using formulas.h.
//  - Unit prices, payment prices and BYOC amounts are 128-bit fixed point at 10⁻⁶, tokens/s and
//    discovery latency 64-bit at 10⁻³ (§0.2); wei are exact. A value that does not convert
//    (not finite, out of range) counts in no sum and no sample counter.
//  - Slice bytes are canonical (publish/streaming_rows.h EncodeSlice): rows in strictly
//    ascending key order, so the same facts in any order give the same bytes.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/sketch.h"
#include "base/status.h"
#include "base/time.h"
#include "publish/formulas.h"
#include "publish/table.h"
#include "resolve/facts_view.h"

namespace naap::publish {

inline constexpr char kPaymentsTable[] = "api_hourly_payments";
inline constexpr char kRequestDemandTable[] = "api_hourly_request_demand";
inline constexpr char kByocAuthTable[] = "api_hourly_byoc_auth";
inline constexpr char kByocPaymentsTable[] = "api_hourly_byoc_payments";
inline constexpr char kDiscoveryLatencyTable[] = "api_hourly_discovery_latency";

struct NoAttributes {
  friend bool operator==(const NoAttributes&, const NoAttributes&) = default;
};

// One stored row: (window_start, org) come from the slice, then the rest of the grain key.
template <typename Key, typename Sums, typename Attributes = NoAttributes>
struct HourlyRow {
  Millis window_start = 0;
  std::string org;
  Key key;
  Sums sums;
  Attributes attributes;
};

// ---- api_hourly_payments (§4.8): every payment fact of the hour, linked or not ----

struct PaymentsKey {
  std::string gateway_address;       // sender_address
  std::string orchestrator_address;  // recipient_address
  std::string pipeline_id;           // §2.5
  friend auto operator<=>(const PaymentsKey&, const PaymentsKey&) = default;
};
struct PaymentsSums {
  int64_t event_count = 0, linked_count = 0, ticket_count = 0;
  unsigned __int128 face_value_wei = 0, fees_wei = 0;
  __int128 price_wei_per_pixel_sum_micro = 0;
  int64_t price_samples = 0;  // price is a required field: every payment has one
  PaymentsSums& operator+=(const PaymentsSums& other);
  friend bool operator==(const PaymentsSums&, const PaymentsSums&) = default;
};
struct PaymentsDerived {
  std::optional<double> avg_price_wei_per_pixel;
};
using PaymentsRow = HourlyRow<PaymentsKey, PaymentsSums>;
std::vector<PaymentsRow> BuildPaymentsRows(const resolve::FactsView& facts, std::string_view org,
                                           Millis hour);
PaymentsDerived DerivePayments(const PaymentsSums& sums);

// ---- api_hourly_request_demand (§4.9): AI-batch jobs (builtin) and BYOC jobs (byoc) ----

struct RequestDemandKey {
  std::string gateway;
  std::string execution_mode;     // always "request"
  std::string capability_family;  // builtin | byoc
  std::string capability_name;    // builtin: allow-listed canonical pipeline or ""; byoc: verbatim
  std::string canonical_model;
  std::string orchestrator_address;  // attributed on-chain address, "" when unattributed
  std::string orchestrator_uri;      // orch_url_norm
  friend auto operator<=>(const RequestDemandKey&, const RequestDemandKey&) = default;
};
// (M) attributes; both follow from the key, so every contribution of a row agrees.
struct RequestDemandAttributes {
  std::optional<int64_t> capability_id;  // catalog id (builtin), 37 (byoc)
  std::string canonical_pipeline;        // builtin only
  friend bool operator==(const RequestDemandAttributes&, const RequestDemandAttributes&) = default;
};
struct RequestDemandDerived {
  std::optional<double> success_rate, avg_duration_ms, avg_price_per_unit, attributed_rate;
  std::optional<double> llm_success_rate, avg_tokens_per_sec, avg_ttft_ms, avg_total_tokens;
};
using RequestDemandRow = HourlyRow<RequestDemandKey, RequestDemandSums, RequestDemandAttributes>;
std::vector<RequestDemandRow> BuildRequestDemandRows(const resolve::FactsView& facts,
                                                     std::string_view org, Millis hour);
RequestDemandDerived DeriveRequestDemand(const RequestDemandSums& sums);

// ---- api_hourly_byoc_auth (§4.10) ----

struct ByocAuthKey {
  std::string capability_name;
  friend auto operator<=>(const ByocAuthKey&, const ByocAuthKey&) = default;
};
struct ByocAuthDerived {
  std::optional<double> success_rate;
};
using ByocAuthRow = HourlyRow<ByocAuthKey, ByocAuthSums>;
std::vector<ByocAuthRow> BuildByocAuthRows(const resolve::FactsView& facts, std::string_view org,
                                           Millis hour);
ByocAuthDerived DeriveByocAuth(const ByocAuthSums& sums);

// ---- api_hourly_byoc_payments (§4.10); no derived columns ----

struct ByocPaymentsKey {
  std::string capability, payment_type, orch_reported_address;
  friend auto operator<=>(const ByocPaymentsKey&, const ByocPaymentsKey&) = default;
};
struct ByocPaymentsSums {
  int64_t payment_count = 0;
  __int128 amount_sum_micro = 0;
  int64_t amount_samples = 0;
  ByocPaymentsSums& operator+=(const ByocPaymentsSums& other);
  friend bool operator==(const ByocPaymentsSums&, const ByocPaymentsSums&) = default;
};
// currency: of the latest payment (event_ts, event_id) with a non-empty currency; the time and id
// are kept so rows of several hours merge by the same rule.
struct LatestCurrency {
  Millis event_ts = 0;
  std::string event_id;  // "" when no payment had a currency
  std::string currency;
  void MergeLatest(const LatestCurrency& other);
  friend bool operator==(const LatestCurrency&, const LatestCurrency&) = default;
};
using ByocPaymentsRow = HourlyRow<ByocPaymentsKey, ByocPaymentsSums, LatestCurrency>;
std::vector<ByocPaymentsRow> BuildByocPaymentsRows(const resolve::FactsView& facts,
                                                   std::string_view org, Millis hour);

// ---- api_hourly_discovery_latency (§4.11) ----

struct DiscoveryKey {
  std::string orchestrator_address;  // resolved on-chain address, "" for unresolved rows
  friend auto operator<=>(const DiscoveryKey&, const DiscoveryKey&) = default;
};
struct DiscoverySums {
  int64_t appearance_count = 0, first_rank_count = 0, sample_count = 0;
  int64_t latency_ms_sum_milli = 0;
  QuantileSketch latency_sketch;
  DiscoverySums& operator+=(const DiscoverySums& other);
  friend bool operator==(const DiscoverySums&, const DiscoverySums&) = default;
};
struct DiscoveryDerived {
  std::optional<double> avg_latency_ms, p50_latency_ms, p95_latency_ms, p99_latency_ms;
};
using DiscoveryRow = HourlyRow<DiscoveryKey, DiscoverySums>;
std::vector<DiscoveryRow> BuildDiscoveryRows(const resolve::FactsView& facts, std::string_view org,
                                             Millis hour);
DiscoveryDerived DeriveDiscovery(const DiscoverySums& sums);

// ---- codec: instantiated for the five row types above ----

// "" when `rows` is empty; rows must be in strictly ascending key order and share org and hour.
template <typename Row>
std::string EncodeRequestRows(const std::vector<Row>& rows);
// Fails on truncated, trailing or out-of-order bytes.
template <typename Row>
Result<std::vector<Row>> DecodeRequestRows(std::string_view bytes);

// The five tables, in the order above.
std::vector<std::unique_ptr<Table>> RequestTables();

}  // namespace naap::publish
