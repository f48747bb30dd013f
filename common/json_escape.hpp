// Appending JSON text: every string traild writes goes through here, so control characters,
// quotes and backslashes are always escaped and a line can never be split or broken.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace traild {

class LineBuffer;

// Each appender writes to a std::string or a LineBuffer (common/line_buffer.hpp), the
// formatter's line under construction; both are instantiated in json_escape.cpp.

// Appends `s` as a quoted JSON string. `s` must be valid UTF-8 (bytes >= 0x80 are copied).
template <class Out>
void append_json_string(Out& out, std::string_view s);
// Appends `s` between quotes as it is: only for text known to need no escaping (no control
// character, quote, backslash or DEL), such as strings of a record that held none of them
// (ParsedEvent::verbatim_strings). Then it writes what append_json_string would, unscanned.
template <class Out>
void append_json_verbatim(Out& out, std::string_view s) {
  out.push_back('"');
  out.append(s);
  out.push_back('"');
}
// Appends `s` quoted, cut to at most `max_bytes` on a UTF-8 boundary with "..." marking a
// cut: a short, safe rendering of a value for an error message.
void append_json_preview(std::string& out, std::string_view s, size_t max_bytes);
// Appends a decimal integer.
template <class Out>
void append_int(Out& out, int64_t v);
template <class Out>
void append_uint(Out& out, uint64_t v);
// Appends a double in the shortest form that reads back to the same value, laid out as
// Python's repr() does (1.0, 0.0001, 1e-05, 1e+16): the canonical number form.
template <class Out>
void append_double(Out& out, double v);

}  // namespace traild
