#include "ctl/input.hpp"

#include <fstream>
#include <iostream>
#include <sstream>

namespace traild::ctl {

bool read_file(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamsize size = in.tellg();
  if (size < 0) return false;
  text.resize(static_cast<size_t>(size));
  in.seekg(0);
  return static_cast<bool>(in.read(text.data(), size)) || size == 0;
}

bool read_input(const std::string& name, std::string& text) {
  if (name != "-") return read_file(name, text);
  std::stringstream ss;
  ss << std::cin.rdbuf();
  text = ss.str();
  return true;
}

}  // namespace traild::ctl
