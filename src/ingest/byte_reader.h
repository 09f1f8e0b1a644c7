#pragma once
// ByteReader: the decompressed bytes of one file (or stdin), read in chunks. Compression is
// detected by magic bytes (zstd 28 B5 2F FD, gzip 1F 8B), never by extension; multi-frame zstd
// and multi-member gzip are read to the end. A truncated or corrupt compressed stream ends the
// bytes with a non-ok status(): every byte decoded before the fault has been returned.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace naap::ingest {

enum class Compression : uint8_t { kNone, kGzip, kZstd };

// The buffer ByteReader::Open asks for when its input is a pipe (`naap simulate … | naap ingest
// -`): with Linux's default 64 KiB, a writer descheduled for a moment soon leaves the reader
// waiting. 1 MiB is the default limit for unprivileged processes (/proc/sys/fs/pipe-max-size);
// above the limit the pipe keeps its size.
inline constexpr int kPipeBufferBytes = 1 << 20;

class ByteReader {
 public:
  // `path` "-" reads standard input. Failure to open → IoError. A pipe's buffer is grown to
  // kPipeBufferBytes.
  static Result<std::unique_ptr<ByteReader>> Open(const std::string& path);
  ~ByteReader();
  ByteReader(const ByteReader&) = delete;
  ByteReader& operator=(const ByteReader&) = delete;

  // Appends up to `max_bytes` decompressed bytes to `out`; returns how many. 0 means the end of
  // the data or a failure (status() tells which).
  size_t Read(std::string& out, size_t max_bytes);
  const Status& status() const { return status_; }
  Compression compression() const { return compression_; }
  // Bytes consumed from the underlying file so far (compressed size: drives progress and ETA).
  int64_t input_bytes_consumed() const { return input_consumed_; }

  // One decompression step (gzip or zstd); defined in the .cc.
  struct Codec;

 private:
  ByteReader(int fd, std::string path);
  bool FillInput();  // false at end of input or on a read error
  size_t ReadPlain(std::string& out, size_t max_bytes);
  size_t ReadCompressed(std::string& out, size_t max_bytes);
  void Fail(Status status);

  int fd_;
  std::string path_;
  Status status_;
  Compression compression_ = Compression::kNone;
  std::unique_ptr<Codec> codec_;
  std::unique_ptr<char[]> in_;  // input as read (compressed or not), kInputChunk bytes, not zeroed
  size_t in_size_ = 0;          // bytes of in_ filled
  size_t in_pos_ = 0;           // consumed part of in_
  bool input_eof_ = false;
  bool done_ = false;
  int64_t input_consumed_ = 0;
};

}  // namespace naap::ingest
