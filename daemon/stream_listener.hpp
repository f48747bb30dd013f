// The stream socket: accepts connections and reads NDJSON (or octet-counted) frames. A
// connection that sends {"traild":{"ack":true}} first gets one reply per later frame, in
// order, once its event is durable; others get only error replies, when there is room.
// Reading stops (the kernel then slows the sender) while the pipeline is backlogged or a
// client does not read its replies, so memory stays bounded.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <simdjson.h>

#include <memory>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "daemon/handshake.hpp"
#include "daemon/pipeline.hpp"

namespace traild {

class StreamSession;

struct StreamStats {
  uint64_t refused = 0;         // over listen.max_connections or not in the allowlist
  uint64_t frame_timeouts = 0;  // closed: a frame stayed incomplete too long
  uint64_t idle_timeouts = 0;   // closed: silent too long
};

class StreamListener {
 public:
  StreamListener(boost::asio::io_context& io, int fd, Pipeline& pipeline, size_t max_event_bytes,
                 const ListenConfig& limits);
  ~StreamListener();
  void start();
  // Batches became durable: send released replies and resume paused connections.
  void on_durable();
  // Shutdown, step 1: stop accepting and read what connections already sent.
  void drain();
  // Shutdown, step 2: send what can be sent without waiting and close every connection.
  void close_all();
  void set_max_event_bytes(size_t max);
  // Connection cap, timeouts and allowlist (apply to new reads and connections).
  void set_limits(const ListenConfig& limits) { limits_ = limits; }
  const StreamStats& stats() const { return stats_; }
  size_t connections() const { return sessions_.size(); }

 private:
  friend class StreamSession;
  void accept();
  void sweep();
  void remove(StreamSession* s);
  // Adds `s` to waiting_ unless it is listed already.
  void list_waiting(StreamSession& s);
  char* read_buffer() { return buffer_.data(); }
  size_t read_capacity() const { return capacity_; }

  boost::asio::io_context& io_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  Pipeline& pipeline_;
  size_t max_event_bytes_;
  // One read buffer for all connections (they are served one at a time on the I/O thread):
  // an idle connection costs no buffer, and only a partial frame is ever copied.
  std::vector<char> buffer_;
  size_t capacity_ = 0;
  std::unordered_map<StreamSession*, std::shared_ptr<StreamSession>> sessions_;
  std::unordered_set<StreamSession*> waiting_;  // with replies not yet released
  std::vector<std::weak_ptr<StreamSession>> paused_;
  HandshakeParser handshake_;
  bool draining_ = false;
  ListenConfig limits_;
  boost::asio::steady_timer sweep_;
  boost::asio::steady_timer accept_retry_;  // after accept fails (EMFILE, ENFILE, ENOBUFS)
  int64_t last_accept_warning_ms_ = 0;
  size_t descriptor_cap_ = SIZE_MAX;  // connections the open-file limit leaves room for
  StreamStats stats_;
  uint64_t warned_ = 0;
  int64_t last_warning_ms_ = 0;
};

}  // namespace traild
