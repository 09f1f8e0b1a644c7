#include "publish/tables_quality.h"

#include <map>
#include <utility>

#include "base/bytes.h"
#include "publish/streaming_rows.h"
#include "resolve/jobs.h"
#include "resolve/payments.h"
#include "resolve/session.h"

namespace naap::publish {
namespace {

// Every column of the key, in key order.
constexpr std::string AttributionQualityKey::*kKeyColumns[] = {
    &AttributionQualityKey::subject,
    &AttributionQualityKey::selection_outcome,
    &AttributionQualityKey::attribution_status,
    &AttributionQualityKey::attribution_reason,
};

// The session's sample hour `hour`, or nullptr when it has none.
const resolve::SessionHour* HourOf(const resolve::SessionFact& session, Millis hour) {
  for (const resolve::SessionHour& h : session.hours) {
    if (h.hour == hour) return &h;
  }
  return nullptr;
}

}  // namespace

std::vector<AttributionQualityRow> BuildAttributionQualityRows(const resolve::FactsView& facts,
                                                               std::string_view org, Millis hour) {
  std::map<AttributionQualityKey, int64_t> counts;
  auto add = [&](std::string_view subject, std::string_view outcome, std::string_view status,
                 std::string_view reason, int64_t n) {
    if (n == 0) return;
    counts[{std::string(subject), std::string(outcome), std::string(status),
            std::string(reason)}] += n;
  };
  for (const resolve::SessionFact* s : facts.SessionsAt(org, hour)) {
    if (!s->exists) continue;
    const std::string& outcome = s->classification.selection_outcome;
    if (s->session_hour == hour) {
      add("session", outcome, s->attribution.status, s->attribution.reason, 1);
    }
    if (const resolve::SessionHour* h = HourOf(*s, hour)) {
      add("status_sample", outcome, s->attribution.status, s->attribution.reason,
          h->status_samples);
    }
  }
  for (const resolve::AiBatchJobFact* job : facts.AiBatchJobsAt(org, hour)) {
    const resolve::Decision& d = job->selection.decision;
    add("ai_batch_job", job->selection_outcome, d.status, d.reason, 1);
  }
  for (const resolve::ByocJobFact* job : facts.ByocJobsAt(org, hour)) {
    const resolve::Decision& d = job->selection.decision;
    add("byoc_job", job->selection_outcome, d.status, d.reason, 1);
  }
  for (const resolve::PaymentFact* p : facts.PaymentsAt(org, hour)) {
    add("payment", "", p->link_status, p->link_method, 1);
  }
  for (const resolve::DiscoveryFact* f : facts.DiscoveryAt(org, hour)) {
    add("discovery", "", f->resolution, "", 1);
  }
  std::vector<AttributionQualityRow> rows;
  rows.reserve(counts.size());
  for (auto& [key, count] : counts) {
    rows.push_back({.window_start = hour, .org = std::string(org), .key = key, .count = count});
  }
  return rows;
}

std::string EncodeAttributionQualityRows(const std::vector<AttributionQualityRow>& rows) {
  return EncodeHourlySlice<AttributionQualityRow>(
      rows, [](ByteWriter& w, const AttributionQualityRow& row) {
        for (const auto column : kKeyColumns) w.String(row.key.*column);
        w.Int(row.count);
      });
}

Result<std::vector<AttributionQualityRow>> DecodeAttributionQualityRows(std::string_view bytes) {
  auto read_columns = [](ByteReader& r, AttributionQualityRow& row) {
    for (const auto column : kKeyColumns) {
      if (!r.String(row.key.*column)) return false;
    }
    return r.Int(row.count);
  };
  return DecodeHourlySlice<AttributionQualityRow>(bytes, read_columns);
}

std::unique_ptr<Table> AttributionQualityTable() {
  return FactsRowsTable(kAttributionQualityTable, &BuildAttributionQualityRows,
                        &EncodeAttributionQualityRows);
}

}  // namespace naap::publish
