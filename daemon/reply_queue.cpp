#include "daemon/reply_queue.hpp"

namespace traild {

void ReplyQueue::mark(uint64_t batch_id) {
  if (!marks_.empty() && marks_.back().batch == batch_id) marks_.back().end = buf_.size();
  else marks_.push_back({batch_id, buf_.size()});
}

void ReplyQueue::release(uint64_t durable_batch) {
  while (!marks_.empty() && marks_.front().batch <= durable_batch) {
    released_ = marks_.front().end;
    marks_.pop_front();
  }
}

void ReplyQueue::consume(size_t n) {
  sent_ += n;
  if (sent_ == buf_.size()) {
    buf_.clear();
    sent_ = released_ = 0;
    marks_.clear();  // any mark left ends at the buffer's end: nothing of it is unsent
  } else if (sent_ > (64u << 10) && sent_ * 2 > buf_.size()) {
    buf_.erase_front(sent_);  // compact once most of the buffer is sent
    released_ -= sent_;
    for (auto& m : marks_) m.end -= sent_;
    sent_ = 0;
  }
}

}  // namespace traild
