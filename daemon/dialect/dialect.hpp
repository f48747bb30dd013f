// Input dialects: the audit record shapes of the seed systems (MAAS, Run:ai, Salt, Gravitee
// AM) and how each becomes an ECS event. A dialect record is recognised by its
// distinguishing top-level fields (input.dialect: auto) or named by configuration or by the
// client's handshake, then rewritten as an ECS event that the ordinary validator checks.
// The mapping is lossless: a source field without an ECS home is kept under the dialect's
// own namespace (maas., runai., salt., gravitee.). docs/dialects.md describes every mapping.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "daemon/rejection.hpp"

namespace traild {

enum class Dialect : uint8_t { Auto, Ecs, Maas, Runai, Salt, Gravitee };

std::string_view dialect_name(Dialect dialect);
std::optional<Dialect> dialect_from_name(std::string_view name);
// "auto, ecs, maas, runai, salt, gravitee", for error messages.
std::string_view dialect_names();

// Which dialect a record is written in, judged by its top-level keys alone. An object with
// an `event` field (or a dotted `event.` key) is ECS; otherwise exactly one dialect's
// distinguishing fields must be present. Ambiguous records fail with `why` naming the
// candidates; unrecognised ones are ECS (and fail validation with a hint if they are not).
std::optional<Dialect> detect_dialect(simdjson::dom::object record, Rejection& why);
// What auto-detection looks for, appended to the error of a record that matched nothing.
std::string_view dialect_signatures();

struct DialectContext {
  ZoneRule maas_zone;  // how a MAAS `created` time, which carries no zone, is read
  // Names the source system instance in derived event ids ("maas-<instance>-<id>"), so
  // records of two MAAS regions with equal ids stay distinct; empty when not given.
  std::string_view instance;
};

// Writes the ECS form of `record`, written in `dialect` (not Auto or Ecs), to `out` as one
// JSON object with dotted keys. Returns false with `why` set when a field the dialect
// requires is missing or malformed.
bool map_dialect(simdjson::dom::object record, Dialect dialect, const DialectContext& context, std::string& out,
                 Rejection& why);

}  // namespace traild
