#include "daemon/datagram_listener.hpp"

#include "common/clock.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "daemon/framer.hpp"
#include "daemon/peer_pidfd.hpp"

namespace traild {
namespace {

// Datagrams held between the receiver thread and the pipeline: about 8,000 typical audit
// events, 160 ms at 50,000 events/s, against the few milliseconds the kernel's queue holds.
constexpr size_t kMaxBufferedBytes = 4 << 20;
constexpr int kReceiveBuffer = 8 << 20;

}  // namespace

DatagramListener::DatagramListener(boost::asio::io_context& io, int fd, Pipeline& pipeline, size_t max_event_bytes)
    : io_(io),
      fd_(fd),
      pipeline_(pipeline),
      max_event_bytes_(max_event_bytes),
      receiver_(fd, max_event_bytes, kMaxBufferedBytes, EventParser::kPadding, [this, alive = std::weak_ptr<bool>(alive_)] {
        boost::asio::post(io_, [this, alive] {
          if (alive.lock()) on_ready();
        });
      }) {
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
    spdlog::warn("datagram socket: SO_PASSCRED failed: {}; senders will be unknown", std::strerror(errno));
  enable_pidfd_passing(fd);
  // A large receive buffer absorbs bursts while the pipeline is busy. SO_RCVBUFFORCE works
  // for root (CAP_NET_ADMIN); otherwise the kernel caps SO_RCVBUF at net.core.rmem_max.
  int size = kReceiveBuffer;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
}

DatagramListener::~DatagramListener() { close(); }

void DatagramListener::set_max_event_bytes(size_t max) {
  max_event_bytes_ = max;
  receiver_.set_max_event_bytes(max);
}

void DatagramListener::start() { receiver_.start(); }

void DatagramListener::on_ready() {
  if (!paused_ && !stopped_) process();
}

void DatagramListener::resume() {
  if (!paused_ || stopped_) return;
  paused_ = false;
  process();
}

void DatagramListener::process() {
  const int64_t now = now_unix_ms();
  while (true) {
    if (next_ == current_.entries().size()) {
      next_ = 0;
      if (!receiver_.take(current_)) break;
    }
    if (pipeline_.backlogged() && !stopped_) {
      paused_ = true;
      break;
    }
    process_one(current_.entries()[next_++], now);
  }
  pipeline_.submit_if_writer_idle();
  if (refused_ > warned_ && now - last_warning_ms_ >= 10'000) {
    spdlog::warn("datagram socket: {} datagrams from senders outside listen.allow.datagram dropped so far", refused_);
    warned_ = refused_;
    last_warning_ms_ = now;
  }
}

void DatagramListener::process_one(const ReceivedDatagrams::Entry& e, int64_t now) {
  const Sender sender{e.sender.pid, e.sender.uid, e.sender.gid, e.sender.process_inode};
  if (!allow_.allows(sender.uid, sender.gid)) {
    ++refused_;
    return;
  }
  if (!pipeline_.rate_limiter().take(sender.uid, now)) {
    pipeline_.rate_limiter().count_drop(sender.uid);  // reported as a traild-rate-limit event
    ++rate_limited_;
    return;
  }
  const std::string_view data = current_.data(e);
  if (e.truncated) {
    pipeline_.reject_oversize(data.substr(0, max_event_bytes_), data.size() + 1, sender, SourceKind::Datagram);
    return;
  }
  const std::string_view record = datagram_record(data);
  if (record.empty()) return;
  if (record.size() > max_event_bytes_)
    pipeline_.reject_oversize(record.substr(0, max_event_bytes_), record.size(), sender, SourceKind::Datagram);
  else
    pipeline_.ingest(record, sender, SourceKind::Datagram);
}

void DatagramListener::drain() {
  stopped_ = true;
  receiver_.stop();
  process();
  ReceivedDatagrams rest;
  receiver_.receive_remaining(rest);
  if (rest.empty()) return;
  std::swap(current_, rest);
  next_ = 0;
  process();
}

void DatagramListener::close() {
  stopped_ = true;
  receiver_.stop();
  if (!closed_) ::close(fd_);
  closed_ = true;
}

}  // namespace traild
