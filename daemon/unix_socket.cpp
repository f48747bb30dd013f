#include "daemon/unix_socket.hpp"

#include "common/unix_address.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "reporters/filesystem.hpp"

namespace traild {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what, int err = 0) {
  throw std::runtime_error("socket " + path + ": " + what + (err ? std::string(": ") + std::strerror(err) : ""));
}

sockaddr_un address(const std::string& path) {
  auto addr = unix_address(path);
  if (!addr) fail(path, "path is too long for a Unix socket");
  return *addr;
}

gid_t lookup_group(const std::string& path, const std::string& group) {
  std::vector<char> buf(16384);
  while (true) {
    struct group gr, *res = nullptr;
    int r = getgrnam_r(group.c_str(), &gr, buf.data(), buf.size(), &res);
    if (r == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (res == nullptr) fail(path, "group '" + group + "' does not exist (listen.group)");
    return gr.gr_gid;
  }
}

}  // namespace

int bind_unix_socket(const std::string& path, int type, mode_t mode, const std::string& group) {
  const sockaddr_un addr = address(path);
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    if (int r = make_directories(path.substr(0, slash), 0755); r != 0)
      fail(path, "cannot create its directory", -r);
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) fail(path, "the path exists and is not a socket; refusing to replace it");
    int probe = ::socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
    if (probe < 0) fail(path, "cannot create a probe socket", errno);
    int r = ::connect(probe, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
    int err = errno;
    ::close(probe);
    if (r == 0) fail(path, "already in use by a running process (is another traild running?)");
    if (err != ECONNREFUSED) fail(path, "cannot tell whether the existing socket is in use", err);
    if (::unlink(path.c_str()) != 0) fail(path, "cannot remove the stale socket", errno);
  }
  const gid_t gid = group.empty() ? static_cast<gid_t>(-1) : lookup_group(path, group);
  int fd = ::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) fail(path, "cannot create socket", errno);
  // Bind with a umask that leaves the file closed to everyone, then open it to `mode`: no
  // window in which a client the configuration excludes could connect.
  mode_t old = ::umask(0177);
  int r = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old);
  if (r != 0) {
    ::close(fd);
    fail(path, "cannot bind", err);
  }
  if (gid != static_cast<gid_t>(-1) && ::chown(path.c_str(), static_cast<uid_t>(-1), gid) != 0) {
    err = errno;
    ::close(fd);
    fail(path, "cannot set group '" + group + "'", err);
  }
  if (::chmod(path.c_str(), mode) != 0) {
    err = errno;
    ::close(fd);
    fail(path, "cannot set mode", err);
  }
  if (type == SOCK_STREAM && ::listen(fd, SOMAXCONN) != 0) {
    err = errno;
    ::close(fd);
    fail(path, "cannot listen", err);
  }
  return fd;
}

}  // namespace traild
