#include "api/local_backend.h"

#include <simdjson.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <utility>

#include "api/local_backend_impl.h"
#include "event/decoded.h"
#include "event/org.h"
#include "ingest/file_source.h"

namespace naap::api {
namespace {

// The message bytes of a body, framed like a file (NDJSON or one JSON array), read back through
// an anonymous in-memory file so the body takes exactly the file path of the pipeline.
class BodyFile {
 public:
  static Result<BodyFile> Create(std::string_view body) {
    int fd = memfd_create("naap-body", MFD_CLOEXEC);
    if (fd < 0) return IoError("memfd_create failed");
    BodyFile file(fd);
    for (size_t done = 0; done < body.size();) {
      ssize_t n = write(fd, body.data() + done, body.size() - done);
      if (n <= 0) return IoError("writing the request body failed");
      done += static_cast<size_t>(n);
    }
    return file;
  }
  BodyFile(BodyFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ~BodyFile() {
    if (fd_ >= 0) close(fd_);
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }
  Result<std::unique_ptr<ingest::FileSource>> Open(std::string_view label) const {
    ingest::FileSourceOptions options;
    options.provenance_source = "http";
    options.path_label = std::string(label);
    return ingest::FileSource::Open({path()}, options);
  }

 private:
  explicit BodyFile(int fd) : fd_(fd) {}
  int fd_;
};

// 1-based number of the first message that is not an export wrapper whose topic maps to an org.
Result<std::optional<int64_t>> FirstLineWithoutOrg(const BodyFile& file) {
  auto source = file.Open("");
  if (!source.ok()) return source.status();
  const event::TopicMap topics = event::TopicMap::Default();
  simdjson::dom::parser parser;
  ingest::Message message;
  while ((*source)->Next(message)) {
    simdjson::dom::element root;
    std::string_view topic;
    bool mapped = !message.broken_tail &&
                  parser.parse(message.bytes.data(), message.bytes.size()).get(root) ==
                      simdjson::SUCCESS &&
                  root["topic"].get(topic) == simdjson::SUCCESS && topics.Resolve(topic);
    if (!mapped) return std::optional<int64_t>(message.provenance.index);
  }
  NAAP_RETURN_IF_ERROR((*source)->status());
  return std::optional<int64_t>();
}

std::vector<std::pair<std::string, int64_t>> AllKeys(const std::vector<std::string_view>& names,
                                                     const std::map<std::string, int64_t>& counts) {
  std::vector<std::pair<std::string, int64_t>> out;
  for (std::string_view name : names) {
    auto it = counts.find(std::string(name));
    out.emplace_back(std::string(name), it == counts.end() ? 0 : it->second);
  }
  return out;
}

}  // namespace

Status LockedSink::OnAccepted(const event::Decoded& decoded) {
  std::unique_lock lock(facts_mu_);
  touched_.emplace(decoded.org, HourFloor(decoded.event_ts));
  newest_event_ = std::max(newest_event_.value_or(decoded.event_ts), decoded.event_ts);
  return analytics_.OnAccepted(decoded);
}

Status LockedSink::BeforeCommit(store::IngestBatch& batch) {
  std::unique_lock lock(facts_mu_);
  return analytics_.BeforeCommit(batch);
}

Status LockedSink::BeforeRunCommit(store::IngestBatch& batch, bool run_ends) {
  std::unique_lock lock(facts_mu_);
  return analytics_.BeforeRunCommit(batch, run_ends);
}

void LockedSink::OnWatermark(Millis watermark) {
  std::unique_lock lock(facts_mu_);
  analytics_.OnWatermark(watermark);
}

// The shared side: AfterCommit changes only the sink's own bookkeeping and reads the facts for the
// checkpoint (Resolver::SaveState is const, and thread-safe beside the readers' const calls), so
// reads of the facts go on while a checkpoint of seconds is written. Writers of the facts run on
// this thread or take the exclusive side.
void LockedSink::AfterCommit() {
  std::shared_lock lock(facts_mu_);
  analytics_.AfterCommit();
}

Millis LockedSink::FactsFrom(const std::string& org) {
  std::shared_lock lock(facts_mu_);
  return analytics_.FactsFrom(org);
}

Status LocalBackend::Impl::Restore(const std::function<void(const Status&)>& failed) {
  Status restored;
  {
    std::unique_lock lock(facts_mu);  // the maintainer already runs
    restored = analytics.Restore(&restore_control);
  }
  if (restored.ok()) {
    ingest::PipelineOptions options;
    options.decoder.topics = topics;
    options.retention = Retention();
    auto opened = ingest::Pipeline::Open(store, clock, std::move(options), &sink);
    if (opened.ok()) {
      pipeline = std::move(opened.value());
    } else {
      restored = opened.status();
    }
  }
  if (!restored.ok() && !restore_control.cancel && failed) failed(restored);
  {
    std::lock_guard lock(status_mu);
    restore_status = restored;
    restore_running = false;
  }
  restore_ended.notify_all();
  Maintain();  // retention applies from the start, not a minute later
  return restored;
}

void LocalBackend::Impl::Maintain() {
  if (!Restored(/*wait=*/false).ok()) return;
  std::unique_lock lock(facts_mu);
  analytics.Refreeze();
  Result<bool> swept = analytics.SweepRetention(Retention());
  if (!swept.ok()) {
    std::fprintf(stderr, "naap: retention sweep: %s\n", swept.status().ToString().c_str());
  } else if (*swept) {
    ++data_version;  // reads cached from the swept raw log are stale
  }
}

Status LocalBackend::Impl::Restored(bool wait) {
  std::unique_lock lock(status_mu);
  if (restore_running && !wait) return Unavailable(std::string(kRestoringFacts));
  restore_ended.wait(lock, [this] { return !restore_running; });
  return restore_status;
}

LocalBackend::LocalBackend(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

LocalBackend::~LocalBackend() {
  CancelRestore();
  if (impl_->restorer.joinable()) impl_->restorer.join();
}

Result<std::unique_ptr<LocalBackend>> LocalBackend::Open(store::Store& store, const Clock& clock,
                                                         ApiConfig config, event::TopicMap topics,
                                                         bool restore_now) {
  auto impl = std::make_unique<Impl>(store, clock, std::move(config), std::move(topics));
  if (restore_now) NAAP_RETURN_IF_ERROR(impl->Restore());
  impl->started_at = clock.NowMs();
  return std::unique_ptr<LocalBackend>(new LocalBackend(std::move(impl)));
}

void LocalBackend::StartRestore(std::function<void(const Status&)> failed) {
  impl_->restorer =
      std::thread([impl = impl_.get(), failed = std::move(failed)] { impl->Restore(failed); });
}

void LocalBackend::CancelRestore() { impl_->restore_control.cancel = true; }

Status LocalBackend::WaitRestored() { return impl_->Restored(/*wait=*/true); }

Result<LocalBackend::IngestCounts> LocalBackend::IngestSource(ingest::Source& source,
                                                              std::string_view source_name,
                                                              std::string_view source_kind,
                                                              std::string_view org_override) {
  NAAP_RETURN_IF_ERROR(impl_->Restored(/*wait=*/true));
  std::lock_guard ingest_lock(impl_->ingest_mu);
  impl_->pipeline->set_org_override(std::string(org_override));
  impl_->sink.ResetRun();
  Status run = impl_->pipeline->Run(source);
  const ingest::RunStats& stats = impl_->pipeline->stats();
  IngestCounts counts{stats.lines, stats.accepted, stats.ignored_total(), stats.rejected_total(),
                      stats.duplicates};
  if (counts.lines > 0 || !run.ok()) ++impl_->data_version;
  {
    std::lock_guard status_lock(impl_->status_mu);
    SourceStatus& status = impl_->sources[std::string(source_name)];
    status.name = std::string(source_name);
    status.kind = std::string(source_kind);
    if (!org_override.empty()) status.org = std::string(org_override);
    status.lines_read += counts.lines;
    if (auto newest = impl_->sink.newest_event()) {
      status.last_event_at = std::max(status.last_event_at.value_or(*newest), *newest);
    }
    status.live = source_kind == "simulator" || source_kind == "kafka";
    if (status.live) status.lag_seconds = 0;  // the run drained everything the source had
    IngestCounts& total = impl_->totals;
    total.lines += counts.lines;
    total.accepted += counts.accepted;
    total.ignored += counts.ignored;
    total.rejected += counts.rejected;
    total.duplicates += counts.duplicates;
    if (counts.lines > 0) impl_->last_ingested_at = impl_->clock.NowMs();
    if (counts.accepted > 0) impl_->last_publish_at = impl_->clock.NowMs();
  }
  NAAP_RETURN_IF_ERROR(run);
  return counts;
}

Result<LocalBackend::IngestCounts> LocalBackend::IngestFiles(const std::vector<std::string>& paths,
                                                             std::string_view org_override) {
  auto source = ingest::FileSource::Open(paths);
  if (!source.ok()) return source.status();
  return IngestSource(**source, "file", "file", org_override);
}

void LocalBackend::SetSourceStatusProbe(std::string_view source_name, SourceStatusProbe probe) {
  std::lock_guard lock(impl_->status_mu);
  impl_->probes[std::string(source_name)] = std::move(probe);
}

const ApiConfig& LocalBackend::config() const { return impl_->config; }
store::Store& LocalBackend::store() { return impl_->store; }
Millis LocalBackend::NowMs() const { return impl_->clock.NowMs(); }
uint64_t LocalBackend::DataVersion() const { return impl_->data_version.load(); }
ReadCache* LocalBackend::read_cache() { return &impl_->read_cache; }

Result<std::optional<Millis>> LocalBackend::DataClock(std::optional<std::string_view> org) {
  using Clock = std::optional<Millis>;
  const std::string key = "data_clock/" + (org ? "org:" + std::string(*org) : std::string("*"));
  auto clock = impl_->read_cache.GetOrCompute<Clock>(
      key, DataVersion(), [&]() -> Result<std::shared_ptr<const Clock>> {
        Result<Clock> computed = impl_->store.DataClock(org);
        if (!computed.ok()) return computed.status();
        return std::make_shared<const Clock>(*computed);
      });
  if (!clock.ok()) return clock.status();
  return **clock;
}

Status LocalBackend::ReadFacts(const std::function<Status(const resolve::FactsView&)>& fn) {
  NAAP_RETURN_IF_ERROR(impl_->Restored(/*wait=*/false));
  std::shared_lock lock(impl_->facts_mu);
  return fn(impl_->analytics.facts());
}

Result<AdminIngestResult> LocalBackend::IngestBody(std::string_view body,
                                                   std::optional<std::string_view> org,
                                                   std::string_view source) {
  NAAP_RETURN_IF_ERROR(impl_->Restored(/*wait=*/false));
  auto file = BodyFile::Create(body);
  if (!file.ok()) return file.status();
  if (!org) {
    auto line = FirstLineWithoutOrg(*file);
    if (!line.ok()) return line.status();
    if (*line) {
      return InvalidArgument("parameter \"org\" is required: line " + std::to_string(**line) +
                             " has no topic that maps to an org");
    }
  }
  auto messages = file->Open(source);
  if (!messages.ok()) return messages.status();
  auto counts = IngestSource(**messages, std::string(source), "http", org.value_or(""));
  if (!counts.ok()) return counts.status();

  const ingest::RunStats& stats = impl_->pipeline->stats();
  AdminIngestResult result;
  if (org) result.org = std::string(*org);
  result.lines_read = counts->lines;
  result.accepted = counts->accepted;
  result.ignored = counts->ignored;
  result.rejected = counts->rejected;
  result.duplicates = counts->duplicates;
  result.accepted_by_family = AllKeys(event::AcceptedFamilyNames(), stats.accepted_by_family);
  result.ignored_by_reason = AllKeys(event::IgnoreReasonNames(), stats.ignored);
  result.rejected_by_reason = AllKeys(event::RejectReasonNames(), stats.rejected);
  result.first_rejections = stats.first_rejections;
  result.dirty_slices = static_cast<int64_t>(impl_->sink.touched().size());
  return result;
}

PipelineStatus LocalBackend::Pipeline() {
  PipelineStatus status;
  {
    std::lock_guard lock(impl_->status_mu);
    status.started_at = impl_->started_at;
    for (const auto& [name, source] : impl_->sources) {
      if (!impl_->probes.contains(name)) status.sources.push_back(source);
    }
    for (const auto& [name, probe] : impl_->probes) {
      auto accumulated = impl_->sources.find(name);
      SourceStatus base;
      base.name = name;
      for (SourceStatus& entry :
           probe(accumulated != impl_->sources.end() ? accumulated->second : base)) {
        status.sources.push_back(std::move(entry));
      }
    }
    status.lines_read = impl_->totals.lines;
    status.accepted = impl_->totals.accepted;
    status.ignored = impl_->totals.ignored;
    status.rejected = impl_->totals.rejected;
    status.duplicates = impl_->totals.duplicates;
    status.last_publish_at = impl_->last_publish_at;
    status.last_ingested_at = impl_->last_ingested_at;
    status.restoring = impl_->restore_running;
    status.restore_hours_replayed = impl_->restore_control.hours_replayed;
    status.restore_hours_total = impl_->restore_control.hours_total;
  }
  // Dirty slices are published within the commit that marks them, so none wait.
  status.dirty_slices = 0;
  auto raw = RawLogSize();
  if (raw.ok()) {
    status.raw_segments = (*raw)->blocks;
    status.raw_bytes = (*raw)->payload_bytes;
    status.raw_oldest_event_at = (*raw)->oldest_event;
  }
  status.rebuild = impl_->rebuild.status();
  return status;
}

Result<std::shared_ptr<const store::RawLogStats>> LocalBackend::RawLogSize() {
  // The raw log's size changes only with the data: read once per data version.
  return impl_->read_cache.GetOrCompute<store::RawLogStats>(
      "raw_log_size", DataVersion(), [&]() -> Result<std::shared_ptr<const store::RawLogStats>> {
        auto size = impl_->store.RawLogSize();
        if (!size.ok()) return size.status();
        return std::make_shared<const store::RawLogStats>(*size);
      });
}

Status LocalBackend::PingStore() { return impl_->store.DataClock("").status(); }

}  // namespace naap::api
