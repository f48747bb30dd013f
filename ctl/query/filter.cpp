#include "ctl/query/filter.hpp"

#include <charconv>
#include <cmath>

#include "common/clock.hpp"
#include "daemon/ecs_schema.hpp"
#include "reporters/custom_fields.hpp"

namespace traild::ctl {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

struct OpName {
  std::string_view text;
  FilterOp op;
};
// Two-character operators first, so "<=" is not read as "<".
constexpr OpName kOps[] = {{"==", FilterOp::Eq},     {"!=", FilterOp::Ne},     {"=@", FilterOp::Contains},
                           {"!@", FilterOp::NotContains}, {"=^", FilterOp::Prefix}, {"=$", FilterOp::Suffix},
                           {"<=", FilterOp::Le},     {">=", FilterOp::Ge},     {"<", FilterOp::Lt},
                           {">", FilterOp::Gt}};

bool field_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '@' || c == '-';
}

std::optional<double> as_number(std::string_view s) {
  double d = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

// -1, 0, 1 comparing a field's text with the filter's: as times when both are RFC 3339.
int compare_text(std::string_view field, std::string_view value) {
  auto a = parse_rfc3339(field), b = parse_rfc3339(value);
  if (a && b) {
    if (a->seconds != b->seconds) return a->seconds < b->seconds ? -1 : 1;
    return a->nanos == b->nanos ? 0 : (a->nanos < b->nanos ? -1 : 1);
  }
  int c = field.compare(value);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

bool ordered(FilterOp op, int c) {
  switch (op) {
    case FilterOp::Lt: return c < 0;
    case FilterOp::Le: return c <= 0;
    case FilterOp::Gt: return c > 0;
    case FilterOp::Ge: return c >= 0;
    default: return false;
  }
}

// A positive test (every op but != and !@) of one scalar.
bool scalar_matches(element v, FilterOp op, std::string_view value) {
  std::string text;
  double number = 0;
  bool numeric = false;
  switch (v.type()) {
    case element_type::STRING: text = std::string(v.get_string().value_unsafe()); break;
    case element_type::INT64:
      number = static_cast<double>(v.get_int64().value_unsafe());
      text = std::to_string(v.get_int64().value_unsafe());
      numeric = true;
      break;
    case element_type::UINT64:
      number = static_cast<double>(v.get_uint64().value_unsafe());
      text = std::to_string(v.get_uint64().value_unsafe());
      numeric = true;
      break;
    case element_type::DOUBLE:
      number = v.get_double().value_unsafe();
      text = simdjson::minify(v);
      numeric = true;
      break;
    case element_type::BOOL: text = v.get_bool().value_unsafe() ? "true" : "false"; break;
    default: return false;  // null, objects
  }
  const auto filter_number = numeric ? as_number(value) : std::nullopt;
  switch (op) {
    case FilterOp::Eq:
    case FilterOp::Ne: return filter_number ? number == *filter_number : text == value;
    case FilterOp::Contains:
    case FilterOp::NotContains: return text.find(value) != std::string::npos;
    case FilterOp::Prefix: return text.starts_with(value);
    case FilterOp::Suffix: return text.ends_with(value);
    default:
      if (filter_number) return ordered(op, number < *filter_number ? -1 : (number > *filter_number ? 1 : 0));
      return ordered(op, compare_text(text, value));
  }
}

bool any_matches(std::optional<element> v, FilterOp op, std::string_view value) {
  if (!v) return false;
  simdjson::dom::array a;
  if (!v->get_array().get(a)) {
    for (element e : a)
      if (scalar_matches(e, op, value)) return true;
    return false;
  }
  return scalar_matches(*v, op, value);
}

}  // namespace

std::optional<element> field_at(element event, std::string_view path) {
  element v = event;
  while (!path.empty()) {
    const size_t dot = path.find('.');
    simdjson::dom::object o;
    if (v.get_object().get(o)) return std::nullopt;
    // A key may itself hold dots where the producer's object was open (labels, flattened
    // fields): try the longest remaining key first, then shorter segments.
    element next;
    if (!o.at_key(path).get(next)) return next;
    if (dot == std::string_view::npos || o.at_key(path.substr(0, dot)).get(next)) return std::nullopt;
    v = next;
    path.remove_prefix(dot + 1);
  }
  return v;
}

bool Filter::matches(element event) const {
  const bool negative = op == FilterOp::Ne || op == FilterOp::NotContains;
  bool any = false;
  for (const auto& p : paths) any = any || any_matches(field_at(event, p), op, value);
  return negative ? !any : any;
}

std::string Filter::required_text() const {
  if (op != FilterOp::Eq && op != FilterOp::Contains && op != FilterOp::Prefix && op != FilterOp::Suffix) return "";
  if (value.empty() || as_number(value)) return "";  // 1e3 == 1000: numbers match by value, not text
  for (unsigned char c : value)
    if (c == '"' || c == '\\' || c < 0x20 || c == 0x7f) return "";
  return value;
}

bool known_field(std::string_view path) {
  for (const auto& c : kCustomFields)
    if (path == c.name || (path.size() > c.name.size() && path.substr(0, c.name.size()) == c.name &&
                           path[c.name.size()] == '.'))
      return true;
  const ecs::Node* node = ecs::root();
  while (!path.empty()) {
    const size_t dot = path.find('.');
    node = ecs::child(node, path.substr(0, dot));
    if (node == nullptr) return false;
    if (dot == std::string_view::npos) return true;
    // Below a flattened field or an open object (labels), any name is the producer's.
    if (node->type == ecs::FieldType::Flattened || (node->is_field && node->child_count == 0)) return true;
    path.remove_prefix(dot + 1);
  }
  return true;
}

std::optional<Filter> parse_where(std::string_view text, std::string& error) {
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  const size_t start = i;
  while (i < text.size() && field_char(text[i])) ++i;
  Filter f;
  const std::string field(text.substr(start, i - start));
  while (i < text.size() && text[i] == ' ') ++i;
  const OpName* op = nullptr;
  for (const auto& o : kOps)
    if (text.substr(i, o.text.size()) == o.text) {
      op = &o;
      break;
    }
  if (field.empty() || op == nullptr) {
    error = "'" + std::string(text) + "': expected 'FIELD OP VALUE' with OP one of == != =@ !@ =^ =$ < <= > >=";
    return std::nullopt;
  }
  if (!known_field(field)) {
    error = "unknown field \"" + field + "\" (not an ECS field, nor one of traild's or a dialect's)";
    return std::nullopt;
  }
  i += op->text.size();
  while (i < text.size() && text[i] == ' ') ++i;
  std::string_view value = text.substr(i);
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  f.paths = {field};
  f.op = op->op;
  f.value = std::string(value);
  return f;
}

}  // namespace traild::ctl
