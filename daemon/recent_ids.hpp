// The event.ids written most recently, so that an event resent after a lost connection or
// a restart is acknowledged again instead of written twice. A fixed-size FIFO of 128-bit
// fingerprints with an open-addressing index: memory is bounded by the window, lookups are
// O(1), and the oldest id is forgotten first.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace traild {

class RecentIds {
 public:
  explicit RecentIds(size_t capacity);
  bool contains(std::string_view id) const;
  // Remembers `id`, forgetting the oldest when full. Inserting a remembered id is a no-op.
  void insert(std::string_view id);
  size_t size() const { return size_; }
  size_t capacity() const { return ring_.size(); }

 private:
  struct Print {
    uint64_t a, b;
    bool operator==(const Print&) const = default;
  };
  static Print fingerprint(std::string_view id);
  size_t find_slot(const Print& p) const;  // slot holding p, or the empty slot where it would go
  void erase(const Print& p);

  std::vector<Print> ring_;      // insertion order
  size_t head_ = 0;              // next ring position to write
  size_t size_ = 0;
  std::vector<uint32_t> slots_;  // ring index + 1; 0 = empty (linear probing)
  size_t mask_;
};

}  // namespace traild
