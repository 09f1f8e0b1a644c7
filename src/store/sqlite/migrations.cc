#include "store/sqlite/migrations.h"

#include <fmt/format.h>

#include "base/time.h"

namespace naap::store::sqlite {
namespace {

constexpr char kCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations("
    "  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL)";
constexpr char kMigrationsTableExists[] =
    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr char kMaxVersion[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr char kRecordStep[] =
    "INSERT INTO schema_migrations(version, name, applied_ms) VALUES (?, ?, ?)";

Status CheckSteps(std::span<const Migration> steps) {
  for (size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      return Internal(fmt::format("migration '{}' has version {}, expected {}", steps[i].name,
                                  steps[i].version, i + 1));
    }
  }
  return Status::Ok();
}

Status TooNew(int current, int latest) {
  return InvalidArgument(
      fmt::format("store schema version {} is newer than this binary supports ({}); upgrade naap",
                  current, latest));
}

}  // namespace

Result<int> SchemaVersion(Db& db) {
  Stmt exists = db.Prepare(kMigrationsTableExists);
  Result<bool> found = exists.Next();
  if (!found.ok()) return found.status();
  if (!*found) return 0;
  Stmt max_version = db.Prepare(kMaxVersion);
  Result<bool> row = max_version.Next();
  if (!row.ok()) return row.status();
  return static_cast<int>(max_version.Int(0));
}

Status Migrate(Db& db, std::span<const Migration> steps) {
  NAAP_RETURN_IF_ERROR(CheckSteps(steps));
  const int latest = static_cast<int>(steps.size());
  Result<int> version = SchemaVersion(db);
  if (!version.ok()) return version.status();
  if (*version == latest) return Status::Ok();
  return db.Transaction([&]() -> Status {
    NAAP_RETURN_IF_ERROR(db.Exec(kCreateMigrationsTable));
    // Re-read under the write lock: another process may have migrated meanwhile.
    Result<int> current = SchemaVersion(db);
    if (!current.ok()) return current.status();
    if (*current > latest) return TooNew(*current, latest);
    const Millis now = SystemClock().NowMs();
    for (const Migration& step : steps.subspan(*current)) {
      NAAP_RETURN_IF_ERROR(db.Exec(step.sql));
      if (step.transform != nullptr) NAAP_RETURN_IF_ERROR(step.transform(db));
      NAAP_RETURN_IF_ERROR(
          db.Prepare(kRecordStep).Bind(step.version).Bind(step.name).Bind(now).Run());
    }
    return Status::Ok();
  });
}

Status CheckMigrated(Db& db, std::span<const Migration> steps) {
  const int latest = static_cast<int>(steps.size());
  Result<int> version = SchemaVersion(db);
  if (!version.ok()) return version.status();
  if (*version > latest) return TooNew(*version, latest);
  if (*version == 0) {
    return InvalidArgument(
        "not a naap store: the file has no naap schema (it is empty or another program's "
        "database); a store is made by naap ingest or naap serve");
  }
  if (*version < latest) {
    return InvalidArgument(fmt::format(
        "store schema version {} is older than this binary's ({}) and a read-only open cannot "
        "migrate it: run naap ingest or naap serve on the store once",
        *version, latest));
  }
  return Status::Ok();
}

}  // namespace naap::store::sqlite
