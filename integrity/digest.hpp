// The digest file beside a trail, `<prefix>.digest` in its directory (CloudTrail's model):
// one canonical JSON line per record, each naming the hash of the record before it, each
// signed with Ed25519 when integrity.signing_key is set. Two kinds (docs/integrity.md):
//   checkpoint  the chain's head (sequence, hash, file, offset) at an interval, at rotation
//               and at shutdown; what a verifier trusts the trail up to
//   deletion    a closed file retention deleted, with the chain range it held, so the gap it
//               leaves is told apart from tampering
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "integrity/signing.hpp"
#include "reporters/filesystem.hpp"

namespace traild {

std::string digest_path(const std::string& directory, std::string_view prefix);

// Where the chain stands: the last event's sequence and hash, and where its line ends.
struct ChainHead {
  uint64_t sequence = 0;
  std::string hash;  // empty: no event yet
  std::string file;
  uint64_t offset = 0;
};

// The chain range a trail file holds (read from its first and last lines).
struct FileChainRange {
  bool known = false;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
  std::string last_hash;
};
// Reads the first and last complete lines of a trail file; `known` false when it holds none
// with a chain.
FileChainRange read_file_chain_range(const std::string& path);

struct DigestRecord {
  std::string type;  // "checkpoint" or "deletion"
  std::string file;
  uint64_t sequence = 0;  // checkpoint
  std::string hash;       // checkpoint
  uint64_t offset = 0;    // checkpoint
  uint64_t first_sequence = 0, last_sequence = 0;  // deletion
  std::string last_hash;                           // deletion
  std::string reason, time, prev, key_id, signature;
  std::string line;          // the record as written
  std::string signed_bytes;  // the line without its signature member
};

// Every complete record of a digest file, in order; `error` names the first line that is not
// a record (a torn last line is not an error).
std::vector<DigestRecord> read_digest(const std::string& path, std::string& error);

class DigestWriter {
 public:
  DigestWriter(Filesystem& fs, std::string path, const Signer* signer) : fs_(fs), path_(std::move(path)), signer_(signer) {}

  // Reads the existing digest: the next record links to its last one. A torn last record (a
  // crash mid-write) is cut off. Returns the last checkpoint, if any.
  std::vector<DigestRecord> open();
  // Appends a record, fdatasync'd. 0 or -errno.
  int checkpoint(const ChainHead& head, std::string_view reason, int64_t now_ms);
  int deletion(std::string_view file, const FileChainRange& range, std::string_view reason, int64_t now_ms);

 private:
  // Adds "prev", "time" and the signature to the members (key, JSON text) and appends them.
  int append(std::vector<std::pair<std::string_view, std::string>> members, int64_t now_ms);

  Filesystem& fs_;
  std::string path_;
  const Signer* signer_;
  std::string prev_;
};

}  // namespace traild
