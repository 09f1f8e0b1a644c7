#pragma once
// Versioned schema migrations. The table schema_migrations records every applied step
// (version, name, applied_ms). Migrate() applies, in one transaction, each step newer than the
// file's version, in order; a file already up to date is left untouched, and a file whose version
// is newer than the last known step is refused (an older binary must not write a newer schema).
#include <span>

#include "base/status.h"
#include "store/sqlite/db.h"

namespace naap::store::sqlite {

struct Migration {
  int version;       // 1, 2, 3, ... without gaps
  const char* name;  // short description, recorded with the version
  const char* sql;   // one or more statements
  // Optional work run after sql in the same transaction, for data moves SQL cannot express.
  Status (*transform)(Db& db) = nullptr;
};

// The schema version of db: the highest applied step, 0 for a fresh file.
Result<int> SchemaVersion(Db& db);

Status Migrate(Db& db, std::span<const Migration> steps);
// For a connection that cannot write: OK when the schema is already the latest of `steps`.
Status CheckMigrated(Db& db, std::span<const Migration> steps);

}  // namespace naap::store::sqlite
