#include "daemon/recent_ids.hpp"

#include <gtest/gtest.h>

#include <string>

namespace traild {
namespace {

TEST(RecentIds, RemembersTheLastWindowAndForgetsTheOldest) {
  RecentIds ids(1000);
  for (int i = 0; i < 5000; ++i) ids.insert("id-" + std::to_string(i));
  EXPECT_EQ(ids.size(), 1000u);
  for (int i = 0; i < 4000; ++i) EXPECT_FALSE(ids.contains("id-" + std::to_string(i))) << i;
  for (int i = 4000; i < 5000; ++i) EXPECT_TRUE(ids.contains("id-" + std::to_string(i))) << i;
}

TEST(RecentIds, InsertingAgainIsANoOp) {
  RecentIds ids(2);
  ids.insert("a");
  ids.insert("a");
  ids.insert("b");
  EXPECT_TRUE(ids.contains("a"));
  EXPECT_TRUE(ids.contains("b"));
  EXPECT_EQ(ids.size(), 2u);
}

}  // namespace
}  // namespace traild
