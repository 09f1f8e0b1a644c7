#pragma once
// The contribution engine shared by the session-based streaming tables (spec/analytics.md §4.0,
// §6.1) and the byte-level pieces of their canonical codecs.
//  - A session contributes its outcome blocks (O, L and the edge E2E value, total duration) once,
//    to the row of its session_hour; each session hour contributes its samples (S, status E2E,
//    sessions_count when it has evidence, FPS sketches) to the row of its own hour.
//  - TailRule::kExcluded drops the samples of terminal-tail artifact hours (Block S, status E2E,
//    the session-hour FPS sketch); outcomes are never excluded.
//  - Rows come out in key order; a row exists as soon as one session contributes to it, even when
//    every value it receives is zero (so twin tables have identical key sets).
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/bytes.h"
#include "base/sketch.h"
#include "base/status.h"
#include "base/time.h"
#include "publish/formulas.h"
#include "resolve/session.h"

namespace naap::publish {

// The grain columns beyond (window_start, org); a table leaves those outside its grain empty.
struct StreamingKey {
  std::string gateway, orchestrator_address, pipeline_id, model_id, gpu_id;
  friend auto operator<=>(const StreamingKey&, const StreamingKey&) = default;
  friend bool operator==(const StreamingKey&, const StreamingKey&) = default;
};

// (M) attributes of a row: those of its latest contributing session by (session_start,
// session_key), which are kept so rows merge by the same rule.
struct SessionAttributes {
  Millis session_start = 0;
  std::string session_key;  // "" when no session contributed
  std::string orchestrator_uri, gpu_model_name, runner_version;
  std::optional<int64_t> gpu_memory_bytes_total;

  static SessionAttributes Of(const resolve::SessionFact& session);
  // Keeps the newer of the two.
  void MergeLatest(const SessionAttributes& other);
  friend bool operator==(const SessionAttributes&, const SessionAttributes&) = default;
};

enum class TailRule { kIncluded, kExcluded };

struct StreamingAccumulation {
  StreamingSums sums;
  SessionAttributes attributes;
};

// The row key of a session in a table; nullopt when the session is not part of the table.
using StreamingKeyOf = std::function<std::optional<StreamingKey>(const resolve::SessionFact&)>;

// Every contribution of `sessions` (those of FactsView::SessionsAt(org, hour)) to `hour`, per
// row key. Sessions that do not exist (ingest-only keys) are skipped.
std::map<StreamingKey, StreamingAccumulation> AccumulateStreaming(
    std::span<const resolve::SessionFact* const> sessions, Millis hour, TailRule tail,
    const StreamingKeyOf& key_of);

// Column subsets of StreamingSums, so a table keeps exactly its own columns (§4.1–§4.5).
void CopyBlockO(const StreamingSums& from, StreamingSums& to);
void CopyBlockL(const StreamingSums& from, StreamingSums& to);
void CopyBlockE(const StreamingSums& from, StreamingSums& to);
// Every Block S column with the per-sample output and input FPS sketches.
void CopyBlockS(const StreamingSums& from, StreamingSums& to);
// status_samples, fps_positive_samples, output_fps_sum, error_status_samples.
void CopyCoreSamples(const StreamingSums& from, StreamingSums& to);

// ---- codec pieces (base/bytes.h) ----

void WriteKey(ByteWriter& w, const StreamingKey& key);
bool ReadKey(ByteReader& r, StreamingKey& key);
// Every StreamingSums column in declaration order; sketches by their own canonical bytes.
void WriteSums(ByteWriter& w, const StreamingSums& s);
bool ReadSums(ByteReader& r, StreamingSums& s);
void WriteAttributes(ByteWriter& w, const SessionAttributes& a);
bool ReadAttributes(ByteReader& r, SessionAttributes& a);
void WriteSketch(ByteWriter& w, const QuantileSketch& sketch);
bool ReadSketch(ByteReader& r, QuantileSketch& sketch);
// A presence byte, then the value by `write_value` / `read_value`.
template <typename T, typename WriteValue>
void WriteOptional(ByteWriter& w, const std::optional<T>& v, WriteValue write_value) {
  w.Bool(v.has_value());
  if (v) write_value(w, *v);
}
template <typename T, typename ReadValue>
bool ReadOptional(ByteReader& r, std::optional<T>& v, ReadValue read_value) {
  bool present = false;
  if (!r.Bool(present)) return false;
  if (!present) {
    v.reset();
    return true;
  }
  return read_value(r, v.emplace());
}

// A presence byte, then the IEEE bits.
void WriteOptionalDouble(ByteWriter& w, const std::optional<double>& v);
bool ReadOptionalDouble(ByteReader& r, std::optional<double>& v);
void WriteDouble(ByteWriter& w, double v);
bool ReadDouble(ByteReader& r, double& v);
void WriteOptionalInt(ByteWriter& w, const std::optional<int64_t>& v);
bool ReadOptionalInt(ByteReader& r, std::optional<int64_t>& v);

// A slice: "" when it has no rows; else org, window_start, row count, then the rows in key order.
template <typename Row>
std::string EncodeSlice(std::string_view org, Millis window_start, const std::vector<Row>& rows,
                        const std::function<void(ByteWriter&, const Row&)>& write_row) {
  std::string out;
  if (rows.empty()) return out;
  ByteWriter w(out);
  w.String(org);
  w.Int(window_start);
  w.Varint(rows.size());
  for (const Row& row : rows) write_row(w, row);
  return out;
}

// Decodes EncodeSlice's bytes; `read_row` reads one row given the slice's org and window_start,
// `key_less` orders rows. Fails on truncated or trailing bytes and on rows not in strictly
// ascending key order (a non-canonical slice).
template <typename Row>
Result<std::vector<Row>> DecodeSlice(std::string_view bytes,
                                     const std::function<bool(ByteReader&, const std::string& org,
                                                              Millis window_start, Row&)>& read_row,
                                     const std::function<bool(const Row&, const Row&)>& key_less) {
  std::vector<Row> rows;
  if (bytes.empty()) return rows;
  ByteReader r(bytes);
  std::string org;
  int64_t window_start = 0;
  uint64_t count = 0;
  if (!r.String(org) || !r.Int(window_start) || !r.Varint(count) || count == 0) {
    return Corruption("slice header");
  }
  for (uint64_t i = 0; i < count; ++i) {
    Row row;
    if (!read_row(r, org, window_start, row)) return Corruption("slice row");
    if (!rows.empty() && !key_less(rows.back(), row)) return Corruption("slice rows out of order");
    rows.push_back(std::move(row));
  }
  if (!r.done()) return Corruption("slice trailing bytes");
  return rows;
}

// Rows accumulated per grain key, and the rows in key order (moved out).
template <typename Row>
using KeyedRows = std::map<decltype(Row::key), Row>;
template <typename Row>
std::vector<Row> RowsInKeyOrder(KeyedRows<Row>& rows) {
  std::vector<Row> out;
  out.reserve(rows.size());
  for (auto& [key, row] : rows) out.push_back(std::move(row));
  return out;
}

// EncodeSlice for rows that carry their own (org, window_start); `write_columns` writes the rest.
template <typename Row>
std::string EncodeHourlySlice(const std::vector<Row>& rows,
                              const std::function<void(ByteWriter&, const Row&)>& write_columns) {
  if (rows.empty()) return "";
  return EncodeSlice<Row>(rows.front().org, rows.front().window_start, rows, write_columns);
}

// DecodeSlice for those rows: each row gets the slice's (org, window_start), then `read_columns`
// reads the rest; rows are ordered by `key_less`, by their `key` member unless given.
template <typename Row>
Result<std::vector<Row>> DecodeHourlySlice(
    std::string_view bytes, const std::function<bool(ByteReader&, Row&)>& read_columns,
    const std::function<bool(const Row&, const Row&)>& key_less = [](const Row& a, const Row& b) {
      return a.key < b.key;
    }) {
  return DecodeSlice<Row>(
      bytes,
      [&read_columns](ByteReader& r, const std::string& org, Millis window_start, Row& row) {
        row.org = org;
        row.window_start = window_start;
        return read_columns(r, row);
      },
      key_less);
}

}  // namespace naap::publish
