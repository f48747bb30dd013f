// Reading back what a stream wrote before a restart: its files, whether the newest one
// ends cleanly, the last event.sequence, and the most recent event.ids (so resends after a
// crash are recognised).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "reporters/retention.hpp"

namespace traild {

// Trail files of `prefix` in `dir`, oldest first. Other files are ignored.
std::vector<TrailFile> list_trail_files(const std::string& dir, std::string_view prefix);

struct TrailTail {
  bool have_sequence = false;
  uint64_t last_sequence = 0;
  std::string last_chain_hash;  // traild.chain.hash of the newest complete line, if it has one
  std::vector<std::string> recent_ids;  // oldest first, at most the requested number
  std::vector<int64_t> recent_created_ms;  // each one's event.created (0 when it has none)
  bool newest_ends_cleanly = true;      // the newest file is empty or ends with '\n'
};

// Reads files newest first until `max_ids` ids are found. Only complete lines count: a torn
// last line (no '\n') is ignored.
TrailTail scan_trail_tail(const std::string& dir, const std::vector<TrailFile>& files, size_t max_ids);

}  // namespace traild
