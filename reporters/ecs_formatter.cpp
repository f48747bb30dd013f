#include "reporters/ecs_formatter.hpp"

#include "common/json_escape.hpp"
#include "reporters/tree_value.hpp"

namespace traild {
namespace {


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
    if (ev_.process_node == kNoNode && en_.sender.present) {
      out_.append(",\"process\":{");
      write_process_members(false);
      out_.push_back('}');
    }
    if (ev_.log_node == kNoNode && !en_.syslog.empty()) {
      out_.append(",\"log\":{");
      out_.append(en_.syslog);
      out_.push_back('}');
    }
    const unsigned differing = differing_process_claims();
    const bool claims = ev_.claimed_created != kNoNode || ev_.claimed_syslog != kNoNode || differing != 0;
    if (claims || !ev_.redacted_paths.empty()) {
      out_.append(",\"traild\":{");
      if (claims) write_claimed(differing);
      if (!ev_.redacted_paths.empty()) {
        if (claims) out_.push_back(',');
        out_.append("\"redacted\":[");
        for (size_t i = 0; i < ev_.redacted_paths.size(); ++i) {
          if (i > 0) out_.push_back(',');
          append_json_string(out_, ev_.redacted_paths[i]);
        }
        out_.push_back(']');
      }
      out_.push_back('}');
    }
    out_.append("}\n");
  }

 private:
  // process.pid, .name, .executable (and .user.id, .group.id when those objects are absent)
  // as the kernel reports them, inside the process object.
  void write_process_members(bool after_first) {
    const AttestedSender& s = en_.sender;
    auto sep = [&] {
      if (after_first) out_.push_back(',');
      after_first = true;
    };
    sep();
    out_.append("\"pid\":");
    append_int(out_, s.pid);
    if (!s.name.empty()) {
      out_.append(",\"name\":");
      append_json_string(out_, s.name);
    }
    if (!s.executable.empty()) {
      out_.append(",\"executable\":");
      append_json_string(out_, s.executable);
    }
    if (ev_.process_user_node == kNoNode) {
      out_.append(",\"user\":{");
      write_id_member(false, s.uid);
      out_.push_back('}');
    }
    if (ev_.process_group_node == kNoNode) {
      out_.append(",\"group\":{");
      write_id_member(false, s.gid);
      out_.push_back('}');
    }
  }

  void write_id_member(bool after_first, int64_t id) {
    if (after_first) out_.push_back(',');
    out_.append("\"id\":\"");
    append_int(out_, id);
    out_.push_back('"');
  }

  // True when the producer's value for an attested field says something else than the kernel.
  bool claim_differs(AttestedField f) const {
    const uint32_t node = ev_.claimed_process[static_cast<size_t>(f)];
    if (node == kNoNode) return false;
    const TreeNode& n = ev_.nodes[node];
    if (n.kind != TreeNode::Kind::Scalar) return true;
    const AttestedSender& s = en_.sender;
    std::string_view str;
    int64_t num = 0;
    const bool is_str = n.value.get_string().get(str) == simdjson::SUCCESS;
    const bool is_num = n.value.get_int64().get(num) == simdjson::SUCCESS;
    auto id_differs = [&](int64_t id) { return !(is_str && str == std::to_string(id)); };
    switch (f) {
      case AttestedField::Pid: return !(is_num && num == s.pid);
      case AttestedField::Name: return !(is_str && str == s.name);
      case AttestedField::Executable: return !(is_str && str == s.executable);
      case AttestedField::UserId: return id_differs(s.uid);
      case AttestedField::GroupId: return id_differs(s.gid);
    }
    return true;
  }

  // Bit i set: the producer's claim for AttestedField(i) differs from the kernel's value.
  unsigned differing_process_claims() const {
    unsigned bits = 0;
    for (size_t i = 0; i < kAttestedFields; ++i)
      if (claim_differs(AttestedField(i))) bits |= 1u << i;
    return bits;
  }

  // What the producer sent for fields traild sets, kept so a mismatch stays visible.
  // `differing`: the process claims to keep, from differing_process_claims().
  void write_claimed(unsigned differing) {
    static constexpr std::string_view kProcessPaths[kAttestedFields] = {
        "\"pid\":", "\"name\":", "\"executable\":", "\"user\":{\"id\":", "\"group\":{\"id\":"};
    out_.append("\"claimed\":{");
    bool first = true;
    auto sep = [&] {
      if (!first) out_.push_back(',');
      first = false;
    };
    if (ev_.claimed_created != kNoNode) {
      sep();
      out_.append("\"event\":{\"created\":");
      write_value(ev_.claimed_created);
      out_.push_back('}');
    }
    if (ev_.claimed_syslog != kNoNode) {
      sep();
      out_.append("\"log\":{\"syslog\":");
      write_node(ev_.claimed_syslog);
      out_.push_back('}');
    }
    if (differing != 0) {
      sep();
      out_.append("\"process\":{");
      bool first_claim = true;
      for (size_t i = 0; i < kAttestedFields; ++i) {
        if ((differing & (1u << i)) == 0) continue;
        if (!first_claim) out_.push_back(',');
        first_claim = false;
        out_.append(kProcessPaths[i]);
        write_node(ev_.claimed_process[i]);
        if (i >= static_cast<size_t>(AttestedField::UserId)) out_.push_back('}');
      }
      out_.push_back('}');
    }
    out_.push_back('}');
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
    } else if (obj == ev_.process_node && en_.sender.present) {
      write_process_members(after_first);
    } else if (obj == ev_.process_user_node && en_.sender.present) {
      write_id_member(after_first, en_.sender.uid);
    } else if (obj == ev_.process_group_node && en_.sender.present) {
      write_id_member(after_first, en_.sender.gid);
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
    if (n.redaction != kNoNode) {
      out_.append(ev_.redactions[n.redaction]);
      return;
    }
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

  void write_value(uint32_t idx) { append_scalar_json(ev_, idx, out_); }

  const ParsedEvent& ev_;
  const Enrichment& en_;
  std::string& out_;
};

}  // namespace

void format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, std::string& out) {
  LineWriter(event, enrichment, out).write();
}

}  // namespace traild
