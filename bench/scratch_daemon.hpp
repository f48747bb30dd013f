// The real traild, started on a private configuration in a scratch directory, for the
// whole-daemon benchmarks; stopped and cleaned up on destruction.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

namespace traild::bench {

struct ProcessUsage {
  double user_seconds = 0;    // CPU in traild's own code and libraries
  double system_seconds = 0;  // CPU in the kernel on traild's behalf (socket reads, writes, fsync)
  double cpu_seconds() const { return user_seconds + system_seconds; }
  // Page faults served without I/O: each is a page traild touched for the first time (or
  // again after giving it back), which costs a microsecond or more on a VM.
  unsigned long long minor_faults = 0;
  // User + system CPU by thread name (traild, traild-writer, traild-dgram): which thread a
  // run keeps busy, so which one bounds events/s.
  std::map<std::string, double> thread_cpu_seconds;
  long peak_rss_kib = 0;   // VmHWM
};

class ScratchDaemon {
 public:
  // `output_yaml` is added under output:. Exits the program with a message on failure.
  ScratchDaemon(const std::string& traild, const std::string& parent_dir, const std::string& output_yaml);
  ~ScratchDaemon();
  std::string stream() const { return dir_ + "/traild.sock"; }
  std::string datagram() const { return dir_ + "/traild.dgram"; }
  std::string output() const { return dir_ + "/log"; }
  ProcessUsage usage() const;
  // SIGTERM, then waits; true when traild exited 0.
  bool stop();
  // Lines in the trail's files so far.
  size_t trail_lines() const;

 private:
  std::string dir_;
  pid_t pid_ = -1;
};

}  // namespace traild::bench
