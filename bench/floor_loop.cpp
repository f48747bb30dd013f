// traild_floor: the least a daemon has to spend per event to do the core of what traild
// does in `write` mode, measured on this machine so traild's figures can be read against it.
// The core issue's "bare read-and-write loop with simdjson validation", made reproducible:
// a receiver thread reads NDJSON from a Unix stream socket, validates each line with
// simdjson's DOM parser, copies it into an output buffer and appends that buffer to a file
// with one write per read. With `sha256` it also hashes every line with traild's own
// ChainHasher, the least a hash chain over every line costs (traild hashes its output line,
// about 1.5 times longer than the input line hashed here).
//
// Nothing else traild does is here: no ECS checks, no enrichment, no formatting, no
// acknowledgements. The sender thread writes the same events as traild_loadgen; its CPU is
// reported apart, like the load generator's.
//
//   traild_floor [--events 2000000] [--dir /tmp] [--mode validate|sha256|both]
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "integrity/chain.hpp"
#include "realistic_events.hpp"

namespace {

struct Options {
  long events = 2'000'000;
  std::string dir = "/tmp";
  std::string mode = "both";
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "traild_floor: %s\nusage: traild_floor [--events N] [--dir DIR] [--mode validate|sha256|both]\n",
               why);
  std::exit(2);
}

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "traild_floor: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage(("missing value for " + a).c_str());
    const std::string v = argv[++i];
    if (a == "--events") o.events = std::stol(v);
    else if (a == "--dir") o.dir = v;
    else if (a == "--mode") o.mode = v;
    else usage(("unknown option " + a).c_str());
  }
  if (o.events < 1) usage("--events must be at least 1");
  if (o.mode != "validate" && o.mode != "sha256" && o.mode != "both") usage("--mode must be validate, sha256 or both");
  return o;
}

// CPU the calling thread has used, user and system, in seconds.
struct ThreadCpu {
  double user = 0, system = 0;
  static ThreadCpu now() {
    rusage u{};
    ::getrusage(RUSAGE_THREAD, &u);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return {s(u.ru_utime), s(u.ru_stime)};
  }
  ThreadCpu operator-(const ThreadCpu& o) const { return {user - o.user, system - o.system}; }
};

// Writes the first `events` lines of `corpus` (cycled) to `fd`, then closes it.
void send_events(int fd, const std::string& corpus, long corpus_lines, long events, ThreadCpu& used) {
  const ThreadCpu start = ThreadCpu::now();
  long whole = events / corpus_lines;
  size_t tail = 0;  // bytes of the first events % corpus_lines lines
  for (long i = 0; i < events % corpus_lines; ++i) tail = corpus.find('\n', tail) + 1;
  auto write_all = [fd](const char* p, size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) die("write to the socket");
      p += w;
      n -= static_cast<size_t>(w);
    }
  };
  for (; whole > 0; --whole) write_all(corpus.data(), corpus.size());
  write_all(corpus.data(), tail);
  ::close(fd);
  used = ThreadCpu::now() - start;
}

struct Received {
  long lines = 0;
  long invalid = 0;
  ThreadCpu used;
};

// The loop being measured: read, frame, validate (and hash), copy, append.
Received receive_events(int in, int out, bool hash) {
  constexpr size_t kReadBytes = 256 << 10;
  const ThreadCpu start = ThreadCpu::now();
  // simdjson reads up to SIMDJSON_PADDING bytes past a line: the bytes of the next lines, or
  // this padding after the buffer's end.
  std::unique_ptr<char[]> buffer(new char[kReadBytes + simdjson::SIMDJSON_PADDING]());
  simdjson::dom::parser parser;
  traild::ChainHasher hasher;
  char hex[traild::kChainHashHex];
  std::string batch;
  batch.reserve(kReadBytes);
  Received r;
  size_t have = 0;
  for (;;) {
    const ssize_t n = ::read(in, buffer.get() + have, kReadBytes - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) die("read from the socket");
    if (n == 0) break;
    have += static_cast<size_t>(n);
    const char* p = buffer.get();
    const char* const end = p + have;
    while (const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)))) {
      const size_t length = static_cast<size_t>(nl - p);
      if (parser.parse(p, length, false).error() != simdjson::SUCCESS) {
        ++r.invalid;
      } else {
        if (hash) {
          hasher.begin();
          hasher.update({p, length});
          hasher.finish(hex);
        }
        batch.append(p, length + 1);
      }
      ++r.lines;
      p = nl + 1;
    }
    if (!batch.empty() && ::write(out, batch.data(), batch.size()) != static_cast<ssize_t>(batch.size()))
      die("write to the output file");
    batch.clear();
    have = static_cast<size_t>(end - p);
    std::memmove(buffer.get(), p, have);
    if (have == kReadBytes) {
      std::fprintf(stderr, "traild_floor: a line longer than %zu bytes\n", kReadBytes);
      std::exit(1);
    }
  }
  r.used = ThreadCpu::now() - start;
  return r;
}

long peak_rss_kib() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

void run(const Options& opt, bool hash, const std::string& corpus, long corpus_lines) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) die("socketpair");
  std::string path = opt.dir + "/traild-floor-XXXXXX";
  const int out = ::mkstemp(path.data());
  if (out < 0) die(("create a file in " + opt.dir).c_str());
  ::unlink(path.c_str());  // written to as traild writes, gone when closed
  if (::fcntl(out, F_SETFL, O_APPEND) != 0) die("fcntl O_APPEND");

  const auto t0 = std::chrono::steady_clock::now();
  ThreadCpu sender_used;
  std::thread sender(send_events, fds[1], std::cref(corpus), corpus_lines, opt.events, std::ref(sender_used));
  const Received r = receive_events(fds[0], out, hash);
  sender.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ::close(fds[0]);
  ::close(out);

  const double millions = static_cast<double>(r.lines) / 1e6;
  std::printf(
      "mode=%s events=%ld event_bytes=%zu | cpu_s_per_million=%.3f (user=%.3f sys=%.3f) events_per_s=%.0f "
      "peak_rss_mib=%.1f | invalid=%ld wall_s=%.2f\n  sender cpu_s_per_million=%.3f\n",
      hash ? "validate+sha256" : "validate", r.lines, corpus.size() / static_cast<size_t>(corpus_lines),
      (r.used.user + r.used.system) / millions, r.used.user / millions, r.used.system / millions,
      static_cast<double>(r.lines) / wall, static_cast<double>(peak_rss_kib()) / 1024.0, r.invalid, wall,
      (sender_used.user + sender_used.system) / millions);
  std::fflush(stdout);
  if (r.lines != opt.events || r.invalid != 0) {
    std::fprintf(stderr, "traild_floor: received %ld lines, %ld invalid, of %ld sent\n", r.lines, r.invalid, opt.events);
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse_options(argc, argv);
  const long corpus_lines = 4096;
  const std::string corpus = traild::bench::make_events(0, static_cast<int>(corpus_lines));
  if (opt.mode != "sha256") run(opt, false, corpus, corpus_lines);
  if (opt.mode != "validate") run(opt, true, corpus, corpus_lines);
  return 0;
}
