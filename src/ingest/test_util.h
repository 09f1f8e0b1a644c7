#pragma once
// Helpers shared by the ingest tests: a scratch directory, compressors, draining a Source, and
// watching a thread that should stop on its own.
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "ingest/source.h"

namespace naap::ingest::testing {

// A fresh directory under $TMPDIR, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes `bytes` to path()/name (creating parent directories) and returns the full path.
  std::string Write(std::string_view name, std::string_view bytes) const;

 private:
  std::string path_;
};

std::string Gzip(std::string_view plain);  // one gzip member
std::string Zstd(std::string_view plain);  // one zstd frame

// A copy of one yielded message.
struct Yielded {
  std::string bytes;
  bool broken_tail = false;
  int64_t full_length = 0;
  std::string path;
  int64_t index = 0;
  int64_t byte_offset = 0;
};
std::vector<Yielded> Drain(Source& source);

// Yields fixed messages (provenance source "test", index 1, 2, ...).
class VectorSource final : public Source {
 public:
  explicit VectorSource(std::vector<std::string> messages) : messages_(std::move(messages)) {}
  bool Next(Message& out) override;
  Status status() const override { return Status::Ok(); }

 private:
  std::vector<std::string> messages_;
  size_t next_ = 0;
};

// The first `count` of the CPUs the calling thread may run on (for sched_setaffinity).
cpu_set_t FirstCpus(int count);

// The value of a count another thread increments, once it stayed the same for a second or
// reached `all`: where that thread stopped (blocked) if it did.
int64_t CountWhereItStops(const std::atomic<int64_t>& count, int64_t all);

}  // namespace naap::ingest::testing
