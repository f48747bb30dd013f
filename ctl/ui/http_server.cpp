#include "ctl/ui/http_server.hpp"

#include <sys/socket.h>

#include <boost/asio/signal_set.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace traild::ctl {
namespace {

namespace http = boost::beast::http;
using boost::asio::ip::tcp;

constexpr int kIoTimeoutSeconds = 60;      // an idle or stalled connection is closed after this
constexpr uint32_t kHeaderLimit = 16 * 1024;  // request line and headers; GET bodies are refused

// The connections being served, so run() can shut them down and wait for their threads. A
// thread hands its socket back here to be destroyed under the lock: run() never shuts down a
// descriptor number that was closed and reused meanwhile, and no socket outlives run().
// One connection with an I/O context of its own: its thread runs each read and write with a
// deadline (beast::tcp_stream's timer), which synchronous reads cannot have.
struct Connection {
  boost::asio::io_context io;
  boost::beast::tcp_stream stream;
  Connection(const tcp& protocol, int fd) : stream(tcp::socket(io, protocol, fd)) {}
  tcp::socket& socket() { return stream.socket(); }
};

class Connections {
 public:
  bool add(Connection* socket) {
    std::lock_guard lock(mutex_);
    if (static_cast<int>(open_.size()) >= HttpServer::kMaxConnections) return false;
    open_.insert(socket);
    return true;
  }
  void release(std::unique_ptr<Connection> socket) {
    std::lock_guard lock(mutex_);
    open_.erase(socket.get());
    socket.reset();
    if (open_.empty()) idle_.notify_all();
  }
  void shut_down_and_wait() {
    std::unique_lock lock(mutex_);
    for (Connection* c : open_) ::shutdown(c->socket().native_handle(), SHUT_RDWR);
    idle_.wait(lock, [&] { return open_.empty(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable idle_;
  std::set<Connection*> open_;
};

// Runs one asynchronous operation on the connection's own context, to its end or deadline.
template <class Start>
boost::system::error_code run_with_deadline(Connection& c, Start start) {
  boost::system::error_code result;
  c.stream.expires_after(std::chrono::seconds(kIoTimeoutSeconds));
  start([&](const boost::system::error_code& ec, size_t) { result = ec; });
  c.io.restart();
  c.io.run();
  return result;
}

void add_security_headers(http::response<http::string_body>& res) {
  // The page loads only its own script and style, cannot be framed, and sends no referrer.
  res.set("Content-Security-Policy",
          "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
          "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set(http::field::cache_control, "no-store");
}

void serve(Connection& c, const UiRoutes& routes) {
  boost::system::error_code ec;
  const auto remote = c.socket().remote_endpoint(ec);
  const std::string peer = ec ? "unknown" : remote.address().to_string() + ":" + std::to_string(remote.port());
  boost::beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(kHeaderLimit);
    ec = run_with_deadline(c, [&](auto done) { http::async_read(c.stream, buffer, parser, done); });
    if (ec) {
      if (ec == http::error::unexpected_body || ec == http::error::header_limit) {
        http::response<http::string_body> res{
            ec == http::error::header_limit ? http::status::request_header_fields_too_large : http::status::bad_request,
            11};
        res.set(http::field::content_type, "text/plain; charset=utf-8");
        res.body() = "trailctl ui: " + ec.message() + "\n";
        res.keep_alive(false);
        res.prepare_payload();
        run_with_deadline(c, [&](auto done) { http::async_write(c.stream, res, done); });
      }
      break;
    }
    const auto& req = parser.get();
    UiRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    request.cookie = std::string(req[http::field::cookie]);
    request.authorization = std::string(req[http::field::authorization]);
    request.peer = peer;
    UiResponse answer = routes.answer(request);
    http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
    res.set(http::field::server, "trailctl-ui");
    res.set(http::field::content_type, answer.content_type);
    add_security_headers(res);
    for (const auto& [name, value] : answer.headers) res.set(name, value);
    res.body() = std::move(answer.body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    ec = run_with_deadline(c, [&](auto done) { http::async_write(c.stream, res, done); });
    if (ec || !res.keep_alive()) break;
  }
  c.socket().shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace

HttpServer::HttpServer(boost::asio::io_context& io, const tcp::endpoint& endpoint) : io_(io), acceptor_(io) {
  boost::system::error_code ec;
  const std::string where = endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(boost::asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + where + ": " + ec.message());
}

uint16_t HttpServer::port() const { return acceptor_.local_endpoint().port(); }

void HttpServer::run(const UiRoutes& routes) {
  Connections connections;
  boost::asio::signal_set signals(io_, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
  std::function<void()> accept = [&] {
    acceptor_.async_accept([&](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec == boost::asio::error::operation_aborted || !acceptor_.is_open()) return;
      if (!ec) {
        const auto protocol = socket.local_endpoint().protocol();
        auto owned = std::make_unique<Connection>(protocol, socket.release());
        if (!connections.add(owned.get())) {
          // Too many at once: say so rather than leave the browser waiting.
          static constexpr char kBusy[] =
              "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n";
          boost::system::error_code ignored;
          boost::asio::write(owned->socket(), boost::asio::buffer(kBusy, sizeof kBusy - 1), ignored);
        } else {
          std::thread([&connections, &routes, c = std::move(owned)]() mutable {
            serve(*c, routes);
            connections.release(std::move(c));
          }).detach();
        }
      }
      accept();
    });
  };
  accept();
  io_.run();
  connections.shut_down_and_wait();
}

}  // namespace traild::ctl
