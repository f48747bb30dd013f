#include "reporters/writer.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <queue>

#include "common/clock.hpp"
#include "common/worker_thread.hpp"

namespace traild {
namespace {
constexpr int64_t kRetentionEveryMs = 60'000;
constexpr auto kIdleWake = std::chrono::seconds(1);

// How logs name a trail's files: relative to output.directory.
std::string tenant_path(const Trail& trail) { return trail.tenant.empty() ? std::string() : trail.tenant + "/"; }
}  // namespace

Writer::Writer(TrailSet& trails, FileStream& quarantine, Durability durability, Callbacks callbacks)
    : trails_(trails), quarantine_(quarantine), fsync_(durability == Durability::Fsync), cb_(std::move(callbacks)) {}

Writer::~Writer() { stop(); }

void Writer::start() {
  if (!sealer_) sealer_.emplace();
  heartbeat_ms_.store(now_unix_ms());
  last_retention_ms_ = now_unix_ms();
  maintenance(last_retention_ms_, true);
  thread_ = start_worker_thread("traild-writer", [this] { run(); });
}

void Writer::stop() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Writer::submit(Batch batch) {
  {
    std::lock_guard lk(mu_);
    queue_.push_back(std::move(batch));
  }
  cv_.notify_one();
}

bool Writer::queue_empty() const {
  std::lock_guard lk(mu_);
  return queue_.empty();
}

void Writer::set_policies(const RotateConfig& tr, const RetentionConfig& tret, const RotateConfig& qr,
                          const RetentionConfig& qret) {
  std::lock_guard lk(mu_);
  new_trail_rotate_ = tr;
  new_trail_retention_ = tret;
  new_quarantine_rotate_ = qr;
  new_quarantine_retention_ = qret;
  policy_changed_ = true;
  cv_.notify_one();
}

Batch Writer::recycle() {
  std::lock_guard lk(mu_);
  if (spare_.empty()) return Batch{};
  Batch b = std::move(spare_.back());
  spare_.pop_back();
  return b;
}

void Writer::run() {
  std::deque<Batch> group;
  while (true) {
    heartbeat_ms_.store(now_unix_ms());
    bool stopping;
    {
      std::unique_lock lk(mu_);
      cv_.wait_for(lk, kIdleWake, [&] { return stopping_ || !queue_.empty() || policy_changed_; });
      group.swap(queue_);
      stopping = stopping_;
      if (policy_changed_) {
        for (size_t i = 0, n = trails_.size(); i < n; ++i)
          trails_.at(i).stream.set_policy(new_trail_rotate_, new_trail_retention_);
        quarantine_.set_policy(new_quarantine_rotate_, new_quarantine_retention_);
        policy_changed_ = false;
        rotations_seen_ = UINT64_MAX;  // re-run retention with the new policy
      }
    }
    if (!group.empty()) write_group(group);
    maintenance(now_unix_ms(), false);
    if (stopping && group.empty()) {
      std::lock_guard lk(mu_);
      if (queue_.empty()) break;
    }
    group.clear();
  }
  for (size_t i = 0, n = trails_.size(); i < n; ++i) {
    trails_.at(i).stream.sync();
    checkpoint(trails_.at(i), "stop", now_unix_ms());
  }
  quarantine_.sync();
}

// Retries until the data is written: an acknowledged event must never be lost, and an
// unacknowledged one is still held by its sender, which is slowed down meanwhile.
// `pieces` (each whole lines) are written one after the other and synced once, as one unit:
// what a failure makes write again is all of them.
int Writer::write_with_retry(FileStream& stream, const std::vector<std::string_view>& pieces, const char* what) {
  auto delay = std::chrono::milliseconds(10);
  bool failing = false;
  size_t all_bytes = 0;
  for (std::string_view p : pieces) all_bytes += p.size();
  size_t piece = 0;              // the piece being written,
  std::string_view data;         // and what of it is not written yet
  auto restart = [&] {
    piece = 0;
    data = pieces.empty() ? std::string_view() : pieces[0];
  };
  auto unwritten = [&] {
    size_t n = data.size();
    for (size_t i = piece + 1; i < pieces.size(); ++i) n += pieces[i].size();
    return n;
  };
  restart();
  while (true) {
    heartbeat_ms_.store(now_unix_ms());
    const uint64_t active_before = stream.active_counter();
    int r = 0;
    while (r == 0 && !data.empty()) {
      r = stream.append(data, now_unix_ms());
      while (r == 0 && data.empty() && piece + 1 < pieces.size()) data = pieces[++piece];
    }
    if (r == 0 && fsync_.load()) r = timed_sync(stream);
    if (stream.take_sync_failure() && fsync_.load()) {
      // Nothing of this write is acknowledged, and it may not all be on disk even if a
      // later fdatasync succeeds (FileStream::take_sync_failure): write all of it again into
      // a new file. The file that was active before stays as it is, its tail perhaps
      // repeated in the next file (trailctl verify accepts a repeat that is byte for byte);
      // a file this write opened holds nothing else and goes.
      spdlog::error("{}: fdatasync failed in {}; writing this group's {} bytes again to a new file", what,
                    stream.directory(), all_bytes);
      if (stream.active_counter() != active_before) stream.discard_active();
      else stream.retire_active();
      restart();
      if (r == 0) r = -EIO;
    }
    if (r == 0 && stream.active_is_gone()) {
      // Someone deleted or moved the file (or its directory) while it was written to: what
      // went into it is not in the trail, so nothing may be acknowledged. Write all of it
      // again into a new file.
      spdlog::error("{}: the active file in {} was deleted or moved away; writing {} bytes again to a new file",
                    what, stream.directory(), all_bytes);
      stream.abandon_active();
      restart();
      continue;
    }
    if (r == 0) {
      if (failing) spdlog::warn("{}: writing to {} works again", what, stream.directory());
      return 0;
    }
    io_errors_.fetch_add(1);
    if (!failing) {
      spdlog::error("{}: cannot write to {}: {}; holding {} bytes and retrying (events are not "
                    "acknowledged until written)",
                    what, stream.failed_path().empty() ? stream.directory() : stream.failed_path(),
                    std::strerror(-r), unwritten());
      failing = true;
    }
    {
      std::unique_lock lk(mu_);
      // Keep retrying even when stopping: exiting would lose what senders were told nothing about yet.
      cv_.wait_for(lk, delay);
    }
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    // Space may come back because retention frees it.
    maintenance(now_unix_ms(), r == -ENOSPC);
  }
}

void Writer::write_group(std::deque<Batch>& group) {
  // A stream's parts of the group's batches are written one by one, not joined first: only
  // full batches (output.max_queue_bytes / 4, at most 1 MiB) queue up behind a write, as the
  // pipeline submits a smaller one only to an idle writer, so joining them saved no syscalls
  // worth copying every byte once more.
  pieces_.clear();
  for (const auto& b : group)
    if (!b.rejected.empty()) pieces_.push_back(b.rejected);
  if (!pieces_.empty()) write_with_retry(quarantine_, pieces_, "quarantine");
  trail_in_group_.assign(trails_.size(), 0);
  for (const auto& b : group)
    for (const auto& p : b.parts)
      if (p.trail != TrailPart::kUnused && !p.events.empty()) trail_in_group_[p.trail] = 1;
  for (size_t t = 0; t < trail_in_group_.size(); ++t)
    if (trail_in_group_[t]) write_trail(trails_.at(t), group, t);
  size_t bytes = 0;
  uint64_t rotations = quarantine_.rotations();
  for (auto& b : group) bytes += b.bytes();
  rotations += trail_rotations();
  bytes_written_.fetch_add(bytes, std::memory_order_relaxed);
  last_write_ms_.store(now_unix_ms(), std::memory_order_relaxed);
  files_rotated_.store(rotations, std::memory_order_relaxed);
  const uint64_t last_id = group.back().id;
  {
    std::lock_guard lk(mu_);
    for (auto& b : group) {
      if (spare_.size() >= 4) break;
      for (auto& p : b.parts) {
        p.events.clear();
        p.chain_slots.clear();
        p.trail = TrailPart::kUnused;
      }
      b.rejected.clear();
      spare_.push_back(std::move(b));
    }
  }
  if (cb_.durable) cb_.durable(last_id, bytes);
}

void Writer::write_trail(Trail& trail, std::deque<Batch>& group, size_t index) {
  pieces_.clear();
  const TrailPart* last = nullptr;
  TimeRange range;
  for (auto& b : group)
    for (auto& p : b.parts) {
      if (p.trail != index || p.events.empty()) continue;
      sealer_->seal(p.events, p.chain_slots, trail.chain_head);  // once: a retry writes the same bytes
      pieces_.push_back(p.events);
      last = &p;
      range.merge(p.time_range);
    }
  trail.stream.set_next_sequence(last->next_sequence);
  trail.stream.note_time_range(range);
  write_with_retry(trail.stream, pieces_, "trail");
  trail.head = {last->next_sequence - 1, trail.chain_head, trail.stream.active_name(), trail.stream.active_size()};
}

uint64_t Writer::trail_rotations() const {
  uint64_t n = 0;
  for (size_t i = 0, count = trails_.size(); i < count; ++i) n += trails_.at(i).stream.rotations();
  return n;
}

int Writer::timed_sync(FileStream& stream) {
  const auto start = std::chrono::steady_clock::now();
  const int r = stream.sync();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sync_count_.fetch_add(1, std::memory_order_relaxed);
  sync_micros_sum_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  for (size_t i = 0; i < WriterStats::kSyncBuckets; ++i)
    if (seconds <= WriterStats::kSyncBucketsSeconds[i]) sync_buckets_[i].fetch_add(1, std::memory_order_relaxed);
  return r;
}

void Writer::checkpoint(Trail& trail, std::string_view reason, int64_t now_ms) {
  if (!trail.digest || trail.head.hash.empty()) return;
  if (reason != "stop" && trail.checkpointed_any && trail.head.sequence == trail.checkpointed_sequence) return;
  // A checkpoint vouches for the lines up to the head: they reach the disk first, whatever
  // output.durability says (once per checkpoint, not per event).
  if (int r = trail.stream.sync(); r != 0) {
    spdlog::error("integrity: cannot sync the trail in {} before a checkpoint: {}; trying again later",
                  trail.stream.directory(), std::strerror(-r));
    return;
  }
  if (int r = trail.digest->checkpoint(trail.head, reason, now_ms); r != 0) {
    io_errors_.fetch_add(1);
    spdlog::error("integrity: cannot write a checkpoint to the digest in {}: {}; trying again later",
                  trail.stream.directory(), std::strerror(-r));
    return;
  }
  trail.checkpointed_sequence = trail.head.sequence;
  trail.checkpointed_any = true;
}

// The digest records which chain range a deleted file held before it goes, so a verifier
// can tell retention from tampering; when that record cannot be written, nothing is deleted.
bool Writer::may_delete(Trail& trail, Deletion& d, int64_t now_ms) {
  const FileChainRange range = read_file_chain_range(trail.stream.directory() + "/" + d.file.name);
  d.sequences_known = range.known;
  d.first_sequence = range.first_sequence;
  d.last_sequence = range.last_sequence;
  const uint64_t next = trail.stream.next_sequence();
  if (range.known && keep_recent_events_ > 0 && range.last_sequence + keep_recent_events_ >= next) {
    if (!trail.told_keeping_recent)
      spdlog::warn("trail: retention keeps {}{} ({}) for now: it holds some of the last {} events, which traild "
                   "must find again to recognise a resent event (output.dedup_window)",
                   tenant_path(trail), d.file.name, d.reason, keep_recent_events_);
    trail.told_keeping_recent = true;
    kept_recent_in_pass_ = true;
    return false;
  }
  if (!trail.digest) return true;
  if (int r = trail.digest->deletion(d.file.name, range, d.reason, now_ms); r != 0) {
    spdlog::error("integrity: cannot record the deletion of {}{} in the digest: {}; retention waits",
                  tenant_path(trail), d.file.name, std::strerror(-r));
    return false;
  }
  return true;
}

WriterStats Writer::stats() const {
  WriterStats s;
  s.bytes_written = bytes_written_.load(std::memory_order_relaxed);
  s.files_rotated = files_rotated_.load(std::memory_order_relaxed);
  s.files_deleted = files_deleted_.load(std::memory_order_relaxed);
  s.last_write_ms = last_write_ms_.load(std::memory_order_relaxed);
  s.sync_count = sync_count_.load(std::memory_order_relaxed);
  s.sync_seconds_sum = static_cast<double>(sync_micros_sum_.load(std::memory_order_relaxed)) / 1e6;
  for (size_t i = 0; i < WriterStats::kSyncBuckets; ++i) s.sync_buckets[i] = sync_buckets_[i].load(std::memory_order_relaxed);
  return s;
}

void Writer::maintenance(int64_t now_ms, bool force_retention) {
  const bool checkpoint_due = now_ms - last_checkpoint_ms_ >= checkpoint_interval_ms_;
  for (size_t i = 0, n = trails_.size(); i < n; ++i) {
    Trail& trail = trails_.at(i);
    if (int r = trail.stream.rotate_if_old(now_ms); r != 0)
      spdlog::error("trail: cannot start a new file in {}: {}", trail.stream.directory(), std::strerror(-r));
    const bool rotated = trail.stream.rotations() != trail.rotations_checkpointed;
    if (rotated || checkpoint_due) {
      checkpoint(trail, rotated ? "rotation" : "interval", now_ms);
      trail.rotations_checkpointed = trail.stream.rotations();
    }
  }
  if (checkpoint_due) last_checkpoint_ms_ = now_ms;
  quarantine_.rotate_if_old(now_ms);
  const uint64_t rotations = trail_rotations() + quarantine_.rotations();
  if (!force_retention && rotations == rotations_seen_ && now_ms - last_retention_ms_ < kRetentionEveryMs) return;
  rotations_seen_ = rotations;
  last_retention_ms_ = now_ms;
  enforce_trail_retention(now_ms);
  auto deleted = quarantine_.enforce_retention(now_ms);
  for (auto& d : deleted) spdlog::info("quarantine: retention deleted {} ({} bytes, {})", d.file.name, d.file.size, d.reason);
  files_deleted_.fetch_add(deleted.size(), std::memory_order_relaxed);
  if (!deleted.empty() && cb_.deleted) cb_.deleted("quarantine", quarantine_.directory(), deleted);
}

void Writer::enforce_trail_retention(int64_t now_ms) {
  const size_t n = trails_.size();
  // Tenants' trails share the host's policy and budget (output.directory as a whole): their
  // closed files are merged oldest first by the time in their names, each trail's own order
  // kept, and the oldest go first whichever trail holds them. With several trails an active
  // file counts as its size so far: reserving rotate.max_size for each of hundreds of
  // tenants would leave no budget for anything closed.
  std::vector<TrailFile> merged;
  std::vector<uint32_t> owner;
  uint64_t active = 0;
  using Head = std::pair<int64_t, std::pair<uint32_t, size_t>>;  // (created, (trail, position))
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  for (uint32_t i = 0; i < n; ++i) {
    const FileStream& s = trails_.at(i).stream;
    active += n == 1 ? s.active_reserve() : s.active_size();
    if (!s.closed_files().empty()) heads.push({s.closed_files()[0].created_ms, {i, 0}});
  }
  while (!heads.empty()) {
    const auto [trail, pos] = heads.top().second;
    heads.pop();
    const auto& closed = trails_.at(trail).stream.closed_files();
    merged.push_back(closed[pos]);
    owner.push_back(trail);
    if (pos + 1 < closed.size()) heads.push({closed[pos + 1].created_ms, {trail, pos + 1}});
  }
  FileStream& host = trails_.at(0).stream;
  const std::vector<Deletion> selected = select_for_deletion(merged, active, host.retention(), now_ms, host.free_bytes());
  std::vector<std::vector<Deletion>> per_trail(n);
  for (size_t k = 0; k < selected.size(); ++k) per_trail[owner[k]].push_back(selected[k]);
  for (uint32_t i = 0; i < n; ++i) {
    Trail& trail = trails_.at(i);
    kept_recent_in_pass_ = false;
    const auto deleted = per_trail[i].empty()
                             ? std::vector<Deletion>{}
                             : trail.stream.delete_oldest(std::move(per_trail[i]),
                                                          [&](Deletion& d) { return may_delete(trail, d, now_ms); });
    if (!kept_recent_in_pass_) trail.told_keeping_recent = false;
    for (auto& d : deleted)
      spdlog::info("trail: retention deleted {}{} ({} bytes, {})", tenant_path(trail), d.file.name, d.file.size, d.reason);
    files_deleted_.fetch_add(deleted.size(), std::memory_order_relaxed);
    if (!deleted.empty() && cb_.deleted) cb_.deleted("trail", trail.stream.directory(), deleted);
  }
}

}  // namespace traild
