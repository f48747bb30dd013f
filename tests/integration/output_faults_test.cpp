// The output directory changing under traild's feet: deleted or moved away. (A file system
// turning read-only cannot be staged while traild has a file open; EROFS takes the same
// retry path as the ENOSPC of disk_full_test.)
// An acknowledged event must be in the trail afterwards, whatever happened.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace traild::test {
namespace {

std::string event(const std::string& action) { return R"({"event":{"action":")" + action + R"("}})" "\n"; }

bool in_trail(Daemon& d, const std::string& action) {
  for (auto& l : d.lines())
    if (l.find("\"action\":\"" + action + "\"") != std::string::npos) return true;
  return false;
}

TEST(OutputFaults, DeletedOrMovedDirectoryIsRecreatedAndAcknowledgedEventsAreInTheTrail) {
  Daemon d("out-deleted");
  d.start();
  Client c(d.stream());
  c.send("{\"traild\":{\"ack\":true}}\n" + event("before"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);

  fs::remove_all(d.output());
  c.send(event("after-delete"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(in_trail(d, "after-delete")) << d.log();

  fs::rename(d.output(), d.dir() / "moved-away");
  c.send(event("after-move"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(in_trail(d, "after-move")) << d.log();
  EXPECT_NE(d.log().find("deleted or moved away"), std::string::npos);
  EXPECT_EQ(d.stop(), 0);
}

}  // namespace
}  // namespace traild::test
