// Framing: turning the bytes of a stream connection, or one datagram, into records.
// Shared by every socket source; decoding a record (JSON, syslog) is a separate step.
//
// Stream records end at '\n', '\0' or "\n\0" (a '\r' before the '\n' is dropped), or are
// octet-counted ("LEN SP MSG", RFC 6587), recognised by a digit at the start of a record.
// Empty records (blank lines, the '\0' of "\n\0") are skipped. A record longer than the
// limit is reported once with its first `max_record_bytes` bytes and the rest is skipped,
// so a peer can never make the framer hold more than the limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace traild {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void on_record(std::string_view record) = 0;
  // A record over the limit: `head` is its first max_record_bytes bytes, `size` is how long
  // it is known to be so far (at least head.size() + 1).
  virtual void on_oversize(std::string_view head, uint64_t size) = 0;
  // Asked before each record: true makes feed() stop there, leaving the rest unconsumed
  // (a sender over its rate limit).
  virtual bool paused() { return false; }
};

class StreamFramer {
 public:
  explicit StreamFramer(size_t max_record_bytes) : max_(max_record_bytes) {}

  // Splits `data` into records and returns how many bytes were consumed. The caller keeps
  // the unconsumed tail (always shorter than max_record_bytes plus an octet-count header)
  // and passes it again, followed by new bytes, on the next call.
  size_t feed(std::string_view data, FrameSink& sink);
  // At end of stream, the unconsumed tail is the last record (a client may omit the final
  // terminator). An incomplete octet-counted record is reported as truncated.
  void finish(std::string_view tail, FrameSink& sink);

  void set_max_record_bytes(size_t max) { max_ = max; }

 private:
  size_t max_;
  uint64_t skip_until_terminator_ = 0;  // >0: inside an oversize terminated record (its size so far)
  uint64_t skip_counted_ = 0;           // bytes of an oversize octet-counted record still to skip
};

// One datagram is one record: drops one trailing terminator ("\n", "\0", "\n\0", "\r\n") and
// an RFC 6587 octet count that matches the datagram's length.
std::string_view datagram_record(std::string_view datagram);

}  // namespace traild
