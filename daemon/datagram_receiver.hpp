// Draining the datagram socket on a thread of its own, into a bounded in-memory buffer.
//
// Why a thread: the kernel holds few datagrams for a Unix datagram socket (a sender's
// in-flight datagrams are bounded by net.unix.max_dgram_qlen and by the sender's own send
// buffer: a few milliseconds at 50,000 events/s), and a sender that does not block loses
// whatever finds the queue full. When the I/O thread that validates and formats events is
// descheduled or busy for longer than that, events are lost although traild keeps up on
// average. The receiver does only what must happen at receive time (recvmmsg, reading the
// credentials, closing the pidfd) and hands datagrams over in buffers of up to
// `max_buffered_bytes`: the slack grows from milliseconds to the time that buffer takes to
// fill. Memory stays bounded: a full buffer stops the receiver until the I/O thread takes it,
// and the kernel then holds (or refuses) further datagrams as it would without the thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/peer_pidfd.hpp"

namespace traild {

// Datagrams as received: each one's bytes (followed by `padding` zero bytes, so parsers
// that read ahead may read it in place) and what the kernel said about its sender.
class ReceivedDatagrams {
 public:
  struct Entry {
    MessageSender sender;
    size_t offset = 0;
    size_t size = 0;
    bool truncated = false;  // longer than the receive slot (the tail was cut by the kernel)
  };

  std::string_view data(const Entry& e) const { return std::string_view(bytes_).substr(e.offset, e.size); }
  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  size_t bytes() const { return bytes_.size(); }
  void add(std::string_view data, const MessageSender& sender, bool truncated, size_t padding);
  void clear();

 private:
  std::string bytes_;
  std::vector<Entry> entries_;
};

class DatagramReceiver {
 public:
  // `on_ready` is called on the receiver's thread when datagrams wait to be taken and none
  // were waiting before; it must only schedule work (e.g. post to the I/O thread).
  DatagramReceiver(int fd, size_t max_event_bytes, size_t max_buffered_bytes, size_t padding,
                   std::function<void()> on_ready);
  ~DatagramReceiver();
  DatagramReceiver(const DatagramReceiver&) = delete;
  DatagramReceiver& operator=(const DatagramReceiver&) = delete;

  void start();
  // Swaps the waiting datagrams into `out` (cleared first); false when none wait. Frees the
  // receiver if it was stopped by a full buffer.
  bool take(ReceivedDatagrams& out);
  // Bytes received and not yet taken (with padding).
  size_t waiting_bytes();
  // Datagrams longer than this (plus framing slack) are received truncated.
  void set_max_event_bytes(size_t max);
  // Stops and joins the thread. Datagrams already received stay to be taken.
  void stop();
  // After stop(): receives, on the calling thread, whatever the kernel still holds, into `out`
  // (appended). Used to drain at shutdown.
  void receive_remaining(ReceivedDatagrams& out);

 private:
  struct Slots {
    size_t capacity = 0;   // bytes per datagram buffer: max_event_bytes plus framing slack
    std::vector<char> buffers;
    std::vector<char> controls;
    std::vector<mmsghdr> msgs;
    std::vector<iovec> iovs;
    std::vector<MessageSender> senders;
  };
  void run();
  // (Re)sizes the slots for datagrams of up to `max_event_bytes`, unless they already are.
  void size_slots(size_t max_event_bytes);
  // One recvmmsg without blocking: how many datagrams arrived (0 when none), -errno on error.
  int receive_batch();
  void read_senders(int n);
  void append_batch(int n, ReceivedDatagrams& out) const;
  bool wait_readable();

  const int fd_;
  const size_t max_buffered_;
  const size_t padding_;
  std::function<void()> on_ready_;
  int wake_fd_ = -1;  // eventfd: tells a receiver waiting in poll() to stop
  Slots slots_;       // the receiver thread's alone while it runs

  std::mutex mu_;
  std::condition_variable space_;
  ReceivedDatagrams waiting_;  // guarded by mu_
  size_t max_event_bytes_ = 0;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread thread_;
};

}  // namespace traild
