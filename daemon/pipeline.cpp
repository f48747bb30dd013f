#include "daemon/pipeline.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/clock.hpp"
#include "common/json_escape.hpp"
#include "reporters/tenant_directory.hpp"
#include "reporters/ecs_formatter.hpp"
#include "reporters/gravitee_formatter.hpp"

namespace traild {

std::string_view source_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::Stream: return "stream";
    case SourceKind::Datagram: return "datagram";
    case SourceKind::Internal: return "internal";
  }
  return "unknown";
}

namespace {

// A batch is handed over early when it grows this large even if the writer is busy, so a
// single write never gets huge and memory is returned sooner.
constexpr size_t kBatchTargetBytes = 1 << 20;
constexpr size_t kEcsLineKeepBytes = 256 << 10;  // Pipeline::ecs_line_ kept up to this size
constexpr uint32_t kNoPart = UINT32_MAX;

void append_sender(std::string& out, const Sender& s) {
  out.append("{\"pid\":");
  append_int(out, s.pid);
  out.append(",\"uid\":");
  append_int(out, s.uid);
  out.append(",\"gid\":");
  append_int(out, s.gid);
  out.push_back('}');
}

}  // namespace

Pipeline::Pipeline(const Config& config, Writer& writer, RecentIds& recent, std::string hostname,
                   TenantOpener open_tenant)
    : writer_(writer), recent_(recent), parser_(ParserLimits{}),
      route_field_(config.output.route_by), open_tenant_(std::move(open_tenant)), hostname_(std::move(hostname)) {
  append_json_string(hostname_json_, hostname_);
  reconfigure(config);  // one place sets everything the configuration decides
  open_batch();
}

void Pipeline::add_trail(const TrailStart& start, const std::string& tenant) {
  if (start.index != cursors_.size())
    throw std::logic_error("trails must be added in the order of their indexes");
  cursors_.emplace_back().next_sequence = start.next_sequence;
  if (!tenant.empty()) tenant_trails_.emplace(tenant, start.index);
}

void Pipeline::reconfigure(const Config& config) {
  rate_limiter_.configure(config.input.rate_limit, config.input.rate_burst);
  parser_.set_limits({config.input.max_event_bytes, config.input.max_depth});
  redactor_ = Redactor(config.redact);
  raw_redactor_ = RawRedactor(config.redact);
  dialect_ = dialect_from_name(config.input.dialect).value_or(Dialect::Auto);
  maas_zone_ = config.input.maas_zone;
  gravitee_format_ = config.output.format == "gravitee";
  config_wrap_non_json_ = config.input.wrap_non_json;
  non_json_action_ = config.input.non_json_action;
  max_queue_bytes_ = config.output.max_queue_bytes;
  max_tenants_ = config.output.max_tenants;
  batch_target_bytes_ = std::min<size_t>(kBatchTargetBytes, config.output.max_queue_bytes / 4);
}

void Pipeline::open_batch() {
  batch_ = writer_.recycle();
  batch_.id = ++open_id_;
  part_of_trail_.assign(cursors_.size(), kNoPart);
  touched_ = false;
}

TrailPart& Pipeline::part_for(uint32_t trail) {
  if (trail >= part_of_trail_.size()) part_of_trail_.resize(trail + 1, kNoPart);
  if (part_of_trail_[trail] != kNoPart) return batch_.parts[part_of_trail_[trail]];
  // A recycled batch keeps its parts' buffers: reuse a spare one before adding another.
  size_t slot = 0;
  while (slot < batch_.parts.size() && batch_.parts[slot].trail != TrailPart::kUnused) ++slot;
  if (slot == batch_.parts.size()) batch_.parts.emplace_back();
  TrailPart& part = batch_.parts[slot];
  part.trail = trail;
  part.time_range = TimeRange{};
  part_of_trail_[trail] = static_cast<uint32_t>(slot);
  return part;
}

bool Pipeline::route(uint32_t& trail) {
  trail = 0;
  const std::string_view value = route_field_.tenant(event_, route_scratch_);
  if (value.empty()) return true;
  tenant_ = tenant_directory_name(value);
  if (const auto it = tenant_trails_.find(tenant_); it != tenant_trails_.end()) {
    trail = it->second;
    return true;
  }
  if (tenant_trails_.size() >= max_tenants_) {
    rejection_ = {RejectCode::Unroutable, "output.route_by: traild already writes " + std::to_string(max_tenants_) +
                                              " tenants' trails (output.max_tenants); none for tenant " + tenant_};
    return false;
  }
  std::string error;
  std::optional<TrailStart> opened = open_tenant_ ? open_tenant_(tenant_, error) : std::nullopt;
  if (!opened) {
    rejection_ = {RejectCode::Unroutable, "output.route_by: cannot open the trail of tenant " + tenant_ + ": " +
                                              (error.empty() ? std::string("no tenant opener") : error)};
    return false;
  }
  add_trail(*opened, tenant_);
  trail = opened->index;
  return true;
}

bool Pipeline::decode_record(std::string_view record, SourceKind kind, std::string_view& msg) {
  syslog_ = SyslogHeader{};
  msg = record;
  if (kind == SourceKind::Internal) return true;
  if (kind == SourceKind::Datagram && record.find_first_of(std::string_view("\n\0", 2)) != std::string_view::npos) {
    rejection_ = {RejectCode::Fragment,
                  "datagram holds more than one record or a piece of one: send exactly one event per datagram "
                  "(traild never glues datagrams together)"};
    return false;
  }
  std::string error;
  if (!decode_syslog(record, syslog_, msg, error)) {
    rejection_ = {RejectCode::InvalidSyslog, std::move(error)};
    return false;
  }
  if (syslog_.format == SyslogHeader::Format::None) return true;
  while (!msg.empty() && msg.front() == ' ') msg.remove_prefix(1);
  if (msg.starts_with('{')) return true;
  if (!config_wrap_non_json_) {
    std::string head;
    append_json_string(head, msg.substr(0, 40));
    rejection_ = {RejectCode::NotJson, "syslog message is not a JSON event (MSG starts " + head +
                                           "); set input.non_json: wrap to keep such messages as events"};
    return false;
  }
  if (!simdjson::validate_utf8(msg.data(), msg.size())) {
    rejection_ = {RejectCode::InvalidUtf8, "syslog message is not valid UTF-8"};
    return false;
  }
  // Wrapped as {"event":{"action":ACTION},"message":MSG}, parsed like any event.
  wrapped_.assign("{\"event\":{\"action\":");
  append_json_string(wrapped_, non_json_action_);
  wrapped_.append("},\"message\":");
  append_json_string(wrapped_, msg);
  wrapped_.push_back('}');
  const size_t size = wrapped_.size();
  wrapped_.append(EventParser::kPadding, '\0');
  msg = std::string_view(wrapped_.data(), size);
  return true;
}

bool Pipeline::load_event(std::string_view msg, SourceKind kind, const ClientChoice& choice, Dialect& dialect) {
  dialect = kind == SourceKind::Internal ? Dialect::Ecs : choice.dialect.value_or(dialect_);
  // A record laid out like a known shape's has an `event` field, which makes it ECS when
  // the dialect is detected; other dialects need the document to map.
  const bool maybe_ecs = dialect == Dialect::Ecs || dialect == Dialect::Auto;
  if (!parser_.load(msg, rejection_, 0, maybe_ecs ? EventParser::Layouts::Allowed : EventParser::Layouts::NotAllowed))
    return false;
  if (parser_.laid_out()) dialect = Dialect::Ecs;
  if (dialect == Dialect::Auto) {
    auto found = detect_dialect(parser_.document(), rejection_);
    if (!found) return false;
    dialect = *found;
  }
  if (dialect == Dialect::Ecs) return true;
  if (!map_dialect(parser_.document(), dialect, {maas_zone_, choice.instance}, mapped_, rejection_)) return false;
  const size_t size = mapped_.size();
  mapped_.append(EventParser::kPadding, '\0');
  return parser_.load({mapped_.data(), size}, rejection_, EventParser::kMappedSizeFactor * parser_.limits().max_event_bytes,
                      EventParser::Layouts::Allowed);
}

Pipeline::Outcome Pipeline::ingest(std::string_view record, const Sender& sender, SourceKind kind,
                                   const ClientChoice& choice) {
  const uint64_t batch = batch_.id;  // ingest_record may submit it and open the next one
  Outcome o = ingest_record(record, sender, kind, choice);
  o.batch_id = batch;
  return o;
}

Pipeline::Outcome Pipeline::ingest_record(std::string_view record, const Sender& sender, SourceKind kind,
                                          const ClientChoice& choice) {
  const int64_t now = now_unix_ms();
  touched_ = true;
  stats_.received += kind != SourceKind::Internal;
  std::string_view msg;
  if (!decode_record(record, kind, msg)) return reject(record, record.size(), sender, kind, now);
  const bool has_syslog = syslog_.format != SyslogHeader::Format::None;
  const bool attested = kind != SourceKind::Internal && sender.pid > 0;
  Dialect dialect = Dialect::Ecs;
  if (!load_event(msg, kind, choice, dialect) ||
      !parser_.build(event_, rejection_, {kind == SourceKind::Internal, has_syslog, attested})) {
    if (kind == SourceKind::Internal) spdlog::error("internal event rejected ({}): {}", rejection_.message, record);
    // An event without event.action may be a dialect record auto-detection did not know.
    if (rejection_.code == RejectCode::MissingField && dialect == Dialect::Ecs &&
        choice.dialect.value_or(dialect_) == Dialect::Auto)
      rejection_.message.append("; ").append(dialect_signatures());
    return reject(record, record.size(), sender, kind, now);
  }
  if (kind != SourceKind::Internal) redactor_.apply(event_);
  uint32_t trail = 0;
  if (kind != SourceKind::Internal && route_field_.enabled() && !route(trail))
    return reject(record, record.size(), sender, kind, now);
  if (!event_.id.empty()) {
    id_.assign(event_.id);
    if (recent_.contains(id_)) {
      // Written before (the sender did not see the acknowledgement): acknowledge again once
      // everything before it is durable, and do not write a second copy.
      ++stats_.resent;
      return {true, id_, nullptr};
    }
    recent_.insert(id_);
  } else {
    id_.resize(kUuidLength);
    uuids_.next(now, id_.data());
  }
  char created[kRfc3339MsLength];
  char timestamp[kRfc3339MsLength];
  format_rfc3339_ms(now, created);
  format_rfc3339_ms(event_.has_timestamp ? event_.timestamp_ms : now, timestamp);
  syslog_json_.clear();
  if (has_syslog) canonical_syslog_fields();
  AttestedSender attested_sender;
  if (attested) {
    const ProcessNames& names = identity_.resolve(sender.pid, now, sender.process_inode);
    attested_sender = {true, sender.pid, sender.uid, sender.gid, names.name, names.executable,
                       names.name_json, names.executable_json};
  }
  TrailCursor& cursor = cursors_[trail];
  TrailPart& part = part_for(trail);
  Enrichment en{{timestamp, kRfc3339MsLength}, id_, {created, kRfc3339MsLength}, hostname_, cursor.next_sequence++,
                syslog_json_, kGenesisHash, attested_sender, hostname_json_};  // prev: a placeholder the writer fills in
  if (gravitee_format_) {
    // Gravitee's shape is written in its own order; it is re-read to be written canonically
    // (docs/integrity.md). The trailing '\n' is where its parser needs padding.
    line_.clear();
    format_gravitee_line(event_, en, line_);
    line_.reserve(line_.size() + simdjson::SIMDJSON_PADDING);
    if (!canonical_gravitee_.stamp_unsealed(std::string_view(line_).substr(0, line_.size() - 1), en.sequence,
                                            part.events, part.chain_slots))
      spdlog::critical("BUG: the gravitee formatter wrote an event that is not a JSON object: {}", line_);
  } else {
    const size_t hash_at = ecs_formatter_.format(event_, en, ecs_line_);
    append_unsealed(ecs_line_.view(), hash_at, part.events, part.chain_slots);
    ecs_line_.shrink_if_over(kEcsLineKeepBytes);
  }
  const int64_t event_ms = event_.has_timestamp ? event_.timestamp_ms : now;
  part.time_range.merge({event_ms, event_ms});
  ++stats_.accepted;
  if (batch_.bytes() >= batch_target_bytes_) submit();
  return {true, id_, nullptr};
}

Pipeline::Outcome Pipeline::reject_oversize(std::string_view head, uint64_t size, const Sender& sender,
                                             SourceKind kind) {
  touched_ = true;
  stats_.received += kind != SourceKind::Internal;
  rejection_.code = RejectCode::TooLarge;
  rejection_.message = "event is " + std::string(size > head.size() + 1 ? "at least " : "") + std::to_string(size) +
                       " bytes, more than input.max_event_bytes (" + std::to_string(parser_.limits().max_event_bytes) +
                       ")";
  const uint64_t batch = batch_.id;  // reject may submit it and open the next one
  Outcome o = reject(head, size, sender, kind, now_unix_ms());
  o.batch_id = batch;
  return o;
}

// One quarantine line: what was rejected, why, from whom and when. The raw frame, its secret
// values redacted (RawRedactor), is kept as a JSON string when it is valid UTF-8, else base64,
// so the quarantine file stays valid JSON lines.
Pipeline::Outcome Pipeline::reject(std::string_view raw, uint64_t size, const Sender& sender, SourceKind kind,
                                   int64_t now_ms) {
  ++stats_.rejected;
  ++stats_.rejected_by_code[static_cast<size_t>(rejection_.code)];
  std::string& q = batch_.rejected;
  char ts[kRfc3339MsLength];
  format_rfc3339_ms(now_ms, ts);
  q.append("{\"@timestamp\":");
  append_json_string(q, {ts, kRfc3339MsLength});
  q.append(",\"error\":{\"code\":");
  append_json_string(q, reject_code_name(rejection_.code));
  q.append(",\"message\":");
  // Some messages quote the frame ("MSG starts ..."): redacted like the frame itself.
  redacted_frame_.assign(rejection_.message);
  raw_redactor_.apply(redacted_frame_);
  append_json_string(q, redacted_frame_);
  q.append("},\"listener\":");
  append_json_string(q, source_name(kind));
  q.append(",\"sender\":");
  append_sender(q, sender);
  q.append(",\"size\":");
  append_uint(q, size);
  if (raw.size() < size) q.append(",\"truncated\":true");
  redacted_frame_.assign(raw);
  if (const size_t redacted = raw_redactor_.apply(redacted_frame_); redacted > 0) {
    q.append(",\"redacted\":");
    append_uint(q, redacted);
  }
  raw = redacted_frame_;
  if (simdjson::validate_utf8(raw.data(), raw.size())) {
    q.append(",\"raw\":");
    append_json_string(q, raw);
  } else {
    q.append(",\"raw_base64\":\"");
    size_t at = q.size();
    q.resize(at + 4 * ((raw.size() + 2) / 3) + 1);
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(q.data() + at),
                            reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    q.resize(at + static_cast<size_t>(n));
    q.push_back('"');
  }
  q.append("}\n");
  if (batch_.bytes() >= batch_target_bytes_) submit();
  return {false, {}, &rejection_};
}

// log.syslog from the record's header, in canonical form (its structured data keeps the
// sender's order until here).
void Pipeline::canonical_syslog_fields() {
  syslog_raw_.clear();
  append_syslog_fields(syslog_, syslog_raw_);
  simdjson::dom::element parsed;
  if (syslog_parser_.parse(syslog_raw_).get(parsed) != simdjson::SUCCESS) {
    spdlog::critical("BUG: unreadable log.syslog rendering: {}", syslog_raw_);
    syslog_json_.assign("{}");
    return;
  }
  canonical_.write(parsed, syslog_json_);
}

void Pipeline::emit_internal(std::string_view json) {
  internal_buf_.assign(json);
  internal_buf_.append(EventParser::kPadding, '\0');
  ingest({internal_buf_.data(), json.size()}, Sender{}, SourceKind::Internal);
}

void Pipeline::submit() {
  if (!touched_) return;
  queued_bytes_ += batch_.bytes();
  submitted_id_ = batch_.id;
  for (TrailPart& part : batch_.parts) {
    if (part.trail == TrailPart::kUnused) continue;
    part.next_sequence = cursors_[part.trail].next_sequence;
  }
  writer_.submit(std::move(batch_));
  open_batch();
}

void Pipeline::submit_if_writer_idle() {
  if (touched_ && durable_id_ == submitted_id_) submit();
}

void Pipeline::on_durable(uint64_t batch_id, size_t bytes) {
  durable_id_ = std::max(durable_id_, batch_id);
  queued_bytes_ -= std::min<uint64_t>(queued_bytes_, bytes);
  submit_if_writer_idle();
}

}  // namespace traild
