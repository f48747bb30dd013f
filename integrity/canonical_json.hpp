// The canonical JSON form the integrity chain hashes (docs/integrity.md): no whitespace,
// object members sorted by the bytes of their unescaped keys, strings escaped as
// append_json_string does, numbers as append_int / append_uint / append_double. traild
// writes every trail line in this form, so the hash of a line can be recomputed from the
// file's bytes, and also from the same event parsed and re-serialised elsewhere (by
// Elasticsearch's readers, Python's json module) with its keys in any order.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace traild {

// The order of keys: their bytes compared as unsigned (the order of UTF-8 code points).
// Inline because keys are short and mostly differ in their first bytes, where calling
// memcmp for each comparison cost more than the sorting itself.
inline bool canonical_key_less(std::string_view a, std::string_view b) {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  return a.size() < b.size();
}

// The member traild adds to an event's `traild` object: {"prev":"<hex>","sequence":N}; the
// chain's own hash is inserted before "prev" once the line's hash is known.
struct ChainFields {
  std::string_view prev;  // 64 lowercase hex digits
  uint64_t sequence = 0;
};

class CanonicalWriter {
 public:
  // Appends `value` in canonical form.
  void write(simdjson::dom::element value, std::string& out);
  // Appends the event `root` in canonical form with traild.chain set to `chain` (merged into
  // the event's `traild` object, or added as one). Returns the offset in `out` where the
  // chain's `"hash":"<hex>",` member belongs.
  size_t write_event(simdjson::dom::object root, const ChainFields& chain, std::string& out);

 private:
  struct Member {
    std::string_view key;
    simdjson::dom::element value;
    enum class Kind : uint8_t { Plain, TraildWithChain, OnlyChain, Chain } kind = Kind::Plain;
  };
  void write_value(simdjson::dom::element value, size_t depth, std::string& out);
  void write_object(simdjson::dom::object object, size_t depth, Member::Kind add, std::string& out);
  void write_chain(std::string& out);

  std::vector<std::vector<Member>> members_;  // per depth, reused across events
  const ChainFields* chain_ = nullptr;
  size_t hash_at_ = 0;
};

}  // namespace traild
