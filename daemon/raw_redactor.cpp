#include "daemon/raw_redactor.hpp"

#include <algorithm>
#include <cctype>

#include "common/hex.hpp"

namespace traild {
namespace {

constexpr std::string_view kRedacted = "[REDACTED]";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The end of the JSON string whose opening quote is at `open`: one past its closing quote,
// or raw.size() with `closed` false when it runs off the end.
size_t string_end(const std::string& raw, size_t open, bool* closed = nullptr) {
  for (size_t i = open + 1; i < raw.size(); ++i) {
    if (raw[i] == '\\') {
      ++i;
    } else if (raw[i] == '"') {
      if (closed) *closed = true;
      return i + 1;
    }
  }
  if (closed) *closed = false;
  return raw.size();
}

// A JSON string's content with its escapes undone, enough to compare it with a name: \uXXXX
// below 0x80 and the one-letter escapes. Anything else stays as written (and will not match).
std::string unescape_key(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    if (s[i + 1] == 'u' && i + 5 < s.size()) {
      int v = 0;
      for (size_t k = i + 2; k < i + 6 && v >= 0; ++k) v = hex_digit_value(s[k]) < 0 ? -1 : v * 16 + hex_digit_value(s[k]);
      if (v >= 0 && v < 0x80) {
        out.push_back(static_cast<char>(v));
        i += 5;
        continue;
      }
    }
    const char e = s[++i];
    if (e != '"' && e != '\\' && e != '/') out.push_back('\\');  // not a name's character: kept as written
    out.push_back(e);
  }
  return out;
}

// The end of the JSON value starting at `at` (a string, an object or array, balanced, or a
// scalar), or raw.size() when it runs off the end.
size_t value_end(const std::string& raw, size_t at) {
  if (at >= raw.size()) return at;
  if (raw[at] == '"') return string_end(raw, at);
  if (raw[at] == '{' || raw[at] == '[') {
    int depth = 0;
    for (size_t i = at; i < raw.size(); ++i) {
      const char c = raw[i];
      if (c == '"') {
        i = string_end(raw, i) - 1;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return raw.size();
  }
  size_t i = at;
  while (i < raw.size() && raw[i] != ',' && raw[i] != '}' && raw[i] != ']' && !is_space(raw[i])) ++i;
  return i;
}

}  // namespace

RawRedactor::RawRedactor(const RedactConfig& config) {
  for (const auto& f : config.fields) {
    const size_t dot = f.rfind('.');
    std::string name = lower(dot == std::string::npos ? f : f.substr(dot + 1));
    if (name.empty()) continue;
    longest_ = std::max(longest_, name.size());
    names_.insert(std::move(name));
  }
}

bool RawRedactor::is_secret_name(std::string_view name) const {
  return !name.empty() && name.size() <= longest_ && names_.count(lower(name)) > 0;
}

size_t RawRedactor::redact_text(std::string& raw, size_t begin, size_t end, bool in_string, size_t& count) const {
  size_t i = begin;
  while (i < end) {
    if (!is_name_char(raw[i]) || (i > begin && is_name_char(raw[i - 1]))) {
      i += in_string && raw[i] == '\\' ? 2 : 1;  // an escape pair is never split
      continue;
    }
    size_t name_end = i;
    while (name_end < end && is_name_char(raw[name_end])) ++name_end;
    size_t sep = name_end;
    while (sep < end && raw[sep] == ' ') ++sep;
    if (sep >= end || (raw[sep] != '=' && raw[sep] != ':') ||
        !is_secret_name(std::string_view(raw).substr(i, name_end - i))) {
      i = name_end;
      continue;
    }
    size_t value = sep + 1;
    while (value < end && raw[value] == ' ') ++value;
    // The value runs to a separator of key=value lists, a quote or the line's end (a header's
    // value holds spaces: "Authorization: Basic ..."; name=value pairs are separated by them);
    // inside a JSON string, escape pairs are part of it.
    const bool header = raw[sep] == ':';
    size_t stop = value;
    while (stop < end) {
      const char c = raw[stop];
      if (c == '&' || c == ',' || c == ';' || c == '"' || c == '\'' || c == '\n' || c == '\r' ||
          (!in_string && c == '}') || (!header && (c == ' ' || c == '\t')))
        break;
      if (in_string && c == '\\') {
        if (stop + 1 < end && (raw[stop + 1] == 'n' || raw[stop + 1] == 'r' || raw[stop + 1] == '"')) break;
        stop += 2;
        continue;
      }
      ++stop;
    }
    stop = std::min(stop, end);
    if (stop > value) {
      raw.replace(value, stop - value, kRedacted);
      end = end - (stop - value) + kRedacted.size();
      stop = value + kRedacted.size();
      ++count;
    }
    i = stop;
  }
  return end;
}

size_t RawRedactor::apply(std::string& raw) const {
  if (!enabled()) return 0;
  size_t count = 0, i = 0, text_from = 0;
  while (i < raw.size()) {
    if (raw[i] != '"') {
      ++i;
      continue;
    }
    // Free text before this string.
    i = redact_text(raw, text_from, i, false, count);
    bool closed = false;
    const size_t close = string_end(raw, i, &closed);
    size_t after = close;
    while (after < raw.size() && is_space(raw[after])) ++after;
    if (closed && after < raw.size() && raw[after] == ':') {
      // A member's key: redact its whole value when the key is a secret name.
      const std::string key = unescape_key(std::string_view(raw).substr(i + 1, close - i - 2));
      size_t value = after + 1;
      while (value < raw.size() && is_space(raw[value])) ++value;
      if (is_secret_name(key) && value < raw.size()) {
        const size_t end = value_end(raw, value);
        raw.replace(value, end - value, "\"" + std::string(kRedacted) + "\"");
        ++count;
        i = text_from = value + kRedacted.size() + 2;
        continue;
      }
      i = text_from = close;
      continue;
    }
    // A string value: its text may hold "name: value" or "name=value" pairs.
    const size_t content_end = closed ? close - 1 : raw.size();
    const size_t new_end = redact_text(raw, i + 1, content_end, true, count);
    i = text_from = new_end + (closed ? 1 : 0);
  }
  redact_text(raw, text_from, raw.size(), false, count);
  return count;
}

}  // namespace traild
