// Parsing and validating one JSON event exactly as the contract's Validation section says:
// one object, valid UTF-8, within the size and depth limits, no duplicate keys at any
// level (also none created by merging dotted keys), every ECS field of its ECS type,
// event.action present, @timestamp RFC 3339, event.id 1-128 bytes without control
// characters, nothing under traild.* or at event.sequence.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/ecs_schema.hpp"
#include "daemon/event_shape.hpp"
#include "daemon/event_tree.hpp"
#include "daemon/rejection.hpp"

namespace traild {

// The contract's rule for a producer's event.id: a string of 1 to 128 bytes without control
// characters. Ids traild derives itself (dialects) follow it too.
inline constexpr size_t kMaxEventIdBytes = 128;
bool is_valid_event_id(std::string_view id);

struct ParserLimits {
  size_t max_event_bytes = 64 << 10;
  uint32_t max_depth = 32;
};

class EventParser {
 public:
  // Bytes that must be readable after every record passed to parse() (simdjson reads ahead).
  static constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

  explicit EventParser(ParserLimits limits);
  void set_limits(ParserLimits limits);
  const ParserLimits& limits() const { return limits_; }

  // A dialect record's ECS form may be this many times input.max_event_bytes.
  static constexpr size_t kMappedSizeFactor = 2;

  // Parses `record` into `out`; fields that `options` reserve are marked omit and recorded
  // as claims (out.claimed_*). On failure returns false and fills `why`. Same as load()
  // followed by build().
  bool parse(std::string_view record, ParsedEvent& out, Rejection& why, ParseOptions options = {});

  // The two steps of parse(), for callers that look at the document before validating it
  // (dialect detection). load() checks size (`max_bytes`, 0 for input.max_event_bytes),
  // JSON syntax, UTF-8 and that the record is an object; document() is valid until the next
  // load(). build() validates the loaded document into `out`, each object's members in
  // canonical key order (sort_members).
  //
  // With `layouts` (Layouts::Allowed), load() first reads the record against the byte
  // layouts of known shapes (daemon/record_layout.hpp); when one matches it skips simdjson,
  // laid_out() is true and there is no document(). Only a record with an `event` field
  // matches, so dialect detection would call it ECS.
  enum class Layouts : uint8_t { NotAllowed, Allowed };
  bool load(std::string_view record, Rejection& why, size_t max_bytes = 0, Layouts layouts = Layouts::NotAllowed);
  bool laid_out() const { return layout_shape_ != nullptr; }
  simdjson::dom::object document() const { return document_; }
  bool build(ParsedEvent& out, Rejection& why, ParseOptions options = {});

  // Records accepted by checking their values against a known shape (daemon/event_shape.hpp),
  // and how many of those were read through a byte layout, without simdjson.
  uint64_t replayed() const { return replayed_; }
  uint64_t read_by_layout() const { return read_by_layout_; }

 private:
  bool add_members(simdjson::dom::object obj, uint32_t parent, const ecs::Node* schema, uint32_t depth);
  bool add_member(uint32_t parent, const ecs::Node* schema, std::string_view key,
                  simdjson::dom::element value, uint32_t depth);
  bool add_value(uint32_t node, const ecs::Node* schema, simdjson::dom::element value, uint32_t depth);
  bool check_scalar(const ecs::Node* schema, const ScalarValue& value);
  bool accepts_every_plain(const ecs::Node* schema, ScalarValue::Type type) const;
  // `value` is null when the field's value is an array (`array`).
  bool capture_special(uint32_t node, const ecs::Node* schema, const ScalarValue& value, bool array);
  bool set_aside_attested(uint32_t node, const ecs::Node* schema);
  uint32_t find_child(uint32_t parent, std::string_view key);
  uint32_t new_child(uint32_t parent, std::string_view key, TreeNode::Kind kind);
  void index_child(uint32_t parent, uint32_t child);
  // Known shapes (daemon/event_shape.hpp): replay() fills `out` from a known shape's tree
  // and validates only the values, or returns false (a record of another shape, or a value
  // to refuse: build() then builds the tree and gives the error). record_*() and
  // keep_shape() note the shape of the record build() is working through.
  bool replay(ParsedEvent& out);
  // The same from the values a byte layout read (load() with Layouts::Allowed).
  bool replay_layout(const EventShape& shape, ParsedEvent& out);
  // load()'s simdjson part: parses record_ into document_.
  bool load_document();
  void learn_layout(EventShape& shape);
  bool replay_object(const EventShape& shape, simdjson::dom::object obj, size_t& step);
  bool replay_value(const EventShape& shape, simdjson::dom::element value, size_t& step, bool member);
  void record_object(simdjson::dom::object obj);
  void record_key(std::string_view key);
  void record_value(uint32_t node, const ecs::Node* schema, simdjson::dom::element value);
  void keep_shape(ParsedEvent& out);  // sets out.shape_id when it keeps the shape
  bool fail(RejectCode code, std::string message);
  bool fail_here(RejectCode code, std::string_view what);
  std::string path_or_root() const;

  ParserLimits limits_;
  simdjson::dom::parser parser_;
  simdjson::dom::object document_;
  bool loaded_ = false;
  std::string_view record_;                  // the record load() was given
  const EventShape* layout_shape_ = nullptr;  // the shape whose layout the record matched
  std::vector<ScalarValue> layout_values_;    // the values that layout read
  ParsedEvent* out_ = nullptr;
  Rejection* why_ = nullptr;
  ParseOptions options_;
  bool check_nul_ = false;
  bool verbatim_ = false;  // ParsedEvent::verbatim_strings of the loaded record
  bool has_action_ = false;
  // Where validation is, for error messages: the segment at_segment_ below at_node_, or
  // at_node_ itself when at_segment_ is empty.
  uint32_t at_node_ = 0;
  std::string_view at_segment_;
  void at(uint32_t node, std::string_view segment = {}) {
    at_node_ = node;
    at_segment_ = segment;
  }

  // Objects with many keys are indexed by (parent, key) so merging dotted keys and detecting
  // duplicates stays linear in the number of keys; small objects are scanned.
  std::vector<uint32_t> index_;  // open addressing: node index + 1, 0 = empty
  size_t index_used_ = 0;

  static constexpr size_t kShapes = 4;  // producers sending at once, each its own shape or few
  std::array<EventShape, kShapes> shapes_;
  size_t next_shape_ = 0;  // replaced next, round-robin
  EventShape recording_;   // the shape build() is noting; swapped into shapes_ when valid
  bool recording_on_ = false;
  uint64_t replayed_ = 0;
  uint64_t read_by_layout_ = 0;
  std::vector<uint32_t> key_offsets_;  // keep_shape()'s scratch
  std::vector<uint32_t> sort_scratch_;  // sort_members()' scratch

  const ecs::Node* schema_root_;
  const ecs::Node* schema_timestamp_;
  const ecs::Node* schema_event_;
  const ecs::Node* schema_event_id_;
  const ecs::Node* schema_event_created_;
  const ecs::Node* schema_event_kind_;
  const ecs::Node* schema_event_action_;
  const ecs::Node* schema_host_;
  const ecs::Node* schema_log_;
  const ecs::Node* schema_log_syslog_;
  const ecs::Node* schema_process_;
  const ecs::Node* schema_process_user_;
  const ecs::Node* schema_process_group_;
  const ecs::Node* schema_attested_[kAttestedFields];
  const ecs::Node* schema_host_hostname_;
  // By ecs::index_of: 1 for the fields capture_special looks at, so every other field skips it.
  std::vector<uint8_t> special_;
};

}  // namespace traild
