// Per-sender (uid) rate limits with a burst, like journald's RateLimitIntervalSec/Burst:
// a token bucket per uid, shared by both sockets. Stream senders over their rate are
// slowed (traild stops reading them until their bucket refills: nothing is lost);
// datagram senders over their rate are dropped and counted per uid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <unordered_map>

namespace traild {

class RateLimiter {
 public:
  // events_per_second 0 disables the limit; burst 0 means one second's worth.
  void configure(uint64_t events_per_second, uint64_t burst);
  bool enabled() const { return rate_ > 0; }

  // Takes one event's token; false when the bucket is empty (the event is over the rate).
  bool take(int64_t uid, int64_t now_ms);
  // Takes `n` tokens whatever the balance (events already read from a stream), leaving a debt.
  void charge(int64_t uid, uint64_t n, int64_t now_ms);
  // Milliseconds until `uid` has a token again; 0 when it has one now.
  int64_t wait_ms(int64_t uid, int64_t now_ms);

  // Datagrams dropped per uid since the last call.
  std::map<int64_t, uint64_t> take_dropped();
  void count_drop(int64_t uid) { ++dropped_[uid]; }

  static constexpr size_t kMaxSenders = 4096;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  Bucket& refill(int64_t uid, int64_t now_ms);

  double rate_ = 0;   // tokens per millisecond
  double burst_ = 0;  // bucket size
  std::unordered_map<int64_t, Bucket> buckets_;
  std::map<int64_t, uint64_t> dropped_;
};

}  // namespace traild
