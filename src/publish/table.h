#pragma once
// A serving table (spec/analytics.md §4): its name and how one slice of it is built. A slice is
// the rows of one (org, hour) — for the benchmark, of one cohort date with org "" — encoded by the
// table's codec in canonical key order, so equal facts give equal bytes on every run and backend.
// An empty string means the slice has no rows (§0.4: a recomputation with zero rows empties it).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/time.h"
#include "resolve/facts_view.h"

namespace naap::publish {

// What a table may read while building a slice: the facts, and slices of tables published
// before it in the same cycle or stored earlier (the SLA table reads benchmark days).
class PublishContext {
 public:
  virtual ~PublishContext() = default;
  virtual const resolve::FactsView& facts() const = 0;
  // The current rows of (table, org, hour): "" when none.
  virtual std::string Slice(std::string_view table, std::string_view org, Millis hour) const = 0;
};

class Table {
 public:
  virtual ~Table() = default;
  virtual std::string_view name() const = 0;
  // Canonical encoded rows of slice (org, hour); "" when it has no rows.
  virtual std::string BuildSlice(const PublishContext& ctx, std::string_view org, Millis hour) const = 0;
};

}  // namespace naap::publish
