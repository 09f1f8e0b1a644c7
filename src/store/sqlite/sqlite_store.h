#pragma once
// The embedded SQLite Store: one database file in WAL mode with synchronous=NORMAL. Each
// Commit() is one transaction. Durability: a committed transaction survives a crash of the
// process (the WAL is written before COMMIT returns); an OS crash or power loss may lose the
// last few commits but never leaves a partial batch. Thread-safe: calls are serialised on one
// connection, and callbacks must not re-enter the store.
#include <memory>
#include <span>
#include <string>

#include "store/sqlite/migrations.h"
#include "store/store.h"

namespace naap::store::sqlite {

// The ordered schema steps of the store; the last step's version is the binary's schema version.
std::span<const Migration> StoreMigrations();

// Opens or creates the store file at path and migrates it to the latest schema. With read_only,
// opens an existing file for reading only (every write fails), whose schema must be the latest.
Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, bool read_only = false);

}  // namespace naap::store::sqlite
