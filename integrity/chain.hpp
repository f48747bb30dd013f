// The hash chain over a trail (docs/integrity.md). Every trail line carries
// traild.chain = {"hash","prev","sequence"}: `hash` is SHA-256 (HMAC-SHA-256 with
// integrity.key_file) over the line's canonical bytes without the `"hash":"<hex>",` member,
// `prev` is the hash of the line before it in the stream (across files), and `sequence` is
// the event's event.sequence. Editing, removing, reordering or inserting a line breaks it.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "integrity/canonical_json.hpp"

typedef struct evp_md_ctx_st EVP_MD_CTX;
typedef struct evp_md_st EVP_MD;
typedef struct evp_mac_ctx_st EVP_MAC_CTX;

namespace traild {

inline constexpr size_t kChainHashHex = 64;
// `prev` of the first event of a trail that never had one before.
inline constexpr std::string_view kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
// What a line's bytes hold in place of nothing: `"hash":"` + 64 hex + `",`.
inline constexpr std::string_view kHashMemberPrefix = "\"hash\":\"";
inline constexpr size_t kHashMemberBytes = kHashMemberPrefix.size() + kChainHashHex + 2;

// SHA-256, or HMAC-SHA-256 when given a key, as lowercase hex; fed in pieces.
class ChainHasher {
 public:
  explicit ChainHasher(std::string key = {});
  ~ChainHasher();
  ChainHasher(const ChainHasher&) = delete;
  ChainHasher& operator=(const ChainHasher&) = delete;

  bool keyed() const { return !key_.empty(); }
  void begin();
  void update(std::string_view data);
  void finish(char hex[kChainHashHex]);
  // The hash of `line` (a whole trail line, no '\n') with its hash member at `member_at`
  // (offset of `"hash"`) left out.
  void hash_line(std::string_view line, size_t member_at, char hex[kChainHashHex]);

 private:
  std::string key_;
  EVP_MD* sha256_ = nullptr;  // fetched once: OpenSSL 3 looks an implicit EVP_sha256() up on every init
  EVP_MD_CTX* md_ = nullptr;
  EVP_MAC_CTX* mac_ = nullptr;
  bool mac_keyed_ = false;
};

// SHA-256 of `data` as lowercase hex (digest records link to each other with it).
std::string sha256_hex(std::string_view data);

// A line in a buffer whose chain values are not filled in yet: the pipeline formats lines
// with placeholders and the writer thread seals them in the order of the file. Hashing there
// takes SHA-256, a fifth of an event's CPU, off the thread that reads and validates.
struct ChainSlot {
  size_t line_start = 0;  // offset of the line in the buffer
  size_t hash_at = 0;     // offset of its hash member (`"hash":"<hex>",`), in the buffer
};

// Appends `line` (canonical, '\n' included, with a 64-character placeholder as
// traild.chain.prev) to `out` with a placeholder hash member at `hash_at` (an offset in
// `line`), and records where in `slots`. Until ChainSealer::seal, the line is not valid.
void append_unsealed(std::string_view line, size_t hash_at, std::string& out, std::vector<ChainSlot>& slots);

// Fills in traild.chain.prev and .hash of unsealed lines, in order.
class ChainSealer {
 public:
  explicit ChainSealer(std::string key = {}) : hasher_(std::move(key)) {}
  // Seals the lines of `events` at `slots` (in the order of the buffer, which ends with the
  // last one's '\n'), the first linked to `head`, which becomes the last one's hash. A head
  // of another length than a hash is replaced by kGenesisHash.
  void seal(std::string& events, std::span<const ChainSlot> slots, std::string& head);

 private:
  ChainHasher hasher_;
};

// Writes events in canonical form with their chain member, re-reading a line written in
// another order (output.format gravitee, tools). `stamp` links each line to the one before
// at once; the pipeline uses `stamp_unsealed` and leaves linking to the writer thread.
class ChainStamper {
 public:
  explicit ChainStamper(std::string key = {}) : sealer_(std::move(key)), prev_(kGenesisHash) {}

  // Continue after the line whose hash is `last_hash` (from the trail's tail).
  void resume(std::string_view last_hash) { prev_.assign(last_hash); }
  // Appends `line` (one JSON object, followed by simdjson::SIMDJSON_PADDING readable bytes)
  // to `out` as a canonical line with traild.chain and '\n'. False if `line` is not a JSON
  // object (it then appends nothing).
  bool stamp(std::string_view line, uint64_t sequence, std::string& out);
  // stamp() without linking: placeholders for prev and hash, recorded in `slots`.
  bool stamp_unsealed(std::string_view line, uint64_t sequence, std::string& out, std::vector<ChainSlot>& slots);
  // The hash of the last stamped line (kGenesisHash before the first).
  const std::string& head() const { return prev_; }

 private:
  simdjson::dom::parser parser_;
  CanonicalWriter writer_;
  std::string canonical_;        // a canonical line before it is appended
  std::vector<ChainSlot> slot_;  // stamp(): the one line it appends
  ChainSealer sealer_;
  std::string prev_;
};

}  // namespace traild
