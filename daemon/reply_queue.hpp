// A stream connection's replies, in frame order. A reply may only be sent once the batch
// its frame went into is durable (errors too, so replies never overtake each other), so
// replies are appended with their batch id and released batch by batch. One growing buffer
// per connection, no allocation per reply; a LineBuffer, whose appends are inline, because
// each reply is several small appends (callgrind: about 700 -> 500 instructions per reply,
// with std::string the appends were calls).
#pragma once

#include <cstdint>
#include <deque>
#include <string_view>

#include "common/line_buffer.hpp"

namespace traild {

class ReplyQueue {
 public:
  void add(uint64_t batch_id, std::string_view line) {
    add_written(batch_id, [line](LineBuffer& buf) { buf.append(line); });
  }
  // Appends the reply `write(LineBuffer&)` appends to the buffer it is given: written in
  // place, with no line staged and copied.
  template <class Write>
  void add_written(uint64_t batch_id, Write&& write) {
    write(buf_);
    mark(batch_id);
  }
  // Marks every reply of batches up to `durable_batch` as sendable.
  void release(uint64_t durable_batch);
  // Sendable bytes not yet sent.
  std::string_view sendable() const { return buf_.view().substr(sent_, released_ - sent_); }
  void consume(size_t n);
  // Bytes held (sendable or waiting).
  size_t held() const { return buf_.size() - sent_; }
  bool empty() const { return held() == 0; }

 private:
  struct Mark {
    uint64_t batch;
    size_t end;  // offset in buf_ just after this batch's replies
  };
  void mark(uint64_t batch_id);  // the bytes up to buf_'s end belong to `batch_id`

  LineBuffer buf_;
  size_t sent_ = 0;
  size_t released_ = 0;
  std::deque<Mark> marks_;
};

}  // namespace traild
