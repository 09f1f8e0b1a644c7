#include <dirent.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "base/build_id.h"
#include "base/bytes.h"
#include "base/cpus.h"
#include "base/hash.h"
#include "base/json_writer.h"
#include "base/scoped_env.h"
#include "base/strings.h"
#include "base/temp_file.h"
#include "base/time.h"

namespace naap {
namespace {

TEST(BuildId, IsTheIdReadelfShowsForThisProgram) {
  const std::string command = "readelf -n /proc/" + std::to_string(getpid()) + "/exe";
  FILE* readelf = popen(command.c_str(), "r");
  ASSERT_NE(readelf, nullptr);
  std::string out;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof buffer, readelf)) out.append(buffer, n);
  ASSERT_EQ(pclose(readelf), 0) << out;
  const size_t at = out.find("Build ID: ");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string expected = out.substr(at + 10, out.find('\n', at) - at - 10);
  EXPECT_EQ(expected.size(), 40u);
  EXPECT_EQ(BuildId(), expected);
}

TEST(Time, FormatsRfc3339WithMillis) {
  EXPECT_EQ(FormatRfc3339Ms(1767908945298), "2026-01-08T21:49:05.298Z");
  EXPECT_EQ(FormatRfc3339Ms(1420070400000), "2015-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Ms(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Time, HourFloorAndCivilDays) {
  EXPECT_EQ(HourFloor(1767908945298), 1767906000000);
  EXPECT_EQ(HourFloor(-1), -kHourMs);
  EXPECT_EQ(DaysFromCivil(2015, 1, 1) * kDayMs, 1420070400000);
}

TEST(Strings, TrimLowerAndAddresses) {
  EXPECT_EQ(Trim("  a b \t"), "a b");
  EXPECT_EQ(TrimLower(" 0xD003 "), "0xd003");
  std::string held = "a longer value that was held before";
  AssignTrimLower(held, "\tStream_Ingest_Metrics ");
  EXPECT_EQ(held, "stream_ingest_metrics");
  EXPECT_TRUE(IsEthAddress("0xd00354656922168815Fcd1e51CBddB9e359e3C7F"));
  EXPECT_FALSE(IsEthAddress("0xd00354656922168815Fcd1e51CBddB9e359e3C7"));
  EXPECT_FALSE(IsEthAddress("10.0.1.10:8935"));
  EXPECT_TRUE(ContainsIgnoringCase("WHIP Disconnected", "whip disconnected"));
}

TEST(Hash, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(KeyDigest({"ab", "c"}), KeyDigest({"a", "bc"}));
  EXPECT_EQ(KeyDigest({"org", "id"}), KeyDigest({"org", "id"}));
  // Stored dedup keys and settled digests: these values must never change. Taken from the
  // streaming form before the parts were hashed in one call; the 300-byte part goes to the heap.
  EXPECT_EQ(KeyDigest({"evt-1"}), (Key128{0x775457a6f052a62fULL, 0xff3c70c8b4c4dab8ULL}));
  EXPECT_EQ(KeyDigest({"org", "3f6c2a9e-1b7d-4c55-9a0e-8d2f1e6b7c41"}),
            (Key128{0x6100d7af6a863cd0ULL, 0x71bbacd0c1c2b06aULL}));
  EXPECT_EQ(KeyDigest({std::string(300, 'x'), "y"}),
            (Key128{0xea104ca0fcdae32fULL, 0x05d6a0e0574b9acdULL}));
  EXPECT_EQ(KeyDigest({}), (Key128{0x99aa06d3014798d8ULL, 0x6001c324468d497fULL}));
  EXPECT_EQ(ContentHash("envelope"), ContentHash(std::string("envelope")));
  EXPECT_NE(ContentHash("envelope"), ContentHash("envelopf"));
}

TEST(Hash, HidIsShaOfPipeJoinedParts) {
  // sha256("a|b") = 0d9ab2... (first 32 hex); an empty part still adds its separator.
  EXPECT_EQ(Hid({"a", "b"}), Sha256Hex("a|b").substr(0, 32));
  EXPECT_EQ(Hid({"", "b"}), Sha256Hex("|b").substr(0, 32));
  EXPECT_EQ(Hid({"a"}).size(), 32u);
}

TEST(JsonWriter, WritesCompactEscapedJson) {
  JsonWriter w;
  w.BeginObject().Key("a").Int(1).Key("b").BeginArray().String("x\"\n").Double(0.5).Null().EndArray();
  w.Key("c").BeginObject().EndObject().EndObject();
  EXPECT_EQ(w.str(), R"({"a":1,"b":["x\"\n",0.5,null],"c":{}})");
}

// Runs of plain characters around escapes, every control character, and UTF-8 bytes as they are.
TEST(JsonWriter, EscapesEveryControlCharacterQuoteAndBackslash) {
  std::string out;
  AppendJsonEscaped(out, "");
  EXPECT_EQ(out, R"("")");
  out.clear();
  AppendJsonEscaped(out, std::string_view("ab\"cd\\ef\x01gh\x1f\x7fé\0z", 17));
  EXPECT_EQ(out, "\"ab\\\"cd\\\\ef\\u0001gh\\u001f\x7fé\\u0000z\"");
  for (int c = 0; c < 0x20; ++c) {
    out.clear();
    AppendJsonEscaped(out, std::string(1, static_cast<char>(c)));
    const std::map<int, std::string> short_forms = {
        {'\b', "\\b"}, {'\f', "\\f"}, {'\n', "\\n"}, {'\r', "\\r"}, {'\t', "\\t"}};
    char u[8];
    std::snprintf(u, sizeof u, "\\u%04x", c);
    const auto it = short_forms.find(c);
    EXPECT_EQ(out, "\"" + (it != short_forms.end() ? it->second : std::string(u)) + "\"") << c;
  }
}

// The names in `dir` other than . and ..
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  while (const dirent* e = readdir(d)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.push_back(e->d_name);
  }
  closedir(d);
  return names;
}

TEST(Cpus, UsableCpusFollowTheAffinityMaskAndOneCpuQueuesTwo) {
  cpu_set_t allowed, one;
  ASSERT_EQ(sched_getaffinity(0, sizeof allowed, &allowed), 0);
  EXPECT_EQ(UsableCpus(), CPU_COUNT(&allowed));
  CPU_ZERO(&one);
  for (int cpu = 0; cpu < CPU_SETSIZE && CPU_COUNT(&one) == 0; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) CPU_SET(cpu, &one);
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  EXPECT_EQ(UsableCpus(), 1);
  ASSERT_EQ(sched_setaffinity(0, sizeof allowed, &allowed), 0);
  EXPECT_EQ(QueueBound(392, 1), 2u);
  for (int cpus : {0, 2, 8}) EXPECT_EQ(QueueBound(392, cpus), 392u);
}

TEST(TempFile, IsCreatedInTmpdirWithoutANameAndHoldsWhatWasWritten) {
  std::string dir = "/tmp/naap-temp-file-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  {
    ScopedEnv tmpdir("TMPDIR", dir.c_str());
    TempFile file = TempFile::Create();
    ASSERT_TRUE(file.valid());
    EXPECT_TRUE(Entries(dir).empty());
    ASSERT_EQ(pwrite(file.fd(), "frame", 5, 100), 5);
    TempFile moved = std::move(file);
    EXPECT_FALSE(file.valid());
    char back[5] = {};
    ASSERT_EQ(pread(moved.fd(), back, 5, 100), 5);
    EXPECT_EQ(std::string(back, 5), "frame");
  }
  {
    ScopedEnv missing("TMPDIR", (dir + "/missing").c_str());
    EXPECT_FALSE(TempFile::Create().valid());
  }
  EXPECT_TRUE(Entries(dir).empty());
  EXPECT_EQ(rmdir(dir.c_str()), 0);
}

}  // namespace
}  // namespace naap

namespace naap {
namespace {

TEST(Bytes, RoundTripsEveryKindAndRejectsTruncation) {
  std::string buf;
  ByteWriter w(buf);
  w.Varint(300);
  w.Int(-5);
  w.String("héllo");
  w.Fixed64(0x0102030405060708ULL);
  unsigned __int128 big = (static_cast<unsigned __int128>(1) << 127) - 1;
  w.U128(big);
  w.Bool(true);
  EXPECT_EQ(static_cast<uint8_t>(buf[0]), 0xAC);  // 300 = 0b10_0101100 → AC 02
  EXPECT_EQ(static_cast<uint8_t>(buf[1]), 0x02);
  EXPECT_EQ(static_cast<uint8_t>(buf[2]), 9);     // zigzag(-5) = 9

  ByteReader r(buf);
  uint64_t v;
  int64_t i;
  std::string s;
  uint64_t f;
  unsigned __int128 u;
  bool b;
  ASSERT_TRUE(r.Varint(v) && r.Int(i) && r.String(s) && r.Fixed64(f) && r.U128(u) && r.Bool(b));
  EXPECT_EQ(v, 300u);
  EXPECT_EQ(i, -5);
  EXPECT_EQ(s, "héllo");
  EXPECT_EQ(f, 0x0102030405060708ULL);
  EXPECT_TRUE(u == big);
  EXPECT_TRUE(b);
  EXPECT_TRUE(r.done());

  ByteReader truncated(std::string_view(buf).substr(0, 5));
  ASSERT_TRUE(truncated.Varint(v) && truncated.Int(i));
  EXPECT_FALSE(truncated.String(s));  // length 6 but only 2 bytes left

  ByteReader overlong(std::string_view("\x80\x00", 2));  // 0 with a trailing zero group
  EXPECT_FALSE(overlong.Varint(v));
  ByteReader too_wide(std::string_view("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10));
  EXPECT_FALSE(too_wide.Varint(v));
}

}  // namespace
}  // namespace naap
