#include "daemon/event_tree.hpp"

#include <algorithm>

#include "integrity/canonical_json.hpp"

namespace traild {

ScalarValue ScalarValue::of(simdjson::dom::element v) {
  using simdjson::dom::element_type;
  ScalarValue out;
  out.element = v;
  switch (v.type()) {
    case element_type::STRING:
      out.type = Type::String;
      out.string = v.get_string().value_unsafe();
      break;
    case element_type::INT64:
      out.type = Type::Int64;
      out.int64 = v.get_int64().value_unsafe();
      break;
    case element_type::UINT64:
      out.type = Type::Uint64;
      out.uint64 = v.get_uint64().value_unsafe();
      break;
    case element_type::DOUBLE:
      out.type = Type::Double;
      out.number = v.get_double().value_unsafe();
      break;
    case element_type::BOOL:
      out.type = Type::Bool;
      out.boolean = v.get_bool().value_unsafe();
      break;
    default: break;  // null; arrays and objects are tree nodes, never scalars
  }
  return out;
}

std::string ScalarValue::text() const {
  switch (type) {
    case Type::String: return std::string(string);
    case Type::Int64: return std::to_string(int64);
    case Type::Uint64: return std::to_string(uint64);
    case Type::Double: return simdjson::minify(element);
    case Type::Bool: return boolean ? "true" : "false";
    case Type::Null: return "null";
  }
  return {};
}

void sort_members(ParsedEvent& event, std::vector<uint32_t>& scratch) {
  auto& nodes = event.nodes;
  for (TreeNode& obj : nodes) {
    if (obj.kind != TreeNode::Kind::Object || obj.child_count < 2) continue;
    scratch.clear();
    bool sorted = true;
    for (uint32_t c = obj.first_child; c != kNoNode; c = nodes[c].next_sibling) {
      if (!scratch.empty() && canonical_key_less(nodes[c].key, nodes[scratch.back()].key)) sorted = false;
      scratch.push_back(c);
    }
    if (sorted) continue;
    std::sort(scratch.begin(), scratch.end(),
              [&](uint32_t a, uint32_t b) { return canonical_key_less(nodes[a].key, nodes[b].key); });
    obj.first_child = scratch.front();
    obj.last_child = scratch.back();
    for (size_t i = 0; i + 1 < scratch.size(); ++i) nodes[scratch[i]].next_sibling = scratch[i + 1];
    nodes[scratch.back()].next_sibling = kNoNode;
  }
}

std::string path_of_node(const ParsedEvent& event, uint32_t node) {
  std::vector<std::string_view> keys;
  for (uint32_t n = node; n != 0 && n != kNoNode; n = event.nodes[n].parent)
    if (!event.nodes[n].key.empty()) keys.push_back(event.nodes[n].key);
  std::string path;
  for (auto it = keys.rbegin(); it != keys.rend(); ++it) {
    if (!path.empty()) path.push_back('.');
    path.append(*it);
  }
  return path;
}

}  // namespace traild
