// libFuzzer target: dialect detection and the four mappers, then validation and formatting
// of what they produce. The first byte picks the dialect (auto, maas, runai, salt,
// gravitee), the rest is the record. Checks: no crash; every refusal says why; a mapped
// record that validates formats to exactly one valid JSON line.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "daemon/dialect/dialect.hpp"
#include "daemon/event_parser.hpp"
#include "reporters/ecs_formatter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace traild;
  static EventParser parser({4096, 16});
  static simdjson::dom::parser check;
  if (size == 0) return 0;
  static constexpr Dialect kDialects[] = {Dialect::Auto, Dialect::Maas, Dialect::Runai, Dialect::Salt,
                                          Dialect::Gravitee};
  Dialect dialect = kDialects[data[0] % 5];
  std::string padded(reinterpret_cast<const char*>(data + 1), size - 1);
  padded.append(EventParser::kPadding, '\0');
  Rejection why;
  if (!parser.load({padded.data(), size - 1}, why)) return 0;
  if (dialect == Dialect::Auto) {
    auto found = detect_dialect(parser.document(), why);
    if (!found) {
      if (why.message.empty()) std::abort();
      return 0;
    }
    dialect = *found;
  }
  std::string mapped = std::string(padded.data(), size - 1);
  if (dialect != Dialect::Ecs) {
    if (!map_dialect(parser.document(), dialect, {ZoneRule{}, "fuzz"}, mapped, why)) {
      if (why.message.empty()) std::abort();
      return 0;
    }
    // The mapper writes JSON text: it must always be one valid object.
    simdjson::dom::element doc;
    if (check.parse(mapped).get(doc) != simdjson::SUCCESS || !doc.is_object()) std::abort();
  }
  const size_t mapped_size = mapped.size();
  mapped.append(EventParser::kPadding, '\0');
  ParsedEvent event;
  if (!parser.parse({mapped.data(), mapped_size}, event, why)) {
    if (why.message.empty()) std::abort();
    return 0;
  }
  std::string line;
  format_ecs_line(event, {"2026-01-01T00:00:00.000Z", "id", "2026-01-01T00:00:00.000Z", "h", 1}, line);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) std::abort();
  simdjson::dom::element doc;
  if (check.parse(line.data(), line.size() - 1).get(doc) != simdjson::SUCCESS) std::abort();
  return 0;
}
