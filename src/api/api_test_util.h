#pragma once
// Shared by the api_core_test sources: the reference day and a gzip decoder that checks the
// stream is one complete gzip member of at most 1 MiB.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "base/time.h"

namespace naap::api::test_util {

inline constexpr Millis kApr2 = 1775088000000;  // 2026-04-02T00:00:00.000Z

inline std::string Gunzip(const std::string& data) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  inflateEnd(&stream);
  return out;
}

}  // namespace naap::api::test_util
