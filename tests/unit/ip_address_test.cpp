#include "common/ip_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

namespace traild {
namespace {

// What the C library says: the reference is_ip_address must agree with.
bool libc_says_ip(const std::string& s) {
  unsigned char addr[16];
  return inet_pton(AF_INET, s.c_str(), addr) == 1 || inet_pton(AF_INET6, s.c_str(), addr) == 1;
}

TEST(IpAddress, AcceptsAddressesAndRefusesTheRest) {
  for (const char* good : {"0.0.0.0", "10.1.2.3", "255.255.255.255", "192.168.0.10", "::", "::1", "fe80::1",
                           "2001:db8::8a2e:370:7334", "::ffff:10.0.0.1"})
    EXPECT_TRUE(is_ip_address(good)) << good;
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1..2.3", ".1.2.3",
                          "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4/24", "gw-1", "localhost", ":::", "1.2.3.-4",
                          "1.2.3.4:80", "12345", "1.2.3.4a"})
    EXPECT_FALSE(is_ip_address(bad)) << bad;
}

TEST(IpAddress, ATextWithANulIsNotAnAddress) {
  EXPECT_FALSE(is_ip_address(std::string_view("1.2.3.4\0junk", 12)));
  EXPECT_FALSE(is_ip_address(std::string_view("::1\0junk", 8)));
}

// Random texts over the characters addresses are made of, near the shapes that matter:
// every answer must be inet_pton's.
TEST(IpAddress, AgreesWithInetPtonOnRandomTexts) {
  std::mt19937 rng(20261206);
  const std::string alphabet = "0123456789..::abf";
  std::uniform_int_distribution<size_t> length(0, 20), pick(0, alphabet.size() - 1), octet(0, 300);
  size_t accepted = 0;
  for (int i = 0; i < 200'000; ++i) {
    std::string s;
    if (i % 2 == 0) {  // a dotted quad, sometimes out of range or with a leading zero
      for (int p = 0; p < 4; ++p) {
        if (p) s += '.';
        const size_t v = octet(rng);
        s += (v % 17 == 0 ? "0" : "") + std::to_string(v);
      }
      if (i % 10 == 0) s += alphabet[pick(rng)];
    } else {
      for (size_t n = length(rng); n > 0; --n) s += alphabet[pick(rng)];
    }
    const bool expected = libc_says_ip(s);
    accepted += expected;
    ASSERT_EQ(is_ip_address(s), expected) << '"' << s << '"';
  }
  EXPECT_GT(accepted, 10'000u);  // the texts reach the accepting paths, not only refusals
}

}  // namespace
}  // namespace traild
