// `naap serve [--store URI] [--listen HOST:PORT] [--source sim[:EVENTS_PER_S]]
// [--kafka BROKERS [--topics T1,T2] [--group NAME] [--topic-org TOPIC=ORG]…
// [--kafka-start earliest|latest] [--kafka-config KEY=VALUE]…] [--admin-token-file F]
// [--threads N] [spec/api.md §1.16 flags]`: the HTTP API over a store, optionally fed live by the
// simulator and/or a Kafka consumer (both may run; one ingest batch at a time). Every flag falls
// back to env NAAP_<UPPER_SNAKE>; the admin token comes from --admin-token-file or
// NAAP_ADMIN_TOKEN (≥ 16 characters). Prints the API, docs and metrics URLs on stdout once
// listening; SIGTERM or SIGINT stops it gracefully (server drained, live sources stopped, their
// last batches committed, the consumer group left) with exit 0. Exit 2 for a usage error
// (including a --kafka-config property librdkafka refuses, a listen host that is not an IP address
// or localhost, an invalid trusted proxy), 1 when the store, binding the listen address or a live
// ingest fails.
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "api/api.h"
#include "api/http_server.h"
#include "api/local_backend.h"
#include "api/rate_limiter.h"
#include "base/strings.h"
#include "base/time.h"
#include "cli/commands.h"
#include "event/org.h"
#include "ingest/kafka_source.h"
#include "metrics/registry.h"
#include "publish/views.h"
#include "sim/live_source.h"
#include "store/store.h"

namespace naap::cli {

std::optional<std::pair<std::string, std::string>> ParseAssignment(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  return std::pair{Trim(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

namespace {

constexpr double kDefaultSimRate = 100;

struct ServeArgs {
  std::string store_uri = "sqlite:naap.db";
  std::string listen = "127.0.0.1:8000";
  std::string source;
  std::string admin_token_file;
  int threads = 4;
  std::string cors_allow_origins = "*";
  double rate_limit_rps = 100;
  int64_t rate_limit_burst = 200;
  std::string trusted_proxies;
  std::string cache_max_age = "10s";
  std::string query_timeout = "30s";
  std::string admin_max_body = "64MiB";
  std::string raw_retention = "90d";
  std::string serving_retention;  // "": the store's last sweep's, else 90d
  std::string ready_max_ingest_lag = "300s";
  std::string ready_max_publish_lag = "600s";
  int64_t leaderboard_min_streams = 10;
  std::string leaderboard_weights = "0.30,0.30,0.20,0.20";
  std::string kafka;  // bootstrap servers; empty: no Kafka consumer
  std::string topics = "network_events,streaming_events";
  std::string group = "naap";
  std::vector<std::string> topic_org;  // TOPIC=ORG
  std::string kafka_start = "earliest";
  std::vector<std::string> kafka_config;  // KEY=VALUE
};

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  std::stringstream in{std::string(text)};
  std::string item;
  while (std::getline(in, item, ',')) {
    if (std::string trimmed = Trim(item); !trimmed.empty()) items.push_back(std::move(trimmed));
  }
  return items;
}

// "<number>[ms|s|m|h|d]", a bare number in seconds.
std::optional<Millis> ParseFlagDuration(std::string_view text) {
  static const std::vector<std::pair<std::string_view, double>> kUnits = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}};
  double unit = 1000;
  for (const auto& [suffix, ms] : kUnits) {
    if (text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix) {
      unit = ms;
      text.remove_suffix(suffix.size());
      break;
    }
  }
  std::istringstream in{std::string(text)};
  double value;
  if (!(in >> value) || !in.eof() || value < 0 || !std::isfinite(value)) return std::nullopt;
  return static_cast<Millis>(std::llround(value * unit));
}

// "<n>[B|KiB|MiB|GiB]", a bare number in bytes.
std::optional<int64_t> ParseFlagBytes(std::string_view text) {
  static const std::vector<std::pair<std::string_view, int64_t>> kUnits = {
      {"KiB", 1ll << 10}, {"MiB", 1ll << 20}, {"GiB", 1ll << 30}, {"B", 1}};
  int64_t unit = 1;
  for (const auto& [suffix, bytes] : kUnits) {
    if (text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix) {
      unit = bytes;
      text.remove_suffix(suffix.size());
      break;
    }
  }
  std::istringstream in{std::string(text)};
  int64_t value;
  if (!(in >> value) || !in.eof() || value <= 0) return std::nullopt;
  return value * unit;
}

// "HOST:PORT" or "[V6]:PORT".
std::optional<std::pair<std::string, uint16_t>> ParseListen(std::string_view text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  unsigned char address[16];
  if (inet_pton(AF_INET, host.c_str(), address) != 1 &&
      inet_pton(AF_INET6, host.c_str(), address) != 1) {
    return std::nullopt;  // the server binds an IP address; names other than localhost are not
                          // looked up
  }
  std::istringstream in{std::string(text.substr(colon + 1))};
  int port;
  if (!(in >> port) || !in.eof() || port < 0 || port > 65535) return std::nullopt;
  return std::pair{host, static_cast<uint16_t>(port)};
}

// "sim" or "sim:EVENTS_PER_S".
std::optional<double> ParseSimSource(std::string_view text) {
  if (text == "sim") return kDefaultSimRate;
  if (text.substr(0, 4) != "sim:") return std::nullopt;
  std::istringstream in{std::string(text.substr(4))};
  double rate;
  if (!(in >> rate) || !in.eof() || !(rate > 0) || rate > sim::kMaxEventsPerSecond) {
    return std::nullopt;
  }
  return rate;
}

struct Settings {
  api::ApiConfig config;
  api::HttpServerOptions server;
  std::optional<double> sim_rate;
  event::TopicMap topics = event::TopicMap::Default();
  std::optional<ingest::KafkaSourceOptions> kafka;
};

// The Kafka flags (validated even without --kafka, so a typo never waits for Kafka to appear).
Status ResolveKafka(const ServeArgs& args, Settings& s) {
  for (const std::string& mapping : args.topic_org) {
    auto pair = ParseAssignment(mapping);
    if (!pair) return InvalidArgument("--topic-org: expected TOPIC=ORG, got \"" + mapping + "\"");
    Status set = s.topics.Set(pair->first, Trim(pair->second));
    if (!set.ok()) return InvalidArgument("--topic-org: " + set.message());
  }
  ingest::KafkaSourceOptions kafka;
  kafka.brokers = args.kafka;
  kafka.topics = SplitList(args.topics);
  if (kafka.topics.empty()) return InvalidArgument("--topics: at least one topic is needed");
  kafka.group = args.group;
  if (kafka.group.empty()) return InvalidArgument("--group must not be empty");
  if (args.kafka_start == "earliest") {
    kafka.start = ingest::KafkaStart::kEarliest;
  } else if (args.kafka_start == "latest") {
    kafka.start = ingest::KafkaStart::kLatest;
  } else {
    return InvalidArgument("--kafka-start: expected earliest or latest, got \"" + args.kafka_start +
                           "\"");
  }
  for (const std::string& property : args.kafka_config) {
    auto pair = ParseAssignment(property);
    if (!pair) {
      return InvalidArgument("--kafka-config: expected KEY=VALUE, got \"" + property + "\"");
    }
    kafka.config.push_back(std::move(*pair));
  }
  if (!args.kafka.empty()) s.kafka = std::move(kafka);
  return Status::Ok();
}

// The validated settings, or the usage error to print.
Result<Settings> Resolve(const ServeArgs& args) {
  Settings s;
  api::ApiConfig& c = s.config;
  c.store_backend = args.store_uri.substr(0, args.store_uri.find(':'));
  c.cors_allow_origins = SplitList(args.cors_allow_origins);
  if (args.rate_limit_rps < 0 || args.rate_limit_burst < 1) {
    return InvalidArgument("--rate-limit-rps must be ≥ 0 and --rate-limit-burst ≥ 1");
  }
  c.rate_limit_rps = args.rate_limit_rps;
  c.rate_limit_burst = args.rate_limit_burst;
  c.trusted_proxies = SplitList(args.trusted_proxies);
  for (const std::string& proxy : c.trusted_proxies) {
    if (Result<api::Cidr> cidr = api::ParseCidr(proxy); !cidr.ok()) {
      return InvalidArgument("--trusted-proxies: " + cidr.status().message());
    }
  }
  const std::vector<std::tuple<const char*, const std::string*, Millis*>> durations = {
      {"--query-timeout", &args.query_timeout, &c.query_timeout_ms},
      {"--raw-retention", &args.raw_retention, &c.raw_retention_ms}};
  for (const auto& [flag, text, out] : durations) {
    auto ms = ParseFlagDuration(*text);
    if (!ms || *ms <= 0)
      return InvalidArgument(std::string(flag) + ": invalid duration \"" + *text + "\"");
    *out = *ms;
  }
  if (!args.serving_retention.empty()) {
    auto ms = ParseFlagDuration(args.serving_retention);
    if (!ms || *ms < c.raw_retention_ms) {
      return InvalidArgument("--serving-retention: \"" + args.serving_retention +
                             "\" is not a duration at least as long as --raw-retention");
    }
    c.serving_retention_ms = *ms;
  }
  const std::vector<std::tuple<const char*, const std::string*, double*>> seconds = {
      {"--ready-max-ingest-lag", &args.ready_max_ingest_lag, &c.ready_max_ingest_lag_s},
      {"--ready-max-publish-lag", &args.ready_max_publish_lag, &c.ready_max_publish_lag_s}};
  for (const auto& [flag, text, out] : seconds) {
    auto ms = ParseFlagDuration(*text);
    if (!ms) return InvalidArgument(std::string(flag) + ": invalid duration \"" + *text + "\"");
    *out = static_cast<double>(*ms) / 1000;
  }
  auto max_age = ParseFlagDuration(args.cache_max_age);
  if (!max_age)
    return InvalidArgument("--cache-max-age: invalid duration \"" + args.cache_max_age + "\"");
  c.cache_max_age_s = *max_age / 1000;
  auto max_body = ParseFlagBytes(args.admin_max_body);
  if (!max_body)
    return InvalidArgument("--admin-max-body: invalid size \"" + args.admin_max_body + "\"");
  c.admin_max_body_bytes = *max_body;
  if (args.leaderboard_min_streams < 0)
    return InvalidArgument("--leaderboard-min-streams must be ≥ 0");
  c.leaderboard_min_streams = args.leaderboard_min_streams;
  const std::vector<std::string> weights = SplitList(args.leaderboard_weights);
  if (weights.size() != 4)
    return InvalidArgument("--leaderboard-weights: expected four comma-separated numbers");
  for (size_t i = 0; i < 4; ++i) {
    std::istringstream in(weights[i]);
    if (!(in >> c.leaderboard_weights[i]) || !in.eof() || c.leaderboard_weights[i] < 0) {
      return InvalidArgument("--leaderboard-weights: invalid weight \"" + weights[i] + "\"");
    }
  }

  std::string token;
  if (!args.admin_token_file.empty()) {
    std::ifstream in(args.admin_token_file);
    if (!in) return InvalidArgument("--admin-token-file: cannot read " + args.admin_token_file);
    std::stringstream text;
    text << in.rdbuf();
    token = Trim(text.str());
  } else if (const char* env = std::getenv("NAAP_ADMIN_TOKEN")) {
    token = Trim(env);
  }
  if (!token.empty() || !args.admin_token_file.empty()) {
    if (token.size() < 16) return InvalidArgument("the admin token must be at least 16 characters");
    c.admin_token = token;
  }

  auto listen = ParseListen(args.listen);
  if (!listen) {
    return InvalidArgument("--listen: expected IP:PORT (or localhost:PORT), got \"" + args.listen +
                           "\"");
  }
  s.server.host = listen->first;
  s.server.port = listen->second;
  if (args.threads < 1 || args.threads > 256) return InvalidArgument("--threads must be in 1..256");
  s.server.threads = args.threads;
  s.server.max_body_bytes = c.admin_max_body_bytes;
  if (!args.source.empty()) {
    s.sim_rate = ParseSimSource(args.source);
    if (!s.sim_rate)
      return InvalidArgument("--source: expected sim or sim:EVENTS_PER_S with 0 < EVENTS_PER_S ≤ " +
                             std::to_string(sim::kMaxEventsPerSecond) + ", got \"" + args.source +
                             "\"");
  }
  NAAP_RETURN_IF_ERROR(ResolveKafka(args, s));
  return s;
}

// Figures of a live ingest loop, read by the metrics collectors.
struct LiveProgress {
  std::atomic<Millis> committed_event_ms{0};  // newest event time of the last committed batch
  std::atomic<Millis> batch_started_ms{0};    // 0 while no batch is being ingested
};

// The live sources of this process (null when not running).
struct LiveSources {
  const LiveProgress* sim = nullptr;
  const LiveProgress* kafka_batches = nullptr;
  const ingest::KafkaSource* kafka = nullptr;
};

// The largest lag in seconds over the Kafka partitions of `topic` ("" = every topic).
double WorstPartitionLagSeconds(const ingest::KafkaStatus& status, std::string_view topic) {
  double worst = 0;
  for (const ingest::KafkaPartitionStatus& p : status.partitions) {
    if (topic.empty() || p.topic == topic) worst = std::max(worst, p.lag_seconds);
  }
  return worst;
}

// /v1/admin/status and /readyz entries of the Kafka source: one per topic, with its partitions,
// the messages this process committed from it, and the broker state (degraded while no broker is
// up). last_event_at is the source's, over all topics.
std::vector<api::SourceStatus> KafkaSourceStatuses(const ingest::KafkaSource& kafka,
                                                   const std::vector<std::string>& topics,
                                                   const event::TopicMap& topic_map,
                                                   const api::SourceStatus& accumulated) {
  const ingest::KafkaStatus status = kafka.Snapshot();
  std::vector<api::SourceStatus> entries;
  for (const std::string& topic : topics) {
    api::SourceStatus entry = accumulated;
    entry.name = "kafka:" + topic;
    entry.kind = "kafka";
    entry.live = true;
    entry.topic = topic;
    entry.org = topic_map.Resolve(topic);
    auto committed = status.committed_messages.find(topic);
    entry.lines_read = committed == status.committed_messages.end() ? 0 : committed->second;
    for (const ingest::KafkaPartitionStatus& p : status.partitions) {
      if (p.topic != topic) continue;
      entry.partitions.push_back({.partition = p.partition,
                                  .committed_offset = p.committed_offset,
                                  .high_watermark = p.high_watermark,
                                  .lag = p.lag});
    }
    entry.lag_seconds = WorstPartitionLagSeconds(status, topic);
    entry.degraded_reason = status.degraded_reason;
    entries.push_back(std::move(entry));
  }
  return entries;
}

// naap_ingest_* / naap_publish_* / naap_store_* / naap_kafka_* / naap_active_sessions, computed at
// scrape time.
void RegisterPipelineMetrics(metrics::Registry& registry, api::LocalBackend& backend,
                             const Clock& clock, LiveSources live) {
  registry.AddCollector(
      {{"naap_ingest_lines_total",
        "Input lines by org, family, class and reason (store accounting).", "counter"}},
      [&backend] {
        std::map<metrics::Labels, double> lines;
        auto rows = backend.store().Counters(std::numeric_limits<Millis>::min(),
                                             std::numeric_limits<Millis>::max());
        if (!rows.ok()) return std::vector<metrics::Sample>{};
        for (const store::CounterRow& row : *rows) {
          std::string cls = row.kind, reason;
          if (row.kind == "ignored" || row.kind == "rejected") {
            reason = row.key;
          } else if (row.kind != "accepted" && row.kind != "duplicate") {
            continue;  // notes, arrival and checks are not lines
          }
          lines[{{"org", row.org}, {"family", row.family}, {"class", cls}, {"reason", reason}}] +=
              static_cast<double>(row.count);
        }
        std::vector<metrics::Sample> samples;
        for (auto& [labels, count] : lines)
          samples.push_back({"naap_ingest_lines_total", labels, count});
        return samples;
      });
  registry.AddCollector(
      {{"naap_ingest_lag_seconds",
        "Seconds between now and the newest event committed, per live source.", "gauge"},
       {"naap_publish_oldest_dirty_age_seconds",
        "Age of the oldest serving slice not yet republished (slices are republished when their "
        "batch commits).",
        "gauge"}},
      [&clock, live] {
        std::vector<metrics::Sample> samples;
        const Millis now = clock.NowMs();
        double dirty_age = 0;
        for (const LiveProgress* progress : {live.sim, live.kafka_batches}) {
          if (progress == nullptr) continue;
          if (const Millis started = progress->batch_started_ms.load(); started > 0) {
            dirty_age =
                std::max(dirty_age, static_cast<double>(std::max<Millis>(0, now - started)) / 1000);
          }
        }
        if (live.sim != nullptr) {
          if (const Millis committed = live.sim->committed_event_ms.load(); committed > 0) {
            samples.push_back({"naap_ingest_lag_seconds",
                               {{"source", "sim"}},
                               static_cast<double>(std::max<Millis>(0, now - committed)) / 1000});
          }
        }
        if (live.kafka != nullptr) {
          samples.push_back({"naap_ingest_lag_seconds",
                             {{"source", "kafka"}},
                             WorstPartitionLagSeconds(live.kafka->Snapshot(), "")});
        }
        samples.push_back({"naap_publish_oldest_dirty_age_seconds", {}, dirty_age});
        return samples;
      });
  registry.AddCollector(
      {{"naap_store_commits_total", "Ingest batches this process committed, by result.", "counter"},
       {"naap_store_commit_seconds_total",
        "Wall time this process spent committing ingest batches.", "counter"},
       {"naap_store_committed_raw_bytes_total",
        "Compressed raw-log bytes in the batches this process committed.", "counter"},
       {"naap_store_raw_log_blocks", "Blocks of the store's raw event log.", "gauge"},
       {"naap_store_raw_log_bytes", "Compressed payload bytes of the store's raw event log.",
        "gauge"}},
      [&backend] {
        const store::CommitStats commits = backend.store().commit_stats();
        std::vector<metrics::Sample> samples{
            {"naap_store_commits_total", {{"result", "ok"}}, static_cast<double>(commits.commits)},
            {"naap_store_commits_total",
             {{"result", "error"}},
             static_cast<double>(commits.failed)},
            {"naap_store_commit_seconds_total", {}, commits.seconds},
            {"naap_store_committed_raw_bytes_total", {}, static_cast<double>(commits.raw_bytes)}};
        store::RawLogStats raw;  // zeros when the store cannot be read, as in /v1/admin/status
        if (auto size = backend.RawLogSize(); size.ok()) raw = **size;
        samples.push_back({"naap_store_raw_log_blocks", {}, static_cast<double>(raw.blocks)});
        samples.push_back({"naap_store_raw_log_bytes", {}, static_cast<double>(raw.payload_bytes)});
        return samples;
      });
  if (live.kafka != nullptr) {
    registry.AddCollector(
        {{"naap_kafka_consumer_lag",
          "Records between the committed position and the high watermark, per assigned Kafka "
          "partition.",
          "gauge"}},
        [kafka = live.kafka] {
          std::vector<metrics::Sample> samples;
          for (const ingest::KafkaPartitionStatus& p : kafka->Snapshot().partitions) {
            samples.push_back({"naap_kafka_consumer_lag",
                               {{"topic", p.topic}, {"partition", std::to_string(p.partition)}},
                               static_cast<double>(p.lag)});
          }
          return samples;
        });
  }
  registry.AddCollector(
      {{"naap_active_sessions",
        "Live video sessions seen within 10 minutes of the data clock, per org.", "gauge"}},
      [&backend] {
        std::vector<metrics::Sample> samples;
        auto data_clock = backend.DataClock(std::nullopt);
        if (!data_clock.ok() || !*data_clock) return samples;
        const Millis now = **data_clock;
        std::map<std::string, double> active;
        Status read = backend.ReadFacts([&](const resolve::FactsView& facts) {
          const std::vector<std::string> orgs = facts.Orgs();
          for (const std::string& org : orgs) active[org] = 0;
          for (const auto& state : publish::BuildActiveStreamStates(facts, orgs, {.now = now})) {
            if (state.last_seen >= now - publish::kActiveWithinMs) ++active[state.org];
          }
          return Status::Ok();
        });
        if (!read.ok()) return samples;
        for (const auto& [org, n] : active)
          samples.push_back({"naap_active_sessions", {{"org", org}}, n});
        return samples;
      });
}

// Feeds `source` (sim::LiveSource or ingest::KafkaSource) to the backend batch after batch until
// it finishes; a failed batch is reported, sets `failed` and wakes the main thread's sigwait.
template <typename BatchedSource>
void RunLiveIngest(BatchedSource& source, api::LocalBackend& backend, const Clock& clock,
                   LiveProgress& progress, std::string_view name, std::string_view kind,
                   const std::atomic<bool>& stopping, std::atomic<bool>& failed) {
  while (!source.finished()) {
    source.StartBatch();  // the previous batch is committed
    progress.batch_started_ms = clock.NowMs();
    auto counts = backend.IngestSource(source, name, kind);
    progress.batch_started_ms = 0;
    if (!counts.ok()) {
      // Stopped before the facts were restored (LocalBackend::CancelRestore): nothing was read.
      if (stopping && counts.status().code() == StatusCode::kUnavailable) return;
      std::fprintf(stderr, "naap serve: %.*s ingest failed: %s\n", static_cast<int>(name.size()),
                   name.data(), counts.status().ToString().c_str());
      failed = true;
      kill(getpid(), SIGTERM);
      return;
    }
    if constexpr (requires { source.newest_event_ms(); }) {
      progress.committed_event_ms = source.newest_event_ms();
    }
  }
}

std::string UrlHost(const std::string& host) {
  if (host == "0.0.0.0") return "127.0.0.1";
  if (host == "::") return "[::1]";
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

int RunServe(const ServeArgs& args) {
  auto settings = Resolve(args);
  if (!settings.ok()) {
    std::fprintf(stderr, "naap serve: %s\n", settings.status().message().c_str());
    return 2;
  }
  // Signals are taken by sigwait below: block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto fail = [](const char* what, const Status& st) {
    std::fprintf(stderr, "naap serve: %s: %s\n", what, st.ToString().c_str());
    return 1;
  };
  auto store = store::OpenStore(args.store_uri);
  if (!store.ok()) return fail("cannot open the store", store.status());
  SystemClock clock;
  std::atomic<bool> restore_failed{false};
  // The facts are restored once the server answers (LocalBackend::StartRestore below).
  auto backend = api::LocalBackend::Open(**store, clock, settings->config, settings->topics,
                                         /*restore_now=*/false);
  if (!backend.ok()) return fail("cannot open the store", backend.status());

  std::unique_ptr<ingest::KafkaSource> kafka;
  if (settings->kafka) {
    auto created = ingest::KafkaSource::Create(**store, clock, *settings->kafka);
    if (!created.ok()) {
      std::fprintf(stderr, "naap serve: --kafka: %s\n", created.status().message().c_str());
      return created.status().code() == StatusCode::kInvalidArgument ? 2 : 1;
    }
    kafka = std::move(created).value();
    (*backend)->SetSourceStatusProbe("kafka", [&kafka,
                                               &settings](const api::SourceStatus& accumulated) {
      return KafkaSourceStatuses(*kafka, settings->kafka->topics, settings->topics, accumulated);
    });
  }

  LiveProgress sim_progress, kafka_progress;
  metrics::Registry registry;
  metrics::AddProcessCollector(registry);
  RegisterPipelineMetrics(registry, **backend, clock,
                          {.sim = settings->sim_rate ? &sim_progress : nullptr,
                           .kafka_batches = kafka ? &kafka_progress : nullptr,
                           .kafka = kafka.get()});
  api::Api api(api::AllRoutes(registry), **backend, registry);

  auto server = api::HttpServer::Start(
      settings->server, [&api](const api::HttpRequest& request) { return api.Handle(request); },
      [&api](const api::HttpRequest& partial, int status, std::string_view detail) {
        return api.Reject(partial, status, detail);
      });
  if (!server.ok()) return fail("cannot serve", server.status());
  (*backend)->StartRestore([&restore_failed](const Status& st) {
    std::fprintf(stderr, "naap serve: cannot restore the analytics state: %s\n",
                 st.ToString().c_str());
    restore_failed = true;
    kill(getpid(), SIGTERM);
  });

  std::atomic<bool> ingest_failed{false}, stopping{false};
  std::unique_ptr<sim::LiveSource> sim;
  std::thread sim_thread, kafka_thread;
  if (settings->sim_rate) {
    auto created = sim::LiveSource::Create(clock, {.events_per_s = *settings->sim_rate});
    if (!created.ok()) return fail("cannot start the simulator", created.status());
    sim = std::move(created).value();
    sim_thread = std::thread([&] {
      RunLiveIngest(*sim, **backend, clock, sim_progress, "sim", "simulator", stopping,
                    ingest_failed);
    });
  }
  if (kafka) {
    kafka_thread = std::thread([&] {
      RunLiveIngest(*kafka, **backend, clock, kafka_progress, "kafka", "kafka", stopping,
                    ingest_failed);
    });
  }

  const std::string base =
      "http://" + UrlHost(settings->server.host) + ":" + std::to_string((*server)->port());
  std::printf("API     %s/v1/dashboard/kpi\ndocs    %s/docs\nmetrics %s/metrics\n", base.c_str(),
              base.c_str(), base.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "naap serve: listening on %s:%u, store %s%s%s%s%s\n",
               settings->server.host.c_str(), (*server)->port(), args.store_uri.c_str(),
               args.source.empty() ? "" : ", source ", args.source.c_str(),
               args.kafka.empty() ? "" : ", kafka ", args.kafka.c_str());

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::fprintf(stderr, "naap serve: stopping\n");
  (*server)->Stop();
  stopping = true;
  (*backend)->CancelRestore();  // the live sources may wait for it
  // The batch in progress is committed before IngestSource returns.
  if (sim) {
    sim->Stop();
    sim_thread.join();
  }
  if (kafka) {
    kafka->Stop();
    kafka_thread.join();
    kafka.reset();  // leaves the consumer group
  }
  return ingest_failed || restore_failed ? 1 : 0;
}

}  // namespace

void AddServeCommand(CLI::App& app, int& exit_code) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd =
      app.add_subcommand("serve", "Serve the HTTP API (optionally fed by the simulator and Kafka)");
  auto add = [cmd](const char* flag, auto& value, const char* env, const char* help) {
    cmd->add_option(flag, value, help)->envname(env)->capture_default_str();
  };
  add("--store", args->store_uri, "NAAP_STORE", "store URI: sqlite:PATH or memory:");
  add("--listen", args->listen, "NAAP_LISTEN",
      "HTTP listen address HOST:PORT (port 0: any free port)");
  add("--source", args->source, "NAAP_SOURCE",
      "live input: sim or sim:EVENTS_PER_S (default rate 100)");
  add("--admin-token-file", args->admin_token_file, "NAAP_ADMIN_TOKEN_FILE",
      "file holding the admin bearer token (else env NAAP_ADMIN_TOKEN; none: admin API disabled)");
  add("--threads", args->threads, "NAAP_THREADS", "HTTP worker threads");
  add("--cors-allow-origins", args->cors_allow_origins, "NAAP_CORS_ALLOW_ORIGINS",
      "comma list of allowed origins, * for any, empty to disable CORS");
  add("--rate-limit-rps", args->rate_limit_rps, "NAAP_RATE_LIMIT_RPS",
      "requests per second per client (0 disables)");
  add("--rate-limit-burst", args->rate_limit_burst, "NAAP_RATE_LIMIT_BURST",
      "rate limit bucket size");
  add("--trusted-proxies", args->trusted_proxies, "NAAP_TRUSTED_PROXIES",
      "comma list of proxy CIDRs trusted for X-Forwarded-For");
  add("--cache-max-age", args->cache_max_age, "NAAP_CACHE_MAX_AGE",
      "Cache-Control max-age of data responses");
  add("--query-timeout", args->query_timeout, "NAAP_QUERY_TIMEOUT", "store query deadline");
  add("--admin-max-body", args->admin_max_body, "NAAP_ADMIN_MAX_BODY",
      "largest POST /v1/admin/events body (B, KiB, MiB, GiB)");
  add("--raw-retention", args->raw_retention, "NAAP_RAW_RETENTION",
      "raw log retention, also the widest window");
  add("--serving-retention", args->serving_retention, "NAAP_SERVING_RETENTION",
      "serving tables' retention, ≥ --raw-retention (default: the store's last, else 90d)");
  add("--ready-max-ingest-lag", args->ready_max_ingest_lag, "NAAP_READY_MAX_INGEST_LAG",
      "readiness: largest live ingest lag");
  add("--ready-max-publish-lag", args->ready_max_publish_lag, "NAAP_READY_MAX_PUBLISH_LAG",
      "readiness: oldest dirty slice age");
  add("--leaderboard-min-streams", args->leaderboard_min_streams, "NAAP_LEADERBOARD_MIN_STREAMS",
      "streams an orchestrator needs to be ranked");
  add("--leaderboard-weights", args->leaderboard_weights, "NAAP_LEADERBOARD_WEIGHTS",
      "four comma-separated leaderboard weights");
  add("--kafka", args->kafka, "NAAP_KAFKA",
      "consume Kafka: bootstrap servers HOST:PORT, comma-separated");
  add("--topics", args->topics, "NAAP_TOPICS", "Kafka topics to consume, comma-separated");
  add("--group", args->group, "NAAP_GROUP", "Kafka consumer group");
  add("--topic-org", args->topic_org, "NAAP_TOPIC_ORG",
      "TOPIC=ORG, repeatable: the org of a topic (defaults: network_events=daydream, "
      "streaming_events=cloudspe)");
  add("--kafka-start", args->kafka_start, "NAAP_KAFKA_START",
      "where a partition without a stored position starts: earliest or latest");
  add("--kafka-config", args->kafka_config, "NAAP_KAFKA_CONFIG",
      "KEY=VALUE, repeatable: librdkafka property (SASL, TLS, ...)");
  cmd->callback([args, &exit_code] { exit_code = RunServe(*args); });
}

}  // namespace naap::cli
