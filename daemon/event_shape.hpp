// The shape of a validated event: its keys and the kinds of its values in document order,
// with the tree EventParser built for it. Audit producers send one shape over and over with
// other values, and every structural check the parser makes (ECS lookup of each key, dotted
// keys merged into objects, duplicate keys, reserved fields, depth) gives the same answer for
// the same keys. So the parser keeps the shapes of the last events it accepted, and for a
// record of a known shape copies that tree and checks only the values (EventParser::replay).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/ecs_schema.hpp"
#include "daemon/event_tree.hpp"
#include "daemon/record_layout.hpp"

namespace traild {

struct ShapeStep {
  // Object: an object's start (the root, a nested object, an object in an array).
  // Key: a member's key as received, dotted or not; its value's step follows.
  // Scalar, Array: a value that is not an object, and the node it went into.
  enum class Kind : uint8_t { Object, Key, Scalar, Array };
  Kind kind = Kind::Object;
  uint32_t count = 0;                 // Object: members; Array: items; Key: the key's length
  uint32_t at = 0;                    // Key: offset in EventShape::keys; Scalar, Array: the node
  const ecs::Node* schema = nullptr;  // Scalar, Array: the field's ECS node, nullptr when not ECS
};

struct EventShape {
  // Shapes of more steps or tree nodes are not kept: they are rare, and a shape costs its
  // size (each of EventParser's shapes stays under about 100 KiB).
  static constexpr size_t kMaxSteps = 1024;

  ParseOptions options;  // those the tree was built with
  std::vector<ShapeStep> steps;
  std::string keys;  // the Key steps' keys and the tree's keys, back to back
  ParsedEvent tree;  // as built, its keys pointing into `keys`

  // The bytes of a record of this shape, when it could be learned (EventParser::keep_shape),
  // and where each of its scalar values goes, in document order.
  struct LaidOutValue {
    uint32_t node;
    const ecs::Node* schema;
    bool member;  // an object member's value, not an array item
    bool checked;  // whether check_scalar could refuse a value the layout reads here
  };
  RecordLayout layout;
  std::vector<LaidOutValue> laid_out;

  std::string_view key(const ShapeStep& s) const { return std::string_view(keys).substr(s.at, s.count); }
  void clear() {
    steps.clear();
    keys.clear();
    layout.clear();
    laid_out.clear();
  }
};

}  // namespace traild
