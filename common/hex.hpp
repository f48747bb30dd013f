// Lowercase hex for digests and MACs (chain hashes, key ids, derived event ids, redaction HMACs),
// and reading hex digits (URL escapes, JSON \u escapes).
#pragma once

#include <cstddef>

namespace traild {

// Writes `n` bytes as 2n lowercase hex digits to `hex` (no terminator).
inline void hex_encode(const unsigned char* bytes, size_t n, char* hex) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; ++i) {
    hex[2 * i] = kDigits[bytes[i] >> 4];
    hex[2 * i + 1] = kDigits[bytes[i] & 15];
  }
}

// The value of one hex digit (either case), or -1.
inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace traild
