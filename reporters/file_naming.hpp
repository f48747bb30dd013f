// Trail file names: PREFIX-YYYYMMDDTHHMMSSZ-NNNNNNNN.jsonl. The UTC time is when the file
// was created; the counter increases with every file a stream ever opens (it is kept in the
// state directory), so names are unique, never reused, and sort by creation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace traild {

struct FileName {
  int64_t created_ms = 0;  // whole seconds
  uint64_t counter = 0;
};

std::string make_file_name(std::string_view prefix, int64_t created_ms, uint64_t counter);
std::optional<FileName> parse_file_name(std::string_view prefix, std::string_view name);

}  // namespace traild
