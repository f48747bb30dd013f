// JSON string quoting for the build-time generators (their input is ECS's ASCII field names).
#pragma once

#include <string>

inline std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
