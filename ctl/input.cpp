#include "ctl/input.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace traild::ctl {

namespace {

// Reads `fd` to its end into `text`, starting with room for `expected` bytes (one more, to see
// the end without growing). False with errno set when a read fails; `fd` is left open.
bool read_to_end(int fd, size_t expected, std::string& text) {
  size_t used = 0;
  text.resize(expected + 1);
  for (;;) {
    if (used == text.size()) text.resize(text.size() * 2);
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n == 0) break;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      text.clear();
      return false;
    }
    used += static_cast<size_t>(n);
  }
  text.resize(used);
  return true;
}

// Where to start when the size is not known beforehand.
constexpr size_t kUnknownSizeStart = 64 << 10;

}  // namespace

bool read_file(const std::string& path, std::string& text) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // A regular file is read in one go into a buffer of its size; anything else, a pipe such
  // as bash's `<(zcat events.gz)` or a file under /proc, has no size to go by.
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (ok && S_ISDIR(st.st_mode)) {
    errno = EISDIR;
    ok = false;
  }
  if (ok) ok = read_to_end(fd, S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : kUnknownSizeStart, text);
  const int why = errno;
  ::close(fd);
  errno = why;
  return ok;
}

bool read_input(const std::string& name, std::string& text) {
  if (name != "-") return read_file(name, text);
  return read_to_end(STDIN_FILENO, kUnknownSizeStart, text);
}

std::optional<std::string> unlistable_directory(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return "cannot read " + dir + ": " + std::strerror(errno);
  ::closedir(d);
  return std::nullopt;
}

}  // namespace traild::ctl
