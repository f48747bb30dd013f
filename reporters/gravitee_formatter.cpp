#include "reporters/gravitee_formatter.hpp"

#include "common/json_escape.hpp"
#include "reporters/tree_value.hpp"

namespace traild {
namespace {

struct FieldSource {
  std::string_view key;   // Gravitee's field name
  std::string_view path;  // where an ECS event (or the gravitee dialect) keeps it
};

// The ECS homes of Gravitee's fields: the inverse of the gravitee input dialect, so a record
// read in that dialect is written back as it came.
constexpr FieldSource kTop[] = {
    {"organizationId", "organization.id"},       {"environmentId", "gravitee.environmentId"},
    {"transactionId", "transaction.id"},         {"nodeId", "host.id"},
    {"referenceType", "gravitee.referenceType"}, {"referenceId", "gravitee.referenceId"},
};
constexpr FieldSource kAccessPoint[] = {
    {"id", "gravitee.accessPoint.id"},
    {"alternativeId", "gravitee.accessPoint.alternativeId"},
    {"displayName", "gravitee.accessPoint.displayName"},
    {"ipAddress", "source.ip"},
    {"userAgent", "user_agent.original"},
};
constexpr FieldSource kActor[] = {
    {"id", "user.id"},
    {"alternativeId", "user.name"},
    {"type", "gravitee.actor.type"},
    {"displayName", "user.full_name"},
    {"referenceType", "gravitee.actor.referenceType"},
    {"referenceId", "gravitee.actor.referenceId"},
};
constexpr FieldSource kTarget[] = {
    {"id", "entity.target.id"},
    {"alternativeId", "entity.target.name"},
    {"type", "gravitee.target.type"},
    {"displayName", "entity.target.display_name"},
    {"referenceType", "gravitee.target.referenceType"},
    {"referenceId", "gravitee.target.referenceId"},
};

class GraviteeLine {
 public:
  GraviteeLine(const ParsedEvent& ev, const Enrichment& en, std::string& out) : ev_(ev), en_(en), out_(out) {}

  void write() {
    out_.append("{\"_type\":\"audit\",\"@timestamp\":");
    append_json_string(out_, en_.timestamp);
    // The index date, yyyy.MM.dd, of @timestamp (traild writes UTC).
    std::string date(en_.timestamp.substr(0, 10));
    for (char& c : date)
      if (c == '-') c = '.';
    out_.append(",\"date\":");
    append_json_string(out_, date);
    out_.append(",\"event_id\":");
    append_json_string(out_, en_.id);
    out_.append(",\"event_type\":");
    if (!scalar("event.action")) out_.append("null");
    for (const FieldSource& f : kTop) field(f, true);
    out_.append(",\"nodeHostname\":");
    if (!scalar("host.hostname")) append_json_string(out_, en_.hostname);
    const std::string_view status = outcome_status();
    if (!status.empty()) {
      out_.append(",\"status\":\"").append(status).append("\"");
    }
    if (!status.empty() || scalar_at("message") != kNoNode) {
      out_.append(",\"outcome\":{");
      bool after = false;
      if (!status.empty()) {
        out_.append("\"status\":\"").append(status).append("\"");
        after = true;
      }
      field({"message", "message"}, after);
      out_.push_back('}');
    }
    object("accessPoint", kAccessPoint);
    object("actor", kActor);
    object("target", kTarget);
    out_.append("}\n");
  }

 private:
  // The scalar node at `path`, or kNoNode (absent, or an object or array).
  uint32_t scalar_at(std::string_view path) const {
    const uint32_t n = find_node(ev_, path);
    return n != kNoNode && ev_.nodes[n].kind == TreeNode::Kind::Scalar ? n : kNoNode;
  }

  // Appends the scalar at `path`; false (nothing appended) when there is none.
  bool scalar(std::string_view path) {
    const uint32_t n = scalar_at(path);
    if (n == kNoNode) return false;
    append_scalar_json(ev_, n, out_);
    return true;
  }

  // Appends `,"key":value` (or `"key":value` when !after_first) if the source is present.
  bool field(const FieldSource& f, bool after_first) {
    const uint32_t n = scalar_at(f.path);
    if (n == kNoNode) return false;
    if (after_first) out_.push_back(',');
    append_json_string(out_, f.key);
    out_.push_back(':');
    append_scalar_json(ev_, n, out_);
    return true;
  }

  template <size_t N>
  void object(std::string_view name, const FieldSource (&fields)[N]) {
    const size_t mark = out_.size();
    out_.append(",\"").append(name).append("\":{");
    bool any = false;
    for (const FieldSource& f : fields) any = field(f, any) || any;
    if (!any) {
      out_.resize(mark);
      return;
    }
    out_.push_back('}');
  }

  std::string_view outcome_status() {
    const uint32_t n = scalar_at("event.outcome");
    if (n == kNoNode || !ev_.nodes[n].value.is_string()) return {};
    const std::string_view v = ev_.nodes[n].value.string;
    if (v == "success") return "SUCCESS";
    if (v == "failure") return "FAILURE";
    return {};
  }

  const ParsedEvent& ev_;
  const Enrichment& en_;
  std::string& out_;
};

}  // namespace

void format_gravitee_line(const ParsedEvent& event, const Enrichment& enrichment, std::string& out) {
  GraviteeLine(event, enrichment, out).write();
}

}  // namespace traild
