// Reading trailctl's inputs whole: trail files for query, event and export files for send
// and import.
#pragma once

#include <string>

namespace traild::ctl {

// The whole content of a regular file, read in one copy. False when it cannot be read.
bool read_file(const std::string& path, std::string& text);
// read_file, or all of stdin when `name` is "-".
bool read_input(const std::string& name, std::string& text);

}  // namespace traild::ctl
