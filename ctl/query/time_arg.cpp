#include "ctl/query/time_arg.hpp"

#include <charconv>

#include "common/clock.hpp"

namespace traild::ctl {
namespace {

std::optional<int64_t> number(std::string_view s) {
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < 0) return std::nullopt;
  return v;
}

// "15m", "24h", "7d", "90s", "500ms": milliseconds.
std::optional<int64_t> span_ms(std::string_view s) {
  static constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}, {"d", 86'400'000}, {"w", 604'800'000}};
  for (auto [unit, ms] : kUnits) {
    if (s.size() > unit.size() && s.substr(s.size() - unit.size()) == unit) {
      auto n = number(s.substr(0, s.size() - unit.size()));
      if (n && *n <= INT64_MAX / ms) return *n * ms;
      if (n) return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<int64_t> parse_time_arg(std::string_view t, int64_t now_ms, std::string& error) {
  if (auto ms = parse_rfc3339_ms(t)) return ms;
  if (t.size() == 10 && t[4] == '-' && t[7] == '-') {
    if (auto ms = parse_rfc3339_ms(std::string(t) + "T00:00:00Z")) return ms;
  }
  if (t.size() == 19 && t[10] == 'T') {
    if (auto ms = parse_rfc3339_ms(std::string(t) + "Z")) return ms;
  }
  if (auto n = number(t)) {
    // Epoch milliseconds have at least 12 digits for any date after 1973.
    if (*n >= 100'000'000'000) return *n;
    return *n * 1000;
  }
  if (auto ago = span_ms(t)) return now_ms - *ago;
  error = "expected RFC 3339 (2026-01-02T03:04:05Z), a date (2026-01-02), a date-time (2026-01-02T03:04:05, UTC), "
          "epoch seconds or milliseconds, or a span back from now (15m, 24h, 7d); got \"" +
          std::string(t.substr(0, 40)) + "\"";
  return std::nullopt;
}

std::optional<int64_t> parse_duration_ns(std::string_view t) {
  if (auto n = number(t)) {
    if (*n > INT64_MAX / 1'000'000) return std::nullopt;
    return *n * 1'000'000;  // plain numbers are milliseconds, as Salt's elapsed_msec
  }
  auto ms = span_ms(t);
  if (!ms || *ms > INT64_MAX / 1'000'000) return std::nullopt;
  return *ms * 1'000'000;
}

}  // namespace traild::ctl
