// Unaligned word loads, an equality test and a copy for short byte strings (JSON keys, ECS
// names), inline: those are compared and copied on every field of every event, and a call
// to memcmp or memcpy for a key of a few bytes cost more than the work (callgrind).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace traild {

inline uint64_t load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint32_t load32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Copies n bytes, sizeof(Word) <= n <= 2 * sizeof(Word), as the first and the last Word
// (they overlap when n is less than twice the size).
template <class Word>
inline void copy_head_and_tail(char* dst, const char* src, size_t n) {
  Word head, tail;
  std::memcpy(&head, src, sizeof head);
  std::memcpy(&tail, src + n - sizeof tail, sizeof tail);
  std::memcpy(dst, &head, sizeof head);
  std::memcpy(dst + n - sizeof tail, &tail, sizeof tail);
}

// memcpy(dst, src, n), with up to 16 bytes copied in two overlapping loads and stores
// (never outside either range): the formatter copies some fifty keys and values a line,
// most of them that short.
inline void copy_bytes(char* dst, const char* src, size_t n) {
  if (n > 16) std::memcpy(dst, src, n);
  else if (n >= 8) copy_head_and_tail<uint64_t>(dst, src, n);
  else if (n >= 4) copy_head_and_tail<uint32_t>(dst, src, n);
  else
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
}

// a == b, reading each in at most two overlapping loads per 8 bytes (never outside them).
inline bool same_bytes(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(a.data());
  const auto* q = reinterpret_cast<const unsigned char*>(b.data());
  if (n >= 8) {
    for (size_t i = 0; i + 8 < n; i += 8)
      if (load64(p + i) != load64(q + i)) return false;
    return load64(p + n - 8) == load64(q + n - 8);
  }
  if (n >= 4) return load32(p) == load32(q) && load32(p + n - 4) == load32(q + n - 4);
  for (size_t i = 0; i < n; ++i)
    if (p[i] != q[i]) return false;
  return true;
}

}  // namespace traild
