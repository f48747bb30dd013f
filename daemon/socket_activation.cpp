#include "daemon/socket_activation.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>

namespace traild {
namespace {

bool is_unix_socket(int fd, int type, const std::string& path) {
  return !path.empty() && sd_is_socket_unix(fd, type, -1, path.c_str(), 0) > 0;
}

}  // namespace

ActivatedSockets take_activated_sockets(const SocketPaths& paths) {
  ActivatedSockets out;
  char** names = nullptr;
  const int n = sd_listen_fds_with_names(1, &names);  // 1: unset LISTEN_* so children do not inherit them
  if (n <= 0) return out;
  for (int i = 0; i < n; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    const std::string_view name = names != nullptr && names[i] != nullptr ? names[i] : "";
    // By type: one socket unit names all its sockets alike, so names cannot tell them apart.
    if (out.control < 0 && is_unix_socket(fd, SOCK_STREAM, paths.control) && sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 1) > 0) {
      out.control = fd;
    } else if (sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 1) > 0 && out.stream < 0) {
      out.stream = fd;
    } else if (sd_is_socket(fd, AF_UNIX, SOCK_DGRAM, -1) > 0 && out.datagram < 0) {
      out.datagram = fd;
    } else {
      spdlog::warn("socket activation: ignoring passed socket {} ({}): not a Unix stream or datagram socket, or a "
                   "second one",
                   fd, name.empty() ? "unnamed" : name);
      ::close(fd);
      continue;
    }
    if (fd != out.control && !is_unix_socket(fd, fd == out.stream ? SOCK_STREAM : SOCK_DGRAM,
                                             fd == out.stream ? paths.stream : paths.datagram))
      spdlog::warn("socket activation: passed socket {} is not at the configured path; serving it anyway", fd);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  if (names != nullptr) {
    for (int i = 0; i < n; ++i) std::free(names[i]);
    std::free(names);
  }
  return out;
}

}  // namespace traild
