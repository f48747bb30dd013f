#include "daemon/stream_listener.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "common/clock.hpp"
#include "common/json_escape.hpp"
#include "daemon/framer.hpp"
#include "daemon/peer_pidfd.hpp"
#include "daemon/reply_queue.hpp"

namespace traild {
namespace {

using boost::asio::local::stream_protocol;

constexpr size_t kReadChunk = 256 << 10;
constexpr int kReadsPerTurn = 4;  // then yield to other connections
// A client that stops reading its acknowledgements is not read from beyond this.
constexpr size_t kMaxHeldReplies = 1 << 20;
constexpr size_t kOctetHeader = 16;
constexpr int64_t kSweepMs = 1000;
constexpr int64_t kWarnEveryMs = 10'000;
constexpr int64_t kAcceptRetryMs = 100;
constexpr size_t kReservedDescriptors = 64;  // kept for files, directories and the state file

// A refusal is a reply line for frame 0 (no frame was taken), sent without waiting.
void send_refusal(int fd, std::string_view code, std::string_view message) {
  std::string line = "{\"frame\":0,\"ok\":false,\"error\":";
  append_json_string(line, code);
  line.append(",\"message\":");
  append_json_string(line, message);
  line.append("}\n");
  [[maybe_unused]] ssize_t n = ::send(fd, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

std::string not_allowed_message(const Sender& s) {
  return "uid " + std::to_string(s.uid) + " gid " + std::to_string(s.gid) +
         " may not send to this socket (listen.allow.stream)";
}

}  // namespace

class StreamSession : public std::enable_shared_from_this<StreamSession>, private FrameSink {
 public:
  StreamSession(StreamListener& l, stream_protocol::socket s, Sender sender)
      : l_(l), sock_(std::move(s)), connected_sender_(sender), sender_(sender), framer_(l.max_event_bytes_) {}

  void start() { wait_readable(); }

  enum class ReadState { MoreAvailable, WouldBlock, Stopped };

  // Reads and frames up to kReadsPerTurn chunks, then yields so other connections get a turn.
  ReadState read_some() {
    if (closed_ || eof_ || reading_ || throttled_) return ReadState::Stopped;
    auto self = shared_from_this();
    const int fd = sock_.native_handle();
    ReadState state = ReadState::MoreAvailable;
    for (int turn = 0; turn < kReadsPerTurn && state == ReadState::MoreAvailable; ++turn) {
      if (!l_.draining_ && (l_.pipeline_.backlogged() || replies_.held() > kMaxHeldReplies)) {
        pause();
        state = ReadState::Stopped;
        break;
      }
      RateLimiter& limiter = l_.pipeline_.rate_limiter();
      if (!l_.draining_ && limiter.enabled()) {
        if (int64_t wait = limiter.wait_ms(sender_.uid, now_unix_ms()); wait > 0) {
          throttle(wait);  // over its rate: slowed, not dropped
          state = ReadState::Stopped;
          break;
        }
      }
      char* buf = l_.read_buffer();
      std::memcpy(buf, carry_.data(), carry_.size());
      const size_t have = carry_.size();
      ssize_t n = receive(fd, buf + have, l_.read_capacity() - have);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        state = ReadState::WouldBlock;
      } else if (n < 0) {
        close();
        return ReadState::Stopped;
      } else if (n == 0) {
        framer_.finish({buf, have}, *this);
        carry_.clear();
        eof_ = true;
        state = ReadState::Stopped;
      } else {
        last_read_ms_ = now_unix_ms();
        if (!l_.limits_.allow_stream.allows(sender_.uid, sender_.gid)) {
          refuse_and_close("not_allowed", not_allowed_message(sender_));
          return ReadState::Stopped;
        }
        frame_buffer(have + static_cast<size_t>(n), last_read_ms_);
      }
    }
    if (state != ReadState::Stopped && !l_.draining_) {
      // Whole frames a rate pause left in carry_ wait for the bucket, not for the socket: a
      // client that sent everything and waits for its acknowledgements never makes it
      // readable again, so a timer must frame them.
      if (rate_stopped_) throttle(std::max<int64_t>(1, l_.pipeline_.rate_limiter().wait_ms(sender_.uid, now_unix_ms())));
      else wait_readable();
    }
    l_.pipeline_.submit_if_writer_idle();
    flush();
    return state;
  }

  // recv() that also takes the sender's credentials of these bytes (the kernel never
  // merges bytes of different senders into one read while SO_PASSCRED is on).
  ssize_t receive(int fd, char* buf, size_t len) {
    iovec iov{buf, len};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred)) + kPidfdControlSpace];
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n <= 0) return n;
    const MessageSender from = read_message_sender(m);
    sender_ = from.has_credentials ? Sender{from.pid, from.uid, from.gid} : connected_sender_;
    sender_.process_inode = from.process_inode;
    return n;
  }

  // Stops reading for `ms` (the sender is over input.rate_limit); the kernel then makes the
  // client wait, and nothing it sent is lost.
  void throttle(int64_t ms) {
    if (throttled_) return;
    throttled_ = true;
    throttle_timer_.expires_after(std::chrono::milliseconds(ms));
    frame_started_ms_ = now_unix_ms() + ms;  // what waits in carry_ is not a slow frame
    throttle_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      self->throttled_ = false;
      if (ec || self->closed_) return;
      self->frame_carry();
      self->read_some();
    });
  }

  // Frames the first `total` bytes of the read buffer (carry_ first, then what was read) and
  // keeps what is not framed yet, an incomplete frame or what a throttle stopped at, in carry_.
  void frame_buffer(size_t total, int64_t now_ms) {
    const char* buf = l_.read_buffer();
    rate_stopped_ = false;
    const size_t used = framer_.feed({buf, total}, *this);
    if (carry_.empty() && used < total) frame_started_ms_ = now_ms;
    carry_.assign(buf + used, total - used);
  }

  // Frames what a throttle left unconsumed, before reading more.
  void frame_carry() {
    if (carry_.empty()) return;
    std::memcpy(l_.read_buffer(), carry_.data(), carry_.size());
    frame_buffer(carry_.size(), now_unix_ms());
    l_.pipeline_.submit_if_writer_idle();
    flush();
  }

  // Idle and slow-frame limits, checked by the listener's sweep.
  void check_timeouts(int64_t now_ms) {
    if (closed_ || throttled_) return;  // a throttled client is waiting on traild, not idle
    const ListenConfig& limits = l_.limits_;
    if (!carry_.empty() && now_ms - frame_started_ms_ > limits.frame_timeout_ms) {
      ++l_.stats_.frame_timeouts;
      refuse_and_close("frame_timeout", "a frame stayed incomplete for longer than listen.frame_timeout (" +
                                            std::to_string(limits.frame_timeout_ms) + " ms)");
    } else if (now_ms - last_read_ms_ > limits.idle_timeout_ms && replies_.empty() && !paused_) {
      ++l_.stats_.idle_timeouts;
      close();
    }
  }

  // Sends one error line, if the socket has room, and closes.
  void refuse_and_close(std::string_view code, std::string_view message) {
    if (closed_) return;
    send_refusal(sock_.native_handle(), code, message);
    close();
  }

  void release(uint64_t durable) {
    replies_.release(durable);
    flush();
  }

  bool has_unreleased() const { return replies_.held() > replies_.sendable().size(); }

  void resume() {
    if (!paused_) return;
    paused_ = false;
    read_some();
  }


  void close() {
    if (closed_) return;
    closed_ = true;
    throttle_timer_.cancel();
    boost::system::error_code ec;
    sock_.close(ec);
    l_.remove(this);
  }

  // Shutdown: read everything the client already sent.
  void drain() {
    reading_ = false;  // a pending wait is superseded; its handler finds nothing to do
    paused_ = false;
    throttled_ = false;  // shutdown reads everything already sent, whatever the rate
    frame_carry();
    while (read_some() == ReadState::MoreAvailable) {
    }
  }

 private:
  // Over its rate: stop framing here; the rest waits in carry_ until the bucket refills.
  bool paused() override {
    if (closed_) return true;  // refused mid-buffer: frame nothing more
    RateLimiter& limiter = l_.pipeline_.rate_limiter();
    if (l_.draining_ || !limiter.enabled()) return false;
    const int64_t now = now_unix_ms();
    if (limiter.wait_ms(sender_.uid, now) > 0) {
      rate_stopped_ = true;
      return true;
    }
    limiter.charge(sender_.uid, 1, now);
    return false;
  }

  void on_record(std::string_view record) override {
    if (closed_) return;
    if (!first_seen_) {
      first_seen_ = true;
      std::string error;
      switch (l_.handshake_.parse(record, choice_, error)) {
        case HandshakeParser::Result::Accepted: ack_ = true; return;
        case HandshakeParser::Result::Invalid: refuse_and_close("invalid_handshake", error); return;
        case HandshakeParser::Result::NotHandshake: break;
      }
    }
    reply(l_.pipeline_.ingest(record, sender_, SourceKind::Stream, choice_));
  }

  void on_oversize(std::string_view head, uint64_t size) override {
    first_seen_ = true;
    reply(l_.pipeline_.reject_oversize(head, size, sender_, SourceKind::Stream));
  }

  void reply(const Pipeline::Outcome& o) {
    ++frame_;
    if (o.ok && !ack_) return;
    replies_.add_written(o.batch_id, [&](LineBuffer& out) {
      out.append("{\"frame\":");
      append_uint(out, frame_);
      if (o.ok) {
        out.append(",\"ok\":true,\"id\":");
        append_json_string(out, o.id);
      } else {
        out.append(",\"ok\":false,\"error\":");
        append_json_string(out, reject_code_name(o.rejection->code));
        out.append(",\"message\":");
        append_json_string(out, o.rejection->message);
      }
      out.append("}\n");
    });
    l_.list_waiting(*this);
  }

  void flush() {
    if (closed_) return;
    if (!writing_) {
      std::string_view out = replies_.sendable();
      while (!out.empty()) {
        ssize_t n = ::send(sock_.native_handle(), out.data(), out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
          replies_.consume(static_cast<size_t>(n));
          out = replies_.sendable();
          continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
          if (ack_) {
            wait_writable();
          } else {
            replies_.consume(out.size());  // without the handshake, errors go only when there is room
          }
          break;
        }
        close();  // the peer is gone; what it did not see acknowledged, it resends
        return;
      }
    }
    if (eof_ && replies_.empty()) close();
  }

  void pause() {
    if (paused_) return;
    paused_ = true;
    l_.paused_.push_back(weak_from_this());
  }

  void wait_readable() {
    if (reading_ || closed_) return;
    reading_ = true;
    sock_.async_wait(stream_protocol::socket::wait_read, [self = shared_from_this()](boost::system::error_code ec) {
      self->reading_ = false;
      if (!ec) self->read_some();
    });
  }

  void wait_writable() {
    writing_ = true;
    sock_.async_wait(stream_protocol::socket::wait_write, [self = shared_from_this()](boost::system::error_code ec) {
      self->writing_ = false;
      if (ec) return;
      self->flush();
      self->resume_if_replies_read();
    });
  }

  // A session paused because its client left too many replies unread resumes once the
  // client has read them; no batch becoming durable may come to wake it.
  void resume_if_replies_read() {
    if (paused_ && !closed_ && !l_.pipeline_.backlogged() && replies_.held() <= kMaxHeldReplies / 2) resume();
  }

  StreamListener& l_;
  stream_protocol::socket sock_;
  Sender connected_sender_;  // SO_PEERCRED at connect time: the fallback
  Sender sender_;            // who sent the bytes being framed
  StreamFramer framer_;
  std::string carry_;
  ReplyQueue replies_;
  bool listed_waiting_ = false;  // in l_.waiting_: one hash lookup per batch, not per reply
  uint64_t frame_ = 0;
  bool first_seen_ = false;
  bool ack_ = false;
  ClientChoice choice_;  // the handshake's dialect and instance for this connection
  bool eof_ = false;
  bool closed_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool paused_ = false;
  bool throttled_ = false;
  bool rate_stopped_ = false;  // framing stopped at the rate limit: carry_ holds whole frames
  boost::asio::steady_timer throttle_timer_{sock_.get_executor()};
  int64_t last_read_ms_ = now_unix_ms();
  int64_t frame_started_ms_ = 0;  // when the partial frame in carry_ began

  friend class StreamListener;
};

StreamListener::StreamListener(boost::asio::io_context& io, int fd, Pipeline& pipeline, size_t max_event_bytes,
                               const ListenConfig& limits)
    : io_(io),
      acceptor_(io, stream_protocol(), fd),
      pipeline_(pipeline),
      limits_(limits),
      sweep_(io),
      accept_retry_(io) {
  set_max_event_bytes(max_event_bytes);
  // Connections may use every descriptor but a reserve, so the writer can always open
  // files, the state file and directories: running out there would stop all writing.
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur != RLIM_INFINITY)
    descriptor_cap_ = nofile.rlim_cur > kReservedDescriptors ? nofile.rlim_cur - kReservedDescriptors : 0;
  if (descriptor_cap_ < limits_.max_connections)
    spdlog::warn("stream socket: the open-file limit allows only {} connections (listen.max_connections is {})",
                 descriptor_cap_, limits_.max_connections);
  // Credentials with every message, not only the connect-time snapshot: a child that
  // inherited the connection is reported as itself. Accepted sockets inherit the flag.
  int one = 1;
  if (::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
    spdlog::warn("stream socket: SO_PASSCRED failed: {}; senders are the connecting process", std::strerror(errno));
  enable_pidfd_passing(fd);
}

StreamListener::~StreamListener() = default;

void StreamListener::set_max_event_bytes(size_t max) {
  max_event_bytes_ = max;
  capacity_ = kReadChunk + max + kOctetHeader;
  buffer_.assign(capacity_ + EventParser::kPadding, '\0');
  for (auto& [p, s] : sessions_) s->framer_.set_max_record_bytes(max);
}

void StreamListener::start() {
  accept();
  sweep();
}

void StreamListener::sweep() {
  sweep_.expires_after(std::chrono::milliseconds(kSweepMs));
  sweep_.async_wait([this](boost::system::error_code ec) {
    if (ec || draining_) return;
    const int64_t now = now_unix_ms();
    std::vector<std::shared_ptr<StreamSession>> all;
    all.reserve(sessions_.size());
    for (auto& [p, s] : sessions_) all.push_back(s);
    for (auto& s : all) s->check_timeouts(now);
    if (stats_.refused + stats_.frame_timeouts > warned_ && now - last_warning_ms_ >= kWarnEveryMs) {
      spdlog::warn("stream socket: {} connections refused (limit or allowlist), {} closed for slow frames, {} idle "
                   "connections closed so far",
                   stats_.refused, stats_.frame_timeouts, stats_.idle_timeouts);
      warned_ = stats_.refused + stats_.frame_timeouts;
      last_warning_ms_ = now;
    }
    sweep();
  });
}

void StreamListener::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, stream_protocol::socket sock) {
    if (ec == boost::asio::error::operation_aborted || draining_) return;
    if (!ec) {
      ucred cred{};
      socklen_t len = sizeof cred;
      Sender sender;
      if (::getsockopt(sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
        sender = {cred.pid, cred.uid, cred.gid};
      if (sessions_.size() >= limits_.max_connections || sessions_.size() >= descriptor_cap_) {
        ++stats_.refused;
        send_refusal(sock.native_handle(), "too_many_connections",
                     sessions_.size() >= limits_.max_connections
                         ? "traild serves at most " + std::to_string(limits_.max_connections) +
                               " connections at once (listen.max_connections); try again later"
                         : "traild is at its open-file limit (" + std::to_string(descriptor_cap_) +
                               " connections; raise LimitNOFILE); try again later");
        accept();
        return;  // the socket closes as it goes out of scope
      }
      if (!limits_.allow_stream.allows(sender.uid, sender.gid)) {
        ++stats_.refused;
        send_refusal(sock.native_handle(), "not_allowed", not_allowed_message(sender));
        accept();
        return;
      }
      sock.non_blocking(true);
      auto s = std::make_shared<StreamSession>(*this, std::move(sock), sender);
      sessions_.emplace(s.get(), s);
      s->start();
    } else {
      // EMFILE and friends: keep serving the connections we have and try again shortly;
      // accepting again at once would spin on the same error.
      const int64_t now = now_unix_ms();
      if (now - last_accept_warning_ms_ >= kWarnEveryMs) {
        spdlog::warn("stream socket: accept failed: {}; retrying every {} ms", ec.message(), kAcceptRetryMs);
        last_accept_warning_ms_ = now;
      }
      accept_retry_.expires_after(std::chrono::milliseconds(kAcceptRetryMs));
      accept_retry_.async_wait([this](boost::system::error_code e) {
        if (!e && !draining_) accept();
      });
      return;
    }
    accept();
  });
}

void StreamListener::on_durable() {
  const uint64_t durable = pipeline_.durable_batch_id();
  // Releasing replies may close a session, which removes it from waiting_: work on a
  // snapshot that keeps each session alive, never on an iterator into waiting_.
  std::vector<std::shared_ptr<StreamSession>> waiting;
  waiting.reserve(waiting_.size());
  for (StreamSession* s : waiting_)
    if (auto it = sessions_.find(s); it != sessions_.end()) waiting.push_back(it->second);
  waiting_.clear();
  for (auto& s : waiting) {
    s->listed_waiting_ = false;
    s->release(durable);
    if (!s->closed_ && s->has_unreleased()) list_waiting(*s);
  }
  if (pipeline_.backlogged()) return;
  std::vector<std::weak_ptr<StreamSession>> paused;
  paused.swap(paused_);
  for (auto& w : paused)
    if (auto s = w.lock()) s->resume();
}

void StreamListener::list_waiting(StreamSession& s) {
  if (s.listed_waiting_) return;
  s.listed_waiting_ = true;
  waiting_.insert(&s);
}

void StreamListener::remove(StreamSession* s) {
  waiting_.erase(s);
  s->listed_waiting_ = false;
  auto it = sessions_.find(s);
  if (it == sessions_.end()) return;
  auto keep = it->second;  // destroyed after its member function returns
  sessions_.erase(it);
  boost::asio::post(io_, [keep] {});
}

void StreamListener::drain() {
  draining_ = true;
  sweep_.cancel();
  accept_retry_.cancel();
  boost::system::error_code ec;
  acceptor_.close(ec);
  std::vector<std::shared_ptr<StreamSession>> all;
  for (auto& [p, s] : sessions_) all.push_back(s);
  for (auto& s : all) s->drain();
}

void StreamListener::close_all() {
  std::vector<std::shared_ptr<StreamSession>> all;
  for (auto& [p, s] : sessions_) all.push_back(s);
  for (auto& s : all) {
    s->release(pipeline_.durable_batch_id());
    s->close();
  }
}

}  // namespace traild
