#pragma once
// Backend: everything the API's handlers read or drive, behind one seam so the HTTP layer is
// tested against a memory store, a SQLite store filled by ingest, or a failing fake.
//  - Serving tables come from store() through publish/query.h and publish/views.h.
//  - Facts (sessions, samples, jobs, payments, failures) are read with ReadFacts(), which holds
//    the ingest pipeline off for the duration of fn (a shared lock against the resolver's writer),
//    so fn must not block on I/O other than the store and must not keep pointers after it returns.
//  - Admin operations and status are optional: a backend without live ingest answers them with
//    Unavailable.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"
#include "resolve/facts_view.h"
#include "store/store.h"

namespace naap::api {

class ReadCache;  // read_cache.h

// Server settings the handlers and the router read (spec/api.md §1.16).
struct ApiConfig {
  std::string version = "dev";
  std::string store_backend = "sqlite";         // sqlite | clickhouse | memory
  std::vector<std::string> cors_allow_origins = {"*"};  // empty disables CORS
  double rate_limit_rps = 100;                   // 0 disables
  int64_t rate_limit_burst = 200;
  std::vector<std::string> trusted_proxies;      // CIDRs
  int64_t cache_max_age_s = 10;
  Millis query_timeout_ms = 30'000;
  std::optional<std::string> admin_token;        // nullopt: admin API disabled (403)
  int64_t admin_max_body_bytes = 64ll << 20;
  Millis raw_retention_ms = 90 * kDayMs;         // the widest window
  std::optional<Millis> serving_retention_ms;    // ≥ raw_retention_ms; nullopt: the store's
  Millis maintain_every_ms = 60'000;             // LocalBackend: refreezes and retention sweeps
  double ready_max_ingest_lag_s = 300, ready_max_publish_lag_s = 600;
  int64_t leaderboard_min_streams = 10;
  double leaderboard_weights[4] = {0.30, 0.30, 0.20, 0.20};
};

// Result of POST /v1/admin/events (§4.2), before it is written as JSON.
struct AdminIngestResult {
  std::optional<std::string> org;
  int64_t lines_read = 0, accepted = 0, ignored = 0, rejected = 0, duplicates = 0;
  std::vector<std::pair<std::string, int64_t>> accepted_by_family;  // all 14, by name
  std::vector<std::pair<std::string, int64_t>> ignored_by_reason;   // all reasons, by name
  std::vector<std::pair<std::string, int64_t>> rejected_by_reason;  // all reasons, by name
  std::vector<std::pair<int64_t, std::string>> first_rejections;    // ≤ 10 (line, reason)
  int64_t dirty_slices = 0;
};

// Live figures of the running process for /v1/admin/status, /readyz and /metrics.
struct SourceStatus {
  std::string name, kind;  // kind: kafka | file | http | simulator
  std::optional<std::string> org, topic;
  struct Partition {
    int64_t partition = 0, committed_offset = 0, high_watermark = 0, lag = 0;
  };
  std::vector<Partition> partitions;
  int64_t lines_read = 0;
  std::optional<Millis> last_event_at;
  std::optional<double> lag_seconds;
  bool live = false;  // counts for the readiness ingest_lag check
  // Set while a live source cannot read (e.g. no Kafka broker up): readiness fails with it.
  std::optional<std::string> degraded_reason;
};

struct RebuildStatus {
  std::string state = "idle";  // idle | running | succeeded | failed
  std::optional<std::string> rebuild_id, mode;
  std::optional<Millis> started_at, finished_at;
  int64_t lines_replayed = 0, lines_total = 0;
  std::optional<bool> checksums_match;
  std::vector<std::string> mismatched_tables;
  std::optional<std::string> error;
};

struct PipelineStatus {
  Millis started_at = 0;
  std::vector<SourceStatus> sources;
  int64_t lines_read = 0, accepted = 0, ignored = 0, rejected = 0, duplicates = 0;
  int64_t dirty_slices = 0;
  std::optional<double> oldest_dirty_slice_age_s;
  std::optional<Millis> last_publish_at, last_ingested_at;
  int64_t raw_segments = 0, raw_bytes = 0;
  std::optional<Millis> raw_oldest_event_at;
  RebuildStatus rebuild;
  // The facts are still being restored from the raw log (`naap serve` answers meanwhile), and how
  // far: hours of the raw log replayed of those it holds (0 of 0 until listed).
  bool restoring = false;
  int64_t restore_hours_replayed = 0, restore_hours_total = 0;
};

// The kUnavailable message of what needs the facts while they are restored (503 with this detail).
inline constexpr std::string_view kRestoringFacts = "the facts are being restored from the raw log";

class Backend {
 public:
  virtual ~Backend() = default;

  virtual const ApiConfig& config() const = 0;
  virtual store::Store& store() = 0;
  // Wall clock for `now` (tests inject a FakeClock).
  virtual Millis NowMs() const = 0;
  // §1.17: the newest event time of `org`, or over every org when nullopt; nullopt when none.
  virtual Result<std::optional<Millis>> DataClock(std::optional<std::string_view> org) = 0;
  // Runs fn with the resolver's facts under the reader lock (see the header comment).
  virtual Status ReadFacts(const std::function<Status(const resolve::FactsView&)>& fn) = 0;
  // A number that changes (grows) whenever committed data may have changed: read results that
  // are pure functions of the store may be reused while it stays the same.
  virtual uint64_t DataVersion() const { return 0; }
  // The memo of shared read results keyed by DataVersion(); nullptr (the default, for a backend
  // that does not track its data version) disables memoization.
  virtual ReadCache* read_cache() { return nullptr; }

  // ---- operations; a backend without them returns Unavailable ----
  // Ingests an NDJSON/JSON body (already decoded from its Content-Encoding). `org` applies to
  // every line; without it each line must be a wrapper whose topic maps to an org: otherwise
  // InvalidArgument naming the 1-based line, and nothing is ingested. Returns once durable.
  virtual Result<AdminIngestResult> IngestBody(std::string_view body,
                                               std::optional<std::string_view> org,
                                               std::string_view source) = 0;
  // Starts a rebuild (mode "replace" or "verify") in the background; FailedPrecondition-like
  // conflicts are reported as InvalidArgument with the running rebuild's id as message.
  virtual Result<RebuildStatus> StartRebuild(std::string_view mode) = 0;
  virtual PipelineStatus Pipeline() = 0;
  // A trivial store round trip for /readyz.
  virtual Status PingStore() = 0;
};

}  // namespace naap::api
