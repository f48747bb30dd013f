// Reading a secret key file (redaction HMAC key, later the integrity keys): refused when it
// is not a regular file, is group or world accessible, is a symlink, or holds under 16 bytes.
#pragma once

#include <string>

namespace traild {

// The key bytes (a trailing newline dropped), or "" with `error` naming the file and problem.
std::string read_secret_key_file(const std::string& path, std::string& error);

}  // namespace traild
