// The trails traild writes: the host's at output.directory and, with output.route_by, one
// per tenant at output.directory/<tenant> (tenant_directory.hpp). Each is a whole trail of
// its own (files, event.sequence, hash chain, digest), so trailctl verify and query read a
// tenant's directory exactly as they read the host's.
//
// Trails are only ever added (by the I/O thread, when a tenant is first seen) and live as
// long as the set; the writer thread reads them by index.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "integrity/digest.hpp"
#include "integrity/signing.hpp"
#include "reporters/file_stream.hpp"

namespace traild {

struct Trail {
  Trail(Filesystem& fs, FileStreamOptions options, std::string tenant_name)
      : tenant(std::move(tenant_name)), stream(fs, std::move(options)) {}

  std::string tenant;  // its directory's name; "" for the host's trail
  FileStream stream;
  std::optional<DigestWriter> digest;

  // Writer thread only: the hash of the last line sealed (ChainSealer: the next line's
  // traild.chain.prev), the chain's head as written, and what the digest was told last.
  std::string chain_head;
  ChainHead head;
  uint64_t checkpointed_sequence = 0;
  bool checkpointed_any = false;
  uint64_t rotations_checkpointed = 0;
  bool told_keeping_recent = false;  // said once until a pass keeps nothing back
};

// What opening a trail found in it.
struct TrailStart {
  uint32_t index = 0;
  TrailTail tail;
  uint64_t next_sequence = 1;
  std::string integrity_alert;  // the trail no longer reaches its digest's last checkpoint
};

class TrailSet {
 public:
  // `signer` (may be null) signs every trail's digest and must outlive the set.
  TrailSet(Filesystem& fs, const Config& config, const Signer* signer);

  // Opens and recovers the host's trail ("") or a tenant's (a tenant_directory_name),
  // reading back up to `max_ids` recent event ids. I/O thread. Throws std::runtime_error
  // when its directory cannot be created.
  TrailStart open(const std::string& tenant, size_t max_ids, int64_t now_ms);
  // The tenant directories in output.directory, most recently changed first.
  std::vector<std::string> existing_tenants() const;

  size_t size() const;
  Trail& at(size_t index);
  // Rotation and retention for trails opened from now on (the writer updates open ones).
  void set_policy(const RotateConfig& rotate, const RetentionConfig& retention);

 private:
  Filesystem& fs_;
  const std::string directory_;
  const std::string prefix_;
  const std::string state_directory_;
  const Signer* signer_;
  const uint64_t page_cache_window_;
  mutable std::mutex mu_;
  RotateConfig rotate_;
  RetentionConfig retention_;
  std::deque<std::unique_ptr<Trail>> trails_;
};

}  // namespace traild
