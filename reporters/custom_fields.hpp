// The fields outside ECS that traild's ECS output can hold, with their Elasticsearch types.
// The index template in packaging/elasticsearch/ is generated from this list and ECS's own
// (tools/es_template_gen), and the conformance test checks every written field against
// both, so the formatter, the template and the docs cannot drift apart.
#pragma once

#include <string_view>

namespace traild {

struct CustomField {
  std::string_view name;
  std::string_view type;  // an Elasticsearch field type
  std::string_view description;
};

inline constexpr CustomField kCustomFields[] = {
    {"traild.redacted", "keyword", "Dotted paths of the fields whose values traild redacted."},
    {"traild.claimed", "flattened",
     "What the producer claimed for fields traild sets itself (sender identity, syslog header, event.created) "
     "when it differed."},
    {"traild.dropped", "long", "traild-rate-limit events: datagrams dropped from one sender over input.rate_limit."},
    {"traild.retention.stream", "keyword", "traild-retention-delete events: trail or quarantine."},
    {"traild.retention.reason", "keyword", "traild-retention-delete events: max_age, max_total_size or min_free."},
    {"traild.chain.hash", "keyword",
     "SHA-256 (HMAC-SHA-256 with integrity.key_file) of the event's canonical form without this field "
     "(docs/integrity.md)."},
    {"traild.chain.prev", "keyword", "traild.chain.hash of the event written before this one in the same trail."},
    {"traild.chain.sequence", "long", "The event's place in the trail's chain (equal to event.sequence)."},
    {"traild.retention.first_sequence", "long", "traild-retention-delete events: the first chain sequence deleted."},
    {"traild.retention.last_sequence", "long", "traild-retention-delete events: the last chain sequence deleted."},
    // The dialects' namespaces hold whatever their systems send beyond ECS: flattened, so a
    // field that is a number in one record and a string in another never breaks a mapping.
    {"maas", "flattened", "MAAS audit event fields without an ECS home (input dialect maas)."},
    {"runai", "flattened", "Run:ai audit log fields without an ECS home (input dialect runai)."},
    {"salt", "flattened", "Salt audit record fields without an ECS home (input dialect salt)."},
    {"gravitee", "flattened", "Gravitee AM audit fields without an ECS home (input dialect gravitee)."},
};

}  // namespace traild
