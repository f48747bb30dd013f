// The few file-system calls the file reporter makes, behind an interface so tests can inject
// faults (ENOSPC, EIO) exactly where they want, as LevelDB's Env does. Every call returns
// 0 / a byte count on success and -errno on failure.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace traild {

class Filesystem {
 public:
  virtual ~Filesystem() = default;
  virtual int open_append(const std::string& path, mode_t mode, bool exclusive) = 0;  // fd or -errno
  virtual ssize_t write(int fd, const char* data, size_t size) = 0;
  virtual int fdatasync(int fd) = 0;
  // Has the kernel start writing bytes [offset, offset + length) of `fd` to disk and returns
  // without waiting for them (sync_file_range, SYNC_FILE_RANGE_WRITE). It promises nothing:
  // only fdatasync makes data durable, and it reports any error of this writeback too.
  virtual void start_writeback(int fd, uint64_t offset, uint64_t length) = 0;
  // Waits until bytes [offset, offset + length) of the file at `path` are on disk (length 0:
  // to its end) and drops them from the page cache (sync_file_range with both waits, then
  // posix_fadvise DONTNEED). Through a descriptor of its own: waiting on the writer's would
  // consume a writeback error (errseq) that its next fdatasync must still report. Like
  // start_writeback it promises nothing and reports nothing: it never loses data.
  virtual void drop_cached(const std::string& path, uint64_t offset, uint64_t length) = 0;
  virtual int close(int fd) = 0;
  virtual int unlink(const std::string& path) = 0;
  virtual int sync_directory(const std::string& dir) = 0;
  // 0 when `path` is a directory itself (not a symlink to one), -ELOOP for a symlink,
  // else -errno (-ENOENT when it is missing).
  virtual int check_directory(const std::string& path) = 0;
  // True while `fd` is still the file at `path` (not deleted, not moved or replaced).
  virtual bool is_file_at(int fd, const std::string& path) = 0;
  virtual std::optional<uint64_t> free_bytes(const std::string& dir) = 0;
  // Writes `content` to `path` atomically (temporary file, fsync, rename, directory fsync).
  virtual int replace_file(const std::string& path, const std::string& content) = 0;

  static Filesystem& real();
};

// mkdir -p with `mode` for the directories it creates. Returns 0 or -errno.
int make_directories(const std::string& path, mode_t mode);

}  // namespace traild
