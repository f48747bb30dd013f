// trailctl query: search and export the trail. Arguments become a QueryOptions; the answer
// is printed (or written to --output, whole) in the chosen format. An export is recorded in
// the trail itself through the daemon's socket.
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <map>

#include "common/clock.hpp"
#include "common/json_escape.hpp"
#include "ctl/commands.hpp"
#include "ctl/query/output.hpp"
#include "ctl/query/query.hpp"
#include "ctl/query/time_arg.hpp"
#include "ctl/send_report.hpp"

namespace traild::ctl {
namespace {

constexpr size_t kDefaultLimit = 50;
constexpr size_t kMaxLimit = 1000;
constexpr int64_t kDefaultWindowMs = 30LL * 86'400'000;  // Run:ai's screen shows 30 days

void query_usage(std::ostream& out) {
  out << "usage: trailctl query [DIR] [filters] [paging] [output]\n\n"
         "Searches the trail under DIR (default /var/log/traild), newest first.\n\n"
         "time window (on @timestamp; default the last 30 days):\n"
         "  --since T, --until T   RFC 3339, yyyy-MM-dd, yyyy-MM-ddTHH:mm:ss (UTC), epoch s or ms, or 15m/24h/7d ago\n"
         "  --all                  no default window\n"
         "filters (all must match):\n"
         "  --actor X              user.id or user.name is X\n"
         "  --action X, --category X, --outcome success|failure|unknown, --failed\n"
         "  --target X             entity.target.id or entity.target.name is X\n"
         "  --tenant X             organization.id      --session X   salt.session_uuid or transaction.id\n"
         "  --source-ip X          source.ip            --level X     log.level (MAAS level=AUDIT)\n"
         "  --min-duration D, --max-duration D          event.duration (500ms, 2s; a number is milliseconds)\n"
         "  --where 'FIELD OP VALUE'   OP: == != =@ (contains) !@ =^ (prefix) =$ (suffix) < <= > >=\n"
         "paging and order:\n"
         "  --limit N (default 50, at most 1000), --offset N, --page P (offset P*limit)\n"
         "  --sort FIELD (default @timestamp, newest first; ties by event.sequence), --reverse\n"
         "  --after CURSOR, --before CURSOR   keyset paging with the next/prev cursors of an answer\n"
         "output:\n"
         "  --format json|jsonl|csv|table (default json), --fields a,b,c\n"
         "  --output FILE          export every match (not one page) to FILE; recorded in the trail\n"
         "  --socket PATH          traild's socket, to record exports (default " << kDefaultSocket << ")\n\n"
         "Exit status: 0 success, 1 the trail could not be read, 2 bad usage.\n";
}

Filter shortcut(std::vector<std::string> paths, std::string value, FilterOp op = FilterOp::Eq) {
  return Filter{std::move(paths), op, std::move(value)};
}

std::vector<std::string> split_fields(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    const size_t comma = s.find(',', start);
    std::string f = s.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!f.empty()) out.push_back(f);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// Records an export in the trail: who (the kernel tells traild), what filter, how many.
void record_export(const std::string& socket, const std::string& file, const std::string& description, size_t count) {
  std::string event = "{\"event\":{\"action\":\"trail-export\",\"category\":[\"database\"],\"type\":[\"access\"],"
                      "\"outcome\":\"success\"},\"message\":";
  append_json_string(event, "trailctl query exported " + std::to_string(count) + " events: " + description);
  event.append(",\"file\":{\"path\":");
  append_json_string(event, file);
  event.append("}}");
  try {
    AckClient client(socket);
    bool ok = false;
    client.send_all({event}, [&](size_t, const AckReply& r) { ok = r.ok; });
    if (!ok) std::cerr << "trailctl query: traild refused the export record\n";
  } catch (const std::exception& e) {
    std::cerr << "trailctl query: the export is not recorded in the trail: " << e.what() << "\n";
  }
}

}  // namespace

int cmd_query(const std::vector<std::string>& args) {
  QueryOptions q;
  q.directory = "/var/log/traild";
  std::string format = "json", output, socket = kDefaultSocket, since, until;
  std::vector<std::string> fields;
  bool all = false, have_offset = false, have_page = false;
  std::optional<size_t> limit, page;
  std::string after, before;  // cursors, decoded once --sort is known
  std::string description;  // the filter, for the export record
  const int64_t now = now_unix_ms();
  auto usage_error = [](const std::string& why) {
    std::cerr << "trailctl query: " << why << "\n";
    return 2;
  };
  auto count = [](const std::string& v, size_t& out) {
    size_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9' || n > SIZE_MAX / 10 - 1) return false;
      n = n * 10 + static_cast<size_t>(c - '0');
    }
    out = n;
    return !v.empty();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      query_usage(std::cout);
      return 0;
    }
    if (a == "--all") {
      all = true;
      continue;
    }
    if (a == "--reverse") {
      q.reverse = true;
      continue;
    }
    if (a == "--failed") {
      q.filters.push_back(shortcut({"event.outcome"}, "failure"));
      description += " --failed";
      continue;
    }
    if (a.size() < 2 || a[0] != '-') {
      q.directory = a;
      continue;
    }
    if (i + 1 >= args.size()) return usage_error(a + " needs a value");
    const std::string v = args[++i];
    description += " " + a + " " + v;
    static const std::map<std::string, std::vector<std::string>> kShortcuts = {
        {"--actor", {"user.id", "user.name"}},
        {"--action", {"event.action"}},
        {"--category", {"event.category"}},
        {"--target", {"entity.target.id", "entity.target.name"}},
        {"--tenant", {"organization.id"}},
        {"--session", {"salt.session_uuid", "transaction.id"}},
        {"--source-ip", {"source.ip"}},
        {"--level", {"log.level"}},
    };
    size_t n = 0;
    std::string error;
    if (auto s = kShortcuts.find(a); s != kShortcuts.end()) {
      q.filters.push_back(shortcut(s->second, v));
    } else if (a == "--outcome") {
      if (v != "success" && v != "failure" && v != "unknown") return usage_error("--outcome must be success, failure or unknown");
      q.filters.push_back(shortcut({"event.outcome"}, v));
    } else if (a == "--min-duration" || a == "--max-duration") {
      auto ns = parse_duration_ns(v);
      if (!ns) return usage_error(a + ": expected a duration (500ms, 2s, 5m) or milliseconds; got \"" + v + "\"");
      q.filters.push_back(shortcut({"event.duration"}, std::to_string(*ns),
                                   a == "--min-duration" ? FilterOp::Ge : FilterOp::Le));
    } else if (a == "--where") {
      auto f = parse_where(v, error);
      if (!f) return usage_error(error);
      q.filters.push_back(std::move(*f));
    } else if (a == "--since") {
      since = v;
    } else if (a == "--until") {
      until = v;
    } else if (a == "--limit") {
      if (!count(v, n) || n == 0) return usage_error("--limit must be a positive number");
      if (n > kMaxLimit) return usage_error("--limit is at most " + std::to_string(kMaxLimit) + " (use --output to export everything)");
      limit = n;
    } else if (a == "--offset") {
      if (!count(v, n)) return usage_error("--offset must be a number");
      q.offset = n;
      have_offset = true;
    } else if (a == "--page") {
      if (!count(v, n)) return usage_error("--page must be a number (pages count from 0)");
      page = n;
      have_page = true;
    } else if (a == "--after" || a == "--before") {
      (a == "--after" ? after : before) = v;
    } else if (a == "--sort") {
      if (!known_field(v)) return usage_error("--sort: unknown field \"" + v + "\"");
      q.sort_field = v;
    } else if (a == "--format") {
      format = v;
    } else if (a == "--fields") {
      fields = split_fields(v);
      for (const auto& f : fields)
        if (!known_field(f)) return usage_error("--fields: unknown field \"" + f + "\"");
    } else if (a == "--output") {
      output = v;
    } else if (a == "--socket") {
      socket = v;
    } else {
      return usage_error("unknown option '" + a + "' (see trailctl query --help)");
    }
  }
  static const std::map<std::string, OutputFormat> kFormats = {
      {"json", OutputFormat::Json}, {"jsonl", OutputFormat::Jsonl}, {"csv", OutputFormat::Csv}, {"table", OutputFormat::Table}};
  auto fmt = kFormats.find(format);
  if (fmt == kFormats.end()) return usage_error("--format must be json, jsonl, csv or table");
  if (have_offset && have_page) return usage_error("--offset and --page cannot be combined");
  if (!after.empty() && !before.empty()) return usage_error("--after and --before cannot be combined");
  if (!after.empty() && !(q.after = decode_cursor(q.sort_field, after)))
    return usage_error("--after: not a cursor of a query sorted by " + q.sort_field);
  if (!before.empty() && !(q.before = decode_cursor(q.sort_field, before)))
    return usage_error("--before: not a cursor of a query sorted by " + q.sort_field);
  std::string error;
  if (!since.empty() && !(q.since_ms = parse_time_arg(since, now, error))) return usage_error("--since: " + error);
  if (!until.empty() && !(q.until_ms = parse_time_arg(until, now, error))) return usage_error("--until: " + error);
  if (since.empty() && !all) q.since_ms = now - kDefaultWindowMs;
  // A page unless exporting: an export holds every match (or an explicit --limit).
  if (output.empty() || limit) q.limit = limit.value_or(kDefaultLimit);
  if (page) q.offset = *page * *q.limit;

  QueryResult result = run_query(q, std::cerr);
  if (output.empty()) {
    write_answer(result, fmt->second, fields, std::cout);
    if ((fmt->second == OutputFormat::Csv || fmt->second == OutputFormat::Jsonl) && !result.next.empty())
      std::cerr << "next: --after " << result.next << "\nprev: --before " << result.prev << "\n";
    return 0;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  if (out) write_answer(result, fmt->second, fields, out);
  out.close();
  if (!out) {
    std::cerr << "trailctl query: cannot write " << output << "\n";
    return 1;
  }
  std::cout << "exported " << result.events.size() << " events to " << output << "\n";
  record_export(socket, output, description.empty() ? "(no filter)" : description.substr(1), result.events.size());
  return 0;
}

}  // namespace traild::ctl
