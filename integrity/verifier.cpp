#include "integrity/verifier.hpp"

#include "common/mapped_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "reporters/trail_scan.hpp"

namespace traild {
namespace {

std::string range_text(uint64_t first, uint64_t last) {
  return first == last ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(last);
}

}  // namespace

TrailVerifier::TrailVerifier(VerifyOptions options) : opt_(std::move(options)), hasher_(opt_.hmac_key) {}

void TrailVerifier::fail(std::string kind, uint64_t sequence, std::string detail, bool about_line) {
  if (report_.failure) return;
  report_.failure = VerifyFailure{std::move(kind), file_, about_line ? line_ : 0, sequence, std::move(detail)};
}

void TrailVerifier::unreadable(const std::string& name, int error_number) {
  if (report_.failure) return;
  report_.failure =
      VerifyFailure{"unreadable", name, 0, 0, std::string("cannot read it: ") + std::strerror(error_number)};
}

bool TrailVerifier::load_digest(const std::string& path, const std::string& name) {
  std::string error;
  std::vector<DigestRecord> records = read_digest(path, error);
  if (!error.empty()) report_.failure = VerifyFailure{"modified", name, 0, 0, error};
  else set_digest(std::move(records), name);
  return !report_.failure;
}

void TrailVerifier::set_digest(std::vector<DigestRecord> records, const std::string& digest_name) {
  records_ = std::move(records);
  report_.digest_records = records_.size();
  report_.signatures_checked = opt_.public_key != nullptr;
  std::string expected_prev(kGenesisHash);
  for (size_t i = 0; i < records_.size(); ++i) {
    const DigestRecord& r = records_[i];
    auto digest_fail = [&](std::string kind, std::string detail) {
      report_.failure = VerifyFailure{std::move(kind), digest_name, i + 1, r.type == "checkpoint" ? r.sequence : 0,
                                      std::move(detail)};
    };
    if (r.prev != expected_prev) {
      digest_fail("modified", "digest record does not link to the record before it: a record was changed, removed "
                              "or inserted");
      return;
    }
    expected_prev = sha256_hex(r.line);
    if (opt_.public_key != nullptr) {
      if (r.signature.empty()) {
        digest_fail("signature invalid", "digest record is not signed");
        return;
      }
      if (r.key_id != opt_.public_key->key_id()) {
        digest_fail("signature invalid", "digest record is signed by key " + r.key_id + ", not by the given key " +
                                             opt_.public_key->key_id());
        return;
      }
      if (!opt_.public_key->verify_base64(r.signed_bytes, r.signature)) {
        digest_fail("signature invalid", "the signature of the digest record does not match its content");
        return;
      }
    }
    if (r.type == "checkpoint") {
      checkpoints_.push_back(&r);
      have_checkpoint_ = true;
      max_checkpoint_ = std::max(max_checkpoint_, r.sequence);
    }
  }
  std::stable_sort(checkpoints_.begin(), checkpoints_.end(),
                   [](const DigestRecord* a, const DigestRecord* b) { return a->sequence < b->sequence; });
  stopped_cleanly_ = !records_.empty() && records_.back().type == "checkpoint" && records_.back().reason == "stop";
}

void TrailVerifier::begin_file(const std::string& name) {
  file_ = name;
  line_ = 0;
  ++report_.files;
}

std::string TrailVerifier::checkpoint_file_near(uint64_t first, uint64_t last) const {
  for (const DigestRecord* c : checkpoints_)
    if (c->sequence >= first && c->sequence <= last) return " (a checkpoint places sequence " +
                                                          std::to_string(c->sequence) + " in " + c->file + ")";
  return {};
}

void TrailVerifier::check_start(uint64_t sequence, std::string_view prev) {
  report_.first_sequence = sequence;
  if (opt_.from_sequence) {
    report_.notes.push_back("checking starts at sequence " + std::to_string(sequence) +
                            " (--from): events before it are not checked");
    return;
  }
  if (prev == kGenesisHash) return;
  // Retention deletes the oldest files and records each in the digest first: the records
  // must reach exactly up to this event, hash included.
  const DigestRecord* joint = nullptr;
  for (const auto& r : records_)
    if (r.type == "deletion" && r.last_sequence + 1 == sequence && r.last_hash == prev) joint = &r;
  if (joint == nullptr) {
    fail("missing", sequence,
         "the trail starts at sequence " + std::to_string(sequence) +
             ", after events that are not here and that no retention record in the digest accounts for "
             "(files removed?)" + checkpoint_file_near(0, sequence - 1));
    return;
  }
  uint64_t first = joint->first_sequence;
  for (bool extended = true; extended;) {
    extended = false;
    for (const auto& r : records_)
      if (r.type == "deletion" && r.last_sequence + 1 == first && r.first_sequence < first) {
        first = r.first_sequence;
        extended = true;
      }
  }
  report_.notes.push_back("sequences " + range_text(first, sequence - 1) +
                          " were deleted by retention, as the digest records (gap explained by retention)");
}

void TrailVerifier::feed(std::string_view line) {
  if (failed()) return;
  ++line_;
  report_.bytes += line.size() + 1;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object chain;
  simdjson::ondemand::raw_json_string raw_hash;
  std::string_view prev;
  uint64_t sequence = 0;
  const bool parsed = !parser_.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING).get(doc) &&
                      !doc.find_field_unordered("traild").find_field_unordered("chain").get_object().get(chain) &&
                      !chain.find_field_unordered("hash").get_raw_json_string().get(raw_hash) &&
                      !chain.find_field_unordered("prev").get_string().get(prev) &&
                      !chain.find_field_unordered("sequence").get_uint64().get(sequence);
  // The hash member's place in the line: `"hash":"` + 64 hex digits + `",`.
  const char* value = parsed ? raw_hash.raw() : nullptr;
  const size_t member_at = parsed ? static_cast<size_t>(value - line.data()) - kHashMemberPrefix.size() : 0;
  const bool well_formed = parsed && value > line.data() + kHashMemberPrefix.size() &&
                           member_at + kHashMemberBytes <= line.size() &&
                           line.substr(member_at, kHashMemberPrefix.size()) == kHashMemberPrefix &&
                           line.substr(member_at + kHashMemberPrefix.size() + kChainHashHex, 2) == "\",";
  if (classify_lines_ > 0) {
    // Already failed at a gap: is the missing sequence just a little further on?
    --classify_lines_;
    if (well_formed && sequence == gap_first_) {
      report_.failure->kind = "reordered";
      report_.failure->detail = "sequence " + std::to_string(gap_first_) + " comes after sequence " +
                                std::to_string(report_.failure->sequence) + ": lines were swapped or moved";
      classify_lines_ = 0;
    }
    return;
  }
  if (!well_formed) {
    fail("modified", 0, "not a trail line: no readable traild.chain (changed, or not written by traild)");
    return;
  }
  const std::string_view hash = line.substr(member_at + kHashMemberPrefix.size(), kChainHashHex);
  if (opt_.from_sequence && sequence < *opt_.from_sequence) return;
  char computed[kChainHashHex];
  hasher_.hash_line(line, member_at, computed);
  if (hash != std::string_view(computed, kChainHashHex)) {
    fail("modified", sequence,
         hasher_.keyed() ? "its HMAC does not match its content (changed, forged, or written with another key)"
                         : "its hash does not match its content");
    return;
  }
  if (started_ && sequence <= last_sequence_ && (line_ == 1 || sequence == repeat_next_) &&
      is_repeat(sequence, hash)) {
    if (line_ == 1)
      report_.notes.push_back(file_ + " starts again at sequence " + std::to_string(sequence) +
                              ", repeating lines already checked byte for byte (written again after a failed fdatasync)");
    repeat_next_ = sequence < last_sequence_ ? sequence + 1 : 0;
    return;
  }
  repeat_next_ = 0;
  if (!started_) {
    check_start(sequence, prev);
    if (failed()) return;
    started_ = true;
  } else {
    const uint64_t expected = last_sequence_ + 1;
    if (sequence == expected && prev != last_hash_) {
      fail("modified", sequence,
           "does not link to the line before it: the event with sequence " + std::to_string(last_sequence_) +
               " was changed or replaced");
      return;
    }
    if (sequence > expected) {
      fail("missing", sequence,
           (sequence - 1 == expected ? "sequence " + std::to_string(expected) + " is"
                                     : "sequences " + range_text(expected, sequence - 1) + " are") +
               " missing before this line" +
               checkpoint_file_near(expected, sequence - 1));
      classify_lines_ = 2;
      gap_first_ = expected;
      return;
    }
    if (sequence < expected) {
      if (sequence == last_sequence_)
        fail("inserted", sequence, "a second line with sequence " + std::to_string(sequence) +
                                       ": a line was inserted before this one");
      else
        fail("reordered", sequence, "sequence " + std::to_string(sequence) + " comes after sequence " +
                                        std::to_string(last_sequence_));
      return;
    }
  }
  last_sequence_ = sequence;
  last_hash_.assign(hash);
  remember(sequence, hash);
  report_.last_sequence = sequence;
  ++report_.events;
  while (next_checkpoint_ < checkpoints_.size() && checkpoints_[next_checkpoint_]->sequence < sequence)
    ++next_checkpoint_;  // before the checked range (retention, --from)
  for (; next_checkpoint_ < checkpoints_.size() && checkpoints_[next_checkpoint_]->sequence == sequence;
       ++next_checkpoint_) {
    const DigestRecord& c = *checkpoints_[next_checkpoint_];
    if (c.hash != hash) {
      fail("modified", sequence,
           "differs from the checkpoint of " + c.time + ": this line or the lines before it were rewritten");
      return;
    }
    ++report_.checkpoints_matched;
  }
}

bool TrailVerifier::is_repeat(uint64_t sequence, std::string_view hash) {
  if (sequence < recent_first_ || sequence - recent_first_ >= recent_.size()) return false;
  const auto& seen = recent_[sequence - recent_first_];
  return std::string_view(seen.data(), seen.size()) == hash;
}

void TrailVerifier::remember(uint64_t sequence, std::string_view hash) {
  if (recent_.empty() || sequence != recent_first_ + recent_.size()) {
    recent_.clear();  // not consecutive (the first line checked): start again here
    recent_first_ = sequence;
  }
  recent_.emplace_back();
  std::copy(hash.begin(), hash.end(), recent_.back().begin());
  if (recent_.size() > kRepeatWindow) {
    recent_.pop_front();
    ++recent_first_;
  }
}

void TrailVerifier::torn_tail(uint64_t bytes, bool last_file) {
  if (failed()) return;
  if (last_file) {
    ++line_;
    fail("truncated", 0, "the file ends with " + std::to_string(bytes) + " bytes that are not a whole line");
    return;
  }
  report_.notes.push_back(file_ + " ends with " + std::to_string(bytes) +
                          " bytes of a line cut short by a crash: never acknowledged, and the chain continues past it");
}

VerifyReport TrailVerifier::finish() {
  classify_lines_ = 0;
  if (report_.failure) return report_;
  if (have_checkpoint_ && (!started_ || last_sequence_ < max_checkpoint_)) {
    const DigestRecord* last = checkpoints_.back();
    fail("truncated", started_ ? last_sequence_ : 0,
         std::string(started_ ? "the trail ends at sequence " + std::to_string(last_sequence_) : "the trail is empty") +
             " but the checkpoint of " + last->time + " vouches for sequences up to " + std::to_string(last->sequence) +
             " (in " + last->file + ")",
         false);
    return report_;
  }
  if (started_ && (!have_checkpoint_ || last_sequence_ > max_checkpoint_)) {
    const uint64_t first = have_checkpoint_ ? std::max(max_checkpoint_ + 1, report_.first_sequence) : report_.first_sequence;
    const std::string what = last_sequence_ == first
                                 ? "1 event (sequence " + std::to_string(first) + ") comes after the last checkpoint"
                                 : std::to_string(last_sequence_ - first + 1) + " events (sequences " +
                                       range_text(first, last_sequence_) + ") come after the last checkpoint";
    if (!opt_.allow_unsigned_tail) {
      fail("unsigned tail", first,
           what + (stopped_cleanly_ ? ", although traild wrote its last checkpoint when it stopped: appended since"
                                    : "; if traild is running, its next checkpoint (integrity.checkpoint_interval) "
                                      "covers them: verify again, or pass --allow-unsigned-tail"),
           false);
      return report_;
    }
    report_.notes.push_back(what + " (not covered by a checkpoint yet)");
  }
  return report_;
}

VerifyReport verify_directory(const std::string& directory, std::string_view prefix, const VerifyOptions& options) {
  TrailVerifier verifier(options);
  const std::string digest = digest_path(directory, prefix);
  const std::string digest_name = std::string(prefix) + ".digest";
  // A file that is there but cannot be read (permissions, an I/O error) fails the check:
  // skipped, it would verify as absent, and a trail one may not read as an empty one.
  // One that is gone since it was listed (retention) is absent: the chain tells whether
  // that matters.
  const int digest_fd = ::open(digest.c_str(), O_RDONLY | O_CLOEXEC);
  const bool have_digest = digest_fd >= 0;
  if (have_digest) ::close(digest_fd);
  else if (errno != ENOENT) verifier.unreadable(digest_name, errno);
  if (verifier.failed() || !verifier.load_digest(digest, digest_name)) return verifier.finish();
  const std::vector<TrailFile> files = list_trail_files(directory, prefix);
  std::string tail;
  for (size_t i = 0; i < files.size() && !verifier.failed(); ++i) {
    verifier.begin_file(files[i].name);
    // Mapped, not read: the lines are parsed and hashed where they lie, without a copy.
    const MappedFile file(directory + "/" + files[i].name);
    if (!file.ok() && file.errno_value() != ENOENT) verifier.unreadable(files[i].name, file.errno_value());
    if (!file.ok() || file.view().empty()) continue;
    const char* data = file.view().data();
    const size_t size = file.view().size();
    size_t pos = 0;
    while (!verifier.failed()) {
      const void* nl = std::memchr(data + pos, '\n', size - pos);
      if (nl == nullptr) break;
      const size_t eol = static_cast<size_t>(static_cast<const char*>(nl) - data);
      if (size - eol > simdjson::SIMDJSON_PADDING) {
        verifier.feed(std::string_view(data + pos, eol - pos));
      } else {
        // The parser reads a little past a line: near the end of the mapping, a padded copy.
        tail.assign(data + pos, eol - pos);
        tail.append(simdjson::SIMDJSON_PADDING, '\0');
        verifier.feed(std::string_view(tail.data(), eol - pos));
      }
      pos = eol + 1;
    }
    if (pos < size && !verifier.failed()) verifier.torn_tail(size - pos, i + 1 == files.size());
  }
  VerifyReport report = verifier.finish();
  if (!have_digest) report.notes.push_back("there is no digest file " + digest_name + ": no checkpoint to check against");
  return report;
}

VerifyReport verify_documents(const std::string& documents_path, const std::string& digest,
                              const VerifyOptions& options) {
  TrailVerifier verifier(options);
  if (!digest.empty() && !verifier.load_digest(digest, digest)) return verifier.finish();
  std::ifstream in(documents_path, std::ios::binary);
  simdjson::dom::parser parser;
  CanonicalWriter writer;
  std::vector<std::pair<uint64_t, std::string>> lines;
  std::string text;
  uint64_t unreadable = 0;
  while (std::getline(in, text)) {
    if (text.empty()) continue;
    simdjson::dom::element doc;
    uint64_t sequence = 0;
    if (parser.parse(text).get(doc) || doc.at_pointer("/traild/chain/sequence").get_uint64().get(sequence)) {
      ++unreadable;
      continue;
    }
    std::string canonical;
    writer.write(doc, canonical);
    lines.emplace_back(sequence, std::move(canonical));
  }
  std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  verifier.begin_file(documents_path);
  for (auto& [sequence, line] : lines) {
    const size_t size = line.size();
    line.append(simdjson::SIMDJSON_PADDING, '\0');
    verifier.feed(std::string_view(line.data(), size));
  }
  VerifyReport report = verifier.finish();
  if (unreadable > 0 && report.ok())
    report.failure = VerifyFailure{"modified", documents_path, 0, 0,
                                   std::to_string(unreadable) + " document(s) are not JSON or have no traild.chain"};
  return report;
}

}  // namespace traild
