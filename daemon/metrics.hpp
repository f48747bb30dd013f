// traild's metrics in the Prometheus text exposition format, for node_exporter's textfile
// collector (metrics.textfile, rewritten atomically every metrics.interval). Every metric
// is described in docs/operations.md.
#pragma once

#include <cstdint>
#include <string>

#include "daemon/pipeline.hpp"
#include "daemon/stream_listener.hpp"
#include "reporters/writer.hpp"

namespace traild {

struct MetricsSnapshot {
  PipelineStats pipeline;
  StreamStats stream;
  uint64_t connections = 0;
  uint64_t datagrams_not_allowed = 0;   // from senders outside listen.allow.datagram
  uint64_t datagrams_rate_limited = 0;  // over input.rate_limit
  uint64_t queue_bytes = 0;
  uint64_t tenants = 0;  // tenants' trails open (output.route_by)
  uint64_t write_errors = 0;
  WriterStats writer;
};

std::string prometheus_text(const MetricsSnapshot& m);

}  // namespace traild
