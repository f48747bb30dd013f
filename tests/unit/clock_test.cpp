#include "common/clock.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <ctime>

namespace traild {
namespace {

TEST(Clock, ParsesRfc3339AndNormalisesToUtcMilliseconds) {
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("2026-03-04T05:06:07.891234-02:00")), "2026-03-04T07:06:07.891Z");
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("2026-03-04 05:06:07z")), "2026-03-04T05:06:07.000Z");
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("2024-02-29T23:59:60.5+00:00")), "2024-02-29T23:59:59.500Z");
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("1970-01-01T00:00:00Z")), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
}

// Formatting keeps the date of recent days: interleaving more days than it keeps, seconds
// within a day, instants before 1970 and milliseconds must still give each instant its own
// text, as gmtime_r spells it.
TEST(Clock, FormatsInterleavedSecondsEachAsItsOwn) {
  const int64_t seconds[] = {1764806400, 1764806401, 951782400, 1764806400, 1764892799,
                             951782400,  253402300799, -1,      -86401,     1764892800};
  for (int round = 0; round < 3; ++round)
    for (int64_t sec : seconds)
      for (int ms : {0, 7, 999}) {
        const time_t t = static_cast<time_t>(sec);
        struct tm tm {};
        gmtime_r(&t, &tm);
        char expected[96];
        std::snprintf(expected, sizeof expected, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
        EXPECT_EQ(rfc3339_ms(sec * 1000 + ms), expected) << sec << " " << ms;
      }
}

TEST(Clock, RejectsWhatIsNotRfc3339) {
  for (const char* bad : {"", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0200",
                          "2026-01-01T00:00:00Zjunk", "20260101T000000Z", "2026-01-01T00:00:00+24:00"})
    EXPECT_FALSE(parse_rfc3339_ms(bad)) << bad;
}

// parse_rfc3339_ms reads traild's own form ("2026-11-21T22:01:12.345Z") by a shortcut:
// every variation of that form, valid or not, must come out exactly as the general parser
// (parse_rfc3339) reads it.
TEST(Clock, TheShortcutForTraildsOwnFormAgreesWithTheGeneralParser) {
  auto general_ms = [](std::string_view s) -> std::optional<int64_t> {
    auto t = parse_rfc3339(s);
    if (!t) return std::nullopt;
    return t->seconds * 1000 + t->nanos / 1'000'000;
  };
  for (const char* s : {"2026-11-21T22:01:12.345Z", "2024-02-29T23:59:59.999Z", "2025-02-29T00:00:00.000Z",
                        "2024-02-29T23:59:60.500Z", "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
                        "2026-00-10T00:00:00.000Z", "2026-04-31T00:00:00.000Z", "2026-01-01t00:00:00.000Z",
                        "2026-01-01T00:00:00.000z", "2026-01-01T00:00:00,000Z", "2026-01-01 00:00:00.000Z",
                        "2026-01-01T00:00:00.0000", "2026-01-01T24:00:00.000Z", "2026-01-01T00:60:00.000Z"})
    EXPECT_EQ(parse_rfc3339_ms(s), general_ms(s)) << s;
  // Random dates and times, then one or two characters of each replaced.
  uint64_t state = 42;
  auto next = [&](uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  const char kAlphabet[] = "0123456789-:.TZtz +/";
  for (int i = 0; i < 200'000; ++i) {
    char s[32];
    std::snprintf(s, sizeof s, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", static_cast<unsigned>(next(10000)),
                  static_cast<unsigned>(next(14)), static_cast<unsigned>(next(33)), static_cast<unsigned>(next(25)),
                  static_cast<unsigned>(next(61)), static_cast<unsigned>(next(62)), static_cast<unsigned>(next(1000)));
    std::string text(s);
    for (uint64_t edits = next(3); edits > 0; --edits) text[next(text.size())] = kAlphabet[next(sizeof kAlphabet - 1)];
    ASSERT_EQ(parse_rfc3339_ms(text), general_ms(text)) << text;
  }
}

}  // namespace
}  // namespace traild
