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
  const ScalarValue& v = n.value;
  switch (v.type) {
    case ScalarValue::Type::String:
      if (event.verbatim_strings) append_json_verbatim(out, v.string);
      else append_json_string(out, v.string);
      break;
    case ScalarValue::Type::Int64: append_int(out, v.int64); break;
    case ScalarValue::Type::Uint64: append_uint(out, v.uint64); break;
    case ScalarValue::Type::Double: append_double(out, v.number); break;
    case ScalarValue::Type::Bool: out.append(v.boolean ? "true" : "false"); break;
    case ScalarValue::Type::Null: out.append("null"); break;
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
