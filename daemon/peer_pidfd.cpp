#include "daemon/peer_pidfd.hpp"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstring>

namespace traild {
namespace {

// Debian 12's headers predate these (Linux 6.5 and 6.9).
constexpr int kSoPassPidfd = 76;
constexpr int kScmPidfd = 0x04;
constexpr long kPidfsMagic = 0x50494446;

int pidfd_open(int64_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(::syscall(SYS_pidfd_open, static_cast<pid_t>(pid), 0));
#else
  (void)pid;
  return -1;
#endif
}

uint64_t inode_of(int fd) {
  struct stat st {};
  return ::fstat(fd, &st) == 0 ? static_cast<uint64_t>(st.st_ino) : 0;
}

}  // namespace

bool pidfs_available() {
  static const bool available = [] {
    const int fd = pidfd_open(::getpid());
    if (fd < 0) return false;
    struct statfs fs {};
    const bool pidfs = ::fstatfs(fd, &fs) == 0 && static_cast<long>(fs.f_type) == kPidfsMagic;
    ::close(fd);
    return pidfs;
  }();
  return available;
}

bool enable_pidfd_passing(int socket_fd) {
  if (!pidfs_available()) return false;
  const int one = 1;
  return ::setsockopt(socket_fd, SOL_SOCKET, kSoPassPidfd, &one, sizeof one) == 0;
}

MessageSender read_message_sender(const msghdr& message) {
  MessageSender out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&message), c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(ucred))) {
      ucred cred;
      std::memcpy(&cred, CMSG_DATA(c), sizeof cred);
      out.has_credentials = true;
      out.pid = cred.pid;
      out.uid = cred.uid;
      out.gid = cred.gid;
    } else if (c->cmsg_type == kScmPidfd && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int fd = -1;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      if (fd < 0) continue;
      out.process_inode = inode_of(fd);
      ::close(fd);
    }
  }
  return out;
}

uint64_t process_inode_of_pid(int64_t pid) {
  if (pid <= 0 || !pidfs_available()) return 0;
  const int fd = pidfd_open(pid);
  if (fd < 0) return 0;
  const uint64_t inode = inode_of(fd);
  ::close(fd);
  return inode;
}

}  // namespace traild
