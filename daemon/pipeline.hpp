// The ingest pipeline, run on the I/O thread: a record is parsed and validated, recognised
// as a resend or enriched (event.id, event.created, @timestamp, event.kind, host.hostname,
// event.sequence), formatted, and appended to the open batch; a rejected record is
// appended to the quarantine part of the same batch. Batches go to the writer thread one
// at a time while it is busy (group commit) and at once when it is idle.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/line_buffer.hpp"
#include "common/uuid.hpp"
#include "config/config.hpp"
#include "daemon/dialect/dialect.hpp"
#include "daemon/event_parser.hpp"
#include "daemon/handshake.hpp"
#include "daemon/rate_limiter.hpp"
#include "daemon/recent_ids.hpp"
#include "daemon/raw_redactor.hpp"
#include "daemon/redactor.hpp"
#include "daemon/route_field.hpp"
#include "daemon/sender_identity.hpp"
#include "daemon/syslog_header.hpp"
#include "integrity/chain.hpp"
#include "reporters/ecs_formatter.hpp"
#include "reporters/writer.hpp"

namespace traild {

enum class SourceKind : uint8_t { Stream, Datagram, Internal };
std::string_view source_name(SourceKind kind);

// Who sent a record, as the kernel reports it; -1 when unknown.
struct Sender {
  int64_t pid = -1;
  int64_t uid = -1;
  int64_t gid = -1;
  uint64_t process_inode = 0;  // the sender's pidfd inode (peer_pidfd.hpp); 0 when unknown
};

struct PipelineStats {
  uint64_t received = 0;  // frames from clients (stream and datagram) that reached validation
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  uint64_t resent = 0;  // recognised by event.id and not written again
  uint64_t rejected_by_code[kRejectCodes] = {};
};

class Pipeline {
 public:
  struct Outcome {
    bool ok = false;
    std::string_view id;                  // event.id, valid until the next call
    const Rejection* rejection = nullptr;  // when !ok, valid until the next call
    // The batch the frame went into: its reply may be sent once this batch is durable. Not
    // the batch open after the call, which is a new, empty one when the frame filled its
    // batch (an empty batch is never submitted, so a reply waiting for it would wait until
    // some other event arrived).
    uint64_t batch_id = 0;
  };

  // Opens the trail of a tenant (a tenant_directory_name) seen for the first time, and
  // remembers its recent event ids; nullopt, with `error` saying why, when it cannot.
  using TenantOpener = std::function<std::optional<TrailStart>(const std::string& tenant, std::string& error)>;

  // Add the host's trail (add_trail) before the first ingest. `open_tenant` is needed with
  // output.route_by.
  Pipeline(const Config& config, Writer& writer, RecentIds& recent, std::string hostname,
           TenantOpener open_tenant = {});
  // A trail events may go to, as TrailSet::open opened it: the host's first, then tenants'
  // (by directory name; "" for the host's), in the order of their indexes.
  void add_trail(const TrailStart& start, const std::string& tenant);

  // `record` must be followed by EventParser::kPadding readable bytes. `choice` is what the
  // client's handshake chose (dialect, instance), if anything.
  Outcome ingest(std::string_view record, const Sender& sender, SourceKind kind, const ClientChoice& choice = {});
  // A record over input.max_event_bytes; `head` is its beginning, kept in the quarantine.
  Outcome reject_oversize(std::string_view head, uint64_t size, const Sender& sender, SourceKind kind);
  // traild's own events (start, stop, reload, retention). `json` must be a valid event.
  void emit_internal(std::string_view json);

  uint64_t durable_batch_id() const { return durable_id_; }
  bool all_durable() const { return !touched_ && durable_id_ == submitted_id_; }
  // True while more than output.max_queue_bytes wait to be written: stop reading sockets.
  bool backlogged() const { return queued_bytes_ + batch_.bytes() >= max_queue_bytes_; }

  // Hands the open batch to the writer if it is idle (call after each burst of input).
  void submit_if_writer_idle();
  void submit();
  // The writer made batches up to `batch_id` durable and released `bytes` (I/O thread).
  void on_durable(uint64_t batch_id, size_t bytes);
  void reconfigure(const Config& config);

  const PipelineStats& stats() const { return stats_; }
  // Bytes received and formatted but not yet written (the open batch and the writer's queue).
  uint64_t queued_bytes() const { return queued_bytes_ + batch_.bytes(); }
  // Per-uid rate limits (input.rate_limit), applied by the listeners before ingest.
  RateLimiter& rate_limiter() { return rate_limiter_; }
  // The host trail's next event.sequence.
  uint64_t next_sequence() const { return cursors_.empty() ? 0 : cursors_.front().next_sequence; }
  size_t tenants() const { return tenant_trails_.size(); }

 private:
  // Separates a syslog header from the event (`msg`); false, with rejection_ set, when the
  // record cannot hold an event (a datagram fragment, a bad header, a non-JSON MSG).
  bool decode_record(std::string_view record, SourceKind kind, std::string_view& msg);
  // Loads `msg` into the parser and, for a dialect record, replaces it by its ECS form;
  // false, with rejection_ set, when the record is not JSON or does not fit its dialect.
  bool load_event(std::string_view msg, SourceKind kind, const ClientChoice& choice, Dialect& dialect);
  void canonical_syslog_fields();
  Outcome reject(std::string_view raw, uint64_t size, const Sender& sender, SourceKind kind, int64_t now_ms);
  Outcome ingest_record(std::string_view record, const Sender& sender, SourceKind kind, const ClientChoice& choice);
  // The trail the built event goes to (output.route_by); false, with rejection_ set, when its
  // tenant's trail cannot be opened.
  bool route(uint32_t& trail);
  // The open batch's part for `trail`, started on first use.
  TrailPart& part_for(uint32_t trail);
  void open_batch();

  // Where a trail's sequence stands, as formatted (ahead of what is written). Its chain is
  // the writer's: lines leave here with placeholders for traild.chain.prev and .hash.
  struct TrailCursor {
    uint64_t next_sequence = 1;
  };

  Writer& writer_;
  RecentIds& recent_;
  EventParser parser_;
  Redactor redactor_;
  RawRedactor raw_redactor_;    // rejected frames, before the quarantine
  std::string redacted_frame_;  // scratch: a rejected frame being redacted
  bool config_wrap_non_json_ = false;
  std::string non_json_action_;
  SyslogHeader syslog_;
  SenderIdentity identity_;
  RateLimiter rate_limiter_;
  std::string syslog_json_;  // log.syslog of the current record
  std::string wrapped_;      // a non-JSON syslog MSG wrapped as an event
  Dialect dialect_ = Dialect::Auto;  // input.dialect
  ZoneRule maas_zone_;
  bool gravitee_format_ = false;  // output.format: gravitee
  std::string mapped_;       // a dialect record's ECS form
  std::string line_;         // a gravitee-format event before it is written canonically
  ChainStamper canonical_gravitee_;  // writes it so (its chain values left to the writer)
  EcsLineFormatter ecs_formatter_;  // keeps the line templates of recent shapes
  LineBuffer ecs_line_;      // an ECS-format event before it joins the batch
  std::deque<TrailCursor> cursors_;  // by trail index
  RouteField route_field_;
  uint32_t max_tenants_ = 0;
  TenantOpener open_tenant_;
  std::unordered_map<std::string, uint32_t> tenant_trails_;  // tenant directory name -> trail index
  std::string route_scratch_;
  std::string tenant_;  // scratch: the current event's tenant directory name
  std::vector<uint32_t> part_of_trail_;  // index into batch_.parts, kNoPart when none
  std::string syslog_raw_;
  simdjson::dom::parser syslog_parser_;
  CanonicalWriter canonical_;
  ParsedEvent event_;
  Rejection rejection_;
  UuidV7Generator uuids_;
  std::string hostname_;
  std::string hostname_json_;  // hostname_ as a JSON string, for the formatter to copy
  std::string id_;
  std::string internal_buf_;
  uint64_t max_queue_bytes_ = 0;
  size_t batch_target_bytes_ = 0;

  Batch batch_;
  bool touched_ = false;  // the open batch carries something a reply may wait for
  uint64_t open_id_ = 0;
  uint64_t submitted_id_ = 0;
  uint64_t durable_id_ = 0;
  uint64_t queued_bytes_ = 0;
  PipelineStats stats_;
};

}  // namespace traild
