#include "ctl/ack_client.hpp"

#include "common/json_escape.hpp"
#include "common/unix_address.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace traild::ctl {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("socket " + path + ": " + what);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

AckReply parse_reply(simdjson::dom::parser& parser, std::string_view line) {
  AckReply r;
  simdjson::dom::element doc;
  if (parser.parse(line.data(), line.size()).get(doc)) throw std::runtime_error("unreadable reply from traild: " + std::string(line));
  uint64_t frame = 0;
  bool ok = false;
  std::string_view s;
  if (doc["frame"].get_uint64().get(frame) || doc["ok"].get_bool().get(ok))
    throw std::runtime_error("unexpected reply from traild: " + std::string(line));
  r.frame = frame;
  r.ok = ok;
  if (!doc["id"].get_string().get(s)) r.id = s;
  if (!doc["error"].get_string().get(s)) r.error = s;
  if (!doc["message"].get_string().get(s)) r.message = s;
  return r;
}

}  // namespace

AckClient::AckClient(const std::string& socket_path, const Handshake& handshake) : socket_path_(socket_path) {
  fd_ = connect_unix(socket_path, SOCK_STREAM);
  if (fd_ < 0) {
    const int err = -fd_;
    fd_ = -1;
    if (err == ENAMETOOLONG) fail(socket_path, "path is too long for a Unix socket");
    fail(socket_path, std::string("cannot connect: ") + std::strerror(err) +
                          (err == ENOENT || err == ECONNREFUSED ? " (is traild running?)" : ""));
  }
  std::string hello = "{\"traild\":{\"ack\":true";
  if (!handshake.dialect.empty()) {
    hello.append(",\"dialect\":");
    append_json_string(hello, handshake.dialect);
  }
  if (!handshake.instance.empty()) {
    hello.append(",\"instance\":");
    append_json_string(hello, handshake.instance);
  }
  hello.append("}}\n");
  if (!write_all(fd_, hello)) fail(socket_path, "cannot send the handshake");
}

AckClient::~AckClient() {
  if (fd_ >= 0) ::close(fd_);
}

void AckClient::send_all(const std::vector<std::string_view>& frames,
                         const std::function<void(size_t, const AckReply&)>& on_reply, size_t window) {
  simdjson::dom::parser parser;
  size_t next_send = 0, next_reply = 0;
  std::string out, in;
  while (next_reply < frames.size()) {
    // Queue frames while the window has room, then write what the socket takes and read
    // replies; poll() keeps both directions moving so neither side can deadlock.
    while (next_send < frames.size() && next_send - next_reply < window && out.size() < (1u << 20)) {
      out.append(frames[next_send++]);
      out.push_back('\n');
    }
    pollfd p{fd_, static_cast<short>(POLLIN | (out.empty() ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, -1) < 0) {
      if (errno == EINTR) continue;
      fail(socket_path_, std::strerror(errno));
    }
    if (p.revents & POLLOUT) {
      ssize_t n = ::send(fd_, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) out.erase(0, static_cast<size_t>(n));
      else if (n < 0 && errno != EAGAIN && errno != EINTR) fail(socket_path_, std::string("send failed: ") + std::strerror(errno));
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
      if (n == 0) fail(socket_path_, "traild closed the connection after " + std::to_string(next_reply) + " of " +
                                         std::to_string(frames.size()) + " replies");
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        fail(socket_path_, std::string("receive failed: ") + std::strerror(errno));
      }
      in.append(buf, static_cast<size_t>(n));
      size_t pos = 0, nl;
      while ((nl = in.find('\n', pos)) != std::string::npos) {
        AckReply r = parse_reply(parser, std::string_view(in).substr(pos, nl - pos));
        pos = nl + 1;
        if (r.frame == 0 && !r.ok) throw std::runtime_error("traild refused the connection: " + r.error + ": " + r.message);
        if (r.frame != next_reply + 1)
          throw std::runtime_error("traild replied to frame " + std::to_string(r.frame) + ", expected " +
                                   std::to_string(next_reply + 1));
        on_reply(next_reply++, r);
      }
      in.erase(0, pos);
    }
  }
}

}  // namespace traild::ctl
