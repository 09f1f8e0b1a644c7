#include "publish/publisher.h"

#include <limits>
#include <utility>

#include "base/hash.h"
#include "resolve/capability_registry.h"

namespace naap::publish {
namespace {

// The facts of one cycle, with the (org, hour) lookups that several tables repeat answered once:
// the facts do not change while a cycle builds its slices.
class CycleFacts final : public resolve::FactsView {
 public:
  explicit CycleFacts(const resolve::FactsView& facts) : facts_(facts) {}

  std::vector<std::string> Orgs() const override { return facts_.Orgs(); }
  std::vector<const resolve::SessionFact*> SessionsAt(std::string_view org,
                                                      Millis hour) const override {
    return Once(sessions_, org, hour, &FactsView::SessionsAt);
  }
  std::vector<const resolve::PaymentFact*> PaymentsAt(std::string_view org,
                                                      Millis hour) const override {
    return Once(payments_, org, hour, &FactsView::PaymentsAt);
  }
  std::vector<const resolve::AiBatchJobFact*> AiBatchJobsAt(std::string_view org,
                                                            Millis hour) const override {
    return facts_.AiBatchJobsAt(org, hour);
  }
  std::vector<const resolve::ByocJobFact*> ByocJobsAt(std::string_view org,
                                                      Millis hour) const override {
    return facts_.ByocJobsAt(org, hour);
  }
  std::vector<const resolve::WorkerFact*> WorkersAt(std::string_view org,
                                                    Millis hour) const override {
    return facts_.WorkersAt(org, hour);
  }
  std::vector<const resolve::AuthFact*> AuthAt(std::string_view org, Millis hour) const override {
    return facts_.AuthAt(org, hour);
  }
  std::vector<const resolve::ByocPaymentFact*> ByocPaymentsAt(std::string_view org,
                                                              Millis hour) const override {
    return facts_.ByocPaymentsAt(org, hour);
  }
  std::vector<const resolve::DiscoveryFact*> DiscoveryAt(std::string_view org,
                                                         Millis hour) const override {
    return facts_.DiscoveryAt(org, hour);
  }
  std::vector<resolve::ObservedSnapshot> ObservedSnapshotsAt(std::string_view org,
                                                             Millis hour) const override {
    return Once(observed_, org, hour, &FactsView::ObservedSnapshotsAt);
  }

  // Drops the answers kept so far (their pointers may not outlive the facts' next freeze).
  void Forget() {
    sessions_.clear();
    payments_.clear();
    observed_.clear();
  }

 private:
  template <typename T>
  using Cache = std::map<std::pair<std::string, Millis>, std::vector<T>>;

  template <typename T>
  std::vector<T> Once(Cache<T>& cache, std::string_view org, Millis hour,
                      std::vector<T> (FactsView::*lookup)(std::string_view, Millis) const) const {
    std::pair<std::string, Millis> key(org, hour);
    auto it = cache.find(key);
    if (it == cache.end()) it = cache.emplace(std::move(key), (facts_.*lookup)(org, hour)).first;
    return it->second;
  }

  const resolve::FactsView& facts_;
  mutable Cache<const resolve::SessionFact*> sessions_;
  mutable Cache<const resolve::PaymentFact*> payments_;
  mutable Cache<resolve::ObservedSnapshot> observed_;
};

}  // namespace

// The PublishContext of one cycle: the facts, the slices built so far, and stored slices read on
// demand (once each). A failed store read makes Slice() return "" and is reported by status().
class Publisher::Cycle final : public PublishContext {
 public:
  Cycle(const resolve::FactsView& facts, store::Store& store,
        const std::map<SliceKey, std::string>& stored_sha256, Memos& memo)
      : facts_(facts), store_(store), stored_sha256_(stored_sha256), memo_(memo) {}

  const resolve::FactsView& facts() const override { return facts_; }

  std::string Slice(std::string_view table, std::string_view org, Millis hour) const override {
    SliceKey key{std::string(table), std::string(org), hour};
    if (auto it = rows_.find(key); it != rows_.end()) return it->second;
    std::string rows;
    if (stored_sha256_.contains(key)) {
      Result<std::optional<store::Slice>> stored = store_.GetSlice(table, org, hour);
      if (!stored.ok()) {
        if (status_.ok()) status_ = stored.status();
        return "";
      }
      if (stored->has_value()) rows = std::move((*stored)->rows);
    }
    rows_.emplace(std::move(key), rows);
    return rows;
  }

  const std::string& Memo(std::string_view kind, std::string_view org, Millis hour,
                          const std::function<std::string()>& build) const override {
    std::tuple<std::string, Millis, std::string> key(org, hour, kind);
    auto it = memo_.find(key);
    if (it == memo_.end()) it = memo_.emplace(std::move(key), build()).first;
    return it->second;
  }

  void Built(SliceKey key, std::string rows) { rows_[std::move(key)] = std::move(rows); }
  void ForgetFacts() { facts_.Forget(); }
  const Status& status() const { return status_; }

 private:
  CycleFacts facts_;
  store::Store& store_;
  const std::map<SliceKey, std::string>& stored_sha256_;
  Memos& memo_;
  mutable std::map<SliceKey, std::string> rows_;
  mutable Status status_;
};

Publisher::Publisher(std::vector<std::unique_ptr<Table>> tables, store::Store& store,
                     PublisherOptions options)
    : tables_(std::move(tables)), store_(store), options_(std::move(options)) {}

Status Publisher::LoadStoredChecksums() {
  stored_sha256_.clear();
  return store_.ForEachSliceChecksum(
      [&](std::string_view table, std::string_view org, Millis hour, std::string_view sha256_hex) {
        stored_sha256_.emplace(SliceKey{std::string(table), std::string(org), hour},
                               std::string(sha256_hex));
      });
}

void Publisher::DeleteRange(Millis from_hour, Millis to_hour, store::IngestBatch& batch,
                            const std::optional<std::string>& org) {
  for (const auto& table : tables_) {
    batch.deleted_slice_ranges.push_back({.table = std::string(table->name()),
                                          .from_hour = from_hour,
                                          .to_hour = to_hour,
                                          .org = org});
  }
  Forget(from_hour, to_hour, org);
}

void Publisher::ForgetBefore(const std::string& org, Millis before_hour) {
  Forget(std::numeric_limits<Millis>::min(), before_hour - 1, org);
}

void Publisher::Forget(Millis from_hour, Millis to_hour, const std::optional<std::string>& org) {
  const auto in_range = [&](std::string_view slice_org, Millis hour) {
    return hour >= from_hour && hour <= to_hour && (!org || slice_org == *org);
  };
  std::erase_if(stored_sha256_, [&](const auto& item) {
    return in_range(std::get<1>(item.first), std::get<2>(item.first));
  });
  std::erase_if(memo_, [&](const auto& item) {
    return in_range(std::get<0>(item.first), std::get<1>(item.first));
  });
}

Status Publisher::Publish(const resolve::FactsView& facts, const DirtySlices& dirty,
                          store::IngestBatch& batch, const std::function<void()>& after_each_day) {
  if (dirty.empty()) return Status::Ok();
  for (const auto& [org, hour] : dirty) {
    memo_.erase(memo_.lower_bound({org, hour, ""}), memo_.lower_bound({org, hour + 1, ""}));
  }
  Cycle cycle(facts, store_, stored_sha256_, memo_);
  // Day by day, in time order: a day's benchmark reads only that day, and a scored slice reads
  // only the benchmarks of earlier days, so both are final when read. A day appears here for its
  // dirty slices, or because a benchmark day before it changed (its scored slices only).
  std::map<Millis, DirtySlices> days;
  for (const auto& slice : dirty) days[DayFloor(slice.second)].insert(slice);
  std::set<Millis> rescored_days;
  for (auto day = days.begin(); day != days.end(); ++day) {
    const DirtySlices& dirty_of_day = day->second;
    DirtySlices benchmark_day, rescored;
    if (!dirty_of_day.empty()) benchmark_day.emplace("", day->first);
    if (rescored_days.contains(day->first)) {
      for (const std::string& org : facts.Orgs()) {
        for (Millis hour = day->first; hour < day->first + kDayMs; hour += kHourMs) {
          rescored.emplace(org, hour);
        }
      }
      rescored.insert(dirty_of_day.begin(), dirty_of_day.end());
    }
    for (const auto& table : tables_) {
      const std::string name(table->name());
      const bool is_benchmark = name == options_.benchmark_table;
      const bool is_scored = options_.scored_tables.contains(name) && !rescored.empty();
      const DirtySlices& keys = is_benchmark ? benchmark_day : is_scored ? rescored : dirty_of_day;
      for (const auto& [org, hour] : keys) {
        std::string rows = table->BuildSlice(cycle, org, hour);
        NAAP_RETURN_IF_ERROR(cycle.status());
        ++stats_.built;
        SliceKey key{name, org, hour};
        if (Emit(key, rows, batch) && is_benchmark) {
          for (int ahead = 1; ahead <= options_.benchmark_lookahead_days; ++ahead) {
            days[hour + ahead * kDayMs];  // the day's entry, empty when nothing of it is dirty
            rescored_days.insert(hour + ahead * kDayMs);
          }
        }
        cycle.Built(std::move(key), std::move(rows));
      }
    }
    cycle.ForgetFacts();
    if (after_each_day) after_each_day();
  }
  return Status::Ok();
}

bool Publisher::Emit(const SliceKey& key, const std::string& rows, store::IngestBatch& batch) {
  const auto& [table, org, hour] = key;
  auto stored = stored_sha256_.find(key);
  if (rows.empty()) {
    if (stored == stored_sha256_.end()) return false;
    stored_sha256_.erase(stored);
    batch.slices.push_back(
        {.table = table, .org = org, .hour = hour, .rows = "", .sha256_hex = ""});
    ++stats_.deleted;
    return true;
  }
  std::string sha256_hex = Sha256Hex(rows);
  if (stored != stored_sha256_.end() && stored->second == sha256_hex) return false;
  stored_sha256_[key] = sha256_hex;
  batch.slices.push_back({.table = table,
                          .org = org,
                          .hour = hour,
                          .rows = rows,
                          .sha256_hex = std::move(sha256_hex)});
  ++stats_.written;
  return true;
}

}  // namespace naap::publish
