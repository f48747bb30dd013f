#include "reporters/retention.hpp"

namespace traild {

std::vector<Deletion> select_for_deletion(const std::vector<TrailFile>& closed, uint64_t active_size,
                                          const RetentionConfig& policy, int64_t now_ms,
                                          std::optional<uint64_t> free_bytes) {
  uint64_t total = active_size;
  for (const auto& f : closed) total += f.size;
  std::vector<Deletion> out;
  for (const auto& f : closed) {
    const char* reason = nullptr;
    if (now_ms - f.created_ms > policy.max_age_ms) reason = "max_age";
    else if (total > policy.max_total_size) reason = "max_total_size";
    else if (free_bytes && *free_bytes < policy.min_free) reason = "min_free";
    if (reason == nullptr) break;  // files are oldest first: the rest are newer and fit
    out.push_back({f, reason});
    total -= f.size;
    if (free_bytes) *free_bytes += f.size;
  }
  return out;
}

}  // namespace traild
