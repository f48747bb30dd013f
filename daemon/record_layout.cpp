#include "daemon/record_layout.hpp"

#include <simdjson.h>

#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/short_bytes.hpp"

namespace traild {
namespace {

constexpr size_t kMaxIntegerDigits = 18;  // always an int64, as simdjson would read it

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_number_byte(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHigh = 0x8080808080808080ULL;

// The high bit of each byte of `w` that equals `c` (exact for the lowest such byte, which is
// all the caller looks at).
inline uint64_t bytes_equal(uint64_t w, char c) {
  const uint64_t x = w ^ (kOnes * static_cast<unsigned char>(c));
  return (x - kOnes) & ~x & kHigh;
}

// Finds the closing quote of a string whose content starts at `p`: nullptr when a control
// character, a backslash or a DEL comes first (the string is not plain: JSON refuses a control
// character, the others need unescaping or escaping) or no quote comes before `end`.
// `ascii`: whether the content is all below 0x80. Most audit strings are short ASCII, and a
// call to memchr cost more than this scan: 16 bytes a step with SSE2 (every x86-64; a third
// of the instructions of the 8-byte words below, callgrind), then 8, then one.
const char* plain_string_end(const char* p, const char* end, bool& ascii) {
  bool high = false;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), del = _mm_set1_epi8(0x7f);
  const __m128i below_space = _mm_set1_epi8(0x1f);
  while (end - p >= 16) {
    const __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i control = _mm_cmpeq_epi8(_mm_min_epu8(w, below_space), w);  // bytes <= 0x1f
    const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)),
                                      _mm_or_si128(_mm_cmpeq_epi8(w, del), control));
    const auto stops = static_cast<unsigned>(_mm_movemask_epi8(stop));
    const auto highs = static_cast<unsigned>(_mm_movemask_epi8(w));  // bytes >= 0x80
    if (stops != 0) {
      const unsigned at = static_cast<unsigned>(__builtin_ctz(stops));
      ascii = !high && (highs & ((1u << at) - 1)) == 0;
      return p[at] == '"' ? p + at : nullptr;
    }
    high = high || highs != 0;
    p += 16;
  }
#endif
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t stop =
        bytes_equal(w, '"') | bytes_equal(w, '\\') | bytes_equal(w, 0x7f) | ((w - kOnes * 0x20) & ~w & kHigh);
    if (stop != 0) {
      const int at = __builtin_ctzll(stop) / 8;
      ascii = !high && (w & kHigh & ((uint64_t{1} << (8 * at)) - 1)) == 0;
      return p[at] == '"' ? p + at : nullptr;
    }
    high = high || (w & kHigh) != 0;
    p += 8;
  }
  for (; p < end; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c == '"') {
      ascii = !high;
      return p;
    }
    if (c < 0x20 || c == '\\' || c == 0x7f) return nullptr;
    high = high || c >= 0x80;
  }
  return nullptr;
}

// An integer as JSON writes it, of at most kMaxIntegerDigits digits and not -0 (whose type
// simdjson decides otherwise). Advances `p` past it.
bool read_integer(const char*& p, const char* end, int64_t& out) {
  const bool negative = p < end && *p == '-';
  const char* d = p + negative;
  const char* start = d;
  uint64_t v = 0;
  while (d < end && *d >= '0' && *d <= '9' && static_cast<size_t>(d - start) <= kMaxIntegerDigits) {
    v = v * 10 + static_cast<uint64_t>(*d - '0');
    ++d;
  }
  const size_t digits = static_cast<size_t>(d - start);
  if (digits == 0 || digits > kMaxIntegerDigits || (digits > 1 && *start == '0') || (negative && v == 0)) return false;
  out = negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  p = d;
  return true;
}

bool starts_with(const char* p, const char* end, std::string_view word) {
  return static_cast<size_t>(end - p) >= word.size() && std::memcmp(p, word.data(), word.size()) == 0;
}

}  // namespace

ScalarValue::Type RecordLayout::type_of(size_t i) const {
  switch (values_[i].kind) {
    case Kind::String: return ScalarValue::Type::String;
    case Kind::Integer: return ScalarValue::Type::Int64;
    case Kind::Bool: return ScalarValue::Type::Bool;
    case Kind::Null: return ScalarValue::Type::Null;
  }
  return ScalarValue::Type::Null;
}

void RecordLayout::clear() {
  literals_.clear();
  values_.clear();
  learned_ = false;
}

void RecordLayout::add(Kind kind, std::string_view run) {
  literals_.append(run);
  values_.push_back({kind, static_cast<uint32_t>(literals_.size())});
}

bool RecordLayout::learn(std::string_view r, size_t scalars) {
  clear();
  size_t run = 0;  // where the current run of literal bytes starts
  size_t i = 0;
  while (i < r.size()) {
    const char c = r[i];
    if (c == '"') {
      const size_t close = r.find('"', i + 1);  // no backslash: the next quote closes it
      if (close == std::string_view::npos) return false;
      size_t after = close + 1;
      while (after < r.size() && is_json_space(r[after])) ++after;
      if (after < r.size() && r[after] == ':') {  // a key: part of the literal bytes
        i = after + 1;
        continue;
      }
      add(Kind::String, r.substr(run, i - run));
      i = run = close + 1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      size_t end = i;
      while (end < r.size() && is_number_byte(r[end])) ++end;
      const std::string_view number = r.substr(i, end - i);
      if (number.find_first_of(".eE+") != std::string_view::npos) return false;
      add(Kind::Integer, r.substr(run, i - run));
      i = run = end;
    } else if (c == 't' || c == 'f' || c == 'n') {
      add(c == 'n' ? Kind::Null : Kind::Bool, r.substr(run, i - run));
      i = run = i + (c == 'f' ? 5 : 4);
    } else {
      ++i;
    }
  }
  if (values_.size() != scalars || run > r.size()) {
    clear();
    return false;
  }
  literals_.append(r.substr(run));
  learned_ = true;
  return true;
}

bool RecordLayout::match(std::string_view record, std::vector<ScalarValue>& values) const {
  if (!learned_) return false;
  values.resize(values_.size());  // reused: only the first record of a layout allocates
  ScalarValue* out = values.data();
  const char* p = record.data();
  const char* const end = p + record.size();
  size_t literal = 0;
  for (const Value& v : values_) {
    const size_t run = v.literal_end - literal;
    if (static_cast<size_t>(end - p) < run || !same_bytes({p, run}, {literals_.data() + literal, run})) return false;
    p += run;
    literal = v.literal_end;
    switch (v.kind) {
      case Kind::String: {
        if (p == end || *p != '"') return false;
        bool ascii = true;
        const char* close = plain_string_end(p + 1, end, ascii);
        const size_t length = close == nullptr ? 0 : static_cast<size_t>(close - p - 1);
        if (close == nullptr || (!ascii && !simdjson::validate_utf8(p + 1, length))) return false;
        *out++ = ScalarValue::of_string({p + 1, length});
        p = close + 1;
        break;
      }
      case Kind::Integer: {
        int64_t n = 0;
        if (!read_integer(p, end, n)) return false;
        *out++ = ScalarValue::of_int64(n);
        break;
      }
      case Kind::Bool:
        if (starts_with(p, end, "true")) {
          *out++ = ScalarValue::of_bool(true);
          p += 4;
        } else if (starts_with(p, end, "false")) {
          *out++ = ScalarValue::of_bool(false);
          p += 5;
        } else {
          return false;
        }
        break;
      case Kind::Null:
        if (!starts_with(p, end, "null")) return false;
        *out++ = ScalarValue();
        p += 4;
        break;
    }
  }
  const size_t tail = literals_.size() - literal;
  return same_bytes({p, static_cast<size_t>(end - p)}, {literals_.data() + literal, tail});
}

}  // namespace traild
