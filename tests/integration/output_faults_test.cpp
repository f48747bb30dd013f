// The output directory changing under traild's feet: deleted or moved away. (A file system
// turning read-only cannot be staged while traild has a file open; EROFS takes the same
// retry path as the ENOSPC of disk_full_test.)
// An acknowledged event must be in the trail afterwards, whatever happened.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace traild::test {
namespace {

bool in_trail(Daemon& d, const std::string& action) { return count_action(d.lines(), action) > 0; }

TEST(OutputFaults, DeletedOrMovedDirectoryIsRecreatedAndAcknowledgedEventsAreInTheTrail) {
  Daemon d("out-deleted");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + event_frame("before"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);

  fs::remove_all(d.output());
  c.send(event_frame("after-delete"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(in_trail(d, "after-delete")) << d.log();

  fs::rename(d.output(), d.dir() / "moved-away");
  c.send(event_frame("after-move"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(in_trail(d, "after-move")) << d.log();
  EXPECT_NE(d.log().find("deleted or moved away"), std::string::npos);
  EXPECT_EQ(d.stop(), 0);
}

// A symlink put where the output directory was is never followed: nothing is written
// through it and nothing is acknowledged until a real directory is back.
TEST(OutputFaults, SymlinkInPlaceOfTheDirectoryIsNeverFollowed) {
  Daemon d("out-symlink");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + event_frame("before"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  const fs::path elsewhere = d.dir() / "elsewhere";
  fs::create_directories(elsewhere);
  fs::remove_all(d.output());
  fs::create_directory_symlink(elsewhere, d.output());
  c.send(event_frame("through-symlink"));
  ASSERT_TRUE(wait_until([&] { return d.log().find("Too many levels of symbolic links") != std::string::npos; }))
      << d.log();
  EXPECT_EQ(c.read_line(std::chrono::milliseconds(200)), "") << "acknowledged while nothing could be written";
  EXPECT_TRUE(fs::is_empty(elsewhere));
  fs::remove(d.output());  // the symlink goes: traild makes the directory again
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(in_trail(d, "through-symlink"));
  EXPECT_TRUE(fs::is_empty(elsewhere));
  EXPECT_EQ(d.stop(), 0);
}

}  // namespace
}  // namespace traild::test
