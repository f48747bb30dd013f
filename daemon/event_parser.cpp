#include "daemon/event_parser.hpp"

#include <atomic>
#include <cstring>
#include <functional>
#include <utility>

#include "common/clock.hpp"
#include "common/ip_address.hpp"
#include "common/json_escape.hpp"
#include "common/short_bytes.hpp"

namespace traild {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// Objects up to this many keys are searched by scanning; larger ones through the index.
constexpr uint32_t kLinearLimit = 8;
constexpr size_t kPreviewBytes = 64;

bool allows_object(const ecs::Node* schema) {
  if (schema == nullptr) return true;
  switch (schema->type) {
    case ecs::FieldType::Object:
    case ecs::FieldType::Nested:
    case ecs::FieldType::Flattened:
    case ecs::FieldType::GeoPoint:
      return true;
    default:
      return false;
  }
}

// Flattened fields and childless ECS objects (labels) hold content ECS does not describe.
const ecs::Node* schema_for_children(const ecs::Node* schema) {
  if (schema == nullptr || schema->type == ecs::FieldType::Flattened ||
      schema->type == ecs::FieldType::GeoPoint || schema->child_count == 0)
    return nullptr;
  return schema;
}

// A short, safe rendering of a value for an error message.
std::string preview(const ScalarValue& v) {
  std::string out;
  switch (v.type) {
    case ScalarValue::Type::String: append_json_preview(out, v.string, kPreviewBytes); return out;
    case ScalarValue::Type::Int64: append_int(out, v.int64); return out;
    case ScalarValue::Type::Uint64: append_uint(out, v.uint64); return out;
    case ScalarValue::Type::Double: append_double(out, v.number); return out;
    case ScalarValue::Type::Bool: return v.boolean ? "true" : "false";
    case ScalarValue::Type::Null: return "null";
  }
  return "a value";
}

std::string preview(element v) {
  switch (v.type()) {
    case element_type::ARRAY: return "an array";
    case element_type::OBJECT: return "an object";
    default: return preview(ScalarValue::of(v));
  }
}

// True when `record` may hold the escape \u0000 (a NUL once unescaped): then keys and strings
// are searched for NUL. `first_backslash` is where the record's first backslash is.
// Backslashes are rare in audit events, so finding them with memchr is several times
// cheaper than memmem's general search. Conservative: an escaped backslash before "u0000"
// also says yes.
bool may_contain_escaped_nul(std::string_view record, const char* first_backslash) {
  const char* const end = record.data() + record.size();
  const char* p = first_backslash;
  while ((p = static_cast<const char*>(std::memchr(p, '\\', static_cast<size_t>(end - p)))) != nullptr) {
    if (end - p >= 6 && std::memcmp(p + 1, "u0000", 5) == 0) return true;
    ++p;
  }
  return false;
}

size_t key_hash(uint32_t parent, std::string_view key) {
  return std::hash<std::string_view>{}(key) ^ (static_cast<size_t>(parent) * 0x9E3779B97F4A7C15ULL);
}

}  // namespace

bool is_valid_event_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxEventIdBytes) return false;
  for (unsigned char c : id)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

EventParser::EventParser(ParserLimits limits)
    : schema_root_(ecs::root()),
      schema_timestamp_(ecs::lookup("@timestamp")),
      schema_event_(ecs::lookup("event")),
      schema_event_id_(ecs::lookup("event.id")),
      schema_event_created_(ecs::lookup("event.created")),
      schema_event_kind_(ecs::lookup("event.kind")),
      schema_event_action_(ecs::lookup("event.action")),
      schema_host_(ecs::lookup("host")),
      schema_log_(ecs::lookup("log")),
      schema_log_syslog_(ecs::lookup("log.syslog")),
      schema_process_(ecs::lookup("process")),
      schema_process_user_(ecs::lookup("process.user")),
      schema_process_group_(ecs::lookup("process.group")),
      schema_attested_{ecs::lookup("process.pid"), ecs::lookup("process.name"), ecs::lookup("process.executable"),
                       ecs::lookup("process.user.id"), ecs::lookup("process.group.id")},
      schema_host_hostname_(ecs::lookup("host.hostname")),
      special_(ecs::node_count(), 0) {
  for (const ecs::Node* n : {schema_timestamp_, schema_event_id_, schema_event_created_, schema_event_kind_,
                             schema_event_action_, schema_host_hostname_})
    special_[ecs::index_of(n)] = 1;
  for (const ecs::Node* n : schema_attested_) special_[ecs::index_of(n)] = 1;
  set_limits(limits);
}

void EventParser::set_limits(ParserLimits limits) {
  limits_ = limits;
  for (auto& shape : shapes_) shape.clear();  // their trees passed the old depth limit
  // simdjson may stop one level later than our own check so that our message, which names
  // the field, is the one users see; anything deeper it refuses itself.
  if (parser_.allocate(limits.max_event_bytes + 1, limits.max_depth + 1) != simdjson::SUCCESS)
    throw std::bad_alloc();
}

bool EventParser::fail(RejectCode code, std::string message) {
  why_->code = code;
  why_->message = std::move(message);
  return false;
}

// The dotted path is rebuilt from the tree only when a message needs it: keeping it up to
// date for every field cost more than the rest of the bookkeeping for that field.
std::string EventParser::path_or_root() const {
  std::string path = path_of_node(*out_, at_node_);
  if (!at_segment_.empty()) {
    if (!path.empty()) path.push_back('.');
    path.append(at_segment_);
  }
  return path.empty() ? std::string("(event)") : path;
}

bool EventParser::fail_here(RejectCode code, std::string_view what) {
  return fail(code, path_or_root() + ": " + std::string(what));
}

bool EventParser::parse(std::string_view record, ParsedEvent& out, Rejection& why, ParseOptions options) {
  return load(record, why, 0, Layouts::Allowed) && build(out, why, options);
}

bool EventParser::load(std::string_view record, Rejection& why, size_t max_bytes, Layouts layouts) {
  why_ = &why;
  loaded_ = false;
  layout_shape_ = nullptr;
  record_ = record;
  if (max_bytes == 0) max_bytes = limits_.max_event_bytes;
  if (record.size() > max_bytes)
    return fail(RejectCode::TooLarge, "event is " + std::to_string(record.size()) +
                                          " bytes, more than input.max_event_bytes (" +
                                          std::to_string(limits_.max_event_bytes) + ")");
  if (layouts == Layouts::Allowed) {
    for (const EventShape& shape : shapes_) {
      if (shape.layout.match(record, layout_values_)) {  // so no backslash and no DEL
        layout_shape_ = &shape;
        check_nul_ = false;
        verbatim_ = true;
        loaded_ = true;
        return true;
      }
    }
  }
  const char* backslash = static_cast<const char*>(std::memchr(record.data(), '\\', record.size()));
  check_nul_ = backslash != nullptr && may_contain_escaped_nul(record, backslash);
  verbatim_ = backslash == nullptr && std::memchr(record.data(), 0x7f, record.size()) == nullptr;
  return load_document();
}

bool EventParser::load_document() {
  const std::string_view record = record_;
  // A dialect record's ECS form may be larger than input.max_event_bytes (up to max_bytes):
  // grow for it when it comes, so deployments without dialect records keep the small buffers.
  if (record.size() >= parser_.capacity() && parser_.allocate(record.size() + 1, limits_.max_depth + 1))
    throw std::bad_alloc();
  element doc;
  auto err = parser_.parse(record.data(), record.size(), false).get(doc);
  if (err) {
    switch (err) {
      case simdjson::UTF8_ERROR: return fail(RejectCode::InvalidUtf8, "event is not valid UTF-8");
      case simdjson::DEPTH_ERROR:
        return fail(RejectCode::TooDeep, "event nests deeper than input.max_depth (" +
                                             std::to_string(limits_.max_depth) + ")");
      case simdjson::EMPTY: return fail(RejectCode::InvalidJson, "empty record");
      case simdjson::UNESCAPED_CHARS:
        return fail(RejectCode::InvalidJson, "invalid JSON: unescaped control character in a string");
      case simdjson::STRING_ERROR:
        return fail(RejectCode::InvalidJson, "invalid JSON: bad escape in a string (e.g. a lone surrogate)");
      case simdjson::NUMBER_ERROR:
      case simdjson::NUMBER_OUT_OF_RANGE:
        return fail(RejectCode::InvalidJson, "invalid JSON: malformed or out-of-range number");
      default:
        return fail(RejectCode::InvalidJson, std::string("invalid JSON: ") + simdjson::error_message(err));
    }
  }
  if (doc.type() != element_type::OBJECT)
    return fail(RejectCode::NotObject, "expected a JSON object, got " + preview(doc));
  document_ = doc.get_object().value_unsafe();
  loaded_ = true;
  return true;
}

bool EventParser::build(ParsedEvent& out, Rejection& why, ParseOptions options) {
  options_ = options;
  out_ = &out;
  why_ = &why;
  // `out` is not cleared here: both replays assign a shape's tree to it, and assigning over
  // the nodes of the last event (mostly as many) copies them in one go, where filling an
  // empty vector copies them one by one (TreeNode, with its default member values, is not
  // trivial). The full build clears it.
  at(0);
  if (index_used_ > 0) {
    std::fill(index_.begin(), index_.end(), 0);
    index_used_ = 0;
  }
  if (!loaded_) {
    out.clear();
    return fail(RejectCode::InvalidJson, "internal error: build() without a loaded document");
  }
  loaded_ = false;  // the tree points into the document; a second build would duplicate it
  if (layout_shape_ != nullptr) {
    const EventShape& shape = *std::exchange(layout_shape_, nullptr);
    if (shape.options == options_ && replay_layout(shape, out)) return true;
    // A value to refuse, or other options: the document gives the answer and the error.
    out.clear();
    at(0);
    if (!load_document()) return false;
    loaded_ = false;
  }
  // A record that may hold an escaped NUL needs the NUL checks, which replay() skips.
  recording_on_ = !check_nul_;
  if (recording_on_ && replay(out)) return true;
  out.clear();
  recording_.clear();
  out.nodes.emplace_back();  // the root
  out.nodes[0].literal = true;
  out.verbatim_strings = verbatim_;
  has_action_ = false;
  if (!add_members(document_, 0, schema_root_, 1)) return false;
  if (!has_action_) {
    return fail(RejectCode::MissingField, "event.action: required field is missing");
  }
  sort_members(out, sort_scratch_);  // before keep_shape: a replayed tree is sorted too
  if (recording_on_) keep_shape(out);
  return true;
}

bool EventParser::add_members(simdjson::dom::object obj, uint32_t parent, const ecs::Node* schema,
                              uint32_t depth) {
  if (recording_on_) record_object(obj);
  for (auto field : obj) {
    if (recording_on_) record_key(field.key);
    if (!add_member(parent, schema, field.key, field.value, depth)) return false;
  }
  return true;
}

void EventParser::record_object(simdjson::dom::object obj) {
  recording_.steps.push_back({ShapeStep::Kind::Object, static_cast<uint32_t>(obj.size()), 0, nullptr});
}

void EventParser::record_key(std::string_view key) {
  recording_.steps.push_back({ShapeStep::Kind::Key, static_cast<uint32_t>(key.size()),
                              static_cast<uint32_t>(recording_.keys.size()), nullptr});
  recording_.keys.append(key);
}

void EventParser::record_value(uint32_t node, const ecs::Node* schema, element value) {
  const bool array = value.type() == element_type::ARRAY;
  const uint32_t items = array ? static_cast<uint32_t>(value.get_array().value_unsafe().size()) : 0;
  recording_.steps.push_back({array ? ShapeStep::Kind::Array : ShapeStep::Kind::Scalar, items, node, schema});
}

// Keeps the shape just built in place of the oldest. The tree's keys point into the
// document, which the next record overwrites: they are copied into the shape's own text
// (after the swap, so no short-string buffer moves under them).
void EventParser::keep_shape(ParsedEvent& out) {
  if (recording_.steps.size() > EventShape::kMaxSteps || out.nodes.size() > EventShape::kMaxSteps) return;
  static std::atomic<uint64_t> last_shape_id{0};  // parsers on several threads keep shapes
  EventShape& shape = shapes_[next_shape_];
  next_shape_ = (next_shape_ + 1) % kShapes;
  std::swap(shape, recording_);
  shape.options = options_;
  out.shape_id = last_shape_id.fetch_add(1, std::memory_order_relaxed) + 1;
  shape.tree = out;
  learn_layout(shape);
  key_offsets_.clear();
  for (const TreeNode& n : shape.tree.nodes) {
    key_offsets_.push_back(static_cast<uint32_t>(shape.keys.size()));
    shape.keys.append(n.key);
  }
  for (size_t i = 0; i < shape.tree.nodes.size(); ++i) {
    TreeNode& n = shape.tree.nodes[i];
    n.key = std::string_view(shape.keys).substr(key_offsets_[i], n.key.size());
  }
}

// Learns the byte layout of the record just built into `shape`, when load() could match it
// later: no backslash or DEL, an `event` field (so dialect detection says ECS), and at most
// kMaxLayoutBytes, so a shape's layout costs no more memory than its other parts.
void EventParser::learn_layout(EventShape& shape) {
  constexpr size_t kMaxLayoutBytes = 16 << 10;
  shape.layout.clear();
  shape.laid_out.clear();
  if (!verbatim_ || record_.size() > kMaxLayoutBytes || shape.tree.event_node == kNoNode ||
      shape.tree.nodes[shape.tree.event_node].parent != 0)
    return;
  for (size_t i = 0; i < shape.steps.size(); ++i) {
    const ShapeStep& s = shape.steps[i];
    if (s.kind == ShapeStep::Kind::Scalar)
      shape.laid_out.push_back({s.at, s.schema, i > 0 && shape.steps[i - 1].kind == ShapeStep::Kind::Key, true});
  }
  if (!shape.layout.learn(record_, shape.laid_out.size())) {
    shape.laid_out.clear();
    return;
  }
  for (size_t i = 0; i < shape.laid_out.size(); ++i)
    shape.laid_out[i].checked = !accepts_every_plain(shape.laid_out[i].schema, shape.layout.type_of(i));
}

bool EventParser::replay(ParsedEvent& out) {
  const simdjson::dom::object root = document_;
  const size_t members = root.size();
  std::string_view first_key;
  for (auto field : root) {
    first_key = field.key;
    break;
  }
  for (const EventShape& shape : shapes_) {
    // The first two steps are the root's start and its first key: a cheap first test.
    if (shape.steps.size() < 2 || shape.steps[0].count != members || !same_bytes(shape.key(shape.steps[1]), first_key) ||
        shape.options != options_)
      continue;
    out = shape.tree;
    out.verbatim_strings = verbatim_;
    has_action_ = false;
    size_t step = 0;
    if (replay_object(shape, root, step) && step == shape.steps.size() && has_action_) {
      ++replayed_;
      return true;
    }
  }
  return false;
}

bool EventParser::replay_layout(const EventShape& shape, ParsedEvent& out) {
  out = shape.tree;
  out.verbatim_strings = true;  // load() matches only records without backslash or DEL
  has_action_ = false;
  for (size_t i = 0; i < shape.laid_out.size(); ++i) {
    const EventShape::LaidOutValue& slot = shape.laid_out[i];
    ScalarValue& value = out.nodes[slot.node].value;
    value = layout_values_[i];
    at(slot.node);
    if (slot.member && slot.schema != nullptr && special_[ecs::index_of(slot.schema)] &&
        !capture_special(slot.node, slot.schema, value, false))
      return false;
    if (slot.checked && !check_scalar(slot.schema, value)) return false;
  }
  // Array members capture_special looks at (host.hostname, say) leave only what the shape's
  // tree has already: the array's kind decides, not its items.
  if (!has_action_) return false;
  ++replayed_;
  ++read_by_layout_;
  return true;
}

bool EventParser::replay_object(const EventShape& shape, simdjson::dom::object obj, size_t& step) {
  const auto& steps = shape.steps;
  if (step >= steps.size() || steps[step].kind != ShapeStep::Kind::Object || steps[step].count != obj.size())
    return false;
  ++step;
  for (auto field : obj) {
    if (step >= steps.size() || steps[step].kind != ShapeStep::Kind::Key || !same_bytes(shape.key(steps[step]), field.key))
      return false;
    ++step;
    if (!replay_value(shape, field.value, step, true)) return false;
  }
  return true;
}

// `member`: the value of an object's member (not an array's item), which is where the
// fields capture_special looks at are.
bool EventParser::replay_value(const EventShape& shape, element value, size_t& step, bool member) {
  const element_type type = value.type();
  if (type == element_type::OBJECT) return replay_object(shape, value.get_object().value_unsafe(), step);
  if (step >= shape.steps.size()) return false;
  const ShapeStep& s = shape.steps[step++];
  const bool array = type == element_type::ARRAY;
  ScalarValue& scalar = out_->nodes[s.at].value;
  if (!array) {
    if (s.kind != ShapeStep::Kind::Scalar) return false;
    scalar = ScalarValue::of(value);
  } else if (s.kind != ShapeStep::Kind::Array) {
    return false;
  }
  at(s.at);
  if (member && s.schema != nullptr && special_[ecs::index_of(s.schema)] && !capture_special(s.at, s.schema, scalar, array))
    return false;
  if (!array) return check_scalar(s.schema, scalar);
  const simdjson::dom::array items = value.get_array().value_unsafe();
  if (items.size() != s.count) return false;
  for (element item : items)
    if (!replay_value(shape, item, step, false)) return false;
  return true;
}

bool EventParser::add_member(uint32_t parent, const ecs::Node* schema, std::string_view key,
                             element value, uint32_t depth) {
  auto& nodes = out_->nodes;
  at(parent);
  if (key.empty()) return fail_here(RejectCode::InvalidFieldName, "empty field name");
  if (check_nul_ && std::memchr(key.data(), '\0', key.size()))
    return fail_here(RejectCode::NulCharacter, "NUL character in a field name");
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    const bool last = dot == std::string_view::npos;
    const std::string_view seg = key.substr(start, last ? std::string_view::npos : dot - start);
    at(parent, seg);
    if (seg.empty()) {
      std::string quoted;
      append_json_string(quoted, key);
      return fail(RejectCode::InvalidFieldName, "field name " + quoted + " has an empty segment");
    }
    if (parent == 0 && seg == "traild" && !options_.internal)
      return fail_here(RejectCode::ReservedField, "fields under traild. are set by traild only");
    if (schema == schema_event_ && seg == "sequence")
      return fail_here(RejectCode::ReservedField, "event.sequence is set by traild only");
    const ecs::Node* child_schema = schema ? ecs::child(schema, seg) : nullptr;
    if (++depth > limits_.max_depth)
      return fail_here(RejectCode::TooDeep, "nests deeper than input.max_depth (" +
                                                std::to_string(limits_.max_depth) + ")");
    uint32_t existing = find_child(parent, seg);
    const bool object_here = !last || value.type() == element_type::OBJECT;
    if (object_here) {
      if (existing == kNoNode) {
        if (!allows_object(child_schema))
          return fail_here(RejectCode::TypeMismatch,
                           "expected " + std::string(ecs::type_name(child_schema->type)) + ", got an object");
        existing = new_child(parent, seg, TreeNode::Kind::Object);
        if (child_schema == schema_event_) out_->event_node = existing;
        if (child_schema == schema_host_) out_->host_node = existing;
        if (child_schema == schema_log_) out_->log_node = existing;
        if (child_schema == schema_process_) out_->process_node = existing;
        if (child_schema == schema_process_user_) out_->process_user_node = existing;
        if (child_schema == schema_process_group_) out_->process_group_node = existing;
        if (child_schema == schema_log_syslog_ && options_.syslog_header) {
          nodes[existing].omit = true;
          out_->claimed_syslog = existing;
        }
      } else if (nodes[existing].kind != TreeNode::Kind::Object || (last && nodes[existing].literal)) {
        return fail_here(RejectCode::DuplicateKey, "duplicate key");
      }
      if (last) {
        nodes[existing].literal = true;
        if (!add_members(value.get_object().value_unsafe(), existing, schema_for_children(child_schema), depth))
          return false;
        break;
      }
      parent = existing;
      schema = schema_for_children(child_schema);
      start = dot + 1;
      continue;
    }
    if (existing != kNoNode) return fail_here(RejectCode::DuplicateKey, "duplicate key");
    const bool array = value.type() == element_type::ARRAY;
    uint32_t node = new_child(parent, seg, array ? TreeNode::Kind::Array : TreeNode::Kind::Scalar);
    if (child_schema != nullptr && special_[ecs::index_of(child_schema)] &&
        !capture_special(node, child_schema, array ? ScalarValue() : ScalarValue::of(value), array))
      return false;
    if (!add_value(node, child_schema, value, depth)) return false;
    break;
  }
  return true;
}

bool EventParser::add_value(uint32_t node, const ecs::Node* schema, element value, uint32_t depth) {
  auto& nodes = out_->nodes;
  at(node);
  if (recording_on_) record_value(node, schema, value);
  if (value.type() != element_type::ARRAY) {
    nodes[node].value = ScalarValue::of(value);
    return check_scalar(schema, nodes[node].value);
  }
  if (schema == schema_event_ || schema == schema_host_)
    return fail_here(RejectCode::TypeMismatch, "expected an object, got an array");
  if (++depth > limits_.max_depth)
    return fail_here(RejectCode::TooDeep, "nests deeper than input.max_depth (" +
                                              std::to_string(limits_.max_depth) + ")");
  const simdjson::dom::array items = value.get_array().value_unsafe();  // not a temporary: the loop keeps it
  for (element item : items) {
    at(node);  // an object item before this one moved it
    if (item.type() == element_type::OBJECT) {
      if (!allows_object(schema))
        return fail_here(RejectCode::TypeMismatch,
                         "expected " + std::string(ecs::type_name(schema->type)) + ", got an object");
      uint32_t child = new_child(node, {}, TreeNode::Kind::Object);
      nodes[child].literal = true;
      if (!add_members(item.get_object().value_unsafe(), child, schema_for_children(schema), depth + 1))
        return false;
    } else {
      uint32_t child = new_child(node, {}, item.type() == element_type::ARRAY ? TreeNode::Kind::Array
                                                                               : TreeNode::Kind::Scalar);
      if (!add_value(child, schema, item, depth)) return false;
    }
  }
  return true;
}

bool EventParser::check_scalar(const ecs::Node* schema, const ScalarValue& v) {
  using T = ScalarValue::Type;
  const T t = v.type;
  if (t == T::String && check_nul_) {
    if (std::memchr(v.string.data(), '\0', v.string.size()))
      return fail_here(RejectCode::NulCharacter, "NUL character (\\u0000) in a string");
  }
  if (schema == nullptr || t == T::Null) return true;
  auto mismatch = [&](std::string_view expected) {
    return fail_here(RejectCode::TypeMismatch, "expected " + std::string(expected) + ", got " + preview(v));
  };
  switch (schema->type) {
    case ecs::FieldType::Object:
    case ecs::FieldType::Nested:
    case ecs::FieldType::Flattened:
      return mismatch("object");
    case ecs::FieldType::Keyword:
    case ecs::FieldType::Text: {
      if (t != T::String) return mismatch(ecs::type_name(schema->type));
      auto allowed = ecs::allowed_values(schema);
      if (allowed.empty()) return true;
      std::string_view s = v.string;
      for (auto a : allowed)
        if (a == s) return true;
      std::string list;
      for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return fail_here(RejectCode::TypeMismatch, "expected one of " + list + "; got " + preview(v));
    }
    case ecs::FieldType::Long:
      return t == T::Int64 ? true : mismatch("long");
    case ecs::FieldType::UnsignedLong:
      return t == T::Uint64 || (t == T::Int64 && v.int64 >= 0)
                 ? true
                 : mismatch("unsigned_long");
    case ecs::FieldType::Integer: {
      if (t != T::Int64) return mismatch("integer");
      int64_t n = v.int64;
      return n >= INT32_MIN && n <= INT32_MAX ? true : mismatch("integer");
    }
    case ecs::FieldType::Float:
      return t == T::Int64 || t == T::Uint64 || t == T::Double ? true
                                                                                                : mismatch("number");
    case ecs::FieldType::Boolean:
      return t == T::Bool ? true : mismatch("boolean");
    case ecs::FieldType::Date:
      if (schema == schema_timestamp_) return true;  // capture_special parsed it already
      if (t == T::String && parse_rfc3339_ms(v.string)) return true;
      return mismatch("an RFC 3339 date");
    case ecs::FieldType::Ip:
      if (t == T::String && is_ip_address(v.string)) return true;
      return mismatch("an IP address");
    case ecs::FieldType::GeoPoint:
      return t == T::String || t == T::Double || t == T::Int64
                 ? true
                 : mismatch("geo_point");
  }
  return true;
}

// Whether check_scalar accepts every value of type `t` without a NUL character for `schema`:
// then a value a layout reads there needs no check (RecordLayout reads no control
// character), which spares most values of a record. Must answer false for anything
// check_scalar may refuse.
bool EventParser::accepts_every_plain(const ecs::Node* schema, ScalarValue::Type t) const {
  using T = ScalarValue::Type;
  if (schema == nullptr || t == T::Null) return true;
  switch (schema->type) {
    case ecs::FieldType::Keyword:
    case ecs::FieldType::Text:
      return t == T::String && ecs::allowed_values(schema).empty();
    case ecs::FieldType::Long:
    case ecs::FieldType::Float:
      return t == T::Int64;
    case ecs::FieldType::Boolean:
      return t == T::Bool;
    case ecs::FieldType::Date:
      return schema == schema_timestamp_;
    case ecs::FieldType::GeoPoint:
      return t == T::String || t == T::Int64;
    default:
      return false;
  }
}

// Fields traild reads or replaces (those special_ marks; add_member calls this for no other).
// They must be single values.
bool EventParser::capture_special(uint32_t node, const ecs::Node* schema, const ScalarValue& v, bool array) {
  const bool is_string = !array && v.is_string();
  auto preview = [&](const ScalarValue& value) { return array ? std::string("an array") : traild::preview(value); };
  auto& n = out_->nodes[node];
  if (schema == schema_timestamp_) {
    std::optional<int64_t> ms;
    if (is_string) ms = parse_rfc3339_ms(v.string);
    if (!ms) return fail_here(RejectCode::InvalidTimestamp, "expected an RFC 3339 date-time, got " + preview(v));
    out_->has_timestamp = true;
    out_->timestamp_ms = *ms;
    n.omit = true;
  } else if (schema == schema_event_id_) {
    std::string_view s = is_string ? v.string : std::string_view();
    if (!is_string || !is_valid_event_id(s))
      return fail_here(RejectCode::InvalidEventId,
                       "expected a string of 1 to 128 bytes without control characters, got " + preview(v));
    out_->id = s;
    n.omit = true;
  } else if (options_.attested_sender && schema->is_field && schema->type != ecs::FieldType::Object &&
             set_aside_attested(node, schema)) {
    return true;
  } else if (schema == schema_event_created_) {
    if (array) return fail_here(RejectCode::TypeMismatch, "expected a date, got an array");
    out_->claimed_created = node;
    n.omit = true;
  } else if (schema == schema_event_kind_) {
    if (array)
      return fail_here(RejectCode::TypeMismatch, "expected a single keyword, got an array");
    out_->has_kind = true;
  } else if (schema == schema_event_action_) {
    if (!is_string || v.string.empty())
      return fail_here(RejectCode::TypeMismatch, "expected a non-empty string, got " + preview(v));
    has_action_ = true;
  } else if (schema == schema_host_hostname_) {
    out_->has_hostname = true;
  }
  return true;
}

bool EventParser::set_aside_attested(uint32_t node, const ecs::Node* schema) {
  for (size_t i = 0; i < kAttestedFields; ++i) {
    if (schema != schema_attested_[i]) continue;
    out_->nodes[node].omit = true;
    out_->claimed_process[i] = node;
    return true;
  }
  return false;
}

uint32_t EventParser::find_child(uint32_t parent, std::string_view key) {
  const auto& nodes = out_->nodes;
  const TreeNode& p = nodes[parent];
  if (p.child_count <= kLinearLimit) {
    for (uint32_t c = p.first_child; c != kNoNode; c = nodes[c].next_sibling)
      if (same_bytes(nodes[c].key, key)) return c;
    return kNoNode;
  }
  const size_t mask = index_.size() - 1;
  for (size_t i = key_hash(parent, key) & mask;; i = (i + 1) & mask) {
    uint32_t slot = index_[i];
    if (slot == 0) return kNoNode;
    const TreeNode& n = nodes[slot - 1];
    if (n.parent == parent && same_bytes(n.key, key)) return slot - 1;
  }
}

void EventParser::index_child(uint32_t parent, uint32_t child) {
  auto& nodes = out_->nodes;
  if ((index_used_ + 1) * 2 > index_.size()) {
    std::vector<uint32_t> old;
    old.swap(index_);
    index_.assign(old.empty() ? 64 : old.size() * 2, 0);
    index_used_ = 0;
    for (uint32_t slot : old)
      if (slot != 0) index_child(nodes[slot - 1].parent, slot - 1);
  }
  const size_t mask = index_.size() - 1;
  size_t i = key_hash(parent, nodes[child].key) & mask;
  while (index_[i] != 0) i = (i + 1) & mask;
  index_[i] = child + 1;
  ++index_used_;
}

uint32_t EventParser::new_child(uint32_t parent, std::string_view key, TreeNode::Kind kind) {
  auto& nodes = out_->nodes;
  const uint32_t idx = static_cast<uint32_t>(nodes.size());
  TreeNode& n = nodes.emplace_back();
  n.kind = kind;
  n.key = key;
  n.parent = parent;
  TreeNode& p = nodes[parent];
  if (p.last_child == kNoNode) p.first_child = idx;
  else nodes[p.last_child].next_sibling = idx;
  p.last_child = idx;
  ++p.child_count;
  if (!key.empty()) {
    if (p.child_count == kLinearLimit + 1) {
      for (uint32_t c = nodes[parent].first_child; c != kNoNode; c = nodes[c].next_sibling) index_child(parent, c);
    } else if (p.child_count > kLinearLimit + 1) {
      index_child(parent, idx);
    }
  }
  return idx;
}

}  // namespace traild
