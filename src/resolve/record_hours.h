#pragma once
// The UTC hours an entity's records fall in, so that reloading a settled entity reads the raw log
// of those hours only: the hours from its first record's to its last record's, less the gaps
// between. An entity whose records are in consecutive hours (almost every one) has no gap and
// allocates nothing; one whose key recurs days apart (two payment sessions with the same id) keeps
// the gap instead of reading every hour in between.
#include <limits>
#include <memory>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/time.h"

namespace naap::resolve {

class RecordHours {
 public:
  // Hour-start ranges [first, last], disjoint, ascending, not adjacent.
  using Ranges = std::vector<std::pair<Millis, Millis>>;

  void Add(Millis event_ts);
  bool empty() const { return min_ts_ > max_ts_; }
  Millis min_ts() const { return min_ts_; }  // of every record added; only when !empty()
  Millis max_ts() const { return max_ts_; }
  // The hours that hold a record.
  Ranges HourRanges() const;
  // For the resolver's checkpoint: Decode(Encode()) gives an equal RecordHours; false on bad bytes.
  void Encode(ByteWriter& w) const;
  bool Decode(ByteReader& r);

 private:
  Millis min_ts_ = kNoTime;
  Millis max_ts_ = -kNoTime;
  // Hours without a record strictly between the first and the last hour; null when none (a
  // pointer, so that the many entities without a gap pay 8 bytes).
  std::unique_ptr<Ranges> gaps_;

  static constexpr Millis kNoTime = std::numeric_limits<Millis>::max();
};

}  // namespace naap::resolve
