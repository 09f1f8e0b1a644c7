#include "resolve/record_hours.h"

#include <algorithm>

#include "resolve/state_codec.h"

namespace naap::resolve {

void RecordHours::Add(Millis event_ts) {
  const Millis hour = HourFloor(event_ts);
  if (empty()) {
    min_ts_ = max_ts_ = event_ts;
    return;
  }
  const Millis first = HourFloor(min_ts_);
  const Millis last = HourFloor(max_ts_);
  min_ts_ = std::min(min_ts_, event_ts);
  max_ts_ = std::max(max_ts_, event_ts);
  if (hour > last + kHourMs || hour < first - kHourMs) {
    if (!gaps_) gaps_ = std::make_unique<Ranges>();
    if (hour > last) {
      gaps_->emplace_back(last + kHourMs, hour - kHourMs);
    } else {
      gaps_->emplace(gaps_->begin(), hour + kHourMs, first - kHourMs);
    }
    return;
  }
  if (!gaps_) return;
  // The last gap starting at or before `hour`, if `hour` is inside it, loses that hour.
  Ranges& gaps = *gaps_;
  auto gap = std::upper_bound(gaps.begin(), gaps.end(), hour,
                              [](Millis h, const auto& g) { return h < g.first; });
  if (gap == gaps.begin() || hour > std::prev(gap)->second) return;
  --gap;
  const auto [from, to] = *gap;
  if (from == to) {
    gaps.erase(gap);
    if (gaps.empty()) gaps_.reset();
  } else if (hour == from) {
    gap->first += kHourMs;
  } else if (hour == to) {
    gap->second -= kHourMs;
  } else {
    gap->second = hour - kHourMs;
    gaps.emplace(gap + 1, hour + kHourMs, to);
  }
}

RecordHours::Ranges RecordHours::HourRanges() const {
  Ranges ranges;
  if (empty()) return ranges;
  Millis from = HourFloor(min_ts_);
  if (gaps_) {
    for (const auto& [gap_from, gap_to] : *gaps_) {
      ranges.emplace_back(from, gap_from - kHourMs);
      from = gap_to + kHourMs;
    }
  }
  ranges.emplace_back(from, HourFloor(max_ts_));
  return ranges;
}

void RecordHours::Encode(ByteWriter& w) const {
  state_codec::Put(w, min_ts_);
  state_codec::Put(w, max_ts_);
  state_codec::Put(w, gaps_ ? *gaps_ : Ranges{});
}

bool RecordHours::Decode(ByteReader& r) {
  Ranges gaps;
  if (!state_codec::Get(r, min_ts_) || !state_codec::Get(r, max_ts_) ||
      !state_codec::Get(r, gaps)) {
    return false;
  }
  gaps_ = gaps.empty() ? nullptr : std::make_unique<Ranges>(std::move(gaps));
  return true;
}

}  // namespace naap::resolve
