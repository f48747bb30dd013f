// traild: the audit-trail daemon. See docs/ and `traild --help`.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "config/config.hpp"
#include "daemon/server.hpp"

namespace {

void usage(std::ostream& out) {
  out << "usage: traild --config FILE          run in the foreground\n"
         "       traild --check-config --config FILE   validate FILE, name every problem, exit 0 or 1\n"
         "       traild --version\n\n"
         "Configuration keys:\n";
  for (const auto& line : traild::config_key_docs()) out << "  " << line << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  bool check = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (a.rfind("--config=", 0) == 0) {
      config_path = a.substr(9);
    } else if (a == "--check-config") {
      check = true;
    } else if (a == "--version") {
      std::cout << "traild " TRAILD_VERSION "\n";
      return 0;
    } else if (a == "--help" || a == "-h") {
      usage(std::cout);
      return 0;
    } else {
      std::cerr << "traild: unknown argument '" << a << "'\n";
      usage(std::cerr);
      return 2;
    }
  }
  if (config_path.empty()) {
    std::cerr << "traild: --config FILE is required\n";
    usage(std::cerr);
    return 2;
  }
  traild::ConfigLoad load = traild::load_config_file(config_path);
  for (const auto& e : load.errors) std::cerr << e << "\n";
  if (!load.config) return 1;
  if (check) {
    std::cout << config_path << ": OK\n";
    return 0;
  }

  auto logger = spdlog::stderr_color_mt("traild");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z traild[%P] %l: %v");
  spdlog::set_level(spdlog::level::from_str(load.config->log.level));
  std::signal(SIGPIPE, SIG_IGN);
  // Every connection is a descriptor: take the hard limit (systemd's default soft limit is
  // 1024, below listen.max_connections' default plus files and sockets).
  if (rlimit nofile{}; ::getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  try {
    return traild::run_server(*load.config, config_path);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
