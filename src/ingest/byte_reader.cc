#include "ingest/byte_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>

namespace naap::ingest {
namespace {

// As much as a full pipe holds: one read empties it, with one system call and one wake-up of the
// writer where reads of 64 KiB took sixteen (docs/benchmarks.md, "Changes tried").
constexpr size_t kInputChunk = kPipeBufferBytes;

Compression DetectCompression(std::string_view head) {
  if (head.size() >= 4 && head.substr(0, 4) == std::string_view("\x28\xB5\x2F\xFD", 4)) {
    return Compression::kZstd;
  }
  if (head.size() >= 2 && head.substr(0, 2) == std::string_view("\x1F\x8B", 2)) {
    return Compression::kGzip;
  }
  return Compression::kNone;
}

}  // namespace

// One decompression step over a slice of input into a slice of output.
struct ByteReader::Codec {
  virtual ~Codec() = default;
  virtual Status Step(const char* in, size_t in_size, size_t* in_used, char* out, size_t out_size,
                      size_t* out_made) = 0;
  // True when everything consumed so far forms complete frames / members.
  virtual bool AtBoundary() const = 0;
};

namespace {

class GzipCodec final : public ByteReader::Codec {
 public:
  GzipCodec() { ok_ = inflateInit2(&z_, 15 + 16) == Z_OK; }
  ~GzipCodec() override { inflateEnd(&z_); }

  Status Step(const char* in, size_t in_size, size_t* in_used, char* out, size_t out_size,
              size_t* out_made) override {
    if (!ok_) return Internal("zlib: inflateInit2 failed");
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
    z_.avail_in = static_cast<uInt>(in_size);
    z_.next_out = reinterpret_cast<Bytef*>(out);
    z_.avail_out = static_cast<uInt>(out_size);
    int rc = inflate(&z_, Z_NO_FLUSH);
    *in_used = in_size - z_.avail_in;
    *out_made = out_size - z_.avail_out;
    if (rc == Z_STREAM_END) {
      // One member done; the next bytes, if any, start another member.
      at_boundary_ = true;
      inflateReset(&z_);
      return Status::Ok();
    }
    if (rc == Z_OK || rc == Z_BUF_ERROR) {
      if (*in_used > 0) at_boundary_ = false;
      return Status::Ok();
    }
    return Corruption(std::string("gzip: ") + (z_.msg != nullptr ? z_.msg : "corrupt stream"));
  }
  bool AtBoundary() const override { return at_boundary_; }

 private:
  z_stream z_{};
  bool ok_ = false;
  bool at_boundary_ = false;
};

class ZstdCodec final : public ByteReader::Codec {
 public:
  ZstdCodec() : ctx_(ZSTD_createDCtx()) {}
  ~ZstdCodec() override { ZSTD_freeDCtx(ctx_); }

  Status Step(const char* in, size_t in_size, size_t* in_used, char* out, size_t out_size,
              size_t* out_made) override {
    if (ctx_ == nullptr) return Internal("zstd: cannot create context");
    ZSTD_inBuffer input{in, in_size, 0};
    ZSTD_outBuffer output{out, out_size, 0};
    size_t rc = ZSTD_decompressStream(ctx_, &output, &input);
    *in_used = input.pos;
    *out_made = output.pos;
    if (ZSTD_isError(rc)) return Corruption(std::string("zstd: ") + ZSTD_getErrorName(rc));
    if (input.pos > 0 || output.pos > 0) at_boundary_ = rc == 0;
    return Status::Ok();
  }
  bool AtBoundary() const override { return at_boundary_; }

 private:
  ZSTD_DCtx* ctx_;
  bool at_boundary_ = false;
};

}  // namespace

Result<std::unique_ptr<ByteReader>> ByteReader::Open(const std::string& path) {
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
    ::fcntl(fd, F_SETPIPE_SZ, kPipeBufferBytes);  // best effort: the pipe still works without
  }
  std::unique_ptr<ByteReader> reader(new ByteReader(fd, path));
  while (reader->in_size_ < 4 && reader->FillInput()) {
  }
  if (!reader->status_.ok()) return reader->status_;
  reader->compression_ = DetectCompression(std::string_view(reader->in_.get(), reader->in_size_));
  if (reader->compression_ == Compression::kGzip) reader->codec_ = std::make_unique<GzipCodec>();
  if (reader->compression_ == Compression::kZstd) reader->codec_ = std::make_unique<ZstdCodec>();
  return reader;
}

ByteReader::ByteReader(int fd, std::string path)
    : fd_(fd), path_(std::move(path)), in_(std::make_unique_for_overwrite<char[]>(kInputChunk)) {}

ByteReader::~ByteReader() {
  if (fd_ != STDIN_FILENO) ::close(fd_);
}

void ByteReader::Fail(Status status) {
  if (status_.ok()) status_ = Status(status.code(), path_ + ": " + status.message());
  done_ = true;
}

bool ByteReader::FillInput() {
  if (input_eof_) return false;
  // The unread bytes (fewer than 4, or none) move to the front so a whole chunk can follow.
  std::memmove(in_.get(), in_.get() + in_pos_, in_size_ - in_pos_);
  in_size_ -= in_pos_;
  in_pos_ = 0;
  ssize_t n;
  do {
    n = ::read(fd_, in_.get() + in_size_, kInputChunk - in_size_);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    input_eof_ = true;
    Fail(IoError(std::strerror(errno)));
    return false;
  }
  in_size_ += static_cast<size_t>(n);
  input_consumed_ += n;
  if (n == 0) input_eof_ = true;
  return n > 0;
}

size_t ByteReader::Read(std::string& out, size_t max_bytes) {
  if (done_ || max_bytes == 0) return 0;
  return codec_ == nullptr ? ReadPlain(out, max_bytes) : ReadCompressed(out, max_bytes);
}

size_t ByteReader::ReadPlain(std::string& out, size_t max_bytes) {
  if (in_pos_ == in_size_ && !FillInput()) {
    done_ = true;
    return 0;
  }
  size_t n = std::min(max_bytes, in_size_ - in_pos_);
  out.append(in_.get() + in_pos_, n);
  in_pos_ += n;
  return n;
}

size_t ByteReader::ReadCompressed(std::string& out, size_t max_bytes) {
  size_t old = out.size();
  out.resize(old + max_bytes);
  size_t made = 0;
  while (made == 0 && !done_) {
    if (in_pos_ == in_size_) FillInput();
    if (done_) break;  // read error
    size_t available = in_size_ - in_pos_;
    size_t used = 0;
    Status st =
        codec_->Step(in_.get() + in_pos_, available, &used, out.data() + old, max_bytes, &made);
    in_pos_ += used;
    if (!st.ok()) {
      Fail(st);
    } else if (made == 0 && used == 0) {
      if (available > 0) {
        Fail(Corruption("decompressor made no progress"));
      } else if (input_eof_) {
        if (!codec_->AtBoundary()) Fail(Corruption("truncated compressed stream"));
        done_ = true;
      }
    }
  }
  out.resize(old + made);
  return made;
}

}  // namespace naap::ingest
