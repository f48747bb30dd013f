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

TEST(ReplyQueue, CompactsAfterLargeSendsKeepingWhatIsUnsent) {
  ReplyQueue q;
  auto line = [](int i) { return std::string(999, static_cast<char>('a' + i % 26)) + "\n"; };
  for (int i = 0; i < 200; ++i) q.add(i + 1, line(i));
  q.release(150);
  q.consume(150 * 1000);  // past half of the buffer: the unsent rest moves to the front
  EXPECT_EQ(q.held(), 50u * 1000);
  EXPECT_EQ(q.sendable(), "");
  q.add(201, line(200));
  q.release(201);
  std::string expected;
  for (int i = 150; i <= 200; ++i) expected += line(i);
  EXPECT_EQ(q.sendable(), expected);
}

}  // namespace
}  // namespace traild
