#include "sim/live_source.h"

#include <algorithm>
#include <chrono>
#include <string>

namespace naap::sim {
namespace {

// Config::scale 1 is calibrated to about 5M events a day over both orgs (generator.h).
constexpr double kEventsPerSecondAtScale1 = 5e6 / 86400;
constexpr Millis kHorizonMs = 365 * kDayMs;
// A waiting Next() re-reads the clock at least this often (real time), so an injected clock that
// jumps is noticed.
constexpr auto kMaxWaitSlice = std::chrono::milliseconds(50);

}  // namespace

Result<std::unique_ptr<LiveSource>> LiveSource::Create(const Clock& clock,
                                                       LiveSourceOptions options) {
  if (!(options.events_per_s > 0) || options.events_per_s > kMaxEventsPerSecond) {
    return InvalidArgument("simulator rate must be in (0, 500000] events per second");
  }
  Config config;
  config.start_ms = clock.NowMs();
  config.end_ms = config.start_ms + kHorizonMs;
  config.seed = options.seed != 0 ? options.seed : static_cast<uint64_t>(config.start_ms);
  config.scale = options.events_per_s / kEventsPerSecondAtScale1;
  auto generator = Generator::Create(config);
  if (!generator.ok()) return generator.status();
  return std::unique_ptr<LiveSource>(
      new LiveSource(clock, std::move(options), std::move(generator).value()));
}

LiveSource::LiveSource(const Clock& clock, LiveSourceOptions options,
                       std::unique_ptr<Generator> generator)
    : clock_(clock), options_(std::move(options)), generator_(std::move(generator)) {
  StartBatch();
}

LiveSource::~LiveSource() = default;

void LiveSource::StartBatch() {
  batch_end_ms_ = clock_.NowMs() + options_.batch_ms;
  batch_left_ = options_.batch_messages;
}

void LiveSource::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_requested_ = true;
  }
  wake_.notify_all();
}

bool LiveSource::Next(ingest::Message& out) {
  if (finished_ || batch_left_ <= 0) return false;
  if (!has_pending_) {
    has_pending_ = generator_->Next(pending_);
    if (!has_pending_) {
      finished_ = true;
      return false;
    }
  }
  std::unique_lock lock(mu_);
  for (;;) {
    if (stop_requested_) {
      finished_ = true;
      return false;
    }
    const Millis now = clock_.NowMs();
    if (pending_.event_ts <= now) break;
    if (now >= batch_end_ms_) return false;  // the batch ends while the next message waits
    const Millis wait_ms = std::min(pending_.event_ts, batch_end_ms_) - now;
    wake_.wait_for(lock, std::min<std::chrono::milliseconds>(std::chrono::milliseconds(wait_ms),
                                                             kMaxWaitSlice));
  }
  lock.unlock();

  has_pending_ = false;
  --batch_left_;
  out = ingest::Message{};
  out.bytes = pending_.bytes;
  out.kafka_topic = pending_.topic;
  out.provenance.source = "sim";
  out.provenance.topic = std::string(pending_.topic);
  out.provenance.partition = pending_.partition;
  out.provenance.offset = pending_.offset;
  out.provenance.index = messages_.fetch_add(1) + 1;
  Millis newest = newest_event_ms_.load();
  while (pending_.event_ts > newest &&
         !newest_event_ms_.compare_exchange_weak(newest, pending_.event_ts)) {
  }
  return true;
}

}  // namespace naap::sim
