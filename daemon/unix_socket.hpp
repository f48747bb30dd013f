// Creating a listening Unix-domain socket file the way a system daemon should: a stale
// socket left by a crash is replaced, a live one (another traild) is an error, anything
// that is not a socket is never removed, and the file gets its mode and group atomically.
#pragma once

#include <sys/types.h>

#include <string>

namespace traild {

// type: SOCK_STREAM or SOCK_DGRAM. Returns a non-blocking, close-on-exec fd, listening for
// streams. Throws std::runtime_error naming the path and the cause.
int bind_unix_socket(const std::string& path, int type, mode_t mode, const std::string& group);

}  // namespace traild
