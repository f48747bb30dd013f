#include "common/line_buffer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
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

// Integers are written in place (LineBuffer::room): every digit and sign of the extremes,
// at the start of a buffer never used and where the digits cross the end of its capacity.
TEST(LineBuffer, IntegersAreWrittenWholeWhereverTheBufferEnds) {
  const int64_t ints[] = {0, -1, 7, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()};
  const uint64_t uints[] = {0, 9, 10, 1'000'000, std::numeric_limits<uint64_t>::max()};
  for (size_t filled : {size_t{0}, size_t{1000}, size_t{1010}, size_t{1023}}) {
    LineBuffer buffer;
    std::string expected;
    buffer.append(std::string(filled, 'x'));  // the first growth gives 1,024 bytes
    expected.append(filled, 'x');
    for (size_t i = 0; i < 5; ++i) {
      append_int(buffer, ints[i]);
      append_uint(buffer, uints[i]);
      append_int(expected, ints[i]);
      append_uint(expected, uints[i]);
    }
    EXPECT_EQ(expected.substr(filled), std::string("0") + "0" + "-1" + "9" + "7" + "10" + "-9223372036854775808" +
                                           "1000000" + "9223372036854775807" + "18446744073709551615");
    EXPECT_TRUE(buffer.view() == expected) << "after " << filled << " bytes";
  }
}

}  // namespace
}  // namespace traild
