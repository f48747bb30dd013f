#include "daemon/ecs_schema.hpp"

#include <algorithm>

namespace traild::ecs {
namespace detail {
extern const Node kNodes[];
extern const size_t kNodeCount;
extern const size_t kFieldCount;
extern const std::string_view kAllowed[];
}  // namespace detail

const Node* root() { return &detail::kNodes[0]; }

const Node* child(const Node* parent, std::string_view segment) {
  if (parent == nullptr || parent->child_count == 0) return nullptr;
  const Node* first = &detail::kNodes[parent->first_child];
  const Node* last = first + parent->child_count;
  const Node* it = std::lower_bound(first, last, segment,
                                    [](const Node& n, std::string_view s) { return n.name < s; });
  return (it != last && it->name == segment) ? it : nullptr;
}

const Node* lookup(std::string_view dotted) {
  const Node* node = root();
  while (node != nullptr) {
    size_t dot = dotted.find('.');
    node = child(node, dotted.substr(0, dot));
    if (dot == std::string_view::npos) return node;
    dotted.remove_prefix(dot + 1);
  }
  return nullptr;
}

std::span<const std::string_view> allowed_values(const Node* node) {
  return {&detail::kAllowed[node->first_allowed], node->allowed_count};
}

std::string_view type_name(FieldType type) {
  switch (type) {
    case FieldType::Object: return "object";
    case FieldType::Keyword: return "keyword";
    case FieldType::Text: return "text";
    case FieldType::Long: return "long";
    case FieldType::UnsignedLong: return "unsigned_long";
    case FieldType::Integer: return "integer";
    case FieldType::Float: return "number";
    case FieldType::Boolean: return "boolean";
    case FieldType::Date: return "date";
    case FieldType::Ip: return "ip";
    case FieldType::GeoPoint: return "geo_point";
    case FieldType::Flattened: return "flattened";
    case FieldType::Nested: return "nested";
  }
  return "unknown";
}

size_t field_count() { return detail::kFieldCount; }

}  // namespace traild::ecs
