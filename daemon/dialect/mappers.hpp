// The per-dialect mappers behind map_dialect(). Each writes the ECS form of one source
// record and returns false with `error` set when a required field is missing or malformed.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/dialect/dialect.hpp"
#include "daemon/dialect/ecs_writer.hpp"

namespace traild::dialect {

bool map_maas(simdjson::dom::object record, const DialectContext& context, EcsWriter& out, std::string& error);
bool map_runai(simdjson::dom::object record, const DialectContext& context, EcsWriter& out, std::string& error);
bool map_salt(simdjson::dom::object record, const DialectContext& context, EcsWriter& out, std::string& error);
bool map_gravitee(simdjson::dom::object record, const DialectContext& context, EcsWriter& out, std::string& error);

// A MAAS `created` time ("Thu, 01 Feb. 2018 22:28:18"): Unix milliseconds under `zone`.
std::optional<int64_t> parse_maas_time(std::string_view text, ZoneRule zone);

}  // namespace traild::dialect
