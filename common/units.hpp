// The configuration's units: durations ("500ms", "30s", "5m", "1h", "90d") and sizes
// ("64KiB", "128MiB", "10GiB", or a plain number of bytes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace traild {

// Milliseconds, or nullopt with `error` set to why the text is not a duration.
std::optional<int64_t> parse_duration_ms(std::string_view text, std::string& error);
// Bytes, or nullopt with `error` set.
std::optional<uint64_t> parse_size_bytes(std::string_view text, std::string& error);

}  // namespace traild
