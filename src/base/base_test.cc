#include <gtest/gtest.h>

#include "base/hash.h"
#include "base/json_writer.h"
#include "base/strings.h"
#include "base/time.h"

namespace naap {
namespace {

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
  EXPECT_TRUE(IsEthAddress("0xd00354656922168815Fcd1e51CBddB9e359e3C7F"));
  EXPECT_FALSE(IsEthAddress("0xd00354656922168815Fcd1e51CBddB9e359e3C7"));
  EXPECT_FALSE(IsEthAddress("10.0.1.10:8935"));
  EXPECT_TRUE(ContainsIgnoringCase("WHIP Disconnected", "whip disconnected"));
}

TEST(Hash, Sha256KnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(KeyDigest({"ab", "c"}), KeyDigest({"a", "bc"}));
  EXPECT_EQ(KeyDigest({"org", "id"}), KeyDigest({"org", "id"}));
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

}  // namespace
}  // namespace naap
