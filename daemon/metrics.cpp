#include "daemon/metrics.hpp"

#include "common/json_escape.hpp"

namespace traild {
namespace {

class Exposition {
 public:
  explicit Exposition(std::string& out) : out_(out) {}

  void family(const char* name, const char* type, const char* help) {
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  void sample(const char* name, uint64_t value, const std::string& labels = "") {
    out_.append(name).append(labels).append(" ");
    append_uint(out_, value);
    out_.push_back('\n');
  }
  void sample(const char* name, double value, const std::string& labels = "") {
    out_.append(name).append(labels).append(" ");
    append_double(out_, value);
    out_.push_back('\n');
  }
  void single(const char* name, const char* type, const char* help, uint64_t value) {
    family(name, type, help);
    sample(name, value);
  }

 private:
  std::string& out_;
};

}  // namespace

std::string prometheus_text(const MetricsSnapshot& m) {
  std::string out;
  Exposition e(out);
  e.single("traild_events_received_total", "counter",
           "Frames received from clients on both sockets (accepted, rejected or recognised as resent).",
           m.pipeline.received);
  e.single("traild_events_accepted_total", "counter", "Events written to the trail (traild's own included).",
           m.pipeline.accepted);
  e.family("traild_events_rejected_total", "counter", "Frames rejected and quarantined, by error code.");
  for (size_t i = 0; i < kRejectCodes; ++i)
    e.sample("traild_events_rejected_total", m.pipeline.rejected_by_code[i],
             "{reason=\"" + std::string(reject_code_name(static_cast<RejectCode>(i))) + "\"}");
  e.single("traild_events_quarantined_total", "counter",
           "Frames written to the quarantine: every rejected frame, with its error and sender.", m.pipeline.rejected);
  e.single("traild_events_resent_total", "counter", "Resent events recognised by event.id and not written again.",
           m.pipeline.resent);
  e.single("traild_connections", "gauge", "Open stream connections.", m.connections);
  e.single("traild_connections_refused_total", "counter",
           "Stream connections refused (listen.max_connections, allowlists).", m.stream.refused);
  e.family("traild_connections_closed_total", "counter", "Stream connections traild closed, by reason.");
  e.sample("traild_connections_closed_total", m.stream.frame_timeouts, "{reason=\"frame_timeout\"}");
  e.sample("traild_connections_closed_total", m.stream.idle_timeouts, "{reason=\"idle_timeout\"}");
  e.family("traild_datagrams_dropped_total", "counter",
           "Datagrams dropped before validation, by reason (a datagram has no one to answer).");
  e.sample("traild_datagrams_dropped_total", m.datagrams_not_allowed, "{reason=\"not_allowed\"}");
  e.sample("traild_datagrams_dropped_total", m.datagrams_rate_limited, "{reason=\"rate_limited\"}");
  e.single("traild_tenants", "gauge", "Tenants' trails traild writes to (output.route_by; at most output.max_tenants).",
           m.tenants);
  e.single("traild_queue_bytes", "gauge", "Bytes received but not yet written (bounded by output.max_queue_bytes).",
           m.queue_bytes);
  e.single("traild_written_bytes_total", "counter", "Bytes written to the trail and the quarantine.",
           m.writer.bytes_written);
  e.single("traild_files_rotated_total", "counter", "Files closed by rotation (trail and quarantine).",
           m.writer.files_rotated);
  e.single("traild_files_deleted_total", "counter", "Closed files deleted by retention.", m.writer.files_deleted);
  e.single("traild_write_errors_total", "counter", "Failed write or sync calls (each retried until it succeeds).",
           m.write_errors);
  e.family("traild_last_write_timestamp_seconds", "gauge", "When a batch was last made durable (Unix time).");
  e.sample("traild_last_write_timestamp_seconds", static_cast<double>(m.writer.last_write_ms) / 1000.0);
  e.family("traild_fsync_duration_seconds", "histogram", "fdatasync latency of the trail (output.durability fsync).");
  for (size_t i = 0; i < WriterStats::kSyncBuckets; ++i) {
    std::string le;
    append_double(le, WriterStats::kSyncBucketsSeconds[i]);
    e.sample("traild_fsync_duration_seconds_bucket", m.writer.sync_buckets[i], "{le=\"" + le + "\"}");
  }
  e.sample("traild_fsync_duration_seconds_bucket", m.writer.sync_count, "{le=\"+Inf\"}");
  e.sample("traild_fsync_duration_seconds_sum", m.writer.sync_seconds_sum);
  e.sample("traild_fsync_duration_seconds_count", m.writer.sync_count);
  return out;
}

}  // namespace traild
