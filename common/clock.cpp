#include "common/clock.hpp"

#include <cstdio>

#include <chrono>

namespace traild {

int64_t now_unix_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Howard Hinnant's public-domain civil calendar algorithms (the idea, re-derived here).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

namespace {

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Formatting is on the hot path twice per event: event.created (now) and the producer's
// @timestamp, which moves by any amount from one event to the next. The calendar date is
// the costly part and changes once a day, so the text of the last two days is kept ("two":
// @timestamp and event.created may fall on either side of midnight) and only the time of
// day, a few multiplications, is written per call.
struct DayCache {
  int64_t day = INT64_MIN;
  char text[11];  // YYYY-MM-DDT
};
thread_local DayCache t_days[2];
thread_local unsigned t_days_next = 0;  // the entry a new day replaces

const DayCache& day_text(int64_t day) {
  if (t_days[0].day == day) return t_days[0];
  if (t_days[1].day == day) return t_days[1];
  DayCache& c = t_days[t_days_next];
  t_days_next ^= 1;
  int64_t y;
  unsigned m, d;
  civil_from_days(day, y, m, d);
  const unsigned yy = static_cast<unsigned>(y < 0 ? 0 : (y > 9999 ? 9999 : y));
  put2(c.text, yy / 100);
  put2(c.text + 2, yy % 100);
  c.text[4] = '-';
  put2(c.text + 5, m);
  c.text[7] = '-';
  put2(c.text + 8, d);
  c.text[10] = 'T';
  c.day = day;
  return c;
}

bool digits(std::string_view s, size_t pos, size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  unsigned v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Whether a date and time of day exist (second 60: a leap second), and the Unix seconds
// of one that does, read as UTC: both parsers below share them.
bool date_time_exists(unsigned year, unsigned mon, unsigned day, unsigned hour, unsigned min, unsigned sec) {
  return mon >= 1 && mon <= 12 && day >= 1 && day <= days_in_month(year, mon) && hour <= 23 && min <= 59 && sec <= 60;
}
int64_t utc_seconds(unsigned year, unsigned mon, unsigned day, unsigned hour, unsigned min, unsigned sec) {
  return days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}

// The form traild writes and most producers send, "2026-11-21T22:01:12.345Z", read at fixed
// positions without the general parser's branches per field (callgrind, once per event
// with a @timestamp: 378 -> 256 instructions a call, the I/O thread about -1 %). nullopt for
// anything else, a leap second included, which the general parser then judges.
std::optional<int64_t> parse_canonical_ms(std::string_view s) {
  const char* p = s.data();
  if (s.size() != kRfc3339MsLength || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' ||
      p[19] != '.' || p[23] != 'Z')
    return std::nullopt;
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  // A digit's value, or above 9 (unsigned wrap-around) for any other byte. Spelled out, not
  // looped over a list of positions: GCC kept that loop, at 12 instructions a digit.
  auto digit = [u](size_t i) { return static_cast<unsigned>(u[i]) - unsigned{'0'}; };
  const unsigned y0 = digit(0), y1 = digit(1), y2 = digit(2), y3 = digit(3), mo0 = digit(5), mo1 = digit(6),
                 d0 = digit(8), d1 = digit(9), h0 = digit(11), h1 = digit(12), mi0 = digit(14), mi1 = digit(15),
                 s0 = digit(17), s1 = digit(18), f0 = digit(20), f1 = digit(21), f2 = digit(22);
  const unsigned not_digits = (y0 > 9) + (y1 > 9) + (y2 > 9) + (y3 > 9) + (mo0 > 9) + (mo1 > 9) + (d0 > 9) +
                              (d1 > 9) + (h0 > 9) + (h1 > 9) + (mi0 > 9) + (mi1 > 9) + (s0 > 9) + (s1 > 9) +
                              (f0 > 9) + (f1 > 9) + (f2 > 9);
  if (not_digits != 0) return std::nullopt;
  const unsigned year = y0 * 1000 + y1 * 100 + y2 * 10 + y3, mon = mo0 * 10 + mo1, day = d0 * 10 + d1;
  const unsigned hour = h0 * 10 + h1, min = mi0 * 10 + mi1, sec = s0 * 10 + s1;
  if (sec == 60 || !date_time_exists(year, mon, day, hour, min, sec)) return std::nullopt;
  return utc_seconds(year, mon, day, hour, min, sec) * 1000 + f0 * 100 + f1 * 10 + f2;
}

}  // namespace

void format_rfc3339_ms(int64_t unix_ms, char* out) {
  const int64_t sec = unix_ms >= 0 ? unix_ms / 1000 : (unix_ms - 999) / 1000;
  const unsigned ms = static_cast<unsigned>(unix_ms - sec * 1000);
  const int64_t day = sec >= 0 ? sec / 86400 : (sec - 86399) / 86400;
  const unsigned sod = static_cast<unsigned>(sec - day * 86400);
  std::char_traits<char>::copy(out, day_text(day).text, 11);
  put2(out + 11, sod / 3600);
  out[13] = ':';
  put2(out + 14, sod / 60 % 60);
  out[16] = ':';
  put2(out + 17, sod % 60);
  out[19] = '.';
  out[20] = static_cast<char>('0' + ms / 100);
  out[21] = static_cast<char>('0' + ms / 10 % 10);
  out[22] = static_cast<char>('0' + ms % 10);
  out[23] = 'Z';
}

std::string rfc3339_ms(int64_t unix_ms) {
  std::string s(kRfc3339MsLength, '\0');
  format_rfc3339_ms(unix_ms, s.data());
  return s;
}

std::string compact_utc(int64_t unix_ms) {
  char ts[kRfc3339MsLength];
  format_rfc3339_ms(unix_ms, ts);  // 2026-11-21T22:01:12.345Z
  char buf[20];
  std::snprintf(buf, sizeof buf, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", ts, ts + 5, ts + 8, ts + 11, ts + 14, ts + 17);
  return buf;
}

std::optional<Instant> parse_rfc3339(std::string_view s) {
  unsigned year, mon, day, hour, min, sec;
  if (!digits(s, 0, 4, year) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, mon) ||
      s[7] != '-' || !digits(s, 8, 2, day))
    return std::nullopt;
  char t = s[10];
  if (t != 'T' && t != 't' && t != ' ') return std::nullopt;
  if (!digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, min) || s[16] != ':' ||
      !digits(s, 17, 2, sec))
    return std::nullopt;
  if (!date_time_exists(year, mon, day, hour, min, sec)) return std::nullopt;
  if (sec == 60) sec = 59;  // a leap second is kept within its minute
  size_t pos = 19;
  uint32_t nanos = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (pos - start < 9) nanos = nanos * 10 + static_cast<uint32_t>(s[pos] - '0');
      ++pos;
    }
    size_t n = pos - start;
    if (n == 0) return std::nullopt;
    for (size_t i = n; i < 9; ++i) nanos *= 10;
  }
  if (pos >= s.size()) return std::nullopt;
  int64_t offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    unsigned oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !digits(s, pos + 4, 2, om) || oh > 23 || om > 59)
      return std::nullopt;
    offset_min = static_cast<int64_t>(oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  return Instant{utc_seconds(year, mon, day, hour, min, sec) - offset_min * 60, nanos};
}

std::optional<int64_t> parse_rfc3339_ms(std::string_view s) {
  if (auto ms = parse_canonical_ms(s)) return ms;
  auto t = parse_rfc3339(s);
  if (!t) return std::nullopt;
  return t->seconds * 1000 + t->nanos / 1'000'000;
}


std::optional<ZoneRule> parse_zone_rule(std::string_view t) {
  if (t == "UTC" || t == "Z") return ZoneRule{};
  if (t == "local") return ZoneRule{true, 0};
  auto digit = [&](size_t i) { return t[i] >= '0' && t[i] <= '9' ? t[i] - '0' : -1; };
  if (t.size() != 6 || (t[0] != '+' && t[0] != '-') || t[3] != ':') return std::nullopt;
  for (size_t i : {1, 2, 4, 5})
    if (digit(i) < 0) return std::nullopt;
  const int hours = digit(1) * 10 + digit(2), minutes = digit(4) * 10 + digit(5);
  if (hours > 18 || minutes > 59) return std::nullopt;
  return ZoneRule{false, (t[0] == '-' ? -1 : 1) * (hours * 60 + minutes)};
}

}  // namespace traild
