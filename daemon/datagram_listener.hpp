// The datagram socket: one record per datagram, drained in batches with recvmmsg(2), each
// stamped with the sender's credentials from SCM_CREDENTIALS. Reading pauses while the
// pipeline is backlogged (blocking senders then wait in the kernel).
#pragma once

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/datagram_protocol.hpp>

#include <vector>

#include "daemon/pipeline.hpp"

namespace traild {

class DatagramListener {
 public:
  DatagramListener(boost::asio::io_context& io, int fd, Pipeline& pipeline, size_t max_event_bytes);
  void start();
  void resume();
  // Reads what is queued in the kernel, then stops (shutdown).
  void drain();
  void close();
  void set_max_event_bytes(size_t max);
  // Senders outside the list are dropped and counted (a datagram has no one to answer).
  void set_allow(const AllowList& allow) { allow_ = allow; }
  uint64_t refused() const { return refused_; }
  // Datagrams dropped over input.rate_limit (a datagram cannot be slowed down).
  uint64_t rate_limited() const { return rate_limited_; }

 private:
  enum class ReadState { MoreAvailable, WouldBlock, Paused };
  ReadState read_batch();
  void wait_readable();
  void on_readable();

  boost::asio::local::datagram_protocol::socket sock_;
  Pipeline& pipeline_;
  size_t max_event_bytes_ = 0;
  size_t slot_ = 0;  // bytes per datagram buffer, padding included
  std::vector<char> buffers_;
  std::vector<mmsghdr> msgs_;
  std::vector<iovec> iovs_;
  std::vector<char> controls_;
  bool waiting_ = false;
  bool paused_ = false;
  bool stopped_ = false;
  AllowList allow_;
  uint64_t refused_ = 0;
  uint64_t rate_limited_ = 0;
  uint64_t warned_ = 0;
  int64_t last_warning_ms_ = 0;
};

}  // namespace traild
