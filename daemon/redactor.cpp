#include "daemon/redactor.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>


#include "common/hex.hpp"
#include "common/json_escape.hpp"

namespace traild {
namespace {

constexpr std::string_view kRedacted = "\"[REDACTED]\"";

void to_lower(std::string_view in, std::string& out) {
  out.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) out[i] = static_cast<char>(Redactor::lower_byte(in[i]));
}

}  // namespace

Redactor::Redactor(const RedactConfig& config) : hmac_(config.hmac), key_(config.key) {
  std::string lower;
  for (const auto& f : config.fields) {
    to_lower(f, lower);
    if (lower.find('.') == std::string::npos) {
      names_.insert(lower);
      if (lower.empty()) continue;
      if (name_starts_.size() <= lower.size()) name_starts_.resize(lower.size() + 1);
      name_starts_[lower.size()].set(static_cast<unsigned char>(lower[0]));
    } else {
      paths_.insert(lower);
    }
  }
}

bool Redactor::matches(std::string_view key, std::string_view path) {
  if (may_be_name(key)) {
    to_lower(key, lower_);
    if (names_.count(lower_)) return true;
  }
  if (paths_.empty()) return false;
  to_lower(path, lower_);
  return paths_.count(lower_) > 0;
}

void Redactor::replacement(const TreeNode& node, std::string& out) {
  // Objects and arrays are always "[REDACTED]": correlation is for single values.
  if (!hmac_ || node.kind != TreeNode::Kind::Scalar) {
    out.assign(kRedacted);
    return;
  }
  std::string_view value = node.value.string;
  if (!node.value.is_string()) {
    scratch_ = node.value.text();  // numbers and booleans hash as their JSON text
    value = scratch_;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(value.data()),
       value.size(), mac, &len);
  out.assign("\"hmac-sha256:");
  const size_t at = out.size();
  out.resize(at + 2 * len);
  hex_encode(mac, len, out.data() + at);
  out.push_back('"');
}

// The dotted path of `node` from its ancestors' keys (array elements add none), as visit()
// builds it when configured paths need it on every step.
void Redactor::visit(ParsedEvent& event, uint32_t node, std::string& path) {
  // Without configured paths only names are matched: a key is looked at only when
  // may_be_name says it could match, and `path` stays empty, built only for the few fields
  // redacted (keeping it up to date at every step was half of the cost; calling matches()
  // and resizing `path` for every key cost more than the check).
  const bool track_path = !paths_.empty();
  for (uint32_t c = event.nodes[node].first_child; c != kNoNode; c = event.nodes[c].next_sibling) {
    TreeNode& n = event.nodes[c];
    const size_t mark = path.size();
    if (!n.key.empty()) {
      if (track_path) {
        if (!path.empty()) path.push_back('.');
        path.append(n.key);
      }
      if (!n.omit && (track_path || may_be_name(n.key)) && matches(n.key, path)) {
        redact(event, c, track_path ? std::string_view(path) : std::string_view(path_of_node(event, c)));
        if (track_path) path.resize(mark);
        continue;  // nothing below a redacted value is written
      }
    }
    if (n.kind != TreeNode::Kind::Scalar) visit(event, c, path);
    if (track_path) path.resize(mark);
  }
}

void Redactor::redact(ParsedEvent& event, uint32_t node, std::string_view path) {
  TreeNode& n = event.nodes[node];
  n.redaction = static_cast<uint32_t>(event.redactions.size());
  event.redactions.emplace_back();
  replacement(n, event.redactions.back());
  event.redacted_paths.emplace_back(path);
}

void Redactor::remember(const ParsedEvent& event) {
  KnownShape& shape = shapes_[next_shape_];
  next_shape_ = (next_shape_ + 1) % kShapes;
  shape.id = event.shape_id;
  shape.paths = event.redacted_paths;
  shape.nodes.assign(event.redactions.size(), kNoNode);
  for (uint32_t i = 0; i < event.nodes.size(); ++i)
    if (event.nodes[i].redaction != kNoNode) shape.nodes[event.nodes[i].redaction] = i;
}

void Redactor::apply(ParsedEvent& event) {
  if (!enabled()) return;
  if (event.shape_id != 0) {
    for (const KnownShape& shape : shapes_) {
      if (shape.id != event.shape_id) continue;
      for (size_t i = 0; i < shape.nodes.size(); ++i) redact(event, shape.nodes[i], shape.paths[i]);
      ++reused_;
      return;
    }
  }
  std::string path;
  visit(event, 0, path);
  if (event.shape_id != 0) remember(event);
}

}  // namespace traild
