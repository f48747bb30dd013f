#include "daemon/ecs_schema.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/short_bytes.hpp"

namespace traild::ecs {
namespace detail {
extern const Node kNodes[];
extern const size_t kNodeCount;
extern const size_t kFieldCount;
extern const std::string_view kAllowed[];
}  // namespace detail

const Node* root() { return &detail::kNodes[0]; }

namespace {

__extension__ typedef unsigned __int128 uint128;  // GCC and Clang on 64-bit targets

// Multiplies 64 by 64 bits and folds the 128-bit product: every input bit reaches the result.
uint64_t fold(uint64_t x, uint64_t y) {
  const uint128 m = static_cast<uint128>(x ^ 0xa0761d6478bd642fULL) * (y ^ 0xe7037ed1a0b428dbULL);
  return static_cast<uint64_t>(m) ^ static_cast<uint64_t>(m >> 64);
}

// Reads the segment in at most two overlapping loads (8 bytes, else 4, else single bytes)
// plus one per further 8 bytes, staying inside it. Most ECS names are under 16 bytes, so this
// costs a few instructions where FNV-1a, a multiply per byte, was 40% of every lookup.
uint64_t segment_hash(size_t parent, std::string_view segment) {
  const auto* p = reinterpret_cast<const unsigned char*>(segment.data());
  const size_t n = segment.size();
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = load64(p);
    for (size_t i = 8; i + 8 < n; i += 8) a = fold(a, load64(p + i));
    b = load64(p + n - 8);
  } else if (n >= 4) {
    a = load32(p);
    b = load32(p + n - 4);
  } else if (n > 0) {
    a = p[0];
    b = (static_cast<uint64_t>(p[n / 2]) << 8) | p[n - 1];
  }
  return fold(a ^ (parent * 0x9e3779b97f4a7c15ULL), b ^ n);
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
      if (same_bytes(n.name, segment) && slot - 1 >= parent->first_child && slot - 1 < parent->first_child + parent->child_count)
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

size_t node_count() { return detail::kNodeCount; }

}  // namespace traild::ecs
