// Lowercase hex for digests and MACs (chain hashes, key ids, derived event ids, redaction HMACs),
// and reading hex digits (URL escapes, JSON \u escapes).
#pragma once

#include <cstddef>
#include <cstring>

namespace traild {

// The two lowercase hex digits of every byte value, so a byte is one load and one 2-byte
// store (callgrind: 384 -> about 160 instructions for a chain hash, written for every line).
struct HexPairs {
  char digits[512];
  constexpr HexPairs() : digits() {
    constexpr char kDigits[] = "0123456789abcdef";
    for (int b = 0; b < 256; ++b) {
      digits[2 * b] = kDigits[b >> 4];
      digits[2 * b + 1] = kDigits[b & 15];
    }
  }
};
inline constexpr HexPairs kHexPairs;

// Writes `n` bytes as 2n lowercase hex digits to `hex` (no terminator).
inline void hex_encode(const unsigned char* bytes, size_t n, char* hex) {
  for (size_t i = 0; i < n; ++i) std::memcpy(hex + 2 * i, kHexPairs.digits + 2 * bytes[i], 2);
}

// The value of one hex digit (either case), or -1.
inline int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace traild
