// trailctl import: backfills another system's audit export through the acknowledged
// protocol. The records go to traild as they are, with the dialect named in the handshake;
// traild maps them to ECS and derives each event.id from the system and its record id, so
// importing the same export twice never duplicates an event downstream.
#include <cerrno>
#include <cstring>
#include <iostream>

#include "ctl/commands.hpp"
#include "ctl/input.hpp"
#include "ctl/import_reader.hpp"
#include "ctl/send_report.hpp"

namespace traild::ctl {
namespace {

void import_usage(std::ostream& out) {
  out << "usage: trailctl import --dialect maas|runai|salt|gravitee [--socket PATH] [--instance NAME] [FILE...]\n\n"
         "Sends the audit records of another system's export (each FILE, or stdin) to traild and waits\n"
         "until each is durable. Reads:\n"
         "  maas      `maas PROFILE events query level=AUDIT` output ({count, events, next_uri}), an array\n"
         "            or JSON lines\n"
         "  runai     the audit API's JSON array, JSON lines, or the Event History CSV download\n"
         "  salt      get_audit's return {count, results}, as JSON or as the Salt client's Python repr\n"
         "  gravitee  the file reporter's JSON lines (JSON or ELASTICSEARCH format)\n\n"
         "  --socket PATH    traild's stream socket (default " << kDefaultSocket << ")\n"
         "  --instance NAME  names the source system in derived event ids (maas-NAME-2569): give one\n"
         "                   per system when importing several of the same kind into one trail\n\n"
         "Prints every rejected record as FILE:record N: CODE: MESSAGE, then 'N accepted, M rejected'.\n"
         "Exit status: 0 all accepted, 1 something rejected or unreadable, 2 bad usage.\n";
}

}  // namespace

int cmd_import(const std::vector<std::string>& args) {
  std::string socket = kDefaultSocket;
  Handshake handshake;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    if (a == "--help" || a == "-h") {
      import_usage(std::cout);
      return 0;
    }
    bool ok = true;
    if (a == "--socket") {
      ok = value(socket);
    } else if (a == "--dialect") {
      ok = value(handshake.dialect);
    } else if (a == "--instance") {
      ok = value(handshake.instance);
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "trailctl import: unknown option '" << a << "'\n";
      import_usage(std::cerr);
      return 2;
    } else {
      files.push_back(a);
    }
    if (!ok) {
      std::cerr << "trailctl import: " << a << " needs a value\n";
      return 2;
    }
  }
  const auto dialect = dialect_from_name(handshake.dialect);
  if (!dialect || *dialect == Dialect::Auto || *dialect == Dialect::Ecs) {
    std::cerr << "trailctl import: --dialect must be maas, runai, salt or gravitee"
              << (handshake.dialect.empty() ? "" : " (got '" + handshake.dialect + "')") << "\n";
    return 2;
  }
  if (files.empty()) files.push_back("-");

  std::vector<std::string> records;
  std::vector<std::string> where;
  for (const auto& f : files) {
    std::string text, error;
    const std::string name = f == "-" ? "<stdin>" : f;
    if (!read_input(f, text)) {
      std::cerr << "trailctl import: cannot read " << f << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    std::vector<std::string> found;
    if (!read_export(*dialect, text, found, error)) {
      std::cerr << "trailctl import: " << name << ": " << error << "\n";
      return 1;
    }
    for (size_t i = 0; i < found.size(); ++i) {
      records.push_back(std::move(found[i]));
      where.push_back(name + ":record " + std::to_string(i + 1));
    }
  }
  std::vector<std::string_view> frames(records.begin(), records.end());
  return send_and_report("import", socket, handshake, frames, [&](size_t i) { return where[i]; });
}

}  // namespace traild::ctl
