#include "daemon/datagram_listener.hpp"

#include "common/clock.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "daemon/framer.hpp"
#include "daemon/peer_pidfd.hpp"

namespace traild {
namespace {

constexpr size_t kBatch = 16;     // datagrams per recvmmsg call
constexpr int kBatchesPerTurn = 8;
constexpr size_t kSlack = 16;     // room for terminators and an octet count around a max-size event
constexpr int kReceiveBuffer = 8 << 20;
const size_t kControlSpace = CMSG_SPACE(sizeof(ucred)) + kPidfdControlSpace;

}  // namespace

DatagramListener::DatagramListener(boost::asio::io_context& io, int fd, Pipeline& pipeline, size_t max_event_bytes)
    : sock_(io, boost::asio::local::datagram_protocol(), fd), pipeline_(pipeline) {
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
    spdlog::warn("datagram socket: SO_PASSCRED failed: {}; senders will be unknown", std::strerror(errno));
  enable_pidfd_passing(fd);
  // A large receive buffer absorbs bursts while the pipeline is busy. SO_RCVBUFFORCE works
  // for root (CAP_NET_ADMIN); otherwise the kernel caps SO_RCVBUF at net.core.rmem_max.
  int size = kReceiveBuffer;
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  set_max_event_bytes(max_event_bytes);
}

void DatagramListener::set_max_event_bytes(size_t max) {
  max_event_bytes_ = max;
  slot_ = max + kSlack + EventParser::kPadding;
  buffers_.assign(slot_ * kBatch, '\0');
  controls_.assign(kControlSpace * kBatch, '\0');
  msgs_.assign(kBatch, mmsghdr{});
  iovs_.assign(kBatch, iovec{});
}

void DatagramListener::start() { wait_readable(); }

void DatagramListener::wait_readable() {
  if (waiting_ || stopped_) return;
  waiting_ = true;
  sock_.async_wait(boost::asio::local::datagram_protocol::socket::wait_read, [this](boost::system::error_code ec) {
    waiting_ = false;
    if (!ec) on_readable();
  });
}

void DatagramListener::on_readable() {
  ReadState state = ReadState::MoreAvailable;
  for (int i = 0; i < kBatchesPerTurn && state == ReadState::MoreAvailable; ++i) state = read_batch();
  pipeline_.submit_if_writer_idle();
  if (state != ReadState::Paused) wait_readable();
}

void DatagramListener::resume() {
  if (!paused_ || stopped_) return;
  paused_ = false;
  on_readable();
}

DatagramListener::ReadState DatagramListener::read_batch() {
  if (pipeline_.backlogged() && !stopped_) {
    paused_ = true;
    return ReadState::Paused;
  }
  for (size_t i = 0; i < kBatch; ++i) {
    iovs_[i] = {buffers_.data() + i * slot_, max_event_bytes_ + kSlack};
    msghdr& h = msgs_[i].msg_hdr;
    h = msghdr{};
    h.msg_iov = &iovs_[i];
    h.msg_iovlen = 1;
    h.msg_control = controls_.data() + i * kControlSpace;
    h.msg_controllen = kControlSpace;
  }
  int n = ::recvmmsg(sock_.native_handle(), msgs_.data(), kBatch, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, nullptr);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      spdlog::warn("datagram socket: receive failed: {}", std::strerror(errno));
    return ReadState::WouldBlock;
  }
  const int64_t now = now_unix_ms();
  for (int i = 0; i < n; ++i) {
    msghdr& h = msgs_[i].msg_hdr;
    const MessageSender from = read_message_sender(h);  // closes the pidfd, whatever becomes of the datagram
    Sender sender{from.pid, from.uid, from.gid, from.process_inode};
    if (!allow_.allows(sender.uid, sender.gid)) {
      ++refused_;
      continue;
    }
    if (!pipeline_.rate_limiter().take(sender.uid, now)) {
      pipeline_.rate_limiter().count_drop(sender.uid);  // reported as a traild-rate-limit event
      ++rate_limited_;
      continue;
    }
    std::string_view data(buffers_.data() + static_cast<size_t>(i) * slot_, msgs_[i].msg_len);
    if (h.msg_flags & MSG_TRUNC) {
      pipeline_.reject_oversize(data.substr(0, max_event_bytes_), data.size() + 1, sender, SourceKind::Datagram);
      continue;
    }
    std::string_view record = datagram_record(data);
    if (record.empty()) continue;
    if (record.size() > max_event_bytes_)
      pipeline_.reject_oversize(record.substr(0, max_event_bytes_), record.size(), sender, SourceKind::Datagram);
    else
      pipeline_.ingest(record, sender, SourceKind::Datagram);
  }
  if (refused_ > warned_) {
    if (now - last_warning_ms_ >= 10'000) {
      spdlog::warn("datagram socket: {} datagrams from senders outside listen.allow.datagram dropped so far", refused_);
      warned_ = refused_;
      last_warning_ms_ = now;
    }
  }
  return n == static_cast<int>(kBatch) ? ReadState::MoreAvailable : ReadState::WouldBlock;
}

void DatagramListener::drain() {
  stopped_ = true;
  while (read_batch() == ReadState::MoreAvailable) {
  }
}

void DatagramListener::close() {
  stopped_ = true;
  boost::system::error_code ec;
  sock_.close(ec);
}

}  // namespace traild
