// libFuzzer target: the JSON validator, redaction and the ECS formatter together, and the
// quarantine's redaction of a rejected frame as text. Checks: no crash; an accepted event
// formats to exactly one line that is one valid JSON object; redacting a valid JSON frame as
// text leaves valid JSON; a parser that knows shapes and byte layouts from earlier inputs
// (EventParser's replay, daemon/record_layout.hpp) judges and builds each input exactly as
// one that knows none; the pipeline's
// template-keeping formatter writes the same line as format_ecs_line.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/line_buffer.hpp"
#include "daemon/event_parser.hpp"
#include "daemon/raw_redactor.hpp"
#include "daemon/redactor.hpp"
#include "integrity/canonical_json.hpp"
#include "integrity/chain.hpp"
#include "reporters/ecs_formatter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static traild::EventParser parser({4096, 16});
  static traild::Redactor redactor{traild::RedactConfig{}};
  static simdjson::dom::parser check;
  std::string padded(reinterpret_cast<const char*>(data), size);
  padded.append(traild::EventParser::kPadding, '\0');
  traild::ParsedEvent event;
  traild::Rejection why;
  const bool syslog = size % 2 == 1;  // half the inputs as if a syslog header came first
  {
    static traild::RawRedactor raw_redactor{traild::RedactConfig{}};
    std::string frame(reinterpret_cast<const char*>(data), size);
    const bool was_json = !syslog && check.parse(frame).error() == simdjson::SUCCESS;
    raw_redactor.apply(frame);
    if (was_json && check.parse(frame).error() != simdjson::SUCCESS) std::abort();
  }
  const traild::ParseOptions options{false, syslog, true};
  const bool accepted = parser.parse({padded.data(), size}, event, why, options);
  static traild::EventParser fresh({4096, 16});
  fresh.set_limits({4096, 16});  // forgets the shapes it has seen
  traild::ParsedEvent fresh_event;
  traild::Rejection fresh_why;
  if (fresh.parse({padded.data(), size}, fresh_event, fresh_why, options) != accepted) std::abort();
  if (!accepted) {
    if (why.message.empty() || why.message != fresh_why.message || why.code != fresh_why.code) std::abort();
    return 0;
  }
  const traild::AttestedSender sender{true, 42, 0, 0, "name", "/usr/bin/x"};
  const traild::Enrichment enrichment{"2026-01-01T00:00:00.000Z", "id", "2026-01-01T00:00:00.000Z", "h", 1,
                                      syslog ? "{\"priority\":1}" : "", traild::kGenesisHash, sender};
  std::string line;
  std::string fresh_line;
  redactor.apply(event);
  const size_t hash_at = traild::format_ecs_line(event, enrichment, line);
  redactor.apply(fresh_event);
  traild::format_ecs_line(fresh_event, enrichment, fresh_line);
  if (line != fresh_line) std::abort();
  // The pipeline's formatter writes a known shape from its template: the same bytes.
  static traild::EcsLineFormatter templated;
  static traild::LineBuffer templated_line;
  if (templated.format(event, enrichment, templated_line) != hash_at || templated_line.view() != line) std::abort();
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1) std::abort();
  simdjson::dom::element doc;
  if (check.parse(line.data(), line.size() - 1).get(doc) != simdjson::SUCCESS) std::abort();
  // The line is already canonical (docs/integrity.md): writing it canonically changes nothing.
  static traild::CanonicalWriter canonical;
  std::string again;
  canonical.write(doc, again);
  if (again != std::string_view(line).substr(0, line.size() - 1)) std::abort();
  return 0;
}
