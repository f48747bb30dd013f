// trailctl send: events from files or stdin, one JSON object per line, sent with the
// acknowledged protocol. Prints each rejection with its file and line, then the counts.
#include <cerrno>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "ctl/commands.hpp"
#include "ctl/input.hpp"
#include "ctl/send_report.hpp"

namespace traild::ctl {
namespace {

void send_usage(std::ostream& out) {
  out << "usage: trailctl send [--socket PATH] [FILE...]\n\n"
         "Sends NDJSON events (one JSON object per line) from each FILE, or from stdin when no\n"
         "FILE or '-' is given, and waits until traild has made each one durable.\n"
         "Blank lines are skipped. Prints every rejected line as FILE:LINE: CODE: MESSAGE and\n"
         "then 'N accepted, M rejected'.\n\n"
         "  --socket PATH   traild's stream socket (default " << kDefaultSocket << ")\n\n"
         "Exit status: 0 all accepted, 1 something rejected or traild unreachable, 2 bad usage.\n";
}

struct Source {
  std::string name;
  std::string text;
};

struct Frame {
  size_t source;
  size_t line;
};

bool blank(std::string_view s) { return s.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

int cmd_send(const std::vector<std::string>& args) {
  std::string socket = kDefaultSocket;
  std::vector<std::string> files;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      send_usage(std::cout);
      return 0;
    } else if (a == "--socket") {
      if (i + 1 >= args.size()) {
        std::cerr << "trailctl send: --socket needs a PATH\n";
        return 2;
      }
      socket = args[++i];
    } else if (a.rfind("--socket=", 0) == 0) {
      socket = a.substr(9);
    } else if (a.size() > 1 && a[0] == '-') {
      std::cerr << "trailctl send: unknown option '" << a << "'\n";
      send_usage(std::cerr);
      return 2;
    } else {
      files.push_back(a);
    }
  }
  if (files.empty()) files.push_back("-");

  std::vector<Source> sources;
  for (const auto& f : files) {
    Source source{f == "-" ? "<stdin>" : f, {}};
    if (!read_input(f, source.text)) {
      std::cerr << "trailctl send: cannot read " << f << ": " << std::strerror(errno) << "\n";
      return 1;
    }
    sources.push_back(std::move(source));
  }

  std::vector<std::string_view> frames;
  std::vector<Frame> where;
  size_t rejected = 0;
  for (size_t s = 0; s < sources.size(); ++s) {
    std::string_view text = sources[s].text;
    size_t line = 0;
    while (!text.empty()) {
      ++line;
      size_t nl = text.find('\n');
      std::string_view l = text.substr(0, nl);
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      if (blank(l)) continue;
      if (l.find('\0') != std::string_view::npos) {
        // A NUL ends a frame on the wire; sending it would split the line in two.
        std::cout << sources[s].name << ":" << line << ": invalid_json: the line contains a NUL byte\n";
        ++rejected;
        continue;
      }
      frames.push_back(l);
      where.push_back({s, line});
    }
  }

  return send_and_report("send", socket, {}, frames, [&](size_t i) {
    return sources[where[i].source].name + ":" + std::to_string(where[i].line);
  }, rejected);
}

}  // namespace traild::ctl
