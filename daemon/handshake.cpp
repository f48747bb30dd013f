#include "daemon/handshake.hpp"

#include "common/safe_name.hpp"
#include "daemon/dialect/ecs_writer.hpp"

namespace traild {

HandshakeParser::Result HandshakeParser::parse(std::string_view record, ClientChoice& choice, std::string& error) {
  if (record.find("\"traild\"") == std::string_view::npos) return Result::NotHandshake;
  simdjson::padded_string copy(record);
  simdjson::dom::element doc;
  simdjson::dom::object obj, t;
  if (parser_.parse(copy).get(doc) || doc.get_object().get(obj) || obj.size() != 1 ||
      obj["traild"].get_object().get(t))
    return Result::NotHandshake;
  bool ack = false;
  if (t["ack"].get_bool().get(ack) || !ack) return Result::NotHandshake;
  ClientChoice chosen;
  for (auto [key, value] : t) {
    std::string_view s;
    if (key == "ack") continue;
    if (key == "dialect") {
      auto d = value.get_string().get(s) ? std::nullopt : dialect_from_name(s);
      if (!d) {
        error = "handshake: dialect must be one of " + std::string(dialect_names());
        return Result::Invalid;
      }
      chosen.dialect = d;
    } else if (key == "instance") {
      if (value.get_string().get(s) || !is_safe_name(s)) {
        error = "handshake: instance must be 1 to 64 letters, digits, '.', '_' or '-'";
        return Result::Invalid;
      }
      chosen.instance = std::string(s);
    } else {
      error = "handshake: unknown field " + dialect::quoted_preview(key) + " (expected ack, dialect, instance)";
      return Result::Invalid;
    }
  }
  choice = std::move(chosen);
  return Result::Accepted;
}

}  // namespace traild
