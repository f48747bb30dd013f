#include "daemon/sender_identity.hpp"

#include "common/json_escape.hpp"
#include "daemon/peer_pidfd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>

#include <climits>
#include <string_view>

namespace traild {
namespace {

std::string read_small_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// Names come from the file system and may be any bytes: keep them valid UTF-8 for JSON.
void make_utf8(std::string& s) {
  if (simdjson::validate_utf8(s.data(), s.size())) return;
  for (char& c : s)
    if (static_cast<unsigned char>(c) >= 0x80) c = '?';
}

}  // namespace

// Field 22 of /proc/PID/stat, counted after the parenthesised command (which may hold
// spaces and parentheses itself).
uint64_t SenderIdentity::start_time(int64_t pid) const {
  std::string stat = read_small_file(proc_ + "/" + std::to_string(pid) + "/stat");
  size_t pos = stat.rfind(')');
  if (pos == std::string::npos) return 0;
  int field = 2;
  for (++pos; pos < stat.size(); ++pos) {
    if (stat[pos] != ' ') continue;
    if (++field == 22) return std::strtoull(stat.c_str() + pos + 1, nullptr, 10);
  }
  return 0;
}

const ProcessNames& SenderIdentity::resolve(int64_t pid, int64_t now_ms, uint64_t process_inode) {
  if (pid <= 0) return unknown_;
  auto it = cache_.find(pid);
  // Another process than the one these names were read for: read again.
  if (it != cache_.end() && process_inode != 0 && it->second.process_inode != process_inode) {
    cache_.erase(it);
    it = cache_.end();
  }
  if (it != cache_.end() && now_ms - it->second.checked_ms < kRecheckMs) return it->second.names;
  const uint64_t started = start_time(pid);
  if (it != cache_.end() && started != 0 && started == it->second.start_time) {
    it->second.checked_ms = now_ms;
    return it->second.names;
  }
  if (cache_.size() >= kMaxEntries) cache_.clear();
  Entry& e = cache_[pid];
  e.start_time = started;
  e.checked_ms = now_ms;
  const std::string dir = proc_ + "/" + std::to_string(pid);
  e.names.name = read_small_file(dir + "/comm");
  if (!e.names.name.empty() && e.names.name.back() == '\n') e.names.name.pop_back();
  char exe[PATH_MAX];
  ssize_t n = ::readlink((dir + "/exe").c_str(), exe, sizeof exe);
  e.names.executable = n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string();
  // The process may have exited (and its pid been reused) while we read: only keep
  // names read while the same process was still there.
  if (started == 0 || start_time(pid) != started) e.names = {};
  // The sender itself, still alive after the reads (so its pid was not reused meanwhile)?
  if (process_inode != 0 && process_inode_of_pid(pid) != process_inode) {
    cache_.erase(pid);
    return unknown_;
  }
  e.process_inode = process_inode;
  make_utf8(e.names.name);
  make_utf8(e.names.executable);
  e.names.name_json.clear();  // the entry may hold an earlier process's names
  e.names.executable_json.clear();
  append_json_string(e.names.name_json, e.names.name);
  append_json_string(e.names.executable_json, e.names.executable);
  return e.names;
}

}  // namespace traild
