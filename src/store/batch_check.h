#pragma once
// Shape checks every backend runs before it writes an IngestBatch, so that a malformed batch is
// refused whole (kInvalidArgument) and nothing of it is stored:
//   - a raw block's hour is a UTC hour start and hour <= min_ts <= max_ts < hour + 1 h,
//     with at least one entry;
//   - a counter row's hour and ingest_hour are UTC hour starts;
//   - a slice names its table, its hour is a UTC hour start, and its sha256_hex is the SHA-256 of
//     its rows ("" with empty rows); a deleted range names its table and from_hour <= to_hour.
#include "base/status.h"
#include "store/store.h"

namespace naap::store {

Status CheckBatch(const IngestBatch& batch);

}  // namespace naap::store
