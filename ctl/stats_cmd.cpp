// trailctl stats: reads traild's live metrics from its control socket (listen.control) and
// prints them, as a table or as the Prometheus text traild sends.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>

#include "common/unix_address.hpp"
#include "ctl/commands.hpp"

namespace traild::ctl {
namespace {

constexpr const char* kDefaultControl = "/run/traild/traild.ctl";
constexpr int kTimeoutMs = 5000;

void stats_usage(std::ostream& out) {
  out << "usage: trailctl stats [--socket PATH] [--prometheus]\n\n"
         "Prints the running traild's metrics (docs/operations.md, Metrics), read live from its\n"
         "control socket, which root and the traild group may open.\n\n"
         "  --socket PATH   traild's control socket, listen.control (default " << kDefaultControl << ")\n"
         "  --prometheus    print the Prometheus text exposition as traild sends it\n\n"
         "Exit status: 0 printed, 1 traild unreachable, 2 bad usage.\n";
}

// Everything traild sends until it closes the connection; false (with `error`) on failure.
bool read_all(int fd, std::string& out, std::string& error) {
  char buf[65536];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, kTimeoutMs);
    if (ready == 0) {
      error = "no answer within 5 s";
      return false;
    }
    const ssize_t n = ready < 0 ? -1 : ::read(fd, buf, sizeof buf);
    if (n == 0) return true;
    if (n < 0) {
      if (errno == EINTR) continue;
      error = std::strerror(errno);
      return false;
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

// The samples without the # HELP / # TYPE lines, values aligned.
void print_table(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::pair<std::string, std::string>> rows;
  size_t width = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    rows.emplace_back(line.substr(0, space), line.substr(space + 1));
    width = std::max(width, space);
  }
  for (const auto& [name, value] : rows) std::cout << name << std::string(width - name.size() + 2, ' ') << value << "\n";
}

}  // namespace

int cmd_stats(const std::vector<std::string>& args) {
  std::string socket = kDefaultControl;
  bool prometheus = false;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      stats_usage(std::cout);
      return 0;
    }
    if (args[i] == "--socket" && i + 1 < args.size()) {
      socket = args[++i];
    } else if (args[i] == "--prometheus") {
      prometheus = true;
    } else {
      std::cerr << "trailctl stats: unexpected argument " << args[i] << "\n";
      stats_usage(std::cerr);
      return 2;
    }
  }
  const int fd = connect_unix(socket, SOCK_STREAM);
  if (fd < 0) {
    std::cerr << "trailctl stats: cannot connect to " << socket << ": " << std::strerror(-fd)
              << " (is traild running, with listen.control set, and may you open its control socket?)\n";
    return 1;
  }
  std::string text, error;
  const bool ok = read_all(fd, text, error);
  ::close(fd);
  if (!ok || text.empty()) {
    std::cerr << "trailctl stats: " << socket << ": " << (ok ? "traild sent nothing" : error) << "\n";
    return 1;
  }
  if (prometheus) std::cout << text;
  else print_table(text);
  return 0;
}

}  // namespace traild::ctl
