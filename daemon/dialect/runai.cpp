// Run:ai audit log records (GET /v1/k8s/audit): id, tenantId, happenedAt, action, version,
// entityId/Type/Name, sourceType/Id/Name, context {user_agent, ip_address}, success,
// clusterId/Name. See docs/dialects.md for the mapping table.
#include "common/clock.hpp"
#include "daemon/dialect/mappers.hpp"

namespace traild::dialect {
namespace {

constexpr std::string_view kNs = "runai";

// success comes as a boolean from the API, as "true"/"false" from its query string and as
// "Succeeded"/"Failed" from the UI's CSV download.
std::optional<bool> success_of(simdjson::dom::element v) {
  bool b;
  if (!v.get_bool().get(b)) return b;
  auto s = text(v);
  if (!s) return std::nullopt;
  if (iequals(*s, "true") || iequals(*s, "succeeded") || iequals(*s, "success")) return true;
  if (iequals(*s, "false") || iequals(*s, "failed") || iequals(*s, "failure")) return false;
  return std::nullopt;
}

bool is_identity_entity(std::string_view type) {
  for (std::string_view t : {"User", "Group", "App", "Application", "Applications", "Access rule", "Role"})
    if (iequals(type, t)) return true;
  return false;
}

}  // namespace

bool map_runai(simdjson::dom::object r, const DialectContext& ctx, EcsWriter& w, std::string& error) {
  std::optional<std::string> id, tenant;
  std::string_view action, entity_type, source_type, source_name;
  bool has_time = false;
  for (auto [key, v] : r) {
    auto s = text(v);
    if (key == "happenedAt") {
      if (!s || !parse_rfc3339(*s))
        return fail(error, "runai: happenedAt must be an RFC 3339 date-time like \"2022-07-07T09:45:32.069Z\"");
      w.string("@timestamp", *s);
      has_time = true;
    } else if (key == "action" && s) {
      action = *s;
      w.string("event.action", action);
    } else if (key == "id" && id_text(v)) {
      id = id_text(v);
      w.custom(kNs, key, v);
    } else if (key == "tenantId" && id_text(v)) {
      tenant = id_text(v);
      w.string("organization.id", *tenant);
    } else if (key == "entityId" && id_text(v)) {
      w.string("entity.target.id", *id_text(v));
    } else if (key == "entityType" && s) {
      entity_type = *s;
      if (auto ecs = ecs_entity_type(entity_type)) w.string("entity.target.type", *ecs);
      w.custom(kNs, key, v);  // Project, Department, Node Pool, ...: ECS's list has no room for them
    } else if (key == "entityName" && s) {
      w.string("entity.target.name", *s);
    } else if (key == "sourceId" && id_text(v)) {
      w.string("user.id", *id_text(v));
    } else if (key == "sourceName" && s) {
      source_name = *s;
      w.string("user.name", source_name);
    } else if (key == "sourceType" && s) {
      source_type = *s;
      w.custom(kNs, key, v);
    } else if ((key == "clusterId" || key == "cluster_id") && id_text(v)) {
      w.string("orchestrator.cluster.id", *id_text(v));
    } else if ((key == "clusterName" || key == "cluster_name") && s) {
      w.string("orchestrator.cluster.name", *s);
    } else if (key == "success" && success_of(v)) {
      w.string("event.outcome", *success_of(v) ? "success" : "failure");
    } else if (key == "context" && v.is_object()) {
      map_client(v.get_object().value_unsafe(), "ip_address", "user_agent", "runai.context", w);
    } else if (!is_null(v)) {
      w.custom(kNs, key, v);
    }
  }
  if (!has_time) return fail(error, "runai: required field happenedAt is missing");
  if (action.empty()) return fail(error, "runai: required field action (Create, Update, Delete, Login) is missing");
  // A user's source name is their e-mail address.
  if (iequals(source_type, "User") && source_name.find('@') != std::string_view::npos)
    w.string("user.email", source_name);
  std::string_view category = iequals(action, "Login")        ? "authentication"
                              : is_identity_entity(entity_type) ? "iam"
                                                                : "configuration";
  std::string_view type = iequals(action, "Create")   ? "creation"
                          : iequals(action, "Update") ? "change"
                          : iequals(action, "Delete") ? "deletion"
                          : iequals(action, "Login")  ? "start"
                                                      : "info";
  // Record ids count per tenant, so the tenant is part of the derived id.
  finish_event(w, "runai", ctx.instance, {category, type}, id, {tenant ? *tenant : "0", id ? *id : ""});
  return true;
}

}  // namespace traild::dialect
