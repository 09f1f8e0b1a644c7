#pragma once
// Test double: a PublishContext over a FactsView, holding the slices a test puts ("" otherwise).
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "base/time.h"
#include "publish/table.h"
#include "resolve/facts_view.h"

namespace naap::publish::testing {

class FakeContext : public PublishContext {
 public:
  explicit FakeContext(const resolve::FactsView& facts) : facts_(facts) {}
  const resolve::FactsView& facts() const override { return facts_; }
  std::string Slice(std::string_view table, std::string_view org, Millis hour) const override {
    const auto it = slices_.find({std::string(table), std::string(org), hour});
    return it == slices_.end() ? "" : it->second;
  }
  // Keeps nothing: every call builds (the facts of a test can change between builds).
  const std::string& Memo(std::string_view kind, std::string_view org, Millis hour,
                          const std::function<std::string()>& build) const override {
    return memo_[{std::string(kind), std::string(org), hour}] = build();
  }
  void Put(std::string table, std::string org, Millis hour, std::string bytes) {
    slices_[{std::move(table), std::move(org), hour}] = std::move(bytes);
  }

 private:
  const resolve::FactsView& facts_;
  std::map<std::tuple<std::string, std::string, Millis>, std::string> slices_;
  mutable std::map<std::tuple<std::string, std::string, Millis>, std::string> memo_;
};

}  // namespace naap::publish::testing
