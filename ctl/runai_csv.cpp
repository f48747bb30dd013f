// Run:ai's Event History CSV download -> audit API records.
#include <map>

#include "common/clock.hpp"
#include "common/json_escape.hpp"
#include "ctl/import_reader.hpp"

namespace traild::ctl {
namespace {

// RFC 4180: fields separated by ',', quoted with '"' ("" inside quotes is one quote), rows
// ending in CRLF or LF; quoted fields may hold newlines.
bool parse_csv(std::string_view text, std::vector<std::vector<std::string>>& rows, std::string& error) {
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  size_t line = 1;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field.push_back('"');
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      field_started = false;
      if (!(row.size() == 1 && row[0].empty())) rows.push_back(std::move(row));
      row.clear();
      ++line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) {
    error = "CSV: unterminated quoted field (from line " + std::to_string(line) + ")";
    return false;
  }
  if (field_started || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return true;
}

std::string normalise(std::string_view header) {
  std::string n;
  for (char c : header) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) n.push_back(c);
  }
  return n;
}

// Column titles of the Event History table and the API's own names, normalised (lowercase,
// letters and digits only), to the API field. "context." fields nest under context.
std::string api_field(std::string_view header) {
  static const std::map<std::string, std::string> kFields = {
      {"userapp", "sourceName"},       {"sourcename", "sourceName"}, {"datetime", "happenedAt"},
      {"dateandtime", "happenedAt"},   {"datatime", "happenedAt"},   {"happenedat", "happenedAt"},
      {"event", "action"},             {"action", "action"},         {"eventid", "id"},
      {"id", "id"},                    {"status", "success"},        {"success", "success"},
      {"entitytype", "entityType"},    {"entityname", "entityName"}, {"entityid", "entityId"},
      {"clustername", "clusterName"},  {"clusterid", "clusterId"},   {"tenantid", "tenantId"},
      {"sourcetype", "sourceType"},    {"sourceid", "sourceId"},     {"version", "version"},
      {"ipaddress", "context.ip_address"}, {"contextipaddress", "context.ip_address"},
      {"useragent", "context.user_agent"}, {"contextuseragent", "context.user_agent"}};
  auto it = kFields.find(normalise(header));
  return it == kFields.end() ? std::string(header) : it->second;
}

// The table shows "dd/mm/yyyy hh:mm am"; the API wants RFC 3339. Read as UTC.
std::string to_rfc3339(const std::string& v) {
  if (parse_rfc3339(v)) return v;
  unsigned d, m, y, hh, mm, ss = 0;
  char ampm[3] = {0, 0, 0};
  int n = std::sscanf(v.c_str(), "%2u/%2u/%4u %2u:%2u:%2u %2s", &d, &m, &y, &hh, &mm, &ss, ampm);
  if (n < 6) {
    ss = 0;
    n = std::sscanf(v.c_str(), "%2u/%2u/%4u %2u:%2u %2s", &d, &m, &y, &hh, &mm, ampm);
    if (n < 5) return v;  // left for traild to refuse with its own message
  }
  const std::string_view half(ampm);
  if ((half == "pm" || half == "PM") && hh < 12) hh += 12;
  if ((half == "am" || half == "AM") && hh == 12) hh = 0;
  if (m < 1 || m > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 59) return v;
  const int64_t secs = days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss;
  return rfc3339_ms(secs * 1000);
}

}  // namespace

bool runai_csv_to_records(std::string_view text, std::vector<std::string>& records, std::string& error) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a spreadsheet's BOM
  std::vector<std::vector<std::string>> rows;
  if (!parse_csv(text, rows, error)) return false;
  if (rows.empty()) return true;
  std::vector<std::string> fields;
  for (const auto& h : rows[0]) fields.push_back(api_field(h));
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != fields.size()) {
      error = "CSV row " + std::to_string(r + 1) + " has " + std::to_string(rows[r].size()) + " fields, the header " +
              std::to_string(fields.size());
      return false;
    }
    std::string top = "{", context;
    for (size_t i = 0; i < fields.size(); ++i) {
      const std::string& value = rows[r][i];
      if (value.empty()) continue;
      const bool in_context = fields[i].rfind("context.", 0) == 0;
      std::string& out = in_context ? context : top;
      if (out.size() > 1 || (in_context && !out.empty())) out.push_back(',');
      if (in_context && out.empty()) out.push_back('{');
      append_json_string(out, in_context ? fields[i].substr(8) : fields[i]);
      out.push_back(':');
      append_json_string(out, fields[i] == "happenedAt" ? to_rfc3339(value) : value);
    }
    if (!context.empty()) {
      if (top.size() > 1) top.push_back(',');
      top.append("\"context\":").append(context).append("}");
    }
    top.push_back('}');
    records.push_back(std::move(top));
  }
  return true;
}

}  // namespace traild::ctl
