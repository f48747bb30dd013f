// Runs the real traild binary in a temporary directory for integration tests.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace traild::test {

namespace fs = std::filesystem;

// Polls `cond` until it holds or `timeout` passes: a condition, never a bare sleep.
bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout = std::chrono::seconds(20));

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr
};
CommandResult run_command(const std::string& shell_command);

class Daemon {
 public:
  // `extra_yaml` is appended to the generated configuration (keys must not repeat).
  explicit Daemon(const std::string& name, std::string output_yaml = "", std::string top_yaml = "");
  ~Daemon();

  void start();               // returns once the stream socket accepts connections
  // Starts traild with at most `n` open files (through prlimit), for descriptor exhaustion.
  void limit_open_files(int n) { max_open_files_ = n; }
  // Runs traild as this user and group (the test must be root; the directory is given to them).
  void run_as(uid_t uid, gid_t gid);
  // An environment variable for the daemon (e.g. NOTIFY_SOCKET).
  void set_env(const std::string& name, const std::string& value) { env_.emplace_back(name, value); }
  int stop(int sig = SIGTERM);  // returns the exit status
  void kill9();
  void signal(int sig);
  bool running();
  pid_t pid() const { return pid_; }

  fs::path dir() const { return dir_; }
  fs::path stream() const { return dir_ / "run/traild.sock"; }
  fs::path datagram() const { return dir_ / "run/traild.dgram"; }
  fs::path control() const { return dir_ / "run/traild.ctl"; }
  fs::path output() const { return dir_ / "log"; }
  fs::path quarantine() const { return dir_ / "rejected"; }
  fs::path config() const { return dir_ / "traild.yaml"; }
  std::string log() const;
  void write_config(const std::string& output_yaml, const std::string& top_yaml = "");

  // Trail files, oldest first.
  std::vector<fs::path> files() const;
  // Complete lines of every trail file, in order.
  std::vector<std::string> lines() const;
  std::vector<std::string> quarantine_lines() const;

 private:
  fs::path dir_;
  pid_t pid_ = -1;
  int max_open_files_ = 0;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  bool as_other_user_ = false;
  std::vector<std::pair<std::string, std::string>> env_;
};

// A stream connection.
class Client {
 public:
  explicit Client(const fs::path& socket);
  ~Client();
  void send(std::string_view bytes);
  // Reads one reply line (waits up to the timeout); "" on EOF or timeout.
  std::string read_line(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void shutdown_write();
  // Reads (and drops) until traild closes the connection; false if it is still open then.
  bool wait_closed(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  std::string buf_;
};

// Sends `bytes` on a socket from a thread, as a pipelining client does while it reads its
// replies. Shut the socket down before join() if the peer may have stopped reading.
class BackgroundSender {
 public:
  BackgroundSender(int fd, std::string bytes);
  ~BackgroundSender();  // shuts the socket down unless everything was sent, then joins
  size_t sent() const { return sent_.load(); }
  bool done() const { return sent_.load() == bytes_.size(); }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  int fd_;
  std::string bytes_;
  std::atomic<size_t> sent_{0};
  std::thread thread_;
};

// The acknowledgement handshake, as a client's first frame.
inline const std::string kAckHandshake = "{\"traild\":{\"ack\":true}}\n";
// The smallest valid event, {"event":{"action":ACTION}}, without and with its terminator.
std::string event_json(const std::string& action);
inline std::string event_frame(const std::string& action) { return event_json(action) + "\n"; }
// Trail lines (or any JSON lines) whose event.action is `action`.
size_t count_action(const std::vector<std::string>& lines, const std::string& action);

std::string read_file(const fs::path& p);
// How many times `what` occurs in `text` (overlapping occurrences counted).
size_t count_of(const std::string& text, const std::string& what);
// Writes `ndjson` to a file in the daemon's directory and sends it with `trailctl send`.
CommandResult trailctl_send(const Daemon& d, const std::string& ndjson);
// A memory bound for traild in KiB: `normal`, or four times it under ASan/TSan, whose
// shadow memory and quarantines inflate every process's RSS.
constexpr long memory_bound_kib(long normal) {
#ifdef TRAILD_UNDER_SANITIZER
  return normal * 4;
#else
  return normal;
#endif
}
// A /proc/PID/status value in KiB ("VmRSS", "VmHWM"); -1 when absent.
long proc_status_kib(pid_t pid, const std::string& key);
// A JSON string field's value from a flat search ("id":"...") in a line; "" when absent.
std::string json_field(const std::string& line, const std::string& key);

}  // namespace traild::test
