#include "ingest/file_source.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ingest/byte_reader.h"
#include "ingest/test_util.h"

namespace naap::ingest {
namespace {

using testing::Drain;
using testing::Gzip;
using testing::TempDir;
using testing::Yielded;
using testing::Zstd;

// Every framing case runs with tiny chunks too, so messages straddle many buffer refills.
class FramingTest : public ::testing::TestWithParam<size_t> {
 protected:
  std::vector<Yielded> Read(const std::vector<std::string>& paths, Status* status = nullptr,
                            size_t max_buffered = 4 << 20) {
    FileSourceOptions options;
    options.chunk_bytes = GetParam();
    options.max_buffered_bytes = max_buffered;
    auto source = FileSource::Open(paths, options);
    EXPECT_TRUE(source.ok()) << source.status().ToString();
    std::vector<Yielded> got = Drain(**source);
    if (status != nullptr) {
      *status = (*source)->status();
    } else {
      EXPECT_TRUE((*source)->status().ok()) << (*source)->status().ToString();
    }
    return got;
  }
  std::vector<Yielded> ReadBytes(std::string_view bytes, Status* status = nullptr,
                                 size_t max_buffered = 4 << 20) {
    return Read({dir_.Write("input", bytes)}, status, max_buffered);
  }
  TempDir dir_;
};

void ExpectMessage(const Yielded& m, std::string_view bytes, int64_t index, int64_t offset) {
  EXPECT_EQ(m.bytes, bytes);
  EXPECT_EQ(m.index, index) << bytes;
  EXPECT_EQ(m.byte_offset, offset) << bytes;
  EXPECT_FALSE(m.broken_tail) << bytes;
  EXPECT_EQ(m.full_length, 0) << bytes;
}

TEST_P(FramingTest, NdjsonDropsCrAndSkipsBlankLines) {
  // Offsets: "a\r\n" 0-2, "\n" 3, "  \r\n" 4-7, {"x":1} at 8, "last" at 16 without LF.
  auto got = ReadBytes("a\r\n\n  \r\n{\"x\":1}\nlast");
  ASSERT_EQ(got.size(), 3u);
  ExpectMessage(got[0], "a", 1, 0);
  ExpectMessage(got[1], "{\"x\":1}", 4, 8);
  ExpectMessage(got[2], "last", 5, 16);
}

TEST_P(FramingTest, LeadingBlankLinesAndTrailingWhitespaceLine) {
  auto got = ReadBytes("\n\n \n{}\n \t\n");
  ASSERT_EQ(got.size(), 1u);
  ExpectMessage(got[0], "{}", 4, 4);
}

TEST_P(FramingTest, EmptyAndWhitespaceOnlyFilesYieldNothing) {
  EXPECT_TRUE(ReadBytes("").empty());
  EXPECT_TRUE(ReadBytes(" \r\n\n").empty());
  EXPECT_TRUE(ReadBytes("\xEF\xBB\xBF").empty());
}

TEST_P(FramingTest, BomIsSkippedButCountsInOffsets) {
  auto got = ReadBytes("\xEF\xBB\xBF{\"a\":1}\r\n{\"b\":2}\n");
  ASSERT_EQ(got.size(), 2u);
  ExpectMessage(got[0], "{\"a\":1}", 1, 3);
  ExpectMessage(got[1], "{\"b\":2}", 2, 12);

  got = ReadBytes("\xEF\xBB\xBF \n[ {} ]");
  ASSERT_EQ(got.size(), 1u);
  ExpectMessage(got[0], "{}", 1, 7);
}

TEST_P(FramingTest, ArrayElementsAreExactSpans) {
  std::string text =
      "\n [ {\"a\":\"x]}\"} ,\n {\"b\":[1,{\"c\":\"\\\"}\"}]},17,\"s\\\"]\" , [] ]\n";
  auto got = ReadBytes(text);
  ASSERT_EQ(got.size(), 5u);
  ExpectMessage(got[0], R"({"a":"x]}"})", 1, 4);
  ExpectMessage(got[1], R"({"b":[1,{"c":"\"}"}]})", 2, text.find("{\"b\""));
  ExpectMessage(got[2], "17", 3, text.find("17"));
  ExpectMessage(got[3], R"("s\"]")", 4, text.find("\"s"));
  ExpectMessage(got[4], "[]", 5, text.find("[]"));
}

TEST_P(FramingTest, EmptyArrayYieldsNothing) { EXPECT_TRUE(ReadBytes("[ ]\n").empty()); }

TEST_P(FramingTest, BrokenArrayYieldsTheRestAsOneBrokenTail) {
  // A missing comma: the rest of the file from the fault on is one message.
  auto got = ReadBytes(R"([{"a":1}, {"b":2} {"c":3}, {"d":4}])");
  ASSERT_EQ(got.size(), 3u);
  ExpectMessage(got[0], R"({"a":1})", 1, 1);
  ExpectMessage(got[1], R"({"b":2})", 2, 10);
  EXPECT_EQ(got[2].bytes, R"({"c":3}, {"d":4}])");
  EXPECT_TRUE(got[2].broken_tail);
  EXPECT_EQ(got[2].index, 3);
  EXPECT_EQ(got[2].byte_offset, 18);

  // Truncated inside an element: the tail starts at that element.
  got = ReadBytes(R"([{"a":1},{"b":[)");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].bytes, R"({"b":[)");
  EXPECT_TRUE(got[1].broken_tail);

  // Mismatched bracket inside an element.
  got = ReadBytes(R"([{"a":[1}, {"b":2}])");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].bytes, R"({"a":[1}, {"b":2}])");
  EXPECT_TRUE(got[0].broken_tail);

  // Garbage after the closing bracket.
  got = ReadBytes("[{}] x\n");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].bytes, "x\n");
  EXPECT_TRUE(got[1].broken_tail);
}

TEST_P(FramingTest, BrokenArrayIsBadDataNotAFailure) {
  Status status;
  auto got = ReadBytes("[{},", &status);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(got[1].broken_tail);
  EXPECT_EQ(got[1].bytes, "");
  EXPECT_TRUE(status.ok());
}

TEST_P(FramingTest, GzipSingleAndMultiMember) {
  auto got = ReadBytes(Gzip("{\"a\":1}\n{\"b\":2}\n"));
  ASSERT_EQ(got.size(), 2u);
  ExpectMessage(got[1], "{\"b\":2}", 2, 8);

  // Two members; the line break falls in the second one.
  got = ReadBytes(Gzip("{\"a\":1}\n{\"b\"") + Gzip(":2}\n{\"c\":3}"));
  ASSERT_EQ(got.size(), 3u);
  ExpectMessage(got[1], "{\"b\":2}", 2, 8);
  ExpectMessage(got[2], "{\"c\":3}", 3, 16);
}

TEST_P(FramingTest, ZstdMultiFrameArray) {
  auto got = ReadBytes(Zstd("[{\"a\":1},") + Zstd("{\"b\":2}]"));
  ASSERT_EQ(got.size(), 2u);
  ExpectMessage(got[0], "{\"a\":1}", 1, 1);
  ExpectMessage(got[1], "{\"b\":2}", 2, 9);
}

TEST_P(FramingTest, CorruptZstdTailYieldsBrokenTailAndFails) {
  std::string repeated;
  for (int i = 0; i < 50; ++i) repeated += "{\"c\":3}\n";
  std::string second = Zstd(":2}\n" + repeated);  // a compressed block: nothing of it decodes
  std::string bytes = Zstd("{\"a\":1}\n{\"b\"") + second.substr(0, second.size() - 5);
  Status status;
  auto got = ReadBytes(bytes, &status);
  ASSERT_EQ(got.size(), 2u);
  ExpectMessage(got[0], "{\"a\":1}", 1, 0);
  EXPECT_TRUE(got[1].broken_tail);
  EXPECT_EQ(got[1].bytes, "{\"b\"");  // the incomplete tail decoded before the fault
  EXPECT_EQ(got[1].index, 2);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.message().find("input"), std::string::npos) << status.message();
}

TEST_P(FramingTest, GarbageInGzipFailsAfterTheGoodMember) {
  std::string bytes = Gzip("{\"a\":1}\n") + "\x1F\x8Bnot a gzip member at all";
  Status status;
  auto got = ReadBytes(bytes, &status);
  ASSERT_EQ(got.size(), 2u);
  ExpectMessage(got[0], "{\"a\":1}", 1, 0);
  EXPECT_TRUE(got[1].broken_tail);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
}

TEST_P(FramingTest, OversizedLineYieldsHeadAndFullLength) {
  std::string big(200, 'x');
  std::string fits(60, 'y');
  auto got = ReadBytes(big + "\r\n" + fits + "\n" + "ok\n", nullptr, /*max_buffered=*/64);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].bytes, std::string(64, 'x'));
  EXPECT_EQ(got[0].full_length, 200);
  EXPECT_EQ(got[0].index, 1);
  EXPECT_EQ(got[0].byte_offset, 0);
  ExpectMessage(got[1], fits, 2, 202);
  ExpectMessage(got[2], "ok", 3, 263);
}

TEST_P(FramingTest, OversizedArrayElementYieldsHeadAndFullLength) {
  std::string big = "{\"s\":\"" + std::string(300, 'z') + "\"}";
  auto got = ReadBytes("[" + big + ",{}]", nullptr, /*max_buffered=*/100);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].bytes, big.substr(0, 100));
  EXPECT_EQ(got[0].full_length, static_cast<int64_t>(big.size()));
  EXPECT_EQ(got[0].byte_offset, 1);
  ExpectMessage(got[1], "{}", 2, 2 + static_cast<int64_t>(big.size()));
}

TEST_P(FramingTest, DirectoryIsReadInLexicalPathOrder) {
  dir_.Write("in/b.ndjson", "{\"n\":3}\n");
  dir_.Write("in/a/z.ndjson", "{\"n\":2}\n");
  dir_.Write("in/a.ndjson", "{\"n\":1}\n");
  dir_.Write("c.json", "[{\"n\":4}]");
  dir_.Write("in/.hidden.ndjson", "{\"n\":0}\n");  // hidden entries are left out
  dir_.Write("in/.git/objects.ndjson", "{\"n\":0}\n");
  auto got = Read({dir_.path() + "/in", dir_.path() + "/c.json"});
  ASSERT_EQ(got.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got[i].bytes, "{\"n\":" + std::to_string(i + 1) + "}");
  EXPECT_EQ(got[0].path, dir_.path() + "/in/a.ndjson");
  EXPECT_EQ(got[1].path, dir_.path() + "/in/a/z.ndjson");
  EXPECT_EQ(got[2].path, dir_.path() + "/in/b.ndjson");
  EXPECT_EQ(got[3].path, dir_.path() + "/c.json");
}

INSTANTIATE_TEST_SUITE_P(ChunkSizes, FramingTest, ::testing::Values(1, 7, 65536));

TEST(FileSourceTest, MissingPathIsNotFound) {
  auto source = FileSource::Open({"/nonexistent/naap/input.ndjson"});
  EXPECT_EQ(source.status().code(), StatusCode::kNotFound);
}

TEST(FileSourceTest, UnreadableFileStopsWithIoError) {
  TempDir dir;
  std::string good = dir.Write("good.ndjson", "{}\n");
  std::string vanished = dir.Write("vanished.ndjson", "{}\n");
  auto source = FileSource::Open({good, vanished, good});
  ASSERT_TRUE(source.ok());
  std::filesystem::remove(vanished);  // gone between listing and reading
  auto got = Drain(**source);
  EXPECT_EQ(got.size(), 1u);
  EXPECT_EQ((*source)->status().code(), StatusCode::kIoError);
  EXPECT_NE((*source)->status().message().find("vanished.ndjson"), std::string::npos);
}

TEST(FileSourceTest, CountsInputBytesForProgress) {
  TempDir dir;
  std::string compressed = Gzip(std::string(10000, '\n') + "{}\n");
  std::string path = dir.Write("in.gz", compressed);
  auto source = FileSource::Open({path});
  ASSERT_TRUE(source.ok());
  EXPECT_EQ((*source)->total_input_bytes(), static_cast<int64_t>(compressed.size()));
  auto got = Drain(**source);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].index, 10001);
  EXPECT_EQ((*source)->input_bytes_consumed(), static_cast<int64_t>(compressed.size()));
}

TEST(ByteReaderTest, GrowsAPipesBufferAndReadsItToTheEnd) {
  int max_size = 0;
  std::ifstream("/proc/sys/fs/pipe-max-size") >> max_size;
  if (max_size < kPipeBufferBytes) GTEST_SKIP() << "pipe-max-size is " << max_size;
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_LT(::fcntl(fds[0], F_GETPIPE_SZ), kPipeBufferBytes);
  ASSERT_EQ(::write(fds[1], "{}\n{}\n", 6), 6);
  ::close(fds[1]);
  auto reader = ByteReader::Open("/dev/fd/" + std::to_string(fds[0]));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(::fcntl(fds[0], F_GETPIPE_SZ), kPipeBufferBytes);
  std::string bytes;
  while ((*reader)->Read(bytes, 4) > 0) {
  }
  EXPECT_EQ(bytes, "{}\n{}\n");
  EXPECT_TRUE((*reader)->status().ok());
  ::close(fds[0]);
}

}  // namespace
}  // namespace naap::ingest
