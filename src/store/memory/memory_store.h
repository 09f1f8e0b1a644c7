#pragma once
// In-memory Store for unit tests: same semantics as every backend, nothing persisted. A batch
// is checked (store/batch_check.h) before any of it is applied, and applying cannot fail, so
// Commit() is all-or-nothing. Thread-safe: calls are serialised; callbacks must not re-enter.
#include <memory>

#include "store/store.h"

namespace naap::store::memory {

std::unique_ptr<Store> NewMemoryStore();

}  // namespace naap::store::memory
