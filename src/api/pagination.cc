#include "api/pagination.h"

#include <charconv>
#include <cstdlib>

namespace naap::api {
namespace {

int Sign(auto difference) { return difference < 0 ? -1 : (difference > 0 ? 1 : 0); }

int CompareBytes(std::string_view a, std::string_view b) { return Sign(a.compare(b)); }

std::optional<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseFloat(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

int CompareWei(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return CompareBytes(a, b);
}

// Key values of `row` for the active columns, or nullopt when its length fits neither form.
std::optional<std::vector<std::string_view>> ActiveKey(const ListRow& row, const RouteSpec& route,
                                                       const std::vector<size_t>& active) {
  std::vector<std::string_view> key;
  if (row.key.size() == route.keyset.size()) {
    for (size_t column : active) key.push_back(row.key[column]);
  } else if (row.key.size() == active.size()) {
    key.assign(row.key.begin(), row.key.end());
  } else {
    return std::nullopt;
  }
  return key;
}

bool IsAfter(const std::vector<std::string_view>& key, const std::vector<std::string>& after,
             const RouteSpec& route, const std::vector<size_t>& active) {
  for (size_t i = 0; i < active.size(); ++i) {
    const KeyColumn& column = route.keyset[active[i]];
    const int order = CompareKeyValues(column.kind, key[i], after[i]);
    if (order != 0) return column.descending ? order < 0 : order > 0;
  }
  return false;
}

}  // namespace

std::vector<size_t> ActiveKeyColumns(const RouteSpec& route, const RequestContext& ctx) {
  std::vector<size_t> active;
  for (size_t i = 0; i < route.keyset.size(); ++i) {
    const std::string& param = route.keyset[i].only_with_param;
    if (param.empty() || ctx.Has(param)) active.push_back(i);
  }
  return active;
}

int CompareKeyValues(KeyKind kind, std::string_view a, std::string_view b) {
  if (a.empty() || b.empty())
    return Sign(static_cast<int>(!a.empty()) - static_cast<int>(!b.empty()));
  switch (kind) {
    case KeyKind::kTime:
    case KeyKind::kInt:
      if (auto x = ParseInt(a), y = ParseInt(b); x && y) return *x < *y ? -1 : (*x > *y ? 1 : 0);
      break;
    case KeyKind::kWei:
      return CompareWei(a, b);
    case KeyKind::kFloat:
      if (auto x = ParseFloat(a), y = ParseFloat(b); x && y)
        return *x < *y ? -1 : (*x > *y ? 1 : 0);
      break;
    case KeyKind::kString:
      break;
  }
  return CompareBytes(a, b);
}

Result<Page> SelectPage(const std::vector<ListRow>& rows, const RouteSpec& route,
                        const std::vector<size_t>& active,
                        const std::optional<std::vector<std::string>>& after, int64_t limit) {
  Page page;
  bool more = false;
  std::vector<std::string_view> last_key;
  for (const ListRow& row : rows) {
    std::optional<std::vector<std::string_view>> key = ActiveKey(row, route, active);
    if (!key) {
      return Internal("route " + route.pattern + ": a row has " + std::to_string(row.key.size()) +
                      " key values");
    }
    if (after && !IsAfter(*key, *after, route, active)) continue;
    if (static_cast<int64_t>(page.rows.size()) == limit) {
      more = true;
      break;
    }
    page.rows.push_back(&row);
    last_key = std::move(*key);
  }
  if (more) page.next_key = std::vector<std::string>(last_key.begin(), last_key.end());
  return page;
}

}  // namespace naap::api
