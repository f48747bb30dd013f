// What every dialect mapper writes with: an ECS event as one JSON object with dotted keys
// ("user.name"), which the validator nests, plus the helpers the mappers share for reading
// source values.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "common/ip_address.hpp"

namespace traild::dialect {

class EcsWriter {
 public:
  // Starts a new object in `out` (its previous content is replaced).
  explicit EcsWriter(std::string& out);

  void string(std::string_view key, std::string_view value);
  void integer(std::string_view key, int64_t value);
  void strings(std::string_view key, std::initializer_list<std::string_view> values);
  // Any JSON value, copied as it is.
  void value(std::string_view key, simdjson::dom::element value);
  // A source field without an ECS home: kept as `<ns>.<key>`, so nothing is dropped.
  void custom(std::string_view ns, std::string_view key, simdjson::dom::element value);
  // Closes the object.
  void finish();

 private:
  void key(std::string_view k);
  void key(std::string_view ns, std::string_view k);

  std::string& out_;
  bool first_ = true;
};

// Sets `error` and returns false, for mappers' early returns.
inline bool fail(std::string& error, std::string message) {
  error = std::move(message);
  return false;
}

// The string value of `v`, or nullopt when it is not a non-empty string.
std::optional<std::string_view> text(simdjson::dom::element v);
// A string or an integer as text (record ids come as either).
std::optional<std::string> id_text(simdjson::dom::element v);
bool is_null(simdjson::dom::element v);
// `s` quoted for an error message, cut to at most 40 bytes on a UTF-8 boundary.
std::string quoted_preview(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// The object a system describes the client with (Run:ai's context, Gravitee's accessPoint):
// `ip_key` goes to source.ip (source.address when it is not an IP address), `agent_key` to
// user_agent.original, every other field under `ns`.
void map_client(simdjson::dom::object client, std::string_view ip_key, std::string_view agent_key,
                std::string_view ns, EcsWriter& out);

// The ECS entity.target.type value (ECS allows only a fixed set) for a source system's
// object type, when one fits: "User" -> user, "App" -> application, "Node" -> host, ...
std::optional<std::string_view> ecs_entity_type(std::string_view source_type);

// ECS categorization of a source record: event.category and event.type values ("" unknown).
struct Category {
  std::string_view category;
  std::string_view type;
};

// The fields every mapped event ends with: event.category and event.type (when known),
// event.module (the dialect), event.dataset ("<dialect>.audit") and the derived event.id
// (when the record had an id; `id_parts` as for derived_event_id).
void finish_event(EcsWriter& out, std::string_view dialect, std::string_view instance, Category category,
                  const std::optional<std::string>& record_id, std::initializer_list<std::string_view> id_parts);

// A derived, stable event.id: "<dialect>-[<instance>-]<parts...>". Re-importing the same
// record yields the same id, so Elasticsearch (document_id = event.id) and traild's resend
// check see it as the same event. Over-long or unsafe ids are replaced by a SHA-256 digest.
std::string derived_event_id(std::string_view dialect, std::string_view instance,
                             std::initializer_list<std::string_view> parts);

}  // namespace traild::dialect
