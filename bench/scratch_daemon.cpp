#include "scratch_daemon.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace traild::bench {

ScratchDaemon::ScratchDaemon(const std::string& traild, const std::string& parent_dir, const std::string& output_yaml) {
  dir_ = parent_dir + "/traild-bench-XXXXXX";
  if (!::mkdtemp(dir_.data())) {
    std::perror("cannot create a scratch directory");
    std::exit(2);
  }
  const std::string config = dir_ + "/traild.yaml";
  std::ofstream(config) << "listen:\n  stream: " << stream() << "\n  datagram: " << datagram()
                        << "\n  control: " << dir_ << "/traild.ctl"  // its own, not the system's
                        << "\n  group: \"\"\noutput:\n  directory: " << output() << "\n" << output_yaml
                        << "quarantine:\n  directory: " << dir_ << "/rejected\nstate_directory: " << dir_
                        << "/state\nlog:\n  level: warn\n";
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execl(traild.c_str(), traild.c_str(), "--config", config.c_str(), static_cast<char*>(nullptr));
    std::perror("exec traild");
    ::_exit(127);
  }
  for (int i = 0; i < 1000 && !(std::filesystem::exists(stream()) && std::filesystem::exists(datagram())); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!std::filesystem::exists(stream())) {
    ::kill(pid_, SIGKILL);
    std::fprintf(stderr, "traild did not create its sockets within 10 s\n");
    std::exit(2);
  }
}

ScratchDaemon::~ScratchDaemon() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::filesystem::remove_all(dir_);
}

bool ScratchDaemon::stop() {
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

namespace {

struct CpuTimes {
  double user = 0;
  double system = 0;
  unsigned long long minor_faults = 0;
};

// utime and stime (in seconds) and minflt from a /proc/.../stat file.
CpuTimes read_cpu_times(const std::string& stat_path) {
  std::ifstream stat(stat_path);
  std::string content((std::istreambuf_iterator<char>(stat)), {});
  CpuTimes t;
  const size_t paren = content.rfind(')');
  if (paren == std::string::npos) return t;
  // Fields after the parenthesised command name; minflt is the 10th, utime and stime the
  // 14th and 15th.
  std::istringstream rest(content.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 10) t.minor_faults = std::stoull(field);
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  const double ticks_per_second = static_cast<double>(sysconf(_SC_CLK_TCK));
  t.user = static_cast<double>(utime) / ticks_per_second;
  t.system = static_cast<double>(stime) / ticks_per_second;
  return t;
}

}  // namespace

ProcessUsage ScratchDaemon::usage() const {
  ProcessUsage u;
  const std::string proc = "/proc/" + std::to_string(pid_);
  const CpuTimes process = read_cpu_times(proc + "/stat");
  u.user_seconds = process.user;
  u.system_seconds = process.system;
  u.minor_faults = process.minor_faults;
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(proc + "/task", ec)) {
    std::string name;
    std::getline(std::ifstream(task.path() / "comm"), name);
    const CpuTimes t = read_cpu_times(task.path() / "stat");
    u.thread_cpu_seconds[name] += t.user + t.system;
  }
  std::ifstream status(proc + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) u.peak_rss_kib = std::stol(line.substr(6));
  return u;
}

size_t ScratchDaemon::trail_lines() const {
  size_t n = 0;
  std::error_code ec;
  for (const auto& f : std::filesystem::recursive_directory_iterator(output(), ec)) {  // tenants' too
    if (f.path().extension() != ".jsonl") continue;
    std::ifstream in(f.path());
    std::string line;
    while (std::getline(in, line)) ++n;
  }
  return n;
}

}  // namespace traild::bench
