// MAAS audit events (`maas $PROFILE events query level=AUDIT`): username, node, hostname, id,
// level, created, type, description. See docs/dialects.md for the mapping table.
#include <ctime>

#include "common/clock.hpp"
#include "daemon/dialect/mappers.hpp"

namespace traild::dialect {
namespace {

constexpr std::string_view kNs = "maas";

bool read_uint(std::string_view& s, size_t min_digits, size_t max_digits, unsigned& out) {
  size_t n = 0;
  unsigned v = 0;
  while (n < s.size() && n < max_digits && s[n] >= '0' && s[n] <= '9') v = v * 10 + static_cast<unsigned>(s[n++] - '0');
  if (n < min_digits) return false;
  s.remove_prefix(n);
  out = v;
  return true;
}

bool expect(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

void skip_spaces(std::string_view& s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
}

// Month names as MAAS prints them: "Feb.", "Apr.", "May", "Sept.", "March": the first three
// letters decide.
unsigned read_month(std::string_view& s) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  size_t n = 0;
  while (n < s.size() && ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z'))) ++n;
  if (n < 3) return 0;
  unsigned month = 0;
  for (unsigned i = 0; i < 12; ++i)
    if (iequals(s.substr(0, 3), kMonths[i])) month = i + 1;
  s.remove_prefix(n);
  if (!s.empty() && s.front() == '.') s.remove_prefix(1);
  return month;
}

// event.action from the description where MAAS's wording says what happened, else from the
// type: "User 'x' logged in." -> user-login; "Started deploying 'm'." -> started-deploying.
std::string action_from(std::string_view type, std::string_view description) {
  auto contains = [&](std::string_view what) {
    for (size_t i = 0; i + what.size() <= description.size(); ++i)
      if (iequals(description.substr(i, what.size()), what)) return true;
    return false;
  };
  if (contains("logged in")) return "user-login";
  if (contains("logged out")) return "user-logout";
  std::string action;
  std::string_view head = description.substr(0, description.find_first_of("'\""));
  size_t words = 0;
  std::string word;
  auto flush = [&] {
    if (word.empty()) return;
    static constexpr std::string_view kStop[] = {"for", "on", "to", "of", "from", "in", "with", "by"};
    bool stop = false;
    for (auto s : kStop) stop |= word == s;
    if (!stop && words < 4) {
      if (!action.empty()) action.push_back('-');
      action += word;
      ++words;
    } else if (stop) {
      words = 4;  // what follows a preposition names the object, not the action
    }
    word.clear();
  };
  for (char c : head) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  if (!action.empty()) return action;
  for (char c : type) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    action.push_back((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-');
  }
  return action.empty() ? "maas-event" : action;
}

Category category_of(std::string_view maas_type, std::string_view action) {
  if (iequals(maas_type, "Authorisation")) {
    if (action == "user-login") return {"authentication", "start"};
    if (action == "user-logout") return {"authentication", "end"};
    return {"iam", "change"};
  }
  if (iequals(maas_type, "Settings") || iequals(maas_type, "Zones") || iequals(maas_type, "Tag"))
    return {"configuration", "change"};
  if (iequals(maas_type, "Networking")) return {"network", "info"};  // ECS allows no "change" here
  if (iequals(maas_type, "Images")) return {"package", "change"};
  if (iequals(maas_type, "Pod") || iequals(maas_type.substr(0, 4), "Node")) return {"host", "change"};
  return {};
}

}  // namespace

std::optional<int64_t> parse_maas_time(std::string_view s, ZoneRule zone) {
  skip_spaces(s);
  // An optional weekday: "Thu, ".
  if (size_t comma = s.find(','); comma != std::string_view::npos && comma <= 9) {
    s.remove_prefix(comma + 1);
    skip_spaces(s);
  }
  unsigned day, year, hour, minute, second = 0;
  if (!read_uint(s, 1, 2, day)) return std::nullopt;
  skip_spaces(s);
  unsigned month = read_month(s);
  if (month == 0) return std::nullopt;
  skip_spaces(s);
  if (!read_uint(s, 4, 4, year)) return std::nullopt;
  skip_spaces(s);
  if (!read_uint(s, 1, 2, hour) || !expect(s, ':') || !read_uint(s, 2, 2, minute)) return std::nullopt;
  if (!s.empty() && s.front() == ':' && (s.remove_prefix(1), !read_uint(s, 2, 2, second))) return std::nullopt;
  skip_spaces(s);
  if (!s.empty() || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  int64_t days = days_from_civil(year, month, day);
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (m != month || d != day) return std::nullopt;  // 31 Feb and the like
  int64_t wall = days * 86400 + hour * 3600 + minute * 60 + (second == 60 ? 59 : second);
  if (!zone.local) return (wall - zone.offset_minutes * 60LL) * 1000;
  std::tm tm{};
  tm.tm_year = static_cast<int>(year) - 1900;
  tm.tm_mon = static_cast<int>(month) - 1;
  tm.tm_mday = static_cast<int>(day);
  tm.tm_hour = static_cast<int>(hour);
  tm.tm_min = static_cast<int>(minute);
  tm.tm_sec = static_cast<int>(second == 60 ? 59 : second);
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<int64_t>(t) * 1000;
}

bool map_maas(simdjson::dom::object r, const DialectContext& ctx, EcsWriter& w, std::string& error) {
  std::string_view type, description;
  std::optional<int64_t> when;
  std::optional<std::string> id;
  std::optional<std::string_view> node, hostname;
  for (auto [key, v] : r) {
    if (key == "created") {
      auto s = text(v);
      if (!s) return fail(error, "maas: created must be a date string like \"Thu, 01 Feb. 2018 22:28:18\"");
      when = parse_maas_time(*s, ctx.maas_zone);
      if (!when) return fail(error, "maas: created " + quoted_preview(*s) +
                                       " is not a MAAS date like \"Thu, 01 Feb. 2018 22:28:18\"");
      w.custom(kNs, key, v);
    } else if (key == "type" && text(v)) {
      type = *text(v);
      w.custom(kNs, key, v);
    } else if (key == "description" && text(v)) {
      description = *text(v);
      w.string("message", description);
    } else if (key == "username" && text(v)) {
      w.string("user.name", *text(v));
    } else if (key == "level" && text(v)) {
      w.string("log.level", *text(v));
    } else if (key == "id" && id_text(v)) {
      id = id_text(v);
      w.custom(kNs, key, v);
    } else if (key == "node" && text(v)) {
      node = text(v);
      w.string("entity.target.id", *node);
    } else if (key == "hostname" && text(v)) {
      hostname = text(v);
      w.custom(kNs, key, v);  // kept as MAAS wrote it; "unknown" is not a machine's name
    } else if (!is_null(v)) {
      w.custom(kNs, key, v);
    }
  }
  if (!when) return fail(error, "maas: required field created is missing");
  if (type.empty()) return fail(error, "maas: required field type (the event type, e.g. \"Authorisation\") is missing");
  if (hostname && *hostname != "unknown") w.string("entity.target.name", *hostname);
  if (node || (hostname && *hostname != "unknown")) w.string("entity.target.type", "host");
  w.string("@timestamp", rfc3339_ms(*when));
  const std::string action = action_from(type, description);
  w.string("event.action", action);
  finish_event(w, "maas", ctx.instance, category_of(type, action), id, {id ? *id : ""});
  return true;
}

}  // namespace traild::dialect
