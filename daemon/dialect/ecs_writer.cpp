#include "daemon/dialect/ecs_writer.hpp"

#include <openssl/evp.h>

#include <cstring>

#include "common/hex.hpp"
#include "common/json_escape.hpp"
#include "daemon/event_parser.hpp"

namespace traild::dialect {

EcsWriter::EcsWriter(std::string& out) : out_(out) {
  out_.clear();
  out_.push_back('{');
}

void EcsWriter::key(std::string_view k) {
  if (!first_) out_.push_back(',');
  first_ = false;
  append_json_string(out_, k);
  out_.push_back(':');
}

void EcsWriter::key(std::string_view ns, std::string_view k) {
  std::string dotted;
  dotted.reserve(ns.size() + 1 + k.size());
  dotted.append(ns).append(".").append(k);
  key(dotted);
}

void EcsWriter::string(std::string_view k, std::string_view v) {
  key(k);
  append_json_string(out_, v);
}

void EcsWriter::integer(std::string_view k, int64_t v) {
  key(k);
  append_int(out_, v);
}

void EcsWriter::strings(std::string_view k, std::initializer_list<std::string_view> values) {
  key(k);
  out_.push_back('[');
  bool first = true;
  for (std::string_view v : values) {
    if (!first) out_.push_back(',');
    first = false;
    append_json_string(out_, v);
  }
  out_.push_back(']');
}

void EcsWriter::value(std::string_view k, simdjson::dom::element v) {
  key(k);
  out_.append(simdjson::minify(v));
}

void EcsWriter::custom(std::string_view ns, std::string_view k, simdjson::dom::element v) {
  key(ns, k);
  out_.append(simdjson::minify(v));
}

void EcsWriter::finish() { out_.push_back('}'); }

std::optional<std::string_view> text(simdjson::dom::element v) {
  std::string_view s;
  if (v.get_string().get(s) || s.empty()) return std::nullopt;
  return s;
}

std::optional<std::string> id_text(simdjson::dom::element v) {
  if (auto s = text(v)) return std::string(*s);
  int64_t i;
  if (!v.get_int64().get(i)) return std::to_string(i);
  uint64_t u;
  if (!v.get_uint64().get(u)) return std::to_string(u);
  return std::nullopt;
}

bool is_null(simdjson::dom::element v) { return v.is_null(); }

std::string quoted_preview(std::string_view s) {
  constexpr size_t kPreview = 40;
  std::string out;
  append_json_preview(out, s, kPreview);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

void map_client(simdjson::dom::object client, std::string_view ip_key, std::string_view agent_key,
                std::string_view ns, EcsWriter& w) {
  for (auto [key, v] : client) {
    auto s = text(v);
    if (key == ip_key && s) {
      w.string(is_ip_address(*s) ? "source.ip" : "source.address", *s);  // kept as written either way
    } else if (key == agent_key && s) {
      w.string("user_agent.original", *s);
    } else if (!is_null(v)) {
      w.custom(ns, key, v);
    }
  }
}

std::optional<std::string_view> ecs_entity_type(std::string_view t) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {"user", "user"},         {"users", "user"},           {"app", "application"},
      {"application", "application"}, {"applications", "application"}, {"client", "application"},
      {"node", "host"},         {"machine", "host"},         {"host", "host"},
      {"cluster", "orchestrator"}, {"service", "service"},  {"database", "database"},
      {"bucket", "bucket"},     {"container", "container"}, {"queue", "queue"},
      {"session", "session"},   {"function", "function"}};
  for (auto [source, ecs] : kTypes)
    if (iequals(t, source)) return ecs;
  return std::nullopt;
}

void finish_event(EcsWriter& w, std::string_view dialect, std::string_view instance, Category c,
                  const std::optional<std::string>& record_id, std::initializer_list<std::string_view> id_parts) {
  if (!c.category.empty()) {
    w.strings("event.category", {c.category});
    w.strings("event.type", {c.type});
  }
  w.string("event.module", dialect);
  w.string("event.dataset", std::string(dialect) + ".audit");
  if (record_id) w.string("event.id", derived_event_id(dialect, instance, id_parts));
}

std::string derived_event_id(std::string_view dialect, std::string_view instance,
                             std::initializer_list<std::string_view> parts) {
  std::string id(dialect);
  if (!instance.empty()) id.append("-").append(instance);
  for (std::string_view p : parts) id.append("-").append(p);
  if (is_valid_event_id(id)) return id;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(id.data(), id.size(), digest, &len, EVP_sha256(), nullptr);
  std::string hashed(dialect);
  hashed.append("-sha256-");
  const size_t at = hashed.size();
  hashed.resize(at + 2 * len);
  hex_encode(digest, len, hashed.data() + at);
  return hashed;
}

}  // namespace traild::dialect
