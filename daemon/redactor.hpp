// Redaction: values of secret fields never reach the files in clear. A field matches when
// its key equals a configured name at any depth (also inside header maps and arrays of
// objects) or its dotted path equals a configured path, case-insensitively. Its value
// (whatever its type) becomes "[REDACTED]", or "hmac-sha256:<hex>" keyed by a secret so
// equal values can be correlated without being stored, and the event lists the redacted
// paths under traild.redacted (no values).
#pragma once

#include <array>
#include <bitset>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "config/config.hpp"
#include "daemon/event_tree.hpp"

namespace traild {

class Redactor {
 public:
  Redactor() = default;  // redacts nothing
  // config.key (loaded from key_file with the configuration) keys the HMAC in hmac mode.
  explicit Redactor(const RedactConfig& config);
  // Marks matching nodes of `event` and fills event.redactions / event.redacted_paths.
  void apply(ParsedEvent& event);
  bool enabled() const { return !names_.empty() || !paths_.empty(); }
  // Events redacted from a known shape's remembered nodes, without walking the tree.
  uint64_t reused() const { return reused_; }
  // ASCII lower case of a byte: names and paths match case-insensitively.
  static unsigned char lower_byte(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 'A' && u <= 'Z' ? static_cast<unsigned char>(u - 'A' + 'a') : u;
  }

 private:
  void visit(ParsedEvent& event, uint32_t node, std::string& path);
  bool matches(std::string_view key, std::string_view path);
  // False when no configured name has this key's length and first byte: most keys.
  bool may_be_name(std::string_view key) const {
    return !key.empty() && key.size() < name_starts_.size() && name_starts_[key.size()].test(lower_byte(key[0]));
  }

  void replacement(const TreeNode& node, std::string& out);
  void redact(ParsedEvent& event, uint32_t node, std::string_view path);
  void remember(const ParsedEvent& event);

  // Which nodes are redacted depends on the keys and the tree alone, so for an event of a
  // shape the parser keeps (ParsedEvent::shape_id) it is worked out once: the last few
  // shapes' redacted nodes and paths. The values are still redacted event by event.
  struct KnownShape {
    uint64_t id = 0;
    std::vector<uint32_t> nodes;
    std::vector<std::string> paths;
  };
  static constexpr size_t kShapes = 4;
  std::array<KnownShape, kShapes> shapes_;
  size_t next_shape_ = 0;  // replaced next, round-robin
  uint64_t reused_ = 0;

  std::unordered_set<std::string> names_;  // lower case
  std::unordered_set<std::string> paths_;  // lower case, dotted
  // Quick reject, most keys never reach the set: no configured name has this length and
  // (lower-case) first byte. Indexed by length.
  std::vector<std::bitset<256>> name_starts_;
  bool hmac_ = false;
  std::string key_;
  std::string lower_;    // scratch
  std::string scratch_;  // scratch: a non-string value's JSON text
};

}  // namespace traild
