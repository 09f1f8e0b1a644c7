#include "publish/tables_requests.h"

#include <map>
#include <tuple>
#include <utility>

#include "base/bytes.h"
#include "base/fixed_point.h"
#include "event/catalog.h"
#include "event/normalize.h"
#include "publish/streaming_rows.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"

namespace naap::publish {
namespace {

// ---- building: accumulate per key, then rows in key order ----

template <typename Row>
Row& RowAt(KeyedRows<Row>& rows, std::string_view org, Millis hour, decltype(Row::key) key) {
  auto [it, inserted] = rows.try_emplace(key);
  if (inserted) {
    it->second.window_start = hour;
    it->second.org = std::string(org);
    it->second.key = std::move(key);
  }
  return it->second;
}

// Adds value × 10⁶ to a micro sum and counts the sample, when it converts.
template <typename Value>
void AddMicro(const std::optional<Value>& value, __int128& sum, int64_t& samples) {
  if (!value) return;
  if (const std::optional<__int128> micro = ToMicro(*value)) {
    sum += *micro;
    ++samples;
  }
}

// ---- request demand contributions ----

bool IsAllowedPipeline(std::string_view pipeline) {
  return !pipeline.empty() && event::NormalizeHints(pipeline, "").pipeline == pipeline;
}

void CountOutcome(std::string_view outcome, RequestDemandSums& s) {
  ++s.job_count;
  if (outcome == "selected") ++s.selected_count;
  if (outcome == "no_orch") ++s.no_orch_count;
  if (outcome == "unknown") ++s.unknown_count;
}

void CountSuccess(const std::optional<bool>& success, RequestDemandSums& s) {
  if (success == true) ++s.success_count;
  if (success == false) ++s.failure_count;
}

void CountJob(std::string_view outcome, const std::optional<bool>& success,
              const resolve::Decision& decision, const std::optional<int64_t>& duration_ms,
              const std::optional<double>& price_per_unit, RequestDemandSums& s) {
  CountOutcome(outcome, s);
  CountSuccess(success, s);
  if (outcome == "selected" &&
      (decision.status == "resolved" || decision.status == "hardware_less")) {
    ++s.attributed_count;
  }
  if (duration_ms) {
    s.duration_ms_sum += *duration_ms;
    ++s.duration_samples;
  }
  AddMicro(price_per_unit, s.price_sum_micro, s.price_samples);
}

void CountLlm(const resolve::AiBatchJobFact& job, RequestDemandSums& s) {
  const resolve::LlmFact& llm = *job.llm;
  ++s.llm_request_count;
  if (job.success == true) ++s.llm_success_count;
  if (llm.total_tokens) {
    s.llm_total_tokens_sum += *llm.total_tokens;
    ++s.llm_total_tokens_sample_count;
  }
  if (llm.tokens_per_second) {
    if (const std::optional<int64_t> milli = ToMilli(*llm.tokens_per_second)) {
      s.llm_tokens_per_second_sum_milli += *milli;
      ++s.llm_tokens_per_second_sample_count;
    }
  }
  if (llm.ttft_ms) {
    s.llm_ttft_ms_sum += *llm.ttft_ms;
    ++s.llm_ttft_ms_sample_count;
  }
}

// ---- codec pieces ----

void WriteI128(ByteWriter& w, __int128 v) { w.U128(static_cast<unsigned __int128>(v)); }
bool ReadI128(ByteReader& r, __int128& v) {
  unsigned __int128 u;
  if (!r.U128(u)) return false;
  v = static_cast<__int128>(u);
  return true;
}

void Write(ByteWriter&, const NoAttributes&) {}
bool Read(ByteReader&, NoAttributes&) { return true; }

void Write(ByteWriter& w, const PaymentsKey& k) {
  w.String(k.gateway_address);
  w.String(k.orchestrator_address);
  w.String(k.pipeline_id);
}
bool Read(ByteReader& r, PaymentsKey& k) {
  return r.String(k.gateway_address) && r.String(k.orchestrator_address) && r.String(k.pipeline_id);
}
void Write(ByteWriter& w, const PaymentsSums& s) {
  w.Int(s.event_count);
  w.Int(s.linked_count);
  w.Int(s.ticket_count);
  w.U128(s.face_value_wei);
  w.U128(s.fees_wei);
  WriteI128(w, s.price_wei_per_pixel_sum_micro);
  w.Int(s.price_samples);
}
bool Read(ByteReader& r, PaymentsSums& s) {
  return r.Int(s.event_count) && r.Int(s.linked_count) && r.Int(s.ticket_count) &&
         r.U128(s.face_value_wei) && r.U128(s.fees_wei) &&
         ReadI128(r, s.price_wei_per_pixel_sum_micro) && r.Int(s.price_samples);
}

void Write(ByteWriter& w, const RequestDemandKey& k) {
  for (const std::string* s :
       {&k.gateway, &k.execution_mode, &k.capability_family, &k.capability_name, &k.canonical_model,
        &k.orchestrator_address, &k.orchestrator_uri}) {
    w.String(*s);
  }
}
bool Read(ByteReader& r, RequestDemandKey& k) {
  for (std::string* s : {&k.gateway, &k.execution_mode, &k.capability_family, &k.capability_name,
                         &k.canonical_model, &k.orchestrator_address, &k.orchestrator_uri}) {
    if (!r.String(*s)) return false;
  }
  return true;
}
constexpr int64_t RequestDemandSums::*kRequestDemandInts[] = {
    &RequestDemandSums::job_count,
    &RequestDemandSums::selected_count,
    &RequestDemandSums::no_orch_count,
    &RequestDemandSums::unknown_count,
    &RequestDemandSums::success_count,
    &RequestDemandSums::failure_count,
    &RequestDemandSums::attributed_count,
    &RequestDemandSums::duration_ms_sum,
    &RequestDemandSums::duration_samples,
    &RequestDemandSums::price_samples,
    &RequestDemandSums::llm_request_count,
    &RequestDemandSums::llm_success_count,
    &RequestDemandSums::llm_total_tokens_sum,
    &RequestDemandSums::llm_total_tokens_sample_count,
    &RequestDemandSums::llm_tokens_per_second_sum_milli,
    &RequestDemandSums::llm_tokens_per_second_sample_count,
    &RequestDemandSums::llm_ttft_ms_sum,
    &RequestDemandSums::llm_ttft_ms_sample_count,
};
void Write(ByteWriter& w, const RequestDemandSums& s) {
  for (const auto column : kRequestDemandInts) w.Int(s.*column);
  WriteI128(w, s.price_sum_micro);
}
bool Read(ByteReader& r, RequestDemandSums& s) {
  for (const auto column : kRequestDemandInts) {
    if (!r.Int(s.*column)) return false;
  }
  return ReadI128(r, s.price_sum_micro);
}
void Write(ByteWriter& w, const RequestDemandAttributes& a) {
  WriteOptionalInt(w, a.capability_id);
  w.String(a.canonical_pipeline);
}
bool Read(ByteReader& r, RequestDemandAttributes& a) {
  return ReadOptionalInt(r, a.capability_id) && r.String(a.canonical_pipeline);
}

void Write(ByteWriter& w, const ByocAuthKey& k) { w.String(k.capability_name); }
bool Read(ByteReader& r, ByocAuthKey& k) { return r.String(k.capability_name); }
void Write(ByteWriter& w, const ByocAuthSums& s) {
  w.Int(s.total_events);
  w.Int(s.success_count);
  w.Int(s.failure_count);
}
bool Read(ByteReader& r, ByocAuthSums& s) {
  return r.Int(s.total_events) && r.Int(s.success_count) && r.Int(s.failure_count);
}

void Write(ByteWriter& w, const ByocPaymentsKey& k) {
  w.String(k.capability);
  w.String(k.payment_type);
  w.String(k.orch_reported_address);
}
bool Read(ByteReader& r, ByocPaymentsKey& k) {
  return r.String(k.capability) && r.String(k.payment_type) && r.String(k.orch_reported_address);
}
void Write(ByteWriter& w, const ByocPaymentsSums& s) {
  w.Int(s.payment_count);
  WriteI128(w, s.amount_sum_micro);
  w.Int(s.amount_samples);
}
bool Read(ByteReader& r, ByocPaymentsSums& s) {
  return r.Int(s.payment_count) && ReadI128(r, s.amount_sum_micro) && r.Int(s.amount_samples);
}
void Write(ByteWriter& w, const LatestCurrency& c) {
  w.Int(c.event_ts);
  w.String(c.event_id);
  w.String(c.currency);
}
bool Read(ByteReader& r, LatestCurrency& c) {
  return r.Int(c.event_ts) && r.String(c.event_id) && r.String(c.currency);
}

void Write(ByteWriter& w, const DiscoveryKey& k) { w.String(k.orchestrator_address); }
bool Read(ByteReader& r, DiscoveryKey& k) { return r.String(k.orchestrator_address); }
void Write(ByteWriter& w, const DiscoverySums& s) {
  w.Int(s.appearance_count);
  w.Int(s.first_rank_count);
  w.Int(s.sample_count);
  w.Int(s.latency_ms_sum_milli);
  WriteSketch(w, s.latency_sketch);
}
bool Read(ByteReader& r, DiscoverySums& s) {
  return r.Int(s.appearance_count) && r.Int(s.first_rank_count) && r.Int(s.sample_count) &&
         r.Int(s.latency_ms_sum_milli) && ReadSketch(r, s.latency_sketch);
}

}  // namespace

// ---- sums and merges ----

PaymentsSums& PaymentsSums::operator+=(const PaymentsSums& o) {
  event_count += o.event_count;
  linked_count += o.linked_count;
  ticket_count += o.ticket_count;
  face_value_wei += o.face_value_wei;
  fees_wei += o.fees_wei;
  price_wei_per_pixel_sum_micro += o.price_wei_per_pixel_sum_micro;
  price_samples += o.price_samples;
  return *this;
}

ByocPaymentsSums& ByocPaymentsSums::operator+=(const ByocPaymentsSums& o) {
  payment_count += o.payment_count;
  amount_sum_micro += o.amount_sum_micro;
  amount_samples += o.amount_samples;
  return *this;
}

void LatestCurrency::MergeLatest(const LatestCurrency& o) {
  if (o.event_id.empty()) return;
  if (event_id.empty() || std::tie(o.event_ts, o.event_id) > std::tie(event_ts, event_id)) {
    *this = o;
  }
}

DiscoverySums& DiscoverySums::operator+=(const DiscoverySums& o) {
  appearance_count += o.appearance_count;
  first_rank_count += o.first_rank_count;
  sample_count += o.sample_count;
  latency_ms_sum_milli += o.latency_ms_sum_milli;
  latency_sketch.Merge(o.latency_sketch);
  return *this;
}

// ---- builders ----

std::vector<PaymentsRow> BuildPaymentsRows(const resolve::FactsView& facts, std::string_view org,
                                           Millis hour) {
  KeyedRows<PaymentsRow> rows;
  for (const resolve::PaymentFact* p : facts.PaymentsAt(org, hour)) {
    PaymentsSums one;
    one.event_count = 1;
    one.linked_count = p->link_status == "resolved" ? 1 : 0;
    one.ticket_count = p->num_tickets;
    one.face_value_wei = p->face_value_total_wei.value();
    one.fees_wei = p->fees_wei.value();
    AddMicro(std::optional<double>(p->price_wei_per_pixel), one.price_wei_per_pixel_sum_micro,
             one.price_samples);
    RowAt(rows, org, hour, {p->sender_address, p->recipient_address, p->pipeline_id}).sums += one;
  }
  return RowsInKeyOrder(rows);
}

PaymentsDerived DerivePayments(const PaymentsSums& s) {
  return {Ratio(MicroToDouble(s.price_wei_per_pixel_sum_micro), s.price_samples)};
}

std::vector<RequestDemandRow> BuildRequestDemandRows(const resolve::FactsView& facts,
                                                     std::string_view org, Millis hour) {
  KeyedRows<RequestDemandRow> rows;
  for (const resolve::AiBatchJobFact* job : facts.AiBatchJobsAt(org, hour)) {
    const resolve::Decision& d = job->selection.decision;
    const std::string capability =
        IsAllowedPipeline(job->canonical_pipeline) ? job->canonical_pipeline : "";
    RequestDemandSums one;
    CountJob(job->selection_outcome, job->success, d, job->duration_ms, job->price_per_unit, one);
    if (capability == "llm" && job->llm) CountLlm(*job, one);
    RequestDemandRow& row =
        RowAt(rows, org, hour,
              {job->gateway, "request", "builtin", capability, job->attributed_model,
               d.attributed_orch_address, job->orch_url_norm});
    row.sums += one;
    row.attributes.canonical_pipeline = capability;
    if (!capability.empty() && job->capability_id)
      row.attributes.capability_id = *job->capability_id;
  }
  for (const resolve::ByocJobFact* job : facts.ByocJobsAt(org, hour)) {
    const resolve::Decision& d = job->selection.decision;
    RequestDemandSums one;
    CountJob(job->selection_outcome, job->success, d, job->duration_ms, job->worker_price_per_unit,
             one);
    RequestDemandRow& row = RowAt(rows, org, hour,
                                  {job->gateway, "request", "byoc", job->capability, job->model,
                                   d.attributed_orch_address, job->orch_url_norm});
    row.sums += one;
    row.attributes.capability_id = event::kByocCapabilityId;
  }
  return RowsInKeyOrder(rows);
}

RequestDemandDerived DeriveRequestDemand(const RequestDemandSums& s) {
  RequestDemandDerived d;
  d.success_rate = SuccessRate(s);
  d.avg_duration_ms = AvgDurationMs(s);
  d.avg_price_per_unit = AvgPricePerUnit(s);
  d.attributed_rate = AttributedRate(s);
  d.llm_success_rate = LlmSuccessRate(s);
  d.avg_tokens_per_sec = AvgTokensPerSec(s);
  d.avg_ttft_ms = AvgTtftMs(s);
  d.avg_total_tokens = AvgTotalTokens(s);
  return d;
}

std::vector<ByocAuthRow> BuildByocAuthRows(const resolve::FactsView& facts, std::string_view org,
                                           Millis hour) {
  KeyedRows<ByocAuthRow> rows;
  for (const resolve::AuthFact* a : facts.AuthAt(org, hour)) {
    ByocAuthSums one;
    one.total_events = 1;
    one.success_count = a->success == true ? 1 : 0;
    one.failure_count = a->success == false ? 1 : 0;
    RowAt(rows, org, hour, {a->capability_name}).sums += one;
  }
  return RowsInKeyOrder(rows);
}

ByocAuthDerived DeriveByocAuth(const ByocAuthSums& s) { return {SuccessRate(s)}; }

std::vector<ByocPaymentsRow> BuildByocPaymentsRows(const resolve::FactsView& facts,
                                                   std::string_view org, Millis hour) {
  KeyedRows<ByocPaymentsRow> rows;
  for (const resolve::ByocPaymentFact* p : facts.ByocPaymentsAt(org, hour)) {
    ByocPaymentsSums one;
    one.payment_count = 1;
    AddMicro(p->amount, one.amount_sum_micro, one.amount_samples);
    ByocPaymentsRow& row =
        RowAt(rows, org, hour, {p->capability, p->payment_type, p->orch_reported_address});
    row.sums += one;
    if (!p->currency.empty()) row.attributes.MergeLatest({p->event_ts, p->event_id, p->currency});
  }
  return RowsInKeyOrder(rows);
}

std::vector<DiscoveryRow> BuildDiscoveryRows(const resolve::FactsView& facts, std::string_view org,
                                             Millis hour) {
  KeyedRows<DiscoveryRow> rows;
  for (const resolve::DiscoveryFact* f : facts.DiscoveryAt(org, hour)) {
    DiscoverySums one;
    one.appearance_count = 1;
    one.first_rank_count = f->rank == 0 ? 1 : 0;
    if (f->latency_ms && *f->latency_ms > 0) {
      if (const std::optional<int64_t> milli = ToMilli(*f->latency_ms)) {
        one.sample_count = 1;
        one.latency_ms_sum_milli = *milli;
        one.latency_sketch.Add(*f->latency_ms);
      }
    }
    RowAt(rows, org, hour, {f->orchestrator_address}).sums += one;
  }
  return RowsInKeyOrder(rows);
}

DiscoveryDerived DeriveDiscovery(const DiscoverySums& s) {
  return {Ratio(MilliToDouble(s.latency_ms_sum_milli), s.sample_count),
          s.latency_sketch.Quantile(0.50), s.latency_sketch.Quantile(0.95),
          s.latency_sketch.Quantile(0.99)};
}

// ---- codec ----

template <typename Row>
std::string EncodeRequestRows(const std::vector<Row>& rows) {
  return EncodeHourlySlice<Row>(rows, [](ByteWriter& w, const Row& row) {
    Write(w, row.key);
    Write(w, row.sums);
    Write(w, row.attributes);
  });
}

template <typename Row>
Result<std::vector<Row>> DecodeRequestRows(std::string_view bytes) {
  return DecodeHourlySlice<Row>(bytes, [](ByteReader& r, Row& row) {
    return Read(r, row.key) && Read(r, row.sums) && Read(r, row.attributes);
  });
}

#define NAAP_REQUEST_ROW_CODEC(Row)                                          \
  template std::string EncodeRequestRows<Row>(const std::vector<Row>& rows); \
  template Result<std::vector<Row>> DecodeRequestRows<Row>(std::string_view bytes);
NAAP_REQUEST_ROW_CODEC(PaymentsRow)
NAAP_REQUEST_ROW_CODEC(RequestDemandRow)
NAAP_REQUEST_ROW_CODEC(ByocAuthRow)
NAAP_REQUEST_ROW_CODEC(ByocPaymentsRow)
NAAP_REQUEST_ROW_CODEC(DiscoveryRow)
#undef NAAP_REQUEST_ROW_CODEC

std::vector<std::unique_ptr<Table>> RequestTables() {
  std::vector<std::unique_ptr<Table>> tables;
  tables.push_back(
      FactsRowsTable(kPaymentsTable, &BuildPaymentsRows, &EncodeRequestRows<PaymentsRow>));
  tables.push_back(FactsRowsTable(kRequestDemandTable, &BuildRequestDemandRows,
                                  &EncodeRequestRows<RequestDemandRow>));
  tables.push_back(
      FactsRowsTable(kByocAuthTable, &BuildByocAuthRows, &EncodeRequestRows<ByocAuthRow>));
  tables.push_back(FactsRowsTable(kByocPaymentsTable, &BuildByocPaymentsRows,
                                  &EncodeRequestRows<ByocPaymentsRow>));
  tables.push_back(FactsRowsTable(kDiscoveryLatencyTable, &BuildDiscoveryRows,
                                  &EncodeRequestRows<DiscoveryRow>));
  return tables;
}

}  // namespace naap::publish
