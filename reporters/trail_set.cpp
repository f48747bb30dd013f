#include "reporters/trail_set.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "integrity/chain.hpp"
#include "reporters/tenant_directory.hpp"

namespace traild {

TrailSet::TrailSet(Filesystem& fs, const Config& config, const Signer* signer)
    : fs_(fs),
      directory_(config.output.directory),
      prefix_(config.output.prefix),
      state_directory_(config.state_directory),
      signer_(signer),
      page_cache_window_(config.output.page_cache_window),
      rotate_(config.output.rotate),
      retention_(config.output.retention) {}

TrailStart TrailSet::open(const std::string& tenant, size_t max_ids, int64_t now_ms) {
  const std::string dir = tenant.empty() ? directory_ : directory_ + "/" + tenant;
  std::string state_file = state_directory_ + "/output.state";
  if (!tenant.empty()) {
    // Tenant names are never "output" or hidden (tenant_directory.hpp), so they cannot
    // collide with the host trail's state.
    const std::string tenants_state = state_directory_ + "/tenants";
    if (int r = make_directories(tenants_state, 0750); r != 0)
      throw std::runtime_error("cannot create " + tenants_state + ": " + std::strerror(-r));
    state_file = tenants_state + "/" + tenant + ".state";
  }
  if (!tenant.empty()) {
    // Never through a symlink (or onto a file) someone placed under a tenant's name: the
    // trail would be written outside output.directory.
    if (int r = make_directories(dir, 0750); r != 0)
      throw std::runtime_error("cannot create directory " + dir + ": " + std::strerror(-r));
    struct stat st;
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw std::runtime_error(dir + " is not a directory (a symlink or another file is in the way)");
  }
  FileStreamOptions options{dir, prefix_, state_file, {}, {}};
  options.page_cache_window = page_cache_window_;
  {
    std::lock_guard lk(mu_);
    options.rotate = rotate_;
    options.retention = retention_;
  }
  auto trail = std::make_unique<Trail>(fs_, std::move(options), tenant);
  TrailStart start;
  start.tail = trail->stream.recover(max_ids, now_ms);
  // The chain continues from the newest complete line, so the sequence does too; the state
  // file only matters when the directory holds no event.
  start.next_sequence = start.tail.have_sequence ? start.tail.last_sequence + 1
                                                 : std::max<uint64_t>(1, trail->stream.state_next_sequence());
  trail->stream.set_next_sequence(start.next_sequence);
  trail->chain_head = start.tail.last_chain_hash.empty() ? std::string(kGenesisHash) : start.tail.last_chain_hash;
  if (trail->chain_head.size() != kChainHashHex) {
    spdlog::warn("integrity: the newest line in {} carries a traild.chain.hash that is not a SHA-256 ({} characters); "
                 "the chain goes on from the genesis value, and trailctl verify will report the break",
                 dir, trail->chain_head.size());
    trail->chain_head.assign(kGenesisHash);
  }

  // The digest beside the trail, and a check that the trail still reaches its last
  // checkpoint: a trail cut or rewritten while traild was down is reported at once (and
  // stays visible to trailctl verify), not silently continued.
  trail->digest.emplace(fs_, digest_path(dir, prefix_), signer_);
  const std::vector<DigestRecord> records = trail->digest->open();
  const DigestRecord* last = nullptr;
  for (const auto& r : records)
    if (r.type == "checkpoint") last = &r;
  if (last != nullptr) {
    const TrailTail& tail = start.tail;
    const bool behind = !tail.have_sequence || tail.last_sequence < last->sequence;
    const bool differs = tail.have_sequence && tail.last_sequence == last->sequence && tail.last_chain_hash != last->hash;
    if (behind || differs)
      start.integrity_alert = "the trail in " + dir + " " + (behind ? "ends before" : "differs from") +
                              " the last checkpoint (sequence " + std::to_string(last->sequence) + " in " + last->file +
                              "): it was cut or changed while traild was not running; run trailctl verify";
  }
  std::lock_guard lk(mu_);
  start.index = static_cast<uint32_t>(trails_.size());
  trails_.push_back(std::move(trail));
  return start;
}

std::vector<std::string> TrailSet::existing_tenants() const {
  std::vector<TenantDirectory> found = tenant_directories(directory_);
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.modified_ns > b.modified_ns; });
  std::vector<std::string> names;
  for (auto& t : found) names.push_back(std::move(t.name));
  return names;
}

size_t TrailSet::size() const {
  std::lock_guard lk(mu_);
  return trails_.size();
}

Trail& TrailSet::at(size_t index) {
  std::lock_guard lk(mu_);
  return *trails_[index];
}

void TrailSet::set_policy(const RotateConfig& rotate, const RetentionConfig& retention) {
  std::lock_guard lk(mu_);
  rotate_ = rotate;
  retention_ = retention;
}

}  // namespace traild
