#include "reporters/tree_value.hpp"

#include "common/json_escape.hpp"
#include "common/line_buffer.hpp"

namespace traild {

template <class Out>
void append_scalar_json(const ParsedEvent& event, uint32_t idx, Out& out) {
  const TreeNode& n = event.nodes[idx];
  if (n.redaction != kNoNode) {
    out.append(event.redactions[n.redaction]);
    return;
  }
  using simdjson::dom::element_type;
  auto v = n.value;
  switch (v.type()) {
    case element_type::STRING:
      if (event.verbatim_strings) append_json_verbatim(out, v.get_string().value_unsafe());
      else append_json_string(out, v.get_string().value_unsafe());
      break;
    case element_type::INT64: append_int(out, v.get_int64().value_unsafe()); break;
    case element_type::UINT64: append_uint(out, v.get_uint64().value_unsafe()); break;
    case element_type::DOUBLE: append_double(out, v.get_double().value_unsafe()); break;
    case element_type::BOOL: out.append(v.get_bool().value_unsafe() ? "true" : "false"); break;
    default: out.append("null"); break;  // arrays and objects are tree nodes, never scalars
  }
}

template void append_scalar_json(const ParsedEvent&, uint32_t, std::string&);
template void append_scalar_json(const ParsedEvent&, uint32_t, LineBuffer&);

uint32_t find_node(const ParsedEvent& event, std::string_view path) {
  if (event.nodes.empty()) return kNoNode;
  uint32_t node = 0;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    const std::string_view seg = path.substr(0, dot);
    uint32_t c = event.nodes[node].first_child;
    while (c != kNoNode && event.nodes[c].key != seg) c = event.nodes[c].next_sibling;
    if (c == kNoNode) return kNoNode;
    node = c;
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return node;
}

}  // namespace traild
