// same_bytes and copy_bytes, the inline equality test and copy for keys and ECS names:
// every length up to 40 bytes, against std::string_view's == and memcpy.
#include "common/short_bytes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace traild {
namespace {

TEST(ShortBytes, AgreesWithStringEqualityAtEveryLengthAndPosition) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string a(n, 'k');
    for (size_t i = 0; i < n; ++i) a[i] = static_cast<char>('a' + i % 26);
    const std::string same = a;
    EXPECT_TRUE(same_bytes(a, same)) << n;
    EXPECT_FALSE(same_bytes(a, a + "x")) << n;
    EXPECT_FALSE(same_bytes(a + "x", a)) << n;
    for (size_t i = 0; i < n; ++i) {
      std::string b = a;
      b[i] = static_cast<char>(b[i] ^ 0x80);  // differs in one bit of one byte
      EXPECT_FALSE(same_bytes(a, b)) << n << " " << i;
      EXPECT_EQ(same_bytes(a, b), std::string_view(a) == std::string_view(b));
    }
  }
}

// Copies exactly n bytes: the bytes before and after the destination range stay as they were.
TEST(ShortBytes, CopyWritesExactlyTheRange) {
  for (size_t n = 0; n <= 40; ++n) {
    std::string src(n, 'x');
    for (size_t i = 0; i < n; ++i) src[i] = static_cast<char>('a' + i % 26);
    std::string dst(n + 2, '#');
    copy_bytes(dst.data() + 1, src.data(), n);
    EXPECT_EQ(dst, "#" + src + "#") << n;
  }
}

}  // namespace
}  // namespace traild
