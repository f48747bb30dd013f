#include "reporters/filesystem.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>

namespace traild {
namespace {

int neg_errno() { return -errno; }

class RealFilesystem final : public Filesystem {
 public:
  int open_append(const std::string& path, mode_t mode, bool exclusive) override {
    // O_NOFOLLOW: a symlink planted where a trail file should be is never followed.
    int flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (exclusive ? O_EXCL : 0);
    int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) return neg_errno();
    if (exclusive) ::fchmod(fd, mode);  // the umask must not widen or narrow the trail's mode
    return fd;
  }
  ssize_t write(int fd, const char* data, size_t size) override {
    while (true) {
      ssize_t n = ::write(fd, data, size);
      if (n >= 0) return n;
      if (errno != EINTR) return neg_errno();
    }
  }
  int fdatasync(int fd) override { return ::fdatasync(fd) == 0 ? 0 : neg_errno(); }
  void start_writeback(int fd, uint64_t offset, uint64_t length) override {
    ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
  }
  void drop_cached(const std::string& path, uint64_t offset, uint64_t length) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    ::sync_file_range(fd, static_cast<off_t>(offset), static_cast<off_t>(length),
                      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
    ::posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_DONTNEED);
    ::close(fd);
  }
  int close(int fd) override { return ::close(fd) == 0 ? 0 : neg_errno(); }
  int unlink(const std::string& path) override { return ::unlink(path.c_str()) == 0 ? 0 : neg_errno(); }
  int check_directory(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return neg_errno();
    if (S_ISLNK(st.st_mode)) return -ELOOP;
    return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
  }
  bool is_file_at(int fd, const std::string& path) override {
    struct stat open_file {}, named {};
    if (::fstat(fd, &open_file) != 0 || open_file.st_nlink == 0) return false;
    if (::lstat(path.c_str(), &named) != 0) return false;
    return open_file.st_dev == named.st_dev && open_file.st_ino == named.st_ino;
  }
  int sync_directory(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return neg_errno();
    int r = ::fsync(fd) == 0 ? 0 : neg_errno();
    ::close(fd);
    return r;
  }
  std::optional<uint64_t> free_bytes(const std::string& dir) override {
    struct statvfs st;
    if (::statvfs(dir.c_str(), &st) != 0) return std::nullopt;
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }
  int replace_file(const std::string& path, const std::string& content) override {
    std::string tmp = path + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0) return neg_errno();
    size_t off = 0;
    while (off < content.size()) {
      ssize_t n = write(fd, content.data() + off, content.size() - off);
      if (n < 0) {
        ::close(fd);
        return static_cast<int>(n);
      }
      off += static_cast<size_t>(n);
    }
    if (::fdatasync(fd) != 0) {
      int e = neg_errno();
      ::close(fd);
      return e;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return neg_errno();
    auto slash = path.rfind('/');
    return sync_directory(slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash));
  }
};

}  // namespace

Filesystem& Filesystem::real() {
  static RealFilesystem fs;
  return fs;
}

int make_directories(const std::string& path, mode_t mode) {
  if (path.empty()) return -EINVAL;
  std::string cur;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    cur = path.substr(0, slash);
    pos = slash + 1;
    if (cur.empty() || cur == "." || cur == "..") continue;
    if (::mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) return neg_errno();
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return neg_errno();
  return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

}  // namespace traild
