// Unit tests of the router's parts: text conventions, parameter types, windows, cursors,
// keyset pagination, rate limiting and gzip.
#include <gtest/gtest.h>

#include "api/api_test_util.h"
#include "api/conventions.h"
#include "api/cursor.h"
#include "api/gzip.h"
#include "api/pagination.h"
#include "api/params.h"
#include "api/problem.h"
#include "api/rate_limiter.h"
#include "base/json_writer.h"

namespace naap::api {
namespace {

using test_util::Gunzip;
using test_util::kApr2;

TEST(JsonNumberTest, EcmaScriptFormatting) {
  const std::pair<double, std::string> cases[] = {
      {0.0, "0"},
      {-0.0, "0"},
      {2.0, "2"},
      {100000.0, "100000"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {0.000001, "0.000001"},
      {1e-7, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {0.1, "0.1"},
      {-2.5, "-2.5"},
      {123.456, "123.456"},
      {12345678.9, "12345678.9"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {0.30000000000000004, "0.30000000000000004"}};
  for (const auto& [value, text] : cases) EXPECT_EQ(JsonWriter().Double(value).str(), text) << text;
}

TEST(ConventionsTest, DurationFormat) {
  EXPECT_EQ(FormatDuration(7 * kDayMs), "7d");
  EXPECT_EQ(FormatDuration(200 * kHourMs), "200h");
  EXPECT_EQ(FormatDuration(30 * 60'000), "30m");
  EXPECT_EQ(FormatDuration(90'000), "90s");
  EXPECT_EQ(FormatDuration(1'500), "1500ms");
  EXPECT_EQ(FormatDuration(90 * kDayMs + 1), "7776000001ms");
}

TEST(ConventionsTest, EchoTruncatesAndEscapes) {
  EXPECT_EQ(EchoValue("abc"), "\"abc\"");
  EXPECT_EQ(EchoValue("a\"b\n"), "\"a\\\"b\\n\"");
  EXPECT_EQ(EchoValue(std::string(100, 'x')), "\"" + std::string(64, 'x') + "\"");
  // 64 code points, not bytes: é is two bytes.
  std::string accents;
  for (int i = 0; i < 70; ++i) accents += "\xC3\xA9";
  EXPECT_EQ(EchoValue(accents).size(), 2 + 128u);
  EXPECT_EQ(EchoValue("\xFF"), "\"\xEF\xBF\xBD\"");
}

TEST(ConventionsTest, FnvAndHex) {
  // FNV-1a 64 reference values.
  EXPECT_EQ(Hex16(Fnv1a64("")), "cbf29ce484222325");
  EXPECT_EQ(Hex16(Fnv1a64("a")), "af63dc4c8601ec8c");
  EXPECT_EQ(Fnv1a64("bc", Fnv1a64("a")), Fnv1a64("abc"));
}

TEST(ConventionsTest, PercentDecodingAndUtf8) {
  EXPECT_EQ(PercentDecode("a+b%2Fc", true), "a b/c");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("%zz", true), std::nullopt);
  EXPECT_EQ(PercentDecode("%4", true), std::nullopt);
  EXPECT_EQ(PercentDecode("%", true), std::nullopt);
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9llo"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
}

TEST(ProblemTest, AllSixMembers) {
  EXPECT_EQ(
      ProblemBody(404, "no route for path \"/x\"", "/x", "id1"),
      "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
      "\"detail\":\"no route for path \\\"/x\\\"\",\"instance\":\"/x\",\"request_id\":\"id1\"}\n");
  EXPECT_EQ(ProblemBody(503, "not ready: store", "/readyz", "r", "\"checks\":[]"),
            "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
            "\"detail\":\"not ready: "
            "store\",\"instance\":\"/readyz\",\"request_id\":\"r\",\"checks\":[]}\n");
}

TEST(ParamsTest, QueryDecoding) {
  auto query = ParseQuery("a=1&b=x+y&&c&d=%41%2B&e=");
  ASSERT_TRUE(query);
  ASSERT_EQ(query->size(), 5u);
  EXPECT_EQ((*query)[1].value, "x y");
  EXPECT_EQ((*query)[2].name, "c");
  EXPECT_EQ((*query)[2].value, "");
  EXPECT_EQ((*query)[3].value, "A+");
  EXPECT_FALSE(ParseQuery("a=%G1"));
  EXPECT_FALSE(ParseQuery("a=%C3"));  // invalid UTF-8 after decoding
}

TEST(ParamsTest, Times) {
  EXPECT_EQ(ParseTime("2026-04-02T00:00:00Z"), kApr2);
  EXPECT_EQ(ParseTime("2026-04-02t00:00:00z"), kApr2);
  EXPECT_EQ(ParseTime("2026-04-02T02:00:00+02:00"), kApr2);
  EXPECT_EQ(ParseTime("2026-04-02T02:00:00 02:00"), kApr2);  // '+' decoded as a space
  EXPECT_EQ(ParseTime("2026-04-01T22:30:00-01:30"), kApr2);
  EXPECT_EQ(ParseTime("2026-04-02T00:00:00.123456789Z"), kApr2 + 123);
  EXPECT_EQ(ParseTime("2026-04-02T00:00:00.5Z"), kApr2 + 500);
  EXPECT_EQ(ParseTime("1775000000000"), 1775000000000);
  EXPECT_EQ(ParseTime("0"), 0);
  for (std::string_view bad :
       {"yesterday", "2026-04-02", "2026-04-02T00:00:00", "2026-02-30T00:00:00Z",
        "2026-04-02T24:00:00Z", "2026-04-02T00:00:00.Z", "2026-04-02T00:00:00.1234567890Z",
        "1234567890123456", "-5", " 2026-04-02T00:00:00Z", "2026-04-02T00:00:00+0200"}) {
    EXPECT_EQ(ParseTime(bad), std::nullopt) << bad;
  }
}

TEST(ParamsTest, Durations) {
  EXPECT_EQ(ParseDuration("24"), 24 * kHourMs);
  EXPECT_EQ(ParseDuration("24h"), 24 * kHourMs);
  EXPECT_EQ(ParseDuration("30m"), 30 * 60'000);
  EXPECT_EQ(ParseDuration("7d"), 7 * kDayMs);
  EXPECT_EQ(ParseDuration("999999d"), 999999 * kDayMs);
  for (std::string_view bad :
       {"1.5h", "0h", "0", "", "h", "1000000h", "24s", "-1h", "24H", "01h"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
  }
}

TEST(ParamsTest, TypeReasons) {
  const auto reason = [](ParamSpec spec, std::string_view value) {
    Result<std::string> r = NormalizeParam(spec, value);
    return r.ok() ? "ok:" + r.value() : r.status().message();
  };
  EXPECT_EQ(reason({.type = ParamType::kTime}, "yesterday"),
            "invalid time \"yesterday\": expected RFC 3339 or epoch milliseconds");
  EXPECT_EQ(reason({.type = ParamType::kTime}, "2026-04-02T00:00:00Z"), "ok:1775088000000");
  EXPECT_EQ(reason({.type = ParamType::kDuration}, "1.5h"),
            "invalid duration \"1.5h\": expected <n>m, <n>h, <n>d or a whole number of hours");
  const ParamSpec limit{.type = ParamType::kInt, .min = 1, .max = 1000};
  EXPECT_EQ(reason(limit, "0"), "must be an integer between 1 and 1000, got \"0\"");
  EXPECT_EQ(reason(limit, "+5"), "must be an integer between 1 and 1000, got \"+5\"");
  EXPECT_EQ(reason(limit, "99999999999999999999"),
            "must be an integer between 1 and 1000, got \"99999999999999999999\"");
  EXPECT_EQ(reason(limit, "007"), "ok:7");
  EXPECT_EQ(reason({.type = ParamType::kBool}, "yes"), "must be true or false, got \"yes\"");
  const ParamSpec failure{
      .type = ParamType::kEnum,
      .enum_values = {"no_orch", "startup_failed", "loading_only", "zero_output"}};
  EXPECT_EQ(reason(failure, "boom"),
            "must be one of no_orch, startup_failed, loading_only, zero_output; got \"boom\"");
  EXPECT_EQ(reason({.type = ParamType::kOrg}, "Daydream"),
            "must match [a-z0-9][a-z0-9_-]{0,63}, got \"Daydream\"");
  EXPECT_EQ(reason({.type = ParamType::kOrg}, "day_dream-1"), "ok:day_dream-1");
  EXPECT_EQ(reason({.type = ParamType::kOrg}, "-x"),
            "must match [a-z0-9][a-z0-9_-]{0,63}, got \"-x\"");
  EXPECT_EQ(reason({.type = ParamType::kAddress}, "0x12"),
            "must be a 0x-prefixed 40-hex-digit address, got \"0x12\"");
  EXPECT_EQ(reason({.type = ParamType::kAddress}, "0xABCDEF0000000000000000000000000000000001"),
            "ok:0xabcdef0000000000000000000000000000000001");
  const std::string id_reason =
      "must be 1 to 256 bytes without control characters or surrounding spaces";
  EXPECT_EQ(reason({.type = ParamType::kId}, " x"), id_reason);
  EXPECT_EQ(reason({.type = ParamType::kId}, "a\tb"), id_reason);
  EXPECT_EQ(reason({.type = ParamType::kId}, std::string(257, 'a')), id_reason);
  EXPECT_EQ(reason({.type = ParamType::kId}, "stream one"), "ok:stream one");
  EXPECT_EQ(reason({.type = ParamType::kCap}, "nomodel"),
            "must be \"<pipeline>/<model>\", got \"nomodel\"");
  EXPECT_EQ(reason({.type = ParamType::kCap}, "live-video-to-video/streamdiffusion"),
            "ok:live-video-to-video/streamdiffusion");
  EXPECT_EQ(reason({.type = ParamType::kCap}, "a/b/c"), "ok:a/b/c");  // split at the first '/'
  EXPECT_EQ(reason({.type = ParamType::kCap}, "/b"), "must be \"<pipeline>/<model>\", got \"/b\"");
}

TEST(WindowTest, ResolutionTable) {
  const WindowSpec spec{.default_width = kDayMs};
  const Millis now = kApr2 + 10 * kHourMs + 17 * 60'000;
  const Millis max = 90 * kDayMs;
  const auto window = [&](std::optional<Millis> s, std::optional<Millis> e,
                          std::optional<Millis> w) {
    Result<Window> r = ResolveWindow(spec, max, s, e, w, now);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? std::make_pair(r->start, r->end) : std::make_pair(Millis{-1}, Millis{-1});
  };
  EXPECT_EQ(window({}, {}, {}), std::make_pair(now - kDayMs, now));
  EXPECT_EQ(window({}, {}, 2 * kHourMs), std::make_pair(now - 2 * kHourMs, now));
  EXPECT_EQ(window(kApr2, {}, {}), std::make_pair(kApr2, now));
  EXPECT_EQ(window({}, kApr2, {}), std::make_pair(kApr2 - kDayMs, kApr2));
  EXPECT_EQ(window(kApr2 - kDayMs, kApr2, {}), std::make_pair(kApr2 - kDayMs, kApr2));
  EXPECT_EQ(window(kApr2, {}, kHourMs), std::make_pair(kApr2, kApr2 + kHourMs));
  EXPECT_EQ(window({}, kApr2, kHourMs), std::make_pair(kApr2 - kHourMs, kApr2));
  EXPECT_EQ(ResolveWindow(spec, max, kApr2, kApr2, kHourMs, now).status().message(),
            "parameters \"start\", \"end\" and \"window\" cannot be combined; give at most two");
  EXPECT_EQ(ResolveWindow(spec, max, kApr2, kApr2 - kDayMs, {}, now).status().message(),
            "window is empty or inverted: start 2026-04-02T00:00:00.000Z is not before end "
            "2026-04-01T00:00:00.000Z");
  EXPECT_EQ(ResolveWindow(spec, max, kApr2, kApr2, {}, now).status().message(),
            "window is empty or inverted: start 2026-04-02T00:00:00.000Z is not before end "
            "2026-04-02T00:00:00.000Z");
  EXPECT_EQ(ResolveWindow(spec, max, {}, {}, 91 * kDayMs, now).status().message(),
            "window of 91d exceeds the maximum of 90d for this route");
  const WindowSpec hourly{.default_width = kDayMs, .min_width = kHourMs, .max_width = 7 * kDayMs};
  EXPECT_EQ(ResolveWindow(hourly, max, {}, {}, 30 * 60'000, now).status().message(),
            "window of 30m is below the minimum of 1h for this route");
  EXPECT_EQ(ResolveWindow(hourly, max, {}, {}, 200 * kHourMs, now).status().message(),
            "window of 200h exceeds the maximum of 7d for this route");
}

TEST(CursorTest, RoundTripAndErrors) {
  const Cursor cursor{
      .query_hash = "0123456789abcdef", .window = Window{1, 2}, .key = {"10", "", "a\"b"}};
  const std::string text = EncodeCursor(cursor);
  EXPECT_EQ(text.find('='), std::string::npos);
  EXPECT_EQ(*Base64UrlDecode(text),
            "{\"v\":1,\"q\":\"0123456789abcdef\",\"w\":[1,2],\"k\":[\"10\",\"\",\"a\\\"b\"]}");
  Result<Cursor> decoded = DecodeCursor(text);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->query_hash, cursor.query_hash);
  EXPECT_EQ(decoded->window->start, 1);
  EXPECT_EQ(decoded->key, cursor.key);

  const auto error = [](std::string_view json) {
    return DecodeCursor(Base64UrlEncode(json)).status().message();
  };
  EXPECT_EQ(DecodeCursor("!!!").status().message(), "invalid cursor: malformed");
  EXPECT_EQ(error("not json"), "invalid cursor: malformed");
  EXPECT_EQ(error("{\"v\":2,\"q\":\"x\",\"w\":null,\"k\":[]}"),
            "invalid cursor: unsupported version");
  EXPECT_EQ(error("{\"v\":1,\"q\":1,\"w\":null,\"k\":[]}"), "invalid cursor: malformed");
  EXPECT_EQ(error("{\"v\":1,\"q\":\"x\",\"w\":[1],\"k\":[]}"), "invalid cursor: malformed");
  EXPECT_EQ(error("{\"v\":1,\"q\":\"x\",\"w\":null,\"k\":[1]}"), "invalid cursor: malformed");
  EXPECT_EQ(error("{\"v\":1,\"q\":\"x\",\"w\":null}"), "invalid cursor: malformed");
  EXPECT_TRUE(DecodeCursor(Base64UrlEncode("{\"v\":1,\"q\":\"x\",\"w\":null,\"k\":[]}")).ok());
}

TEST(CursorTest, Base64UrlAndQueryHash) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(*Base64UrlDecode("-_8"), "\xfb\xff");
  EXPECT_FALSE(Base64UrlDecode("-_8="));
  EXPECT_FALSE(Base64UrlDecode("a"));
  // The hash is over the pattern and the sorted pairs, whatever their order.
  EXPECT_EQ(QueryHash("/p", {{"b", "1"}, {"a", "2"}}), QueryHash("/p", {{"a", "2"}, {"b", "1"}}));
  EXPECT_EQ(QueryHash("/p", {{"a", "2"}}), Hex16(Fnv1a64("/p\na=2")));
  EXPECT_NE(QueryHash("/p", {{"a", "2"}}), QueryHash("/q", {{"a", "2"}}));
}

TEST(PaginationTest, KeyComparisons) {
  EXPECT_LT(CompareKeyValues(KeyKind::kWei, "99", "100"), 0);
  EXPECT_GT(CompareKeyValues(KeyKind::kWei, "340282366920938463463374607431768211455",
                             "18446744073709551616"),
            0);
  EXPECT_LT(CompareKeyValues(KeyKind::kTime, "999", "1000"), 0);
  EXPECT_LT(CompareKeyValues(KeyKind::kFloat, "9.5", "10"), 0);
  EXPECT_LT(CompareKeyValues(KeyKind::kFloat, "-1", "0.5"), 0);
  EXPECT_GT(CompareKeyValues(KeyKind::kString, "b", "B"), 0);
  EXPECT_LT(CompareKeyValues(KeyKind::kString, "", "a"), 0);
  EXPECT_LT(CompareKeyValues(KeyKind::kInt, "", "0"), 0);
  EXPECT_EQ(CompareKeyValues(KeyKind::kInt, "5", "5"), 0);
}

TEST(PaginationTest, SelectsStrictlyAfterTheKey) {
  RouteSpec route{.pattern = "/p",
                  .keyset = {{.name = "total", .kind = KeyKind::kWei, .descending = true},
                             {.name = "org", .only_with_param = "org"},
                             {.name = "address"}}};
  std::vector<ListRow> rows;
  for (auto [total, org, address] :
       {std::tuple{"1000", "a", "x"}, {"1000", "b", "x"}, {"200", "a", "y"}, {"30", "a", "z"}}) {
    rows.push_back({.key = {total, org, address}, .json = std::string(address)});
  }
  RequestContext without_org;
  const std::vector<size_t> active = ActiveKeyColumns(route, without_org);
  EXPECT_EQ(active, (std::vector<size_t>{0, 2}));
  RequestContext with_org;
  with_org.params["org"] = {"a"};
  EXPECT_EQ(ActiveKeyColumns(route, with_org), (std::vector<size_t>{0, 1, 2}));

  Result<Page> first = SelectPage(rows, route, {0, 1, 2}, std::nullopt, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->rows.size(), 2u);
  EXPECT_EQ(*first->next_key, (std::vector<std::string>{"1000", "b", "x"}));
  Result<Page> second = SelectPage(rows, route, {0, 1, 2}, first->next_key, 2);
  ASSERT_EQ(second->rows.size(), 2u);
  EXPECT_EQ(second->rows[0]->json, "y");
  EXPECT_FALSE(second->next_key);
  // Descending wei compares numerically: "200" is after "1000".
  Result<Page> after_200 =
      SelectPage(rows, route, {0, 2}, std::vector<std::string>{"200", "y"}, 10);
  ASSERT_EQ(after_200->rows.size(), 1u);
  EXPECT_EQ(after_200->rows[0]->json, "z");
  // A row whose key has neither length is a handler bug.
  rows.push_back({.key = {"1"}, .json = "bad"});
  EXPECT_EQ(SelectPage(rows, route, {0, 2}, std::nullopt, 10).status().code(),
            StatusCode::kInternal);
}

TEST(RateLimiterTest, TokenBucket) {
  RateLimiter limiter(1, 2, {});
  EXPECT_EQ(limiter.Take("a", 0), 0);
  EXPECT_EQ(limiter.Take("a", 0), 0);
  EXPECT_EQ(limiter.Take("a", 0), 1);
  EXPECT_EQ(limiter.Take("b", 0), 0);  // per client
  EXPECT_EQ(limiter.Take("a", 999), 1);
  EXPECT_EQ(limiter.Take("a", 1000), 0);
  RateLimiter slow(0.25, 1, {});
  EXPECT_EQ(slow.Take("a", 0), 0);
  EXPECT_EQ(slow.Take("a", 1000), 3);  // 0.25 tokens: 3 s until one
  RateLimiter disabled(0, 1, {});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(disabled.Take("a", 0), 0);
}

TEST(RateLimiterTest, IdleBucketsAreDropped) {
  RateLimiter limiter(1, 2, {});
  limiter.Take("a", 0);
  limiter.Take("b", 60'000);
  EXPECT_EQ(limiter.bucket_count(), 2u);
  limiter.Take("c", 180'000);  // "a" idle for 3 minutes
  EXPECT_EQ(limiter.bucket_count(), 2u);
}

TEST(RateLimiterTest, ForwardedForOnlyFromTrustedProxies) {
  RateLimiter limiter(1, 2, {ParseCidr("10.0.0.0/8").value(), ParseCidr("::1").value()});
  EXPECT_EQ(limiter.ClientIp("192.0.2.1", {"198.51.100.7"}), "192.0.2.1");
  EXPECT_EQ(limiter.ClientIp("10.1.2.3", {"198.51.100.7, 10.9.9.9"}), "198.51.100.7");
  EXPECT_EQ(limiter.ClientIp("10.1.2.3", {"203.0.113.5, 198.51.100.7", "10.9.9.9"}),
            "198.51.100.7");
  EXPECT_EQ(limiter.ClientIp("::1", {"2001:db8::1"}), "2001:db8::1");
  EXPECT_EQ(limiter.ClientIp("10.1.2.3", {}), "10.1.2.3");
  EXPECT_EQ(limiter.ClientIp("::ffff:10.0.0.1", {"198.51.100.7"}), "198.51.100.7");
  EXPECT_FALSE(ParseCidr("10.0.0.0/33").ok());
  EXPECT_FALSE(ParseCidr("nonsense").ok());
  EXPECT_TRUE(ParseCidr("2001:db8::/32").ok());
}

TEST(GzipTest, AcceptEncodingAndRoundTrip) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("br, identity"));
  EXPECT_TRUE(IsCompressibleType("application/json"));
  EXPECT_TRUE(IsCompressibleType("text/plain; version=0.0.4; charset=utf-8"));
  EXPECT_FALSE(IsCompressibleType("image/png"));
  const std::string body(5000, 'x');
  const std::string compressed = GzipCompress(body);
  ASSERT_GE(compressed.size(), 10u);
  EXPECT_EQ(compressed.substr(4, 4), std::string(4, '\0'));  // mtime 0
  EXPECT_TRUE(Gunzip(compressed) == body);
}

}  // namespace
}  // namespace naap::api
