// Telling a sender from a recycled pid, with pidfds. With SO_PASSPIDFD (Linux 6.5+) the
// kernel attaches a pidfd of the sending process to each message (SCM_PIDFD); on pidfs
// (Linux 6.9+) a pidfd's inode number names one process and is never reused while the
// machine runs. SenderIdentity compares these numbers, so names read for one process are
// never reported for another that got its pid. Where the kernel lacks either, nothing is
// enabled and identity falls back to comparing start times (sender_identity.hpp).
#pragma once

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>

namespace traild {

// True when this kernel gives pidfds on pidfs (checked once).
bool pidfs_available();

// Asks the kernel to attach the sender's pidfd to every message on `socket_fd`; false (and
// nothing asked) where pidfs_available() is false or the option is refused.
bool enable_pidfd_passing(int socket_fd);

// Control-message room a receive needs for the pidfd.
constexpr size_t kPidfdControlSpace = CMSG_SPACE(sizeof(int));

// What the control messages of one received message say about its sender: the credentials
// (SCM_CREDENTIALS, with SO_PASSCRED) and the pidfd's process inode (SCM_PIDFD). Every pidfd
// the message carries is closed, whatever becomes of the message.
struct MessageSender {
  bool has_credentials = false;
  int64_t pid = -1, uid = -1, gid = -1;
  uint64_t process_inode = 0;  // 0: no pidfd
};
MessageSender read_message_sender(const msghdr& message);

// The process inode of whatever process has `pid` now (pidfd_open), or 0 when none has it
// or pidfds are unavailable.
uint64_t process_inode_of_pid(int64_t pid);

}  // namespace traild
