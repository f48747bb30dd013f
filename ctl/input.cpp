#include "ctl/input.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>

namespace traild::ctl {

bool read_file(const std::string& path, std::string& text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int why = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    errno = why;
    return false;
  }
  // A regular file is read in one go into a buffer of its size (one byte more to see its end
  // without growing); anything else, a pipe such as bash's `<(zcat events.gz)` or a file
  // under /proc, has no size to go by and is read to its end.
  constexpr size_t kUnknownSizeStart = 64 << 10;
  size_t used = 0;
  text.resize(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + 1 : kUnknownSizeStart);
  for (;;) {
    if (used == text.size()) text.resize(text.size() * 2);
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int why = errno;
      ::close(fd);
      text.clear();
      errno = why;
      return false;
    }
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  text.resize(used);
  return true;
}

bool read_input(const std::string& name, std::string& text) {
  if (name != "-") return read_file(name, text);
  std::stringstream ss;
  ss << std::cin.rdbuf();
  text = ss.str();
  return true;
}

std::optional<std::string> unlistable_directory(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return "cannot read " + dir + ": " + std::strerror(errno);
  ::closedir(d);
  return std::nullopt;
}

}  // namespace traild::ctl
