#include "reporters/file_stream.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "reporters/file_naming.hpp"

namespace traild {
namespace {

// The kernel is asked to start writing the active file to disk every this many bytes
// (Filesystem::start_writeback). Left to itself it starts only past its dirty thresholds
// (gigabytes on a large host) or after half a minute, and then the fdatasync that completes
// a file at rotation finds up to rotate.max_size still to write while the writer, and every
// acknowledgement with it, waits. Started early, the disk works alongside traild and that
// fdatasync finds little left. 8 MiB: one call per ten thousand events or so, each a large
// write for the disk.
constexpr uint64_t kWritebackBytes = 8 << 20;

// The state file is two "key=value" lines; unknown keys are ignored so it can grow.
void read_state(const std::string& path, uint64_t& next_file, uint64_t& next_sequence) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    uint64_t v = 0;
    auto val = std::string_view(line).substr(eq + 1);
    if (std::from_chars(val.data(), val.data() + val.size(), v).ec != std::errc()) continue;
    std::string_view key(line.data(), eq);
    if (key == "next_file") next_file = v;
    else if (key == "next_sequence") next_sequence = v;
  }
}

}  // namespace

FileStream::FileStream(Filesystem& fs, FileStreamOptions options) : fs_(fs), opt_(std::move(options)) {}

FileStream::~FileStream() { close(); }

TrailTail FileStream::recover(size_t max_ids, int64_t now_ms) {
  if (int r = make_directories(opt_.directory, 0750); r != 0)
    throw std::runtime_error("cannot create directory " + opt_.directory + ": " + std::strerror(-r));
  read_state(opt_.state_file, next_counter_, state_next_sequence_);
  closed_ = list_trail_files(opt_.directory, opt_.prefix);
  TrailTail tail = scan_trail_tail(opt_.directory, closed_, max_ids);
  if (!closed_.empty() && closed_.back().counter >= next_counter_) next_counter_ = closed_.back().counter + 1;
  if (!closed_.empty()) {
    const TrailFile newest = closed_.back();  // a copy: closed_.pop_back() below would free it
    const bool reusable = tail.newest_ends_cleanly && newest.size < opt_.rotate.max_size &&
                          now_ms - newest.created_ms < opt_.rotate.interval_ms;
    if (reusable) {
      int fd = fs_.open_append(opt_.directory + "/" + newest.name, opt_.file_mode, false);
      if (fd >= 0) {
        fd_ = fd;
        active_ = newest;
        written_back_ = newest.size;
        closed_.pop_back();
        // Its range so far is the record written when the last run closed it, if any.
        const auto ranges = read_range_index(opt_.directory);
        const auto it = ranges.find(newest.name);
        active_range_ = it != ranges.end() ? it->second : TimeRange{};
        active_range_known_ = it != ranges.end() || newest.size == 0;
      }
    }
  }
  return tail;
}

void FileStream::set_policy(const RotateConfig& rotate, const RetentionConfig& retention) {
  opt_.rotate = rotate;
  opt_.retention = retention;
}

int FileStream::save_state() {
  std::string s = "next_file=" + std::to_string(next_counter_) + "\nnext_sequence=" + std::to_string(next_sequence_) + "\n";
  int r = fs_.replace_file(opt_.state_file, s);
  if (r == -ENOENT) {
    // The state directory was removed under a running traild: create it again, as open_new
    // does the trail's directory. The counters in memory are the truth, so nothing is lost;
    // without this no new file could ever open, and a SIGTERM drain would wait forever.
    const size_t slash = opt_.state_file.rfind('/');
    if (slash != std::string::npos && slash > 0 && make_directories(opt_.state_file.substr(0, slash), 0750) == 0)
      r = fs_.replace_file(opt_.state_file, s);
  }
  return r == 0 ? 0 : failed(r, opt_.state_file);
}

int FileStream::close_active() {
  if (fd_ < 0) return 0;
  // A closed file is complete on disk before the next one starts, whatever the durability
  // mode: retention and consumers may rely on it.
  if (int r = sync(); r != 0) return r;
  if (opt_.page_cache_window > 0) {
    // Its tail stays cached until the next file is a window long; one closed before it
    // and still cached (small files) has had a whole file's time to be read.
    drop_closed_file_cache();
    cached_closed_ = active_.name;
  }
  retire_active();
  return 0;
}

void FileStream::retire_active() {
  if (fd_ < 0) return;
  fs_.close(fd_);
  fd_ = -1;
  dirty_ = false;
  mid_line_ = false;
  closed_.push_back(active_);
  ++rotations_;
  if (active_range_known_) append_range_record(fs_, opt_.directory, opt_.prefix, active_.name, active_range_);
}

void FileStream::discard_active() {
  if (fd_ < 0) return;
  const std::string path = active_path();
  abandon_active();
  fs_.unlink(path);
}

int FileStream::open_new(int64_t now_ms) {
  if (int r = close_active(); r != 0) return r;
  // The counter is saved before the file exists, so a crash can never hand out its name again.
  uint64_t counter = next_counter_++;
  if (int r = save_state(); r != 0) {
    --next_counter_;
    return r;
  }
  std::string name = make_file_name(opt_.prefix, now_ms, counter);
  const std::string path = opt_.directory + "/" + name;
  // The directory itself must not be a symlink: one planted in its place could point the
  // trail anywhere. A removed directory is created again.
  int dir = fs_.check_directory(opt_.directory);
  if (dir == -ENOENT && make_directories(opt_.directory, 0750) == 0) dir = fs_.check_directory(opt_.directory);
  if (dir != 0) return failed(dir, opt_.directory);
  int fd = fs_.open_append(path, opt_.file_mode, true);
  if (fd < 0) return failed(fd, path);
  if (int r = fs_.sync_directory(opt_.directory); r != 0) {
    // Not durable as a name yet: remove the empty file so a retry does not leave one
    // empty file behind per attempt (its counter stays used: names are never reused).
    fs_.close(fd);
    fs_.unlink(path);
    return failed(r, opt_.directory);
  }
  fd_ = fd;
  active_ = TrailFile{name, now_ms / 1000 * 1000, counter, 0};
  written_back_ = 0;
  uncached_ = 0;
  active_range_ = TimeRange{};
  active_range_known_ = true;
  return 0;
}

bool FileStream::active_is_gone() {
  return fd_ >= 0 && !fs_.is_file_at(fd_, opt_.directory + "/" + active_.name);
}

void FileStream::abandon_active() {
  if (fd_ >= 0) fs_.close(fd_);
  fd_ = -1;
  mid_line_ = false;
  dirty_ = false;
}

int FileStream::write_all(std::string_view chunk) {
  while (!chunk.empty()) {
    ssize_t n = fs_.write(fd_, chunk.data(), chunk.size());
    if (n <= 0) return failed(n < 0 ? static_cast<int>(n) : -EIO, active_path());
    active_.size += static_cast<uint64_t>(n);
    chunk.remove_prefix(static_cast<size_t>(n));
    dirty_ = true;
    active_range_.merge(pending_range_);
  }
  if (active_.size - written_back_ >= kWritebackBytes) {
    fs_.start_writeback(fd_, written_back_, active_.size - written_back_);
    written_back_ = active_.size;
    drop_cache_behind();
  }
  return 0;
}

// Why drop written pages (output.page_cache_window)? Each byte appended to a file takes a
// page-cache page, and while the page cache grows those are pages the kernel has not used
// for a while. On a virtual machine whose free memory was handed back to the host, the
// first touch of such a page traps into the hypervisor. Measured here (1 GiB in 1 MiB
// writes to new files on ext4, writeback started every 8 MiB): 1.1 - 3.6 s of system time
// per GiB while the cache grows, 0.24 - 0.34 s when the pages more than 16 MiB behind are
// dropped, so the kernel hands the same, recently used pages out again. Dropping waits for
// those pages to reach the disk, which bounds the dirty data of `write` mode to about the
// window: with the disk behind, the writer waits here instead of in the kernel's throttle.
void FileStream::drop_cache_behind() {
  const uint64_t window = opt_.page_cache_window;
  if (window == 0 || fd_ < 0 || written_back_ < uncached_ + window + kWritebackBytes) return;
  const uint64_t until = written_back_ - window;
  fs_.drop_cached(active_path(), uncached_, until - uncached_);
  uncached_ = until;
  drop_closed_file_cache();  // a reader tailing the trail has moved on to this file
}

void FileStream::drop_closed_file_cache() {
  if (cached_closed_.empty()) return;
  fs_.drop_cached(opt_.directory + "/" + cached_closed_, 0, 0);
  cached_closed_.clear();
}

int FileStream::append(std::string_view& data, int64_t now_ms) {
  while (!data.empty()) {
    // After a partial write (ENOSPC) the file ends mid-line: that line is completed in the
    // same file before anything else, so no line is ever split across files.
    const bool old = active_.size > 0 && now_ms - active_.created_ms >= opt_.rotate.interval_ms;
    if (fd_ < 0 || (old && !mid_line_)) {
      if (int r = open_new(now_ms); r != 0) return r;
    }
    const size_t room = active_.size < opt_.rotate.max_size ? opt_.rotate.max_size - active_.size : 0;
    size_t take = data.size();
    if (mid_line_ || data.size() > room) {
      const void* nl = nullptr;
      if (!mid_line_ && room > 0) nl = memrchr(data.data(), '\n', room);  // whole lines that fit
      if (nl == nullptr && !mid_line_ && active_.size > 0) {
        if (int r = open_new(now_ms); r != 0) return r;  // the next line does not fit: new file
        continue;
      }
      if (nl == nullptr) nl = std::memchr(data.data(), '\n', data.size());  // one line, whole
      if (nl != nullptr) take = static_cast<size_t>(static_cast<const char*>(nl) - data.data()) + 1;
    }
    const uint64_t before = active_.size;
    const int r = write_all(data.substr(0, take));
    const size_t written = static_cast<size_t>(active_.size - before);
    if (written > 0) mid_line_ = data[written - 1] != '\n';
    data.remove_prefix(written);
    if (r != 0) return r;
  }
  return 0;
}

int FileStream::sync() {
  if (fd_ < 0 || !dirty_) return 0;
  if (int r = fs_.fdatasync(fd_); r != 0) {
    sync_failed_ = true;
    return failed(r, active_path());
  }
  dirty_ = false;
  written_back_ = active_.size;
  drop_cache_behind();
  return 0;
}

int FileStream::rotate_if_old(int64_t now_ms) {
  if (fd_ >= 0 && active_.size > 0 && now_ms - active_.created_ms >= opt_.rotate.interval_ms) return open_new(now_ms);
  return 0;
}

uint64_t FileStream::active_reserve() const {
  // The active file counts as the size it may grow to before the next rotation, so the
  // trail stays under max_total_size between runs, not only right after one.
  return fd_ >= 0 ? std::max<uint64_t>(active_.size, opt_.rotate.max_size) : 0;
}

std::vector<Deletion> FileStream::enforce_retention(int64_t now_ms, const std::function<bool(Deletion&)>& before_unlink) {
  return delete_oldest(select_for_deletion(closed_, active_reserve(), opt_.retention, now_ms, free_bytes()),
                       before_unlink);
}

std::vector<Deletion> FileStream::delete_oldest(std::vector<Deletion> selected,
                                                const std::function<bool(Deletion&)>& before_unlink) {
  std::vector<Deletion> done;
  for (auto& d : selected) {
    if (done.size() >= closed_.size() || closed_[done.size()].name != d.file.name) break;  // not the oldest
    if (before_unlink && !before_unlink(d)) break;
    int r = fs_.unlink(opt_.directory + "/" + d.file.name);
    if (r != 0 && r != -ENOENT) break;  // keep order: never delete a newer file past a failed one
    done.push_back(d);
  }
  closed_.erase(closed_.begin(), closed_.begin() + static_cast<ptrdiff_t>(done.size()));
  return done;
}

void FileStream::close() {
  if (fd_ < 0) return;
  if (dirty_) fs_.fdatasync(fd_);
  fs_.close(fd_);
  fd_ = -1;
  dirty_ = false;
}

}  // namespace traild
