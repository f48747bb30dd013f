#include "common/uuid.hpp"

#include <sys/random.h>

#include <cstring>
#include <stdexcept>

#include "common/hex.hpp"

namespace traild {

UuidV7Generator::UuidV7Generator() {
  size_t got = 0;
  auto* p = reinterpret_cast<unsigned char*>(state_);
  while (got < sizeof state_) {
    ssize_t n = getrandom(p + got, sizeof state_ - got, 0);
    if (n < 0) throw std::runtime_error("getrandom failed");
    got += static_cast<size_t>(n);
  }
  if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0) state_[0] = 1;
}

// xoshiro256++ (Blackman and Vigna): fast, and seeded from the kernel's CSPRNG. The random
// bits make ids unguessable enough to be unique across hosts; they are not secrets.
uint64_t UuidV7Generator::random64() {
  auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
  uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

void UuidV7Generator::next(int64_t unix_ms, char* out) {
  if (unix_ms > last_ms_) {
    last_ms_ = unix_ms;
    counter_ = static_cast<uint32_t>(random64() & 0x3ff);  // leave headroom to count up
  } else {
    unix_ms = last_ms_;  // clock went back or same ms: keep order with the counter
    if (++counter_ > 0xfff) {
      ++last_ms_;
      unix_ms = last_ms_;
      counter_ = 0;
    }
  }
  uint64_t hi = (static_cast<uint64_t>(unix_ms) << 16) | 0x7000 | counter_;
  uint64_t lo = (random64() & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;
  // 8-4-4-4-12 digits: the bytes of hi and lo, most significant first, a dash after the
  // 4th, 6th, 8th and 10th.
  unsigned char bytes[16];
  for (int i = 0; i < 8; ++i) {
    bytes[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
    bytes[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
  }
  hex_encode(bytes, 4, out);
  out[8] = '-';
  hex_encode(bytes + 4, 2, out + 9);
  out[13] = '-';
  hex_encode(bytes + 6, 2, out + 14);
  out[18] = '-';
  hex_encode(bytes + 8, 2, out + 19);
  out[23] = '-';
  hex_encode(bytes + 10, 6, out + 24);
}

std::string UuidV7Generator::next(int64_t unix_ms) {
  std::string s(kUuidLength, '\0');
  next(unix_ms, s.data());
  return s;
}

}  // namespace traild
