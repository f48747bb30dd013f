// The gravitee output format: each event as Gravitee AM's file reporter writes it in its
// ELASTICSEARCH format (_type, @timestamp, date, event_id, event_type, organizationId,
// environmentId, transactionId, nodeId, nodeHostname, referenceType, referenceId, status,
// outcome, accessPoint, actor, target), so Gravitee's own Logstash pipeline and index
// template take traild's files unchanged. Only those fields are written: docs/elasticsearch.md
// says what is left out and when to prefer the ecs format.
#pragma once

#include <string>

#include "daemon/event_tree.hpp"
#include "reporters/ecs_formatter.hpp"

namespace traild {

// Appends the event as one line, '\n' included.
void format_gravitee_line(const ParsedEvent& event, const Enrichment& enrichment, std::string& out);

}  // namespace traild
