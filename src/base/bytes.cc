#include "base/bytes.h"

#include <cstring>

namespace naap {

void ByteWriter::LongVarint(uint64_t v) {
  // Built on the stack and appended once: one capacity check instead of one per byte.
  char bytes[10];
  size_t n = 0;
  while (v >= 0x80) {
    bytes[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  bytes[n++] = static_cast<char>(v);
  out_.append(bytes, n);
}

void ByteWriter::Fixed64(uint64_t v) {
  char buf[8];
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>(v >> (8 * i));
  out_.append(buf, 8);
}

bool ByteReader::Varint(uint64_t& v) {
  v = 0;
  for (size_t i = 0; i < 10 && pos_ + i < in_.size(); ++i) {
    const auto byte = static_cast<uint8_t>(in_[pos_ + i]);
    if (i == 9 && byte > 1) return false;  // more than 64 bits
    v |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (byte == 0 && i > 0) return false;  // overlong: a trailing zero group
      pos_ += i + 1;
      return true;
    }
  }
  return false;
}

bool ByteReader::String(std::string& s) {
  std::string_view view;
  if (!String(view)) return false;
  s.assign(view);
  return true;
}

bool ByteReader::String(std::string_view& s) {
  uint64_t n;
  if (!Varint(n) || n > in_.size() - pos_) return false;
  s = in_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool ByteReader::Fixed64(uint64_t& v) {
  if (in_.size() - pos_ < 8) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
  pos_ += 8;
  return true;
}

bool ByteReader::Bool(bool& b) {
  if (pos_ >= in_.size() || static_cast<uint8_t>(in_[pos_]) > 1) return false;
  b = in_[pos_++] == 1;
  return true;
}

}  // namespace naap
