#pragma once
// Shape checks every backend runs before it writes an IngestBatch, so that a malformed batch is
// refused whole (kInvalidArgument) and nothing of it is stored:
//   - a raw block's hour is a UTC hour start and hour <= min_ts <= max_ts < hour + 1 h,
//     with at least one entry;
//   - a counter row's hour is a UTC hour start.
#include "base/status.h"
#include "store/store.h"

namespace naap::store {

Status CheckBatch(const IngestBatch& batch);

}  // namespace naap::store
