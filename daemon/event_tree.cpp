#include "daemon/event_tree.hpp"

#include <algorithm>

#include "integrity/canonical_json.hpp"

namespace traild {

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
