#pragma once
// Reads of the network routes B1–B20 only (spec/api.md §3.1–§3.3; the helpers every group shares
// are in route_util.h): status samples joined with their sessions, and the sessions of a stream.
//  - Status samples (`api_fact_status_sample`) are the ai_stream_status records of the raw event
//    log, decoded as at ingest and joined at read with their session fact (spec/analytics.md §2.4).
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "api/backend.h"
#include "base/status.h"
#include "base/time.h"
#include "event/decoded.h"
#include "resolve/facts_view.h"
#include "resolve/session.h"

namespace naap::api::net {

// One status sample joined with its session (null when the session fact is missing).
struct JoinedSample {
  std::string org, event_id, gateway;
  Millis sample_ts = 0;
  event::StatusSample sample;
  const resolve::SessionFact* session = nullptr;
  bool is_attributed() const;
  const std::string& attribution_status() const;  // "unresolved" without a session
};
// Which status samples a scan keeps: event time in [from, to), of `orgs` (every org when unset),
// of `session_key` only when given.
struct SampleFilter {
  std::optional<std::set<std::string>> orgs;
  Millis from = 0, to = 0;
  std::optional<std::string> session_key;
};
// The samples of `filter` in the raw-log hour `hour`, in raw-log order, appended to `out`. The
// hour's decoded samples are memoized in Backend::read_cache() by (hour, data version), so only
// the join with the session facts runs per request.
Status AppendHourSamples(Backend& backend, const resolve::FactsView& facts,
                         const SampleFilter& filter, Millis hour, std::vector<JoinedSample>& out);
// The samples of `filter` in the raw-log hour `hour`, joined, in B10's keyset order (sample_ts
// DESC, then org and event_id ASC), passed to `visit` until it returns false. The order is memoized
// with the hour's decoded samples, so a page costs only the rows it visits.
Status VisitHourSamplesNewestFirst(Backend& backend, const resolve::FactsView& facts,
                                   const SampleFilter& filter, Millis hour,
                                   const std::function<bool(JoinedSample)>& visit);
// Every status sample of `filter` with a session key, in raw-log order (the hours of the window,
// oldest first).
Result<std::vector<JoinedSample>> ScanStatusSamples(Backend& backend,
                                                    const resolve::FactsView& facts,
                                                    const SampleFilter& filter);
// The B10 row of a sample.
std::string SampleJson(const JoinedSample& s);

// Existing sessions of `orgs` with this stream id over the hours [from_hour, to_hour], each once,
// by (org, key).
std::vector<const resolve::SessionFact*> SessionsOfStream(const resolve::FactsView& facts,
                                                          const std::vector<std::string>& orgs,
                                                          std::string_view stream_id,
                                                          Millis from_hour, Millis to_hour);

}  // namespace naap::api::net
