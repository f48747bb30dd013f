// The ECS output format: one JSON object per line in canonical form (keys sorted at every
// level, so @timestamp comes first), the producer's fields with dotted keys nested, and
// traild's enrichment merged into `event`, `host`, `process`, `log` and `traild`. Keys are unique and every string is escaped, so each line is one valid object.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/event_tree.hpp"

namespace traild {

// The sender as the kernel reports it (process.pid, .name, .executable, .user.id, .group.id).
struct AttestedSender {
  bool present = false;
  int64_t pid = 0;
  int64_t uid = 0;
  int64_t gid = 0;
  std::string_view name;        // empty when unknown
  std::string_view executable;  // empty when unknown
  // The two as JSON strings (quoted and escaped), when the caller has them at hand: they are
  // the same for every event of a sender, and copying them costs less than escaping them.
  std::string_view name_json;
  std::string_view executable_json;
};

// timestamp and created are written unescaped (traild formats them, format_rfc3339_ms), and
// so is id when the event has none of its own (then it is traild's UUID): none of the three
// may hold a character JSON would escape.
struct Enrichment {
  std::string_view timestamp;  // RFC 3339 UTC with milliseconds
  std::string_view id;         // event.id: the producer's (event.id of the record) or a UUID
  std::string_view created;    // event.created: when traild received the event
  std::string_view hostname;   // host.hostname, when the producer did not set it
  uint64_t sequence = 0;       // event.sequence
  std::string_view syslog;     // the canonical log.syslog object from the record's syslog header
  std::string_view chain_prev; // traild.chain.prev (64 hex digits), or a placeholder ChainSealer fills in
  AttestedSender sender;       // merged into `process`; differing producer claims go to traild.claimed
  std::string_view hostname_json;  // hostname as a JSON string, or empty (then escaped from hostname)
};

class LineBuffer;

// Writes the event into `line` (replacing what it held) as one canonical line
// (docs/integrity.md), '\n' included, with traild.chain's prev and sequence. Returns the
// offset in `line` where the chain's hash member belongs (append_unsealed puts it there).
size_t format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, LineBuffer& line);
// The same line appended to `out`, without the hash member (for tests and tools); returns
// the offset in `out` where the member belongs.
size_t format_ecs_line(const ParsedEvent& event, const Enrichment& enrichment, std::string& out);

// format_ecs_line, faster for events of a known shape (ParsedEvent::shape_id): their lines
// differ only in values, so the first line of a shape (and of each combination of the
// enrichment's optional parts) is recorded as a template of literal bytes and pieces, and
// later lines copy the literals and write only the pieces, skipping the merge of traild's
// members into the producer's and the escaping of keys. Holds a few templates, each of a line
// of at most kMaxTemplateBytes. Writes exactly the bytes format_ecs_line writes.
struct LineTemplate;
class EcsLineFormatter {
 public:
  static constexpr size_t kTemplates = 8;
  static constexpr size_t kMaxTemplateBytes = 16 << 10;

  EcsLineFormatter();
  ~EcsLineFormatter();
  EcsLineFormatter(const EcsLineFormatter&) = delete;
  EcsLineFormatter& operator=(const EcsLineFormatter&) = delete;

  // As format_ecs_line.
  size_t format(const ParsedEvent& event, const Enrichment& enrichment, LineBuffer& line);
  // Lines written from a template so far.
  uint64_t templated() const { return templated_; }

 private:
  std::unique_ptr<LineTemplate[]> templates_;
  size_t next_ = 0;  // the slot the next new template takes
  uint64_t templated_ = 0;
};

}  // namespace traild
