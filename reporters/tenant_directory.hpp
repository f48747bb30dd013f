// The directory a tenant's trail lives in (output.route_by): output.directory/NAME, where
// NAME is made from an event value the sender chose, so it must never escape the output
// directory or surprise anyone reading it. The rule (docs/files.md):
//   - ASCII letters, digits, '-' and '_' are kept; every other byte (including '.', '/',
//     '%', NUL, control characters, spaces and non-ASCII bytes) becomes %XX (upper-case
//     hex). No name can be ".", "..", hidden, hold a separator, or match the files beside it
//     (PREFIX-*.jsonl, PREFIX.digest), and two different values never share a name.
//   - A name longer than kMaxTenantDirectoryBytes keeps its first bytes and ends with
//     "~" and 32 hex digits of the value's SHA-256 ('~' never appears otherwise), so long
//     values stay distinct and the name stays far below NAME_MAX.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace traild {

inline constexpr size_t kMaxTenantDirectoryBytes = 96;

// `value` must not be empty (an empty value routes nowhere: the host's trail).
std::string tenant_directory_name(std::string_view value);

// True when `name` is what tenant_directory_name can return (used when reading
// output.directory back: anything else there is not a tenant's trail).
bool is_tenant_directory_name(std::string_view name);

// The tenants' trail directories in `output_directory`: real directories (never symlinks)
// with tenant names, in no particular order; none when it cannot be read.
struct TenantDirectory {
  std::string name;
  int64_t modified_ns = 0;  // when an entry in it last changed
};
std::vector<TenantDirectory> tenant_directories(const std::string& output_directory);

}  // namespace traild
