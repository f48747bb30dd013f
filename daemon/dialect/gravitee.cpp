// Gravitee AM audit records, as its file reporter writes them in the JSON format (id, type,
// timestamp, outcome {status, message}, ...) or the ELASTICSEARCH format (event_id,
// event_type, @timestamp, status, _type, date, ...): actor, target, accessPoint,
// organizationId, environmentId, transactionId, referenceType/referenceId, nodeId,
// nodeHostname. See docs/dialects.md for the mapping table.
#include "common/clock.hpp"
#include "daemon/dialect/mappers.hpp"

namespace traild::dialect {
namespace {

constexpr std::string_view kNs = "gravitee";

Category category_of(std::string_view t) {
  if (t == "USER_LOGIN") return {"authentication", "start"};
  if (t == "USER_LOGOUT") return {"authentication", "end"};
  if (t.find("AUTHENTICATION") != std::string_view::npos || t.starts_with("MFA_")) return {"authentication", "info"};
  const bool identity = t.starts_with("USER_") || t.starts_with("GROUP_") || t.starts_with("ROLE_") ||
                        t.starts_with("REGISTRATION_") || t.starts_with("FORGOT_PASSWORD") ||
                        t.starts_with("RESET_PASSWORD");
  std::string_view category = identity ? "iam" : "configuration";
  if (t.ends_with("_CREATED") || t.ends_with("_REGISTERED")) return {category, "creation"};
  if (t.ends_with("_DELETED") || t.ends_with("_REVOKED")) return {category, "deletion"};
  if (t.ends_with("_UPDATED") || t.ends_with("_RENEWED") || t.ends_with("_RESET")) return {category, "change"};
  return {category, "info"};
}

// Gravitee writes an Instant: RFC 3339 text, epoch milliseconds, or (Jackson's default)
// epoch seconds with a fraction.
std::optional<int64_t> timestamp_ms(simdjson::dom::element v) {
  if (auto s = text(v)) return parse_rfc3339_ms(*s);
  constexpr double kYear10000Ms = 253402300800000.0;  // RFC 3339 ends with year 9999
  double d;
  if (v.get_double().get(d) || !(d >= 0)) return std::nullopt;
  const double ms = d >= 1e11 ? d : d * 1000.0;  // milliseconds for any date after 1973, else seconds
  if (ms >= kYear10000Ms) return std::nullopt;
  return static_cast<int64_t>(ms);
}

std::optional<std::string_view> outcome_of(std::string_view status) {
  if (iequals(status, "SUCCESS")) return "success";
  if (iequals(status, "FAILURE")) return "failure";
  return std::nullopt;
}

// actor and target: the identity fields go to ECS, the rest stays under gravitee.<role>.
void map_entity(simdjson::dom::object e, std::string_view role, std::string_view ecs_prefix, EcsWriter& w) {
  const std::string ns = std::string(kNs) + "." + std::string(role);
  const bool actor = role == "actor";
  for (auto [key, v] : e) {
    auto s = id_text(v);
    std::string_view field;
    if (key == "id") field = "id";
    if (key == "alternativeId") field = "name";
    if (key == "displayName") field = actor ? "full_name" : "display_name";
    if (!field.empty() && s) {
      w.string(std::string(ecs_prefix) + "." + std::string(field), *s);
    } else if (!is_null(v)) {
      if (key == "type" && !actor && text(v))
        if (auto ecs = ecs_entity_type(*text(v))) w.string("entity.target.type", *ecs);
      w.custom(ns, key, v);
    }
  }
}

}  // namespace

bool map_gravitee(simdjson::dom::object r, const DialectContext& ctx, EcsWriter& w, std::string& error) {
  std::optional<std::string> id;
  std::string_view type;
  std::optional<int64_t> when;
  std::optional<std::string_view> outcome;
  for (auto [key, v] : r) {
    auto s = text(v);
    if ((key == "type" || key == "event_type") && s) {
      if (!type.empty()) return fail(error, "gravitee: both type and event_type are set");
      type = *s;
      w.string("event.action", type);
    } else if (key == "timestamp" || key == "@timestamp") {
      if (when) return fail(error, "gravitee: both timestamp and @timestamp are set");
      when = timestamp_ms(v);
      if (!when) return fail(error, "gravitee: " + std::string(key) + " must be an RFC 3339 date-time or epoch time");
    } else if ((key == "id" || key == "event_id") && id_text(v)) {
      if (id) return fail(error, "gravitee: both id and event_id are set");
      id = id_text(v);
      w.custom(kNs, key, v);
    } else if (key == "status" && s && outcome_of(*s)) {
      outcome = outcome_of(*s);
    } else if (key == "outcome" && v.is_object()) {
      const simdjson::dom::object outcome_object = v.get_object().value_unsafe();
      for (auto [k, ov] : outcome_object) {
        auto os = text(ov);
        if (k == "status" && os && outcome_of(*os)) {
          outcome = outcome_of(*os);
        } else if (k == "message" && os) {
          w.string("message", *os);
        } else if (!is_null(ov)) {
          w.custom("gravitee.outcome", k, ov);
        }
      }
    } else if (key == "organizationId" && s) {
      w.string("organization.id", *s);
    } else if (key == "transactionId" && s) {
      w.string("transaction.id", *s);
    } else if (key == "nodeId" && s) {
      w.string("host.id", *s);
    } else if (key == "nodeHostname" && s) {
      w.string("host.hostname", *s);
    } else if (key == "actor" && v.is_object()) {
      map_entity(v.get_object().value_unsafe(), "actor", "user", w);
    } else if (key == "target" && v.is_object()) {
      map_entity(v.get_object().value_unsafe(), "target", "entity.target", w);
    } else if (key == "accessPoint" && v.is_object()) {
      map_client(v.get_object().value_unsafe(), "ipAddress", "userAgent", "gravitee.accessPoint", w);
    } else if (!is_null(v)) {
      w.custom(kNs, key, v);  // environmentId, referenceType, referenceId, _type, date, ...
    }
  }
  if (type.empty()) return fail(error, "gravitee: required field type (or event_type, e.g. \"USER_LOGIN\") is missing");
  if (!when) return fail(error, "gravitee: required field timestamp (or @timestamp) is missing");
  w.string("@timestamp", rfc3339_ms(*when));
  if (outcome) w.string("event.outcome", *outcome);
  finish_event(w, "gravitee", ctx.instance, category_of(type), id, {id ? *id : ""});
  return true;
}

}  // namespace traild::dialect
