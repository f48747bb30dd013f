// Names that end up inside file names and event ids (output.prefix, a handshake's instance):
// 1 to 64 ASCII letters, digits, '.', '_' or '-', so they can never carry a path separator,
// whitespace or a control character.
#pragma once

#include <string_view>

namespace traild {

inline constexpr size_t kMaxSafeNameBytes = 64;

inline bool is_safe_name(std::string_view s) {
  if (s.empty() || s.size() > kMaxSafeNameBytes) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
          c == '-'))
      return false;
  return true;
}

}  // namespace traild
