#include "daemon/route_field.hpp"

#include <algorithm>

namespace traild {

RouteField::RouteField(std::string_view dotted_path) {
  size_t start = 0;
  while (!dotted_path.empty() && start <= dotted_path.size()) {
    const size_t dot = std::min(dotted_path.find('.', start), dotted_path.size());
    segments_.emplace_back(dotted_path.substr(start, dot - start));
    start = dot + 1;
  }
}

std::string_view RouteField::tenant(const ParsedEvent& event, std::string& scratch) const {
  if (segments_.empty() || event.nodes.empty()) return {};
  uint32_t node = 0;
  for (const std::string& key : segments_) {
    if (event.nodes[node].kind != TreeNode::Kind::Object) return {};
    uint32_t child = event.nodes[node].first_child;
    while (child != kNoNode && event.nodes[child].key != key) child = event.nodes[child].next_sibling;
    if (child == kNoNode || event.nodes[child].redaction != kNoNode) return {};
    node = child;
  }
  const TreeNode& found = event.nodes[node];
  if (found.kind != TreeNode::Kind::Scalar) return {};
  switch (found.value.type) {
    case ScalarValue::Type::String: return found.value.string;
    case ScalarValue::Type::Int64:
    case ScalarValue::Type::Uint64:
    case ScalarValue::Type::Double:
      scratch = found.value.text();
      return scratch;
    default: return {};
  }
}

}  // namespace traild
