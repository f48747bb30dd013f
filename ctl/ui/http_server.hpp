// The HTTP side of trailctl ui (Boost.Beast): accepts connections on one TCP endpoint and
// answers each request through UiRoutes. A connection is served by a thread of its own,
// synchronously, so a long query holds up only the browser tab that asked for it; at most
// kMaxConnections are served at once and the rest are closed with 503.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include <cstdint>

#include "ctl/ui/ui_routes.hpp"

namespace traild::ctl {

class HttpServer {
 public:
  static constexpr int kMaxConnections = 32;

  // Binds and listens. Throws std::runtime_error naming the address and the cause.
  HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint);

  uint16_t port() const;

  // Serves until SIGINT or SIGTERM, then closes every connection, waits for the threads
  // serving them and returns. `routes` must outlive the call.
  void run(const UiRoutes& routes);

 private:
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
};

}  // namespace traild::ctl
