#include "daemon/sender_identity.hpp"

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

}  // namespace
}  // namespace traild
