// A validated event as the parser leaves it for the formatter: a tree of nodes over the
// simdjson document, with dotted keys ("user.name") merged into nested objects. Nodes
// point into the parser's memory and are valid until the parser's next parse().
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace traild {

inline constexpr uint32_t kNoNode = UINT32_MAX;

// A scalar's value. The parser reads it from simdjson's document or, for a record laid out
// byte for byte like one it has seen (daemon/record_layout.hpp), from the record itself:
// either way `string` points into memory valid until the parser's next load().
struct ScalarValue {
  enum class Type : uint8_t { Null, Bool, Int64, Uint64, Double, String };
  Type type = Type::Null;
  union {
    bool boolean;
    int64_t int64 = 0;
    uint64_t uint64;
    double number;
  };
  std::string_view string;
  // The value in simdjson's document, when it was read from there. Only a double needs it:
  // its text() is simdjson's rendering, as it has always been.
  simdjson::dom::element element;

  static ScalarValue of(simdjson::dom::element v);
  static ScalarValue of_string(std::string_view s) {
    ScalarValue v;
    v.type = Type::String;
    v.string = s;
    return v;
  }
  static ScalarValue of_int64(int64_t n) {
    ScalarValue v;
    v.type = Type::Int64;
    v.int64 = n;
    return v;
  }
  static ScalarValue of_bool(bool b) {
    ScalarValue v;
    v.type = Type::Bool;
    v.boolean = b;
    return v;
  }
  bool is_string() const { return type == Type::String; }
  // A string's own bytes; any other value as its compact JSON text ("12", "true", "null").
  std::string text() const;
};

struct TreeNode {
  enum class Kind : uint8_t { Object, Array, Scalar };
  Kind kind = Kind::Object;
  bool literal = false;  // an object written as an object in the input (not only via dotted keys)
  bool omit = false;     // the formatter writes this field itself (e.g. @timestamp, event.id)
  std::string_view key;  // empty for array elements and the root
  uint32_t parent = kNoNode;
  uint32_t first_child = kNoNode;
  uint32_t last_child = kNoNode;
  uint32_t next_sibling = kNoNode;
  uint32_t child_count = 0;
  uint32_t redaction = kNoNode;  // index into ParsedEvent::redactions: write that instead of the value
  ScalarValue value;             // Scalar only
};

// How a record is to be parsed; the tree records the claims these set aside.
struct ParseOptions {
  bool internal = false;         // traild's own event: may set traild.* fields
  bool syslog_header = false;    // log.syslog belongs to the header: set the producer's aside
  bool attested_sender = false;  // process.* sender fields belong to the kernel: set them aside
  bool operator==(const ParseOptions&) const = default;
};

// The sender fields the kernel attests; a producer's values for them are set aside.
enum class AttestedField : uint8_t { Pid, Name, Executable, UserId, GroupId };
inline constexpr size_t kAttestedFields = 5;

struct ParsedEvent {
  std::vector<TreeNode> nodes;  // nodes[0] is the root object
  bool has_timestamp = false;
  int64_t timestamp_ms = 0;     // the producer's @timestamp
  std::string_view id;          // the producer's event.id, empty when absent
  uint32_t event_node = kNoNode;
  uint32_t host_node = kNoNode;
  uint32_t log_node = kNoNode;
  uint32_t claimed_syslog = kNoNode;   // the producer's log.syslog when a syslog header set it
  uint32_t process_node = kNoNode;
  uint32_t process_user_node = kNoNode;
  uint32_t process_group_node = kNoNode;
  uint32_t claimed_process[kAttestedFields] = {kNoNode, kNoNode, kNoNode, kNoNode, kNoNode};
  std::vector<std::string> redactions;      // JSON text replacing a redacted node's value
  std::vector<std::string> redacted_paths;  // dotted paths of redacted fields, for traild.redacted
  bool has_hostname = false;
  bool has_kind = false;
  uint32_t claimed_created = kNoNode;  // the producer's event.created, kept under traild.claimed
  // Every key and string of the record is written as it was received, unescaped: the record
  // held no backslash (so no escape) and no DEL, and JSON forbids raw control characters.
  // Most audit events qualify, and the formatter then copies instead of scanning.
  bool verbatim_strings = false;
  // Nonzero when the parser keeps this event's shape (daemon/event_shape.hpp): events of the
  // same shape_id have the same nodes, keys, kinds and omit flags, and differ only in their
  // values, so what depends on keys alone (redaction) can be worked out once per shape.
  // Unique in the process, never reused.
  uint64_t shape_id = 0;

  void clear() {
    nodes.clear();
    has_timestamp = false;
    timestamp_ms = 0;
    id = {};
    event_node = host_node = log_node = claimed_syslog = claimed_created = kNoNode;
    process_node = process_user_node = process_group_node = kNoNode;
    for (auto& c : claimed_process) c = kNoNode;
    redactions.clear();
    redacted_paths.clear();
    has_hostname = has_kind = false;
    verbatim_strings = false;
    shape_id = 0;
  }
};

// Relinks every object's members in canonical key order (integrity/canonical_json.hpp), so
// the formatter only has to place traild's own few members among them. Array items keep
// their order. `scratch` is reused between calls.
void sort_members(ParsedEvent& event, std::vector<uint32_t>& scratch);

// The dotted path of `node` ("user.name"), empty for the root. Array elements have no key
// of their own: a field inside one is named by the array's path and its own key.
std::string path_of_node(const ParsedEvent& event, uint32_t node);

}  // namespace traild
