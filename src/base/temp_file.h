#pragma once
// An unnamed temporary file: created in $TMPDIR (else /tmp), never visible by name, and gone
// when closed, so nothing is left behind by a crash. Used for data moved out of memory.

namespace naap {

class TempFile {
 public:
  // valid() is false when no file can be created there.
  static TempFile Create();

  TempFile() = default;
  TempFile(TempFile&& other) noexcept;
  TempFile& operator=(TempFile&& other) noexcept;
  ~TempFile();

  bool valid() const { return fd_ >= 0; }
  int fd() const { return fd_; }

 private:
  explicit TempFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace naap
