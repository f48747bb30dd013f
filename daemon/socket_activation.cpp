#include "daemon/socket_activation.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>

namespace traild {
namespace {

bool is_unix_socket(int fd, int type, const std::string& path) {
  return !path.empty() && sd_is_socket_unix(fd, type, -1, path.c_str(), 0) > 0;
}

}  // namespace

ActivatedSockets take_activated_sockets(const std::string& stream_path, const std::string& datagram_path) {
  ActivatedSockets out;
  char** names = nullptr;
  const int n = sd_listen_fds_with_names(1, &names);  // 1: unset LISTEN_* so children do not inherit them
  if (n <= 0) return out;
  for (int i = 0; i < n; ++i) {
    const int fd = SD_LISTEN_FDS_START + i;
    const std::string_view name = names != nullptr && names[i] != nullptr ? names[i] : "";
    const bool named_stream = name == "stream", named_datagram = name == "datagram";
    if ((named_stream || (!named_datagram && is_unix_socket(fd, SOCK_STREAM, stream_path))) && out.stream < 0) {
      if (sd_is_socket(fd, AF_UNIX, SOCK_STREAM, 1) <= 0)
        throw std::runtime_error("socket activation: \"stream\" is not a listening Unix stream socket");
      out.stream = fd;
    } else if ((named_datagram || is_unix_socket(fd, SOCK_DGRAM, datagram_path)) && out.datagram < 0) {
      if (sd_is_socket(fd, AF_UNIX, SOCK_DGRAM, -1) <= 0)
        throw std::runtime_error("socket activation: \"datagram\" is not a Unix datagram socket");
      out.datagram = fd;
    } else {
      spdlog::warn("socket activation: ignoring passed socket {} ({})", fd, name.empty() ? "unnamed" : name);
      ::close(fd);
      continue;
    }
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
