#include "daemon/framer.hpp"

#include <algorithm>
#include <cstring>

namespace traild {
namespace {

constexpr size_t kMaxCountDigits = 10;

// The position of the first '\n' or '\0' in s, or npos. memchr twice is faster than a
// byte loop; both run at memory speed.
size_t find_terminator(std::string_view s) {
  const void* nl = std::memchr(s.data(), '\n', s.size());
  size_t limit = nl ? static_cast<size_t>(static_cast<const char*>(nl) - s.data()) : s.size();
  const void* nul = std::memchr(s.data(), '\0', limit);
  if (nul) return static_cast<size_t>(static_cast<const char*>(nul) - s.data());
  return nl ? limit : std::string_view::npos;
}

std::string_view strip_cr(std::string_view r) {
  if (!r.empty() && r.back() == '\r') r.remove_suffix(1);
  return r;
}

enum class Count { None, Incomplete, Ok };

// Parses "LEN SP" at the start of s. None: not an octet count (treated as a terminated record).
Count parse_count(std::string_view s, uint64_t& len, size_t& header) {
  size_t i = 0;
  uint64_t v = 0;
  while (i < s.size() && i < kMaxCountDigits && s[i] >= '0' && s[i] <= '9') v = v * 10 + static_cast<uint64_t>(s[i++] - '0');
  if (i == s.size()) return i < kMaxCountDigits ? Count::Incomplete : Count::None;
  if (s[i] != ' ' || v == 0) return Count::None;
  len = v;
  header = i + 1;
  return Count::Ok;
}

// The end (index after '}') of the JSON object that follows a syslog header in s, or npos
// when s holds no complete object. Strings are skipped with their escapes, so braces in
// them do not count.
size_t syslog_json_end(std::string_view s) {
  size_t i = s.find('{');
  if (i == std::string_view::npos) return i;
  int depth = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i)
        if (s[i] == '\\') ++i;
      if (i >= s.size()) return std::string_view::npos;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
  }
  return std::string_view::npos;
}

bool only_blanks(std::string_view r) {
  for (char c : r)
    if (c != ' ' && c != '\t') return false;
  return true;
}

}  // namespace

size_t StreamFramer::feed(std::string_view data, FrameSink& sink) {
  size_t pos = 0;
  while (pos < data.size()) {
    std::string_view rest = data.substr(pos);
    if (skip_counted_ > 0) {
      size_t n = rest.size() < skip_counted_ ? rest.size() : static_cast<size_t>(skip_counted_);
      skip_counted_ -= n;
      pos += n;
      continue;
    }
    if (skip_until_terminator_ > 0) {
      size_t t = find_terminator(rest);
      if (t == std::string_view::npos) return data.size();
      skip_until_terminator_ = 0;
      pos += t + 1;
      continue;
    }
    char first = rest[0];
    if (sink.paused()) return pos;
    if (first == '\n' || first == '\0' || (first == '\r' && rest.size() > 1 && rest[1] == '\n')) {
      pos += first == '\r' ? 2 : 1;  // an empty record
      continue;
    }
    if (first >= '0' && first <= '9') {
      uint64_t len = 0;
      size_t header = 0;
      Count c = parse_count(rest, len, header);
      if (c == Count::Incomplete) return pos;
      if (c == Count::Ok) {
        if (len > max_) {
          size_t have = rest.size() - header < max_ ? rest.size() - header : max_;
          sink.on_oversize(rest.substr(header, have), len);
          uint64_t avail = rest.size() - header;
          if (avail >= len) {
            pos += header + len;
          } else {
            skip_counted_ = len - avail;
            return data.size();
          }
          continue;
        }
        if (rest.size() - header < len) return pos;  // wait for the rest
        sink.on_record(rest.substr(header, len));
        pos += header + len;
        continue;
      }
    }
    size_t t = find_terminator(rest);
    if (first == '<') {
      // A syslog sender that uses no delimiter at all (Python's SysLogHandler with
      // append_nul=False writes "<14>{...}<14>{...}"): its record also ends right after its
      // JSON object when the next record starts there, or nothing has followed yet.
      const size_t scan = std::min(t == std::string_view::npos ? rest.size() : t, max_ + 1);
      const size_t end = syslog_json_end(rest.substr(0, scan));
      if (end != std::string_view::npos && end <= max_ && end < scan + (t == std::string_view::npos ? 1 : 0) &&
          (end == rest.size() || rest[end] == '<')) {
        sink.on_record(rest.substr(0, end));
        pos += end;
        continue;
      }
    }
    if (t == std::string_view::npos) {
      if (rest.size() <= max_ + 1) return pos;  // incomplete: wait for more (a '\r' may follow)
      // Over the limit with no end in sight: report it now and skip until its terminator,
      // holding none of it.
      sink.on_oversize(rest.substr(0, max_), rest.size());
      skip_until_terminator_ = rest.size();
      return data.size();
    }
    std::string_view record = strip_cr(rest.substr(0, t));
    if (record.size() > max_) sink.on_oversize(record.substr(0, max_), record.size());
    else if (!only_blanks(record)) sink.on_record(record);  // blanks after a syslog record's JSON
    pos += t + 1;
  }
  return pos;
}

void StreamFramer::finish(std::string_view tail, FrameSink& sink) {
  if (skip_counted_ > 0 || skip_until_terminator_ > 0) {
    skip_counted_ = skip_until_terminator_ = 0;
    return;  // the oversize record was already reported
  }
  size_t used = feed(tail, sink);
  std::string_view rest = strip_cr(tail.substr(used));
  if (rest.empty()) return;
  if (rest.size() > max_) sink.on_oversize(rest.substr(0, max_), rest.size());
  else sink.on_record(rest);
}

std::string_view datagram_record(std::string_view d) {
  if (!d.empty() && d.back() == '\0') d.remove_suffix(1);
  if (!d.empty() && d.back() == '\n') d.remove_suffix(1);
  if (!d.empty() && d.back() == '\r') d.remove_suffix(1);
  if (!d.empty() && d[0] >= '0' && d[0] <= '9') {
    uint64_t len = 0;
    size_t header = 0;
    if (parse_count(d, len, header) == Count::Ok && len == d.size() - header) d.remove_prefix(header);
  }
  return d;
}

}  // namespace traild
