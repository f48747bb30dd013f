// Lowercase hex (chain hashes, key ids) and the UUIDv7 ids traild gives events without one.
#include <gtest/gtest.h>

#include <cstdio>
#include <regex>
#include <string>

#include "common/hex.hpp"
#include "common/uuid.hpp"

namespace traild {
namespace {

TEST(Hex, EncodesEveryByteAsPrintfDoes) {
  unsigned char bytes[256];
  for (int i = 0; i < 256; ++i) bytes[i] = static_cast<unsigned char>(i);
  char hex[512];
  hex_encode(bytes, sizeof bytes, hex);
  std::string expected;
  for (int i = 0; i < 256; ++i) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", i);
    expected += two;
  }
  EXPECT_EQ(std::string(hex, sizeof hex), expected);
}

TEST(Uuid, V7CarriesTheMillisecondsVersionAndVariantAndIncreasesWithinAMillisecond) {
  UuidV7Generator gen;
  const int64_t ms = 0x0194a5d27c1eLL;  // 48 bits, as Unix milliseconds are until the year 10889
  const std::regex layout("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::string previous;
  for (int i = 0; i < 100; ++i) {
    const std::string id = gen.next(ms);
    ASSERT_EQ(id.size(), kUuidLength);
    EXPECT_TRUE(std::regex_match(id, layout)) << id;
    // The first 48 bits are the milliseconds, most significant first.
    EXPECT_EQ(id.substr(0, 8) + id.substr(9, 4), "0194a5d27c1e") << id;
    EXPECT_GT(id, previous);
    previous = id;
  }
}

}  // namespace
}  // namespace traild
