#include "common/units.hpp"

#include <charconv>
#include <limits>

namespace traild {
namespace {

// Splits "128MiB" into 128 and "MiB". Only whole numbers: "1.5h" is better said as "90m".
bool split_number(std::string_view text, uint64_t& number, std::string_view& unit) {
  auto r = std::from_chars(text.data(), text.data() + text.size(), number);
  if (r.ec != std::errc() || r.ptr == text.data()) return false;
  unit = text.substr(static_cast<size_t>(r.ptr - text.data()));
  return true;
}

bool checked_mul(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace

std::optional<int64_t> parse_duration_ms(std::string_view text, std::string& error) {
  uint64_t n;
  std::string_view unit;
  if (!split_number(text, n, unit)) {
    error = "expected a duration such as 500ms, 30s, 5m, 1h or 90d";
    return std::nullopt;
  }
  uint64_t scale;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else {
    error = unit.empty() ? "a duration needs a unit (ms, s, m, h or d)"
                         : "unknown duration unit '" + std::string(unit) + "' (use ms, s, m, h or d)";
    return std::nullopt;
  }
  uint64_t ms;
  if (!checked_mul(n, scale, ms) || ms > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    error = "duration is too large";
    return std::nullopt;
  }
  return static_cast<int64_t>(ms);
}

std::optional<uint64_t> parse_size_bytes(std::string_view text, std::string& error) {
  uint64_t n;
  std::string_view unit;
  if (!split_number(text, n, unit)) {
    error = "expected a size such as 64KiB, 128MiB or 10GiB";
    return std::nullopt;
  }
  uint64_t scale;
  if (unit.empty() || unit == "B") scale = 1;
  else if (unit == "KiB") scale = 1ULL << 10;
  else if (unit == "MiB") scale = 1ULL << 20;
  else if (unit == "GiB") scale = 1ULL << 30;
  else if (unit == "TiB") scale = 1ULL << 40;
  else {
    error = "unknown size unit '" + std::string(unit) + "' (use B, KiB, MiB, GiB or TiB)";
    return std::nullopt;
  }
  uint64_t bytes;
  if (!checked_mul(n, scale, bytes)) {
    error = "size is too large";
    return std::nullopt;
  }
  return bytes;
}

}  // namespace traild
