// Sockets handed over by systemd (socket activation, sd_listen_fds): traild.socket binds the
// stream and datagram sockets, so clients can connect and send before traild runs and
// nothing sent during a restart is lost. Each passed socket is matched to a listener by its
// type (one socket unit gives all its sockets the same name).
#pragma once

#include <string>

namespace traild {

struct ActivatedSockets {
  int stream = -1;    // -1: not passed, bind it yourself
  int datagram = -1;
};

// Takes the sockets systemd passed (LISTEN_FDS/LISTEN_PID): the first listening Unix stream
// socket and the first Unix datagram socket, made non-blocking; a socket not at the
// configured path is served with a warning. Others are closed with a warning.
ActivatedSockets take_activated_sockets(const std::string& stream_path, const std::string& datagram_path);

}  // namespace traild
