// traild_dgram_loss: how many events a non-blocking datagram sender loses at a given rate.
// Linux queues only net.unix.max_dgram_qlen datagrams per socket, so a sender that does
// not block (as syslog(3) callers and most loggers effectively do) loses whatever finds
// the queue full (EAGAIN). Sends --events datagrams paced at --rate per second, then
// counts what reached the trail.
//
//   traild_dgram_loss --traild build/traild [--rate 50000] [--events 200000] [--dir /tmp]
//                     [--sndbuf BYTES]   (the sender's SO_SNDBUF; default: the system's)
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>

#include "common/unix_address.hpp"
#include "scratch_daemon.hpp"

namespace {

long read_long(const char* path) {
  std::ifstream in(path);
  long v = -1;
  in >> v;
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::string traild, dir = "/tmp";
  long rate = 50'000, events = 200'000, sndbuf = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--traild") traild = v;
    else if (a == "--rate") rate = std::stol(v);
    else if (a == "--events") events = std::stol(v);
    else if (a == "--dir") dir = v;
    else if (a == "--sndbuf") sndbuf = std::stol(v);
    else {
      std::fprintf(stderr, "usage: traild_dgram_loss --traild PATH [--rate N] [--events N] [--dir DIR] [--sndbuf BYTES]\n");
      return 2;
    }
  }
  if (traild.empty() || rate <= 0 || events <= 0) {
    std::fprintf(stderr, "usage: traild_dgram_loss --traild PATH [--rate N] [--events N] [--dir DIR] [--sndbuf BYTES]\n");
    return 2;
  }
  traild::bench::ScratchDaemon daemon(traild, dir, "");
  int fd = traild::connect_unix(daemon.datagram(), SOCK_DGRAM | SOCK_NONBLOCK);
  if (fd < 0) {
    std::fprintf(stderr, "connect %s: %s\n", daemon.datagram().c_str(), std::strerror(-fd));
    return 1;
  }
  if (sndbuf > 0) {
    int size = static_cast<int>(sndbuf);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  }
  char event[512];
  long sent = 0, refused = 0, first_refused = -1, last_refused = -1;
  const double cpu_before = daemon.usage().cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < events; ++i) {
    // Paced: event i is due at start + i/rate. Sleep rather than spin when there is time,
    // as a real sender would, so traild is not starved of CPU by the benchmark itself.
    const auto due = start + std::chrono::nanoseconds(i * 1'000'000'000LL / rate);
    for (auto now = std::chrono::steady_clock::now(); now < due; now = std::chrono::steady_clock::now())
      if (due - now > std::chrono::microseconds(100)) std::this_thread::sleep_for(due - now - std::chrono::microseconds(60));
    int n = std::snprintf(event, sizeof event,
                          "<86>Nov 21 10:00:00 bench[1]: {\"event\":{\"action\":\"dgram-bench\",\"outcome\":\"success\"},"
                          "\"user\":{\"name\":\"user%ld\"},\"source\":{\"ip\":\"10.0.%ld.%ld\"},\"message\":\"n%ld\"}",
                          i % 97, (i / 256) % 256, i % 256, i);
    if (::send(fd, event, static_cast<size_t>(n), MSG_DONTWAIT) == n) ++sent;
    else {  // EAGAIN: the socket's queue was full; this event is lost
      ++refused;
      if (first_refused < 0) first_refused = i;
      last_refused = i;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Everything the kernel took is written once traild catches up: wait for it.
  size_t written = 0;
  for (int i = 0; i < 1000 && (written = daemon.trail_lines()) < static_cast<size_t>(sent) + 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  written = written > 0 ? written - 1 : 0;  // traild's own start event
  const double cpu = daemon.usage().cpu_seconds() - cpu_before;
  const bool clean = daemon.stop();
  std::printf("rate=%ld/s events=%ld achieved_rate=%.0f/s | lost=%ld (%.2f%%) | sent=%ld refused_eagain=%ld "
              "written=%zu cpu_s_per_million=%.3f | net.unix.max_dgram_qlen=%ld\n",
              rate, events, static_cast<double>(events) / seconds, events - static_cast<long>(written),
              100.0 * static_cast<double>(events - static_cast<long>(written)) / static_cast<double>(events), sent,
              refused, written, cpu / (static_cast<double>(written) / 1e6), read_long("/proc/sys/net/unix/max_dgram_qlen"));
  // When the losses happened tells a start-up stall from steady overload.
  if (refused > 0)
    std::printf("refused from %.3f s to %.3f s after the start\n", static_cast<double>(first_refused) / static_cast<double>(rate),
                static_cast<double>(last_refused) / static_cast<double>(rate));
  return clean ? 0 : 1;
}
