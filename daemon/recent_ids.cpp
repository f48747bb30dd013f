#include "daemon/recent_ids.hpp"

#include <algorithm>
#include <bit>
#include <cstddef>
#include <functional>

namespace traild {

RecentIds::RecentIds(size_t capacity) : ring_(capacity ? capacity : 1) {
  size_t n = std::bit_ceil(ring_.size() * 2);
  slots_.assign(n, 0);
  mask_ = n - 1;
}

// Two independent 64-bit hashes: a false match would make traild skip a new event as a
// resend, so 128 bits keep that chance negligible (about 2^-100 per lookup at this size).
RecentIds::Print RecentIds::fingerprint(std::string_view id) {
  return {std::_Hash_bytes(id.data(), id.size(), 0x5bd1e995u),
          std::_Hash_bytes(id.data(), id.size(), 0xc2b2ae3d27d4eb4fULL)};
}

size_t RecentIds::find_slot(const Print& p) const {
  size_t i = p.a & mask_;
  while (slots_[i] != 0 && !(ring_[slots_[i] - 1] == p)) i = (i + 1) & mask_;
  return i;
}

bool RecentIds::contains(std::string_view id) const { return slots_[find_slot(fingerprint(id))] != 0; }

void RecentIds::erase(const Print& p) {
  size_t i = find_slot(p);
  if (slots_[i] == 0) return;
  slots_[i] = 0;
  // Backward-shift deletion keeps linear probing correct without tombstones.
  size_t j = i;
  while (true) {
    j = (j + 1) & mask_;
    if (slots_[j] == 0) return;
    size_t home = ring_[slots_[j] - 1].a & mask_;
    bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      slots_[i] = slots_[j];
      slots_[j] = 0;
      i = j;
    }
  }
}

void RecentIds::insert(std::string_view id) {
  Print p = fingerprint(id);
  size_t slot = find_slot(p);
  if (slots_[slot] != 0) return;
  if (size_ == ring_.size()) {
    erase(ring_[head_]);
    --size_;
    slot = find_slot(p);
  }
  ring_[head_] = p;
  slots_[slot] = static_cast<uint32_t>(head_ + 1);
  head_ = (head_ + 1) % ring_.size();
  ++size_;
}

void RecentIdsCollector::add(std::vector<std::string> ids, const std::vector<int64_t>& created_ms) {
  const size_t middle = ids_.size();
  for (size_t i = 0; i < ids.size(); ++i) ids_.emplace_back(i < created_ms.size() ? created_ms[i] : 0, std::move(ids[i]));
  auto by_created = [](const auto& a, const auto& b) { return a.first < b.first; };
  std::stable_sort(ids_.begin() + static_cast<ptrdiff_t>(middle), ids_.end(), by_created);
  std::inplace_merge(ids_.begin(), ids_.begin() + static_cast<ptrdiff_t>(middle), ids_.end(), by_created);
  if (ids_.size() > capacity_) ids_.erase(ids_.begin(), ids_.end() - static_cast<ptrdiff_t>(capacity_));
}

void RecentIdsCollector::insert_into(RecentIds& recent) const {
  for (const auto& [created, id] : ids_) recent.insert(id);
}

}  // namespace traild

