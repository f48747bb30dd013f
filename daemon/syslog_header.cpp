#include "daemon/syslog_header.hpp"

#include <simdjson.h>

#include <array>
#include <vector>

#include "common/json_escape.hpp"

namespace traild {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr std::string_view kCeeCookie = "@cee:";
constexpr size_t kMaxTagBytes = 128;
constexpr size_t kMaxHeaderFieldBytes = 255;  // RFC 5424 HOSTNAME is the longest at 255

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The next space-delimited token of `s` (which is advanced past it and one space).
std::string_view take_token(std::string_view& s) {
  size_t sp = s.find(' ');
  std::string_view token = s.substr(0, sp);
  s.remove_prefix(sp == std::string_view::npos ? s.size() : sp + 1);
  return token;
}

std::string_view skip_spaces(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

std::string_view strip_bom_and_cookie(std::string_view msg) {
  if (msg.starts_with(kBom)) msg.remove_prefix(kBom.size());
  msg = skip_spaces(msg);
  if (msg.starts_with(kCeeCookie)) msg = skip_spaces(msg.substr(kCeeCookie.size()));
  return msg;
}

bool starts_event(std::string_view s) { return s.starts_with('{') || s.starts_with(kCeeCookie); }

// "Mmm dd hh:mm:ss " (day space-padded) as RFC 3164 and the local syslog(3) send.
bool take_bsd_timestamp(std::string_view& s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() < 16 || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':' || s[15] != ' ') return false;
  bool month = false;
  for (auto m : kMonths) month = month || s.starts_with(m);
  const bool day = (s[4] == ' ' || is_digit(s[4])) && is_digit(s[5]);
  const bool time = is_digit(s[7]) && is_digit(s[8]) && is_digit(s[10]) && is_digit(s[11]) && is_digit(s[13]) &&
                    is_digit(s[14]);
  if (!month || !day || !time) return false;
  s.remove_prefix(16);
  return true;
}

// "YYYY-MM-DDThh:mm:ss[...] " as syslog-ng sends in its RFC 3164-like format, or
// "YYYY-MM-DD hh:mm:ss[,mmm] " as Python's logging puts in front with a asctime format.
bool take_iso_timestamp(std::string_view& s) {
  if (s.size() < 20 || !is_digit(s[0]) || !is_digit(s[3]) || s[4] != '-' || s[7] != '-') return false;
  if (s[10] != 'T' && !(s[10] == ' ' && is_digit(s[11]) && is_digit(s[12]) && s[13] == ':')) return false;
  size_t sp = s.find(' ', 11);
  if (sp == std::string_view::npos || sp > 40) return false;
  s.remove_prefix(sp + 1);
  return true;
}

// RFC 3164 TAG: "name:" or "name[pid]:", followed by an optional space.
bool take_tag(std::string_view& s, SyslogHeader& h) {
  size_t i = 0;
  while (i < s.size() && i <= kMaxTagBytes && s[i] != ':' && s[i] != '[' && s[i] != ' ' && s[i] != '{') ++i;
  if (i == 0 || i > kMaxTagBytes || i == s.size()) return false;
  std::string_view name = s.substr(0, i), pid;
  if (s[i] == '[') {
    size_t close = s.find(']', i);
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':' || close - i - 1 > 32)
      return false;
    pid = s.substr(i + 1, close - i - 1);
    i = close + 1;
  }
  if (s[i] != ':') return false;
  h.appname = name;
  h.procid = pid;
  s.remove_prefix(i + 1);
  if (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return true;
}

bool decode_rfc3164(std::string_view rest, SyslogHeader& h, std::string_view& msg) {
  if (!take_bsd_timestamp(rest) && !take_iso_timestamp(rest)) {
    h.format = SyslogHeader::Format::PriOnly;
    msg = rest;
    return true;
  }
  h.format = SyslogHeader::Format::Rfc3164;
  if (!starts_event(rest) && !take_tag(rest, h)) {
    std::string_view after_host = rest;
    std::string_view host = take_token(after_host);
    if (!host.empty() && host.size() <= kMaxHeaderFieldBytes) {
      h.hostname = host;
      rest = after_host;
      if (!starts_event(rest) && !take_tag(rest, h)) {
        // rsyslog's forwarding format puts a TAG without the colon: "host tag {...}".
        std::string_view after_tag = rest;
        std::string_view tag = take_token(after_tag);
        if (!tag.empty() && tag.size() <= kMaxTagBytes && starts_event(skip_spaces(after_tag))) {
          h.appname = tag;
          rest = after_tag;
        }
      }
    }
  }
  msg = rest;
  return true;
}

// STRUCTURED-DATA: one or more [SD-ID *(SP PARAM-NAME="PARAM-VALUE")]; values escape '"',
// '\' and ']' with '\'. Returns the length consumed, or 0 when malformed.
size_t scan_structured_data(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && s[i] == '[') {
    ++i;
    auto name_char = [&](char c) { return c > ' ' && c < 127 && c != '=' && c != ']' && c != '"'; };
    size_t id_start = i;
    while (i < s.size() && name_char(s[i])) ++i;
    if (i == id_start) return 0;
    while (i < s.size() && s[i] == ' ') {
      ++i;
      size_t name_start = i;
      while (i < s.size() && name_char(s[i])) ++i;
      if (i == name_start || i + 1 >= s.size() || s[i] != '=' || s[i + 1] != '"') return 0;
      i += 2;
      while (i < s.size() && s[i] != '"') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
      if (i >= s.size()) return 0;
      ++i;  // closing quote
    }
    if (i >= s.size() || s[i] != ']') return 0;
    ++i;
  }
  return i;
}

bool decode_rfc5424(std::string_view rest, SyslogHeader& h, std::string_view& msg, std::string& error) {
  h.format = SyslogHeader::Format::Rfc5424;
  h.version = rest[0] - '0';
  rest.remove_prefix(2);
  std::string_view fields[5];  // TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
  static constexpr const char* kNames[] = {"TIMESTAMP", "HOSTNAME", "APP-NAME", "PROCID", "MSGID"};
  for (int i = 0; i < 5; ++i) {
    fields[i] = take_token(rest);
    if (fields[i].empty() || fields[i].size() > kMaxHeaderFieldBytes) {
      error = std::string("RFC 5424 header: ") + kNames[i] + (fields[i].empty() ? " is missing" : " is too long");
      return false;
    }
  }
  auto value = [](std::string_view f) { return f == "-" ? std::string_view() : f; };
  h.hostname = value(fields[1]);
  h.appname = value(fields[2]);
  h.procid = value(fields[3]);
  h.msgid = value(fields[4]);  // real senders exceed the RFC's 32 bytes: kept as sent
  if (rest.starts_with('-')) {
    rest.remove_prefix(1);
  } else {
    size_t n = scan_structured_data(rest);
    if (n == 0) {
      error = "RFC 5424 header: STRUCTURED-DATA is neither \"-\" nor well-formed [SD-ID PARAM=\"VALUE\"] elements";
      return false;
    }
    h.structured_data = rest.substr(0, n);
    rest.remove_prefix(n);
  }
  if (!rest.empty()) {
    if (rest.front() != ' ') {
      error = "RFC 5424 header: expected a space between STRUCTURED-DATA and MSG";
      return false;
    }
    rest.remove_prefix(1);
  }
  msg = rest;
  return true;
}

// One SD-ELEMENT's parameters, in order, with repeated names gathered into arrays.
void append_sd_params(std::string_view params, std::string& out) {
  struct Param {
    std::string_view name;
    std::string value;
  };
  std::vector<Param> list;
  size_t i = 0;
  while (i < params.size() && params[i] == ' ') {
    ++i;
    size_t eq = params.find('=', i);
    Param p{params.substr(i, eq - i), {}};
    i = eq + 2;
    for (; params[i] != '"'; ++i) {
      if (params[i] == '\\' && (params[i + 1] == '"' || params[i + 1] == '\\' || params[i + 1] == ']')) ++i;
      p.value.push_back(params[i]);
    }
    ++i;
    list.push_back(std::move(p));
  }
  out.push_back('{');
  std::vector<bool> done(list.size(), false);
  for (size_t a = 0; a < list.size(); ++a) {
    if (done[a]) continue;
    if (a > 0 && out.back() != '{') out.push_back(',');
    append_json_string(out, list[a].name);
    out.push_back(':');
    size_t repeats = 0;
    for (size_t b = a + 1; b < list.size(); ++b) repeats += list[b].name == list[a].name;
    if (repeats == 0) {
      append_json_string(out, list[a].value);
      continue;
    }
    out.push_back('[');
    for (size_t b = a; b < list.size(); ++b) {
      if (list[b].name != list[a].name) continue;
      if (b > a) out.push_back(',');
      append_json_string(out, list[b].value);
      done[b] = true;
    }
    out.push_back(']');
  }
  out.push_back('}');
}

// {SD-ID:{PARAM:VALUE}}; a repeated SD-ID keeps its first element (the RFC forbids repeats).
void append_structured_data(std::string_view sd, std::string& out) {
  out.push_back('{');
  std::vector<std::string_view> seen;
  bool first = true;
  while (!sd.empty()) {
    // `sd` was checked by scan_structured_data, so this element is well-formed.
    size_t i = 1;
    while (i < sd.size() && sd[i] != ' ' && sd[i] != ']') ++i;
    std::string_view id = sd.substr(1, i - 1);
    size_t params_start = i;
    while (i < sd.size() && sd[i] != ']') {
      if (sd[i] == '"') {
        ++i;
        while (sd[i] != '"') i += sd[i] == '\\' ? 2 : 1;
      }
      ++i;
    }
    std::string_view params = sd.substr(params_start, i - params_start);
    sd.remove_prefix(i + 1);
    bool repeated = false;
    for (auto s : seen) repeated = repeated || s == id;
    if (repeated) continue;
    seen.push_back(id);
    if (!first) out.push_back(',');
    first = false;
    append_json_string(out, id);
    out.push_back(':');
    append_sd_params(params, out);
  }
  out.push_back('}');
}

}  // namespace

bool decode_syslog(std::string_view record, SyslogHeader& h, std::string_view& msg, std::string& error) {
  h = SyslogHeader{};
  if (record.empty() || record.front() != '<') {
    msg = strip_bom_and_cookie(record);
    return true;
  }
  size_t i = 1;
  int pri = 0;
  while (i < record.size() && i <= 4 && is_digit(record[i])) pri = pri * 10 + (record[i++] - '0');
  const size_t digits = i - 1;
  if (digits == 0 || digits > 3 || i >= record.size() || record[i] != '>' || pri > 191 ||
      (digits > 1 && record[1] == '0')) {
    error = "syslog header: expected <PRI> with PRI from 0 to 191 at the start of the record";
    return false;
  }
  h.priority = pri;
  std::string_view rest = record.substr(i + 1);
  bool ok;
  if (rest.size() >= 2 && rest[0] >= '1' && rest[0] <= '9' && rest[1] == ' ')
    ok = decode_rfc5424(rest, h, msg, error);
  else
    ok = decode_rfc3164(rest, h, msg);
  if (!ok) return false;
  const std::string_view header = record.substr(0, static_cast<size_t>(msg.data() - record.data()));
  if (!simdjson::validate_utf8(header.data(), header.size())) {
    error = "syslog header: not valid UTF-8";
    return false;
  }
  msg = strip_bom_and_cookie(msg);
  return true;
}

std::string_view syslog_severity_name(int severity) {
  static constexpr std::array<std::string_view, 8> kNames = {"Emergency", "Alert",  "Critical",      "Error",
                                                              "Warning",   "Notice", "Informational", "Debug"};
  return kNames[static_cast<size_t>(severity & 7)];
}

std::string_view syslog_facility_name(int facility) {
  static constexpr std::array<std::string_view, 24> kNames = {
      "kern",   "user",   "mail",   "daemon", "auth",   "syslog", "lpr",    "news",
      "uucp",   "cron",   "authpriv", "ftp",  "ntp",    "security", "console", "solaris-cron",
      "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"};
  return facility >= 0 && facility < 24 ? kNames[static_cast<size_t>(facility)] : std::string_view("unknown");
}

void append_syslog_fields(const SyslogHeader& h, std::string& out) {
  out.append("{\"priority\":");
  append_int(out, h.priority);
  out.append(",\"facility\":{\"code\":");
  append_int(out, h.facility());
  out.append(",\"name\":");
  append_json_string(out, syslog_facility_name(h.facility()));
  out.append("},\"severity\":{\"code\":");
  append_int(out, h.severity());
  out.append(",\"name\":");
  append_json_string(out, syslog_severity_name(h.severity()));
  out.push_back('}');
  auto field = [&](std::string_view name, std::string_view value) {
    if (value.empty()) return;
    out.append(",\"").append(name).append("\":");
    append_json_string(out, value);
  };
  field("hostname", h.hostname);
  field("appname", h.appname);
  field("procid", h.procid);
  field("msgid", h.msgid);
  if (!h.structured_data.empty()) {
    out.append(",\"structured_data\":");
    append_structured_data(h.structured_data, out);
  }
  if (h.version > 0) {
    out.append(",\"version\":\"");
    append_int(out, h.version);
    out.push_back('"');
  }
  out.push_back('}');
}

}  // namespace traild
