#include "daemon/sender_identity.hpp"

#include "daemon/peer_pidfd.hpp"

#include <gtest/gtest.h>
#include <limits.h>
#include <unistd.h>

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
