// Resolving a sender's pid, as the kernel attested it, to process.name (/proc/PID/comm)
// and process.executable (/proc/PID/exe). Answers are cached per pid and revalidated
// against the process's start time. Where the kernel attaches pidfds to messages
// (peer_pidfd.hpp), each message also names its process by the pidfd's inode: a cached
// answer is used only for that same process, and names read from /proc are kept only when
// the process holding the pid afterwards is still the sender, so a recycled pid is never
// reported as the process that had it before, however quickly it is reused.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace traild {

struct ProcessNames {
  std::string name;        // empty when the process is gone or unreadable
  std::string executable;  // empty when unreadable (e.g. another user's process without privilege)
  std::string name_json;   // the two as JSON strings, rendered once for every event of the sender
  std::string executable_json;
};

class SenderIdentity {
 public:
  explicit SenderIdentity(std::string proc_root = "/proc") : proc_(std::move(proc_root)) {}
  // The names of `pid`; valid until the next call. Reads /proc at most once per pid per
  // `kRecheckMs`, and again whenever the pid's start time changes. `process_inode`: the
  // sender's pidfd inode from the message, 0 when unknown.
  const ProcessNames& resolve(int64_t pid, int64_t now_ms, uint64_t process_inode = 0);

  static constexpr int64_t kRecheckMs = 1000;
  static constexpr size_t kMaxEntries = 4096;

 private:
  struct Entry {
    uint64_t start_time = 0;
    uint64_t process_inode = 0;  // 0: not known
    int64_t checked_ms = 0;
    ProcessNames names;
  };
  uint64_t start_time(int64_t pid) const;
  std::string proc_;
  std::unordered_map<int64_t, Entry> cache_;
  ProcessNames unknown_;
};

}  // namespace traild
