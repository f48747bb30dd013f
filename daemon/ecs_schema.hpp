// The ECS field tree that events are validated against, generated at build time from
// third_party/ecs/ecs_flat.yml by tools/ecs_gen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace traild::ecs {

enum class FieldType : uint8_t {
  Object,      // an object of ECS fields (implicit intermediate segments too)
  Keyword,     // keyword, constant_keyword, wildcard: a JSON string
  Text,        // match_only_text, text: a JSON string
  Long,        // signed 64-bit integer
  UnsignedLong,
  Integer,     // signed 32-bit integer
  Float,       // float, double, scaled_float: any JSON number
  Boolean,
  Date,        // RFC 3339 string
  Ip,          // IPv4 or IPv6 address string
  GeoPoint,    // {"lat":..,"lon":..}, "lat,lon" or [lon, lat]
  Flattened,   // an object whose contents ECS does not describe
  Nested,      // an object, or an array of objects
};

struct Node {
  std::string_view name;
  FieldType type;
  bool is_field;  // defined in ecs_flat.yml, not only an intermediate segment
  uint32_t first_child;
  uint32_t child_count;
  uint32_t first_allowed;
  uint32_t allowed_count;
};

// The root of the tree (the event object itself).
const Node* root();
// The child named `segment`, or nullptr when ECS defines no such field below `parent`.
const Node* child(const Node* parent, std::string_view segment);
// A dotted name ("event.outcome"), or nullptr.
const Node* lookup(std::string_view dotted);
// The allowed values of a keyword field (empty when any value is allowed).
std::span<const std::string_view> allowed_values(const Node* node);
// The ECS type's name as users know it ("keyword", "long", ...).
std::string_view type_name(FieldType type);
// Number of fields defined in ecs_flat.yml.
size_t field_count();
// Number of nodes in the tree (fields and intermediate objects), and a node's place among
// them: for tables indexed by node.
size_t node_count();
inline size_t index_of(const Node* node) { return static_cast<size_t>(node - root()); }

}  // namespace traild::ecs
