// Group B routes B21–B45 (spec/api.md §3.4–§3.8): payments, reliability, failures, leaderboard,
// gateways, pricing, pipelines and the SLA / demand / GPU hourly rows. Handlers read the serving
// tables through publish/query.h, the current views through publish/views.h and the facts through
// Backend::ReadFacts; the router does validation, windows, paging and envelopes.
#include <algorithm>
#include <cctype>
#include <climits>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "api/api.h"
#include "api/backend.h"
#include "api/pagination.h"
#include "api/route.h"
#include "api/route_util.h"
#include "api/routes_econ_util.h"
#include "base/json_writer.h"
#include "publish/formulas.h"
#include "publish/query.h"
#include "publish/views.h"
#include "resolve/payments.h"
#include "resolve/session.h"

namespace naap::api {
namespace {

using namespace route_util;  // NOLINT(google-build-using-namespace)
using econ::WeiText;
using econ::WriteNullableString;
using publish::StreamingSums;
using publish::TimeBucket;
using Wei128 = unsigned __int128;

constexpr int64_t kReliabilityMinStreams = 10;
constexpr size_t kMaxOrchsUsed = 100;

Problem NotFoundProblem(std::string detail) {
  return Problem{.status = 404, .detail = std::move(detail), .headers = {}, .extension_json = ""};
}

void WriteWei(JsonWriter& w, Wei128 wei) { w.String(WeiText(wei)); }

template <typename Rows>
StreamingSums SumAll(const Rows& rows) {
  StreamingSums total;
  for (const auto& row : rows) total += row.sums;
  return total;
}

std::string LowerCase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The equality filters of the request: query parameter → table key column; `gateway` values are
// lower-cased (§1.5.5).
std::map<std::string, std::string> Equals(
    const RequestContext& ctx, const std::vector<std::pair<std::string, std::string>>& map) {
  std::map<std::string, std::string> equals;
  for (const auto& [param, column] : map) {
    const std::optional<std::string> value = ctx.Get(param);
    if (!value) continue;
    equals[column] = param == "gateway" ? LowerCase(*value) : *value;
  }
  return equals;
}

std::optional<publish::TableQuery> FilteredWindowQuery(
    const RequestContext& ctx, std::vector<std::string> group_by, TimeBucket bucket,
    const std::vector<std::pair<std::string, std::string>>& filters) {
  std::optional<publish::TableQuery> q = econ::WindowQuery(ctx, std::move(group_by), bucket);
  if (q) q->equals = Equals(ctx, filters);
  return q;
}

// ---- event-grained windows from per-hour extracts ----
// A route reading facts by event time memoizes what it reads of a window's HourCut (its whole
// hours summed, its partial hours' facts extracted) and cuts the partial hours to the window's
// exact [start, end) per request; a default window moving with the clock keeps one HourCut for
// an hour.

// A window cut at hour boundaries: a run of whole hours and a partial first and last hour (each
// inside one hour), any of them absent; a window inside one hour is a partial first hour only.
struct HourCut {
  std::optional<Window> first, last;
  HourRange whole;

  // Names the hours of each piece (not the bounds of the partial ones).
  std::string Key() const {
    auto hour = [](const std::optional<Window>& w) {
      return w ? std::to_string(HourFloor(w->start)) : std::string("-");
    };
    return hour(first) + "/" + std::to_string(whole.first) + "/" +
           std::to_string(whole.last_exclusive) + "/" + hour(last);
  }
};

HourCut CutAtHours(const Window& window) {
  HourCut cut;
  if (window.start >= window.end) return cut;
  const Millis whole_from =
      HourFloor(window.start) == window.start ? window.start : HourFloor(window.start) + kHourMs;
  const Millis whole_to = HourFloor(window.end);
  if (whole_from < whole_to) {
    cut.whole = {.first = whole_from, .last_exclusive = whole_to};
    if (window.start < whole_from) cut.first = Window{window.start, whole_from};
    if (whole_to < window.end) cut.last = Window{whole_to, window.end};
    return cut;
  }
  const Millis last_hour = HourFloor(window.end - 1);
  if (last_hour <= window.start) {
    cut.first = window;
  } else {
    cut.first = Window{window.start, last_hour};
    cut.last = Window{last_hour, window.end};
  }
  return cut;
}

// build(facts) under the facts lock, memoized under `key`, which must name every input of build.
template <typename T, typename Build>
Result<std::shared_ptr<const T>> MemoizedFromFacts(Backend& backend, const std::string& key,
                                                   Build build) {
  return Memoized<T>(backend, key, [&]() -> Result<std::shared_ptr<const T>> {
    std::shared_ptr<const T> value;
    NAAP_RETURN_IF_ERROR(backend.ReadFacts([&](const resolve::FactsView& facts) {
      value = std::make_shared<const T>(build(facts));
      return Status::Ok();
    }));
    return value;
  });
}

// ====================================== §3.4 payments ======================================

// B21
Outcome PaymentsSummary(const RequestContext& ctx, Backend& backend) {
  auto rows = CachedQuery(
      backend, econ::WindowQuery(ctx, {"org", "orchestrator_address"}, TimeBucket::kNone),
      publish::QueryPayments);
  if (!rows.ok()) return rows.status();
  publish::PaymentsSums total;
  std::map<std::string, publish::PaymentsSums> by_org;
  std::set<std::string> orchestrators;
  for (const auto& row : **rows) {
    total += row.sums;
    by_org[row.group[0]] += row.sums;
    if (!row.group[1].empty() && row.sums.event_count > 0) orchestrators.insert(row.group[1]);
  }
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  w.Key("total_payments_wei");
  WriteWei(w, total.fees_wei);
  w.Key("total_face_value_wei");
  WriteWei(w, total.face_value_wei);
  w.Key("payment_event_count").Int(total.event_count);
  w.Key("ticket_count").Int(total.ticket_count);
  w.Key("unique_orchestrators").Int(static_cast<int64_t>(orchestrators.size()));
  w.Key("by_org").BeginObject();
  for (const auto& [org, sums] : by_org) {
    w.Key(org).BeginObject();
    w.Key("total_wei");
    WriteWei(w, sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, sums.face_value_wei);
    w.Key("count").Int(sums.event_count);
    w.EndObject();
  }
  w.EndObject().EndObject();
  return Reply::Data(w.Take());
}

// B22
Outcome PaymentsHistory(const RequestContext& ctx, Backend& backend) {
  auto rows =
      CachedQuery(backend, econ::WindowQuery(ctx, {"orchestrator_address"}, TimeBucket::kHour),
                  publish::QueryPayments);
  if (!rows.ok()) return rows.status();
  struct Hour {
    publish::PaymentsSums sums;
    std::set<std::string> orchs;
  };
  std::map<Millis, Hour> hours;
  for (const auto& row : **rows) {
    Hour& hour = hours[row.bucket_start];
    hour.sums += row.sums;
    if (!row.group[0].empty() && row.sums.event_count > 0) hour.orchs.insert(row.group[0]);
  }
  return Reply::Data(HourArray(WindowHours(ctx), [&](JsonWriter& w, Millis h) {
    const Hour& hour = hours[h];
    w.Key("total_wei");
    WriteWei(w, hour.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, hour.sums.face_value_wei);
    w.Key("event_count").Int(hour.sums.event_count);
    w.Key("unique_orchs").Int(static_cast<int64_t>(hour.orchs.size()));
  }));
}

// B23
Outcome PaymentsByPipeline(const RequestContext& ctx, Backend& backend) {
  auto queried = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                             publish::QueryPayments);
  if (!queried.ok()) return queried.status();
  auto rows = **queried;  // a copy: sorted below
  SortByRankThenGroup(rows, [](const auto& row) { return row.sums.fees_wei; });
  JsonWriter w;
  w.BeginArray();
  for (const auto& row : rows) {
    w.BeginObject();
    w.Key("pipeline").String(row.group[0]);
    w.Key("total_wei");
    WriteWei(w, row.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, row.sums.face_value_wei);
    w.Key("event_count").Int(row.sums.event_count);
    WriteOptional(w, "avg_price_wei_per_pixel", row.derived.avg_price_wei_per_pixel);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// B24
Outcome PaymentsByOrch(const RequestContext& ctx, Backend& backend) {
  auto queried = CachedQuery(backend,
                             FilteredWindowQuery(ctx, {"orchestrator_address"}, TimeBucket::kNone,
                                                 {{"orch_address", "orchestrator_address"}}),
                             publish::QueryPayments);
  if (!queried.ok()) return queried.status();
  auto rows = **queried;  // a copy: sorted below
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  SortByRankThenGroup(rows, [](const auto& row) { return row.sums.fees_wei; });
  std::vector<ListRow> out;
  for (const auto& row : rows) {
    const std::string& address = row.group[0];
    JsonWriter w;
    w.BeginObject();
    w.Key("address").String(address);
    w.Key("name").String(inventory->identities->NameOf(address));
    w.Key("total_received_wei");
    WriteWei(w, row.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, row.sums.face_value_wei);
    w.Key("payment_count").Int(row.sums.event_count);
    w.EndObject();
    out.push_back({{WeiText(row.sums.fees_wei), address}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// B25
Outcome PaymentsByGateway(const RequestContext& ctx, Backend& backend) {
  auto rows = CachedQuery(
      backend,
      econ::WindowQuery(ctx, {"gateway_address", "orchestrator_address"}, TimeBucket::kNone),
      publish::QueryPayments);
  if (!rows.ok()) return rows.status();
  struct Gateway {
    std::string address;
    publish::PaymentsSums sums;
    std::set<std::string> orchs;
  };
  std::map<std::string, Gateway> by_gateway;
  for (const auto& row : **rows) {
    Gateway& g = by_gateway[row.group[0]];
    g.address = row.group[0];
    g.sums += row.sums;
    if (!row.group[1].empty() && row.sums.event_count > 0) g.orchs.insert(row.group[1]);
  }
  std::vector<Gateway> gateways;
  for (auto& [address, g] : by_gateway) gateways.push_back(std::move(g));
  std::sort(gateways.begin(), gateways.end(), [](const Gateway& a, const Gateway& b) {
    if (a.sums.fees_wei != b.sums.fees_wei) return a.sums.fees_wei > b.sums.fees_wei;
    return a.address < b.address;
  });
  std::vector<ListRow> out;
  for (const Gateway& g : gateways) {
    JsonWriter w;
    w.BeginObject();
    w.Key("gateway_address").String(g.address);
    w.Key("name").String("");
    w.Key("total_wei");
    WriteWei(w, g.sums.fees_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, g.sums.face_value_wei);
    w.Key("event_count").Int(g.sums.event_count);
    w.Key("unique_orchs").Int(static_cast<int64_t>(g.orchs.size()));
    w.EndObject();
    out.push_back({{WeiText(g.sums.fees_wei), g.address}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// (stream_id, request_id) of a session key `org|stream|request` (spec/analytics.md §2.2), with
// the `_missing_*` placeholders read back as "".
std::pair<std::string, std::string> StreamAndRequestOf(std::string_view org,
                                                       std::string_view session_key) {
  std::string_view rest = session_key.substr(std::min(session_key.size(), org.size() + 1));
  const size_t bar = rest.rfind('|');
  std::string stream(rest.substr(0, bar == std::string_view::npos ? rest.size() : bar));
  std::string request(bar == std::string_view::npos ? "" : rest.substr(bar + 1));
  if (stream == "_missing_stream") stream.clear();
  if (request == "_missing_request") request.clear();
  return {stream, request};
}

// The stream session (org, stream_id, request_id) a linked payment belongs to.
struct StreamKey {
  std::string org, stream_id, request_id;
  friend auto operator<=>(const StreamKey&, const StreamKey&) = default;
};

struct PaymentSums {
  Wei128 fees = 0, face_value = 0;
  int64_t count = 0;
  void Add(const PaymentSums& more) {
    fees += more.fees;
    face_value += more.face_value;
    count += more.count;
  }
  // The sums of the payments added after `earlier`, a running total these sums include.
  PaymentSums Since(const PaymentSums& earlier) const {
    return {.fees = fees - earlier.fees,
            .face_value = face_value - earlier.face_value,
            .count = count - earlier.count};
  }
};

// One hour's linked payments of every org in fact order (org, then event id), naming their stream
// sessions in `streams` (by key) and their pipelines in `pipelines`.
struct HourPayments {
  struct Payment {
    Millis event_ts = 0;
    uint32_t stream = 0, pipeline = 0;
    PaymentSums sums;  // count 1
  };
  std::vector<StreamKey> streams;
  std::vector<std::string> pipelines;
  std::vector<Payment> payments;
};

HourPayments ExtractHourPayments(const resolve::FactsView& facts, Millis hour) {
  HourPayments extract;
  std::map<StreamKey, uint32_t> streams;  // → index in first-payment order
  std::map<std::string, uint32_t> pipelines;
  for (const std::string& org : facts.Orgs()) {
    for (const resolve::PaymentFact* p : facts.PaymentsAt(org, hour)) {
      if (p->session_key.empty()) continue;
      auto [stream_id, request_id] = StreamAndRequestOf(org, p->session_key);
      const auto stream = streams.try_emplace({org, std::move(stream_id), std::move(request_id)},
                                              static_cast<uint32_t>(streams.size()));
      const auto pipeline =
          pipelines.try_emplace(p->pipeline_id, static_cast<uint32_t>(pipelines.size()));
      extract.payments.push_back({.event_ts = p->event_ts,
                                  .stream = stream.first->second,
                                  .pipeline = pipeline.first->second,
                                  .sums = {.fees = p->fees_wei.value(),
                                           .face_value = p->face_value_total_wei.value(),
                                           .count = 1}});
    }
  }
  // Streams renumbered in key order.
  std::vector<uint32_t> by_key(streams.size());
  for (const auto& [key, index] : streams) {
    by_key[index] = static_cast<uint32_t>(extract.streams.size());
    extract.streams.push_back(key);
  }
  for (HourPayments::Payment& p : extract.payments) p.stream = by_key[p.stream];
  extract.pipelines.resize(pipelines.size());
  for (const auto& [pipeline, index] : pipelines) extract.pipelines[index] = pipeline;
  return extract;
}

// A stream session's payments of one hour with event_ts in a range.
struct StreamSlice {
  uint32_t stream = 0;    // index into HourPayments::streams
  uint32_t pipeline = 0;  // of the last payment, into HourPayments::pipelines
  PaymentSums sums;
};

// The stream sessions of `hour` with payments in [from, to), ascending.
std::vector<StreamSlice> SumHourPayments(const HourPayments& hour, Millis from, Millis to) {
  std::vector<StreamSlice> by_stream(hour.streams.size());
  for (const HourPayments::Payment& p : hour.payments) {
    if (p.event_ts < from || p.event_ts >= to) continue;
    by_stream[p.stream].sums.Add(p.sums);
    by_stream[p.stream].pipeline = p.pipeline;
  }
  std::vector<StreamSlice> slices;
  for (uint32_t i = 0; i < by_stream.size(); ++i) {
    if (by_stream[i].sums.count == 0) continue;
    slices.push_back(by_stream[i]);
    slices.back().stream = i;
  }
  return slices;
}

// A stream session's payments over (parts of) a window, viewing its key and pipeline.
struct StreamRow {
  const StreamKey* key = nullptr;
  const std::string* pipeline = nullptr;
  PaymentSums sums;
};

// The B26 keyset order: total_wei DESC, then the key.
bool RanksBefore(const StreamRow& a, const StreamRow& b) {
  if (a.sums.fees != b.sums.fees) return a.sums.fees > b.sums.fees;
  return *a.key < *b.key;
}

// What B26 reads of one HourCut: the stream sessions of all its hours by key, their payments over
// the whole hours in keyset order, and the partial hours' payments, which each request cuts to
// its window. The stream sessions are numbered by key, so a partial hour's (ascending) map to
// ascending numbers.
// One stream session's payments of an hour in time order, with running sums: before[i] sums the
// first i payments, so the payments in any [from, to) sum with two binary searches.
struct StreamTimeline {
  std::vector<Millis> times;        // ascending
  std::vector<PaymentSums> before;  // times.size() + 1 running sums
};

struct StreamPaymentsOfCut {
  struct PartialHour {
    HourPayments payments;
    std::vector<uint32_t> stream_number;  // of each of payments.streams
    // Per stream of payments.streams, when each stream's payments name one pipeline (the
    // session's, as linked payments do); empty otherwise, and each request sums the hour's
    // payments in fact order (SumHourPayments), whose last payment names the pipeline.
    std::vector<StreamTimeline> timelines;
    std::vector<uint32_t> pipeline_of;  // with timelines: each stream's pipeline
  };
  std::vector<StreamKey> keys;  // ascending
  std::vector<PaymentSums> whole;
  std::vector<std::string> whole_pipeline;  // of the last payment of the whole hours
  std::vector<uint32_t> whole_ranked;       // the numbers with payments in the whole hours
  std::optional<PartialHour> first, last;

  StreamRow WholeRow(uint32_t number) const {
    return {.key = &keys[number], .pipeline = &whole_pipeline[number], .sums = whole[number]};
  }
};

void BuildTimelines(StreamPaymentsOfCut::PartialHour& hour) {
  const HourPayments& payments = hour.payments;
  std::vector<std::vector<const HourPayments::Payment*>> of_stream(payments.streams.size());
  hour.pipeline_of.assign(payments.streams.size(), 0);
  for (const HourPayments::Payment& p : payments.payments) {
    auto& list = of_stream[p.stream];
    if (!list.empty() && hour.pipeline_of[p.stream] != p.pipeline) {
      hour.pipeline_of.clear();  // mixed pipelines: no timelines
      return;
    }
    hour.pipeline_of[p.stream] = p.pipeline;
    list.push_back(&p);
  }
  hour.timelines.resize(of_stream.size());
  for (size_t s = 0; s < of_stream.size(); ++s) {
    auto& list = of_stream[s];
    std::stable_sort(list.begin(), list.end(), [](const auto* a, const auto* b) {
      return a->event_ts < b->event_ts;
    });
    StreamTimeline& timeline = hour.timelines[s];
    timeline.before.emplace_back();
    for (const HourPayments::Payment* p : list) {
      timeline.times.push_back(p->event_ts);
      timeline.before.push_back(timeline.before.back());
      timeline.before.back().Add(p->sums);
    }
  }
}

// SumHourPayments of a partial hour: by its timelines when it has them.
std::vector<StreamSlice> SumPartialHour(const StreamPaymentsOfCut::PartialHour& hour, Millis from,
                                        Millis to) {
  if (hour.timelines.empty()) return SumHourPayments(hour.payments, from, to);
  std::vector<StreamSlice> slices;
  for (uint32_t s = 0; s < hour.timelines.size(); ++s) {
    const StreamTimeline& t = hour.timelines[s];
    const size_t lo = std::lower_bound(t.times.begin(), t.times.end(), from) - t.times.begin();
    const size_t hi = std::lower_bound(t.times.begin(), t.times.end(), to) - t.times.begin();
    if (hi == lo) continue;
    slices.push_back(
        {.stream = s, .pipeline = hour.pipeline_of[s], .sums = t.before[hi].Since(t.before[lo])});
  }
  return slices;
}

StreamPaymentsOfCut ReadStreamPayments(const resolve::FactsView& facts, const HourCut& cut) {
  StreamPaymentsOfCut out;
  std::map<StreamKey, std::pair<PaymentSums, std::string>> whole;  // sums, last pipeline
  for (Millis hour = cut.whole.first; hour < cut.whole.last_exclusive; hour += kHourMs) {
    const HourPayments extract = ExtractHourPayments(facts, hour);
    for (const StreamSlice& slice : SumHourPayments(extract, hour, hour + kHourMs)) {
      auto& [sums, pipeline] = whole[extract.streams[slice.stream]];
      sums.Add(slice.sums);
      pipeline = extract.pipelines[slice.pipeline];
    }
  }
  auto partial = [&](const std::optional<Window>& part) {
    std::optional<StreamPaymentsOfCut::PartialHour> hour;
    if (!part) return hour;
    hour.emplace().payments = ExtractHourPayments(facts, HourFloor(part->start));
    for (const StreamKey& key : hour->payments.streams) whole.try_emplace(key);
    BuildTimelines(*hour);
    return hour;
  };
  out.first = partial(cut.first);
  out.last = partial(cut.last);
  for (auto& [key, sums_and_pipeline] : whole) {
    if (sums_and_pipeline.first.count > 0) {
      out.whole_ranked.push_back(static_cast<uint32_t>(out.keys.size()));
    }
    out.keys.push_back(key);
    out.whole.push_back(sums_and_pipeline.first);
    out.whole_pipeline.push_back(std::move(sums_and_pipeline.second));
  }
  std::sort(out.whole_ranked.begin(), out.whole_ranked.end(), [&out](uint32_t a, uint32_t b) {
    return RanksBefore(out.WholeRow(a), out.WholeRow(b));
  });
  for (std::optional<StreamPaymentsOfCut::PartialHour>* hour : {&out.first, &out.last}) {
    if (!*hour) continue;
    for (const StreamKey& key : (*hour)->payments.streams) {
      (*hour)->stream_number.push_back(static_cast<uint32_t>(
          std::lower_bound(out.keys.begin(), out.keys.end(), key) - out.keys.begin()));
    }
  }
  return out;
}

// The window's stream sessions with payments in its partial hours, summed over the whole window;
// every other one's row is its whole-hours row as memoized.
struct StreamRanking {
  std::vector<uint32_t> amended_numbers;
  std::vector<StreamRow> amended;  // by RanksBefore
};

StreamRanking RankStreams(const StreamPaymentsOfCut& of_cut, const HourCut& cut) {
  // Each partial hour's slices, as (number, row of the slice), numbers ascending.
  auto slices = [&](const std::optional<StreamPaymentsOfCut::PartialHour>& hour,
                    const std::optional<Window>& part) {
    std::vector<std::pair<uint32_t, StreamRow>> out;
    if (!hour) return out;
    for (const StreamSlice& slice : SumPartialHour(*hour, part->start, part->end)) {
      const uint32_t number = hour->stream_number[slice.stream];
      out.push_back({number,
                     {.key = &of_cut.keys[number],
                      .pipeline = &hour->payments.pipelines[slice.pipeline],
                      .sums = slice.sums}});
    }
    return out;
  };
  const auto first = slices(of_cut.first, cut.first);
  const auto last = slices(of_cut.last, cut.last);
  StreamRanking ranking;
  // Sums in time order (first, whole, last); the pipeline of the latest with payments.
  auto amend = [&](uint32_t number, const StreamRow* in_first, const StreamRow* in_last) {
    StreamRow row = in_first
                        ? *in_first
                        : StreamRow{.key = &of_cut.keys[number], .pipeline = nullptr, .sums = {}};
    if (of_cut.whole[number].count > 0) {
      row.sums.Add(of_cut.whole[number]);
      row.pipeline = &of_cut.whole_pipeline[number];
    }
    if (in_last) {
      row.sums.Add(in_last->sums);
      row.pipeline = in_last->pipeline;
    }
    ranking.amended_numbers.push_back(number);
    ranking.amended.push_back(row);
  };
  auto f = first.begin();
  auto l = last.begin();
  while (f != first.end() || l != last.end()) {
    if (l == last.end() || (f != first.end() && f->first < l->first)) {
      amend(f->first, &f->second, nullptr);
      ++f;
    } else if (f == first.end() || l->first < f->first) {
      amend(l->first, nullptr, &l->second);
      ++l;
    } else {
      amend(f->first, &f->second, &l->second);
      ++f;
      ++l;
    }
  }
  std::sort(ranking.amended.begin(), ranking.amended.end(), RanksBefore);
  return ranking;
}

// The rows of the window that SelectPage can put on the page or needs to see that more follow,
// in keyset order: after the org and stream_id filters, from the first that the cursor's
// total_wei does not place before it, up to limit + 1 that it places after it (every one without
// a page size). Paging them gives the page of all the rows.
std::vector<StreamRow> StreamRowsForPage(const StreamPaymentsOfCut& of_cut,
                                         const StreamRanking& ranking, const RequestContext& ctx) {
  const std::optional<std::string> org = ctx.Get("org");
  const std::optional<std::string> stream_id = ctx.Get("stream_id");
  auto wanted = [&](const StreamRow& row) {
    return (!org || row.key->org == *org) && (!stream_id || row.key->stream_id == *stream_id);
  };
  const std::string* cursor_wei =
      ctx.after_key && !ctx.after_key->empty() ? &ctx.after_key->front() : nullptr;
  // The order of a row's total_wei to the cursor's (without a cursor every row is after it).
  auto cursor_order = [cursor_wei](const StreamRow& row) {
    return cursor_wei ? CompareKeyValues(KeyKind::kWei, WeiText(row.sums.fees), *cursor_wei) : -1;
  };
  auto before_cursor = [&cursor_order](const StreamRow& row) { return cursor_order(row) > 0; };
  auto amended = [&ranking](uint32_t number) {
    return std::binary_search(ranking.amended_numbers.begin(), ranking.amended_numbers.end(),
                              number);
  };
  const std::vector<uint32_t>& whole = of_cut.whole_ranked;
  auto next_whole = std::partition_point(whole.begin(), whole.end(), [&](uint32_t number) {
    return before_cursor(of_cut.WholeRow(number));
  });
  auto next_amended =
      std::partition_point(ranking.amended.begin(), ranking.amended.end(), before_cursor);
  std::vector<StreamRow> rows;
  for (int64_t after_cursor = 0; ctx.limit <= 0 || after_cursor <= ctx.limit;) {
    while (next_whole != whole.end() &&
           (amended(*next_whole) || !wanted(of_cut.WholeRow(*next_whole)))) {
      ++next_whole;
    }
    while (next_amended != ranking.amended.end() && !wanted(*next_amended)) ++next_amended;
    const bool whole_left = next_whole != whole.end();
    const bool amended_left = next_amended != ranking.amended.end();
    if (!whole_left && !amended_left) break;
    const StreamRow row =
        !amended_left || (whole_left && RanksBefore(of_cut.WholeRow(*next_whole), *next_amended))
            ? of_cut.WholeRow(*next_whole++)
            : *next_amended++;
    if (cursor_order(row) < 0) ++after_cursor;
    rows.push_back(row);
  }
  return rows;
}

// B26
Outcome PaymentsByStream(const RequestContext& ctx, Backend& backend) {
  const HourCut cut = CutAtHours(*ctx.window);
  auto of_cut = MemoizedFromFacts<StreamPaymentsOfCut>(
      backend, "payments_by_stream/" + cut.Key(),
      [&cut](const resolve::FactsView& facts) { return ReadStreamPayments(facts, cut); });
  if (!of_cut.ok()) return of_cut.status();
  std::vector<ListRow> out;
  for (const StreamRow& row : StreamRowsForPage(**of_cut, RankStreams(**of_cut, cut), ctx)) {
    const StreamKey& key = *row.key;
    const std::string total_wei = WeiText(row.sums.fees);
    JsonWriter w;
    w.BeginObject();
    w.Key("stream_id").String(key.stream_id);
    w.Key("request_id").String(key.request_id);
    w.Key("org").String(key.org);
    w.Key("pipeline").String(*row.pipeline);
    w.Key("total_wei").String(total_wei);
    w.Key("total_face_value_wei");
    WriteWei(w, row.sums.face_value);
    w.Key("event_count").Int(row.sums.count);
    w.EndObject();
    out.push_back({{total_wei, key.org, key.stream_id, key.request_id}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// ============================ §3.5 reliability, failures, leaderboard ============================

// The session rows (streaming demand) and sample rows (orch stream stats) of the window at
// `bucket`, filtered by the `pipeline` parameter (B27, B28).
struct ReliabilityRows {
  std::shared_ptr<const std::vector<publish::StreamingQueryRow<publish::DemandDerived>>> demand;
  std::shared_ptr<const std::vector<publish::StreamingQueryRow<publish::ReliabilityRates>>> stats;
};
Result<ReliabilityRows> QueryReliabilityRows(const RequestContext& ctx, Backend& backend,
                                             TimeBucket bucket) {
  const std::optional<publish::TableQuery> q =
      FilteredWindowQuery(ctx, {}, bucket, {{"pipeline", "pipeline_id"}});
  auto demand = CachedQuery(backend, q, publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  auto stats = CachedQuery(backend, q, publish::QueryOrchStreamStats);
  if (!stats.ok()) return stats.status();
  return ReliabilityRows{.demand = std::move(*demand), .stats = std::move(*stats)};
}

// B27
Outcome ReliabilitySummary(const RequestContext& ctx, Backend& backend) {
  Result<ReliabilityRows> rows = QueryReliabilityRows(ctx, backend, TimeBucket::kNone);
  if (!rows.ok()) return rows.status();
  const StreamingSums d = SumAll(*rows->demand);
  const StreamingSums s = SumAll(*rows->stats);
  const publish::ReliabilityRates session_rates = publish::ComputeReliabilityRates(d);
  const publish::ReliabilityRates sample_rates = publish::ComputeReliabilityRates(s);
  JsonWriter w;
  w.BeginObject();
  WriteWindowTimes(w, *ctx.window);
  WriteOptional(w, "startup_success_rate", session_rates.startup_success_rate);
  WriteOptional(w, "no_orch_session_rate", session_rates.no_orch_session_rate);
  WriteOptional(w, "orch_swap_rate", session_rates.orch_swap_rate);
  w.Key("orch_swap_count").Int(d.total_swapped_sessions);
  WriteOptional(w, "inference_restart_rate", sample_rates.inference_restart_rate);
  WriteOptional(w, "degraded_state_rate", sample_rates.degraded_rate);
  w.Key("failure_breakdown").BeginObject();
  w.Key("no_orch_sessions").Int(d.no_orch_sessions);
  w.Key("orch_swap").Int(d.total_swapped_sessions);
  w.Key("inference_restart").Int(s.inference_restarts);
  w.Key("inference_error").Int(s.inference_errors);
  w.Key("degraded_inference").Int(s.degraded_inference_samples);
  w.Key("degraded_input").Int(s.degraded_input_samples);
  w.EndObject().EndObject();
  return Reply::Data(w.Take());
}

// B28
Outcome ReliabilityHistory(const RequestContext& ctx, Backend& backend) {
  Result<ReliabilityRows> rows = QueryReliabilityRows(ctx, backend, TimeBucket::kHour);
  if (!rows.ok()) return rows.status();
  std::map<Millis, StreamingSums> demand_by_hour, stats_by_hour;
  for (const auto& row : *rows->demand) demand_by_hour[row.bucket_start] += row.sums;
  for (const auto& row : *rows->stats) stats_by_hour[row.bucket_start] += row.sums;
  return Reply::Data(HourArray(WindowHours(ctx), [&](JsonWriter& w, Millis h) {
    const StreamingSums& d = demand_by_hour[h];
    const publish::ReliabilityRates session_rates = publish::ComputeReliabilityRates(d);
    const publish::ReliabilityRates sample_rates =
        publish::ComputeReliabilityRates(stats_by_hour[h]);
    w.Key("requested_sessions").Int(d.requested_sessions);
    WriteOptional(w, "startup_success_rate", session_rates.startup_success_rate);
    WriteOptional(w, "no_orch_session_rate", session_rates.no_orch_session_rate);
    WriteOptional(w, "degraded_rate", sample_rates.degraded_rate);
  }));
}

// Orchestrator rows (address ≠ "") of api_hourly_orch_stream_stats over the window.
Result<std::vector<publish::StreamingQueryRow<publish::ReliabilityRates>>> OrchStatsByAddress(
    const RequestContext& ctx, Backend& backend) {
  auto rows = CachedQuery(backend,
                          FilteredWindowQuery(ctx, {"orchestrator_address"}, TimeBucket::kNone,
                                              {{"orch_address", "orchestrator_address"}}),
                          publish::QueryOrchStreamStats);
  if (!rows.ok()) return rows.status();
  std::vector<publish::StreamingQueryRow<publish::ReliabilityRates>> with_address;
  std::copy_if((*rows)->begin(), (*rows)->end(), std::back_inserter(with_address),
               [](const auto& row) { return !row.group[0].empty(); });
  return with_address;
}

// B29
Outcome ReliabilityOrchs(const RequestContext& ctx, Backend& backend) {
  auto rows = OrchStatsByAddress(ctx, backend);
  if (!rows.ok()) return rows.status();
  std::erase_if(*rows,
                [](const auto& row) { return row.sums.sessions_handled < kReliabilityMinStreams; });
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  SortByRankThenGroup(*rows, [](const auto& row) { return row.sums.sessions_handled; });
  std::vector<ListRow> out;
  for (const auto& row : *rows) {
    JsonWriter w;
    w.BeginObject();
    w.Key("address").String(row.group[0]);
    w.Key("name").String(inventory->identities->NameOf(row.group[0]));
    w.Key("streams_handled").Int(row.sums.sessions_handled);
    WriteOptional(w, "degraded_rate", row.derived.degraded_rate);
    WriteOptional(w, "restart_rate", row.derived.inference_restart_rate);
    WriteOptional(w, "error_rate", row.derived.error_rate);
    w.EndObject();
    out.push_back({{std::to_string(row.sums.sessions_handled), row.group[0]}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// One B30 row.
ListRow FailureRow(const resolve::FailureEvent& f) {
  JsonWriter w;
  w.BeginObject();
  w.Key("timestamp");
  WriteTime(w, f.failure_ts);
  w.Key("failure_type").String(f.failure_type);
  w.Key("event_id").String(f.event_id);
  w.Key("org").String(f.org);
  w.Key("stream_id").String(f.stream_id);
  w.Key("request_id").String(f.request_id);
  w.Key("gateway").String(f.gateway);
  w.Key("orch_address").String(f.orchestrator_address);
  w.Key("pipeline").String(f.pipeline_id);
  w.Key("detail").String(f.detail);
  w.EndObject();
  return {{std::to_string(f.failure_ts), f.org, f.event_id, f.failure_type}, w.Take()};
}

// B30: the failures sorted as pointers under the facts lock; JSON only for the rows a page can
// hold (NewestFirstPage).
Outcome Failures(const RequestContext& ctx, Backend& backend) {
  const Window window = *ctx.window;
  const std::optional<std::string> type_filter = ctx.Get("failure_type");
  const std::optional<std::string> orch_filter = ctx.Get("orch_address");
  const std::optional<Millis> cursor_ts = CursorLeadingTime(ctx);
  std::vector<ListRow> out;
  Status status = backend.ReadFacts([&](const resolve::FactsView& facts) {
    if (window.start >= window.end) return Status::Ok();
    std::vector<const resolve::FailureEvent*> failures;
    for (const resolve::SessionFact* session :
         SessionsTouching(facts, FactOrgs(facts, ctx.Get("org")), HourFloor(window.start),
                          HourFloor(window.end - 1))) {
      for (const resolve::FailureEvent& f : session->failures) {
        if (f.failure_ts < window.start || f.failure_ts >= window.end) continue;
        if (cursor_ts && f.failure_ts > *cursor_ts) continue;
        if (type_filter && f.failure_type != *type_filter) continue;
        if (orch_filter && f.orchestrator_address != *orch_filter) continue;
        failures.push_back(&f);
      }
    }
    std::sort(failures.begin(), failures.end(),
              [](const resolve::FailureEvent* a, const resolve::FailureEvent* b) {
                if (a->failure_ts != b->failure_ts) return a->failure_ts > b->failure_ts;
                return std::tie(a->org, a->event_id, a->failure_type) <
                       std::tie(b->org, b->event_id, b->failure_type);
              });
    out = NewestFirstPage(
        ctx, failures, [](const resolve::FailureEvent& f) { return f.failure_ts; },
        FailureRow);
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return Reply::List(std::move(out));
}

// B31
Outcome FailuresByPipeline(const RequestContext& ctx, Backend& backend) {
  auto demand = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                            publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  auto stats = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                           publish::QueryOrchStreamStats);
  if (!stats.ok()) return stats.status();
  struct Pipeline {
    std::string name;
    StreamingSums demand, stats;
    int64_t total() const {
      return demand.no_orch_sessions + demand.total_swapped_sessions + stats.inference_restarts +
             stats.inference_errors;
    }
  };
  std::map<std::string, Pipeline> by_name;
  for (const auto& row : **demand) by_name[row.group[0]].demand += row.sums;
  for (const auto& row : **stats) by_name[row.group[0]].stats += row.sums;
  std::vector<Pipeline> pipelines;
  for (auto& [name, p] : by_name) {
    p.name = name;
    pipelines.push_back(std::move(p));
  }
  std::stable_sort(pipelines.begin(), pipelines.end(),
                   [](const Pipeline& a, const Pipeline& b) { return a.total() > b.total(); });
  JsonWriter w;
  w.BeginArray();
  for (const Pipeline& p : pipelines) {
    w.BeginObject();
    w.Key("pipeline").String(p.name);
    w.Key("no_orch_count").Int(p.demand.no_orch_sessions);
    w.Key("orch_swap_count").Int(p.demand.total_swapped_sessions);
    w.Key("inference_restart_count").Int(p.stats.inference_restarts);
    w.Key("inference_error_count").Int(p.stats.inference_errors);
    w.Key("total_failures").Int(p.total());
    WriteOptional(w, "failure_rate",
                  publish::ComputeReliabilityRates(p.demand).pipeline_failure_rate);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// B32
Outcome FailuresByOrch(const RequestContext& ctx, Backend& backend) {
  auto rows = OrchStatsByAddress(ctx, backend);
  if (!rows.ok()) return rows.status();
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  auto total = [](const auto& row) {
    return row.sums.inference_errors + row.sums.inference_restarts;
  };
  SortByRankThenGroup(*rows, total);
  std::vector<ListRow> out;
  for (const auto& row : *rows) {
    JsonWriter w;
    w.BeginObject();
    w.Key("orch_address").String(row.group[0]);
    w.Key("name").String(inventory->identities->NameOf(row.group[0]));
    w.Key("inference_errors").Int(row.sums.inference_errors);
    w.Key("inference_restarts").Int(row.sums.inference_restarts);
    w.Key("total_failures").Int(total(row));
    w.Key("streams_handled").Int(row.sums.sessions_handled);
    WriteOptional(w, "failure_rate", row.derived.orchestrator_failure_rate);
    w.EndObject();
    out.push_back({{std::to_string(total(row)), row.group[0]}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// The §5.6 leaderboard of the window: every orchestrator's inputs and the ranked eligible set.
struct Leaderboard {
  econ::Inventory inventory;
  std::vector<publish::LeaderboardRow> rows;
  std::vector<publish::LeaderboardEntry> ranked;
};

Result<std::shared_ptr<const Leaderboard>> ComputeLeaderboard(const RequestContext& ctx,
                                                              Backend& backend) {
  auto shared = std::make_shared<Leaderboard>();
  Leaderboard& board = *shared;
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  board.inventory = std::move(*inventory);
  const HourRange hours = HoursOf(*ctx.window);
  if (!hours.empty()) {
    const std::optional<std::string> org = ctx.Get("org");
    const std::optional<std::string_view> org_view =
        org ? std::optional<std::string_view>(*org) : std::nullopt;
    auto stats = publish::LoadOrchStreamStats(backend.store(), hours.first,
                                              hours.last_exclusive - kHourMs, org_view);
    if (!stats.ok()) return stats.status();
    auto discovery = publish::LoadDiscoveryLatency(backend.store(), hours.first,
                                                   hours.last_exclusive - kHourMs, org_view);
    if (!discovery.ok()) return discovery.status();
    board.rows = publish::BuildLeaderboardRows(*stats, *discovery, board.inventory.identities->all,
                                               board.inventory.identities->clock.value_or(0));
  }
  const ApiConfig& config = backend.config();
  const publish::LeaderboardWeights weights{.fps = config.leaderboard_weights[0],
                                            .deg = config.leaderboard_weights[1],
                                            .vol = config.leaderboard_weights[2],
                                            .lat = config.leaderboard_weights[3]};
  board.ranked = publish::RankLeaderboardRows(board.rows, config.leaderboard_min_streams, weights);
  return std::shared_ptr<const Leaderboard>(std::move(shared));
}

// ComputeLeaderboard memoized by what it reads: the data clock, the window's hours and the org
// (the weights and the minimum are the backend's fixed configuration).
Result<std::shared_ptr<const Leaderboard>> LoadLeaderboard(const RequestContext& ctx,
                                                           Backend& backend) {
  const HourRange hours = HoursOf(*ctx.window);
  const std::string key = "leaderboard/" +
                          (ctx.data_clock ? std::to_string(*ctx.data_clock) : std::string("-")) +
                          "/" + std::to_string(hours.first) + "/" +
                          std::to_string(hours.last_exclusive) + "/" + OrgKey(ctx.Get("org"));
  return Memoized<Leaderboard>(backend, key, [&] { return ComputeLeaderboard(ctx, backend); });
}

// A B33 row; rank and score null for an orchestrator outside the eligible set.
void WriteLeaderboardRow(JsonWriter& w, const econ::Inventory& inventory, std::string_view address,
                         const publish::LeaderboardRow* row,
                         const publish::LeaderboardEntry* entry) {
  w.Key("rank");
  entry ? w.Int(entry->rank) : w.Null();
  w.Key("address").String(address);
  w.Key("name").String(inventory.identities->NameOf(address));
  w.Key("score");
  entry ? w.Double(entry->score) : w.Null();
  w.Key("streams_handled").Int(row ? row->input.streams_handled : 0);
  WriteOptional(w, "avg_inference_fps", row ? row->input.avg_inference_fps : std::nullopt);
  WriteOptional(w, "degraded_rate", row ? row->input.degraded_rate : std::nullopt);
  WriteOptional(w, "avg_latency_ms", row ? row->input.avg_latency_ms : std::nullopt);
  const publish::OrchestratorIdentity* identity = inventory.identities->Find(address);
  w.Key("last_seen");
  WriteOptionalTime(w, identity ? std::optional<Millis>(identity->last_seen) : std::nullopt);
  w.Key("is_active").Bool(inventory.identities->IsActive(address));
}

// B33
Outcome LeaderboardList(const RequestContext& ctx, Backend& backend) {
  auto loaded = LoadLeaderboard(ctx, backend);
  if (!loaded.ok()) return loaded.status();
  const Leaderboard* board = loaded->get();
  std::vector<ListRow> out;
  for (const publish::LeaderboardEntry& entry : board->ranked) {
    const publish::LeaderboardRow& row = board->rows[entry.input_index];
    JsonWriter w;
    w.BeginObject();
    WriteLeaderboardRow(w, board->inventory, row.input.address, &row, &entry);
    w.EndObject();
    out.push_back(
        {{FloatText(entry.score), std::to_string(row.input.streams_handled), row.input.address},
         w.Take()});
  }
  return Reply::List(std::move(out));
}

// B34
Outcome LeaderboardEntryRoute(const RequestContext& ctx, Backend& backend) {
  const std::string& address = ctx.path_params.at("address");
  auto loaded = LoadLeaderboard(ctx, backend);
  if (!loaded.ok()) return loaded.status();
  const Leaderboard* board = loaded->get();
  if (board->inventory.identities->Find(address) == nullptr) {
    return NotFoundProblem("orchestrator not found");
  }
  const publish::LeaderboardRow* row = nullptr;
  for (const publish::LeaderboardRow& r : board->rows) {
    if (r.input.address == address) row = &r;
  }
  const publish::LeaderboardEntry* entry = nullptr;
  for (const publish::LeaderboardEntry& e : board->ranked) {
    if (board->rows[e.input_index].input.address == address) entry = &e;
  }
  JsonWriter w;
  w.BeginObject();
  WriteLeaderboardRow(w, board->inventory, address, row, entry);
  w.Key("eligible").Bool(entry != nullptr);
  w.Key("eligible_count").Int(static_cast<int64_t>(board->ranked.size()));
  w.EndObject();
  return Reply::Data(w.Take());
}

// ================================ §3.6 gateways and pricing ================================

// The enrichment fields of B35/B36: the enrichment poller is not part of naap, so all null.
void WriteGatewayEnrichment(JsonWriter& w, std::string_view address) {
  w.Key("address").String(address);
  for (const char* key : {"name", "avatar", "deposit_wei", "reserve_wei", "updated_at"}) {
    w.Key(key).Null();
  }
}

// Active streams (LoadActiveStreams at `clock`, of `org` when given) per gateway.
Result<std::map<std::string, int64_t>> ActiveStreamsByGateway(
    Backend& backend, std::optional<Millis> clock, const std::optional<std::string>& org) {
  auto states = LoadActiveStreams(backend, clock, org);
  if (!states.ok()) return states.status();
  std::map<std::string, int64_t> counts;
  for (const publish::ActiveStreamState& s : **states) ++counts[s.gateway];
  return counts;
}

// Σrequested_sessions of the window per gateway (after the request's gateway filter).
Result<std::map<std::string, int64_t>> StreamsRoutedByGateway(const RequestContext& ctx,
                                                              Backend& backend,
                                                              std::optional<std::string> gateway) {
  std::optional<publish::TableQuery> q = econ::WindowQuery(ctx, {"gateway"}, TimeBucket::kNone);
  if (q && gateway) q->equals["gateway"] = *gateway;
  auto rows = CachedQuery(backend, q, publish::QueryStreamingDemand);
  if (!rows.ok()) return rows.status();
  std::map<std::string, int64_t> routed;
  for (const auto& row : **rows) routed[row.group[0]] += row.sums.requested_sessions;
  return routed;
}

using GatewaySightings = std::vector<publish::GatewaySighting>;  // by gateway

// publish::BuildGateways of FactOrgs(org) over hours from_hour … to_hour, memoized.
Result<std::shared_ptr<const GatewaySightings>> LoadGatewaySightings(
    Backend& backend, Millis from_hour, Millis to_hour, const std::optional<std::string>& org) {
  const std::string key = "gateway_sightings/" + std::to_string(from_hour) + "/" +
                          std::to_string(to_hour) + "/" + OrgKey(org);
  return MemoizedFromFacts<GatewaySightings>(backend, key, [&](const resolve::FactsView& facts) {
    return publish::BuildGateways(facts, FactOrgs(facts, org), from_hour, to_hour);
  });
}

// B35
Outcome Gateways(const RequestContext& ctx, Backend& backend) {
  const Window window = *ctx.window;
  const std::optional<std::string> org = ctx.Get("org");
  std::vector<publish::GatewaySighting> gateways;
  if (window.start < window.end) {
    auto sightings =
        LoadGatewaySightings(backend, HourFloor(window.start), HourFloor(window.end - 1), org);
    if (!sightings.ok()) return sightings.status();
    std::copy_if((*sightings)->begin(), (*sightings)->end(), std::back_inserter(gateways),
                 [&window](const publish::GatewaySighting& g) {
                   return g.last_seen >= window.start && g.first_seen < window.end;
                 });
  }
  auto active = ActiveStreamsByGateway(backend, ctx.data_clock, org);
  if (!active.ok()) return active.status();
  auto routed = StreamsRoutedByGateway(ctx, backend, std::nullopt);
  if (!routed.ok()) return routed.status();
  std::stable_sort(gateways.begin(), gateways.end(),
                   [&active](const publish::GatewaySighting& a, const publish::GatewaySighting& b) {
                     return (*active)[a.gateway] > (*active)[b.gateway];
                   });
  std::vector<ListRow> out;
  for (const publish::GatewaySighting& g : gateways) {
    const int64_t gateway_active = (*active)[g.gateway];
    JsonWriter w;
    w.BeginObject();
    WriteGatewayEnrichment(w, g.gateway);
    w.Key("last_seen");
    WriteTime(w, g.last_seen);
    w.Key("active_streams").Int(gateway_active);
    w.Key("streams_routed").Int((*routed)[g.gateway]);
    w.EndObject();
    out.push_back({{std::to_string(gateway_active), g.gateway}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// The gateway of a B36/B37 path over the retention before the data clock; nullopt when naap
// holds no evidence of it.
Result<std::optional<publish::GatewaySighting>> FindGateway(const RequestContext& ctx,
                                                            Backend& backend,
                                                            std::string_view address) {
  if (!ctx.data_clock) return std::optional<publish::GatewaySighting>();
  const Millis clock = *ctx.data_clock;
  auto sightings =
      LoadGatewaySightings(backend, HourFloor(clock - backend.config().raw_retention_ms),
                           HourFloor(clock), std::nullopt);
  if (!sightings.ok()) return sightings.status();
  const auto it = std::lower_bound(
      (*sightings)->begin(), (*sightings)->end(), address,
      [](const publish::GatewaySighting& g, std::string_view a) { return g.gateway < a; });
  if (it == (*sightings)->end() || it->gateway != address) {
    return std::optional<publish::GatewaySighting>();
  }
  return std::optional<publish::GatewaySighting>(*it);
}

// The sessions of every org whose session_hour is the hour and that have an attributed
// orchestrator, per gateway value, in fact order.
struct HourSessions {
  struct Session {
    Millis session_start = 0, last_seen = 0;  // last_seen: else session_start
    std::string orch_address;
  };
  std::map<std::string, std::vector<Session>> by_gateway;
};

HourSessions ExtractHourSessions(const resolve::FactsView& facts, Millis hour) {
  HourSessions extract;
  for (const std::string& org : facts.Orgs()) {
    for (const resolve::SessionFact* s : facts.SessionsAt(org, hour)) {
      if (!s->exists || s->session_hour != hour || s->orchestrator_address.empty()) continue;
      extract.by_gateway[s->gateway].push_back(
          {.session_start = s->session_start,
           .last_seen = s->last_seen.value_or(s->session_start),
           .orch_address = s->orchestrator_address});
    }
  }
  return extract;
}

// The sessions a gateway routed to one orchestrator.
struct OrchSessions {
  int64_t streams = 0;
  Millis last_seen = 0;  // the latest, at least 0
};
using OrchSessionsByAddress = std::map<std::string, OrchSessions>;

// Adds the `sessions` started in [from, to).
void AddSessions(const std::vector<HourSessions::Session>& sessions, Millis from, Millis to,
                 OrchSessionsByAddress& into) {
  for (const HourSessions::Session& s : sessions) {
    if (s.session_start < from || s.session_start >= to) continue;
    OrchSessions& orch = into[s.orch_address];
    ++orch.streams;
    orch.last_seen = std::max(orch.last_seen, s.last_seen);
  }
}

// What B36/B37 read of one HourCut: every gateway's sessions over the whole hours, and the partial
// hours' sessions, which each request cuts to its window.
struct GatewaySessionsOfCut {
  std::map<std::string, OrchSessionsByAddress> whole;  // by gateway
  std::optional<HourSessions> first, last;
};

GatewaySessionsOfCut ReadGatewaySessions(const resolve::FactsView& facts, const HourCut& cut) {
  GatewaySessionsOfCut out;
  for (Millis hour = cut.whole.first; hour < cut.whole.last_exclusive; hour += kHourMs) {
    for (const auto& [gateway, sessions] : ExtractHourSessions(facts, hour).by_gateway) {
      AddSessions(sessions, hour, hour + kHourMs, out.whole[gateway]);
    }
  }
  if (cut.first) out.first = ExtractHourSessions(facts, HourFloor(cut.first->start));
  if (cut.last) out.last = ExtractHourSessions(facts, HourFloor(cut.last->start));
  return out;
}

// The attributed orchestrators of the sessions of `gateway` (of every org) started in the window.
Result<OrchSessionsByAddress> OrchsOfGatewaySessions(const RequestContext& ctx, Backend& backend,
                                                     const std::string& gateway) {
  const HourCut cut = CutAtHours(*ctx.window);
  auto of_cut = MemoizedFromFacts<GatewaySessionsOfCut>(
      backend, "gateway_sessions/" + cut.Key(),
      [&cut](const resolve::FactsView& facts) { return ReadGatewaySessions(facts, cut); });
  if (!of_cut.ok()) return of_cut.status();
  const GatewaySessionsOfCut& sessions = **of_cut;
  const auto whole = sessions.whole.find(gateway);
  OrchSessionsByAddress orchs =
      whole == sessions.whole.end() ? OrchSessionsByAddress{} : whole->second;
  for (const auto& [hour, part] :
       {std::pair(&sessions.first, &cut.first), std::pair(&sessions.last, &cut.last)}) {
    if (!*hour) continue;
    const auto of_gateway = (*hour)->by_gateway.find(gateway);
    if (of_gateway != (*hour)->by_gateway.end()) {
      AddSessions(of_gateway->second, (*part)->start, (*part)->end, orchs);
    }
  }
  return orchs;
}

// B36
Outcome GatewayDetail(const RequestContext& ctx, Backend& backend) {
  const std::string address = LowerCase(ctx.path_params.at("address"));
  auto gateway = FindGateway(ctx, backend, address);
  if (!gateway.ok()) return gateway.status();
  if (!*gateway) return NotFoundProblem("gateway not found");
  auto active = ActiveStreamsByGateway(backend, ctx.data_clock, std::nullopt);
  if (!active.ok()) return active.status();
  auto orchs = OrchsOfGatewaySessions(ctx, backend, address);
  if (!orchs.ok()) return orchs.status();
  auto routed = StreamsRoutedByGateway(ctx, backend, address);
  if (!routed.ok()) return routed.status();
  std::optional<publish::TableQuery> q = econ::WindowQuery(ctx, {}, TimeBucket::kNone);
  if (q) q->equals["gateway_address"] = address;
  auto payments = CachedQuery(backend, q, publish::QueryPayments);
  if (!payments.ok()) return payments.status();
  Wei128 fees = 0;
  for (const auto& row : **payments) fees += row.sums.fees_wei;
  JsonWriter w;
  w.BeginObject();
  WriteGatewayEnrichment(w, address);
  w.Key("first_seen");
  WriteTime(w, (*gateway)->first_seen);
  w.Key("last_seen");
  WriteTime(w, (*gateway)->last_seen);
  w.Key("streams_routed").Int((*routed)[address]);
  w.Key("active_streams").Int((*active)[address]);
  w.Key("total_payments_wei");
  WriteWei(w, fees);
  w.Key("orchs_used").BeginArray();
  size_t written = 0;
  for (const auto& [orch, sessions] : *orchs) {
    if (written++ == kMaxOrchsUsed) break;
    w.String(orch);
  }
  w.EndArray().EndObject();
  return Reply::Data(w.Take());
}

// B37
Outcome GatewayOrchs(const RequestContext& ctx, Backend& backend) {
  const std::string address = LowerCase(ctx.path_params.at("address"));
  auto gateway = FindGateway(ctx, backend, address);
  if (!gateway.ok()) return gateway.status();
  if (!*gateway) return NotFoundProblem("gateway not found");
  auto by_orch = OrchsOfGatewaySessions(ctx, backend, address);
  if (!by_orch.ok()) return by_orch.status();
  auto identities = LoadIdentities(backend, ctx.data_clock);
  if (!identities.ok()) return identities.status();
  std::vector<std::pair<std::string, OrchSessions>> orchs(by_orch->begin(), by_orch->end());
  std::stable_sort(orchs.begin(), orchs.end(), [](const auto& a, const auto& b) {
    return a.second.streams > b.second.streams;
  });
  std::vector<ListRow> out;
  for (const auto& [orch, sessions] : orchs) {
    JsonWriter w;
    w.BeginObject();
    w.Key("orch_address").String(orch);
    w.Key("name").String((*identities)->NameOf(orch));
    w.Key("stream_count").Int(sessions.streams);
    w.Key("last_seen");
    WriteTime(w, sessions.last_seen);
    w.EndObject();
    out.push_back({{std::to_string(sessions.streams), orch}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// B38 and B39 read the prices A6 reads (publish::BuildCurrentPrices).
void WriteQuotePrice(JsonWriter& w, const publish::CurrentPrice& quote) {
  w.Key("price_per_unit").String(quote.price_per_unit.ToString());
  w.Key("pixels_per_unit")
      .Int(static_cast<int64_t>(
          std::min<unsigned __int128>(quote.pixels_per_unit.value(), INT64_MAX)));
  WriteOptional(w, "price_wei_per_pixel", quote.unit_price);
  w.Key("is_warm").Bool(quote.is_warm);
}

// B38
Outcome Pricing(const RequestContext& ctx, Backend& backend) {
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  const std::optional<std::string> pipeline_filter = ctx.Get("pipeline");
  std::vector<ListRow> out;
  for (const publish::CurrentPrice& quote : inventory->current->prices) {
    const auto& [orch, pipeline, model] = quote.key;
    if (pipeline_filter && pipeline != *pipeline_filter) continue;
    JsonWriter w;
    w.BeginObject();
    w.Key("orch_address").String(orch);
    w.Key("name").String(inventory->identities->NameOf(orch));
    w.Key("pipeline").String(pipeline);
    w.Key("model_id").String(model);
    WriteQuotePrice(w, quote);
    w.EndObject();
    out.push_back({{orch, pipeline, model}, w.Take()});
  }
  return Reply::List(std::move(out));
}

// B39
Outcome PricingDetail(const RequestContext& ctx, Backend& backend) {
  const std::string& address = ctx.path_params.at("address");
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  if (inventory->identities->Find(address) == nullptr) {
    return NotFoundProblem("orchestrator not found");
  }
  std::map<std::string, std::vector<const publish::CurrentPrice*>> by_pipeline;
  for (const publish::CurrentPrice& quote : inventory->current->prices) {
    if (quote.key.orch_address == address) by_pipeline[quote.key.pipeline].push_back(&quote);
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("orch_address").String(address);
  w.Key("name").String(inventory->identities->NameOf(address));
  w.Key("is_active").Bool(inventory->identities->IsActive(address));
  w.Key("pipelines").BeginArray();
  for (const auto& [pipeline, models] : by_pipeline) {
    w.BeginObject();
    w.Key("pipeline").String(pipeline);
    w.Key("models").BeginArray();
    for (const publish::CurrentPrice* quote : models) {
      w.BeginObject();
      w.Key("model_id").String(quote->key.model);
      WriteQuotePrice(w, *quote);
      w.EndObject();
    }
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return Reply::Data(w.Take());
}

// ====================================== §3.7 pipelines ======================================

struct ModelFigures {
  std::set<std::string> warm_orchs;
  StreamingSums demand, stats;
};
struct PipelineFigures {
  int64_t active_streams = 0, job_count = 0;
  Wei128 fees = 0;
  StreamingSums demand, stats;
  std::set<std::string> warm_orchs;
  std::map<std::string, int64_t> requested_by_orch;
  std::map<std::string, ModelFigures> models;  // model_id ≠ ""
};

// Every pipeline (≠ "") with a current offer or data in the window, with its B40/B41 figures.
Result<std::map<std::string, PipelineFigures>> LoadPipelines(const RequestContext& ctx,
                                                             Backend& backend) {
  std::map<std::string, PipelineFigures> pipelines;
  Result<econ::Inventory> inventory = econ::LoadInventory(ctx, backend);
  if (!inventory.ok()) return inventory.status();
  for (const publish::CurrentCapability& c : inventory->current->capabilities) {
    if (c.key.pipeline_id.empty()) continue;
    PipelineFigures& p = pipelines[c.key.pipeline_id];
    if (!IsWarmOffer(c)) continue;
    p.warm_orchs.insert(c.key.orch_address);
    if (!c.key.model_id.empty()) p.models[c.key.model_id].warm_orchs.insert(c.key.orch_address);
  }
  auto demand =
      CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id", "model_id"}, TimeBucket::kNone),
                  publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  for (const auto& row : **demand) {
    if (row.group[0].empty()) continue;
    PipelineFigures& p = pipelines[row.group[0]];
    p.demand += row.sums;
    if (!row.group[1].empty()) p.models[row.group[1]].demand += row.sums;
  }
  auto stats =
      CachedQuery(backend,
                  econ::WindowQuery(ctx, {"pipeline_id", "model_id", "orchestrator_address"},
                                    TimeBucket::kNone),
                  publish::QueryOrchStreamStats);
  if (!stats.ok()) return stats.status();
  for (const auto& row : **stats) {
    if (row.group[0].empty()) continue;
    PipelineFigures& p = pipelines[row.group[0]];
    p.stats += row.sums;
    if (!row.group[1].empty()) p.models[row.group[1]].stats += row.sums;
    if (!row.group[2].empty()) p.requested_by_orch[row.group[2]] += row.sums.requested_sessions;
  }
  auto jobs = CachedQuery(backend, econ::WindowQuery(ctx, {"capability_name"}, TimeBucket::kNone),
                          publish::QueryRequestDemand);
  if (!jobs.ok()) return jobs.status();
  for (const auto& row : **jobs) {
    if (!row.group[0].empty()) pipelines[row.group[0]].job_count += row.sums.job_count;
  }
  auto payments = CachedQuery(backend, econ::WindowQuery(ctx, {"pipeline_id"}, TimeBucket::kNone),
                              publish::QueryPayments);
  if (!payments.ok()) return payments.status();
  for (const auto& row : **payments) {
    if (!row.group[0].empty()) pipelines[row.group[0]].fees += row.sums.fees_wei;
  }
  auto streams = LoadActiveStreams(backend, ctx.data_clock, ctx.Get("org"));
  if (!streams.ok()) return streams.status();
  for (const publish::ActiveStreamState& s : **streams) {
    if (!s.pipeline_id.empty()) ++pipelines[s.pipeline_id].active_streams;
  }
  return pipelines;
}

// The B40 fields from active_streams to warm_orch_count.
void WritePipelineFigures(JsonWriter& w, const PipelineFigures& p) {
  w.Key("active_streams").Int(p.active_streams);
  w.Key("requested_count").Int(p.demand.requested_sessions);
  WriteOptional(w, "success_rate", publish::StartupSuccessRate(p.demand));
  WriteOptional(w, "avg_inference_fps", publish::AvgOutputFps(p.stats));
  w.Key("job_count").Int(p.job_count);
  w.Key("total_payments_wei");
  WriteWei(w, p.fees);
  w.Key("warm_orch_count").Int(static_cast<int64_t>(p.warm_orchs.size()));
}

// B40
Outcome PipelinesList(const RequestContext& ctx, Backend& backend) {
  auto pipelines = LoadPipelines(ctx, backend);
  if (!pipelines.ok()) return pipelines.status();
  std::vector<std::pair<std::string, const PipelineFigures*>> sorted;
  for (const auto& [name, p] : *pipelines) sorted.emplace_back(name, &p);
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::pair(a.second->demand.requested_sessions, a.second->job_count) >
           std::pair(b.second->demand.requested_sessions, b.second->job_count);
  });
  JsonWriter w;
  w.BeginArray();
  for (const auto& [name, p] : sorted) {
    std::string top;
    int64_t top_requested = 0;
    for (const auto& [orch, requested] : p->requested_by_orch) {
      if (requested > top_requested) {
        top = orch;
        top_requested = requested;
      }
    }
    w.BeginObject();
    w.Key("pipeline").String(name);
    WritePipelineFigures(w, *p);
    w.Key("top_orch_address").String(top);
    w.EndObject();
  }
  w.EndArray();
  return Reply::Data(w.Take());
}

// Whether `pipeline` has data in the serving tables over the retention before the data clock.
Result<bool> PipelineHasRetainedData(const RequestContext& ctx, Backend& backend,
                                     const std::string& pipeline) {
  if (!ctx.data_clock) return false;
  const Millis to = HourFloor(*ctx.data_clock);
  const Millis from = HourFloor(*ctx.data_clock - backend.config().raw_retention_ms);
  publish::TableQuery q = HourQuery(ctx, HourRange{from, to + kHourMs});
  q.equals = {{"pipeline_id", pipeline}};
  auto demand = CachedQuery(backend, q, publish::QueryStreamingDemand);
  if (!demand.ok()) return demand.status();
  auto payments = CachedQuery(backend, q, publish::QueryPayments);
  if (!payments.ok()) return payments.status();
  q.equals = {{"capability_name", pipeline}};
  auto jobs = CachedQuery(backend, q, publish::QueryRequestDemand);
  if (!jobs.ok()) return jobs.status();
  return !(*demand)->empty() || !(*payments)->empty() || !(*jobs)->empty();
}

// B41
Outcome PipelineDetail(const RequestContext& ctx, Backend& backend) {
  const std::string& name = ctx.path_params.at("pipeline");
  auto pipelines = LoadPipelines(ctx, backend);
  if (!pipelines.ok()) return pipelines.status();
  auto found = pipelines->find(name);
  if (found == pipelines->end()) {
    Result<bool> retained = PipelineHasRetainedData(ctx, backend, name);
    if (!retained.ok()) return retained.status();
    if (!*retained) return NotFoundProblem("pipeline not found");
  }
  const PipelineFigures p = found == pipelines->end() ? PipelineFigures{} : found->second;
  std::vector<std::pair<std::string, const ModelFigures*>> models;
  for (const auto& [model, m] : p.models) models.emplace_back(model, &m);
  std::stable_sort(models.begin(), models.end(), [](const auto& a, const auto& b) {
    return a.second->demand.requested_sessions > b.second->demand.requested_sessions;
  });
  JsonWriter w;
  w.BeginObject();
  w.Key("pipeline").String(name);
  WriteWindowTimes(w, *ctx.window);
  WritePipelineFigures(w, p);
  w.Key("by_model").BeginArray();
  for (const auto& [model, m] : models) {
    w.BeginObject();
    w.Key("model_id").String(model);
    w.Key("warm_orch_count").Int(static_cast<int64_t>(m->warm_orchs.size()));
    w.Key("requested_count").Int(m->demand.requested_sessions);
    WriteOptional(w, "avg_fps", publish::AvgOutputFps(m->stats));
    w.EndObject();
  }
  w.EndArray().EndObject();
  return Reply::Data(w.Take());
}

// =========================== §3.8 SLA, demand and GPU hourly rows ===========================

// The grain of an hourly-row route: "org" first when the org filter is given (§1.6), then the
// table's columns.
std::vector<std::string> HourlyGrain(const RequestContext& ctx, std::vector<std::string> columns) {
  if (ctx.Has("org")) columns.insert(columns.begin(), "org");
  return columns;
}

// The grain column `name` of a row: the group value, or the org filter's value for "org"
// (null without it).
struct HourlyGrainWriter {
  const std::vector<std::string>& grain;
  void Write(JsonWriter& w, const std::vector<std::string>& group, const char* name) const {
    w.Key(name);
    for (size_t i = 0; i < grain.size(); ++i) {
      if (grain[i] == name) return WriteNullableString(w, group[i]);
    }
    w.Null();  // org without the filter, region (not tracked)
  }
};

// A §3.8 hourly list route: the rows of `query_fn` per hour over the window at the grain
// HourlyGrain(ctx, columns), each column filtered by the same-named parameter, without the rows
// `keep` rejects. Each object opens with window_start and the `output_columns`, then the fields
// `write_fields(w, row)` adds.
template <typename Rows, typename WriteFields>
Outcome HourlyGrainList(const RequestContext& ctx, Backend& backend, TableQueryFn<Rows> query_fn,
                        const std::vector<std::string>& columns,
                        std::initializer_list<const char*> output_columns, WriteFields write_fields,
                        const std::function<bool(const typename Rows::value_type&)>& keep = {}) {
  const std::vector<std::string> grain = HourlyGrain(ctx, columns);
  std::vector<std::pair<std::string, std::string>> filters;
  for (const std::string& column : columns) filters.emplace_back(column, column);
  auto rows =
      CachedQuery(backend, FilteredWindowQuery(ctx, grain, TimeBucket::kHour, filters), query_fn);
  if (!rows.ok()) return rows.status();
  const HourlyGrainWriter g{grain};
  std::vector<HourlyListRow> out;
  for (const auto& row : **rows) {
    if (keep && !keep(row)) continue;
    JsonWriter w;
    BeginHourlyObject(w, row.bucket_start);
    for (const char* column : output_columns) g.Write(w, row.group, column);
    write_fields(w, row);
    w.EndObject();
    out.push_back({row.bucket_start, row.group, w.Take()});
  }
  return HourlyListReply(std::move(out));
}

// The B42 count fields from known_sessions_count to health_expected_signal_count.
void WriteSessionCounts(JsonWriter& w, const StreamingSums& s) {
  const std::pair<const char*, int64_t> counts[] = {
      {"known_sessions_count", s.known_sessions_count},
      {"requested_sessions", s.requested_sessions},
      {"startup_success_sessions", s.startup_success_sessions},
      {"no_orch_sessions", s.no_orch_sessions},
      {"startup_excused_sessions", s.startup_excused_sessions},
      {"startup_failed_sessions", s.startup_failed_sessions},
      {"loading_only_sessions", s.loading_only_sessions},
      {"zero_output_fps_sessions", s.zero_output_fps_sessions},
      {"output_failed_sessions", s.output_failed_sessions},
      {"effective_failed_sessions", s.effective_failed_sessions},
      {"confirmed_swapped_sessions", s.confirmed_swapped_sessions},
      {"inferred_swap_sessions", s.inferred_swap_sessions},
      {"total_swapped_sessions", s.total_swapped_sessions},
      {"sessions_ending_in_error", s.sessions_ending_in_error},
      {"error_status_samples", s.error_status_samples},
      {"health_signal_count", s.health_signal_count},
      {"health_expected_signal_count", s.health_expected_signal_count},
  };
  for (const auto& [name, value] : counts) w.Key(name).Int(value);
}

// B42
Outcome SlaCompliance(const RequestContext& ctx, Backend& backend) {
  return HourlyGrainList(
      ctx, backend, publish::QueryStreamingSla,
      {"orchestrator_address", "pipeline_id", "model_id", "gpu_id"},
      {"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id", "region"},
      [](JsonWriter& w, const auto& row) {
        const publish::SlaDerived& d = row.derived;
        WriteSessionCounts(w, row.sums);
        w.Key("health_signal_coverage_ratio").Double(d.health_signal_coverage_ratio);
        WriteOptional(w, "startup_success_rate", d.startup_success_rate);
        WriteOptional(w, "excused_failure_rate", d.excused_failure_rate);
        WriteOptional(w, "effective_success_rate", d.effective_success_rate);
        WriteOptional(w, "no_swap_rate", d.no_swap_rate);
        WriteOptional(w, "output_viability_rate", d.output_viability_rate);
        WriteOptional(w, "reliability_score", d.scores.reliability_score);
        WriteOptional(w, "quality_score", d.scores.quality_score);
        WriteOptional(w, "sla_score", d.scores.sla_score);
        w.Key("sla_semantics_version").String(publish::kSlaSemanticsVersion);
      });
}

// The B43 fields from sessions_count on.
void WriteDemandFigures(JsonWriter& w, const StreamingSums& s, const publish::DemandDerived& d) {
  w.Key("sessions_count").Int(s.sessions_count);
  WriteOptional(w, "avg_output_fps", d.avg_output_fps);
  w.Key("total_minutes").Double(d.total_minutes);
  WriteSessionCounts(w, s);
  w.Key("health_signal_coverage_ratio").Double(d.health_signal_coverage_ratio);
  WriteOptional(w, "startup_success_rate", d.startup_success_rate);
  WriteOptional(w, "excused_failure_rate", d.excused_failure_rate);
  WriteOptional(w, "effective_success_rate", d.effective_success_rate);
  w.Key("ticket_face_value_eth").Double(d.ticket_face_value_eth);
  w.Key("fees_wei");
  WriteWei(w, s.fees_wei);
}

// B43
Outcome NetworkDemand(const RequestContext& ctx, Backend& backend) {
  return HourlyGrainList(
      ctx, backend, publish::QueryStreamingDemand, {"gateway", "pipeline_id", "model_id"},
      {"org", "gateway", "region", "pipeline_id", "model_id"},
      [](JsonWriter& w, const auto& row) { WriteDemandFigures(w, row.sums, row.derived); });
}

// B44
Outcome GpuNetworkDemand(const RequestContext& ctx, Backend& backend) {
  return HourlyGrainList(
      ctx, backend, publish::QueryGpuNetworkDemand,
      {"gateway", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"},
      {"org", "gateway", "orchestrator_address", "region", "pipeline_id", "model_id", "gpu_id"},
      [](JsonWriter& w, const auto& row) {
        w.Key("gpu_identity_status").String(row.derived.gpu_identity_status);
        WriteDemandFigures(w, row.sums, row.derived);
      });
}

// B45
Outcome GpuMetrics(const RequestContext& ctx, Backend& backend) {
  const std::optional<std::string> model_name = ctx.Get("gpu_model_name");
  return HourlyGrainList(
      ctx, backend, publish::QueryGpuMetrics,
      {"orchestrator_address", "pipeline_id", "model_id", "gpu_id"},
      {"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id", "region"},
      [](JsonWriter& w, const auto& row) {
        const StreamingSums& s = row.sums;
        const publish::GpuMetricsDerived& d = row.derived;
        w.Key("gpu_model_name");
        WriteNullableString(w, row.attributes.gpu_model_name);
        w.Key("gpu_memory_bytes_total");
        row.attributes.gpu_memory_bytes_total ? w.Int(*row.attributes.gpu_memory_bytes_total)
                                              : w.Null();
        w.Key("runner_version");
        WriteNullableString(w, row.attributes.runner_version);
        w.Key("cuda_version").Null();
        WriteOptional(w, "avg_output_fps", d.avg_output_fps);
        WriteOptional(w, "p95_output_fps", d.p95_output_fps);
        w.Key("fps_jitter_coefficient").Null();
        w.Key("status_samples").Int(s.status_samples);
        w.Key("error_status_samples").Int(s.error_status_samples);
        w.Key("health_signal_coverage_ratio").Double(d.health_signal_coverage_ratio);
        const std::pair<const char*, std::optional<double>> latencies[] = {
            {"avg_prompt_to_first_frame_ms", d.avg_prompt_to_first_frame_ms},
            {"avg_startup_latency_ms", d.avg_startup_latency_ms},
            {"avg_e2e_latency_ms", d.avg_e2e_latency_ms},
            {"p95_prompt_to_first_frame_latency_ms", d.p95_prompt_to_first_frame_latency_ms},
            {"p95_startup_latency_ms", d.p95_startup_latency_ms},
            {"p95_e2e_latency_ms", d.p95_e2e_latency_ms},
        };
        for (const auto& [name, value] : latencies) {
          w.Key(name);
          WriteOptional(w, value);
        }
        const std::pair<const char*, int64_t> counts[] = {
            {"prompt_to_first_frame_sample_count", s.prompt_to_first_frame_sample_count},
            {"startup_latency_sample_count", s.startup_latency_sample_count},
            {"e2e_latency_sample_count", s.e2e_latency_sample_count},
            {"known_sessions_count", s.known_sessions_count},
            {"startup_success_sessions", s.startup_success_sessions},
            {"no_orch_sessions", s.no_orch_sessions},
            {"startup_excused_sessions", s.startup_excused_sessions},
            {"startup_failed_sessions", s.startup_failed_sessions},
            {"confirmed_swapped_sessions", s.confirmed_swapped_sessions},
            {"inferred_swap_sessions", s.inferred_swap_sessions},
            {"total_swapped_sessions", s.total_swapped_sessions},
            {"sessions_ending_in_error", s.sessions_ending_in_error},
        };
        for (const auto& [name, value] : counts) w.Key(name).Int(value);
        WriteOptional(w, "startup_failed_rate", d.startup_failed_rate);
        WriteOptional(w, "swap_rate", d.swap_rate);
      },
      [&](const auto& row) { return !model_name || row.attributes.gpu_model_name == *model_name; });
}

// ====================================== route table ======================================

// The §3.8 keyset: window_start DESC, "org" when the org filter is given, then `columns` ASC.
std::vector<KeyColumn> HourlyKeyset(std::initializer_list<const char*> columns) {
  std::vector<KeyColumn> keyset = {
      Key("-window_start", KeyKind::kTime),
      {.name = "org", .kind = KeyKind::kString, .only_with_param = "org"}};
  for (const char* column : columns) keyset.push_back(Key(column, KeyKind::kString));
  return keyset;
}

ParamSpec AddressPath() { return AddressParam("address", "orchestrator on-chain address"); }

// A windowed group B route; a list route when `keyset` is given.
RouteSpec Route(std::string id, std::string pattern, std::string summary,
                std::vector<ParamSpec> params, Handler handler,
                std::vector<KeyColumn> keyset = {}) {
  return RouteSpec{.id = std::move(id),
                   .pattern = std::move(pattern),
                   .group = RouteGroup::kB,
                   .summary = std::move(summary),
                   .path_params = {},
                   .params = std::move(params),
                   .window = WindowSpec{},
                   .keyset = std::move(keyset),
                   .handler = std::move(handler)};
}

}  // namespace

std::vector<RouteSpec> EconomicsRoutes() {
  const std::vector<ParamSpec> window = WindowParams();
  const std::vector<ParamSpec> list = ListParams();
  const std::vector<ParamSpec> org = {OrgParam()};
  const ParamSpec orch_address = AddressParam("orch_address", "on-chain orchestrator address");
  const ParamSpec pipeline = IdParam("pipeline", "canonical pipeline");
  std::vector<RouteSpec> routes;

  // §3.4 payments
  routes.push_back(Route("B21", "/v1/payments/summary", "payment totals over the window",
                         Params({window, org}), PaymentsSummary));
  routes.push_back(Route("B22", "/v1/payments/history", "hourly payment totals",
                         Params({window, org}), PaymentsHistory));
  routes.push_back(Route("B23", "/v1/payments/by-pipeline", "payment totals per pipeline",
                         Params({window, org}), PaymentsByPipeline));
  routes.push_back(
      Route("B24", "/v1/payments/by-orch", "payments received per orchestrator",
            Params({window, org, {orch_address}, list}), PaymentsByOrch,
            {Key("-total_received_wei", KeyKind::kWei), Key("address", KeyKind::kString)}));
  routes.push_back(
      Route("B25", "/v1/payments/by-gateway", "payments sent per gateway",
            Params({window, org, list}), PaymentsByGateway,
            {Key("-total_wei", KeyKind::kWei), Key("gateway_address", KeyKind::kString)}));
  routes.push_back(ReadsExactWindow(
      Route("B26", "/v1/payments/by-stream", "linked payments per stream session",
            Params({window, org, {IdParam("stream_id", "stream id")}, list}), PaymentsByStream,
            {Key("-total_wei", KeyKind::kWei), Key("org", KeyKind::kString),
             Key("stream_id", KeyKind::kString), Key("request_id", KeyKind::kString)})));

  // §3.5 reliability, failures, leaderboard
  routes.push_back(Route("B27", "/v1/reliability/summary", "session and sample reliability rates",
                         Params({window, org, {pipeline}}), ReliabilitySummary));
  routes.push_back(Route("B28", "/v1/reliability/history", "hourly reliability rates",
                         Params({window, org, {pipeline}}), ReliabilityHistory));
  routes.push_back(
      Route("B29", "/v1/reliability/orchs", "reliability per orchestrator",
            Params({window, org, {orch_address}, list}), ReliabilityOrchs,
            {Key("-streams_handled", KeyKind::kInt), Key("address", KeyKind::kString)}));
  const ParamSpec failure_type = econ::EnumParam(
      "failure_type", {"no_orch_available", "orch_swap", "inference_restart", "inference_error"},
      "failure type");
  routes.push_back(ReadsExactWindow(
      Route("B30", "/v1/failures", "failure occurrences, newest first",
            Params({window, org, {failure_type, orch_address}, list}), Failures,
            {Key("-timestamp", KeyKind::kTime), Key("org", KeyKind::kString),
             Key("event_id", KeyKind::kString), Key("failure_type", KeyKind::kString)})));
  routes.push_back(Route("B31", "/v1/failures/by-pipeline", "failure counts per pipeline",
                         Params({window, org}), FailuresByPipeline));
  routes.push_back(
      Route("B32", "/v1/failures/by-orch", "failures per orchestrator", Params({window, org, list}),
            FailuresByOrch,
            {Key("-total_failures", KeyKind::kInt), Key("orch_address", KeyKind::kString)}));
  routes.push_back(Route("B33", "/v1/leaderboard", "composite orchestrator ranking",
                         Params({window, org, list}), LeaderboardList,
                         {Key("-score", KeyKind::kFloat), Key("-streams_handled", KeyKind::kInt),
                          Key("address", KeyKind::kString)}));
  RouteSpec leaderboard_entry =
      Route("B34", "/v1/leaderboard/{address}", "one orchestrator's leaderboard entry",
            Params({window, org}), LeaderboardEntryRoute);
  leaderboard_entry.path_params = {AddressPath()};
  routes.push_back(std::move(leaderboard_entry));

  // §3.6 gateways and pricing
  const ParamSpec gateway_path = IdParam("address", "gateway value (lower-cased)");
  routes.push_back(ReadsExactWindow(
      Route("B35", "/v1/net/gateways", "gateways with evidence in the window",
            Params({window, org, list}), Gateways,
            {Key("-active_streams", KeyKind::kInt), Key("address", KeyKind::kString)})));
  RouteSpec gateway = ReadsExactWindow(
      Route("B36", "/v1/net/gateways/{address}", "one gateway", Params({window}), GatewayDetail));
  gateway.path_params = {gateway_path};
  routes.push_back(std::move(gateway));
  RouteSpec gateway_orchs = ReadsExactWindow(
      Route("B37", "/v1/net/gateways/{address}/orchs", "orchestrators a gateway's sessions used",
            Params({window, list}), GatewayOrchs,
            {Key("-stream_count", KeyKind::kInt), Key("orch_address", KeyKind::kString)}));
  gateway_orchs.path_params = {gateway_path};
  routes.push_back(std::move(gateway_orchs));
  RouteSpec pricing = Route("B38", "/v1/net/pricing", "latest price per orchestrator and model",
                            Params({org, {pipeline}, list}), Pricing,
                            {Key("orch_address", KeyKind::kString),
                             Key("pipeline", KeyKind::kString), Key("model_id", KeyKind::kString)});
  pricing.window.reset();
  routes.push_back(std::move(pricing));
  RouteSpec pricing_detail =
      Route("B39", "/v1/net/pricing/{address}", "one orchestrator's prices", {}, PricingDetail);
  pricing_detail.window.reset();
  pricing_detail.path_params = {AddressPath()};
  routes.push_back(std::move(pricing_detail));

  // §3.7 pipelines
  routes.push_back(Route("B40", "/v1/pipelines", "pipelines with offers or data",
                         Params({window, org}), PipelinesList));
  RouteSpec pipeline_detail = Route("B41", "/v1/pipelines/{pipeline}", "one pipeline",
                                    Params({window, org}), PipelineDetail);
  pipeline_detail.path_params = {IdParam("pipeline", "pipeline")};
  routes.push_back(std::move(pipeline_detail));

  // §3.8 SLA, demand and GPU hourly rows
  const ParamSpec orchestrator_address =
      AddressParam("orchestrator_address", "on-chain orchestrator address");
  const ParamSpec pipeline_id = IdParam("pipeline_id", "canonical pipeline");
  const ParamSpec model_id = IdParam("model_id", "model id");
  const ParamSpec gpu_id = IdParam("gpu_id", "GPU id");
  const ParamSpec gateway_param = IdParam("gateway", "gateway value (lower-cased)");
  constexpr Millis kMinute = 60'000;
  const WindowSpec demand_window{
      .default_width = 3 * kHourMs, .min_width = kMinute, .max_width = 30 * kDayMs};
  RouteSpec sla = Route(
      "B42", "/v1/sla/compliance", "hourly SLA rows",
      Params({window, {orchestrator_address, pipeline_id, model_id, gpu_id}, org, list}),
      SlaCompliance, HourlyKeyset({"orchestrator_address", "pipeline_id", "model_id", "gpu_id"}));
  sla.window = WindowSpec{.default_width = kDayMs, .min_width = kHourMs, .max_width = 30 * kDayMs};
  routes.push_back(std::move(sla));
  RouteSpec demand = Route("B43", "/v1/network/demand", "hourly demand rows",
                           Params({window, {gateway_param, pipeline_id, model_id}, org, list}),
                           NetworkDemand, HourlyKeyset({"gateway", "pipeline_id", "model_id"}));
  demand.window = demand_window;
  routes.push_back(std::move(demand));
  RouteSpec gpu_demand =
      Route("B44", "/v1/gpu/network-demand", "hourly demand rows per GPU",
            Params({window,
                    {gateway_param, orchestrator_address, pipeline_id, model_id, gpu_id},
                    org,
                    list}),
            GpuNetworkDemand,
            HourlyKeyset({"gateway", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"}));
  gpu_demand.window = demand_window;
  routes.push_back(std::move(gpu_demand));
  RouteSpec gpu_metrics = Route(
      "B45", "/v1/gpu/metrics", "hourly GPU metrics rows",
      Params({window,
              {orchestrator_address, gpu_id, pipeline_id, model_id,
               IdParam("gpu_model_name", "GPU model name")},
              org,
              list}),
      GpuMetrics, HourlyKeyset({"orchestrator_address", "pipeline_id", "model_id", "gpu_id"}));
  gpu_metrics.window =
      WindowSpec{.default_width = kDayMs, .min_width = kMinute, .max_width = 72 * kHourMs};
  routes.push_back(std::move(gpu_metrics));
  return routes;
}

}  // namespace naap::api
