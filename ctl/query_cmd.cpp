// trailctl query: search and export the trail. Arguments become a QueryOptions; the answer
// is printed (or written to --output, whole) in the chosen format. An export is recorded in
// the trail itself through the daemon's socket.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "common/clock.hpp"
#include "ctl/commands.hpp"
#include "ctl/export_record.hpp"
#include "ctl/input.hpp"
#include "ctl/query/output.hpp"
#include "ctl/query/query.hpp"
#include "ctl/query/request.hpp"
#include "ctl/send_report.hpp"

namespace traild::ctl {
namespace {

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
         "Exit status: 0 success, 1 DIR or one of its files could not be read, 2 bad usage.\n";
}

}  // namespace

int cmd_query(const std::vector<std::string>& args) {
  std::string directory = "/var/log/traild", output, socket = kDefaultSocket;
  std::vector<QueryParam> params;
  auto usage_error = [](const std::string& why) {
    std::cerr << "trailctl query: " << why << "\n";
    return 2;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      query_usage(std::cout);
      return 0;
    }
    if (a.size() < 2 || a[0] != '-') {
      directory = a;
      continue;
    }
    if (a == "--all" || a == "--reverse" || a == "--failed") {
      params.push_back({a.substr(2), "true"});
      continue;
    }
    if (i + 1 >= args.size()) return usage_error(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--output") {
      output = v;
    } else if (a == "--socket") {
      socket = v;
    } else if (a.rfind("--", 0) == 0) {
      params.push_back({a.substr(2), v});
    } else {
      return usage_error("unknown option '" + a + "' (see trailctl query --help)");
    }
  }
  std::string error;
  auto request = parse_query_request(params, output.empty() ? QueryPurpose::Page : QueryPurpose::Export,
                                     now_unix_ms(), "--", error);
  if (!request) return usage_error(error);
  request->options.directory = directory;
  if (const auto why = unlistable_directory(directory)) {
    std::cerr << "trailctl query: " << *why << "\n";
    return 1;
  }

  const QueryResult result = run_query(request->options, std::cerr);
  // What could be read is still answered; the exit status says it is not the whole trail.
  const int status = result.files_unreadable > 0 ? 1 : 0;
  if (output.empty()) {
    write_answer(result, request->format, request->fields, std::cout);
    if ((request->format == OutputFormat::Csv || request->format == OutputFormat::Jsonl) && !result.next.empty())
      std::cerr << "next: --after " << result.next << "\nprev: --before " << result.prev << "\n";
    return status;
  }
  std::ofstream out(output, std::ios::binary | std::ios::trunc);
  if (out) write_answer(result, request->format, request->fields, out);
  out.close();
  if (!out) {
    std::cerr << "trailctl query: cannot write " << output << "\n";
    return 1;
  }
  std::cout << "exported " << result.events.size() << " events to " << output << "\n";
  const std::string not_recorded = record_export(
      socket, {"trailctl query", request->description, result.events.size(), output, ""});
  if (!not_recorded.empty()) std::cerr << "trailctl query: the export is not recorded in the trail: " << not_recorded << "\n";
  return status;
}

}  // namespace traild::ctl
