// A growable byte buffer for building one output line, with the few std::string calls the
// JSON appenders use (push_back, append) defined inline. Measured: at -O2 GCC calls
// std::string::push_back and resize out of line, and those calls were a third of the ECS
// formatter's instructions; the formatter builds each line here and copies it out once, and
// a stream connection writes its replies into one.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

#include "common/short_bytes.hpp"

namespace traild {

class LineBuffer {
 public:
  void clear() { size_ = 0; }
  size_t size() const { return size_; }
  const char* data() const { return data_.get(); }
  std::string_view view() const { return {data_.get(), size_}; }

  void push_back(char c) {
    if (size_ == capacity_) grow(1);
    data_[size_++] = c;
  }
  void append(std::string_view s) {
    if (s.empty()) return;  // and so never copy to the null data_ of an unused buffer
    if (capacity_ - size_ < s.size()) grow(s.size());
    copy_bytes(data_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  void append(const char* s, size_t n) { append(std::string_view(s, n)); }
  void append(const char* s) { append(std::string_view(s)); }
  // Room for `n` more bytes at the end, to write in place; added(k) then takes the first k.
  char* room(size_t n) {
    if (capacity_ - size_ < n) grow(n);
    return data_.get() + size_;
  }
  void added(size_t k) { size_ += k; }

  // Drops the first `n` bytes (at most size()), moving the rest to the front.
  void erase_front(size_t n) {
    std::memmove(data_.get(), data_.get() + n, size_ - n);
    size_ -= n;
  }

  // Gives back the memory of a buffer grown past `bytes` by one unusually large line.
  void shrink_if_over(size_t bytes) {
    if (capacity_ <= bytes) return;
    data_.reset();
    size_ = capacity_ = 0;
  }

 private:
  void grow(size_t more) {
    size_t capacity = capacity_ < 1024 ? 1024 : capacity_ * 2;
    while (capacity - size_ < more) capacity *= 2;
    std::unique_ptr<char[]> bigger(new char[capacity]);
    if (size_ > 0) std::memcpy(bigger.get(), data_.get(), size_);
    data_ = std::move(bigger);
    capacity_ = capacity;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

}  // namespace traild
