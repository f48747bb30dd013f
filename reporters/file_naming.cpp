#include "reporters/file_naming.hpp"

#include <charconv>
#include <cstdio>

#include "common/clock.hpp"

namespace traild {

std::string make_file_name(std::string_view prefix, int64_t created_ms, uint64_t counter) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "-%08llu.jsonl", static_cast<unsigned long long>(counter));
  return std::string(prefix) + "-" + compact_utc(created_ms) + buf;
}

std::optional<FileName> parse_file_name(std::string_view prefix, std::string_view name) {
  // PREFIX - YYYYMMDD T HHMMSS Z - COUNTER .jsonl
  constexpr std::string_view kExt = ".jsonl";
  if (name.size() < prefix.size() + 1 + 16 + 1 + 1 + kExt.size() || !name.starts_with(prefix) ||
      name[prefix.size()] != '-' || !name.ends_with(kExt))
    return std::nullopt;
  std::string_view rest = name.substr(prefix.size() + 1, name.size() - prefix.size() - 1 - kExt.size());
  if (rest.size() < 18 || rest[8] != 'T' || rest[15] != 'Z' || rest[16] != '-') return std::nullopt;
  // Reuse the RFC 3339 parser for the calendar checks.
  std::string iso = std::string(rest.substr(0, 4)) + "-" + std::string(rest.substr(4, 2)) + "-" +
                    std::string(rest.substr(6, 2)) + "T" + std::string(rest.substr(9, 2)) + ":" +
                    std::string(rest.substr(11, 2)) + ":" + std::string(rest.substr(13, 2)) + "Z";
  auto ms = parse_rfc3339_ms(iso);
  if (!ms) return std::nullopt;
  std::string_view digits = rest.substr(17);
  FileName out;
  out.created_ms = *ms;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), out.counter);
  if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size()) return std::nullopt;
  return out;
}

}  // namespace traild
