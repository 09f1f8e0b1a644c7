#pragma once
// The raw event log (spec/events.md §3.3, §7.2): every accepted and ignored message, kept in
// zstd-compressed, crc32-checked store::RawBlocks partitioned by (org, UTC hour of event_ts).
// `naap rebuild` replays it through the decoder.
//
// Block payload: zstd frame of [format version byte][entry]*, each entry its fields in
// declaration order (strings varint-length-prefixed, integers zigzag varints). Versions 1 and 2
// also stored the content hash (raw, after provenance); it is a function of the envelope, so
// version 3 derives it instead.
// The crc32 (zlib) covers the compressed payload as stored.
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/hash.h"
#include "base/status.h"
#include "base/time.h"
#include "store/store.h"

struct ZSTD_CCtx_s;
typedef struct ZSTD_CCtx_s ZSTD_CCtx;

namespace naap::ingest {

// One entry of the raw log. The strings are views: into the caller's buffers while
// RawLogWriter::Add runs, into the decoded block while a ScanRawLog callback runs.
struct RawEntry {
  std::string_view org;
  std::string_view event_id;
  std::string_view family;
  std::string_view subtype;
  Millis event_ts = 0;
  std::string_view gateway;
  std::string_view ignore_reason;  // "" for an accepted message
  // An accepted message older than the retention horizon when it was ingested (analytics §7.3):
  // like an ignored one, it reaches no fact, on a replay or rebuild either.
  bool too_old = false;
  std::string_view provenance;  // event::Provenance::ToString()
  Millis ingest_ms = 0;
  std::string_view envelope;  // the envelope bytes as received
  friend bool operator==(const RawEntry&, const RawEntry&) = default;

  // The content hash of spec/events.md §3.3: XXH3-128 of the envelope.
  Key128 content_hash() const { return ContentHash(envelope); }

  // Whether a replay applies the entry to facts: accepted when it was ingested and not too old.
  // `reclassify` (a rebuild: the decoder may have changed since) also takes the ignored ones;
  // too_old is a fact of the arrival, not of the decoder, and holds either way.
  bool ReachesFacts(bool reclassify) const {
    return !too_old && (reclassify || ignore_reason.empty());
  }
};

// Accumulates entries into blocks, one open block per partition. A block is sealed when its
// encoded entries exceed max_block_bytes, so no block grows without bound.
class RawLogWriter {
 public:
  explicit RawLogWriter(size_t max_block_bytes = 4 << 20);
  RawLogWriter(const RawLogWriter&) = delete;  // last_ points into open_
  RawLogWriter& operator=(const RawLogWriter&) = delete;
  void Add(const RawEntry& entry);
  // Every block built since the last Flush (sealed ones first, then the open ones by partition).
  Result<std::vector<store::RawBlock>> Flush();

 private:
  struct OpenBlock {
    std::string plain;  // the version byte, then the encoded entries
    int64_t count = 0;
    Millis min_ts = 0, max_ts = 0;
  };
  Status Seal(const std::string& org, Millis hour, OpenBlock& block);

  size_t max_block_bytes_;
  using OpenBlocks = std::map<std::pair<std::string, Millis>, OpenBlock>;
  OpenBlocks open_;
  OpenBlocks::iterator last_ = open_.end();  // the partition of the last Add, or end()
  std::vector<store::RawBlock> sealed_;
  Status seal_status_;
  std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> zstd_;  // reused across blocks
  std::string scratch_;                                      // compression output buffer
};

// A decoded block: its entries, views into `plain`. Kept across blocks so that decoding the next
// one reuses the buffers.
struct RawBlockEntries {
  std::string plain;  // the decompressed payload at its start (the buffer only grows)
  std::vector<RawEntry> entries;
};

// Verifies the crc (mismatch → Corruption naming the block) and decodes every entry into `out`
// before returning, so a corrupt block yields none.
Status DecodeRawBlock(const store::RawBlock& block, RawBlockEntries& out);

// Calls fn for every entry of the blocks with from_hour <= hour <= to_hour, block by block in the
// store's order (hour, org, commit) and within a block in the order the entries were added, so
// only one decoded block is held at a time (an hour of the raw log can be hundreds of MB decoded).
// Not in event-time order: what reads the log (the resolver, the API's sample scans) does not
// depend on the order within an hour. Stops at the first non-ok Status from the store, a block
// or fn, and returns it. The entry fn gets is valid during the call only. With `org`, the blocks
// of other orgs, and with `max_seq` those committed after that seq, are skipped before they are
// checked or decompressed.
Status ScanRawLog(store::Store& store, Millis from_hour, Millis to_hour,
                  const std::function<Status(const RawEntry&)>& fn,
                  std::optional<std::string_view> org = std::nullopt,
                  std::optional<int64_t> max_seq = std::nullopt);

// Retention (spec §7.2), measured back from each org's data clock.
struct RetentionPolicy {
  Millis raw_log = 90 * kDayMs;    // raw log and typed records, on event_ts
  Millis dedup_min = 90 * kDayMs;  // dedup entries: at least this long after first seen
  Millis rejected = 90 * kDayMs;   // rejected store, on ingest time
  // Serving slices, benchmark days and counter rows (analytics §7.3), never shorter than raw_log.
  // nullopt: the horizon of the store's last sweep (Analytics keeps it), else kDefaultServing.
  std::optional<Millis> serving;
  static constexpr Millis kDefaultServing = 90 * kDayMs;
};

// The cut for one org whose data clock is `data_clock`. Raw blocks go by whole hours: an hour is
// kept while any of it is within the horizon. A dedup entry lives as long as its raw copy.
// Serving slices and counters go by whole UTC days: a day goes once all of it is past the
// serving horizon (a day partly past the raw horizon is frozen whole, never republished).
store::RetentionCut ComputeRetentionCut(std::string_view org, Millis data_clock,
                                        const RetentionPolicy& policy);

// A sweep's cuts (Store::Sweep each): one for every org that holds raw log, from its data clock,
// and one for org "" (rejected messages without an org, no raw log) from the newest of those,
// whose serving cut (the benchmark days, org "") is the oldest org's: a day goes once every org
// has let it go.
// `first_kept` (org → the first raw-log hour an earlier sweep kept) raises an org's raw cut to it:
// a longer horizon than a past sweep's brings nothing back.
Result<std::vector<store::RetentionCut>> RetentionCuts(
    store::Store& store, const RetentionPolicy& policy = {},
    const std::map<std::string, Millis>& first_kept = {});

}  // namespace naap::ingest
