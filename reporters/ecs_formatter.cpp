#include "reporters/ecs_formatter.hpp"

#include <cassert>
#include <string>
#include <vector>

#include "common/json_escape.hpp"
#include "common/line_buffer.hpp"
#include "integrity/canonical_json.hpp"
#include "reporters/tree_value.hpp"

namespace traild {

// One line's bytes with its pieces cut out: literals[0, steps[0].literal_bytes), the first
// piece, the next literal_bytes, the next piece, ..., then tail_bytes.
struct LineTemplate {
  // What differs between two lines of one template (EcsLineFormatter): each is written from
  // the event's values or the enrichment, everything between them is the same bytes.
  enum class Piece : uint8_t {
    Value,  // a scalar node, or a redacted node of any kind (arg: the node)
    Timestamp, Created, EventId, Sequence, Hostname, Syslog,
    SenderName, SenderExecutable, SenderPid, SenderUid, SenderGid,
    ChainPrev,
    HashMark,      // writes nothing: where the chain's hash member goes
    RedactedPath,  // arg: the index in redacted_paths
  };

  struct Step {
    uint32_t literal_bytes = 0;
    Piece piece = Piece::Value;
    uint32_t arg = 0;
  };
  uint64_t shape_id = 0;  // 0: an empty slot
  uint32_t variant = 0;   // variant_of(): the enrichment's optional parts
  std::vector<uint32_t> redacted_nodes;
  std::string literals;
  std::vector<Step> steps;
  uint32_t tail_bytes = 0;
};

namespace {

using Piece = LineTemplate::Piece;

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

// `json`, the JSON string of `text` when the caller rendered it once; else `text`, escaped now.
void append_json_text(LineBuffer& out, std::string_view json, std::string_view text) {
  if (!json.empty()) out.append(json);
  else append_json_string(out, text);
}

void write_piece(const ParsedEvent& ev, const Enrichment& en, LineBuffer& out, Piece piece, uint32_t arg,
                 size_t& hash_at) {
  const AttestedSender& s = en.sender;
  switch (piece) {
    case Piece::Value: append_scalar_json(ev, arg, out); return;  // the redaction text when redacted
    case Piece::Timestamp: append_json_verbatim(out, en.timestamp); return;  // traild wrote it
    case Piece::Created: append_json_verbatim(out, en.created); return;
    case Piece::EventId:  // a UUID traild made, or the producer's from the record
      if (ev.id.empty() || ev.verbatim_strings) append_json_verbatim(out, en.id);
      else append_json_string(out, en.id);
      return;
    case Piece::Sequence: append_uint(out, en.sequence); return;
    case Piece::Hostname: append_json_text(out, en.hostname_json, en.hostname); return;
    case Piece::Syslog: out.append(en.syslog); return;
    case Piece::SenderName: append_json_text(out, s.name_json, s.name); return;
    case Piece::SenderExecutable: append_json_text(out, s.executable_json, s.executable); return;
    case Piece::SenderPid: append_int(out, s.pid); return;
    case Piece::SenderUid: append_int(out, s.uid); return;
    case Piece::SenderGid: append_int(out, s.gid); return;
    case Piece::ChainPrev: out.append(en.chain_prev); return;
    case Piece::HashMark: hash_at = out.size(); return;
    case Piece::RedactedPath: append_json_string(out, ev.redacted_paths[arg]); return;
  }
}

// True when the producer's value for an attested field says something else than the kernel.
bool claim_differs(const ParsedEvent& ev, const AttestedSender& s, AttestedField f) {
  const uint32_t node = ev.claimed_process[static_cast<size_t>(f)];
  if (node == kNoNode) return false;
  const TreeNode& n = ev.nodes[node];
  if (n.kind != TreeNode::Kind::Scalar) return true;
  const std::string_view str = n.value.string;
  const int64_t num = n.value.int64;
  const bool is_str = n.value.is_string();
  const bool is_num = n.value.type == ScalarValue::Type::Int64;
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
unsigned differing_process_claims(const ParsedEvent& ev, const AttestedSender& s) {
  unsigned bits = 0;
  for (size_t i = 0; i < kAttestedFields; ++i)
    if (claim_differs(ev, s, AttestedField(i))) bits |= 1u << i;
  return bits;
}

// Writes the event in canonical form (docs/integrity.md): every object's members, the
// producer's and traild's together, sorted by key. The parser leaves the producer's members
// sorted (sort_members, once per shape of event), so here traild's few are merged in.
class LineWriter {
 public:
  // `recording`, when given, receives the line's template (it must be empty).
  LineWriter(const ParsedEvent& ev, const Enrichment& en, unsigned differing, LineBuffer& out,
             LineTemplate* recording = nullptr)
      : ev_(ev), en_(en), out_(out), recording_(recording), differing_(differing) {
    // Only traild's own events may carry a `traild` object (producers' are refused): its
    // members and traild's enrichment are merged.
    for (uint32_t c = ev.nodes[0].first_child; c != kNoNode; c = ev.nodes[c].next_sibling)
      if (ev.nodes[c].key == "traild" && ev.nodes[c].kind == TreeNode::Kind::Object && !ev.nodes[c].omit) traild_node_ = c;
  }

  size_t write() {
    write_object(0);
    out_.push_back('\n');
    if (recording_ != nullptr) {
      recording_->tail_bytes = static_cast<uint32_t>(out_.size() - recorded_to_);
      recording_->literals.append(out_.data() + recorded_to_, recording_->tail_bytes);
    }
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

  // Writes a piece of the line that differs between lines of one shape, and when recording,
  // notes it and the bytes written since the last one.
  void piece(Piece p, uint32_t arg = 0) {
    if (recording_ != nullptr) {
      const size_t literal = out_.size() - recorded_to_;
      recording_->steps.push_back({static_cast<uint32_t>(literal), p, arg});
      recording_->literals.append(out_.data() + recorded_to_, literal);
    }
    write_piece(ev_, en_, out_, p, arg, hash_at_);
    recorded_to_ = out_.size();
  }

  void write_id_object(Piece id) {
    out_.append("{\"id\":\"");
    piece(id);
    out_.append("\"}");
  }

  void write_extra(Extra extra) {
    const AttestedSender& s = en_.sender;
    switch (extra) {
      case Extra::Timestamp: piece(Piece::Timestamp); break;
      case Extra::Host:
        out_.append("{\"hostname\":");
        piece(Piece::Hostname);
        out_.push_back('}');
        break;
      case Extra::Process:
        // The whole object is traild's: members in sorted order.
        out_.push_back('{');
        if (!s.executable.empty()) {
          out_.append("\"executable\":");
          piece(Piece::SenderExecutable);
          out_.push_back(',');
        }
        out_.append("\"group\":");
        write_id_object(Piece::SenderGid);
        if (!s.name.empty()) {
          out_.append(",\"name\":");
          piece(Piece::SenderName);
        }
        out_.append(",\"pid\":");
        piece(Piece::SenderPid);
        out_.append(",\"user\":");
        write_id_object(Piece::SenderUid);
        out_.push_back('}');
        break;
      case Extra::Log:
        out_.append("{\"syslog\":");
        piece(Piece::Syslog);
        out_.push_back('}');
        break;
      case Extra::Traild: write_traild(); break;
      case Extra::Chain: write_chain(); break;
      case Extra::Claimed: write_claimed(differing_); break;
      case Extra::Redacted: write_redacted(); break;
      case Extra::EventId: piece(Piece::EventId); break;
      case Extra::EventCreated: piece(Piece::Created); break;
      case Extra::EventKind: out_.append("\"event\""); break;
      case Extra::EventSequence: piece(Piece::Sequence); break;
      case Extra::ProcessPid: piece(Piece::SenderPid); break;
      case Extra::ProcessName: piece(Piece::SenderName); break;
      case Extra::ProcessExecutable: piece(Piece::SenderExecutable); break;
      case Extra::ProcessUser: write_id_object(Piece::SenderUid); break;
      case Extra::ProcessGroup: write_id_object(Piece::SenderGid); break;
      case Extra::UserId:
      case Extra::GroupId:
        out_.push_back('"');
        piece(extra == Extra::UserId ? Piece::SenderUid : Piece::SenderGid);
        out_.push_back('"');
        break;
      case Extra::Syslog: piece(Piece::Syslog); break;
      case Extra::Hostname: piece(Piece::Hostname); break;
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
    piece(Piece::HashMark);
    out_.append("\"prev\":\"");
    piece(Piece::ChainPrev);
    out_.append("\",\"sequence\":");
    piece(Piece::Sequence);
    out_.push_back('}');
  }

  bool has_claims() const {
    return ev_.claimed_created != kNoNode || ev_.claimed_syslog != kNoNode || differing_ != 0;
  }

  void write_redacted() {
    out_.push_back('[');
    for (size_t i = 0; i < ev_.redacted_paths.size(); ++i) {
      if (i > 0) out_.push_back(',');
      piece(Piece::RedactedPath, static_cast<uint32_t>(i));
    }
    out_.push_back(']');
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
    // A redacted node of any kind is its redaction text, which append_scalar_json writes.
    if (n.redaction != kNoNode || n.kind == TreeNode::Kind::Scalar) {
      write_value(idx);
      return;
    }
    if (n.kind == TreeNode::Kind::Object) {
      write_object(idx);
      return;
    }
    out_.push_back('[');
    bool first = true;
    for (uint32_t c = n.first_child; c != kNoNode; c = ev_.nodes[c].next_sibling) {
      if (!first) out_.push_back(',');
      first = false;
      write_node(c);
    }
    out_.push_back(']');
  }

  void write_value(uint32_t idx) { piece(Piece::Value, idx); }

  const ParsedEvent& ev_;
  const Enrichment& en_;
  LineBuffer& out_;
  LineTemplate* recording_;
  size_t recorded_to_ = 0;  // where the bytes not yet in recording_ start
  uint32_t traild_node_ = kNoNode;
  unsigned differing_;  // differing_process_claims()
  size_t hash_at_ = 0;
};

}  // namespace

size_t format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, LineBuffer& line) {
  line.clear();
  return LineWriter(event, enrichment, differing_process_claims(event, enrichment.sender), line).write();
}

size_t format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, std::string& out) {
  thread_local LineBuffer line;
  const size_t hash_at = format_ecs_line(event, enrichment, line);
  const size_t start = out.size();
  out.append(line.data(), line.size());
  line.shrink_if_over(kLineBufferKeepBytes);
  return start + hash_at;
}

namespace {

// What else, beside the shape, decides which pieces a line has and the bytes between them.
uint32_t variant_of(const Enrichment& en, unsigned differing) {
  const AttestedSender& s = en.sender;
  return static_cast<uint32_t>(s.present) | static_cast<uint32_t>(s.name.empty()) << 1 |
         static_cast<uint32_t>(s.executable.empty()) << 2 | static_cast<uint32_t>(en.syslog.empty()) << 3 |
         differing << 4;
}

// Redaction follows the keys, so it is the same for every event of a shape under one
// configuration; a reload may change it, so it is checked, not assumed.
bool same_redactions(const LineTemplate& t, const ParsedEvent& event) {
  if (t.redacted_nodes.size() != event.redactions.size()) return false;
  for (uint32_t node : t.redacted_nodes)
    if (node >= event.nodes.size() || event.nodes[node].redaction == kNoNode) return false;
  return true;
}

size_t write_from(const LineTemplate& t, const ParsedEvent& event, const Enrichment& enrichment, LineBuffer& line) {
  size_t hash_at = 0;
  const char* literal = t.literals.data();
  for (const LineTemplate::Step& step : t.steps) {
    line.append(literal, step.literal_bytes);
    literal += step.literal_bytes;
    write_piece(event, enrichment, line, step.piece, step.arg, hash_at);
  }
  line.append(literal, t.tail_bytes);
  return hash_at;
}

}  // namespace

EcsLineFormatter::EcsLineFormatter() : templates_(new LineTemplate[kTemplates]) {}
EcsLineFormatter::~EcsLineFormatter() = default;

size_t EcsLineFormatter::format(const ParsedEvent& event, const Enrichment& enrichment, LineBuffer& line) {
  line.clear();
  const unsigned differing = differing_process_claims(event, enrichment.sender);
  if (event.shape_id == 0) return LineWriter(event, enrichment, differing, line).write();
  const uint32_t variant = variant_of(enrichment, differing);
  for (size_t i = 0; i < kTemplates; ++i) {
    const LineTemplate& t = templates_[i];
    if (t.shape_id == event.shape_id && t.variant == variant && same_redactions(t, event)) {
      ++templated_;
      return write_from(t, event, enrichment, line);
    }
  }
  LineTemplate& t = templates_[next_];
  t.shape_id = 0;
  t.literals.clear();
  t.steps.clear();
  const size_t hash_at = LineWriter(event, enrichment, differing, line, &t).write();
  if (line.size() > kMaxTemplateBytes) {
    t = LineTemplate();  // a rare large line: not worth keeping its bytes
    return hash_at;
  }
  t.shape_id = event.shape_id;
  t.variant = variant;
  t.redacted_nodes.clear();
  for (uint32_t i = 0; i < event.nodes.size(); ++i)
    if (event.nodes[i].redaction != kNoNode) t.redacted_nodes.push_back(i);
  next_ = (next_ + 1) % kTemplates;
  return hash_at;
}

}  // namespace traild
