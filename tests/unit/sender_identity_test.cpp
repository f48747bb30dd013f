#include "daemon/sender_identity.hpp"

#include "daemon/peer_pidfd.hpp"

#include <gtest/gtest.h>
#include <limits.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace traild {
namespace {

TEST(SenderIdentity, ResolvesALiveProcessFromProc) {
  SenderIdentity identity;
  const ProcessNames& me = identity.resolve(::getpid(), 0);
  EXPECT_EQ(me.name, "unit_tests");
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe);
  ASSERT_GT(n, 0);
  EXPECT_EQ(me.executable, std::string(exe, static_cast<size_t>(n)));
  // Cached, then revalidated by start time after the recheck interval: still the same.
  EXPECT_EQ(identity.resolve(::getpid(), 10).name, "unit_tests");
  EXPECT_EQ(identity.resolve(::getpid(), SenderIdentity::kRecheckMs * 5).name, "unit_tests");
}

// The names as JSON strings, rendered once per process, follow the names: also when a pid
// is taken by a new process (another start time) and its entry is read again.
TEST(SenderIdentity, NamesAsJsonFollowANewProcessUnderTheSamePid) {
  const std::filesystem::path root = std::filesystem::path(::testing::TempDir()) / ("fake-proc-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "4242");
  auto process = [&](const std::string& comm, const std::string& exe, int start) {
    std::ofstream(root / "4242" / "comm") << comm << "\n";
    std::filesystem::remove(root / "4242" / "exe");
    std::filesystem::create_symlink(exe, root / "4242" / "exe");
    std::string stat = "4242 (" + comm + ") S";
    for (int field = 4; field < 22; ++field) stat += " 0";
    std::ofstream(root / "4242" / "stat") << stat << " " << start << " 0 0\n";
  };
  SenderIdentity identity(root.string());
  process("first", "/bin/first", 100);
  const ProcessNames& a = identity.resolve(4242, 0);
  EXPECT_EQ(a.name_json, "\"first\"");
  EXPECT_EQ(a.executable_json, "\"/bin/first\"");
  process("sec\"ond", "/bin/second", 200);
  const ProcessNames& b = identity.resolve(4242, SenderIdentity::kRecheckMs * 2);
  EXPECT_EQ(b.name, "sec\"ond");
  EXPECT_EQ(b.name_json, "\"sec\\\"ond\"");
  EXPECT_EQ(b.executable_json, "\"/bin/second\"");
  std::filesystem::remove_all(root);
}

TEST(SenderIdentity, UnknownOrGoneProcessHasNoNames) {
  SenderIdentity identity;
  EXPECT_TRUE(identity.resolve(-1, 0).name.empty());
  EXPECT_TRUE(identity.resolve(0, 0).name.empty());
  // Above the kernel's pid_max (at most 2^22), so no such process can exist.
  const ProcessNames& gone = identity.resolve(1 << 23, 0);
  EXPECT_TRUE(gone.name.empty());
  EXPECT_TRUE(gone.executable.empty());
}

// With pidfds, a message names its process by inode: the cached names of a pid are not
// given to another process that has the pid now (here: an inode that is not this
// process's, as a recycled pid's sender would have), and names are only kept for the
// process that sent.
TEST(SenderIdentity, APidfdInodeKeepsARecycledPidFromBorrowingNames) {
  if (!pidfs_available()) GTEST_SKIP() << "this kernel has no pidfs (Linux 6.9+): the start-time check alone applies";
  const uint64_t mine = process_inode_of_pid(::getpid());
  ASSERT_NE(mine, 0u);
  EXPECT_EQ(process_inode_of_pid(::getpid()), mine) << "one process, one inode";
  SenderIdentity identity;
  EXPECT_EQ(identity.resolve(::getpid(), 0, mine).name, "unit_tests");
  // Within the recheck interval, a different process with the same pid: not these names.
  EXPECT_TRUE(identity.resolve(::getpid(), 10, mine + 1).name.empty());
  EXPECT_EQ(identity.resolve(::getpid(), 20, mine).name, "unit_tests");
  EXPECT_EQ(process_inode_of_pid(1 << 23), 0u) << "no process has that pid";
}

}  // namespace
}  // namespace traild
