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
  uint64_t queue_bytes = 0;
  uint64_t write_errors = 0;
  WriterStats writer;
};

std::string prometheus_text(const MetricsSnapshot& m);

}  // namespace traild
