#pragma once
// A thin RAII layer over one sqlite3 connection: statements prepared once and cached, fluent
// binding with a sticky error (the first failure surfaces at Run()/Next()), and transactions.
// Not thread-safe: the owner serialises calls.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/status.h"

namespace naap::store::sqlite {

// A borrowed, cached prepared statement. Parameters bind left to right; the statement is reset
// (bindings cleared) when the Stmt goes out of scope and after each Run().
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* stmt, Status status);
  Stmt(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt& operator=(Stmt&&) = delete;
  ~Stmt();

  Stmt& Bind(int64_t value);
  Stmt& Bind(std::string_view text);
  Stmt& BindBlob(std::string_view bytes);

  // Steps a statement that returns no rows, then resets it for the next set of parameters.
  Status Run();
  // Advances to the next row: true when a row is ready, false when done.
  Result<bool> Next();
  int64_t Int(int column) const;
  bool IsNull(int column) const;
  // Exact bytes of a TEXT or BLOB column ("" for NULL); valid until the next Next().
  std::string_view Bytes(int column) const;

 private:
  void Reset();
  void Check(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  Status status_;
  int next_param_ = 1;
};

class Db {
 public:
  // How Open() reaches the file: kImmutable reads it without locks or a WAL (SQLite's immutable=1),
  // for a file no connection has open (it has no -wal file) in a directory the reader may not
  // write, where a plain read-only connection cannot create the -shm file it needs.
  enum class Access { kReadWrite, kReadOnly, kImmutable };
  // Opens the database file at path, creating it if missing when kReadWrite.
  static Result<std::unique_ptr<Db>> Open(const std::string& path,
                                          Access access = Access::kReadWrite);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more SQL statements whose rows, if any, are discarded. A failure names `context`
  // when given, else the SQL.
  Status Exec(const char* sql, std::string_view context = {});
  // The cached statement for sql (prepared on first use). sql must outlive the Db.
  Stmt Prepare(const char* sql);
  // Runs body inside BEGIN IMMEDIATE ... COMMIT; any failure rolls the whole transaction back.
  Status Transaction(const std::function<Status()>& body);

 private:
  explicit Db(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

// Maps a SQLite result code to a Status (busy/locked → kUnavailable, so callers may retry).
Status SqliteError(sqlite3* db, int rc, std::string_view context);

}  // namespace naap::store::sqlite
