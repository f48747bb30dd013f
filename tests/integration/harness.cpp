#include "harness.hpp"

#include "common/unix_address.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "reporters/trail_scan.hpp"

namespace traild::test {

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling interval, not a guess at timing
  }
  return true;
}

CommandResult run_command(const std::string& cmd) {
  std::string full = cmd + " 2>&1";
  FILE* p = ::popen(full.c_str(), "r");
  if (!p) throw std::runtime_error("popen failed");
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

CommandResult trailctl_send(const Daemon& d, const std::string& ndjson) {
  const fs::path input = d.dir() / "trailctl-send.ndjson";
  std::ofstream(input, std::ios::binary) << ndjson;
  return run_command(std::string(TRAILCTL_BIN) + " send --socket " + d.stream().string() + " " + input.string());
}

std::string json_field(const std::string& line, const std::string& key) {
  std::string pat = "\"" + key + "\":\"";
  auto at = line.find(pat);
  if (at == std::string::npos) return "";
  at += pat.size();
  return line.substr(at, line.find('"', at) - at);
}

Daemon::Daemon(const std::string& name, std::string output_yaml, std::string top_yaml) {
  dir_ = fs::temp_directory_path() / ("traild-it-" + std::to_string(::getpid()) + "-" + name);
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  write_config(output_yaml, top_yaml);
}

void Daemon::write_config(const std::string& output_yaml, const std::string& top_yaml) {
  std::ofstream(config()) << "listen:\n  stream: " << stream().string() << "\n  datagram: " << datagram().string()
                          << "\n  control: " << control().string() << "\n  group: \"\"\n"
                          << "output:\n  directory: " << output().string() << "\n" << output_yaml
                          << "quarantine:\n  directory: " << quarantine().string() << "\n"
                          << "state_directory: " << (dir_ / "state").string() << "\n"
                          << top_yaml;
}

Daemon::~Daemon() {
  // A graceful stop first: under the sanitizers this lets a report (or the leak check at
  // exit) be written whole instead of being cut off by SIGKILL.
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 1000 && running(); ++i) ::usleep(10'000);
  }
  if (pid_ > 0) kill9();
  if (std::getenv("TRAILD_KEEP_TEST_DIRS") == nullptr) fs::remove_all(dir_);
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

void Daemon::start() {
  // traild logs this line just before it tells systemd READY=1 and starts serving: a test's
  // signal (SIGHUP) sent earlier could come before traild is ready, which systemd never does
  // (and once, under TSan on a loaded machine, such an early SIGHUP was never seen).
  const std::string ready_line = "traild " TRAILD_VERSION " listening on";
  const size_t ready_before = count_of(log(), ready_line);
  pid_ = ::fork();
  if (pid_ == 0) {
    int log = ::open((dir_ / "traild.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(log, 2);
    ::dup2(log, 1);
    for (const auto& [name, value] : env_) ::setenv(name.c_str(), value.c_str(), 1);
    if (as_other_user_ && (::setgroups(0, nullptr) != 0 || ::setgid(gid_) != 0 || ::setuid(uid_) != 0)) ::_exit(126);
    if (max_open_files_ > 0) {
      const std::string limit = "--nofile=" + std::to_string(max_open_files_) + ":" + std::to_string(max_open_files_);
      ::execlp("prlimit", "prlimit", limit.c_str(), TRAILD_BIN, "--config", config().c_str(), nullptr);
    }
    ::execl(TRAILD_BIN, "traild", "--config", config().c_str(), nullptr);
    ::_exit(127);
  }
  // Up when both sockets take connections: traild binds the stream socket first, so a test
  // that sends a datagram at once must not find the datagram socket missing.
  const bool wants_datagram = read_file(config()).find("datagram: " + datagram().string()) != std::string::npos;
  bool up = wait_until([&] {
    if (!running()) return true;  // exited: no use waiting
    for (auto [path, type] : {std::pair{stream(), SOCK_STREAM}, {datagram(), SOCK_DGRAM}}) {
      if (type == SOCK_DGRAM && !wants_datagram) continue;
      int fd = connect_unix(path, type);
      if (fd < 0) return false;
      ::close(fd);
    }
    return true;
  });
  up = up && running();
  const bool quiet = read_file(config()).find("level: ") != std::string::npos;  // may not log at info
  up = up && (quiet || wait_until([&] { return count_of(log(), ready_line) > ready_before; }));
  if (!up) throw std::runtime_error("traild did not start; log:\n" + log());
}

void Daemon::run_as(uid_t uid, gid_t gid) {
  uid_ = uid;
  gid_ = gid;
  as_other_user_ = true;
  if (::chown(dir_.c_str(), uid, gid) != 0) throw std::runtime_error("chown " + dir_.string() + ": " + std::strerror(errno));
}

bool Daemon::running() {
  if (pid_ <= 0) return false;
  int status;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void Daemon::signal(int sig) { ::kill(pid_, sig); }

int Daemon::stop(int sig) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, sig);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Daemon::kill9() { stop(SIGKILL); }

long proc_status_kib(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  return -1;
}

std::string event_json(const std::string& action) { return R"({"event":{"action":")" + action + R"("}})"; }

size_t count_action(const std::vector<std::string>& lines, const std::string& action) {
  size_t n = 0;
  for (auto& l : lines) n += l.find("\"action\":\"" + action + "\"") != std::string::npos;
  return n;
}

std::string Daemon::log() const { return read_file(dir_ / "traild.log"); }

std::vector<fs::path> Daemon::files() const {
  std::vector<fs::path> out;
  for (auto& f : list_trail_files(output(), "audit")) out.push_back(output() / f.name);
  return out;
}

static std::vector<std::string> complete_lines(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0, nl;
  while ((nl = text.find('\n', pos)) != std::string::npos) {
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return out;
}

std::vector<std::string> Daemon::lines() const {
  std::vector<std::string> out;
  for (auto& f : files())
    for (auto& l : complete_lines(read_file(f))) out.push_back(l);
  return out;
}

std::vector<std::string> Daemon::quarantine_lines() const {
  std::vector<std::string> out;
  for (auto& f : list_trail_files(quarantine(), "rejected"))
    for (auto& l : complete_lines(read_file(quarantine() / f.name))) out.push_back(l);
  return out;
}

Client::Client(const fs::path& socket) {
  fd_ = connect_unix(socket, SOCK_STREAM);
  if (fd_ < 0) throw std::runtime_error("connect " + socket.string() + ": " + std::strerror(-fd_));
}

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

void Client::send(std::string_view b) {
  while (!b.empty()) {
    ssize_t n = ::send(fd_, b.data(), b.size(), MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error(std::string("send: ") + std::strerror(errno));
    b.remove_prefix(static_cast<size_t>(n));
  }
}

BackgroundSender::BackgroundSender(int fd, std::string bytes) : fd_(fd), bytes_(std::move(bytes)) {
  thread_ = std::thread([this, fd] {
    std::string_view rest = bytes_;
    while (!rest.empty()) {
      ssize_t n = ::send(fd, rest.data(), std::min<size_t>(rest.size(), 1 << 16), MSG_NOSIGNAL);
      if (n <= 0) return;
      rest.remove_prefix(static_cast<size_t>(n));
      sent_ += static_cast<size_t>(n);
    }
  });
}

BackgroundSender::~BackgroundSender() {
  if (!done()) ::shutdown(fd_, SHUT_RDWR);
  join();
}

bool Client::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char b[65536];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) return true;
    if (n > 0) buf_.append(b, static_cast<size_t>(n));
  }
}

void Client::shutdown_write() { ::shutdown(fd_, SHUT_WR); }

std::string Client::read_line(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    auto nl = buf_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buf_.substr(0, nl);
      buf_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return "";
    pollfd p{fd_, POLLIN, 0};
    int pr = ::poll(&p, 1, static_cast<int>(left.count()));
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) return "";
    char b[65536];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return "";
    buf_.append(b, static_cast<size_t>(n));
  }
}

}  // namespace traild::test
