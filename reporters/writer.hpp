// The writer thread: takes batches of formatted lines, links them into each trail's hash
// chain, and makes them durable with group commit (a write per batch, at most one fdatasync
// per stream for all batches waiting, in fsync mode), then reports each batch durable. On ENOSPC or an I/O error it keeps the data,
// logs, retries with backoff and resumes by itself; the queue stops growing because the
// pipeline stops reading from sockets while too much is queued.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "config/config.hpp"
#include "integrity/chain.hpp"
#include "integrity/digest.hpp"
#include "reporters/file_stream.hpp"
#include "reporters/trail_set.hpp"

namespace traild {

// The events of one batch for one trail.
struct TrailPart {
  static constexpr uint32_t kUnused = UINT32_MAX;
  uint32_t trail = kUnused;    // index in the TrailSet; kUnused: a spare buffer
  std::string events;          // lines for that trail, unsealed until the writer seals them
  std::vector<ChainSlot> chain_slots;  // where each line's chain values go (ChainSealer)
  uint64_t next_sequence = 0;  // the trail's next sequence after this batch
  TimeRange time_range;        // of the events' @timestamp
};

struct Batch {
  uint64_t id = 0;
  std::vector<TrailPart> parts;  // at most one per trail; parts[0] is the host's trail's
  std::string rejected;          // lines for the quarantine
  size_t bytes() const {
    size_t n = rejected.size();
    for (const auto& p : parts) n += p.events.size();
    return n;
  }
};

// What the writer did, for metrics. Read from any thread.
struct WriterStats {
  static constexpr double kSyncBucketsSeconds[] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};
  static constexpr size_t kSyncBuckets = std::size(kSyncBucketsSeconds);
  uint64_t bytes_written = 0;       // trail and quarantine
  uint64_t files_rotated = 0;       // trail and quarantine
  uint64_t files_deleted = 0;       // by retention
  int64_t last_write_ms = 0;        // when a batch was last made durable
  uint64_t sync_count = 0;
  double sync_seconds_sum = 0;
  uint64_t sync_buckets[kSyncBuckets] = {};  // cumulative: syncs that took at most each bound
};

class Writer {
 public:
  struct Callbacks {
    // Batches up to `batch_id` are durable; `bytes` of queue were released. Writer thread.
    std::function<void(uint64_t batch_id, size_t bytes)> durable;
    // Retention deleted these files of the named stream ("trail" or "quarantine") in
    // `directory`. Writer thread.
    std::function<void(const std::string& stream, const std::string& directory, const std::vector<Deletion>&)> deleted;
  };

  Writer(TrailSet& trails, FileStream& quarantine, Durability durability, Callbacks callbacks);
  ~Writer();

  // The key of the chain's HMAC (integrity.key_file; empty: SHA-256). Call before start.
  void set_chain_key(std::string key) { sealer_.emplace(std::move(key)); }
  // Records checkpoints and retention deletions of each trail in its digest (call before start).
  void set_checkpoint_interval(int64_t checkpoint_interval_ms) { checkpoint_interval_ms_ = checkpoint_interval_ms; }
  // Retention keeps every trail file holding one of the last `events` events written: a
  // client resends what it saw no acknowledgement for, and after a restart traild recognises
  // it only by finding its event.id in the trail (output.dedup_window). Call before start.
  void keep_recent_events(uint64_t events) { keep_recent_events_ = events; }
  void start();
  // Writes everything submitted, syncs, and joins the thread.
  void stop();
  void submit(Batch batch);
  // True while nothing waits to be written (a batch may be being written).
  bool queue_empty() const;
  void set_durability(Durability d) { fsync_.store(d == Durability::Fsync); }
  // Applies new rotation and retention settings between batches.
  void set_policies(const RotateConfig& tr, const RetentionConfig& tret, const RotateConfig& qr,
                    const RetentionConfig& qret);
  // A cleared buffer from a written batch, to avoid reallocating on the hot path.
  Batch recycle();
  // How many write or sync calls failed so far (for logs and tests).
  uint64_t io_errors() const { return io_errors_.load(); }
  // When the writer thread last went round its loop (it does at least once a second, also
  // while idle or retrying): a stale value means it is stuck in a system call.
  int64_t heartbeat_ms() const { return heartbeat_ms_.load(); }
  WriterStats stats() const;

 private:
  void run();
  void write_group(std::deque<Batch>& group);
  int write_with_retry(FileStream& stream, const std::vector<std::string_view>& pieces, const char* what);
  void write_trail(Trail& trail, std::deque<Batch>& group, size_t part_of_group);
  int timed_sync(FileStream& stream);  // fdatasync, timed for the latency histogram
  void maintenance(int64_t now_ms, bool force_retention);
  // Records a trail's chain head in its digest when it moved (and always for "stop").
  void checkpoint(Trail& trail, std::string_view reason, int64_t now_ms);
  // Whether retention may delete `d` of `trail` now (recorded in its digest first).
  bool may_delete(Trail& trail, Deletion& d, int64_t now_ms);
  // Retention over every trail at once: one policy, one budget, oldest files first.
  void enforce_trail_retention(int64_t now_ms);
  uint64_t trail_rotations() const;

  TrailSet& trails_;
  FileStream& quarantine_;
  std::atomic<bool> fsync_;
  Callbacks cb_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Batch> queue_;
  std::vector<Batch> spare_;
  bool stopping_ = false;
  bool policy_changed_ = false;
  RotateConfig new_trail_rotate_, new_quarantine_rotate_;
  RetentionConfig new_trail_retention_, new_quarantine_retention_;
  std::thread thread_;
  std::atomic<uint64_t> io_errors_{0};
  std::atomic<int64_t> heartbeat_ms_{0};
  std::atomic<uint64_t> bytes_written_{0};
  std::atomic<uint64_t> files_rotated_{0};
  std::atomic<uint64_t> files_deleted_{0};
  std::atomic<int64_t> last_write_ms_{0};
  std::atomic<uint64_t> sync_count_{0};
  std::atomic<uint64_t> sync_micros_sum_{0};
  std::atomic<uint64_t> sync_buckets_[WriterStats::kSyncBuckets] = {};
  int64_t last_retention_ms_ = 0;
  int64_t checkpoint_interval_ms_ = 60'000;
  int64_t last_checkpoint_ms_ = 0;
  uint64_t rotations_seen_ = 0;
  uint64_t keep_recent_events_ = 0;
  bool kept_recent_in_pass_ = false;
  std::vector<char> trail_in_group_;  // scratch: which trails a group writes to
  std::vector<std::string_view> pieces_;  // scratch: what one write_with_retry writes
  // Links every trail line to the one before it, in the order of the file: here rather than
  // in the pipeline, so SHA-256 runs beside the thread that reads and validates.
  std::optional<ChainSealer> sealer_;
};

}  // namespace traild
