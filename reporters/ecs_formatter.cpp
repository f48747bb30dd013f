#include "reporters/ecs_formatter.hpp"

#include <cassert>

#include "common/json_escape.hpp"
#include "common/line_buffer.hpp"
#include "integrity/canonical_json.hpp"
#include "reporters/tree_value.hpp"

namespace traild {
namespace {

// The line buffer is kept between lines up to this size; a larger line's is given back.
constexpr size_t kLineBufferKeepBytes = 256 << 10;

// What traild adds to an object beside the producer's members.
enum class Extra : uint8_t {
  Timestamp, Host, Process, Log, Traild,          // at the root, as whole objects
  Chain, Claimed, Redacted,                         // in `traild`, when an internal event has one
  EventId, EventCreated, EventKind, EventSequence,  // in `event`
  ProcessPid, ProcessName, ProcessExecutable, ProcessUser, ProcessGroup,  // in `process`
  UserId, GroupId, Syslog, Hostname,
};

// The members traild adds to one object, in key order. No object gets more than five
// (the root, `process`).
class Extras {
 public:
  struct Member {
    std::string_view key;
    Extra extra;
  };
  // Inserts in key order: the lists are a handful long.
  void add(std::string_view key, Extra extra) {
    assert(size_ < kMax);
    size_t i = size_;
    for (; i > 0 && canonical_key_less(key, members_[i - 1].key); --i) members_[i] = members_[i - 1];
    members_[i] = {key, extra};
    ++size_;
  }
  size_t size() const { return size_; }
  const Member& operator[](size_t i) const { return members_[i]; }

 private:
  static constexpr size_t kMax = 8;  // room beyond the five any object gets
  Member members_[kMax];
  size_t size_ = 0;
};

// Writes the event in canonical form (docs/integrity.md): every object's members, the
// producer's and traild's together, sorted by key. The parser leaves the producer's members
// sorted (sort_members, once per shape of event), so here traild's few are merged in.
class LineWriter {
 public:
  LineWriter(const ParsedEvent& ev, const Enrichment& en, LineBuffer& out)
      : ev_(ev), en_(en), out_(out) {
    // Only traild's own events may carry a `traild` object (producers' are refused): its
    // members and traild's enrichment are merged.
    for (uint32_t c = ev.nodes[0].first_child; c != kNoNode; c = ev.nodes[c].next_sibling)
      if (ev.nodes[c].key == "traild" && ev.nodes[c].kind == TreeNode::Kind::Object && !ev.nodes[c].omit) traild_node_ = c;
    differing_ = differing_process_claims();
  }

  size_t write() {
    write_object(0);
    out_.push_back('\n');
    return hash_at_;
  }

 private:
  void write_object(uint32_t obj) {
    const auto& nodes = ev_.nodes;
    Extras extras;
    add_extras(obj, extras);
    uint32_t c = nodes[obj].first_child;
    size_t e = 0;
    bool first = true;
    out_.push_back('{');
    while (true) {
      while (c != kNoNode && nodes[c].omit) c = nodes[c].next_sibling;
      const bool producer_next = c != kNoNode && (e == extras.size() || !canonical_key_less(extras[e].key, nodes[c].key));
      if (!producer_next && e == extras.size()) break;
      if (!first) out_.push_back(',');
      first = false;
      if (producer_next) {
        // The producer's keys may need escaping; traild's own are plain ASCII.
        if (ev_.verbatim_strings) append_json_verbatim(out_, nodes[c].key);
        else append_json_string(out_, nodes[c].key);
        out_.push_back(':');
        write_node(c);
        c = nodes[c].next_sibling;
      } else {
        append_json_verbatim(out_, extras[e].key);
        out_.push_back(':');
        write_extra(extras[e].extra);
        ++e;
      }
    }
    out_.push_back('}');
  }

  void add_extras(uint32_t obj, Extras& extras) {
    const bool sender = en_.sender.present;
    if (obj == 0) {
      extras.add("@timestamp", Extra::Timestamp);
      if (ev_.host_node == kNoNode) extras.add("host", Extra::Host);
      if (ev_.process_node == kNoNode && sender) extras.add("process", Extra::Process);
      if (ev_.log_node == kNoNode && !en_.syslog.empty()) extras.add("log", Extra::Log);
      if (traild_node_ == kNoNode) extras.add("traild", Extra::Traild);
    }
    if (obj == traild_node_) {
      extras.add("chain", Extra::Chain);
      if (has_claims()) extras.add("claimed", Extra::Claimed);
      if (!ev_.redacted_paths.empty()) extras.add("redacted", Extra::Redacted);
    }
    if (obj == ev_.event_node) {
      extras.add("id", Extra::EventId);
      extras.add("created", Extra::EventCreated);
      if (!ev_.has_kind) extras.add("kind", Extra::EventKind);
      extras.add("sequence", Extra::EventSequence);
    }
    if (obj == ev_.process_node && sender) add_process_extras(extras);
    if (obj == ev_.process_user_node && sender) extras.add("id", Extra::UserId);
    if (obj == ev_.process_group_node && sender) extras.add("id", Extra::GroupId);
    if (obj == ev_.log_node && !en_.syslog.empty()) extras.add("syslog", Extra::Syslog);
    if (obj == ev_.host_node && !ev_.has_hostname) extras.add("hostname", Extra::Hostname);
  }

  // process.pid, .name, .executable (and .user.id, .group.id when those objects are absent)
  // as the kernel reports them.
  void add_process_extras(Extras& extras) {
    extras.add("pid", Extra::ProcessPid);
    if (!en_.sender.name.empty()) extras.add("name", Extra::ProcessName);
    if (!en_.sender.executable.empty()) extras.add("executable", Extra::ProcessExecutable);
    if (ev_.process_user_node == kNoNode) extras.add("user", Extra::ProcessUser);
    if (ev_.process_group_node == kNoNode) extras.add("group", Extra::ProcessGroup);
  }

  void write_id_object(int64_t id) {
    out_.append("{\"id\":\"");
    append_int(out_, id);
    out_.append("\"}");
  }

  void write_extra(Extra extra) {
    const AttestedSender& s = en_.sender;
    switch (extra) {
      case Extra::Timestamp: append_json_verbatim(out_, en_.timestamp); break;  // traild wrote it
      case Extra::Host:
        out_.append("{\"hostname\":");
        append_json_string(out_, en_.hostname);
        out_.push_back('}');
        break;
      case Extra::Process: {
        // The whole object is traild's: members in sorted order.
        out_.push_back('{');
        if (!s.executable.empty()) {
          out_.append("\"executable\":");
          append_json_string(out_, s.executable);
          out_.push_back(',');
        }
        out_.append("\"group\":");
        write_id_object(s.gid);
        if (!s.name.empty()) {
          out_.append(",\"name\":");
          append_json_string(out_, s.name);
        }
        out_.append(",\"pid\":");
        append_int(out_, s.pid);
        out_.append(",\"user\":");
        write_id_object(s.uid);
        out_.push_back('}');
        break;
      }
      case Extra::Log:
        out_.append("{\"syslog\":");
        out_.append(en_.syslog);
        out_.push_back('}');
        break;
      case Extra::Traild: write_traild(); break;
      case Extra::Chain: write_chain(); break;
      case Extra::Claimed: write_claimed(differing_); break;
      case Extra::Redacted: write_redacted(); break;
      case Extra::EventId:  // a UUID traild made, or the producer's from the record
        if (ev_.id.empty() || ev_.verbatim_strings) append_json_verbatim(out_, en_.id);
        else append_json_string(out_, en_.id);
        break;
      case Extra::EventCreated: append_json_verbatim(out_, en_.created); break;
      case Extra::EventKind: out_.append("\"event\""); break;
      case Extra::EventSequence: append_uint(out_, en_.sequence); break;
      case Extra::ProcessPid: append_int(out_, s.pid); break;
      case Extra::ProcessName: append_json_string(out_, s.name); break;
      case Extra::ProcessExecutable: append_json_string(out_, s.executable); break;
      case Extra::ProcessUser: write_id_object(s.uid); break;
      case Extra::ProcessGroup: write_id_object(s.gid); break;
      case Extra::UserId:
      case Extra::GroupId:
        out_.push_back('"');
        append_int(out_, extra == Extra::UserId ? s.uid : s.gid);
        out_.push_back('"');
        break;
      case Extra::Syslog: out_.append(en_.syslog); break;
      case Extra::Hostname: append_json_string(out_, en_.hostname); break;
    }
  }

  // traild.chain (its hash goes at hash_at_ once the line is complete), traild.claimed and
  // traild.redacted, in that (sorted) order.
  void write_traild() {
    out_.append("{\"chain\":");
    write_chain();
    if (has_claims()) {
      out_.append(",\"claimed\":");
      write_claimed(differing_);
    }
    if (!ev_.redacted_paths.empty()) {
      out_.append(",\"redacted\":");
      write_redacted();
    }
    out_.push_back('}');
  }

  void write_chain() {
    out_.push_back('{');
    hash_at_ = out_.size();
    out_.append("\"prev\":\"");
    out_.append(en_.chain_prev);
    out_.append("\",\"sequence\":");
    append_uint(out_, en_.sequence);
    out_.push_back('}');
  }

  bool has_claims() const {
    return ev_.claimed_created != kNoNode || ev_.claimed_syslog != kNoNode || differing_ != 0;
  }

  void write_redacted() {
    out_.push_back('[');
    for (size_t i = 0; i < ev_.redacted_paths.size(); ++i) {
      if (i > 0) out_.push_back(',');
      append_json_string(out_, ev_.redacted_paths[i]);
    }
    out_.push_back(']');
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
    // The claims in key order: executable, group, name, pid, user.
    static constexpr AttestedField kSorted[kAttestedFields] = {AttestedField::Executable, AttestedField::GroupId,
                                                               AttestedField::Name, AttestedField::Pid,
                                                               AttestedField::UserId};
    out_.push_back('{');
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
      for (AttestedField field : kSorted) {
        const size_t i = static_cast<size_t>(field);
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

  void write_node(uint32_t idx) {
    const TreeNode& n = ev_.nodes[idx];
    if (n.redaction != kNoNode) {
      out_.append(ev_.redactions[n.redaction]);
      return;
    }
    switch (n.kind) {
      case TreeNode::Kind::Object: write_object(idx); return;
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
  LineBuffer& out_;
  uint32_t traild_node_ = kNoNode;
  unsigned differing_ = 0;  // differing_process_claims()
  size_t hash_at_ = 0;
};

}  // namespace

size_t format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, LineBuffer& line) {
  line.clear();
  return LineWriter(event, enrichment, line).write();
}

size_t format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, std::string& out) {
  thread_local LineBuffer line;
  const size_t hash_at = format_ecs_line(event, enrichment, line);
  const size_t start = out.size();
  out.append(line.data(), line.size());
  line.shrink_if_over(kLineBufferKeepBytes);
  return start + hash_at;
}

}  // namespace traild
