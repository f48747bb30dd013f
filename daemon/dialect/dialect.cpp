#include "daemon/dialect/dialect.hpp"

#include "daemon/dialect/ecs_writer.hpp"
#include "daemon/dialect/mappers.hpp"

namespace traild {
namespace {

struct Signature {
  Dialect dialect;
  // Every key of one of these groups must be present (groups are alternatives).
  std::initializer_list<std::initializer_list<std::string_view>> any_of;
};

// The fields that tell the shapes apart. They must not overlap: a record matching two is
// refused as ambiguous rather than guessed.
const Signature kSignatures[] = {
    {Dialect::Maas, {{"created", "level", "description"}}},
    {Dialect::Runai, {{"happenedAt"}}},
    {Dialect::Salt, {{"event_name", "start_time"}}},
    {Dialect::Gravitee,
     {{"type", "actor"}, {"type", "accessPoint"}, {"type", "referenceType"}, {"event_type", "actor"},
      {"event_type", "accessPoint"}, {"event_type", "referenceType"}, {"event_type", "event_id"}}},
};

bool has_all(simdjson::dom::object record, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) {
    simdjson::dom::element v;
    if (record.at_key(k).get(v)) return false;
  }
  return true;
}

}  // namespace

std::string_view dialect_name(Dialect d) {
  switch (d) {
    case Dialect::Auto: return "auto";
    case Dialect::Ecs: return "ecs";
    case Dialect::Maas: return "maas";
    case Dialect::Runai: return "runai";
    case Dialect::Salt: return "salt";
    case Dialect::Gravitee: return "gravitee";
  }
  return "unknown";
}

std::optional<Dialect> dialect_from_name(std::string_view name) {
  for (Dialect d : {Dialect::Auto, Dialect::Ecs, Dialect::Maas, Dialect::Runai, Dialect::Salt, Dialect::Gravitee})
    if (dialect_name(d) == name) return d;
  return std::nullopt;
}

std::string_view dialect_names() { return "auto, ecs, maas, runai, salt, gravitee"; }

std::string_view dialect_signatures() {
  return "an ECS event needs event.action; input.dialect auto also recognises maas (created, level, description), "
         "runai (happenedAt), salt (event_name, start_time) and gravitee (type or event_type, with actor, "
         "accessPoint, referenceType or event_id)";
}

std::optional<Dialect> detect_dialect(simdjson::dom::object record, Rejection& why) {
  for (auto field : record)
    if (field.key == "event" || field.key.substr(0, 6) == "event.") return Dialect::Ecs;
  std::optional<Dialect> found;
  for (const Signature& sig : kSignatures) {
    bool match = false;
    for (auto group : sig.any_of) match = match || has_all(record, group);
    if (!match) continue;
    if (found) {
      why = {RejectCode::AmbiguousDialect,
             "record has the distinguishing fields of both " + std::string(dialect_name(*found)) + " and " +
                 std::string(dialect_name(sig.dialect)) + ": name its dialect (input.dialect or the handshake's "
                 "\"dialect\")"};
      return std::nullopt;
    }
    found = sig.dialect;
  }
  return found.value_or(Dialect::Ecs);
}

bool map_dialect(simdjson::dom::object record, Dialect d, const DialectContext& context, std::string& out,
                 Rejection& why) {
  dialect::EcsWriter writer(out);
  std::string error;
  bool ok = false;
  switch (d) {
    case Dialect::Maas: ok = dialect::map_maas(record, context, writer, error); break;
    case Dialect::Runai: ok = dialect::map_runai(record, context, writer, error); break;
    case Dialect::Salt: ok = dialect::map_salt(record, context, writer, error); break;
    case Dialect::Gravitee: ok = dialect::map_gravitee(record, context, writer, error); break;
    case Dialect::Auto:
    case Dialect::Ecs: error = "internal error: map_dialect called for " + std::string(dialect_name(d)); break;
  }
  if (!ok) {
    why = {RejectCode::DialectMismatch, std::move(error)};
    return false;
  }
  writer.finish();
  return true;
}

}  // namespace traild
