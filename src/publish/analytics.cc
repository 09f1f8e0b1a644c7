#include "publish/analytics.h"

#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "base/hash.h"
#include "ingest/raw_log.h"
#include "publish/tables_inventory.h"
#include "publish/tables_quality.h"
#include "publish/tables_requests.h"
#include "publish/tables_streaming.h"
#include "resolve/payments.h"

namespace naap::publish {
namespace {

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
    : store_(store),
      decoder_options_(std::move(decoder)),
      resolver_({}, resolve::Eviction{.loader =
                                          [this](std::string_view org, Millis from_hour,
                                                 Millis to_hour, const resolve::MessageFn& fn) {
                                            return DecodeRawLog(org, from_hour, to_hour, fn);
                                          }}),
      publisher_(ServingTables(resolver_), store) {}

Status Analytics::DecodeRawLog(std::optional<std::string_view> org, Millis from_hour,
                               Millis to_hour, const resolve::MessageFn& fn) {
  event::Decoder decoder(decoder_options_);
  return ingest::ScanRawLog(store_, from_hour, to_hour, [&](const ingest::RawEntry& entry) {
    if (org && entry.org != *org) return Status::Ok();
    event::DecodeInput input;
    input.bytes = entry.envelope;
    input.org_override = entry.org;
    input.ingest_ms = entry.ingest_ms;
    const event::Decoded& decoded = decoder.Decode(input);
    if (decoded.cls == event::MessageClass::kAccepted) fn(decoded);
    return Status::Ok();
  });
}

Result<DirtySlices> Analytics::ReplayRawLog() {
  std::set<Millis> hours;
  NAAP_RETURN_IF_ERROR(store_.ScanRawBlocks(
      std::numeric_limits<Millis>::min(), std::numeric_limits<Millis>::max(),
      [&](const store::RawBlock& block) {
        hours.insert(block.hour);
        return Status::Ok();
      }));
  DirtySlices changed;
  for (const Millis hour : hours) {
    NAAP_RETURN_IF_ERROR(DecodeRawLog(std::nullopt, hour, hour, [&](const event::Decoded& decoded) {
      resolver_.Add(decoded);
    }));
    changed.merge(resolver_.Resolve());
    NAAP_RETURN_IF_ERROR(resolver_.status());
  }
  return changed;
}

Status Analytics::Restore() {
  NAAP_RETURN_IF_ERROR(publisher_.LoadStoredChecksums());
  // The stored slices already reflect the replayed facts: nothing is published.
  return ReplayRawLog().status();
}

Result<PublishStats> Analytics::Rebuild(std::optional<Millis> from, std::optional<Millis> to) {
  const Millis from_hour = from ? DayFloor(*from) : std::numeric_limits<Millis>::min();
  const Millis to_hour = to ? DayFloor(*to) + kDayMs - kHourMs : std::numeric_limits<Millis>::max();
  NAAP_RETURN_IF_ERROR(publisher_.LoadStoredChecksums());
  Result<DirtySlices> replayed = ReplayRawLog();
  NAAP_RETURN_IF_ERROR(replayed.status());
  DirtySlices in_range;
  for (const auto& [org, hour] : replayed.value()) {
    if (hour >= from_hour && hour <= to_hour) in_range.emplace(org, hour);
  }
  store::IngestBatch batch;
  publisher_.DeleteRange(from_hour, to_hour, batch);
  NAAP_RETURN_IF_ERROR(publisher_.Publish(resolver_, in_range, batch));
  NAAP_RETURN_IF_ERROR(store_.Commit(batch));
  return publisher_.stats();
}

Status Analytics::OnAccepted(const event::Decoded& decoded) {
  resolver_.Add(decoded);
  return Status::Ok();
}

Status Analytics::BeforeCommit(store::IngestBatch& batch) {
  const DirtySlices dirty = resolver_.Resolve();
  NAAP_RETURN_IF_ERROR(resolver_.status());
  return publisher_.Publish(resolver_, dirty, batch);
}

}  // namespace naap::publish
