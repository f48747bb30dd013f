#include "daemon/control_listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/write.hpp>
#include <memory>

namespace traild {

using boost::asio::local::stream_protocol;

ControlListener::ControlListener(boost::asio::io_context& io, int fd, std::function<std::string()> report)
    : acceptor_(io, stream_protocol(), fd), report_(std::move(report)) {}

void ControlListener::start() { accept(); }

void ControlListener::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void ControlListener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, stream_protocol::socket sock) {
    if (ec == boost::asio::error::operation_aborted) return;
    if (!ec) {
      // The text and the socket live until the write completes; a client that never reads
      // holds one report's worth of memory until it goes (the kernel buffer takes most).
      auto client = std::make_shared<stream_protocol::socket>(std::move(sock));
      auto text = std::make_shared<std::string>(report_());
      boost::asio::async_write(*client, boost::asio::buffer(*text),
                               [client, text](boost::system::error_code, size_t) {
                                 boost::system::error_code ignored;
                                 client->shutdown(stream_protocol::socket::shutdown_both, ignored);
                               });
    } else {
      spdlog::warn("control socket: accept failed: {}", ec.message());
    }
    accept();
  });
}

}  // namespace traild
