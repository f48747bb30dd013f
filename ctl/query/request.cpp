#include "ctl/query/request.hpp"

#include <map>

#include "ctl/query/time_arg.hpp"

namespace traild::ctl {
namespace {

constexpr size_t kDefaultLimit = 50;
constexpr size_t kMaxLimit = 1000;
constexpr int64_t kDefaultWindowMs = 30LL * 86'400'000;  // Run:ai's screen shows 30 days

// Shortcuts test one or more fields with ==.
const std::map<std::string, std::vector<std::string>>& shortcuts() {
  static const std::map<std::string, std::vector<std::string>> kShortcuts = {
      {"actor", {"user.id", "user.name"}},
      {"action", {"event.action"}},
      {"category", {"event.category"}},
      {"target", {"entity.target.id", "entity.target.name"}},
      {"tenant", {"organization.id"}},
      {"session", {"salt.session_uuid", "transaction.id"}},
      {"source-ip", {"source.ip"}},
      {"level", {"log.level"}},
  };
  return kShortcuts;
}

bool parse_count(const std::string& v, size_t& out) {
  size_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9' || n > SIZE_MAX / 10 - 1) return false;
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  out = n;
  return !v.empty();
}

std::optional<bool> parse_flag(const std::string& v) {
  if (v.empty() || v == "true" || v == "1") return true;
  if (v == "false" || v == "0") return false;
  return std::nullopt;
}

std::vector<std::string> split_fields(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    std::string f = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!f.empty()) out.push_back(f);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

const std::vector<std::string>& query_param_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names = {"all", "reverse", "failed", "outcome", "min-duration", "max-duration",
                                      "where", "since", "until", "limit", "offset", "page", "after", "before",
                                      "sort", "format", "fields"};
    for (const auto& [name, paths] : shortcuts()) names.push_back(name);
    return names;
  }();
  return kNames;
}

std::optional<QueryRequest> parse_query_request(const std::vector<QueryParam>& params, QueryPurpose purpose,
                                                int64_t now_ms, const std::string& option_prefix, std::string& error) {
  QueryRequest r;
  QueryOptions& q = r.options;
  std::string format = "json", since, until, after, before;  // cursors are decoded once the sort is known
  bool all = false, have_offset = false;
  std::optional<size_t> limit, page;
  auto fail = [&](const std::string& why) -> std::optional<QueryRequest> {
    error = why;
    return std::nullopt;
  };
  for (const auto& [name, v] : params) {
    const std::string opt = option_prefix + name;
    if (name == "all" || name == "reverse" || name == "failed") {
      auto on = parse_flag(v);
      if (!on) return fail(opt + " takes true or false; got \"" + v + "\"");
      if (!*on) continue;
      r.description += " " + opt;
      if (name == "all") all = true;
      if (name == "reverse") q.reverse = true;
      if (name == "failed") q.filters.push_back(Filter{{"event.outcome"}, FilterOp::Eq, "failure"});
      continue;
    }
    r.description += " " + opt + " " + v;
    size_t n = 0;
    if (auto s = shortcuts().find(name); s != shortcuts().end()) {
      q.filters.push_back(Filter{s->second, FilterOp::Eq, v});
    } else if (name == "outcome") {
      if (v != "success" && v != "failure" && v != "unknown") return fail(opt + " must be success, failure or unknown");
      q.filters.push_back(Filter{{"event.outcome"}, FilterOp::Eq, v});
    } else if (name == "min-duration" || name == "max-duration") {
      auto ns = parse_duration_ns(v);
      if (!ns) return fail(opt + ": expected a duration (500ms, 2s, 5m) or milliseconds; got \"" + v + "\"");
      q.filters.push_back(Filter{{"event.duration"}, name == "min-duration" ? FilterOp::Ge : FilterOp::Le,
                                 std::to_string(*ns)});
    } else if (name == "where") {
      auto f = parse_where(v, error);
      if (!f) return fail(opt + ": " + error);
      q.filters.push_back(std::move(*f));
    } else if (name == "since") {
      since = v;
    } else if (name == "until") {
      until = v;
    } else if (name == "limit") {
      if (!parse_count(v, n) || n == 0) return fail(opt + " must be a positive number");
      if (n > kMaxLimit) return fail(opt + " is at most " + std::to_string(kMaxLimit) + " (export to get everything)");
      limit = n;
    } else if (name == "offset") {
      if (!parse_count(v, n)) return fail(opt + " must be a number");
      q.offset = n;
      have_offset = true;
    } else if (name == "page") {
      if (!parse_count(v, n)) return fail(opt + " must be a number (pages count from 0)");
      page = n;
    } else if (name == "after" || name == "before") {
      (name == "after" ? after : before) = v;
    } else if (name == "sort") {
      if (!known_field(v)) return fail(opt + ": unknown field \"" + v + "\"");
      q.sort_field = v;
    } else if (name == "format") {
      format = v;
    } else if (name == "fields") {
      r.fields = split_fields(v);
      for (const auto& f : r.fields)
        if (!known_field(f)) return fail(opt + ": unknown field \"" + f + "\"");
    } else {
      return fail("unknown option '" + opt + "'");
    }
  }
  static const std::map<std::string, OutputFormat> kFormats = {
      {"json", OutputFormat::Json}, {"jsonl", OutputFormat::Jsonl}, {"csv", OutputFormat::Csv}, {"table", OutputFormat::Table}};
  auto fmt = kFormats.find(format);
  if (fmt == kFormats.end()) return fail(option_prefix + "format must be json, jsonl, csv or table");
  r.format = fmt->second;
  if (have_offset && page) return fail(option_prefix + "offset and " + option_prefix + "page cannot be combined");
  if (!after.empty() && !before.empty())
    return fail(option_prefix + "after and " + option_prefix + "before cannot be combined");
  if (!after.empty() && !(q.after = decode_cursor(q.sort_field, after)))
    return fail(option_prefix + "after: not a cursor of a query sorted by " + q.sort_field);
  if (!before.empty() && !(q.before = decode_cursor(q.sort_field, before)))
    return fail(option_prefix + "before: not a cursor of a query sorted by " + q.sort_field);
  if (!since.empty() && !(q.since_ms = parse_time_arg(since, now_ms, error))) return fail(option_prefix + "since: " + error);
  if (!until.empty() && !(q.until_ms = parse_time_arg(until, now_ms, error))) return fail(option_prefix + "until: " + error);
  if (since.empty() && !all) q.since_ms = now_ms - kDefaultWindowMs;
  // A page unless exporting: an export holds every match (or an explicit limit).
  if (purpose == QueryPurpose::Page || limit) q.limit = limit.value_or(kDefaultLimit);
  if (page) {
    if (!q.limit) return fail(option_prefix + "page needs " + option_prefix + "limit when exporting");
    q.offset = *page * *q.limit;
  }
  if (!r.description.empty()) r.description.erase(0, 1);
  return r;
}

}  // namespace traild::ctl
