#include "common/line_buffer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "common/json_escape.hpp"

namespace traild {
namespace {

// Whatever is appended, in whatever sizes, the buffer holds exactly what a std::string fed
// the same calls holds: across growth, empty appends (also into a buffer never used yet,
// which the fuzzer found reaching memcpy with a null pointer) and shrinking.
TEST(LineBuffer, HoldsWhatAStringFedTheSameAppendsHolds) {
  LineBuffer buffer;
  buffer.append("");
  buffer.append(std::string_view());
  EXPECT_EQ(buffer.size(), 0u);
  std::string expected;
  for (size_t n = 0; n < 600; n += 7) {  // about 60 KB: many growths
    const std::string piece(n, static_cast<char>('a' + n % 26));
    buffer.append(piece);
    expected.append(piece);
    buffer.push_back('|');
    expected.push_back('|');
    append_json_string(buffer, "q\"\x01" + piece);
    append_json_string(expected, "q\"\x01" + piece);
    append_int(buffer, -static_cast<int64_t>(n));
    append_int(expected, -static_cast<int64_t>(n));
    append_double(buffer, static_cast<double>(n) / 8);
    append_double(expected, static_cast<double>(n) / 8);
  }
  EXPECT_TRUE(buffer.view() == expected);
  buffer.shrink_if_over(1 << 20);
  EXPECT_TRUE(buffer.view() == expected);  // under the bound: kept
  buffer.shrink_if_over(1024);
  EXPECT_EQ(buffer.size(), 0u);
  buffer.append("again");
  EXPECT_EQ(buffer.view(), "again");
}

}  // namespace
}  // namespace traild
