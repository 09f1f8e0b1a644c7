#include "publish/analytics.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/build_id.h"
#include "base/bytes.h"
#include "base/hash.h"
#include "ingest/raw_log.h"
#include "publish/message_chunks.h"
#include "publish/tables_inventory.h"
#include "publish/tables_quality.h"
#include "publish/tables_requests.h"
#include "publish/tables_streaming.h"
#include "resolve/payments.h"

namespace naap::publish {
namespace {

// A raw-log entry as the decoder takes it: with its stored org and ingest time.
event::DecodeInput InputOf(const ingest::RawEntry& entry) {
  event::DecodeInput input;
  input.bytes = entry.envelope;
  input.org_override = entry.org;
  input.ingest_ms = entry.ingest_ms;
  return input;
}

// Whether a replay applies a raw-log entry: it reaches facts (RawEntry::ReachesFacts) and its
// hour was not cut from its org's facts by a retention sweep (`cuts`: org → first hour kept). The
// store's sweep removes those hours, but not when a later run had a longer horizon than the sweep
// (or crashed between the two).
bool Replays(const ingest::RawEntry& entry, bool reclassify,
             const std::map<std::string, Millis>& cuts) {
  if (!entry.ReachesFacts(reclassify)) return false;
  if (cuts.empty()) return true;
  const auto cut = cuts.find(std::string(entry.org));
  return cut == cuts.end() || entry.event_ts >= cut->second;
}

// Pushes every accepted message of the raw-log hours, hour by hour, until the taking side stops.
// Each hour's blocks are copied out of the store before they are decoded, so the store is free
// while a Push waits (the taking side's reloads read it too). Only the entries Replays() are
// decoded: unless `reclassify`, those ingest classified as ignored are skipped undecoded (this
// decoder classifies them so again).
Status DecodeRawLogHours(store::Store& store, const event::DecoderOptions& options,
                         const std::vector<Millis>& hours, bool reclassify,
                         const std::map<std::string, Millis>& cuts, MessageChunks& chunks) {
  event::Decoder decoder(options);
  ingest::RawBlockEntries entries;
  for (const Millis hour : hours) {
    std::vector<store::RawBlock> blocks;
    NAAP_RETURN_IF_ERROR(store.ScanRawBlocks(hour, hour, [&](const store::RawBlock& block) {
      blocks.push_back(block);
      return Status::Ok();
    }));
    MessageChunk chunk;
    chunk.messages.reserve(MessageChunks::kChunkSize);
    for (const store::RawBlock& block : blocks) {
      NAAP_RETURN_IF_ERROR(ingest::DecodeRawBlock(block, entries));
      for (const ingest::RawEntry& entry : entries.entries) {
        if (!Replays(entry, reclassify, cuts)) continue;
        if (decoder.Decode(InputOf(entry)).cls != event::MessageClass::kAccepted) continue;
        // The envelope points into the entry, and the resolver does not read it.
        chunk.messages.push_back(decoder.TakeResult());
        chunk.messages.back()->envelope = {};
        if (chunk.messages.size() == MessageChunks::kChunkSize) {
          if (!chunks.Push(std::exchange(chunk, {}))) return Status::Ok();
          chunk.messages.reserve(MessageChunks::kChunkSize);
        }
      }
    }
    chunk.ends_hour = true;
    if (!chunks.Push(std::move(chunk))) return Status::Ok();
  }
  return Status::Ok();
}

// Block P of the demand tables: the hour's linked payments with their session's dimensions.
class ResolverLinkedPayments final : public LinkedPayments {
 public:
  explicit ResolverLinkedPayments(const resolve::Resolver& resolver) : resolver_(resolver) {}

  std::vector<LinkedPayment> At(const resolve::FactsView& facts, std::string_view org,
                                Millis hour) const override {
    std::vector<LinkedPayment> linked;
    for (const resolve::PaymentFact* payment : facts.PaymentsAt(org, hour)) {
      if (payment->session_key.empty()) continue;
      const resolve::SessionFact* session = resolver_.FindSession(org, payment->session_key);
      if (session == nullptr) continue;
      linked.push_back({.gateway = session->gateway,
                        .orchestrator_address = session->orchestrator_address,
                        .pipeline_id = session->pipeline_id,
                        .model_id = session->model_id,
                        .gpu_id = session->gpu_id,
                        .face_value_total_wei = payment->face_value_total_wei.value(),
                        .fees_wei = payment->fees_wei.value()});
    }
    return linked;
  }

 private:
  const resolve::Resolver& resolver_;
};

// (org, hour) pairs, as a set or a map: their count, then each org and hour.
template <typename Pairs>
void WriteOrgHours(ByteWriter& w, const Pairs& pairs) {
  w.Varint(pairs.size());
  for (const auto& [org, hour] : pairs) {
    w.String(org);
    w.Int(hour);
  }
}

template <typename Pairs>
bool ReadOrgHours(ByteReader& r, Pairs& out) {
  uint64_t n = 0;
  bool ok = r.Varint(n);
  for (uint64_t i = 0; ok && i < n; ++i) {
    std::string org;
    Millis hour = 0;
    ok = r.String(org) && r.Int(hour);
    if (ok) out.emplace(std::move(org), hour);
  }
  return ok;
}

std::string EncodeSlices(const DirtySlices& slices) {
  std::string out;
  ByteWriter w(out);
  WriteOrgHours(w, slices);
  return out;
}

Result<DirtySlices> DecodeSlices(std::string_view bytes) {
  DirtySlices slices;
  if (bytes.empty()) return slices;
  ByteReader r(bytes);
  if (!ReadOrgHours(r, slices) || !r.done()) {
    return Status(StatusCode::kCorruption, "unreadable record of unpublished slices");
  }
  return slices;
}

// The kRetentionPosition record.
struct RetentionRecord {
  std::map<std::string, Millis> cuts;  // org → first raw-log hour kept
  std::vector<resolve::VersionAnchor> anchors;
  std::optional<Millis> serving_horizon;  // absent from records written before it existed
};

std::string EncodeRetention(const RetentionRecord& record) {
  std::string out;
  ByteWriter w(out);
  WriteOrgHours(w, record.cuts);
  w.Varint(record.anchors.size());
  for (const resolve::VersionAnchor& a : record.anchors) {
    for (const std::string* text : {&a.chain.org, &a.chain.orch_address, &a.chain.orch_uri_norm,
                                    &a.first_event_id, &a.digest}) {
      w.String(*text);
    }
    w.Int(a.valid_from);
    w.Int(a.last_sighting);
  }
  if (record.serving_horizon) w.Int(*record.serving_horizon);
  return out;
}

Result<RetentionRecord> DecodeRetention(std::string_view bytes) {
  RetentionRecord record;
  if (bytes.empty()) return record;
  ByteReader r(bytes);
  uint64_t n = 0;
  bool ok = ReadOrgHours(r, record.cuts) && r.Varint(n);
  for (uint64_t i = 0; ok && i < n; ++i) {
    resolve::VersionAnchor& a = record.anchors.emplace_back();
    for (std::string* text : {&a.chain.org, &a.chain.orch_address, &a.chain.orch_uri_norm,
                              &a.first_event_id, &a.digest}) {
      ok = ok && r.String(*text);
    }
    ok = ok && r.Int(a.valid_from) && r.Int(a.last_sighting);
  }
  if (ok && !r.done()) ok = r.Int(record.serving_horizon.emplace());
  if (!ok || !r.done()) return Status(StatusCode::kCorruption, "unreadable retention record");
  return record;
}

}  // namespace

std::vector<std::unique_ptr<Table>> ServingTables(const resolve::Resolver& resolver) {
  std::vector<std::unique_ptr<Table>> tables =
      StreamingTables(std::make_shared<ResolverLinkedPayments>(resolver));
  for (std::unique_ptr<Table>& table : RequestTables()) tables.push_back(std::move(table));
  for (std::unique_ptr<Table>& table : InventoryTables()) tables.push_back(std::move(table));
  tables.push_back(AttributionQualityTable());
  return tables;
}

std::vector<std::string> ServingTableNames() {
  resolve::Resolver no_facts;
  std::vector<std::string> names;
  for (const auto& table : ServingTables(no_facts)) names.emplace_back(table->name());
  return names;
}

Result<std::vector<TableChecksum>> StoredTableChecksums(store::Store& store,
                                                        const std::vector<std::string>& tables) {
  struct Digest {
    std::string input;
    int64_t slices = 0;
  };
  std::map<std::string, Digest, std::less<>> digests;
  for (const std::string& table : tables) digests[table];
  NAAP_RETURN_IF_ERROR(store.ForEachSliceChecksum(
      [&](std::string_view table, std::string_view org, Millis hour, std::string_view sha256_hex) {
        auto it = digests.find(table);
        if (it == digests.end()) it = digests.emplace(std::string(table), Digest{}).first;
        Digest& digest = it->second;
        digest.input.append(org).append("\n").append(std::to_string(hour)).append("\n");
        digest.input.append(sha256_hex).append("\n");
        ++digest.slices;
      }));
  std::vector<TableChecksum> checksums;
  for (const auto& [table, digest] : digests) {
    checksums.push_back(
        {.table = table, .sha256_hex = Sha256Hex(digest.input), .slices = digest.slices});
  }
  return checksums;
}

Analytics::Analytics(store::Store& store, event::DecoderOptions decoder)
    : store_(store), decoder_options_(std::move(decoder)) {
  ResetEngine();
}

void Analytics::ResetEngine() {
  publisher_.reset();
  resolver_ = std::make_unique<resolve::Resolver>(
      resolve::MatchHorizons{},
      resolve::Eviction{
          .loader = [this](std::string_view org, std::span<const std::string_view> families,
                           Millis from_hour, Millis to_hour, const resolve::MessageFn& fn) {
            return DecodeRawLog(org, families, from_hour, to_hour, fn);
          }});
  publisher_ = std::make_unique<Publisher>(ServingTables(*resolver_), store_);
}

Status Analytics::DecodeRawLog(std::string_view org, std::span<const std::string_view> families,
                               Millis from_hour, Millis to_hour, const resolve::MessageFn& fn) {
  event::Decoder decoder(decoder_options_);
  return ingest::ScanRawLog(
      store_, from_hour, to_hour,
      [&](const ingest::RawEntry& entry) {
        if (!Replays(entry, reclassify_, swept_cuts_) ||
            std::ranges::find(families, entry.family) == families.end()) {
          return Status::Ok();
        }
        const event::Decoded& decoded = decoder.Decode(InputOf(entry));
        if (decoded.cls == event::MessageClass::kAccepted) fn(decoded);
        return Status::Ok();
      },
      org, loader_max_seq_);
}

Result<DirtySlices> Analytics::ReplayRawLog(RestoreControl* control) {
  NAAP_RETURN_IF_ERROR(LoadRetention());
  Result<std::vector<Millis>> hours = store_.RawLogHours();
  NAAP_RETURN_IF_ERROR(hours.status());
  if (control != nullptr) control->hours_total = static_cast<int64_t>(hours->size());
  MessageChunks chunks;
  Status decoded;
  std::thread decoding([&, cuts = swept_cuts_] {
    decoded = DecodeRawLogHours(store_, decoder_options_, *hours, reclassify_, cuts, chunks);
    chunks.Close();
  });
  DirtySlices changed;
  const Status added = [&]() -> Status {
    MessageChunk chunk;
    while (chunks.Pop(chunk)) {
      for (const auto& message : chunk.messages) resolver_->Add(*message);
      if (!chunk.ends_hour) continue;
      changed.merge(resolver_->Resolve());
      NAAP_RETURN_IF_ERROR(resolver_->status());
      if (control != nullptr) ++control->hours_replayed;
      if (control != nullptr && control->cancel) return Unavailable("the restore was cancelled");
    }
    return Status::Ok();
  }();
  chunks.Stop();
  decoding.join();
  NAAP_RETURN_IF_ERROR(added);
  NAAP_RETURN_IF_ERROR(decoded);
  return changed;
}

Status Analytics::LoadUnpublished() {
  Result<std::optional<std::string>> stored = store_.SourcePosition(kUnpublishedSlicesPosition);
  NAAP_RETURN_IF_ERROR(stored.status());
  Result<DirtySlices> slices = DecodeSlices(stored->value_or(""));
  NAAP_RETURN_IF_ERROR(slices.status());
  unpublished_ = std::move(slices.value());
  unpublished_stored_ = !unpublished_.empty();
  return Status::Ok();
}

Status Analytics::LoadRetention() {
  Result<std::optional<std::string>> stored = store_.SourcePosition(kRetentionPosition);
  NAAP_RETURN_IF_ERROR(stored.status());
  Result<RetentionRecord> record = DecodeRetention(stored->value_or(""));
  NAAP_RETURN_IF_ERROR(record.status());
  swept_cuts_ = std::move(record->cuts);
  serving_horizon_ = record->serving_horizon;
  resolver_->SetAnchors(std::move(record->anchors));
  return Status::Ok();
}

void Analytics::RecordUnpublished(store::IngestBatch& batch) {
  if (unpublished_.empty() && !unpublished_stored_) return;
  batch.positions.emplace_back(kUnpublishedSlicesPosition,
                               unpublished_.empty() ? "" : EncodeSlices(unpublished_));
  unpublished_stored_ = !unpublished_.empty();
}

Status Analytics::Restore(RestoreControl* control) {
  NAAP_RETURN_IF_ERROR(LoadUnpublished());
  NAAP_RETURN_IF_ERROR(LoadRetention());
  restore_report_ = {};
  Result<bool> resumed = ResumeFromCheckpoint(control);
  if (!resumed.ok()) {
    if (control != nullptr && control->cancel) return resumed.status();
    restore_report_.why_not = "unreadable (" + resumed.status().ToString() + ")";
    std::fprintf(stderr, "naap: the checkpoint is %s; replaying the whole raw log\n",
                 restore_report_.why_not.c_str());
    ResetEngine();  // ReplayRawLog gives the new resolver its anchors again
  }
  restore_report_.from_checkpoint = resumed.ok() && *resumed;
  checkpoint_current_ = restore_report_.from_checkpoint && restore_report_.tail_blocks == 0;
  if (!restore_report_.from_checkpoint) {
    Result<int64_t> before = store_.LastRawSeq();
    NAAP_RETURN_IF_ERROR(before.status());
    NAAP_RETURN_IF_ERROR(ReplayRawLog(control).status());
    Result<int64_t> after = store_.LastRawSeq();
    NAAP_RETURN_IF_ERROR(after.status());
    known_seq_ = *before;
    foreign_blocks_ = *after != *before;  // committed during the replay: maybe not replayed
  }
  NAAP_RETURN_IF_ERROR(publisher_->LoadStoredChecksums());
  // The stored slices reflect the restored facts, except those a crashed run left unpublished.
  if (unpublished_.empty()) return Status::Ok();
  store::IngestBatch batch;
  NAAP_RETURN_IF_ERROR(ResolveAndPublish(batch, /*defer=*/false));
  return store_.Commit(batch);
}

namespace {

// The first part of every checkpoint: a checkpoint is only read by the build that wrote it, as
// another build may build other facts from the same records (docs/decisions.md).
std::string CheckpointHeader() { return "naap checkpoint 2 build " + BuildId(); }

}  // namespace

Result<bool> Analytics::ResumeFromCheckpoint(RestoreControl* control) {
  // Progress in the replay's unit: the raw log's hours, all of them done once the tail is.
  Result<std::vector<Millis>> hours = store_.RawLogHours();
  NAAP_RETURN_IF_ERROR(hours.status());
  if (control != nullptr) control->hours_total = static_cast<int64_t>(hours->size());
  const std::string header = CheckpointHeader();
  bool header_seen = false, other_build = false;
  Result<std::optional<int64_t>> covers = store_.ReadCheckpoint([&](std::string_view part) {
    if (control != nullptr && control->cancel) return Unavailable("the restore was cancelled");
    if (header_seen) return resolver_->LoadPart(part);
    header_seen = true;
    other_build = part != header;
    return other_build ? Unavailable("another build's checkpoint") : Status::Ok();
  });
  if (other_build) {
    restore_report_.why_not = "written by another build";
    return false;
  }
  NAAP_RETURN_IF_ERROR(covers.status());
  if (!covers->has_value()) return false;
  if (!header_seen) return Corruption("a checkpoint without its header");
  // A sweep after the checkpoint was written forgot facts it still holds.
  for (const auto& [org, cut] : swept_cuts_) resolver_->Prune(org, cut);
  NAAP_RETURN_IF_ERROR(ReplayTail(**covers, control));
  if (control != nullptr) control->hours_replayed = control->hours_total.load();
  return true;
}

Status Analytics::ReplayTail(int64_t covers_seq, RestoreControl* control) {
  constexpr size_t kBlocksPerResolve = 64;
  event::Decoder decoder(decoder_options_);
  ingest::RawBlockEntries entries;
  int64_t cursor = covers_seq;
  for (;;) {
    // Copied out, so that the store is free for the reloads of Resolve().
    std::vector<store::RawBlock> blocks;
    const Status scanned = store_.ScanRawBlocksAfter(cursor, [&](const store::RawBlock& block) {
      blocks.push_back(block);
      return blocks.size() < kBlocksPerResolve ? Status::Ok() : Unavailable("a group read");
    });
    if (!scanned.ok() && blocks.size() < kBlocksPerResolve) return scanned;
    if (blocks.empty()) break;
    for (const store::RawBlock& block : blocks) {
      NAAP_RETURN_IF_ERROR(ingest::DecodeRawBlock(block, entries));
      for (const ingest::RawEntry& entry : entries.entries) {
        if (Replays(entry, reclassify_, swept_cuts_))
          resolver_->Add(decoder.Decode(InputOf(entry)));
      }
    }
    restore_report_.tail_blocks += static_cast<int64_t>(blocks.size());
    cursor = blocks.back().seq;
    loader_max_seq_ = cursor;
    resolver_->Resolve();  // the slices it reports were published, or are in unpublished_
    loader_max_seq_.reset();
    NAAP_RETURN_IF_ERROR(resolver_->status());
    if (control != nullptr && control->cancel) return Unavailable("the restore was cancelled");
  }
  Result<int64_t> last = store_.LastRawSeq();
  NAAP_RETURN_IF_ERROR(last.status());
  known_seq_ = cursor;
  foreign_blocks_ = *last != cursor;
  return Status::Ok();
}

Status Analytics::WriteCheckpoint() {
  if (foreign_blocks_ || checkpoint_current_) return Status::Ok();
  NAAP_RETURN_IF_ERROR(store_.PutCheckpoint(known_seq_, [&](const store::Store::PartWriter& write) {
    NAAP_RETURN_IF_ERROR(write(CheckpointHeader()));
    return resolver_->SaveState([&](std::string part) { return write(part); });
  }));
  checkpoint_current_ = true;
  return Status::Ok();
}

void Analytics::AfterCommit() {
  const auto committed = static_cast<int64_t>(std::exchange(committing_blocks_, 0));
  Result<int64_t> last = store_.LastRawSeq();
  if (!last.ok() || *last != known_seq_ + committed) {
    foreign_blocks_ = true;  // another writer's blocks went in since: never checkpoint again
  } else {
    known_seq_ = *last;
  }
  if (committed > 0) checkpoint_current_ = false;
  const auto now = std::chrono::steady_clock::now();
  if (!std::exchange(run_ended_, false) && now - last_checkpoint_ < kCheckpointEvery) return;
  last_checkpoint_ = now;
  const Status written = WriteCheckpoint();
  if (!written.ok()) {
    std::fprintf(stderr, "naap: checkpoint not written (a restart replays more raw log): %s\n",
                 written.ToString().c_str());
  }
}

Result<PublishStats> Analytics::Rebuild(std::optional<Millis> from, std::optional<Millis> to) {
  const Millis from_hour = from ? DayFloor(*from) : std::numeric_limits<Millis>::min();
  const Millis to_hour = to ? DayFloor(*to) + kDayMs - kHourMs : std::numeric_limits<Millis>::max();
  NAAP_RETURN_IF_ERROR(publisher_->LoadStoredChecksums());
  NAAP_RETURN_IF_ERROR(LoadUnpublished());
  // A logic fix may accept what ingest ignored: the replay and its reloads decode everything.
  reclassify_ = true;
  Result<DirtySlices> replayed = ReplayRawLog();  // reads swept_cuts_ too
  NAAP_RETURN_IF_ERROR(replayed.status());
  // Per org after a sweep: from the first whole day at or after its cut.
  const auto first_hour = [&](const std::string& org) {
    const auto cut = swept_cuts_.find(org);
    if (cut == swept_cuts_.end()) return from_hour;
    return std::max(from_hour, DayFloor(cut->second + kDayMs - kHourMs));  // cuts are hours
  };
  for (const auto& [org, hour] : replayed.value()) {
    if (hour >= first_hour(org) && hour <= to_hour) unpublished_.emplace(org, hour);
  }
  store::IngestBatch batch;
  if (swept_cuts_.empty()) {
    publisher_->DeleteRange(from_hour, to_hour, batch);
  } else {
    std::set<std::string> orgs;
    for (const auto& [org, cut] : swept_cuts_) orgs.insert(org);
    for (std::string& org : resolver_->Orgs()) orgs.insert(std::move(org));
    for (const std::string& org : orgs) {
      if (first_hour(org) <= to_hour) publisher_->DeleteRange(first_hour(org), to_hour, batch, org);
    }
  }
  // Each day's facts are frozen again once its slices are built, so the publication never holds
  // every fact thawed at once.
  NAAP_RETURN_IF_ERROR(
      ResolveAndPublish(batch, /*defer=*/false, [this] { resolver_->Refreeze(); }));
  NAAP_RETURN_IF_ERROR(store_.Commit(batch));
  return publisher_->stats();
}

Result<bool> Analytics::SweepRetention(const ingest::RetentionPolicy& asked, bool always) {
  ingest::RetentionPolicy policy = asked;
  policy.serving = std::max(
      policy.raw_log,
      asked.serving.value_or(serving_horizon_.value_or(ingest::RetentionPolicy::kDefaultServing)));
  // Every org of the raw log: those of the facts, and those whose records were all ignored.
  Result<std::vector<store::RetentionCut>> sweep =
      ingest::RetentionCuts(store_, policy, swept_cuts_);
  NAAP_RETURN_IF_ERROR(sweep.status());
  std::map<std::string, Millis> cuts = swept_cuts_;  // org → the first raw-log hour kept
  for (const store::RetentionCut& cut : *sweep) {
    if (!cut.org.empty()) cuts[cut.org] = cut.raw_before_hour;
  }
  // No cut moved since (a serving cut moves by days; the raw cuts' next move, within the hour,
  // sweeps it too).
  if (cuts.empty() || (cuts == swept_cuts_ && policy.serving == serving_horizon_ && !always)) {
    return false;
  }
  // The anchors are stored before the sweep: after a crash in between, a replay of the unswept
  // raw log finds each anchor's first snapshot itself, and the anchor changes nothing.
  RetentionRecord record{.cuts = cuts, .serving_horizon = policy.serving};
  for (const auto& [org, cut] : cuts) {
    std::ranges::move(resolver_->Anchors(org, cut), std::back_inserter(record.anchors));
  }
  store::IngestBatch batch;
  batch.positions.emplace_back(kRetentionPosition, EncodeRetention(record));
  NAAP_RETURN_IF_ERROR(store_.Commit(batch));
  for (const store::RetentionCut& cut : *sweep) {
    NAAP_RETURN_IF_ERROR(store_.Sweep(cut));
    publisher_->ForgetBefore(cut.org, cut.serving_before_hour);
  }
  for (const auto& [org, cut] : cuts) resolver_->Prune(org, cut);
  swept_cuts_ = std::move(cuts);
  serving_horizon_ = policy.serving;
  return true;
}

Millis Analytics::FactsFrom(const std::string& org) {
  const auto cut = swept_cuts_.find(org);
  return cut == swept_cuts_.end() ? std::numeric_limits<Millis>::min() : cut->second;
}

Status Analytics::OnAccepted(const event::Decoded& decoded) {
  // A pipeline that read FactsFrom before a sweep moved it may still send an older record.
  if (decoded.event_ts < FactsFrom(decoded.org)) return Status::Ok();
  resolver_->Add(decoded);
  checkpoint_current_ = false;
  return Status::Ok();
}

Status Analytics::BeforeCommit(store::IngestBatch& batch) {
  committing_blocks_ = batch.raw_blocks.size();
  return ResolveAndPublish(batch, /*defer=*/false);
}

Status Analytics::BeforeRunCommit(store::IngestBatch& batch, bool run_ends) {
  committing_blocks_ = batch.raw_blocks.size();
  run_ended_ = run_ends;
  return ResolveAndPublish(batch, !run_ends && deferred_commits_ + 1 < kPublishEveryCommits);
}

Status Analytics::ResolveAndPublish(store::IngestBatch& batch, bool defer,
                                    const std::function<void()>& after_each_day) {
  unpublished_.merge(resolver_->Resolve());
  NAAP_RETURN_IF_ERROR(resolver_->status());
  if (defer) {
    ++deferred_commits_;
  } else {
    NAAP_RETURN_IF_ERROR(publisher_->Publish(*resolver_, unpublished_, batch, after_each_day));
    unpublished_.clear();
    deferred_commits_ = 0;
  }
  RecordUnpublished(batch);
  return Status::Ok();
}

}  // namespace naap::publish
