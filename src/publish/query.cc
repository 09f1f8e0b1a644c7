#include "publish/query.h"

#include <algorithm>
#include <span>
#include <string_view>
#include <utility>

#include "publish/sla_benchmark.h"

namespace naap::publish {
namespace {

constexpr std::string_view kOrgColumn = "org";

template <typename Key>
struct KeyColumn {
  std::string_view name;
  std::string Key::*member;
};

// The (A) sums and (M) attributes of a stored row: every row family names them `sums` and
// `attributes`, except the attribution-quality row, whose one (A) column is its count.
template <typename Row>
const auto& SumsOf(const Row& row) {
  if constexpr (requires { row.sums; }) {
    return row.sums;
  } else {
    return row.count;
  }
}
template <typename Row>
auto AttributesOf(const Row& row) {
  if constexpr (requires { row.attributes; }) {
    return row.attributes;
  } else {
    return NoAttributes{};
  }
}

// (M) merge rules (§6.2 rule 2).
void MergeAttributes(NoAttributes&, const NoAttributes&) {}
void MergeAttributes(SessionAttributes& into, const SessionAttributes& from) {
  into.MergeLatest(from);
}
void MergeAttributes(LatestCurrency& into, const LatestCurrency& from) { into.MergeLatest(from); }
// Both follow from the key: kept where every row of the group agrees.
void MergeAttributes(RequestDemandAttributes& into, const RequestDemandAttributes& from) {
  if (into.capability_id != from.capability_id) into.capability_id.reset();
  if (into.canonical_pipeline != from.canonical_pipeline) into.canonical_pipeline.clear();
}

using GroupKey = std::pair<Millis, std::vector<std::string>>;

// A TableQuery resolved against one table's key columns.
template <typename Key>
class Plan {
 public:
  static Result<Plan> Make(const TableQuery& q, std::span<const KeyColumn<Key>> columns) {
    if (q.from >= q.to) return InvalidArgument("query window is empty");
    Plan plan;
    plan.query_ = &q;
    for (const auto& [name, value] : q.equals) {
      std::string Key::*member = Find(columns, name);
      if (member == nullptr) return InvalidArgument("unknown filter column " + name);
      plan.equals_.emplace_back(member, value);
    }
    for (const std::string& name : q.group_by) {
      std::string Key::*member = Find(columns, name);
      if (member == nullptr && name != kOrgColumn) {
        return InvalidArgument("unknown grain column " + name);
      }
      plan.grain_.push_back(member);  // nullptr: org
    }
    return plan;
  }

  // The equality filters; the org filter applies to whole slices.
  bool Selects(const Key& key) const {
    return std::all_of(equals_.begin(), equals_.end(),
                       [&key](const auto& eq) { return key.*eq.first == eq.second; });
  }

  GroupKey GroupOf(Millis window_start, const std::string& org, const Key& key) const {
    GroupKey group;
    switch (query_->bucket) {
      case TimeBucket::kNone:
        group.first = query_->from;
        break;
      case TimeBucket::kHour:
        group.first = window_start;
        break;
      case TimeBucket::kDay:
        group.first = DayFloor(window_start);
        break;
    }
    group.second.reserve(grain_.size());
    for (std::string Key::*member : grain_) group.second.push_back(member ? key.*member : org);
    return group;
  }

  // A key holding the group's values in its grain columns and "" elsewhere.
  Key GrainKey(const std::vector<std::string>& group) const {
    Key key;
    for (size_t i = 0; i < grain_.size(); ++i) {
      if (grain_[i] != nullptr) key.*grain_[i] = group[i];
    }
    return key;
  }

  bool Groups(std::string Key::*member) const {
    return std::find(grain_.begin(), grain_.end(), member) != grain_.end();
  }

 private:
  static std::string Key::*Find(std::span<const KeyColumn<Key>> columns, std::string_view name) {
    for (const KeyColumn<Key>& c : columns) {
      if (c.name == name) return c.member;
    }
    return nullptr;
  }

  const TableQuery* query_ = nullptr;
  std::vector<std::pair<std::string Key::*, std::string>> equals_;
  std::vector<std::string Key::*> grain_;
};

template <typename Row>
using Decoder = Result<std::vector<Row>> (*)(std::string_view);

// Decodes the slices of `table` in the window and hands every selected row to add(group, row).
template <typename Row, typename Key, typename Add>
Status ForEachSelectedRow(store::Store& store, std::string_view table, const TableQuery& q,
                          const Plan<Key>& plan, Decoder<Row> decode, const Add& add) {
  return store.ScanSlices(table, q.from, q.to - 1, [&](const store::Slice& slice) -> Status {
    if (q.orgs && !q.orgs->contains(slice.org)) return Status::Ok();
    Result<std::vector<Row>> rows = decode(slice.rows);
    if (!rows.ok()) {
      return Corruption(std::string(table) + " slice (" + slice.org + ", " +
                        std::to_string(slice.hour) + "): " + rows.status().message());
    }
    for (const Row& row : *rows) {
      if (plan.Selects(row.key)) add(plan.GroupOf(row.window_start, row.org, row.key), row);
    }
    return Status::Ok();
  });
}

template <typename Sums, typename Attributes>
struct Accumulation {
  Sums sums{};
  Attributes attributes;
  bool seeded = false;

  void Add(const Sums& s, const Attributes& a) {
    sums += s;
    if (seeded) {
      MergeAttributes(attributes, a);
    } else {
      attributes = a;
      seeded = true;
    }
  }
};

// The one path of every summed table: select, group, sum (A), merge (M), derive (D) from the
// group's sums and its grain key.
template <typename Row, typename Key, typename Derived, typename Derive>
auto QuerySummed(store::Store& store, std::string_view table, const TableQuery& q,
                 std::span<const KeyColumn<Key>> columns, Decoder<Row> decode,
                 const Derive& derive) {
  using Sums = std::decay_t<decltype(SumsOf(std::declval<const Row&>()))>;
  using Attributes = decltype(AttributesOf(std::declval<const Row&>()));
  using Out = std::vector<QueryRow<Sums, Attributes, Derived>>;
  Result<Plan<Key>> plan = Plan<Key>::Make(q, columns);
  if (!plan.ok()) return Result<Out>(plan.status());
  std::map<GroupKey, Accumulation<Sums, Attributes>> groups;
  Status status = ForEachSelectedRow<Row>(
      store, table, q, *plan, decode, [&groups](GroupKey group, const Row& row) {
        groups[std::move(group)].Add(SumsOf(row), AttributesOf(row));
      });
  if (!status.ok()) return Result<Out>(status);
  Out out;
  out.reserve(groups.size());
  for (auto& [group, acc] : groups) {
    Derived derived = derive(acc.sums, *plan, group.second);
    out.push_back({.bucket_start = group.first,
                   .group = group.second,
                   .sums = std::move(acc.sums),
                   .attributes = std::move(acc.attributes),
                   .derived = std::move(derived)});
  }
  return Result<Out>(std::move(out));
}

// Derive functions that need neither the plan nor the grain key.
template <typename Derived, typename Sums>
auto FromSums(Derived (*derive)(const Sums&)) {
  return [derive](const Sums& sums, const auto&, const auto&) { return derive(sums); };
}
constexpr auto kNoDerived = [](const auto&, const auto&, const auto&) { return NoDerived{}; };

// ---- key columns ----

using SK = StreamingKey;
constexpr KeyColumn<SK> kDemandColumns[] = {
    {"gateway", &SK::gateway}, {"pipeline_id", &SK::pipeline_id}, {"model_id", &SK::model_id}};
constexpr KeyColumn<SK> kGpuDemandColumns[] = {{"gateway", &SK::gateway},
                                               {"orchestrator_address", &SK::orchestrator_address},
                                               {"pipeline_id", &SK::pipeline_id},
                                               {"model_id", &SK::model_id},
                                               {"gpu_id", &SK::gpu_id}};
constexpr KeyColumn<SK> kSlaColumns[] = {{"orchestrator_address", &SK::orchestrator_address},
                                         {"pipeline_id", &SK::pipeline_id},
                                         {"model_id", &SK::model_id},
                                         {"gpu_id", &SK::gpu_id}};
constexpr KeyColumn<SK> kOrchStatsColumns[] = {{"orchestrator_address", &SK::orchestrator_address},
                                               {"pipeline_id", &SK::pipeline_id},
                                               {"model_id", &SK::model_id}};

constexpr KeyColumn<PaymentsKey> kPaymentsColumns[] = {
    {"gateway_address", &PaymentsKey::gateway_address},
    {"orchestrator_address", &PaymentsKey::orchestrator_address},
    {"pipeline_id", &PaymentsKey::pipeline_id}};
using RK = RequestDemandKey;
constexpr KeyColumn<RK> kRequestDemandColumns[] = {
    {"gateway", &RK::gateway},
    {"execution_mode", &RK::execution_mode},
    {"capability_family", &RK::capability_family},
    {"capability_name", &RK::capability_name},
    {"canonical_model", &RK::canonical_model},
    {"orchestrator_address", &RK::orchestrator_address},
    {"orchestrator_uri", &RK::orchestrator_uri}};
constexpr KeyColumn<ByocAuthKey> kByocAuthColumns[] = {
    {"capability_name", &ByocAuthKey::capability_name}};
constexpr KeyColumn<ByocPaymentsKey> kByocPaymentsColumns[] = {
    {"capability", &ByocPaymentsKey::capability},
    {"payment_type", &ByocPaymentsKey::payment_type},
    {"orch_reported_address", &ByocPaymentsKey::orch_reported_address}};
constexpr KeyColumn<DiscoveryKey> kDiscoveryColumns[] = {
    {"orchestrator_address", &DiscoveryKey::orchestrator_address}};
using AK = AttributionQualityKey;
constexpr KeyColumn<AK> kAttributionQualityColumns[] = {
    {"subject", &AK::subject},
    {"selection_outcome", &AK::selection_outcome},
    {"attribution_status", &AK::attribution_status},
    {"attribution_reason", &AK::attribution_reason}};

// ---- SLA: (date, cohort) groups and their benchmarks ----

struct CohortDay {
  int64_t date = 0;
  std::string pipeline_id, model_id;
  friend auto operator<=>(const CohortDay&, const CohortDay&) = default;
};

struct SlaAccumulation {
  Accumulation<StreamingSums, SessionAttributes> total;
  std::map<CohortDay, StreamingSums> cohorts;
};

using BenchmarkDays = std::map<CohortKey, std::map<int64_t, BenchmarkDay>>;

// The benchmark days every score date in [first_date, last_date] reads (dates d − 7 … d − 1).
Result<BenchmarkDays> ReadBenchmarkDays(store::Store& store, int64_t first_date,
                                        int64_t last_date) {
  BenchmarkDays days;
  Status status = store.ScanSlices(
      kSlaBenchmarkTable, (first_date - 7) * kDayMs, (last_date - 1) * kDayMs,
      [&days](const store::Slice& slice) -> Status {
        Result<std::vector<BenchmarkRow>> rows = DecodeBenchmarkRows(slice.rows);
        if (!rows.ok()) {
          return Corruption(std::string(kSlaBenchmarkTable) + " slice " +
                            std::to_string(slice.hour) + ": " + rows.status().message());
        }
        for (BenchmarkRow& row : *rows) {
          days[{row.pipeline_id, row.model_id}][row.cohort_date] = std::move(row.day);
        }
        return Status::Ok();
      });
  if (!status.ok()) return status;
  return days;
}

}  // namespace

Result<std::vector<StreamingQueryRow<DemandDerived>>> QueryStreamingDemand(store::Store& store,
                                                                           const TableQuery& q) {
  return QuerySummed<DemandRow, SK, DemandDerived>(
      store, kStreamingDemandTable, q, kDemandColumns, &DecodeDemandRows,
      [](const StreamingSums& sums, const Plan<SK>& plan, const std::vector<std::string>& group) {
        return DeriveDemand(sums, plan.GrainKey(group), DemandGrain::kPipeline);
      });
}

Result<std::vector<StreamingQueryRow<DemandDerived>>> QueryGpuNetworkDemand(store::Store& store,
                                                                            const TableQuery& q) {
  return QuerySummed<DemandRow, SK, DemandDerived>(
      store, kGpuNetworkDemandTable, q, kGpuDemandColumns, &DecodeDemandRows,
      [](const StreamingSums& sums, const Plan<SK>& plan, const std::vector<std::string>& group) {
        const DemandGrain grain =
            plan.Groups(&SK::gpu_id) ? DemandGrain::kGpu : DemandGrain::kPipeline;
        return DeriveDemand(sums, plan.GrainKey(group), grain);
      });
}

Result<std::vector<StreamingQueryRow<SlaDerived>>> QueryStreamingSla(store::Store& store,
                                                                     const TableQuery& q) {
  using Out = std::vector<StreamingQueryRow<SlaDerived>>;
  Result<Plan<SK>> plan = Plan<SK>::Make(q, kSlaColumns);
  if (!plan.ok()) return plan.status();
  std::map<GroupKey, SlaAccumulation> groups;
  Status status = ForEachSelectedRow<SlaRow>(
      store, kStreamingSlaTable, q, *plan, &DecodeSlaRows,
      [&groups](GroupKey key, const SlaRow& row) {
        SlaAccumulation& acc = groups[std::move(key)];
        acc.total.Add(row.sums, row.attributes);
        acc.cohorts[{CohortDate(row.window_start), row.key.pipeline_id, row.key.model_id}] +=
            row.sums;
      });
  if (!status.ok()) return status;
  Result<BenchmarkDays> days = ReadBenchmarkDays(store, CohortDate(q.from), CohortDate(q.to - 1));
  if (!days.ok()) return days.status();
  const std::map<int64_t, BenchmarkDay> no_days;
  Out out;
  out.reserve(groups.size());
  for (auto& [group, acc] : groups) {
    std::vector<SlaGroup> scored;
    scored.reserve(acc.cohorts.size());
    for (const auto& [cohort, sums] : acc.cohorts) {
      const auto found = days->find({cohort.pipeline_id, cohort.model_id});
      scored.push_back({.sums = sums,
                        .pipeline_id = cohort.pipeline_id,
                        .benchmark = SevenDayBenchmark(
                            found == days->end() ? no_days : found->second, cohort.date)});
    }
    // Rates and averages from the total sums (DeriveSla); its scores are replaced by the §5.2
    // combination of the groups.
    SlaDerived derived = DeriveSla(acc.total.sums, "", SlaBenchmark{});
    derived.scores = CombineSlaGroups(scored);
    out.push_back({.bucket_start = group.first,
                   .group = group.second,
                   .sums = std::move(acc.total.sums),
                   .attributes = std::move(acc.total.attributes),
                   .derived = std::move(derived)});
  }
  return out;
}

Result<std::vector<StreamingQueryRow<GpuMetricsDerived>>> QueryGpuMetrics(store::Store& store,
                                                                          const TableQuery& q) {
  return QuerySummed<GpuMetricsRow, SK, GpuMetricsDerived>(
      store, kGpuMetricsTable, q, kSlaColumns, &DecodeGpuMetricsRows, FromSums(&DeriveGpuMetrics));
}

Result<std::vector<StreamingQueryRow<ReliabilityRates>>> QueryOrchStreamStats(store::Store& store,
                                                                              const TableQuery& q) {
  return QuerySummed<OrchStreamStatsRow, SK, ReliabilityRates>(
      store, kOrchStreamStatsTable, q, kOrchStatsColumns, &DecodeOrchStreamStatsRows,
      FromSums(&ComputeReliabilityRates));
}

Result<std::vector<QueryRow<PaymentsSums, NoAttributes, PaymentsDerived>>> QueryPayments(
    store::Store& store, const TableQuery& q) {
  return QuerySummed<PaymentsRow, PaymentsKey, PaymentsDerived>(
      store, kPaymentsTable, q, kPaymentsColumns, &DecodeRequestRows<PaymentsRow>,
      FromSums(&DerivePayments));
}

Result<std::vector<QueryRow<RequestDemandSums, RequestDemandAttributes, RequestDemandDerived>>>
QueryRequestDemand(store::Store& store, const TableQuery& q) {
  return QuerySummed<RequestDemandRow, RK, RequestDemandDerived>(
      store, kRequestDemandTable, q, kRequestDemandColumns, &DecodeRequestRows<RequestDemandRow>,
      FromSums(&DeriveRequestDemand));
}

Result<std::vector<QueryRow<ByocAuthSums, NoAttributes, ByocAuthDerived>>> QueryByocAuth(
    store::Store& store, const TableQuery& q) {
  return QuerySummed<ByocAuthRow, ByocAuthKey, ByocAuthDerived>(
      store, kByocAuthTable, q, kByocAuthColumns, &DecodeRequestRows<ByocAuthRow>,
      FromSums(&DeriveByocAuth));
}

Result<std::vector<QueryRow<ByocPaymentsSums, LatestCurrency, NoDerived>>> QueryByocPayments(
    store::Store& store, const TableQuery& q) {
  return QuerySummed<ByocPaymentsRow, ByocPaymentsKey, NoDerived>(
      store, kByocPaymentsTable, q, kByocPaymentsColumns, &DecodeRequestRows<ByocPaymentsRow>,
      kNoDerived);
}

Result<std::vector<QueryRow<DiscoverySums, NoAttributes, DiscoveryDerived>>> QueryDiscoveryLatency(
    store::Store& store, const TableQuery& q) {
  return QuerySummed<DiscoveryRow, DiscoveryKey, DiscoveryDerived>(
      store, kDiscoveryLatencyTable, q, kDiscoveryColumns, &DecodeRequestRows<DiscoveryRow>,
      FromSums(&DeriveDiscovery));
}

Result<std::vector<QueryRow<int64_t, NoAttributes, NoDerived>>> QueryAttributionQuality(
    store::Store& store, const TableQuery& q) {
  return QuerySummed<AttributionQualityRow, AK, NoDerived>(
      store, kAttributionQualityTable, q, kAttributionQualityColumns, &DecodeAttributionQualityRows,
      kNoDerived);
}

}  // namespace naap::publish
