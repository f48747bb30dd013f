// The datagram socket: one record per datagram, each stamped with the sender's credentials
// from SCM_CREDENTIALS. A DatagramReceiver thread drains the socket (datagram_receiver.hpp);
// this class, on the I/O thread, applies the allowlist and rate limit and feeds the
// pipeline. Taking from the receiver pauses while the pipeline is backlogged; the receiver
// then stops at its buffer bound and blocking senders wait in the kernel.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>

#include "daemon/datagram_receiver.hpp"
#include "daemon/pipeline.hpp"

namespace traild {

class DatagramListener {
 public:
  DatagramListener(boost::asio::io_context& io, int fd, Pipeline& pipeline, size_t max_event_bytes);
  ~DatagramListener();
  void start();
  void resume();
  // Processes everything received and queued in the kernel, then stops (shutdown).
  void drain();
  void close();
  void set_max_event_bytes(size_t max);
  // Senders outside the list are dropped and counted (a datagram has no one to answer).
  void set_allow(const AllowList& allow) { allow_ = allow; }
  uint64_t refused() const { return refused_; }
  // Datagrams dropped over input.rate_limit (a datagram cannot be slowed down).
  uint64_t rate_limited() const { return rate_limited_; }

 private:
  void on_ready();
  // Feeds received datagrams to the pipeline until none are left or it is backlogged.
  void process();
  void process_one(const ReceivedDatagrams::Entry& e, int64_t now);

  boost::asio::io_context& io_;
  const int fd_;
  Pipeline& pipeline_;
  size_t max_event_bytes_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // posted handlers outliving this
  DatagramReceiver receiver_;
  ReceivedDatagrams current_;  // taken from the receiver
  size_t next_ = 0;            // the first entry of current_ not yet processed
  bool paused_ = false;
  bool stopped_ = false;
  bool closed_ = false;
  AllowList allow_;
  uint64_t refused_ = 0;
  uint64_t rate_limited_ = 0;
  uint64_t warned_ = 0;
  int64_t last_warning_ms_ = 0;
};

}  // namespace traild
