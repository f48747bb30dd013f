#include "daemon/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace traild {

void RateLimiter::configure(uint64_t events_per_second, uint64_t burst) {
  rate_ = static_cast<double>(events_per_second) / 1000.0;
  burst_ = static_cast<double>(burst > 0 ? burst : events_per_second);
  buckets_.clear();
}

RateLimiter::Bucket& RateLimiter::refill(int64_t uid, int64_t now_ms) {
  auto it = buckets_.find(uid);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxSenders) {
      // Forget senders whose buckets are full again: they lose nothing by it.
      std::erase_if(buckets_, [&](const auto& kv) {
        return kv.second.tokens + static_cast<double>(now_ms - kv.second.updated_ms) * rate_ >= burst_;
      });
    }
    it = buckets_.emplace(uid, Bucket{burst_, now_ms}).first;
  }
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + static_cast<double>(std::max<int64_t>(0, now_ms - b.updated_ms)) * rate_);
  b.updated_ms = now_ms;
  return b;
}

bool RateLimiter::take(int64_t uid, int64_t now_ms) {
  if (!enabled()) return true;
  Bucket& b = refill(uid, now_ms);
  if (b.tokens < 1.0) return false;
  b.tokens -= 1.0;
  return true;
}

void RateLimiter::charge(int64_t uid, uint64_t n, int64_t now_ms) {
  if (!enabled() || n == 0) return;
  refill(uid, now_ms).tokens -= static_cast<double>(n);
}

int64_t RateLimiter::wait_ms(int64_t uid, int64_t now_ms) {
  if (!enabled()) return 0;
  Bucket& b = refill(uid, now_ms);
  if (b.tokens >= 1.0) return 0;
  return static_cast<int64_t>(std::ceil((1.0 - b.tokens) / rate_));
}

std::map<int64_t, uint64_t> RateLimiter::take_dropped() {
  std::map<int64_t, uint64_t> out;
  out.swap(dropped_);
  return out;
}

}  // namespace traild
