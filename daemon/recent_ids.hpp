// The event.ids written most recently, so that an event resent after a lost connection or
// a restart is acknowledged again instead of written twice. A fixed-size FIFO of 128-bit
// fingerprints with an open-addressing index: memory is bounded by the window, lookups are
// O(1), and the oldest id is forgotten first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
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

// At start-up each trail (the host's and every tenant's) yields its most recent event ids;
// the window must hold the newest of all of them, in the order they were written. Trails are
// written to in turns, so their ids are merged by event.created (receive time), each
// trail's own order kept, and only the newest `capacity` are held at any time.
class RecentIdsCollector {
 public:
  explicit RecentIdsCollector(size_t capacity) : capacity_(capacity) {}
  // One trail's ids, oldest first, with their event.created.
  void add(std::vector<std::string> ids, const std::vector<int64_t>& created_ms);
  // Inserts what was collected, oldest first.
  void insert_into(RecentIds& recent) const;
  size_t size() const { return ids_.size(); }

 private:
  size_t capacity_;
  std::vector<std::pair<int64_t, std::string>> ids_;  // by event.created, oldest first
};

}  // namespace traild
