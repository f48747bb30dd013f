// Unix-domain socket addresses and connecting to them, shared by traild, trailctl and the
// tests so the path-length rule and error reporting live in one place.
#pragma once

#include <sys/un.h>

#include <optional>
#include <string>

namespace traild {

// The address of a socket file; nullopt when the path does not fit sun_path (107 bytes).
std::optional<sockaddr_un> unix_address(const std::string& path);

// A connected SOCK_STREAM (or `type`) socket, close-on-exec; -errno on failure
// (-ENAMETOOLONG for a path that does not fit).
int connect_unix(const std::string& path, int type);

}  // namespace traild
