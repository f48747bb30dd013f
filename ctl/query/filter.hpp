// Filters of trailctl query: --where 'FIELD OP VALUE' with Run:ai's operator set, and the
// shortcuts (--actor, --target, ...) that test one or more fields the same way.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace traild::ctl {

enum class FilterOp { Eq, Ne, Contains, NotContains, Prefix, Suffix, Lt, Le, Gt, Ge };

struct Filter {
  std::vector<std::string> paths;  // the event matches if any of these fields does
  FilterOp op = FilterOp::Eq;
  std::string value;

  // == must match the whole value; an array field matches when one element does (for != and
  // !@: when none does); a missing field matches only != and !@. Numbers compare as numbers,
  // RFC 3339 times as times, other strings byte-wise.
  bool matches(simdjson::dom::element event) const;

  // Text every matching trail line contains as it is (traild escapes only quotes,
  // backslashes and control characters), so a line without it can be skipped unparsed; ""
  // when there is no such text (negative or ordering operators, numbers, escaped text).
  std::string required_text() const;
};

// Parses 'FIELD OP VALUE' (OP one of == != =@ !@ =^ =$ < <= > >=). Returns nullopt with
// `error` naming the problem (no operator, an unknown field), for the caller to prefix
// with the option's name.
std::optional<Filter> parse_where(std::string_view text, std::string& error);

// Whether traild can write a field of this dotted name: an ECS field (or inside an ECS
// object that leaves its content open, like labels), or one of traild's custom fields.
bool known_field(std::string_view path);

// The value at a dotted path of a trail line, or nullopt.
std::optional<simdjson::dom::element> field_at(simdjson::dom::element event, std::string_view path);

}  // namespace traild::ctl
