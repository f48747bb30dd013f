#include "common/uuid.hpp"

#include <sys/random.h>

#include <cstring>
#include <stdexcept>

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
  static const char kHex[] = "0123456789abcdef";
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) out[pos++] = kHex[(v >> (i * 4)) & 15];
  };
  put(hi >> 32, 8);
  out[pos++] = '-';
  put((hi >> 16) & 0xffff, 4);
  out[pos++] = '-';
  put(hi & 0xffff, 4);
  out[pos++] = '-';
  put(lo >> 48, 4);
  out[pos++] = '-';
  put(lo & 0xffffffffffffULL, 12);
}

std::string UuidV7Generator::next(int64_t unix_ms) {
  std::string s(kUuidLength, '\0');
  next(unix_ms, s.data());
  return s;
}

}  // namespace traild
