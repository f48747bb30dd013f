#include "daemon/event_tree.hpp"

namespace traild {

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
