#include "daemon/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace traild {
namespace {

TEST(RateLimiter, OffByDefault) {
  RateLimiter r;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(r.take(1, 0));
  EXPECT_EQ(r.wait_ms(1, 0), 0);
}

TEST(RateLimiter, BurstThenRatePerUid) {
  RateLimiter r;
  r.configure(10, 3);  // 10/s, burst 3
  EXPECT_TRUE(r.take(1, 0));
  EXPECT_TRUE(r.take(1, 0));
  EXPECT_TRUE(r.take(1, 0));
  EXPECT_FALSE(r.take(1, 0));
  EXPECT_TRUE(r.take(2, 0));  // another uid has its own bucket
  EXPECT_EQ(r.wait_ms(1, 0), 100);
  EXPECT_FALSE(r.take(1, 99));
  EXPECT_TRUE(r.take(1, 200));
  EXPECT_TRUE(r.take(1, 10'000));  // refilled to the burst, not beyond
  EXPECT_TRUE(r.take(1, 10'000));
  EXPECT_TRUE(r.take(1, 10'000));
  EXPECT_FALSE(r.take(1, 10'000));
}

TEST(RateLimiter, ChargedDebtIsWaitedOff) {
  RateLimiter r;
  r.configure(100, 0);  // burst = one second's worth
  r.charge(7, 300, 0);  // 100 - 300 = -200 tokens
  EXPECT_EQ(r.wait_ms(7, 0), 2010);
  EXPECT_GT(r.wait_ms(7, 2000), 0);
  EXPECT_EQ(r.wait_ms(7, 2010), 0);
}

TEST(RateLimiter, DropsAreCountedPerUidAndTakenOnce) {
  RateLimiter r;
  r.count_drop(5);
  r.count_drop(5);
  r.count_drop(9);
  EXPECT_EQ(r.take_dropped(), (std::map<int64_t, uint64_t>{{5, 2}, {9, 1}}));
  EXPECT_TRUE(r.take_dropped().empty());
}

}  // namespace
}  // namespace traild
