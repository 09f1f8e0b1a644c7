#pragma once
// Keyset pagination of spec/api.md §1.6 over a handler's rows (Reply::List), which arrive in the
// route's keyset order. A page holds up to `limit` rows strictly after the cursor's key, compared
// column by column with each column's kind (times and ints numerically, wei numerically as exact
// decimals, floats numerically, strings bytewise; an unknown "" sorts before every value) and
// direction. The next key is that of the last returned row when more rows follow.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/route.h"
#include "base/status.h"

namespace naap::api {

// Indexes into route.keyset of the columns in force: those without only_with_param and those
// whose parameter the request gave. A cursor's `k` holds exactly these.
std::vector<size_t> ActiveKeyColumns(const RouteSpec& route, const RequestContext& ctx);

// Ascending comparison of two key values of one kind: negative, zero or positive.
int CompareKeyValues(KeyKind kind, std::string_view a, std::string_view b);

struct Page {
  std::vector<const ListRow*> rows;
  std::optional<std::vector<std::string>> next_key;  // set when more rows follow
};

// ListRow::key holds either every keyset column or only the active ones; any other length is a
// handler bug and yields Internal.
Result<Page> SelectPage(const std::vector<ListRow>& rows, const RouteSpec& route,
                        const std::vector<size_t>& active,
                        const std::optional<std::vector<std::string>>& after, int64_t limit);

}  // namespace naap::api
