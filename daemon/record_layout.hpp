// The byte layout of records of a known shape (daemon/event_shape.hpp). A producer writes
// every event of one shape the same way: the same keys in the same order, the same
// punctuation and whitespace; only the values differ. A RecordLayout keeps the bytes between
// the values of one record it was shown, and match() reads a new record against them: every
// run of those bytes must be there as it was, and every value must be a plain JSON value of
// the kind it learned. A record that matches is a JSON object of that shape, so it needs
// neither simdjson's parse nor a walk over its document: the values are read in place.
//
// Written here, not taken from simdjson, because it is a different job: simdjson finds the
// structure of any JSON text; this confirms that a text has one structure already known and
// reads only its values. Anything unusual does not match and goes through simdjson as
// before: a backslash or a DEL anywhere, a number that is not an integer of at most 18
// digits, a control character in a string, other whitespace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/event_tree.hpp"

namespace traild {

class RecordLayout {
 public:
  // Learns the layout of `record`: valid JSON without any backslash or DEL whose scalar values
  // (not keys) number `scalars`. False, and nothing learned, when the record holds a number
  // that is not an integer or its count of values differs.
  bool learn(std::string_view record, size_t scalars);
  bool learned() const { return learned_; }
  // The type every match reads for value `i` (String, Int64, Bool or Null).
  ScalarValue::Type type_of(size_t i) const;
  void clear();

  // True when `record` is laid out as learned; then `values` holds its scalar values in
  // document order, their strings pointing into `record`, and `record` holds no backslash
  // and no DEL: its strings need no unescaping and its keys are the learned ones.
  bool match(std::string_view record, std::vector<ScalarValue>& values) const;

 private:
  enum class Kind : uint8_t { String, Integer, Bool, Null };
  struct Value {
    Kind kind;
    uint32_t literal_end;  // where in literals_ the run of bytes before this value ends
  };
  void add(Kind kind, std::string_view run);

  std::string literals_;  // the runs of bytes between values, back to back
  std::vector<Value> values_;
  bool learned_ = false;
};

}  // namespace traild
