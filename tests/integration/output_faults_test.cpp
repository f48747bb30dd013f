// The output directory changing under traild's feet (deleted, moved away, replaced by a
// symlink, made read-only), and the disk failing to sync.
// An acknowledged event must be in the trail afterwards, whatever happened.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "harness.hpp"

namespace traild::test {
namespace {

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TRAILD_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(TRAILD_TEST_TSAN)
constexpr bool kUnderTsan = true;
#else
constexpr bool kUnderTsan = false;
#endif

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

// Everything traild keeps removed at once (a cleanup that wipes its whole directory): the
// state directory comes back with the output directory, the next event is written and
// acknowledged, and SIGTERM still drains and exits.
TEST(OutputFaults, DeletedStateAndOutputDirectoriesAreRecreated) {
  Daemon d("state-deleted");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + event_frame("before"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);

  fs::remove_all(d.dir() / "state");
  fs::remove_all(d.output());
  c.send(event_frame("after-wipe"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos) << d.log();
  EXPECT_TRUE(in_trail(d, "after-wipe")) << d.log();
  EXPECT_TRUE(fs::exists(d.dir() / "state")) << d.log();
  EXPECT_EQ(d.stop(), 0) << d.log();
}

// When the next file cannot open because the counters cannot be saved (a file stands where
// the state directory was), the error names the state file, not the output directory, and
// nothing is acknowledged until it can be saved again.
TEST(OutputFaults, AStateFileThatCannotBeSavedIsNamedInTheError) {
  Daemon d("state-blocked");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + event_frame("before"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);

  const fs::path state = d.dir() / "state";
  fs::remove_all(state);
  std::ofstream(state) << "not a directory\n";
  fs::remove_all(d.output());  // the active file is gone: the next event needs a new one
  c.send(event_frame("blocked"));
  const std::string named = "cannot write to " + state.string() + "/";
  ASSERT_TRUE(wait_until([&] { return d.log().find(named) != std::string::npos; })) << d.log();
  EXPECT_EQ(d.log().find("cannot write to " + d.output().string() + ":"), std::string::npos) << d.log();
  EXPECT_EQ(c.read_line(std::chrono::milliseconds(200)), "") << "acknowledged while nothing could be written";
  fs::remove(state);
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos) << d.log();
  EXPECT_TRUE(in_trail(d, "blocked"));
  EXPECT_EQ(d.stop(), 0) << d.log();
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

// The output directory turning read-only: the active file still takes lines, but the next
// file cannot be created. Nothing that is not written is acknowledged; when the directory
// is writable again everything is written, once. (traild runs as another user here: root
// ignores directory permissions, and a read-only remount is refused while a file is open.)
TEST(OutputFaults, ReadOnlyOutputDirectoryHoldsAcknowledgementsUntilWritableAgain) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run traild as another user";
  Daemon d("out-readonly", "  rotate: {max_size: 4KiB, interval: 1d}\n", "input:\n  max_event_bytes: 4KiB\n");
  d.run_as(65534, 65534);
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + event_frame("before"));
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos) << d.log();
  fs::permissions(d.output(), fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                  fs::perms::group_exec);
  // 40 events of ~450 bytes need new files, which cannot be created now.
  std::string frames;
  for (int i = 0; i < 40; ++i)
    frames += R"({"event":{"action":"read-only","id":"ro-)" + std::to_string(i) + R"("},"message":")" +
              std::string(200, 'r') + "\"}\n";
  c.send(frames);
  ASSERT_TRUE(wait_until([&] { return d.log().find("Permission denied") != std::string::npos; })) << d.log();
  int acked = 0;
  while (!c.read_line(std::chrono::milliseconds(100)).empty()) ++acked;
  EXPECT_LT(acked, 40) << "acknowledged what could not be written";
  fs::permissions(d.output(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  for (; acked < 40; ++acked) ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos) << d.log();
  ASSERT_EQ(d.stop(), 0);
  std::map<std::string, int> seen;
  for (const auto& l : d.lines()) ++seen[json_field(l, "id")];
  for (int i = 0; i < 40; ++i) EXPECT_EQ(seen["ro-" + std::to_string(i)], 1) << "ro-" << i;
}

// fdatasync failing in the real binary (a preloaded library fails it while a flag file
// exists): nothing is acknowledged while it fails, traild writes the group again into a new
// file (after a failed fdatasync the kernel may have dropped the pages, and a later one can
// succeed without them), every event is acknowledged once syncing works, and both verifiers
// accept the trail with the repeated lines.
TEST(OutputFaults, FailingFdatasyncHoldsAcknowledgementsAndTheGroupIsWrittenAgain) {
  if (kUnderTsan) GTEST_SKIP() << "TSan's own fdatasync interceptor in the binary is found before a preloaded library";
  Daemon d("out-fsync", "  durability: fsync\n");
  const fs::path flag = d.dir() / "fail-sync";
  d.set_env("LD_PRELOAD", FAIL_FSYNC_LIB);
  d.set_env("TRAILD_TEST_FAIL_SYNC", flag.string());
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + R"({"event":{"action":"sync","id":"s-0"}})" "\n");
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);

  std::ofstream(flag).put('1');
  std::string group;
  for (int i = 1; i <= 10; ++i) group += R"({"event":{"action":"sync","id":"s-)" + std::to_string(i) + R"("}})" "\n";
  c.send(group);
  // The file is left as it is; retrying, traild fails to save its state for a new file and
  // to checkpoint the retired one, and keeps retrying.
  ASSERT_TRUE(wait_until([&] {
    const std::string log = d.log();
    return log.find("fdatasync failed") != std::string::npos && log.find("cannot write a checkpoint") != std::string::npos;
  })) << d.log();
  EXPECT_EQ(c.read_line(std::chrono::milliseconds(1)), "") << "acknowledged while fdatasync fails";
  fs::remove(flag);
  for (int i = 1; i <= 10; ++i) {
    std::string ack = c.read_line();
    EXPECT_NE(ack.find("\"id\":\"s-" + std::to_string(i) + "\""), std::string::npos) << ack;
    EXPECT_NE(ack.find("\"ok\":true"), std::string::npos) << ack;
  }
  ASSERT_EQ(d.stop(), 0);

  // Each event is in the last file once; the first file may hold the group too.
  std::map<std::string, int> seen;
  for (const auto& l : d.lines()) ++seen[json_field(l, "id")];
  for (int i = 0; i <= 10; ++i) {
    const int n = seen["s-" + std::to_string(i)];
    EXPECT_TRUE(n == 1 || (i > 0 && n == 2)) << "s-" << i << " written " << n << " times";
  }
  auto verify = run_command(std::string(TRAILCTL_BIN) + " verify " + d.output().string());
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_NE(verify.output.find("starts again at sequence"), std::string::npos) << verify.output;
  auto python = run_command("python3 " + (fs::path(TRAILD_SOURCE_DIR) / "tests/tools/verify_trail.py").string() + " " +
                            d.output().string());
  EXPECT_EQ(python.exit_code, 0) << python.output;
}

}  // namespace
}  // namespace traild::test
