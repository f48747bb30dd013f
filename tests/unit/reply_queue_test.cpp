#include "daemon/reply_queue.hpp"

#include <gtest/gtest.h>

namespace traild {
namespace {

TEST(ReplyQueue, ReleasesRepliesBatchByBatchInOrder) {
  ReplyQueue q;
  q.add(1, "a\n");
  q.add(1, "b\n");
  q.add(2, "c\n");
  EXPECT_EQ(q.sendable(), "");
  q.release(1);
  EXPECT_EQ(q.sendable(), "a\nb\n");
  q.consume(3);
  EXPECT_EQ(q.sendable(), "\n");
  q.release(2);
  EXPECT_EQ(q.sendable(), "\nc\n");
  q.consume(3);
  EXPECT_TRUE(q.empty());
}

TEST(ReplyQueue, CompactsAfterLargeSends) {
  ReplyQueue q;
  std::string line(1000, 'x');
  for (int i = 0; i < 200; ++i) q.add(i + 1, line);
  q.release(150);
  q.consume(150 * 1000);
  EXPECT_EQ(q.held(), 50u * 1000);
  q.release(200);
  EXPECT_EQ(q.sendable().size(), 50u * 1000);
}

}  // namespace
}  // namespace traild
