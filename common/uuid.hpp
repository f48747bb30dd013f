// UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort by time.
#pragma once

#include <cstdint>
#include <string>

namespace traild {

inline constexpr size_t kUuidLength = 36;

class UuidV7Generator {
 public:
  UuidV7Generator();  // seeded from getrandom(2)
  // Writes kUuidLength characters. Ids generated within one millisecond stay increasing
  // (RFC 9562 method 1: a counter in rand_a), so they are unique and ordered per generator.
  void next(int64_t unix_ms, char* out);
  std::string next(int64_t unix_ms);

 private:
  uint64_t random64();
  uint64_t state_[4];
  int64_t last_ms_ = -1;
  uint32_t counter_ = 0;  // 12-bit rand_a counter
};

}  // namespace traild
