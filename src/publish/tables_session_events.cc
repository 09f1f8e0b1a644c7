#include "publish/tables_session_events.h"

#include <map>
#include <tuple>

#include "base/bytes.h"
#include "base/fixed_point.h"
#include "publish/formulas.h"
#include "publish/streaming_rows.h"

namespace naap::publish {
namespace {

using FailureKey = std::tuple<std::string, std::string, std::string, std::string>;

FailureKey KeyOf(const FailureRow& row) {
  return {row.failure_type, row.orchestrator_address, row.pipeline_id, row.model_id};
}

constexpr int64_t resolve::IngestTransport::*kIngestColumns[] = {
    &resolve::IngestTransport::ingest_samples,
    &resolve::IngestTransport::video_jitter_sum,
    &resolve::IngestTransport::video_jitter_samples,
    &resolve::IngestTransport::audio_jitter_sum,
    &resolve::IngestTransport::audio_jitter_samples,
    &resolve::IngestTransport::video_packets_lost,
    &resolve::IngestTransport::video_packets_received,
    &resolve::IngestTransport::audio_packets_lost,
    &resolve::IngestTransport::audio_packets_received,
    &resolve::IngestTransport::conn_good,
    &resolve::IngestTransport::conn_fair,
    &resolve::IngestTransport::conn_poor};

constexpr std::optional<double> IngestTransportDerived::*kIngestDerivedColumns[] = {
    &IngestTransportDerived::avg_video_jitter,
    &IngestTransportDerived::avg_audio_jitter,
    &IngestTransportDerived::video_packet_loss_rate,
    &IngestTransportDerived::audio_packet_loss_rate,
    &IngestTransportDerived::conn_good_share,
    &IngestTransportDerived::conn_fair_share,
    &IngestTransportDerived::conn_poor_share};

std::optional<double> CountRatio(int64_t numerator, int64_t denominator) {
  return Ratio(static_cast<double>(numerator), static_cast<double>(denominator));
}

}  // namespace

// ---- failures ----

std::vector<FailureRow> BuildFailureRows(const resolve::FactsView& facts, std::string_view org,
                                         Millis hour) {
  std::map<FailureKey, int64_t> counts;
  for (const resolve::SessionFact* session : facts.SessionsAt(org, hour)) {
    for (const resolve::FailureEvent& f : session->failures) {
      if (HourFloor(f.failure_ts) != hour) continue;
      ++counts[{f.failure_type, f.orchestrator_address, f.pipeline_id, f.model_id}];
    }
  }
  std::vector<FailureRow> rows;
  rows.reserve(counts.size());
  for (const auto& [key, count] : counts) {
    const auto& [type, orchestrator, pipeline, model] = key;
    rows.push_back({hour, std::string(org), type, orchestrator, pipeline, model, count});
  }
  return rows;
}

std::string EncodeFailureRows(const std::vector<FailureRow>& rows) {
  return EncodeHourlySlice<FailureRow>(rows, [](ByteWriter& w, const FailureRow& row) {
    w.String(row.failure_type);
    w.String(row.orchestrator_address);
    w.String(row.pipeline_id);
    w.String(row.model_id);
    w.Int(row.failure_count);
  });
}

Result<std::vector<FailureRow>> DecodeFailureRows(std::string_view bytes) {
  return DecodeHourlySlice<FailureRow>(
      bytes,
      [](ByteReader& r, FailureRow& row) {
        return r.String(row.failure_type) && r.String(row.orchestrator_address) &&
               r.String(row.pipeline_id) && r.String(row.model_id) && r.Int(row.failure_count);
      },
      [](const FailureRow& a, const FailureRow& b) { return KeyOf(a) < KeyOf(b); });
}

// ---- ingest transport ----

void AddIngestTransport(const resolve::IngestTransport& from, resolve::IngestTransport& to) {
  for (const auto column : kIngestColumns) to.*column += from.*column;
}

IngestTransportDerived DeriveIngestTransport(const resolve::IngestTransport& s) {
  IngestTransportDerived d;
  d.avg_video_jitter =
      Ratio(MilliToDouble(s.video_jitter_sum), static_cast<double>(s.video_jitter_samples));
  d.avg_audio_jitter =
      Ratio(MilliToDouble(s.audio_jitter_sum), static_cast<double>(s.audio_jitter_samples));
  d.video_packet_loss_rate =
      CountRatio(s.video_packets_lost, s.video_packets_lost + s.video_packets_received);
  d.audio_packet_loss_rate =
      CountRatio(s.audio_packets_lost, s.audio_packets_lost + s.audio_packets_received);
  const int64_t conn_total = s.conn_good + s.conn_fair + s.conn_poor;
  d.conn_good_share = CountRatio(s.conn_good, conn_total);
  d.conn_fair_share = CountRatio(s.conn_fair, conn_total);
  d.conn_poor_share = CountRatio(s.conn_poor, conn_total);
  return d;
}

std::vector<IngestTransportRow> BuildIngestTransportRows(const resolve::FactsView& facts,
                                                         std::string_view org, Millis hour) {
  std::map<std::pair<std::string, std::string>, resolve::IngestTransport> sums;
  for (const resolve::SessionFact* session : facts.SessionsAt(org, hour)) {
    for (const resolve::SessionHour& h : session->hours) {
      if (h.hour != hour || h.ingest.ingest_samples == 0) continue;
      const std::string pipeline = session->exists ? session->pipeline_id : "";
      AddIngestTransport(h.ingest, sums[{pipeline, session->stream_id}]);
    }
  }
  std::vector<IngestTransportRow> rows;
  rows.reserve(sums.size());
  for (const auto& [key, s] : sums) {
    rows.push_back({hour, std::string(org), key.first, key.second, s, DeriveIngestTransport(s)});
  }
  return rows;
}

std::string EncodeIngestTransportRows(const std::vector<IngestTransportRow>& rows) {
  auto write_columns = [](ByteWriter& w, const IngestTransportRow& row) {
    w.String(row.pipeline_id);
    w.String(row.stream_id);
    for (const auto column : kIngestColumns) w.Int(row.sums.*column);
    for (const auto column : kIngestDerivedColumns) WriteOptionalDouble(w, row.derived.*column);
  };
  return EncodeHourlySlice<IngestTransportRow>(rows, write_columns);
}

Result<std::vector<IngestTransportRow>> DecodeIngestTransportRows(std::string_view bytes) {
  return DecodeHourlySlice<IngestTransportRow>(
      bytes,
      [](ByteReader& r, IngestTransportRow& row) {
        if (!r.String(row.pipeline_id) || !r.String(row.stream_id)) return false;
        for (const auto column : kIngestColumns) {
          if (!r.Int(row.sums.*column)) return false;
        }
        for (const auto column : kIngestDerivedColumns) {
          if (!ReadOptionalDouble(r, row.derived.*column)) return false;
        }
        return true;
      },
      [](const IngestTransportRow& a, const IngestTransportRow& b) {
        return std::tie(a.pipeline_id, a.stream_id) < std::tie(b.pipeline_id, b.stream_id);
      });
}

}  // namespace naap::publish
