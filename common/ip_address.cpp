#include "common/ip_address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace traild {

namespace {

// A dotted quad exactly as inet_pton(AF_INET) takes it: four decimal parts of 0 to 255,
// no leading zeros, nothing else. Written here because ECS ip fields are checked on every
// event and most hold IPv4: this is a few instructions per byte, where inet_pton needs a
// NUL-terminated copy and ~200 instructions. A unit test compares the two.
bool is_ipv4(std::string_view s) {
  unsigned parts = 0;
  unsigned value = 0;
  size_t digits = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      if (digits == 1 && value == 0) return false;  // a leading zero
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value > 255) return false;
      ++digits;
    } else if (c == '.' && digits > 0 && parts < 3) {
      ++parts;
      value = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return parts == 3 && digits > 0;
}

}  // namespace

bool is_ip_address(std::string_view s) {
  if (is_ipv4(s)) return true;
  // Every IPv6 text has a colon; a NUL would end inet_pton's string early and pass a prefix.
  char buf[INET6_ADDRSTRLEN + 1];
  if (s.size() >= sizeof buf || s.find(':') == std::string_view::npos || s.find('\0') != std::string_view::npos)
    return false;
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  unsigned char addr[16];
  return inet_pton(AF_INET6, buf, addr) == 1;
}

}  // namespace traild
