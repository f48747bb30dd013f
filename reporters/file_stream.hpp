// One output stream: a directory of PREFIX-*.jsonl files, of which the newest is active.
// Appends whole lines with O_APPEND, starts a new file at line boundaries when the active
// one is too large or too old (never renames, truncates or copies), deletes closed files for
// retention, and on start-up resumes where the last run stopped.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "reporters/filesystem.hpp"
#include "reporters/range_index.hpp"
#include "reporters/retention.hpp"
#include "reporters/trail_scan.hpp"

namespace traild {

struct FileStreamOptions {
  std::string directory;
  std::string prefix;
  std::string state_file;  // where the file counter and sequence survive restarts
  RotateConfig rotate;
  RetentionConfig retention;
  mode_t file_mode = 0640;
  // Written bytes further than this behind the active file's end are dropped from the page
  // cache once on disk (output.page_cache_window); 0 leaves the page cache to the kernel.
  uint64_t page_cache_window = 0;
};

class FileStream {
 public:
  FileStream(Filesystem& fs, FileStreamOptions options);
  ~FileStream();
  FileStream(const FileStream&) = delete;
  FileStream& operator=(const FileStream&) = delete;

  // Creates the directory, lists the files and reads back the tail. The newest file is
  // appended to only when it ends with a complete line and is due for neither rotation;
  // otherwise the next append opens a new file. Throws std::runtime_error when the
  // directory cannot be created.
  TrailTail recover(size_t max_ids, int64_t now_ms);

  // Appends `data` (whole lines). On success returns 0 and `data` is empty; on failure
  // returns -errno and `data` holds what is still to be written, so the call can be retried.
  int append(std::string_view& data, int64_t now_ms);
  // The @timestamp range of the lines the next append() writes; merged into the range of
  // every file they go to, recorded in the range index when the file closes.
  void note_time_range(const TimeRange& range) { pending_range_ = range; }
  // fdatasync of the active file when something was written since the last sync.
  int sync();
  // True when the active file was deleted, moved or replaced behind traild's back (its
  // lines are then not in the trail). abandon_active() drops it: the next append starts a
  // new file, recreating the directory if it is gone.
  bool active_is_gone();
  void abandon_active();
  // True (once) when an fdatasync of this stream failed since the last call. After a failed
  // fdatasync Linux may drop the pages it could not write and report that only once, so a
  // later fdatasync of the same file can succeed without them: what was written since the
  // last good sync may not be on disk, whatever later syncs say.
  bool take_sync_failure() {
    const bool failed = sync_failed_;
    sync_failed_ = false;
    return failed;
  }
  // Closes the active file as it is, without syncing, and keeps it in the trail (a suspect
  // tail after a failed fdatasync stays for a verifier to see); the next append starts a
  // new file.
  void retire_active();
  // Closes and deletes the active file: only for one that holds nothing but lines about to
  // be written again elsewhere.
  void discard_active();
  // Starts a new file when the active one is non-empty and older than rotate.interval.
  int rotate_if_old(int64_t now_ms);
  // Deletes closed files as the retention policy says; returns what it deleted.
  // `before_unlink` (if set) runs first for each file and may stop the deletions by
  // returning false (the integrity digest records each deletion before it happens).
  std::vector<Deletion> enforce_retention(int64_t now_ms,
                                          const std::function<bool(Deletion&)>& before_unlink = {});
  // The parts of enforce_retention, for retention over several streams at once: the closed
  // files (oldest first), the size the active file counts as (what it may grow to before
  // the next rotation), the free space, and the deletion of `selected`, which must be the
  // oldest closed files in order. Returns what it deleted.
  const std::vector<TrailFile>& closed_files() const { return closed_; }
  uint64_t active_reserve() const;
  std::optional<uint64_t> free_bytes() { return fs_.free_bytes(opt_.directory); }
  const RetentionConfig& retention() const { return opt_.retention; }
  std::vector<Deletion> delete_oldest(std::vector<Deletion> selected, const std::function<bool(Deletion&)>& before_unlink);

  void set_policy(const RotateConfig& rotate, const RetentionConfig& retention);
  // The sequence number the next event will have, recorded in the state file at rotation.
  void set_next_sequence(uint64_t next) { next_sequence_ = next; }
  uint64_t next_sequence() const { return next_sequence_; }
  uint64_t state_next_sequence() const { return state_next_sequence_; }
  const std::string& directory() const { return opt_.directory; }
  std::string active_name() const { return fd_ >= 0 ? active_.name : std::string(); }
  // The active file's counter (names are never reused, counters start at 1); 0 when none.
  uint64_t active_counter() const { return fd_ >= 0 ? active_.counter : 0; }
  uint64_t active_size() const { return fd_ >= 0 ? active_.size : 0; }
  uint64_t rotations() const { return rotations_; }
  // What the last call that failed could not write: the state file, the directory or the
  // active file, for the error an operator reads.
  const std::string& failed_path() const { return failed_path_; }
  void close();

 private:
  int open_new(int64_t now_ms);
  int close_active();
  int write_all(std::string_view chunk);
  void drop_cache_behind();
  void drop_closed_file_cache();
  int save_state();

  Filesystem& fs_;
  FileStreamOptions opt_;
  std::vector<TrailFile> closed_;  // oldest first
  TrailFile active_;
  int fd_ = -1;
  bool dirty_ = false;     // written since the last fdatasync
  uint64_t written_back_ = 0;  // the active file's bytes synced or handed to start_writeback
  uint64_t uncached_ = 0;      // the active file's bytes before this were dropped from the page cache
  std::string cached_closed_;  // the file closed last, whose pages are still cached
  bool mid_line_ = false;  // the active file ends inside a line (a write was cut short)
  bool sync_failed_ = false;
  uint64_t next_counter_ = 1;
  uint64_t next_sequence_ = 0;
  uint64_t state_next_sequence_ = 0;
  uint64_t rotations_ = 0;
  TimeRange pending_range_;
  TimeRange active_range_;
  bool active_range_known_ = true;  // false for a file reused after a restart without a record
  std::string failed_path_;
  int failed(int r, std::string path) {  // returns r
    failed_path_ = std::move(path);
    return r;
  }
  std::string active_path() const { return opt_.directory + "/" + active_.name; }
};

}  // namespace traild
