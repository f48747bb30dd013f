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

// Trails are written to in turns: at start-up the window must hold the newest ids of all
// of them together, in the order they were received.
TEST(RecentIdsCollector, KeepsTheNewestIdsOfAllTrailsByReceiveTime) {
  RecentIdsCollector collector(4);
  collector.add({"host-1", "host-2", "host-3"}, {10, 40, 70});
  collector.add({"acme-1", "acme-2", "acme-3"}, {20, 50, 60});
  collector.add({"beta-1"}, {30});
  EXPECT_EQ(collector.size(), 4u);
  RecentIds ids(3);
  collector.insert_into(ids);
  // Newest four by time are host-2 (40), acme-2 (50), acme-3 (60), host-3 (70); a window
  // of three keeps the last three inserted, so insertion followed time.
  for (const char* id : {"acme-2", "acme-3", "host-3"}) EXPECT_TRUE(ids.contains(id)) << id;
  for (const char* id : {"host-1", "host-2", "acme-1", "beta-1"}) EXPECT_FALSE(ids.contains(id)) << id;
}

}  // namespace
}  // namespace traild
