#include "reporters/ecs_formatter.hpp"

#include "common/json_escape.hpp"

namespace traild {
namespace {

using simdjson::dom::element_type;

class LineWriter {
 public:
  LineWriter(const ParsedEvent& ev, const Enrichment& en, std::string& out) : ev_(ev), en_(en), out_(out) {}

  void write() {
    out_.append("{\"@timestamp\":");
    append_json_string(out_, en_.timestamp);
    write_members(0, true);
    if (ev_.host_node == kNoNode) {
      out_.append(",\"host\":{\"hostname\":");
      append_json_string(out_, en_.hostname);
      out_.push_back('}');
    }
    if (ev_.log_node == kNoNode && !en_.syslog.empty()) {
      out_.append(",\"log\":{");
      out_.append(en_.syslog);
      out_.push_back('}');
    }
    write_claimed();
    out_.append("}\n");
  }

 private:
  // What the producer sent for fields traild sets, kept so a mismatch stays visible.
  void write_claimed() {
    if (ev_.claimed_created == kNoNode && ev_.claimed_syslog == kNoNode) return;
    out_.append(",\"traild\":{\"claimed\":{");
    if (ev_.claimed_created != kNoNode) {
      out_.append("\"event\":{\"created\":");
      write_value(ev_.claimed_created);
      out_.push_back('}');
    }
    if (ev_.claimed_syslog != kNoNode) {
      if (ev_.claimed_created != kNoNode) out_.push_back(',');
      out_.append("\"log\":{\"syslog\":");
      write_node(ev_.claimed_syslog);
      out_.push_back('}');
    }
    out_.append("}}");
  }

  // Writes the members of an object node; `after_first` says a member was already written.
  void write_members(uint32_t obj, bool after_first) {
    const auto& nodes = ev_.nodes;
    for (uint32_t c = nodes[obj].first_child; c != kNoNode; c = nodes[c].next_sibling) {
      const TreeNode& n = nodes[c];
      if (n.omit) continue;
      if (after_first) out_.push_back(',');
      after_first = true;
      append_json_string(out_, n.key);
      out_.push_back(':');
      write_node(c);
    }
    if (obj == ev_.event_node) {
      if (after_first) out_.push_back(',');
      out_.append("\"id\":");
      append_json_string(out_, en_.id);
      out_.append(",\"created\":");
      append_json_string(out_, en_.created);
      if (!ev_.has_kind) out_.append(",\"kind\":\"event\"");
      out_.append(",\"sequence\":");
      append_uint(out_, en_.sequence);
    } else if (obj == ev_.log_node && !en_.syslog.empty()) {
      if (after_first) out_.push_back(',');
      out_.append(en_.syslog);
    } else if (obj == ev_.host_node && !ev_.has_hostname) {
      if (after_first) out_.push_back(',');
      out_.append("\"hostname\":");
      append_json_string(out_, en_.hostname);
    }
  }

  void write_node(uint32_t idx) {
    const TreeNode& n = ev_.nodes[idx];
    switch (n.kind) {
      case TreeNode::Kind::Object:
        out_.push_back('{');
        write_members(idx, false);
        out_.push_back('}');
        return;
      case TreeNode::Kind::Array: {
        out_.push_back('[');
        bool first = true;
        for (uint32_t c = n.first_child; c != kNoNode; c = ev_.nodes[c].next_sibling) {
          if (!first) out_.push_back(',');
          first = false;
          write_node(c);
        }
        out_.push_back(']');
        return;
      }
      case TreeNode::Kind::Scalar:
        write_value(idx);
        return;
    }
  }

  void write_value(uint32_t idx) {
    auto v = ev_.nodes[idx].value;
    switch (v.type()) {
      case element_type::STRING: append_json_string(out_, v.get_string().value_unsafe()); break;
      case element_type::INT64: append_int(out_, v.get_int64().value_unsafe()); break;
      case element_type::UINT64: append_uint(out_, v.get_uint64().value_unsafe()); break;
      case element_type::DOUBLE: append_double(out_, v.get_double().value_unsafe()); break;
      case element_type::BOOL: out_.append(v.get_bool().value_unsafe() ? "true" : "false"); break;
      case element_type::NULL_VALUE: out_.append("null"); break;
      default: out_.append("null"); break;  // arrays and objects are tree nodes, never scalars
    }
  }

  const ParsedEvent& ev_;
  const Enrichment& en_;
  std::string& out_;
};

}  // namespace

void format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, std::string& out) {
  LineWriter(event, enrichment, out).write();
}

}  // namespace traild
