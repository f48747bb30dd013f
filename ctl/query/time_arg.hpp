// Time arguments of trailctl query (--since, --until): RFC 3339, a date (yyyy-MM-dd) or
// date-time without zone (yyyy-MM-ddTHH:mm:ss) as Run:ai takes them (read as UTC), epoch
// seconds or milliseconds, or a span back from now (15m, 24h, 7d).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace traild::ctl {

// Unix milliseconds, or nullopt with `error` saying which forms are accepted.
std::optional<int64_t> parse_time_arg(std::string_view text, int64_t now_ms, std::string& error);

// A duration for --min-duration/--max-duration: "500ms", "2s", "5m", "1h", or a plain
// number of milliseconds (Salt's elapsed_msec). Nanoseconds, as event.duration holds.
std::optional<int64_t> parse_duration_ns(std::string_view text);

}  // namespace traild::ctl
