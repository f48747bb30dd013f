#include "common/json_escape.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <type_traits>

#include "common/hex.hpp"
#include "common/line_buffer.hpp"

namespace traild {
namespace {

constexpr std::array<bool, 256> make_needs_escape() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = true;
  t['\\'] = true;
  t[0x7f] = true;  // DEL is legal JSON but invisible in a terminal: escape it too
  return t;
}
constexpr auto kNeedsEscape = make_needs_escape();

// True when any of the 8 bytes of `w` may need escaping (< 0x20, '"', '\\', 0x7f). May say
// true for a clean word next to one that needs escaping, never false for one that does: the
// caller then looks at the bytes one by one. Checking 8 bytes per step makes escaping about
// three times faster than a table lookup per byte on typical audit strings.
inline bool word_may_need_escape(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  const uint64_t below_space = (w - kOnes * 0x20) & ~w & kHigh;
  return (below_space | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) | has_zero(w ^ (kOnes * 0x7f))) != 0;
}

}  // namespace

template <class Out>
void append_json_string(Out& out, std::string_view s) {
  if constexpr (std::is_same_v<Out, std::string>) out.reserve(out.size() + s.size() + 2);
  out.push_back('"');
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    const char* run = p;
    uint64_t word;
    while (end - p >= 8 && (std::memcpy(&word, p, 8), !word_may_need_escape(word))) p += 8;
    while (p < end && !kNeedsEscape[static_cast<unsigned char>(*p)]) ++p;
    out.append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    unsigned char c = static_cast<unsigned char>(*p++);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        char buf[6] = {'\\', 'u', '0', '0'};
        hex_encode(&c, 1, buf + 4);
        out.append(buf, 6);
      }
    }
  }
  out.push_back('"');
}

void append_json_preview(std::string& out, std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) {
    append_json_string(out, s);
    return;
  }
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;  // keep UTF-8 whole
  append_json_string(out, s.substr(0, cut));
  out.insert(out.size() - 1, "...");
}

namespace {
// Writes the digits where they go. Converted into a stack buffer and copied out, the copy's
// word loads had to wait for to_chars's byte stores to retire (a store-to-load forward that
// fails): perf put 42 % of append_uint's time on that one load.
template <class Out, class Int>
void append_decimal(Out& out, Int v) {
  constexpr size_t kMaxChars = 20;  // -9223372036854775808, 18446744073709551615
  if constexpr (std::is_same_v<Out, LineBuffer>) {
    char* at = out.room(kMaxChars);
    out.added(static_cast<size_t>(std::to_chars(at, at + kMaxChars, v).ptr - at));
  } else {
    const size_t at = out.size();
    out.resize(at + kMaxChars);
    char* digits = out.data() + at;
    out.resize(at + static_cast<size_t>(std::to_chars(digits, digits + kMaxChars, v).ptr - digits));
  }
}
}  // namespace

template <class Out>
void append_int(Out& out, int64_t v) {
  append_decimal(out, v);
}

template <class Out>
void append_uint(Out& out, uint64_t v) {
  append_decimal(out, v);
}

template <class Out>
void append_double(Out& out, double v) {
  if (!std::isfinite(v)) {  // JSON has no NaN/Infinity; the parser never produces them
    out.append("null");
    return;
  }
  // The shortest digits that read back to the same value, laid out as Python's repr() and
  // ECMAScript-like readers do for their floats: fixed notation for a decimal exponent from -4
  // to 15, scientific (1e+16, 1.5e-07) outside it, and always a '.' or an 'e' so the text
  // reads back as a float. This is part of the canonical form (docs/integrity.md): a line
  // parsed and written again by another JSON library keeps the same bytes.
  char sci[40];
  auto r = std::to_chars(sci, sci + sizeof sci, v, std::chars_format::scientific);
  std::string_view text(sci, static_cast<size_t>(r.ptr - sci));
  const bool negative = text.front() == '-';
  if (negative) text.remove_prefix(1);
  const size_t e = text.find('e');
  int exponent = 0;
  std::from_chars(text.data() + e + 1 + (text[e + 1] == '+'), text.data() + text.size(), exponent);
  char digits[24];
  size_t n = 0;
  for (char c : text.substr(0, e))
    if (c != '.') digits[n++] = c;
  if (negative) out.push_back('-');
  if (exponent < -4 || exponent >= 16) {
    out.push_back(digits[0]);
    if (n > 1) {
      out.push_back('.');
      out.append(digits + 1, n - 1);
    }
    out.push_back('e');
    out.push_back(exponent < 0 ? '-' : '+');
    const int magnitude = exponent < 0 ? -exponent : exponent;
    if (magnitude < 10) out.push_back('0');
    append_int(out, magnitude);
  } else if (exponent < 0) {
    out.append("0.");
    for (int i = -exponent - 1; i > 0; --i) out.push_back('0');
    out.append(digits, n);
  } else {
    const size_t int_digits = static_cast<size_t>(exponent) + 1;
    out.append(digits, std::min(n, int_digits));
    for (size_t i = n; i < int_digits; ++i) out.push_back('0');
    out.push_back('.');
    if (n > int_digits) out.append(digits + int_digits, n - int_digits);
    else out.push_back('0');
  }
}

template void append_json_string(std::string&, std::string_view);
template void append_json_string(LineBuffer&, std::string_view);
template void append_int(std::string&, int64_t);
template void append_int(LineBuffer&, int64_t);
template void append_uint(std::string&, uint64_t);
template void append_uint(LineBuffer&, uint64_t);
template void append_double(std::string&, double);
template void append_double(LineBuffer&, double);

}  // namespace traild
