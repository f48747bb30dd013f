#include "daemon/datagram_receiver.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/worker_thread.hpp"

namespace traild {
namespace {

constexpr size_t kBatch = 32;  // datagrams per recvmmsg call
constexpr size_t kSlack = 16;  // room for terminators and an octet count around a max-size event
const size_t kControlSpace = CMSG_SPACE(sizeof(ucred)) + kPidfdControlSpace;

// receive_batch() already answers 0 for EAGAIN.
bool transient(int err) { return err == EINTR || err == ENOMEM || err == ENOBUFS; }

}  // namespace

void ReceivedDatagrams::add(std::string_view data, const MessageSender& sender, bool truncated, size_t padding) {
  entries_.push_back(Entry{sender, bytes_.size(), data.size(), truncated});
  bytes_.append(data);
  bytes_.append(padding, '\0');
}

void ReceivedDatagrams::clear() {
  bytes_.clear();
  entries_.clear();
}

DatagramReceiver::DatagramReceiver(int fd, size_t max_event_bytes, size_t max_buffered_bytes, size_t padding,
                                   std::function<void()> on_ready)
    : fd_(fd), max_buffered_(max_buffered_bytes), padding_(padding), on_ready_(std::move(on_ready)) {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw std::runtime_error(std::string("datagram receiver: eventfd: ") + std::strerror(errno));
  max_event_bytes_ = max_event_bytes;
  size_slots(max_event_bytes);
}

DatagramReceiver::~DatagramReceiver() {
  stop();
  ::close(wake_fd_);
}

void DatagramReceiver::start() {
  if (!thread_.joinable()) thread_ = start_worker_thread("traild-dgram", [this] { run(); });
}

void DatagramReceiver::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  space_.notify_all();
  const uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // The counter cannot overflow with one write per stop; nothing else can fail here.
  }
  if (thread_.joinable()) thread_.join();
}

bool DatagramReceiver::take(ReceivedDatagrams& out) {
  out.clear();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.empty()) return false;
    std::swap(out, waiting_);
  }
  space_.notify_one();
  return true;
}

size_t DatagramReceiver::waiting_bytes() {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.bytes();
}

void DatagramReceiver::set_max_event_bytes(size_t max) {
  std::lock_guard<std::mutex> lock(mu_);
  max_event_bytes_ = max;
}

void DatagramReceiver::size_slots(size_t max_event_bytes) {
  if (slots_.capacity == max_event_bytes + kSlack) return;
  slots_.capacity = max_event_bytes + kSlack;
  slots_.buffers.assign(slots_.capacity * kBatch, '\0');
  slots_.controls.assign(kControlSpace * kBatch, '\0');
  slots_.msgs.assign(kBatch, mmsghdr{});
  slots_.iovs.assign(kBatch, iovec{});
  slots_.senders.assign(kBatch, MessageSender{});
}

int DatagramReceiver::receive_batch() {
  for (size_t i = 0; i < kBatch; ++i) {
    slots_.iovs[i] = {slots_.buffers.data() + i * slots_.capacity, slots_.capacity};
    msghdr& h = slots_.msgs[i].msg_hdr;
    h = msghdr{};
    h.msg_iov = &slots_.iovs[i];
    h.msg_iovlen = 1;
    h.msg_control = slots_.controls.data() + i * kControlSpace;
    h.msg_controllen = kControlSpace;
  }
  const int n = ::recvmmsg(fd_, slots_.msgs.data(), kBatch, MSG_DONTWAIT | MSG_CMSG_CLOEXEC, nullptr);
  if (n >= 0) return n;
  return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
}

void DatagramReceiver::read_senders(int n) {
  for (int i = 0; i < n; ++i) slots_.senders[i] = read_message_sender(slots_.msgs[i].msg_hdr);  // closes the pidfds
}

void DatagramReceiver::append_batch(int n, ReceivedDatagrams& out) const {
  for (int i = 0; i < n; ++i) {
    std::string_view data(slots_.buffers.data() + static_cast<size_t>(i) * slots_.capacity, slots_.msgs[i].msg_len);
    out.add(data, slots_.senders[i], (slots_.msgs[i].msg_hdr.msg_flags & MSG_TRUNC) != 0, padding_);
  }
}

// Waits until the socket is readable or stop() is called; false on stop or a dead socket.
bool DatagramReceiver::wait_readable() {
  pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    const int r = ::poll(fds, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      spdlog::error("datagram socket: poll failed: {}; no more datagrams are received", std::strerror(errno));
      return false;
    }
    if (fds[1].revents != 0) return false;
    if (fds[0].revents & (POLLERR | POLLNVAL)) {
      spdlog::error("datagram socket: the socket failed; no more datagrams are received");
      return false;
    }
    return true;
  }
}

void DatagramReceiver::run() {
  bool poll_first = true;
  while (true) {
    size_t max_event_bytes = 0;
    {
      std::unique_lock<std::mutex> lock(mu_);
      space_.wait(lock, [this] { return stopping_ || waiting_.bytes() < max_buffered_; });
      if (stopping_) return;
      max_event_bytes = max_event_bytes_;
    }
    size_slots(max_event_bytes);  // after a reload changed input.max_event_bytes
    if (poll_first && !wait_readable()) return;
    const int n = receive_batch();
    if (n < 0 && !transient(-n)) {
      spdlog::error("datagram socket: receive failed: {}; no more datagrams are received", std::strerror(-n));
      return;
    }
    // A full batch: more are likely queued, so receive again before polling.
    poll_first = n < static_cast<int>(kBatch);
    if (n <= 0) continue;
    read_senders(n);  // system calls stay outside the lock: the I/O thread never waits on one
    bool was_empty = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      was_empty = waiting_.empty();
      append_batch(n, waiting_);
    }
    if (was_empty) on_ready_();
  }
}

void DatagramReceiver::receive_remaining(ReceivedDatagrams& out) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    size_slots(max_event_bytes_);
  }
  while (true) {
    const int n = receive_batch();
    if (n <= 0) {
      if (n < 0 && -n == EINTR) continue;
      return;
    }
    read_senders(n);
    append_batch(n, out);
  }
}

}  // namespace traild
