#include "ingest/pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <utility>

#include "base/cpus.h"
#include "base/hash.h"
#include "base/strings.h"

namespace naap::ingest {

using pipeline_internal::kSinkChunk;

namespace {

int64_t Sum(const std::map<std::string, int64_t>& by_reason) {
  return std::accumulate(by_reason.begin(), by_reason.end(), int64_t{0},
                         [](int64_t n, const auto& kv) { return n + kv.second; });
}

// Where a stream's position is stored, keyed by source: a file's line / element index and byte
// offset, a Kafka partition's offset. Other sources keep none ("").
std::string SourcePositionKey(const event::Provenance& p) {
  if (p.source == "file") return "file:" + p.path;
  if (p.source == "kafka") return "kafka:" + p.topic + "/" + std::to_string(p.partition);
  return "";
}

// Messages the sink thread is done with, kept for the decoder to fill again (SinkThread::Send).
constexpr size_t kMaxSpares = 2 * kSinkChunk;

// How many jobs (a chunk of accepted messages, or a batch to commit) may wait for the sink thread:
// about a batch of messages, or two jobs on one CPU (the top of pipeline.h).
size_t SinkQueueJobs(int64_t commit_every) {
  return QueueBound(static_cast<size_t>(std::max<int64_t>(commit_every, 0)) / kSinkChunk + 2,
                    UsableCpus());
}

// A counter key's strings are short names (orgs, families, reasons, notes): their length and
// first and last eight bytes tell them apart, at a fraction of a full hash. Keys that collide
// still compare unequal, so a collision costs only a comparison.
uint64_t NameHash(std::string_view s) {
  uint64_t head = 0, tail = 0;
  if (s.size() >= 8) {
    std::memcpy(&head, s.data(), 8);
    std::memcpy(&tail, s.data() + s.size() - 8, 8);
  } else {
    std::memcpy(&head, s.data(), s.size());
  }
  return (head * 0x9e3779b97f4a7c15ull) ^ ((tail + s.size()) * 0xc2b2ae3d27d4eb4full);
}

constexpr Millis kOnTimeWithinMs = 70 * 60'000;     // after the event's hour starts
constexpr Millis kLateWithinMs = kHourMs + kDayMs;  // 24 h after the event's hour closes

}  // namespace

std::string_view ArrivalClass(Millis event_ts, Millis ingested_at) {
  const Millis since_hour = ingested_at - HourFloor(event_ts);
  if (since_hour <= kOnTimeWithinMs) return "on_time";
  if (since_hour <= kLateWithinMs) return "late";
  return "very_late";
}

// The sink thread: runs jobs in the order they were sent. A job feeds messages to the sink, then,
// when it carries a batch, lets the sink add its rows and commits the batch. Finished jobs are
// freed by the sending thread (on its next Send), which has time to spare. After the first
// failure later jobs are dropped and every call reports the failure.
class Pipeline::SinkThread {
 public:
  SinkThread(store::Store& store, RecordSink* sink, size_t max_jobs)
      : store_(store), sink_(sink), max_jobs_(max_jobs), thread_([this] { Loop(); }) {}

  // Drops the jobs not yet run (only a failed Run() leaves any).
  ~SinkThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  // Queues a job, waiting while max_jobs are queued; `run_ends` marks the run's last batch. Moves
  // the messages of the jobs that ran since into `spares` (up to kMaxSpares), for the decoder to
  // fill again: what they allocated is reused or freed on the thread that allocated it.
  Status Send(Messages messages, std::optional<store::IngestBatch> batch, bool run_ends,
              Millis watermark, Messages& spares) {
    std::deque<Job> finished;
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return jobs_.size() < max_jobs_ || !status_.ok(); });
    if (!status_.ok()) return status_;
    jobs_.push_back({std::move(messages), std::move(batch), run_ends, watermark});
    finished.swap(finished_);
    changed_.notify_all();
    lock.unlock();
    for (Job& job : finished) {
      for (std::unique_ptr<event::Decoded>& message : job.messages) {
        if (spares.size() == kMaxSpares) return Status::Ok();
        spares.push_back(std::move(message));
      }
    }
    return Status::Ok();  // the rest of `finished` is freed here, outside the lock
  }

  // Waits until every queued job has run.
  Status Drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return (jobs_.empty() && !running_) || !status_.ok(); });
    return status_;
  }

 private:
  struct Job {
    Messages messages;
    std::optional<store::IngestBatch> batch;
    bool run_ends = false;  // the batch is the run's last
    Millis watermark = 0;   // with a batch: the pipeline's watermark at its commit
  };

  void Loop() {
    std::unique_lock lock(mutex_);
    while (true) {
      changed_.wait(lock, [&] { return stopping_ || (!jobs_.empty() && status_.ok()); });
      if (stopping_) return;
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      running_ = true;
      changed_.notify_all();
      lock.unlock();
      Status st = Run(job);
      lock.lock();
      finished_.push_back(std::move(job));
      running_ = false;
      if (!st.ok()) status_ = std::move(st);
      changed_.notify_all();
    }
  }

  Status Run(Job& job) {
    if (sink_ != nullptr) {
      for (const std::unique_ptr<event::Decoded>& decoded : job.messages) {
        NAAP_RETURN_IF_ERROR(sink_->OnAccepted(*decoded));
      }
    }
    if (!job.batch) return Status::Ok();
    if (sink_ == nullptr) return job.batch->empty() ? Status::Ok() : store_.Commit(*job.batch);
    sink_->OnWatermark(job.watermark);
    NAAP_RETURN_IF_ERROR(sink_->BeforeRunCommit(*job.batch, job.run_ends));
    if (!job.batch->empty()) NAAP_RETURN_IF_ERROR(store_.Commit(*job.batch));
    sink_->AfterCommit();
    return Status::Ok();
  }

  store::Store& store_;
  RecordSink* const sink_;
  const size_t max_jobs_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  std::deque<Job> finished_;
  bool running_ = false;
  bool stopping_ = false;
  Status status_;
  std::thread thread_;  // last: starts once the members above exist
};

int64_t RunStats::ignored_total() const { return Sum(ignored); }
int64_t RunStats::rejected_total() const { return Sum(rejected); }

Result<std::unique_ptr<Pipeline>> Pipeline::Open(store::Store& store, const Clock& clock,
                                                 PipelineOptions options, RecordSink* sink) {
  auto index = DedupIndex::Load(store);
  if (!index.ok()) return index.status();
  return std::unique_ptr<Pipeline>(
      new Pipeline(store, clock, std::move(options), sink, std::move(index.value())));
}

Pipeline::Pipeline(store::Store& store, const Clock& clock, PipelineOptions options,
                   RecordSink* sink, DedupIndex index)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      sink_(sink),
      decoder_(options_.decoder),
      dedup_(std::move(index)),
      sink_thread_(
          std::make_unique<SinkThread>(store, sink, SinkQueueJobs(options_.commit_every))) {}

Pipeline::~Pipeline() = default;

Status Pipeline::Run(Source& source, const std::function<void(const RunStats&)>& progress) {
  stats_ = RunStats{};
  Status decoded = [&]() -> Status {
    Message message;
    while (source.Next(message)) {
      NAAP_RETURN_IF_ERROR(Process(message));
      if (pending_ >= options_.commit_every) {
        NAAP_RETURN_IF_ERROR(Commit(source, /*run_ends=*/false));
      }
      if (progress && stats_.lines % 1024 == 0) progress(stats_);
    }
    return Commit(source, /*run_ends=*/true);
  }();
  // Also after a failure, so that the caller finds the store idle.
  Status committed = sink_thread_->Drain();
  NAAP_RETURN_IF_ERROR(decoded);
  NAAP_RETURN_IF_ERROR(committed);
  if (progress) progress(stats_);
  return source.status();
}

Status Pipeline::Process(const Message& message) {
  Millis ingest_ms = clock_.NowMs();
  event::DecodeInput input;
  input.bytes = message.bytes;
  input.kafka_topic = message.kafka_topic;
  input.org_override = options_.org_override;
  input.broken_tail = message.broken_tail;
  input.ingest_ms = ingest_ms;
  input.header_read = &prefetch_key_;
  const event::Decoded& decoded = decoder_.Decode(input);

  const std::string& org = decoded.org;
  const CountSlot slot{org, decoded.AccountingHour(ingest_ms), HourFloor(ingest_ms)};
  ++stats_.lines;
  ++pending_;
  Stream& stream = StreamOf(message.provenance, ingest_ms);
  if (!stream.position_key.empty()) {
    const event::Provenance& p = message.provenance;
    stream.position = {p.offset, p.index, p.byte_offset};
    stream.moved = true;
  }

  bool rejected = decoded.cls == event::MessageClass::kRejected;
  bool to_sink = false;
  Sha256Digest bytes_sha{};
  if (rejected) bytes_sha = Sha256(message.bytes);
  Millis event_ms = rejected ? ingest_ms : decoded.event_ts;
  if (!AdmitKeys(decoded, org, rejected ? &bytes_sha : nullptr, event_ms, ingest_ms)) {
    ++stats_.duplicates;
    Count(slot, "duplicate", rejected ? "" : decoded.family, "");
    return Status::Ok();
  }

  if (rejected) {
    ++stats_.rejected[decoded.reason];
    if (stats_.first_rejections.size() < RunStats::kMaxFirstRejections) {
      stats_.first_rejections.emplace_back(message.provenance.index, decoded.reason);
    }
    Count(slot, "rejected", "", decoded.reason);
    KeepRejected(decoded, message, bytes_sha, ingest_ms);
  } else {
    Result<OrgHorizon*> horizon = HorizonOf(org);
    if (!horizon.ok()) return horizon.status();
    OrgHorizon& h = **horizon;
    bool too_old = false;
    if (decoded.cls == event::MessageClass::kIgnored) {
      ++stats_.ignored[decoded.reason];
      Count(slot, "ignored", decoded.family, decoded.reason);
    } else {
      ++stats_.accepted;
      ++stats_.accepted_by_family[decoded.family];
      Count(slot, "accepted", decoded.family, decoded.subtype);
      Count(slot, "arrival", decoded.family, ArrivalClass(decoded.event_ts, ingest_ms));
      too_old = decoded.event_ts < h.facts_from ||
                (h.clock && decoded.event_ts < *h.clock - options_.retention.raw_log);
      if (too_old) {
        Count(slot, "check", decoded.family, "too_old");
      } else {
        to_sink = sink_ != nullptr;
      }
      stream.newest_event = std::max(stream.newest_event.value_or(decoded.event_ts),
                                     decoded.event_ts);
    }
    KeepRaw(decoded, message, ingest_ms, too_old);
    h.clock = std::max(h.clock.value_or(decoded.event_ts), decoded.event_ts);
  }
  for (const event::Note& note : decoded.notes) {
    Count(slot, "note", decoded.family, note.note);
  }
  if (to_sink) {
    std::unique_ptr<event::Decoded> spare;
    if (!spare_messages_.empty()) {
      spare = std::move(spare_messages_.back());
      spare_messages_.pop_back();
    }
    for_sink_.push_back(decoder_.TakeResult(std::move(spare)));
    for_sink_.back()->envelope = {};  // points into `message`, which the source reuses
    if (for_sink_.size() >= kSinkChunk) return SendToSink();
  }
  return Status::Ok();
}

Status Pipeline::SendToSink() {
  Messages messages;
  messages.reserve(kSinkChunk);
  messages.swap(for_sink_);
  return sink_thread_->Send(std::move(messages), std::nullopt, /*run_ends=*/false, /*watermark=*/0,
                            spare_messages_);
}

Result<Pipeline::OrgHorizon*> Pipeline::HorizonOf(const std::string& org) {
  auto it = horizons_.find(org);
  if (it != horizons_.end()) return &it->second;
  NAAP_RETURN_IF_ERROR(sink_thread_->Drain());  // the sink thread may be using the store
  Result<std::optional<Millis>> stored = store_.DataClock(org);
  if (!stored.ok()) return stored.status();
  const Millis facts_from =
      sink_ != nullptr ? sink_->FactsFrom(org) : std::numeric_limits<Millis>::min();
  return &horizons_.emplace(org, OrgHorizon{*stored, facts_from}).first->second;
}

bool Pipeline::AdmitKeys(const event::Decoded& decoded, std::string_view org,
                         const Sha256Digest* bytes_sha, Millis event_ms, Millis ingest_ms) {
  Key128 keys[2];
  size_t n = 0;
  if (bytes_sha != nullptr) {
    keys[n++] = RejectedBytesKey(*bytes_sha);
  } else {
    keys[n++] = EventIdKey(decoded.event_id);
    if (!decoded.worker_event_id.empty()) keys[n++] = WorkerKey(decoded.worker_event_id);
  }
  if (n == 1) {
    if (!dedup_.Insert(org, keys[0])) return false;  // one look-up for the usual single key
  } else {
    // A message is new only when all its keys are: none is kept otherwise.
    for (size_t i = 0; i < n; ++i) {
      if (dedup_.Contains(org, keys[i])) return false;
    }
    for (size_t i = 0; i < n; ++i) dedup_.Insert(org, keys[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    batch_.dedup.push_back({std::string(org), keys[i], event_ms, ingest_ms});
  }
  return true;
}

size_t Pipeline::CounterKeyHash::operator()(const CounterView& view) const {
  const auto& [org, hour, ingest_hour, kind, family, key] = view;
  uint64_t h = NameHash(org);
  for (const uint64_t part : {static_cast<uint64_t>(hour), static_cast<uint64_t>(ingest_hour),
                              NameHash(kind), NameHash(family), NameHash(key)}) {
    h = (h ^ (h >> 29)) * 0x9e3779b97f4a7c15ull + part;
  }
  return h ^ (h >> 32);
}

size_t Pipeline::CounterKeyHash::operator()(const CounterKey& key) const {
  const auto& [org, hour, ingest_hour, kind, family, name] = key;
  return (*this)(CounterView(org, hour, ingest_hour, kind, family, name));
}

void Pipeline::Count(const CountSlot& slot, std::string_view kind, std::string_view family,
                     std::string_view key) {
  const CounterView view(slot.org, slot.hour, slot.ingest_hour, kind, family, key);
  auto it = counters_.find(view);
  if (it == counters_.end()) {
    it = counters_.emplace(CounterKey(slot.org, slot.hour, slot.ingest_hour, kind, family, key), 0)
             .first;
  }
  ++it->second;
}

void Pipeline::KeepRaw(const event::Decoded& decoded, const Message& message, Millis ingest_ms,
                       bool too_old) {
  provenance_text_.clear();
  message.provenance.AppendTo(provenance_text_);
  raw_log_.Add({.org = decoded.org,
                .event_id = decoded.event_id,
                .family = decoded.family,
                .subtype = decoded.subtype,
                .event_ts = decoded.event_ts,
                .gateway = decoded.gateway,
                .ignore_reason = decoded.cls == event::MessageClass::kIgnored
                                     ? std::string_view(decoded.reason)
                                     : std::string_view(),
                .too_old = too_old,
                .provenance = provenance_text_,
                .ingest_ms = ingest_ms,
                .envelope = decoded.envelope});
}

void Pipeline::KeepRejected(const event::Decoded& decoded, const Message& message,
                            const Sha256Digest& sha, Millis ingest_ms) {
  store::RejectedRow row;
  row.org = decoded.org;
  row.reason = decoded.reason;
  row.detail = decoded.detail;
  row.provenance = message.provenance.ToString();
  row.ingest_ms = ingest_ms;
  row.total_bytes = std::max<int64_t>(message.full_length, message.bytes.size());
  row.sha256_hex =
      HexEncode(std::string_view(reinterpret_cast<const char*>(sha.data()), sha.size()));
  row.head = std::string(message.bytes.substr(0, options_.rejected_head_bytes));
  batch_.rejected.push_back(std::move(row));
}

Pipeline::Stream& Pipeline::StreamOf(const event::Provenance& p, Millis ingest_ms) {
  const auto same = [&p](const StreamKey& key) {
    return std::get<2>(key) == p.partition && std::get<0>(key) == p.source &&
           std::get<1>(key) == p.topic && std::get<3>(key) == p.path;
  };
  if (last_stream_ == streams_.end() || !same(last_stream_->first)) {
    auto [it, inserted] = streams_.try_emplace({p.source, p.topic, p.partition, p.path});
    if (inserted) {
      it->second.position_key = SourcePositionKey(p);
      it->second.kafka = p.source == "kafka";
    }
    last_stream_ = it;
  }
  last_stream_->second.last_delivery = ingest_ms;
  return last_stream_->second;
}

void Pipeline::AdvanceWatermark(const Source& source) {
  if (source.StreamsPending()) return;
  const Millis active_since = clock_.NowMs() - kStreamIdleMs;
  std::optional<Millis> least;
  for (const auto& [key, stream] : streams_) {
    if (!stream.newest_event || stream.last_delivery < active_since) continue;
    least = std::min(least.value_or(*stream.newest_event), *stream.newest_event);
  }
  if (least) watermark_ = std::max(watermark_, *least);
}

Status Pipeline::Commit(const Source& source, bool run_ends) {
  auto blocks = raw_log_.Flush();
  if (!blocks.ok()) return blocks.status();
  batch_.raw_blocks = std::move(blocks.value());
  for (auto& [key, count] : counters_) {
    auto& [org, hour, ingest_hour, kind, family, name] = key;
    batch_.counters.push_back({org, hour, ingest_hour, kind, family, name, count});
  }
  std::sort(batch_.counters.begin(), batch_.counters.end(), [](const auto& a, const auto& b) {
    return std::tie(a.org, a.hour, a.ingest_hour, a.kind, a.family, a.key) <
           std::tie(b.org, b.hour, b.ingest_hour, b.kind, b.family, b.key);
  });  // in key order, as before the counts were hashed
  for (auto& [key, stream] : streams_) {
    if (!stream.moved) continue;
    const Stream::Position& at = stream.position;
    batch_.positions.emplace_back(
        stream.position_key, stream.kafka
                                 ? std::to_string(at.offset)
                                 : std::to_string(at.index) + ":" + std::to_string(at.byte_offset));
    stream.moved = false;
  }
  AdvanceWatermark(source);
  Messages messages;
  messages.swap(for_sink_);
  Status st = sink_thread_->Send(std::move(messages), std::move(batch_), run_ends, watermark_,
                                 spare_messages_);
  batch_ = store::IngestBatch{};
  counters_.clear();
  pending_ = 0;
  return st;
}

}  // namespace naap::ingest
