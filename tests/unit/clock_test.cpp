#include "common/clock.hpp"

#include <gtest/gtest.h>

namespace traild {
namespace {

TEST(Clock, ParsesRfc3339AndNormalisesToUtcMilliseconds) {
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("2026-03-04T05:06:07.891234-02:00")), "2026-03-04T07:06:07.891Z");
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("2026-03-04 05:06:07z")), "2026-03-04T05:06:07.000Z");
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("2024-02-29T23:59:60.5+00:00")), "2024-02-29T23:59:59.500Z");
  EXPECT_EQ(rfc3339_ms(*parse_rfc3339_ms("1970-01-01T00:00:00Z")), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_ms(0), "1970-01-01T00:00:00.000Z");
}

TEST(Clock, RejectsWhatIsNotRfc3339) {
  for (const char* bad : {"", "2026-01-01", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00+0200",
                          "2026-01-01T00:00:00Zjunk", "20260101T000000Z", "2026-01-01T00:00:00+24:00"})
    EXPECT_FALSE(parse_rfc3339_ms(bad)) << bad;
}

}  // namespace
}  // namespace traild
