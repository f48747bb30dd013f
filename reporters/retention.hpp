// Which closed trail files retention deletes: oldest first, never the active file, while a
// file is older than max_age (by the time in its name), the trail is larger than
// max_total_size, or the file system has less than min_free bytes available.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace traild {

struct TrailFile {
  std::string name;  // file name inside the stream's directory
  int64_t created_ms = 0;
  uint64_t counter = 0;
  uint64_t size = 0;
};

struct Deletion {
  TrailFile file;
  std::string reason;  // "max_age", "max_total_size" or "min_free"
  bool sequences_known = false;  // the chain range the file held, when it has one
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
};

// `closed` is sorted oldest first (by counter). `free_bytes` is nullopt when unknown.
std::vector<Deletion> select_for_deletion(const std::vector<TrailFile>& closed, uint64_t active_size,
                                          const RetentionConfig& policy, int64_t now_ms,
                                          std::optional<uint64_t> free_bytes);

}  // namespace traild
