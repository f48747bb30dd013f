// Checking a trail against its chain and digest (trailctl verify; docs/integrity.md).
// Lines are fed in trail order; the first thing that does not verify is reported with
// where it is and what kind of damage it looks like, and checking stops there.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "integrity/chain.hpp"
#include "integrity/digest.hpp"
#include "integrity/signing.hpp"

namespace traild {

struct VerifyOptions {
  std::string hmac_key;                           // integrity.key_file's key; "" for SHA-256
  const SignatureVerifier* public_key = nullptr;  // checks the digest's signatures when set
  std::optional<uint64_t> from_sequence;          // start here, trusting what comes before
  bool allow_unsigned_tail = false;               // events after the last checkpoint are not a failure
};

struct VerifyFailure {
  std::string kind;  // modified, missing, inserted, reordered, truncated, unsigned tail, signature invalid,
                     // unreadable
  std::string file;
  uint64_t line = 0;      // 1-based; 0 when not about one line
  uint64_t sequence = 0;  // 0 when unknown
  std::string detail;
};

struct VerifyReport {
  uint64_t events = 0;
  uint64_t first_sequence = 0, last_sequence = 0;
  uint64_t files = 0;
  uint64_t checkpoints_matched = 0;
  uint64_t digest_records = 0;
  bool signatures_checked = false;
  uint64_t bytes = 0;
  std::vector<std::string> notes;  // things that verify but an operator should know
  std::optional<VerifyFailure> failure;
  bool ok() const { return !failure; }
};

class TrailVerifier {
 public:
  explicit TrailVerifier(VerifyOptions options);

  // Reads the digest file at `path` (named `name` in reports) and checks its records' own
  // chain and signatures. False when that already failed (a missing file has no records).
  bool load_digest(const std::string& path, const std::string& name);
  void begin_file(const std::string& name);
  // The file `name` (of the trail or the digest) exists but could not be read (`error_number`):
  // nothing can be said about it, so the trail does not verify.
  void unreadable(const std::string& name, int error_number);
  // One line without its '\n', followed by simdjson::SIMDJSON_PADDING readable bytes.
  void feed(std::string_view line);
  // The current file ended with `bytes` that are not a whole line.
  void torn_tail(uint64_t bytes, bool last_file);
  // Checks what only the end can tell (truncation, the unsigned tail) and returns the report.
  VerifyReport finish();
  bool failed() const { return report_.failure.has_value() && classify_lines_ == 0; }

 private:
  void set_digest(std::vector<DigestRecord> records, const std::string& digest_name);
  void fail(std::string kind, uint64_t sequence, std::string detail, bool about_line = true);
  void check_start(uint64_t sequence, std::string_view prev);
  std::string checkpoint_file_near(uint64_t first, uint64_t last) const;
  // Lines already checked, repeated byte for byte at the start of a file: traild writes a
  // group again into a new file when fdatasync failed (docs/integrity.md, Repeats).
  bool is_repeat(uint64_t sequence, std::string_view hash);
  void remember(uint64_t sequence, std::string_view hash);

  VerifyOptions opt_;
  ChainHasher hasher_;
  simdjson::ondemand::parser parser_;
  std::vector<DigestRecord> records_;
  std::string file_;
  uint64_t line_ = 0;
  bool started_ = false;
  uint64_t last_sequence_ = 0;
  std::string last_hash_;
  uint64_t max_checkpoint_ = 0;
  bool have_checkpoint_ = false;
  bool stopped_cleanly_ = false;  // the last checkpoint was written at shutdown
  size_t next_checkpoint_ = 0;    // index into checkpoints_ (sorted by sequence)
  std::vector<const DigestRecord*> checkpoints_;
  // The hashes of the last kRepeatWindow lines checked (consecutive sequences from
  // recent_first_), to recognise repeats; a repeat never exceeds one write group
  // (output.max_queue_bytes).
  static constexpr size_t kRepeatWindow = 1 << 18;
  std::deque<std::array<char, kChainHashHex>> recent_;
  uint64_t recent_first_ = 0;
  uint64_t repeat_next_ = 0;  // the sequence a repeat in progress continues with; 0 = none
  // After a gap, a few more lines tell a reordering from a removal.
  int classify_lines_ = 0;
  uint64_t gap_first_ = 0;
  VerifyReport report_;
};

// Verifies the trail files `<prefix>-*.jsonl` in `directory` with the digest beside them.
VerifyReport verify_directory(const std::string& directory, std::string_view prefix, const VerifyOptions& options);

// Verifies events as they come back from Elasticsearch or another store: one JSON document
// per line, keys in any order, lines in any order. They are put in chain order and written
// canonically, then checked like trail lines (with the digest, when `digest` is not empty).
VerifyReport verify_documents(const std::string& documents_path, const std::string& digest,
                              const VerifyOptions& options);

}  // namespace traild
