// Sockets handed over by systemd (socket activation, sd_listen_fds): traild.socket binds the
// stream and datagram sockets, so clients can connect and send before traild runs and
// nothing sent during a restart is lost. Each passed socket is matched to a listener by its
// type and, for the two stream sockets, its path (one socket unit gives all its sockets the
// same name).
#pragma once

#include <string>

namespace traild {

struct ActivatedSockets {
  int stream = -1;    // -1: not passed, bind it yourself
  int datagram = -1;
  int control = -1;
};

struct SocketPaths {
  std::string stream, datagram, control;
};

// Takes the sockets systemd passed (LISTEN_FDS/LISTEN_PID), made non-blocking: a listening
// Unix stream socket at the control path is the control socket, the first other one the
// event stream socket; the first Unix datagram socket the datagram socket. A socket not at
// the configured path is served with a warning. Others are closed with a warning.
ActivatedSockets take_activated_sockets(const SocketPaths& paths);

}  // namespace traild
