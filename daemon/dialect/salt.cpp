// VMware Salt (SaltStack Config) audit records from get_audit: id, start_time, end_time,
// event_type, event_name, username, account_uuid, session_uuid, failed, event_data,
// elapsed_msec. See docs/dialects.md for the mapping table.
#include "common/clock.hpp"
#include "daemon/dialect/mappers.hpp"

namespace traild::dialect {
namespace {

constexpr std::string_view kNs = "salt";

// Salt writes ISO 8601 in UTC, usually with "+00:00"; a time without a zone is read as UTC.
std::optional<Instant> salt_time(std::string_view s) {
  if (auto t = parse_rfc3339(s)) return t;
  std::string zoned(s);
  zoned.push_back('Z');
  return parse_rfc3339(zoned);
}

Category category_of(std::string_view event_type, std::string_view event_name) {
  if (event_type == "auth") return {"authentication", event_name == "login" ? "start" : event_name == "logout" ? "end" : "info"};
  if (event_type == "rpc") return {"api", "access"};
  if (event_type == "task") return {"process", "info"};
  if (event_type == "system")
    return {"host", event_name == "startup" ? "start" : event_name == "shutdown" ? "end" : "info"};
  return {};
}

}  // namespace

bool map_salt(simdjson::dom::object r, const DialectContext& ctx, EcsWriter& w, std::string& error) {
  std::optional<std::string> id;
  std::optional<Instant> start, end;
  std::string_view event_type, event_name;
  std::optional<int64_t> elapsed_msec;
  for (auto [key, v] : r) {
    auto s = text(v);
    if (key == "start_time" || key == "end_time") {
      if (is_null(v)) continue;
      auto t = s ? salt_time(*s) : std::nullopt;
      if (!t) return fail(error, "salt: " + std::string(key) + " must be an ISO 8601 date-time like "
                                 "\"2019-06-05T21:12:53.190506+00:00\"");
      (key == "start_time" ? start : end) = t;
      const std::string iso = std::string(*s) + (parse_rfc3339(*s) ? "" : "Z");
      w.string(key == "start_time" ? "event.start" : "event.end", iso);
      if (key == "start_time") w.string("@timestamp", iso);
    } else if (key == "event_type" && s) {
      event_type = *s;
      w.custom(kNs, key, v);
    } else if (key == "event_name" && s) {
      event_name = *s;
      w.string("event.action", event_name);
    } else if (key == "username" && s) {
      w.string("user.name", *s);
    } else if (key == "account_uuid" && s) {
      w.string("user.id", *s);
    } else if (key == "failed" && v.is_bool()) {
      w.string("event.outcome", v.get_bool().value_unsafe() ? "failure" : "success");
    } else if (key == "id" && id_text(v)) {
      id = id_text(v);
      w.custom(kNs, key, v);
    } else if (key == "event_data" && v.is_object()) {
      simdjson::dom::element note;
      if (!v.get_object().value_unsafe().at_key("note").get(note) && text(note)) w.string("message", *text(note));
      w.custom(kNs, key, v);
    } else if (key == "elapsed_msec" && v.is_int64()) {
      elapsed_msec = v.get_int64().value_unsafe();
      w.custom(kNs, key, v);
    } else if (!is_null(v)) {
      w.custom(kNs, key, v);  // session_uuid among them: ECS has no session id field
    }
  }
  if (!start) return fail(error, "salt: required field start_time is missing");
  if (event_type.empty()) return fail(error, "salt: required field event_type (system, auth, rpc, task) is missing");
  if (event_name.empty()) return fail(error, "salt: required field event_name is missing");
  // event.duration in nanoseconds, when it fits a long (anything over 292 years does not).
  int64_t ns = 0;
  if (end) {
    const int64_t secs = end->seconds - start->seconds;
    if (!__builtin_mul_overflow(secs, int64_t{1'000'000'000}, &ns) &&
        !__builtin_add_overflow(ns, static_cast<int64_t>(end->nanos) - static_cast<int64_t>(start->nanos), &ns) &&
        ns >= 0)
      w.integer("event.duration", ns);
  } else if (elapsed_msec && *elapsed_msec >= 0 && !__builtin_mul_overflow(*elapsed_msec, int64_t{1'000'000}, &ns)) {
    w.integer("event.duration", ns);
  }
  finish_event(w, "salt", ctx.instance, category_of(event_type, event_name), id, {id ? *id : ""});
  return true;
}

}  // namespace traild::dialect
