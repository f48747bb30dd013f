// The control socket (listen.control): each connection gets traild's live metrics in the
// Prometheus text format (the same text as metrics.textfile) and is closed. `trailctl stats`
// reads it. Who may connect is the socket file's business: mode listen.mode, group
// listen.group (root and the traild group under the shipped configuration). It reads nothing
// from its clients, so a client cannot make it do anything else.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <functional>
#include <string>

namespace traild {

class ControlListener {
 public:
  // Takes the listening socket `fd`; `report` builds the text sent to each client.
  ControlListener(boost::asio::io_context& io, int fd, std::function<std::string()> report);
  void start();
  void stop();

 private:
  void accept();

  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::function<std::string()> report_;
};

}  // namespace traild
