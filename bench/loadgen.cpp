// traild_loadgen: the whole-daemon benchmark. Starts the real traild on a private config in a
// scratch directory, sends realistic ~450-byte audit events over N pipelining connections
// with the acknowledgement handshake, waits for every acknowledgement, and reports the
// daemon's own CPU time per million events, split into user and system (from /proc/PID/stat),
// events per second and its peak RSS (VmHWM), then the CPU per million of each of its threads
// (which one is busy all the time bounds events/s). The client runs in this process, so its
// CPU is not counted against traild.
//
//   traild_loadgen --traild build/traild [--connections 1] [--events 2000000]
//                  [--durability write|fsync] [--dir /tmp] [--window 65536] [--route-by FIELD]
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "common/unix_address.hpp"
#include "realistic_events.hpp"
#include "scratch_daemon.hpp"

namespace {

struct Options {
  std::string traild;
  std::string dir = "/tmp";
  std::string durability = "write";
  int connections = 1;
  long events = 2'000'000;
  long window = 65'536;  // unacknowledged frames a connection may have in flight
  std::string route_by;  // output.route_by (the events carry 13 values of organization.id)
};

// User + system CPU of this process so far, all threads.
double own_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "traild_loadgen: %s\nusage: traild_loadgen --traild PATH [--connections N] [--events N]\n"
               "       [--durability write|fsync] [--dir DIR] [--window N] [--route-by FIELD]\n",
               why);
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--traild") o.traild = value();
    else if (a == "--dir") o.dir = value();
    else if (a == "--durability") o.durability = value();
    else if (a == "--connections") o.connections = std::stoi(value());
    else if (a == "--events") o.events = std::stol(value());
    else if (a == "--window") o.window = std::stol(value());
    else if (a == "--route-by") o.route_by = value();
    else usage(("unknown option " + a).c_str());
  }
  if (o.traild.empty()) usage("--traild is required");
  if (o.durability != "write" && o.durability != "fsync") usage("--durability must be write or fsync");
  if (o.connections < 1 || o.events < o.connections || o.window < 1) usage("bad counts");
  return o;
}

struct ConnectionResult {
  long acked = 0;
  long rejected = 0;
  std::string error;
};

// Sends `events` frames from the prepared `corpus` (cycled) and reads replies until every
// frame is answered, never having more than `window` frames unanswered.
void run_connection(const std::string& socket, const std::string& corpus, size_t corpus_lines, long events,
                    long window, ConnectionResult& result) {
  try {
    int fd = traild::connect_unix(socket, SOCK_STREAM);
    if (fd < 0) throw std::runtime_error("connect " + socket + ": " + std::strerror(-fd));
    const std::string hello = "{\"traild\":{\"ack\":true}}\n";
    if (::write(fd, hello.data(), hello.size()) != static_cast<ssize_t>(hello.size()))
      throw std::runtime_error("handshake write failed");
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    // Line starts of the corpus, so a send can stop at any frame boundary.
    std::vector<size_t> starts{0};
    for (size_t i = 0; i < corpus.size(); ++i)
      if (corpus[i] == '\n') starts.push_back(i + 1);
    long sent = 0, answered = 0;
    size_t line = 0, offset = 0;  // next frame to send, bytes of it already sent
    std::string replies(1 << 20, '\0');
    size_t reply_fill = 0;
    while (answered < events) {
      long room = std::min(window - (sent - answered), events - sent);
      pollfd p{fd, POLLIN, 0};
      if (room > 0 || offset > 0) p.events |= POLLOUT;
      if (::poll(&p, 1, 10'000) <= 0) throw std::runtime_error("no progress for 10 s");
      if (p.revents & (POLLERR | POLLHUP) && !(p.revents & POLLIN)) throw std::runtime_error("connection closed");
      if (p.revents & POLLOUT) {
        // Send up to 256 KiB of whole frames from the corpus (plus the rest of a cut frame).
        size_t frames = static_cast<size_t>(std::max<long>(room, 0));
        if (offset > 0 && frames == 0) frames = 1;
        frames = std::min({frames, corpus_lines - line, static_cast<size_t>(600)});
        if (frames > 0) {
          const char* begin = corpus.data() + starts[line] + offset;
          size_t len = starts[line + frames] - starts[line] - offset;
          ssize_t n = ::send(fd, begin, len, MSG_NOSIGNAL);
          if (n < 0 && errno != EAGAIN) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
          if (n > 0) {
            size_t pos = starts[line] + offset + static_cast<size_t>(n);
            while (line < corpus_lines && starts[line + 1] <= pos) {
              ++line;
              ++sent;
            }
            offset = pos - starts[line];
            if (line == corpus_lines) line = 0;
          }
        }
      }
      if (p.revents & POLLIN) {
        ssize_t n = ::read(fd, replies.data() + reply_fill, replies.size() - reply_fill);
        if (n == 0) throw std::runtime_error("traild closed the connection");
        if (n < 0 && errno != EAGAIN) throw std::runtime_error(std::string("read: ") + std::strerror(errno));
        if (n > 0) {
          reply_fill += static_cast<size_t>(n);
          size_t start = 0;
          for (size_t i = 0; i < reply_fill; ++i) {
            if (replies[i] != '\n') continue;
            std::string_view reply(replies.data() + start, i - start);
            if (reply.find("\"ok\":true") != std::string_view::npos) ++result.acked;
            else {
              if (result.rejected++ == 0) std::fprintf(stderr, "first rejection: %.*s\n", int(reply.size()), reply.data());
            }
            ++answered;
            start = i + 1;
          }
          std::memmove(replies.data(), replies.data() + start, reply_fill - start);
          reply_fill -= start;
        }
      }
    }
    ::close(fd);
  } catch (const std::exception& e) {
    result.error = e.what();
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options opt = parse_options(argc, argv);
  traild::bench::ScratchDaemon daemon(
      opt.traild, opt.dir,
      "  durability: " + opt.durability + "\n" + (opt.route_by.empty() ? "" : "  route_by: " + opt.route_by + "\n"));
  const std::string socket = daemon.stream();

  const int corpus_lines = 4096;
  std::vector<std::string> corpora;
  size_t bytes = 0;
  for (int c = 0; c < opt.connections; ++c) {
    corpora.push_back(traild::bench::make_events(c, corpus_lines));
    bytes += corpora.back().size();
  }
  const double mean_event_bytes = static_cast<double>(bytes) / (opt.connections * corpus_lines);

  traild::bench::ProcessUsage before = daemon.usage();
  const double own_before = own_cpu_seconds();
  auto started = std::chrono::steady_clock::now();
  std::vector<ConnectionResult> results(static_cast<size_t>(opt.connections));
  std::vector<std::thread> threads;
  for (int c = 0; c < opt.connections; ++c) {
    long share = opt.events / opt.connections + (c < opt.events % opt.connections ? 1 : 0);
    threads.emplace_back(run_connection, socket, std::cref(corpora[static_cast<size_t>(c)]),
                         static_cast<size_t>(corpus_lines), share, opt.window, std::ref(results[static_cast<size_t>(c)]));
  }
  for (auto& t : threads) t.join();
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  traild::bench::ProcessUsage after = daemon.usage();
  const double own_cpu = own_cpu_seconds() - own_before;
  const bool clean_exit = daemon.stop();

  long acked = 0, rejected = 0;
  int failed = 0;
  for (auto& r : results) {
    acked += r.acked;
    rejected += r.rejected;
    if (!r.error.empty()) {
      std::fprintf(stderr, "connection error: %s\n", r.error.c_str());
      ++failed;
    }
  }
  const double millions = static_cast<double>(acked) / 1e6;
  const double user = after.user_seconds - before.user_seconds;
  const double system = after.system_seconds - before.system_seconds;
  std::printf(
      "durability=%s%s connections=%d events=%ld event_bytes=%.0f | cpu_s_per_million=%.3f (user=%.3f sys=%.3f) "
      "events_per_s=%.0f peak_rss_mib=%.1f | acked=%ld rejected=%ld wall_s=%.2f\n",
      opt.durability.c_str(), opt.route_by.empty() ? "" : (" route_by=" + opt.route_by).c_str(), opt.connections,
      opt.events, mean_event_bytes, (user + system) / millions, user / millions, system / millions,
      static_cast<double>(acked) / wall, static_cast<double>(after.peak_rss_kib) / 1024.0, acked, rejected, wall);
  // Per thread, CPU-s per million: the one near wall_s * 1e6 / acked (busy all the time)
  // bounds events/s.
  std::string by_thread;
  for (const auto& [name, seconds] : after.thread_cpu_seconds) {
    const auto was = before.thread_cpu_seconds.find(name);
    const double used = seconds - (was == before.thread_cpu_seconds.end() ? 0 : was->second);
    if (used <= 0) continue;
    char item[96];
    std::snprintf(item, sizeof item, " %s=%.3f", name.c_str(), used / millions);
    by_thread += item;
  }
  // The load generator's own CPU shares the machine: when traild's and its add up to every
  // core, the machine is the bound, not a thread of traild.
  std::printf(
      "  threads, cpu_s_per_million:%s (busy all the time: %.3f) loadgen=%.3f | minor_faults_per_1k_events=%.1f\n",
      by_thread.c_str(), wall / millions, own_cpu / millions,
      static_cast<double>(after.minor_faults - before.minor_faults) / (millions * 1000));
  return (failed || rejected || acked != opt.events || !clean_exit) ? 1 : 0;
}
