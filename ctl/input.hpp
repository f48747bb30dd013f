// Reading trailctl's inputs whole: trail files for query, event and export files for send
// and import.
#pragma once

#include <optional>
#include <string>

namespace traild::ctl {

// The whole content of a file: a regular file in one read into a buffer of its size, a pipe
// or a /proc file to its end. False when it cannot be read (a directory among those), with
// errno saying why.
bool read_file(const std::string& path, std::string& text);
// read_file, or all of stdin when `name` is "-" (false, with errno, when reading it fails).
bool read_input(const std::string& name, std::string& text);
// "cannot read DIR: REASON" when `dir` is not a directory this process may list (a mistyped
// path, a file, a directory it has no permission for), else nothing. The trail readers
// (query, verify, ui) stop on it: listing nothing would pass for an empty trail, and verify
// would answer OK.
std::optional<std::string> unlistable_directory(const std::string& dir);

}  // namespace traild::ctl
