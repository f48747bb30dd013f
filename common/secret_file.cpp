#include "common/secret_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace traild {

std::string read_secret_key_file(const std::string& path, std::string& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    error = path + ": cannot open the key file: " + std::strerror(errno);
    return {};
  }
  struct stat st {};
  std::string key;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": the key file is not a regular file";
  } else if ((st.st_mode & 077) != 0) {
    error = path + ": the key file is readable by group or others (mode " + std::to_string((st.st_mode >> 6) & 7) +
            std::to_string((st.st_mode >> 3) & 7) + std::to_string(st.st_mode & 7) + "); chmod 600 it";
  } else {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 && key.size() < (1 << 16)) key.append(buf, static_cast<size_t>(n));
    while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
    if (key.size() < 16) error = path + ": the key file must hold at least 16 bytes of secret";
  }
  ::close(fd);
  return error.empty() ? key : std::string();
}

}  // namespace traild
