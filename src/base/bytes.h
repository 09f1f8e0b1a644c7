#pragma once
// Compact binary encoding used for stored rows and raw-log entries: LEB128 varints, zigzag for
// signed values, length-prefixed strings, fixed little-endian 64-bit words. Every value has one
// encoding: ByteReader fails (returns false) on truncated input, on varints that are not in
// shortest form or exceed 64 bits, and never reads past its buffer.
#include <cstdint>
#include <string>
#include <string_view>

namespace naap {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void Varint(uint64_t v) {
    if (v < 0x80) {
      out_.push_back(static_cast<char>(v));  // most lengths: one byte, inline
    } else {
      LongVarint(v);
    }
  }
  void Int(int64_t v) { Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void String(std::string_view s) {
    Varint(s.size());
    out_.append(s);
  }
  void Fixed64(uint64_t v);
  void U128(unsigned __int128 v) {
    Fixed64(static_cast<uint64_t>(v));
    Fixed64(static_cast<uint64_t>(v >> 64));
  }
  void Bool(bool b) { out_.push_back(b ? 1 : 0); }

 private:
  void LongVarint(uint64_t v);  // two bytes or more
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }
  size_t Remaining() const { return in_.size() - pos_; }
  bool Varint(uint64_t& v);
  bool Int(int64_t& v) {
    uint64_t u;
    if (!Varint(u)) return false;
    v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
  bool String(std::string& s);
  bool String(std::string_view& s);  // a view into the input
  bool Fixed64(uint64_t& v);
  bool U128(unsigned __int128& v) {
    uint64_t lo, hi;
    if (!Fixed64(lo) || !Fixed64(hi)) return false;
    v = (static_cast<unsigned __int128>(hi) << 64) | lo;
    return true;
  }
  bool Bool(bool& b);

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace naap
