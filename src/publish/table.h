#pragma once
// A serving table (spec/analytics.md §4): its name and how one slice of it is built. A slice is
// the rows of one (org, hour) — for the benchmark, of one cohort date with org "" — encoded by the
// table's codec in canonical key order, so equal facts give equal bytes on every run and backend.
// An empty string means the slice has no rows (§0.4: a recomputation with zero rows empties it).
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
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
  // Bytes that `build` derives from the facts of (org, hour) alone, kept from one cycle to the
  // next until (org, hour) is dirty; `build` runs when none are kept. `kind` names the derivation.
  virtual const std::string& Memo(std::string_view kind, std::string_view org, Millis hour,
                                  const std::function<std::string()>& build) const = 0;
};

class Table {
 public:
  virtual ~Table() = default;
  virtual std::string_view name() const = 0;
  // Canonical encoded rows of slice (org, hour); "" when it has no rows.
  virtual std::string BuildSlice(const PublishContext& ctx, std::string_view org,
                                 Millis hour) const = 0;
};

// A table whose slices come from one function.
class SliceTable final : public Table {
 public:
  using Build =
      std::function<std::string(const PublishContext& ctx, std::string_view org, Millis hour)>;
  SliceTable(std::string_view name, Build build) : name_(name), build_(std::move(build)) {}
  std::string_view name() const override { return name_; }
  std::string BuildSlice(const PublishContext& ctx, std::string_view org,
                         Millis hour) const override {
    return build_(ctx, org, hour);
  }

 private:
  std::string name_;
  Build build_;
};

// A SliceTable that encodes, with `encode`, the rows `build` makes from the facts of the slice.
template <typename Row>
std::unique_ptr<Table> FactsRowsTable(std::string_view name,
                                      std::vector<Row> (*build)(const resolve::FactsView&,
                                                                std::string_view org, Millis hour),
                                      std::string (*encode)(const std::vector<Row>&)) {
  return std::make_unique<SliceTable>(
      name, [build, encode](const PublishContext& ctx, std::string_view org, Millis hour) {
        return encode(build(ctx.facts(), org, hour));
      });
}

}  // namespace naap::publish
