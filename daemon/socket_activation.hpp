// Sockets handed over by systemd (socket activation, sd_listen_fds): traild.socket binds the
// stream and datagram sockets, so clients can connect and send before traild runs and
// nothing sent during a restart is lost. Each passed socket is matched to a listener by its
// FileDescriptorName= ("stream", "datagram") or, unnamed, by its type and path.
#pragma once

#include <string>

namespace traild {

struct ActivatedSockets {
  int stream = -1;    // -1: not passed, bind it yourself
  int datagram = -1;
};

// Takes the sockets systemd passed (LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES) that serve
// `stream_path` and `datagram_path`, made non-blocking. Sockets that fit neither are
// closed with a warning. Throws std::runtime_error when a passed socket has the wrong type.
ActivatedSockets take_activated_sockets(const std::string& stream_path, const std::string& datagram_path);

}  // namespace traild
