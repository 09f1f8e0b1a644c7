#include "store/sqlite/db.h"

#include <fmt/format.h>

#include <utility>

namespace naap::store::sqlite {

Status SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string message = fmt::format("sqlite: {}: {}", context,
                                    db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(std::move(message));
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Corruption(std::move(message));
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return IoError(std::move(message));
    case SQLITE_CONSTRAINT:
    case SQLITE_TOOBIG:
      return InvalidArgument(std::move(message));
    default:
      return Internal(std::move(message));
  }
}

Stmt::Stmt(sqlite3* db, sqlite3_stmt* stmt, Status status)
    : db_(db), stmt_(stmt), status_(std::move(status)) {}

Stmt::Stmt(Stmt&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      status_(std::move(other.status_)),
      next_param_(other.next_param_) {}

Stmt::~Stmt() { Reset(); }

void Stmt::Reset() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  next_param_ = 1;
}

void Stmt::Check(int rc) {
  if (rc != SQLITE_OK && status_.ok()) status_ = SqliteError(db_, rc, sqlite3_sql(stmt_));
}

Stmt& Stmt::Bind(int64_t value) {
  if (status_.ok()) Check(sqlite3_bind_int64(stmt_, next_param_++, value));
  return *this;
}

Stmt& Stmt::Bind(std::string_view text) {
  if (status_.ok()) {
    Check(sqlite3_bind_text64(stmt_, next_param_++, text.data(), text.size(), SQLITE_STATIC,
                              SQLITE_UTF8));
  }
  return *this;
}

Stmt& Stmt::BindBlob(std::string_view bytes) {
  // A zero-length blob with a null pointer would bind NULL; "" keeps it an empty BLOB.
  if (status_.ok()) {
    Check(sqlite3_bind_blob64(stmt_, next_param_++, bytes.empty() ? "" : bytes.data(), bytes.size(),
                              SQLITE_STATIC));
  }
  return *this;
}

Status Stmt::Run() {
  if (!status_.ok()) return status_;
  int rc = sqlite3_step(stmt_);
  Status result = rc == SQLITE_DONE || rc == SQLITE_ROW ? Status::Ok()
                                                        : SqliteError(db_, rc, sqlite3_sql(stmt_));
  Reset();
  return result;
}

Result<bool> Stmt::Next() {
  if (!status_.ok()) return status_;
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  status_ = SqliteError(db_, rc, sqlite3_sql(stmt_));
  return status_;
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string_view Stmt::Bytes(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return {};
  return {static_cast<const char*>(data), static_cast<size_t>(sqlite3_column_bytes(stmt_, column))};
}

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, Access access) {
  sqlite3* handle = nullptr;
  int rc = SQLITE_OK;
  if (access == Access::kImmutable) {
    rc = sqlite3_open_v2(("file:" + path + "?immutable=1").c_str(), &handle,
                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  } else {
    const int flags = access == Access::kReadOnly ? SQLITE_OPEN_READONLY
                                                  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    rc = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  }
  if (rc != SQLITE_OK) {
    Status status = SqliteError(handle, rc, fmt::format("open {}", path));
    sqlite3_close(handle);
    return status;
  }
  sqlite3_extended_result_codes(handle, 1);
  return std::unique_ptr<Db>(new Db(handle));
}

Db::~Db() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

Status Db::Exec(const char* sql, std::string_view context) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc, context.empty() ? sql : context);
}

Stmt Db::Prepare(const char* sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return Stmt(db_, it->second, Status::Ok());
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Stmt(db_, nullptr, SqliteError(db_, rc, sql));
  statements_.emplace(sql, stmt);
  return Stmt(db_, stmt, Status::Ok());
}

Status Db::Transaction(const std::function<Status()>& body) {
  NAAP_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status status = body();
  if (status.ok()) status = Exec("COMMIT");
  // Some errors end the transaction by themselves; roll back only one still open.
  if (!status.ok() && !sqlite3_get_autocommit(db_)) Exec("ROLLBACK");
  return status;
}

}  // namespace naap::store::sqlite
