#include "integrity/canonical_json.hpp"

#include <algorithm>

#include "common/json_escape.hpp"

namespace traild {

using simdjson::dom::element_type;

void CanonicalWriter::write(simdjson::dom::element value, std::string& out) {
  chain_ = nullptr;
  write_value(value, 0, out);
}

size_t CanonicalWriter::write_event(simdjson::dom::object root, const ChainFields& chain, std::string& out) {
  chain_ = &chain;
  hash_at_ = 0;
  write_object(root, 0, Member::Kind::OnlyChain, out);
  chain_ = nullptr;
  return hash_at_;
}

void CanonicalWriter::write_value(simdjson::dom::element value, size_t depth, std::string& out) {
  switch (value.type()) {
    case element_type::OBJECT: write_object(value.get_object().value_unsafe(), depth, Member::Kind::Plain, out); return;
    case element_type::ARRAY: {
      out.push_back('[');
      bool first = true;
      const simdjson::dom::array items = value.get_array().value_unsafe();  // bound first: a range-for over the temporary result would dangle
      for (simdjson::dom::element item : items) {
        if (!first) out.push_back(',');
        first = false;
        write_value(item, depth + 1, out);
      }
      out.push_back(']');
      return;
    }
    case element_type::STRING: append_json_string(out, value.get_string().value_unsafe()); return;
    case element_type::INT64: append_int(out, value.get_int64().value_unsafe()); return;
    case element_type::UINT64: append_uint(out, value.get_uint64().value_unsafe()); return;
    case element_type::DOUBLE: append_double(out, value.get_double().value_unsafe()); return;
    case element_type::BOOL: out.append(value.get_bool().value_unsafe() ? "true" : "false"); return;
    default: out.append("null"); return;
  }
}

// `add` says what traild merges into this object: OnlyChain at the root (a `traild` member
// holding the chain, or the chain merged into the event's own `traild` object), Chain inside
// that `traild` object.
void CanonicalWriter::write_object(simdjson::dom::object object, size_t depth, Member::Kind add, std::string& out) {
  if (members_.size() <= depth) members_.resize(depth + 1);
  std::vector<Member>& members = members_[depth];
  members.clear();
  bool merged = false;
  for (auto field : object) {
    Member m{field.key, field.value};
    if (add == Member::Kind::OnlyChain && field.key == "traild" && field.value.is_object()) {
      m.kind = Member::Kind::TraildWithChain;
      merged = true;
    }
    members.push_back(m);
  }
  if (add == Member::Kind::OnlyChain && !merged) members.push_back({"traild", {}, Member::Kind::OnlyChain});
  if (add == Member::Kind::Chain) members.push_back({"chain", {}, Member::Kind::Chain});
  // Stable: a document with duplicate keys (which traild never writes, but verify may be
  // handed) keeps their order, so writing the canonical form again changes nothing.
  std::stable_sort(members.begin(), members.end(),
            [](const Member& a, const Member& b) { return canonical_key_less(a.key, b.key); });
  out.push_back('{');
  // Index, not reference: writing a nested object at depth + 1 never touches this vector,
  // but `members_` itself may grow.
  for (size_t i = 0; i < members_[depth].size(); ++i) {
    const Member m = members_[depth][i];
    if (i > 0) out.push_back(',');
    append_json_string(out, m.key);
    out.push_back(':');
    switch (m.kind) {
      case Member::Kind::Plain: write_value(m.value, depth + 1, out); break;
      case Member::Kind::TraildWithChain:
        write_object(m.value.get_object().value_unsafe(), depth + 1, Member::Kind::Chain, out);
        break;
      case Member::Kind::OnlyChain:
        out.append("{\"chain\":");
        write_chain(out);
        out.push_back('}');
        break;
      case Member::Kind::Chain: write_chain(out); break;
    }
  }
  out.push_back('}');
}

void CanonicalWriter::write_chain(std::string& out) {
  out.push_back('{');
  hash_at_ = out.size();
  out.append("\"prev\":\"");
  out.append(chain_->prev);
  out.append("\",\"sequence\":");
  append_uint(out, chain_->sequence);
  out.push_back('}');
}

}  // namespace traild
