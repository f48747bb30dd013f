// Decoding the syslog header in front of an event, shared by both sockets: a record that
// starts with '<' is `<PRI>` alone, RFC 3164 (`<PRI>Mmm dd hh:mm:ss [HOST] TAG[PID]: MSG`,
// also with an ISO timestamp as syslog-ng sends) or RFC 5424 (`<PRI>1 TS HOST APP PROCID
// MSGID SD MSG`). What follows the header, after an optional UTF-8 BOM and `@cee:` cookie,
// is the MSG that must hold the JSON event. Views point into the record.
#pragma once

#include <string>
#include <string_view>

namespace traild {

struct SyslogHeader {
  enum class Format { None, PriOnly, Rfc3164, Rfc5424 };
  Format format = Format::None;
  int priority = -1;               // 0..191
  int version = 0;                 // RFC 5424's VERSION, 0 for the other forms
  std::string_view hostname;       // empty when absent or "-"
  std::string_view appname;        // RFC 3164's TAG, RFC 5424's APP-NAME
  std::string_view procid;
  std::string_view msgid;
  std::string_view structured_data;  // raw "[id k="v"]..." or empty

  int facility() const { return priority >> 3; }
  int severity() const { return priority & 7; }
};

// Splits `record` into its syslog header and MSG (BOM and `@cee:` cookie removed). A record
// that does not start with '<' has no header: `msg` is the whole record. Returns false with
// `error` set when the record starts like a syslog message but its header is malformed.
bool decode_syslog(std::string_view record, SyslogHeader& header, std::string_view& msg, std::string& error);

// Appends the ECS log.syslog object `{...}` (priority, facility, severity, hostname, appname,
// procid, msgid, structured_data as {SD-ID:{PARAM:VALUE}}, version), members in the order
// above (the pipeline writes it canonically).
void append_syslog_fields(const SyslogHeader& header, std::string& out);

// RFC 5424 names as ECS shows them ("Informational"), and facility keywords ("local0").
std::string_view syslog_severity_name(int severity);
std::string_view syslog_facility_name(int facility);

}  // namespace traild
