// trailctl: the operator's tool for traild.
#include <iostream>
#include <string>
#include <vector>

#include "ctl/commands.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: trailctl COMMAND [ARGS...]\n\n"
         "commands:\n"
         "  send     send NDJSON events from files or stdin, acknowledged\n"
         "  import   backfill MAAS, Run:ai, Salt or Gravitee AM audit exports\n"
         "  query    search the trail and export what a filter selects\n"
         "  verify   check the trail's hash chain and signed checkpoints\n"
         "  stats    show the running traild's metrics, live\n"
         "  ui       serve a read-only Event History web page for the trail\n\n"
         "`trailctl COMMAND --help` describes a command.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return 2;
  }
  std::string cmd = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    usage(std::cout);
    return 0;
  }
  if (cmd == "--version") {
    std::cout << "trailctl " TRAILD_VERSION "\n";
    return 0;
  }
  if (cmd == "send") return traild::ctl::cmd_send(args);
  if (cmd == "import") return traild::ctl::cmd_import(args);
  if (cmd == "query") return traild::ctl::cmd_query(args);
  if (cmd == "verify") return traild::ctl::cmd_verify(args);
  if (cmd == "stats") return traild::ctl::cmd_stats(args);
  if (cmd == "ui") return traild::ctl::cmd_ui(args);
  std::cerr << "trailctl: unknown command '" << cmd << "'\n";
  usage(std::cerr);
  return 2;
}
