#include "daemon/ecs_schema.hpp"

#include <bit>
#include <cstdint>
#include <vector>

namespace traild::ecs {
namespace detail {
extern const Node kNodes[];
extern const size_t kNodeCount;
extern const size_t kFieldCount;
extern const std::string_view kAllowed[];
}  // namespace detail

const Node* root() { return &detail::kNodes[0]; }

namespace {

uint64_t segment_hash(size_t parent, std::string_view segment) {
  uint64_t h = 0xcbf29ce484222325ULL ^ (parent * 0x9e3779b97f4a7c15ULL);  // FNV-1a, seeded by the parent
  for (unsigned char c : segment) h = (h ^ c) * 0x100000001b3ULL;
  return h ^ (h >> 29);
}

// (parent, segment) -> node, open addressing. Built once: lookups are on the hot path of
// every event, and a hash probe costs one short compare where a binary search over the
// ~90 top-level names cost seven.
class ChildIndex {
 public:
  ChildIndex() {
    slots_.assign(std::bit_ceil(detail::kNodeCount * 2), 0);
    mask_ = slots_.size() - 1;
    for (size_t p = 0; p < detail::kNodeCount; ++p) {
      const Node& parent = detail::kNodes[p];
      for (uint32_t c = parent.first_child; c < parent.first_child + parent.child_count; ++c) {
        size_t i = segment_hash(p, detail::kNodes[c].name) & mask_;
        while (slots_[i] != 0) i = (i + 1) & mask_;
        slots_[i] = c + 1;
      }
    }
  }
  const Node* find(const Node* parent, std::string_view segment) const {
    const size_t p = static_cast<size_t>(parent - detail::kNodes);
    for (size_t i = segment_hash(p, segment) & mask_;; i = (i + 1) & mask_) {
      uint32_t slot = slots_[i];
      if (slot == 0) return nullptr;
      const Node& n = detail::kNodes[slot - 1];
      if (n.name == segment && slot - 1 >= parent->first_child && slot - 1 < parent->first_child + parent->child_count)
        return &n;
    }
  }

 private:
  std::vector<uint32_t> slots_;  // node index + 1, 0 = empty
  size_t mask_ = 0;
};

}  // namespace

const Node* child(const Node* parent, std::string_view segment) {
  if (parent == nullptr || parent->child_count == 0) return nullptr;
  static const ChildIndex index;
  return index.find(parent, segment);
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
