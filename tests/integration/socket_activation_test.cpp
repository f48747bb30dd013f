// Socket activation as systemd does it: the sockets exist (and take events) before traild
// runs; traild is started with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES, serves them, and at
// exit leaves the socket files to their owner.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include <fstream>

#include "harness.hpp"

namespace traild::test {
namespace {

TEST(SocketActivation, EventsSentBeforeTraildStartsAreWrittenAndSocketsAreLeftToSystemd) {
  Daemon d("activation");  // provides the directory and the configuration; started below
  fs::create_directories(d.stream().parent_path());
  const std::string script = R"(
import os, signal, socket, sys, time
traild, config, stream_path, dgram_path, out_dir = sys.argv[1:6]
st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); st.bind(stream_path); st.listen(128)
dg = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); dg.bind(dgram_path)
# Clients send before traild exists, as they may while systemd starts or restarts it.
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.connect(stream_path)
c.sendall(b'{"event":{"action":"before-start-stream"}}\n')
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b'{"event":{"action":"before-start-dgram"}}', dgram_path)
pid = os.fork()
if pid == 0:
    s_fd, d_fd = os.dup(st.fileno()), os.dup(dg.fileno())  # above 4, so 3 and 4 are free to take
    os.dup2(s_fd, 3); os.dup2(d_fd, 4)
    os.set_inheritable(3, True); os.set_inheritable(4, True)
    log = os.open(os.path.join(os.path.dirname(config), "traild.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1); os.dup2(log, 2)
    os.environ.update(LISTEN_FDS="2", LISTEN_PID=str(os.getpid()), LISTEN_FDNAMES="stream:datagram")
    os.execv(traild, [traild, "--config", config])
def written():
    text = ""
    if os.path.isdir(out_dir):
        for f in os.listdir(out_dir):
            text += open(os.path.join(out_dir, f)).read()
    return "before-start-stream" in text and "before-start-dgram" in text
deadline = time.time() + 20
while not written() and time.time() < deadline:
    time.sleep(0.05)
ok = written()
os.kill(pid, signal.SIGTERM)
_, status = os.waitpid(pid, 0)
print("written" if ok else "missing", os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1)
)";
  std::ofstream(d.dir() / "activate.py") << script;
  auto r = run_command("python3 " + (d.dir() / "activate.py").string() + " " + TRAILD_BIN + " " + d.config().string() +
                       " " + d.stream().string() + " " + d.datagram().string() + " " + d.output().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(r.output, "written 0\n") << d.log();
  EXPECT_NE(d.log().find("socket activation: stream from systemd, datagram from systemd"), std::string::npos) << d.log();
  EXPECT_TRUE(fs::exists(d.stream())) << "the socket file belongs to systemd and must stay";
  EXPECT_TRUE(fs::exists(d.datagram()));
}

}  // namespace
}  // namespace traild::test

namespace traild::test {
namespace {

// A datagram socket standing in for systemd's NOTIFY_SOCKET.
class NotifyListener {
 public:
  explicit NotifyListener(const fs::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) ADD_FAILURE() << std::strerror(errno);
  }
  ~NotifyListener() { ::close(fd_); }
  // The next message that is not only a STATUS= line (sent every few seconds), or "(none)"
  // when none came within 20 s.
  std::string next_state() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      std::string m = next();
      if (!m.starts_with("STATUS=") || m.find('\n') != std::string::npos) return m;
    }
    return "(none)";
  }
  // The next message, or "(none)" after 20 s.
  std::string next() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20'000) != 1) return "(none)";
    char buf[4096];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "(error)";
  }

 private:
  int fd_ = -1;
};

// What systemd hears on NOTIFY_SOCKET: READY=1 once traild can accept and write,
// RELOADING=1 then READY=1 around SIGHUP, STOPPING=1 on SIGTERM.
TEST(SocketActivation, NotifiesSystemdOfReadyReloadAndStop) {
  Daemon d("notify");
  NotifyListener systemd(d.dir() / "notify.sock");
  auto next_message = [&] { return systemd.next_state(); };
  d.set_env("NOTIFY_SOCKET", (d.dir() / "notify.sock").string());
  d.start();
  EXPECT_EQ(next_message(), "READY=1");
  d.signal(SIGHUP);
  // A failure shows traild's own log: once under TSan the reload was never seen (no
  // "reload" line?), and that could not be reproduced since.
  EXPECT_NE(next_message().find("RELOADING=1"), std::string::npos) << d.log();
  EXPECT_EQ(next_message(), "READY=1") << d.log();
  d.signal(SIGTERM);
  EXPECT_EQ(next_message(), "STOPPING=1") << d.log();
  EXPECT_EQ(d.stop(), 0);
}

// With WatchdogSec=, traild pings WATCHDOG=1 (fed by the writer thread's heartbeat) along
// with a STATUS= line of live counters.
TEST(SocketActivation, FeedsTheWatchdogWithStatus) {
  Daemon d("watchdog");
  NotifyListener systemd(d.dir() / "notify.sock");
  d.set_env("NOTIFY_SOCKET", (d.dir() / "notify.sock").string());
  d.set_env("WATCHDOG_USEC", "200000");
  d.start();
  EXPECT_EQ(systemd.next(), "READY=1");
  Client c(d.stream());
  c.send("{\"traild\":{\"ack\":true}}\n{\"event\":{\"action\":\"counted\"}}\n");
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  std::string message;
  ASSERT_TRUE(wait_until([&] {
    message = systemd.next();
    return message.find("accepted 2") != std::string::npos;  // traild-start and ours
  })) << message;
  EXPECT_NE(message.find("WATCHDOG=1"), std::string::npos) << message;
  EXPECT_NE(message.find("STATUS=accepted 2, rejected 0"), std::string::npos) << message;
}

}  // namespace
}  // namespace traild::test
