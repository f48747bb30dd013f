// Time as traild writes and reads it: Unix milliseconds, RFC 3339 in UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace traild {

// Length of "2026-11-21T22:01:12.345Z".
inline constexpr size_t kRfc3339MsLength = 24;

int64_t now_unix_ms();

// Writes exactly kRfc3339MsLength characters, UTC with milliseconds.
void format_rfc3339_ms(int64_t unix_ms, char* out);
std::string rfc3339_ms(int64_t unix_ms);
// The ISO 8601 basic form to the second, for names: "20261121T220112Z".
std::string compact_utc(int64_t unix_ms);

// A point in time: seconds since the Unix epoch and the nanoseconds within that second.
struct Instant {
  int64_t seconds = 0;
  uint32_t nanos = 0;
};

// Parses an RFC 3339 date-time with up to nanosecond precision (digits beyond are truncated).
std::optional<Instant> parse_rfc3339(std::string_view text);

// Parses an RFC 3339 date-time ("2026-11-21T22:01:12Z", "...12.123456+02:00", lowercase t/z
// and a space separator allowed as RFC 3339 section 5.6 notes). Returns Unix milliseconds,
// sub-millisecond digits truncated, or nullopt when the text is not a valid date-time.
std::optional<int64_t> parse_rfc3339_ms(std::string_view text);

// How a wall-clock time without a zone is read: in UTC, in the host's local zone (TZ), or at
// a fixed offset from UTC.
struct ZoneRule {
  bool local = false;
  int32_t offset_minutes = 0;
};
// Parses "UTC", "local", "+HH:MM" or "-HH:MM"; nullopt otherwise.
std::optional<ZoneRule> parse_zone_rule(std::string_view text);

// Days since 1970-01-01 for a proleptic Gregorian date, and back.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d);
void civil_from_days(int64_t days, int64_t& y, unsigned& m, unsigned& d);

}  // namespace traild
