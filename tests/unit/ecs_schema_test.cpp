// The generated ECS tree's lookups: every field is found under its parent, and nothing else
// is (near misses of every name: one byte more, less or changed).
#include "daemon/ecs_schema.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace traild::ecs {
namespace {

const Node* node_at(uint32_t index) { return root() + index; }

// Calls `visit(parent, child)` for every parent-child pair of the tree.
template <typename Visit>
void for_each_child(Visit visit) {
  std::vector<const Node*> pending{root()};
  while (!pending.empty()) {
    const Node* parent = pending.back();
    pending.pop_back();
    for (uint32_t c = parent->first_child; c < parent->first_child + parent->child_count; ++c) {
      visit(parent, node_at(c));
      pending.push_back(node_at(c));
    }
  }
}

TEST(EcsSchema, EveryFieldIsFoundUnderItsParent) {
  size_t pairs = 0;
  for_each_child([&](const Node* parent, const Node* child_node) {
    EXPECT_EQ(child(parent, child_node->name), child_node) << child_node->name;
    ++pairs;
  });
  EXPECT_GT(pairs, field_count());  // fields plus intermediate objects
}

TEST(EcsSchema, NearMissesOfEveryNameAreNotFound) {
  for_each_child([&](const Node* parent, const Node* child_node) {
    const std::string name(child_node->name);
    std::vector<std::string> variants = {name + "x", name.substr(0, name.size() - 1), "x" + name};
    for (size_t at : {size_t{0}, name.size() / 2, name.size() - 1}) {
      std::string changed = name;
      changed[at] = static_cast<char>(changed[at] ^ 0x20);  // case flipped, or another byte
      variants.push_back(changed);
    }
    for (const std::string& v : variants) {
      const Node* found = child(parent, v);
      // Found only when the variant happens to be another field's name under that parent.
      if (found != nullptr) {
        EXPECT_EQ(found->name, v) << "looked up " << v << " near " << name;
      }
    }
  });
}

TEST(EcsSchema, DottedLookupsAndTypes) {
  ASSERT_NE(lookup("event.outcome"), nullptr);
  EXPECT_EQ(lookup("event.outcome")->type, FieldType::Keyword);
  EXPECT_EQ(lookup("source.ip")->type, FieldType::Ip);
  EXPECT_EQ(lookup("@timestamp")->type, FieldType::Date);
  EXPECT_EQ(lookup("http.request.body.bytes")->type, FieldType::Long);
  EXPECT_EQ(lookup("event.outcomes"), nullptr);
  EXPECT_EQ(lookup("event..outcome"), nullptr);
  EXPECT_EQ(lookup(""), nullptr);
  EXPECT_EQ(child(root(), ""), nullptr);
}

}  // namespace
}  // namespace traild::ecs
