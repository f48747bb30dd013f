// The real file system with injectable faults, for the file reporter's unit tests (as
// LevelDB's fault-injecting Env): ENOSPC after a byte budget, failing fdatasync, a
// directory that cannot be synced.
#pragma once

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <vector>

#include "reporters/filesystem.hpp"

namespace traild::test {

class FaultyFilesystem : public Filesystem {
 public:
  std::atomic<int64_t> space{-1};      // bytes write may still take (a partial write first); -1 = unlimited
  std::atomic<int> sync_failures{0};   // the next this many fdatasync calls fail with EIO
  std::atomic<int> syncs{0};           // fdatasync calls so far
  std::atomic<uint64_t> written_back{0};  // bytes start_writeback was asked to write
  int sync_directory_error = 0;        // e.g. -EMFILE: the directory cannot be opened to sync it
  struct Drop {
    std::string file;  // the name, without its directory
    uint64_t offset, length;
    bool operator==(const Drop&) const = default;
  };
  std::vector<Drop> drops() const {  // drop_cached calls so far
    std::lock_guard lk(mu_);
    return drops_;
  }

  int open_append(const std::string& p, mode_t m, bool e) override { return real().open_append(p, m, e); }
  ssize_t write(int fd, const char* d, size_t n) override {
    const int64_t room = space.load();
    if (room == 0) return -ENOSPC;
    if (room > 0 && static_cast<int64_t>(n) > room) n = static_cast<size_t>(room);
    ssize_t r = real().write(fd, d, n);
    if (room > 0 && r > 0) space -= r;
    return r;
  }
  int fdatasync(int fd) override {
    ++syncs;
    if (sync_failures.load() > 0) {
      --sync_failures;
      return -EIO;
    }
    return real().fdatasync(fd);
  }
  void start_writeback(int fd, uint64_t offset, uint64_t length) override {
    written_back += length;
    real().start_writeback(fd, offset, length);
  }
  void drop_cached(const std::string& p, uint64_t offset, uint64_t length) override {
    {
      std::lock_guard lk(mu_);
      drops_.push_back({p.substr(p.rfind('/') + 1), offset, length});
    }
    real().drop_cached(p, offset, length);
  }
  int close(int fd) override { return real().close(fd); }
  int unlink(const std::string& p) override { return real().unlink(p); }
  bool is_file_at(int fd, const std::string& p) override { return real().is_file_at(fd, p); }
  int check_directory(const std::string& p) override { return real().check_directory(p); }
  int sync_directory(const std::string& d) override {
    return sync_directory_error != 0 ? sync_directory_error : real().sync_directory(d);
  }
  std::optional<uint64_t> free_bytes(const std::string& d) override { return real().free_bytes(d); }
  int replace_file(const std::string& p, const std::string& c) override { return real().replace_file(p, c); }

 private:
  mutable std::mutex mu_;
  std::vector<Drop> drops_;
};

}  // namespace traild::test
