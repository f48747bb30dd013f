// Reading trailctl's inputs whole: trail files for query, event and export files for send
// and import.
#pragma once

#include <string>

namespace traild::ctl {

// The whole content of a file: a regular file in one read into a buffer of its size, a pipe
// or a /proc file to its end. False when it cannot be read (a directory among those), with
// errno saying why.
bool read_file(const std::string& path, std::string& text);
// read_file, or all of stdin when `name` is "-".
bool read_input(const std::string& name, std::string& text);

}  // namespace traild::ctl
