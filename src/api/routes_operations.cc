// Group C operations routes (spec/api.md §4.1–§4.7): the data-quality report, HTTP ingest,
// rebuild, process status, liveness, readiness and the Prometheus exposition.
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "api/api.h"
#include "api/backend.h"
#include "api/conventions.h"
#include "api/route.h"
#include "api/route_util.h"
#include "base/json_writer.h"
#include "base/strings.h"
#include "base/time.h"
#include "event/decoded.h"
#include "metrics/registry.h"
#include "publish/formulas.h"
#include "publish/query.h"

namespace naap::api {
namespace {

using namespace route_util;  // NOLINT(google-build-using-namespace)

// ---------------------------------------------------------------------------------------------
// JSON helpers

void WriteOptionalString(JsonWriter& w, const std::optional<std::string>& s) {
  if (s) {
    w.String(*s);
  } else {
    w.Null();
  }
}

// Every name of `names` with its count (0 when absent), plus any other counted name, in byte order.
std::map<std::string, int64_t> AllNames(const std::vector<std::string_view>& names,
                                        std::map<std::string, int64_t> counts) {
  for (std::string_view name : names) counts.try_emplace(std::string(name), 0);
  return counts;
}

// ---------------------------------------------------------------------------------------------
// C1 /v1/quality

struct ClassCounts {
  int64_t accepted = 0, ignored = 0, rejected = 0, duplicates = 0;
  // Accepted lines counted again by their arrival class: the independent side of lines_balance.
  int64_t arrivals = 0;
  int64_t lines_read() const { return accepted + ignored + rejected + duplicates; }
  bool balanced() const {
    return accepted == arrivals && accepted >= 0 && ignored >= 0 && rejected >= 0 &&
           duplicates >= 0;
  }
  void Add(const ClassCounts& o) {
    accepted += o.accepted;
    ignored += o.ignored;
    rejected += o.rejected;
    duplicates += o.duplicates;
    arrivals += o.arrivals;
  }
};

// api_hourly_ingest_accounting over the window (store counters by accounting hour).
struct Accounting {
  ClassCounts total;
  std::map<std::string, int64_t> accepted_by_family, ignored_by_reason, rejected_by_reason;
  std::map<std::pair<Millis, std::string>, ClassCounts> hourly;  // (hour, org)
  int64_t unkeyed_events = 0;
};

Result<Accounting> ReadAccounting(store::Store& store, const HourRange& hours,
                                  const std::optional<std::string>& org) {
  Accounting acc;
  if (hours.empty()) return acc;
  auto rows = store.Counters(hours.first, hours.last_exclusive - kHourMs);
  if (!rows.ok()) return rows.status();
  for (const store::CounterRow& row : *rows) {
    if (org && row.org != *org) continue;
    ClassCounts& hour = acc.hourly[{row.hour, row.org}];
    if (row.kind == "accepted") {
      hour.accepted += row.count;
      acc.accepted_by_family[row.family] += row.count;
    } else if (row.kind == "ignored") {
      hour.ignored += row.count;
      acc.ignored_by_reason[row.key] += row.count;
    } else if (row.kind == "rejected") {
      hour.rejected += row.count;
      acc.rejected_by_reason[row.key] += row.count;
    } else if (row.kind == "duplicate") {
      hour.duplicates += row.count;
    } else if (row.kind == "arrival") {
      hour.arrivals += row.count;
    } else if (row.kind == "note" && row.key == "unkeyed_session") {
      acc.unkeyed_events += row.count;
    }
  }
  std::erase_if(acc.hourly, [](const auto& entry) {
    return entry.second.lines_read() == 0 && entry.second.arrivals == 0;
  });
  for (const auto& [key, counts] : acc.hourly) acc.total.Add(counts);
  return acc;
}

// api_hourly_attribution_quality of one subject over the window.
struct SubjectQuality {
  int64_t total = 0, selected = 0, no_orch = 0, unknown = 0;
  std::map<std::string, int64_t> by_status;  // every status, over every row of the subject
  std::map<std::string, int64_t> selected_by_status;

  int64_t attributed(const std::map<std::string, int64_t>& statuses) const {
    return statuses.at("resolved") + statuses.at("hardware_less");
  }
};

Result<std::map<std::string, SubjectQuality>> ReadAttributionQuality(
    Backend& backend, const publish::TableQuery& window) {
  static const char* const kStatuses[] = {"ambiguous", "hardware_less", "resolved", "stale",
                                          "unresolved"};
  std::map<std::string, SubjectQuality> subjects;
  for (const char* subject : {"session", "status_sample", "ai_batch_job", "byoc_job", "payment"}) {
    SubjectQuality& q = subjects[subject];
    for (const char* status : kStatuses) q.by_status[status] = q.selected_by_status[status] = 0;
  }
  if (window.from >= window.to) return subjects;
  publish::TableQuery query = window;
  query.group_by = {"subject", "selection_outcome", "attribution_status"};
  auto rows = CachedQuery(backend, query, publish::QueryAttributionQuality);
  if (!rows.ok()) return rows.status();
  for (const auto& row : **rows) {
    auto it = subjects.find(row.group[0]);
    if (it == subjects.end()) continue;
    SubjectQuality& q = it->second;
    const std::string& outcome = row.group[1];
    const std::string& status = row.group[2];
    q.total += row.sums;
    q.by_status[status] += row.sums;
    if (outcome == "selected") {
      q.selected += row.sums;
      q.selected_by_status[status] += row.sums;
    } else if (outcome == "no_orch") {
      q.no_orch += row.sums;
    } else if (outcome == "unknown") {
      q.unknown += row.sums;
    }
  }
  return subjects;
}

std::optional<double> RatioOf(int64_t numerator, int64_t denominator) {
  return publish::Ratio(static_cast<double>(numerator), static_cast<double>(denominator));
}

void WriteAttribution(JsonWriter& w, const SubjectQuality& q) {
  w.Key("attribution");
  WriteCounts(w, q.selected_by_status);
  WriteOptional(w, "attributed_rate", RatioOf(q.attributed(q.selected_by_status), q.selected));
}

void WriteJob(JsonWriter& w, std::string_view name, const SubjectQuality& q) {
  w.Key(name).BeginObject();
  w.Key("total").Int(q.total).Key("selected").Int(q.selected);
  WriteAttribution(w, q);
  w.EndObject();
}

// ---- invariants over the window's serving rows ----

struct Invariant {
  std::string name;
  int64_t violations = 0;
};

bool InUnitInterval(std::optional<double> rate) { return !rate || (*rate >= 0 && *rate <= 1); }

// A stored-grain streaming row's checks: rates, coverage, output_failed ≤ its parts.
struct RowChecks {
  int64_t rates = 0, coverage = 0, output_failed = 0;
  void Check(const publish::StreamingSums& s, std::initializer_list<std::optional<double>> rates_of,
             double coverage_ratio) {
    bool rates_ok = true;
    for (std::optional<double> rate : rates_of) rates_ok = rates_ok && InUnitInterval(rate);
    rates += rates_ok ? 0 : 1;
    const bool coverage_ok = s.health_signal_count <= s.health_expected_signal_count &&
                             coverage_ratio >= 0 && coverage_ratio <= 1;
    coverage += coverage_ok ? 0 : 1;
    output_failed +=
        s.output_failed_sessions <= s.loading_only_sessions + s.zero_output_fps_sessions ? 0 : 1;
  }
};

publish::StreamingSums WithoutSketches(publish::StreamingSums s) {
  for (QuantileSketch* sketch :
       {&s.ptff_sketch, &s.startup_latency_sketch, &s.output_fps_sketch, &s.input_fps_sketch,
        &s.session_hour_fps_sketch, &s.e2e_latency_sketch}) {
    *sketch = QuantileSketch();
  }
  return s;
}

// 1 when the hourly buckets of `query_fn` do not sum to its whole-window result, else 0.
template <typename Rows, typename Normalise>
Result<int64_t> HourlySumsDiffer(Backend& backend, const publish::TableQuery& window,
                                 TableQueryFn<Rows> query_fn, Normalise normalise) {
  publish::TableQuery hourly = window;
  hourly.bucket = publish::TimeBucket::kHour;
  publish::TableQuery whole = window;
  whole.bucket = publish::TimeBucket::kNone;
  auto hours = CachedQuery(backend, hourly, query_fn);
  if (!hours.ok()) return hours.status();
  auto total = CachedQuery(backend, whole, query_fn);
  if (!total.ok()) return total.status();
  using Sums = decltype(Rows::value_type::sums);
  Sums summed{}, expected{};
  for (const auto& row : **hours) summed += row.sums;
  for (const auto& row : **total) expected += row.sums;
  return normalise(summed) == normalise(expected) ? 0 : 1;
}

Result<std::vector<Invariant>> CheckInvariants(Backend& backend, const Accounting& acc,
                                               const publish::TableQuery& window) {
  int64_t unbalanced = acc.total.balanced() ? 0 : 1;
  for (const auto& [key, counts] : acc.hourly) unbalanced += counts.balanced() ? 0 : 1;
  RowChecks checks;
  int64_t bad_scores = 0, sums_differ = 0;
  if (window.from < window.to) {
    publish::TableQuery stored_grain = window;
    stored_grain.bucket = publish::TimeBucket::kHour;
    stored_grain.group_by = {"org", "orchestrator_address", "pipeline_id", "model_id", "gpu_id"};
    auto sla = CachedQuery(backend, stored_grain, publish::QueryStreamingSla);
    if (!sla.ok()) return sla.status();
    for (const auto& row : **sla) {
      const publish::SlaDerived& d = row.derived;
      std::optional<double> score = d.scores.sla_score;
      bad_scores += !score || (*score >= 0 && *score <= 100) ? 0 : 1;
      checks.Check(row.sums,
                   {d.startup_success_rate, d.excused_failure_rate, d.effective_success_rate,
                    d.no_swap_rate, d.output_viability_rate},
                   d.health_signal_coverage_ratio);
    }
    stored_grain.group_by = {"org", "gateway", "pipeline_id", "model_id"};
    auto demand = CachedQuery(backend, stored_grain, publish::QueryStreamingDemand);
    if (!demand.ok()) return demand.status();
    for (const auto& row : **demand) {
      const publish::DemandDerived& d = row.derived;
      checks.Check(row.sums,
                   {d.startup_success_rate, d.excused_failure_rate, d.effective_success_rate},
                   d.health_signal_coverage_ratio);
    }
    auto streaming = [](const publish::StreamingSums& s) { return WithoutSketches(s); };
    auto count = [](int64_t n) { return n; };
    for (auto differ :
         {HourlySumsDiffer(backend, window, &publish::QueryStreamingDemand, streaming),
          HourlySumsDiffer(backend, window, &publish::QueryStreamingSla, streaming),
          HourlySumsDiffer(backend, window, &publish::QueryAttributionQuality, count)}) {
      if (!differ.ok()) return differ.status();
      sums_differ += *differ;
    }
  }
  return std::vector<Invariant>{{"lines_balance", unbalanced},
                                {"sla_score_range", bad_scores},
                                {"rates_in_unit_interval", checks.rates},
                                {"coverage_le_one", checks.coverage},
                                {"output_failed_le_parts", checks.output_failed},
                                {"hourly_sums_equal_window_sums", sums_differ}};
}

// The worst lag among sources that report one (live ones only when `live_only`).
struct WorstLag {
  std::optional<double> seconds;
  std::string source;
};
WorstLag WorstSourceLag(const PipelineStatus& pipeline, bool live_only) {
  WorstLag worst;
  for (const SourceStatus& source : pipeline.sources) {
    if (live_only && !source.live) continue;
    const double lag = source.lag_seconds.value_or(0);
    if (!live_only && !source.lag_seconds) continue;
    if (!worst.seconds || lag > *worst.seconds) worst = {lag, source.name};
  }
  return worst;
}

// The report's figures of one window and org: they change only with the data, so they are
// memoized by data version; freshness is read per request.
struct QualityFigures {
  Accounting acc;
  std::map<std::string, SubjectQuality> subjects;
  int64_t requested = 0;
  std::vector<Invariant> invariants;
};

Result<std::shared_ptr<const QualityFigures>> ReadQualityFigures(
    Backend& backend, const HourRange& hours, const std::optional<std::string>& org) {
  const std::string key = "quality/" + std::to_string(hours.first) + "/" +
                          std::to_string(hours.last_exclusive) + "/" + OrgKey(org);
  return Memoized<QualityFigures>(
      backend, key, [&]() -> Result<std::shared_ptr<const QualityFigures>> {
        publish::TableQuery window{.from = hours.first, .to = hours.last_exclusive};
        if (org) window.orgs = std::set<std::string>{*org};
        auto figures = std::make_shared<QualityFigures>();
        auto acc = ReadAccounting(backend.store(), hours, org);
        if (!acc.ok()) return acc.status();
        figures->acc = std::move(*acc);
        auto subjects = ReadAttributionQuality(backend, window);
        if (!subjects.ok()) return subjects.status();
        figures->subjects = std::move(*subjects);
        if (!hours.empty()) {
          auto demand = CachedQuery(backend, window, publish::QueryStreamingDemand);
          if (!demand.ok()) return demand.status();
          for (const auto& row : **demand) figures->requested += row.sums.requested_sessions;
        }
        auto invariants = CheckInvariants(backend, figures->acc, window);
        if (!invariants.ok()) return invariants.status();
        figures->invariants = std::move(*invariants);
        return std::shared_ptr<const QualityFigures>(std::move(figures));
      });
}

Outcome Quality(const RequestContext& ctx, Backend& backend) {
  if (!ctx.window) return Internal("quality: no window resolved");
  const std::optional<std::string> org = ctx.Get("org");
  auto figures = ReadQualityFigures(backend, HoursOf(*ctx.window), org);
  if (!figures.ok()) return figures.status();
  const QualityFigures& f = **figures;
  auto data_clock = backend.DataClock(org ? std::optional<std::string_view>(*org) : std::nullopt);
  if (!data_clock.ok()) return data_clock.status();
  const PipelineStatus pipeline = backend.Pipeline();

  JsonWriter w;
  w.BeginObject();
  w.Key("start_time").String(FormatRfc3339Ms(ctx.window->start));
  w.Key("end_time").String(FormatRfc3339Ms(ctx.window->end));
  const ClassCounts& total = f.acc.total;
  w.Key("ingest").BeginObject();
  w.Key("lines_read").Int(total.lines_read()).Key("accepted").Int(total.accepted);
  w.Key("ignored").Int(total.ignored).Key("rejected").Int(total.rejected);
  w.Key("duplicates").Int(total.duplicates).Key("balanced").Bool(total.balanced());
  w.EndObject();
  w.Key("accepted_by_family");
  WriteCounts(w, AllNames(event::AcceptedFamilyNames(), f.acc.accepted_by_family));
  w.Key("ignored_by_reason");
  WriteCounts(w, AllNames(event::IgnoreReasonNames(), f.acc.ignored_by_reason));
  w.Key("rejected_by_reason");
  WriteCounts(w, AllNames(event::RejectReasonNames(), f.acc.rejected_by_reason));
  w.Key("hourly").BeginArray();
  for (const auto& [key, counts] : f.acc.hourly) {
    w.BeginObject();
    w.Key("hour").String(FormatRfc3339Ms(key.first)).Key("org").String(key.second);
    w.Key("lines_read").Int(counts.lines_read()).Key("accepted").Int(counts.accepted);
    w.Key("ignored").Int(counts.ignored).Key("rejected").Int(counts.rejected);
    w.Key("duplicates").Int(counts.duplicates);
    w.EndObject();
  }
  w.EndArray();

  const SubjectQuality& sessions = f.subjects.at("session");
  w.Key("sessions").BeginObject();
  w.Key("total").Int(sessions.total).Key("requested").Int(f.requested);
  w.Key("selected").Int(sessions.selected).Key("no_orch").Int(sessions.no_orch);
  w.Key("unknown_selection").Int(sessions.unknown).Key("unkeyed_events").Int(f.acc.unkeyed_events);
  WriteAttribution(w, sessions);
  w.EndObject();
  w.Key("jobs").BeginObject();
  WriteJob(w, "ai_batch", f.subjects.at("ai_batch_job"));
  WriteJob(w, "byoc", f.subjects.at("byoc_job"));
  w.EndObject();
  const SubjectQuality& samples = f.subjects.at("status_sample");
  const int64_t attributed_samples = samples.attributed(samples.by_status);
  w.Key("status_samples").BeginObject();
  w.Key("total").Int(samples.total).Key("attributed").Int(attributed_samples);
  WriteOptional(w, "attributed_rate", RatioOf(attributed_samples, samples.total));
  w.EndObject();
  const SubjectQuality& payments = f.subjects.at("payment");
  const int64_t linked = payments.by_status.at("resolved");
  w.Key("payments").BeginObject();
  w.Key("events").Int(payments.total).Key("linked").Int(linked);
  w.Key("unlinked").Int(payments.total - linked).Key("link_rate");
  WriteOptional(w, RatioOf(linked, payments.total));
  w.EndObject();
  w.Key("invariants").BeginArray();
  for (const Invariant& inv : f.invariants) {
    w.BeginObject().Key("name").String(inv.name).Key("holds").Bool(inv.violations == 0);
    w.Key("violations").Int(inv.violations).EndObject();
  }
  w.EndArray();
  w.Key("freshness").BeginObject();
  w.Key("last_event_at");
  WriteOptionalTime(w, *data_clock);
  w.Key("last_ingested_at");
  WriteOptionalTime(w, pipeline.last_ingested_at);
  WriteOptional(w, "ingest_lag_seconds", WorstSourceLag(pipeline, /*live_only=*/false).seconds);
  w.Key("dirty_slices").Int(pipeline.dirty_slices);
  WriteOptional(w, "oldest_dirty_slice_age_seconds", pipeline.oldest_dirty_slice_age_s);
  // Kafka consumer lag per partition (issue 5), by source then partition; [] without Kafka.
  w.Key("consumer_lag").BeginArray();
  for (const SourceStatus& source : pipeline.sources) {
    for (const SourceStatus::Partition& part : source.partitions) {
      w.BeginObject().Key("source").String(source.name).Key("topic");
      if (source.topic)
        w.String(*source.topic);
      else
        w.Null();
      w.Key("partition").Int(part.partition).Key("lag").Int(part.lag).EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  return Reply::Data(w.Take());
}

// ---------------------------------------------------------------------------------------------
// C2 POST /v1/admin/events

constexpr std::string_view kDefaultIngestSource = "http";
constexpr int64_t kMiB = 1 << 20;

enum class BodyDecode { kOk, kTooLarge, kCorrupt };

// gzip (multi-member) into `out`, at most `max_bytes`.
BodyDecode GunzipBody(std::string_view in, int64_t max_bytes, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return BodyDecode::kCorrupt;
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, &inflateEnd);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buffer[64 * 1024];
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) return BodyDecode::kCorrupt;
    out.append(buffer, sizeof(buffer) - zs.avail_out);
    if (static_cast<int64_t>(out.size()) > max_bytes) return BodyDecode::kTooLarge;
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) return BodyDecode::kOk;
      if (inflateReset(&zs) != Z_OK) return BodyDecode::kCorrupt;  // the next member
    } else if (zs.avail_in == 0 && zs.avail_out != 0) {
      return BodyDecode::kCorrupt;  // truncated
    }
  }
}

// zstd (multi-frame) into `out`, at most `max_bytes`.
BodyDecode UnzstdBody(std::string_view in, int64_t max_bytes, std::string& out) {
  std::unique_ptr<ZSTD_DStream, size_t (*)(ZSTD_DStream*)> stream(ZSTD_createDStream(),
                                                                  &ZSTD_freeDStream);
  if (!stream) return BodyDecode::kCorrupt;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  char buffer[64 * 1024];
  size_t pending = 1;  // 0 once the last frame is complete
  while (input.pos < input.size || pending != 0) {
    ZSTD_outBuffer output{buffer, sizeof(buffer), 0};
    const size_t before = input.pos;
    pending = ZSTD_decompressStream(stream.get(), &output, &input);
    if (ZSTD_isError(pending)) return BodyDecode::kCorrupt;
    out.append(buffer, output.pos);
    if (static_cast<int64_t>(out.size()) > max_bytes) return BodyDecode::kTooLarge;
    if (pending != 0 && input.pos == before && output.pos == 0) return BodyDecode::kCorrupt;
  }
  return BodyDecode::kOk;
}

// Content-Type: one of the three media types, optionally with a charset parameter.
bool AcceptedContentType(std::string_view header) {
  bool media_type = true;
  while (true) {
    const size_t semicolon = header.find(';');
    const std::string_view piece = TrimView(header.substr(0, semicolon));
    if (media_type) {
      const std::string media = ToLower(piece);
      if (media != "application/x-ndjson" && media != "application/json" && media != "text/plain") {
        return false;
      }
      media_type = false;
    } else if (!piece.empty() && TrimLower(piece.substr(0, piece.find('='))) != "charset") {
      return false;
    }
    if (semicolon == std::string_view::npos) return true;
    header.remove_prefix(semicolon + 1);
  }
}

Problem BodyTooLarge(int64_t max_bytes) {
  return {.status = 413,
          .detail = "request body exceeds " +
                    FormatNumber(static_cast<double>(max_bytes) / static_cast<double>(kMiB)) +
                    " MiB"};
}

std::string IngestResultJson(const AdminIngestResult& r) {
  JsonWriter w;
  w.BeginObject();
  w.Key("org");
  WriteOptionalString(w, r.org);
  w.Key("lines_read").Int(r.lines_read).Key("accepted").Int(r.accepted);
  w.Key("ignored").Int(r.ignored).Key("rejected").Int(r.rejected);
  w.Key("duplicates").Int(r.duplicates);
  w.Key("accepted_by_family");
  WriteCounts(w, r.accepted_by_family);
  w.Key("ignored_by_reason");
  WriteCounts(w, r.ignored_by_reason);
  w.Key("rejected_by_reason");
  WriteCounts(w, r.rejected_by_reason);
  w.Key("first_rejections").BeginArray();
  for (const auto& [line, reason] : r.first_rejections) {
    w.BeginObject().Key("line").Int(line).Key("reason").String(reason).EndObject();
  }
  w.EndArray();
  w.Key("dirty_slices").Int(r.dirty_slices);
  w.EndObject();
  return w.Take();
}

Outcome IngestEvents(const RequestContext& ctx, Backend& backend) {
  const std::string* content_type = ctx.Header("content-type");
  if (content_type == nullptr || !AcceptedContentType(*content_type)) {
    return Problem{.status = 415,
                   .detail = "unsupported content type " +
                             EchoValue(content_type ? *content_type : "") +
                             "; use application/x-ndjson or application/json"};
  }
  const std::string* encoding_header = ctx.Header("content-encoding");
  const std::string encoding = encoding_header ? TrimLower(*encoding_header) : "";
  if (!encoding.empty() && encoding != "identity" && encoding != "gzip" && encoding != "zstd") {
    return Problem{.status = 415,
                   .detail = "unsupported content encoding " + EchoValue(*encoding_header)};
  }
  const int64_t max_bytes = backend.config().admin_max_body_bytes;
  if (static_cast<int64_t>(ctx.body.size()) > max_bytes) return BodyTooLarge(max_bytes);
  std::string decoded;
  if (encoding == "gzip" || encoding == "zstd") {
    const BodyDecode outcome = encoding == "gzip" ? GunzipBody(ctx.body, max_bytes, decoded)
                                                  : UnzstdBody(ctx.body, max_bytes, decoded);
    if (outcome == BodyDecode::kTooLarge) return BodyTooLarge(max_bytes);
    if (outcome == BodyDecode::kCorrupt) {
      return Problem{.status = 400, .detail = "request body is not valid " + encoding + " data"};
    }
  }
  if (backend.Pipeline().rebuild.state == "running") {
    return Problem{.status = 409, .detail = "a rebuild is running; retry when it finishes"};
  }
  const std::optional<std::string> org = ctx.Get("org");
  const std::string source = ctx.Get("source").value_or(std::string(kDefaultIngestSource));
  const std::string_view body = encoding == "gzip" || encoding == "zstd"
                                    ? std::string_view(decoded)
                                    : std::string_view(ctx.body);
  auto result =
      backend.IngestBody(body, org ? std::optional<std::string_view>(*org) : std::nullopt, source);
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kInvalidArgument) {
      return Problem{.status = 400, .detail = result.status().message()};
    }
    return result.status();
  }
  return Reply::Data(IngestResultJson(*result));
}

// ---------------------------------------------------------------------------------------------
// C3 POST /v1/admin/rebuild, C4 GET /v1/admin/status

constexpr std::string_view kDefaultRebuildMode = "replace";

Outcome Rebuild(const RequestContext& ctx, Backend& backend) {
  const std::string mode = ctx.Get("mode").value_or(std::string(kDefaultRebuildMode));
  auto started = backend.StartRebuild(mode);
  if (!started.ok()) {
    if (started.status().code() == StatusCode::kInvalidArgument) {
      return Problem{
          .status = 409,
          .detail = "a rebuild is already running (rebuild_id " + started.status().message() + ")"};
    }
    return started.status();
  }
  JsonWriter w;
  w.BeginObject();
  w.Key("rebuild_id");
  WriteOptionalString(w, started->rebuild_id);
  w.Key("mode");
  WriteOptionalString(w, started->mode);
  w.Key("state").String(started->state);
  w.Key("started_at");
  WriteOptionalTime(w, started->started_at);
  w.EndObject();
  Reply reply = Reply::Data(w.Take());
  reply.status = 202;
  reply.headers.emplace_back("Location", "/v1/admin/status");
  return reply;
}

void WriteRebuildStatus(JsonWriter& w, const RebuildStatus& r) {
  w.BeginObject();
  w.Key("state").String(r.state);
  w.Key("rebuild_id");
  WriteOptionalString(w, r.rebuild_id);
  w.Key("mode");
  WriteOptionalString(w, r.mode);
  w.Key("started_at");
  WriteOptionalTime(w, r.started_at);
  w.Key("finished_at");
  WriteOptionalTime(w, r.finished_at);
  w.Key("lines_replayed").Int(r.lines_replayed).Key("lines_total").Int(r.lines_total);
  w.Key("checksums_match");
  if (r.checksums_match) {
    w.Bool(*r.checksums_match);
  } else {
    w.Null();
  }
  w.Key("mismatched_tables").BeginArray();
  for (const std::string& table : r.mismatched_tables) w.String(table);
  w.EndArray();
  w.Key("error");
  WriteOptionalString(w, r.error);
  w.EndObject();
}

Outcome AdminStatus(const RequestContext& ctx, Backend& backend) {
  const ApiConfig& config = backend.config();
  const PipelineStatus p = backend.Pipeline();
  JsonWriter w;
  w.BeginObject();
  w.Key("version").String(config.version).Key("store_backend").String(config.store_backend);
  w.Key("started_at").String(FormatRfc3339Ms(p.started_at));
  w.Key("uptime_seconds")
      .Double(static_cast<double>(std::max<Millis>(ctx.now - p.started_at, 0)) / 1000.0);
  w.Key("sources").BeginArray();
  for (const SourceStatus& s : p.sources) {
    w.BeginObject();
    w.Key("name").String(s.name).Key("kind").String(s.kind);
    w.Key("org");
    WriteOptionalString(w, s.org);
    w.Key("topic");
    WriteOptionalString(w, s.topic);
    w.Key("partitions").BeginArray();
    for (const SourceStatus::Partition& part : s.partitions) {
      w.BeginObject().Key("partition").Int(part.partition);
      w.Key("committed_offset").Int(part.committed_offset);
      w.Key("high_watermark").Int(part.high_watermark).Key("lag").Int(part.lag).EndObject();
    }
    w.EndArray();
    w.Key("lines_read").Int(s.lines_read).Key("last_event_at");
    WriteOptionalTime(w, s.last_event_at);
    WriteOptional(w, "lag_seconds", s.lag_seconds);
    w.EndObject();
  }
  w.EndArray();
  w.Key("ingest").BeginObject();
  w.Key("lines_read").Int(p.lines_read).Key("accepted").Int(p.accepted);
  w.Key("ignored").Int(p.ignored).Key("rejected").Int(p.rejected);
  w.Key("duplicates").Int(p.duplicates).EndObject();
  w.Key("publish").BeginObject();
  w.Key("dirty_slices").Int(p.dirty_slices).Key("oldest_dirty_slice_age_seconds");
  WriteOptional(w, p.oldest_dirty_slice_age_s);
  w.Key("last_publish_at");
  WriteOptionalTime(w, p.last_publish_at);
  w.EndObject();
  w.Key("raw_log").BeginObject();
  w.Key("segments").Int(p.raw_segments).Key("bytes").Int(p.raw_bytes).Key("oldest_event_at");
  WriteOptionalTime(w, p.raw_oldest_event_at);
  w.Key("retention_days").Int(config.raw_retention_ms / kDayMs);
  w.EndObject();
  w.Key("rebuild");
  WriteRebuildStatus(w, p.rebuild);
  w.EndObject();
  return Reply::Data(w.Take());
}

// ---------------------------------------------------------------------------------------------
// C5 /healthz, C6 /readyz, C7 /metrics

Reply JsonBody(int status, std::string json) {
  Reply reply{.kind = Reply::Kind::kRaw, .status = status, .body = std::move(json) + "\n"};
  return reply;
}

Outcome Healthz(const RequestContext&, Backend& backend) {
  JsonWriter w;
  w.BeginObject().Key("status").String("ok").Key("version").String(backend.config().version);
  w.EndObject();
  return JsonBody(200, w.Take());
}

struct ReadinessCheck {
  std::string name;
  bool ok = false;
  std::optional<double> observed;
  double limit = 0;
  std::string unit, message;
};

constexpr double kStoreRoundTripLimitMs = 2000;

ReadinessCheck StoreCheck(Backend& backend) {
  const auto start = std::chrono::steady_clock::now();
  const Status ping = backend.PingStore();
  const double elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ReadinessCheck check{.name = "store", .limit = kStoreRoundTripLimitMs, .unit = "ms"};
  if (!ping.ok()) {
    check.message = "store round trip failed";
    return check;
  }
  check.observed = publish::RoundHalfAwayFromZero(elapsed_ms, 3);
  check.ok = elapsed_ms <= kStoreRoundTripLimitMs;
  check.message = "store answered in " + FormatNumber(*check.observed) + " ms";
  return check;
}

ReadinessCheck IngestLagCheck(const PipelineStatus& pipeline, double limit_s) {
  ReadinessCheck check{.name = "ingest_lag", .ok = true, .limit = limit_s, .unit = "s"};
  const WorstLag worst = WorstSourceLag(pipeline, /*live_only=*/true);
  for (const SourceStatus& source : pipeline.sources) {
    if (source.live && source.degraded_reason) {
      check.ok = false;
      check.observed = worst.seconds;
      check.message = "source " + source.name + " degraded: " + *source.degraded_reason;
      return check;
    }
  }
  if (!worst.seconds) {
    check.message = "no live source";
    return check;
  }
  check.observed = worst.seconds;
  check.ok = *worst.seconds <= limit_s;
  check.message = "worst lag " + FormatNumber(*worst.seconds) + " s (source " + worst.source + ")";
  return check;
}

ReadinessCheck PublishLagCheck(const PipelineStatus& pipeline, double limit_s) {
  ReadinessCheck check{.name = "publish_lag", .ok = true, .limit = limit_s, .unit = "s"};
  check.observed = pipeline.oldest_dirty_slice_age_s;
  if (!check.observed) {
    check.message = "no dirty slice";
    return check;
  }
  check.ok = *check.observed <= limit_s;
  check.message = "oldest dirty slice is " + FormatNumber(*check.observed) + " s old";
  return check;
}

// Not in spec/api.md §4.6 (docs/api.md): `naap serve` answers while it restores the facts.
ReadinessCheck FactsCheck(const PipelineStatus& pipeline) {
  const std::string progress = std::to_string(pipeline.restore_hours_replayed) + " of " +
                               std::to_string(pipeline.restore_hours_total) + " hours";
  return {.name = "facts",
          .ok = !pipeline.restoring,
          .observed = static_cast<double>(pipeline.restore_hours_replayed),
          .limit = static_cast<double>(pipeline.restore_hours_total),
          .unit = "hours",
          .message = pipeline.restoring ? std::string(kRestoringFacts) + ": " + progress
                                        : "restored: " + progress};
}

Outcome Readyz(const RequestContext&, Backend& backend) {
  const ApiConfig& config = backend.config();
  const PipelineStatus pipeline = backend.Pipeline();
  const std::vector<ReadinessCheck> checks = {
      StoreCheck(backend), IngestLagCheck(pipeline, config.ready_max_ingest_lag_s),
      PublishLagCheck(pipeline, config.ready_max_publish_lag_s), FactsCheck(pipeline)};
  JsonWriter w;
  w.BeginArray();
  std::string failing;
  for (const ReadinessCheck& c : checks) {
    w.BeginObject().Key("name").String(c.name).Key("ok").Bool(c.ok).Key("observed");
    WriteOptional(w, c.observed);
    w.Key("limit").Double(c.limit).Key("unit").String(c.unit);
    w.Key("message").String(c.message).EndObject();
    if (!c.ok) failing += (failing.empty() ? "" : ", ") + c.name;
  }
  w.EndArray();
  const std::string checks_json = w.Take();
  if (!failing.empty()) {
    return Problem{.status = 503,
                   .detail = "not ready: " + failing,
                   .extension_json = "\"checks\":" + checks_json};
  }
  return JsonBody(200, "{\"status\":\"ready\",\"checks\":" + checks_json + "}");
}

}  // namespace

std::vector<RouteSpec> OperationsRoutes(const metrics::Registry& registry) {
  std::vector<ParamSpec> quality_params = WindowParams();
  quality_params.push_back(OrgParam("only this org"));
  return {
      {.id = "C1",
       .pattern = "/v1/quality",
       .group = RouteGroup::kC,
       .summary = "Data-quality report: input accounting, attribution health, invariants",
       .params = std::move(quality_params),
       .window = WindowSpec{},
       .handler = Quality},
      {.id = "C2",
       .pattern = "/v1/admin/events",
       .group = RouteGroup::kC,
       .methods = {"POST"},
       .admin = true,
       .summary = "Ingest an NDJSON or JSON-array body through the ingest pipeline",
       .params = {OrgParam("org of every line (else each line's wrapper topic)"),
                  {.name = "source",
                   .type = ParamType::kId,
                   .default_text = std::string(kDefaultIngestSource),
                   .description = "provenance label of the body"}},
       .handler = IngestEvents},
      {.id = "C3",
       .pattern = "/v1/admin/rebuild",
       .group = RouteGroup::kC,
       .methods = {"POST"},
       .admin = true,
       .summary = "Replay the raw event log into every fact and serving table",
       .params = {{.name = "mode",
                   .type = ParamType::kEnum,
                   .default_text = std::string(kDefaultRebuildMode),
                   .enum_values = {"replace", "verify"},
                   .description = "replace the live tables, or verify them by checksum"}},
       .handler = Rebuild},
      {.id = "C4",
       .pattern = "/v1/admin/status",
       .group = RouteGroup::kC,
       .admin = true,
       .summary = "Process, sources, pipeline and rebuild state",
       .handler = AdminStatus},
      {.id = "C5",
       .pattern = "/healthz",
       .group = RouteGroup::kC,
       .summary = "Liveness",
       .handler = Healthz},
      {.id = "C6",
       .pattern = "/readyz",
       .group = RouteGroup::kC,
       .summary = "Readiness: store round trip, ingest lag, publish lag",
       .handler = Readyz},
      {.id = "C7",
       .pattern = "/metrics",
       .group = RouteGroup::kC,
       .summary = "Prometheus metrics",
       .handler = [&registry](const RequestContext&, Backend&) -> Outcome {
         return Reply{.kind = Reply::Kind::kRaw,
                      .content_type = "text/plain; version=0.0.4; charset=utf-8",
                      .body = registry.Render()};
       }},
  };
}

}  // namespace naap::api
