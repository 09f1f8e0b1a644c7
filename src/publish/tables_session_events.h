#pragma once
// api_hourly_failures (spec/analytics.md §4.6) and api_hourly_ingest_transport (§4.7), built from
// the sessions of FactsView::SessionsAt(org, hour): a failure counts in hour(failure_ts) (always
// one of its session's hours); ingest transport comes from each session hour holding ingest
// samples, including keys whose session does not exist (pipeline_id "").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "resolve/facts_view.h"
#include "resolve/session.h"

namespace naap::publish {

inline constexpr char kFailuresTable[] = "api_hourly_failures";
inline constexpr char kIngestTransportTable[] = "api_hourly_ingest_transport";

struct FailureRow {
  Millis window_start = 0;
  std::string org, failure_type, orchestrator_address, pipeline_id, model_id;
  int64_t failure_count = 0;  // (A)
  friend bool operator==(const FailureRow&, const FailureRow&) = default;
};

std::vector<FailureRow> BuildFailureRows(const resolve::FactsView& facts, std::string_view org,
                                         Millis hour);
std::string EncodeFailureRows(const std::vector<FailureRow>& rows);
Result<std::vector<FailureRow>> DecodeFailureRows(std::string_view bytes);

struct IngestTransportDerived {
  std::optional<double> avg_video_jitter, avg_audio_jitter;
  std::optional<double> video_packet_loss_rate, audio_packet_loss_rate;
  std::optional<double> conn_good_share, conn_fair_share, conn_poor_share;
  friend bool operator==(const IngestTransportDerived&, const IngestTransportDerived&) = default;
};

struct IngestTransportRow {
  Millis window_start = 0;
  std::string org, pipeline_id, stream_id;
  resolve::IngestTransport sums;  // (A)
  IngestTransportDerived derived;
  friend bool operator==(const IngestTransportRow&, const IngestTransportRow&) = default;
};

std::vector<IngestTransportRow> BuildIngestTransportRows(const resolve::FactsView& facts,
                                                         std::string_view org, Millis hour);
// avg jitter = Σsum ÷ Σsamples; packet loss = ratio(Σlost, Σlost + Σreceived); conn shares =
// ratio(Σconn_x, Σgood + Σfair + Σpoor).
IngestTransportDerived DeriveIngestTransport(const resolve::IngestTransport& sums);
void AddIngestTransport(const resolve::IngestTransport& from, resolve::IngestTransport& to);
std::string EncodeIngestTransportRows(const std::vector<IngestTransportRow>& rows);
Result<std::vector<IngestTransportRow>> DecodeIngestTransportRows(std::string_view bytes);

}  // namespace naap::publish
