// The time-range index beside a stream's files, `<prefix>.index` in the output directory:
// one JSON line per closed file, {"file":NAME,"first_ms":T,"last_ms":T}, the smallest and
// largest @timestamp it holds, appended when the file closes. trailctl query skips files
// whose range misses its window without reading them: imported history lands in today's
// files, so a file's name cannot tell. A range may be wider than the file's events (a batch
// split by rotation counts for both files), never narrower. The newest file of a stream may
// still grow and is always read; a file without a record is always read.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "reporters/filesystem.hpp"

namespace traild {

struct TimeRange {
  int64_t first_ms = INT64_MAX;
  int64_t last_ms = INT64_MIN;
  bool empty() const { return first_ms > last_ms; }
  void merge(const TimeRange& other) {
    if (other.first_ms < first_ms) first_ms = other.first_ms;
    if (other.last_ms > last_ms) last_ms = other.last_ms;
  }
};

std::string range_index_path(const std::string& directory, std::string_view prefix);

// Appends the record of `file`. Best effort: a missing record only costs a query a read.
int append_range_record(Filesystem& fs, const std::string& directory, std::string_view prefix, std::string_view file,
                        const TimeRange& range);

// The records of every `*.index` file in `directory`, by file name (the last record of a
// file wins). Malformed lines are ignored.
std::map<std::string, TimeRange> read_range_index(const std::string& directory);

}  // namespace traild
