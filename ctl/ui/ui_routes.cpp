#include "ctl/ui/ui_routes.hpp"

#include <openssl/crypto.h>

#include <iostream>
#include <sstream>

#include "common/clock.hpp"
#include "common/json_escape.hpp"
#include "ctl/export_record.hpp"
#include "ctl/query/output.hpp"
#include "ctl/ui/ui_assets.hpp"
#include "ctl/ui/url_query.hpp"

namespace traild::ctl {
namespace {

UiResponse text(int status, std::string body) {
  UiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

UiResponse json_error(int status, const std::string& message) {
  UiResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = "{\"error\":";
  append_json_string(r.body, message);
  r.body += "}\n";
  return r;
}

// The value of cookie `name` in a Cookie header ("a=1; b=2"), or "".
std::string cookie_value(const std::string& header, const std::string& name) {
  size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    const size_t end = std::min(header.find(';', pos), header.size());
    const std::string pair = header.substr(pos, end - pos);
    if (pair.size() > name.size() && pair.compare(0, name.size(), name) == 0 && pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
    pos = end;
  }
  return "";
}

const char* content_type_of(OutputFormat f) {
  switch (f) {
    case OutputFormat::Json: return "application/json";
    case OutputFormat::Jsonl: return "application/x-ndjson";
    case OutputFormat::Csv: return "text/csv; charset=utf-8";
    case OutputFormat::Table: return "text/plain; charset=utf-8";
  }
  return "application/octet-stream";
}

const char* extension_of(OutputFormat f) {
  switch (f) {
    case OutputFormat::Json: return "json";
    case OutputFormat::Jsonl: return "jsonl";
    case OutputFormat::Csv: return "csv";
    case OutputFormat::Table: return "txt";
  }
  return "bin";
}

std::string columns_document() {
  std::string out = "{\"default\":[";
  const auto columns = default_columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out += ",";
    append_json_string(out, columns[i]);
  }
  return out + "]}\n";
}

}  // namespace

std::string UiRoutes::cookie_name_for_port(unsigned port) { return "trailctl_ui_" + std::to_string(port); }

bool UiRoutes::token_matches(const std::string& candidate) const {
  return !settings_.token.empty() && candidate.size() == settings_.token.size() &&
         CRYPTO_memcmp(candidate.data(), settings_.token.data(), candidate.size()) == 0;
}

UiResponse UiRoutes::answer(const UiRequest& request) const {
  if (request.method != "GET") {
    UiResponse r = text(405, "405: trailctl ui is read-only; it answers GET only\n");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  auto target = parse_request_target(request.target);
  if (!target) return text(400, "400: malformed request target\n");
  // The token comes once in the URL trailctl ui printed; the answer moves it into a cookie
  // (HttpOnly, SameSite=Strict: other sites' pages cannot send it) and drops it from the URL.
  std::string url_token;
  std::vector<QueryParam> params;
  for (auto& p : target->params) {
    if (p.name == "token")
      url_token = p.value;
    else
      params.push_back(std::move(p));
  }
  const std::string bearer =
      request.authorization.rfind("Bearer ", 0) == 0 ? request.authorization.substr(7) : std::string();
  const bool by_url = token_matches(url_token);
  if (!by_url && !token_matches(bearer) && !token_matches(cookie_value(request.cookie, settings_.cookie_name))) {
    return text(401, "401: this needs the access token: open the URL trailctl ui printed when it started\n");
  }
  if (by_url && target->path == "/") {
    UiResponse r = text(303, "");
    r.headers.emplace_back("Location", "/");
    r.headers.emplace_back("Set-Cookie",
                           settings_.cookie_name + "=" + settings_.token + "; Path=/; HttpOnly; SameSite=Strict");
    return r;
  }
  if (target->path == "/api/events") return query(request, params, false);
  if (target->path == "/api/export") return query(request, params, true);
  if (target->path == "/api/columns") {
    UiResponse r = text(200, columns_document());
    r.content_type = "application/json";
    return r;
  }
  if (auto asset = ui_asset(target->path == "/" ? "/index.html" : target->path)) {
    UiResponse r = text(200, std::string(asset->content));
    r.content_type = asset->content_type;
    return r;
  }
  return text(404, "404: no such page\n");
}

UiResponse UiRoutes::query(const UiRequest& request, const std::vector<QueryParam>& params, bool whole_export) const {
  std::string error;
  auto q = parse_query_request(params, whole_export ? QueryPurpose::Export : QueryPurpose::Page, now_unix_ms(), "",
                               error);
  if (!q) return json_error(400, error);
  q->options.directory = settings_.directory;
  // An export keeps at most max_export + 1 events: one more than allowed means too many.
  const bool capped = whole_export && !q->options.limit;
  if (capped) q->options.limit = settings_.max_export + 1;
  std::ostringstream warnings;
  const QueryResult result = run_query(q->options, warnings);
  if (!warnings.str().empty()) std::cerr << warnings.str();
  if (capped && result.events.size() > settings_.max_export)
    return json_error(413, "this download would hold more than " + std::to_string(settings_.max_export) +
                               " events (trailctl ui --max-export): narrow the filters or the date range, or run "
                               "trailctl query --output FILE on the host");
  UiResponse r;
  r.content_type = content_type_of(q->format);
  std::ostringstream body;
  write_answer(result, q->format, q->fields, body);
  r.body = body.str();
  r.headers.emplace_back("X-Trail-Skipped-Lines", std::to_string(result.skipped_lines));
  if (!whole_export) return r;
  r.headers.emplace_back("Content-Disposition",
                         "attachment; filename=\"traild-export-" + compact_utc(now_unix_ms()) + "." + extension_of(q->format) + "\"");
  const std::string not_recorded =
      record_export(settings_.socket, {"trailctl ui", q->description, result.events.size(), "",
                                       extension_of(q->format), request.peer});
  if (!not_recorded.empty())
    std::cerr << "trailctl ui: an export to " << request.peer << " is not recorded in the trail: " << not_recorded << "\n";
  r.headers.emplace_back("X-Trail-Export-Recorded", not_recorded.empty() ? "yes" : "no");
  return r;
}

}  // namespace traild::ctl
