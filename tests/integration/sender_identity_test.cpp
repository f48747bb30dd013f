// The sender fields come from the kernel, per message: a forked child writing over its
// parent's connection is stamped as itself, and what a producer claims about its own
// process is kept under traild.claimed only when it differs.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <fstream>

#include "harness.hpp"

namespace traild::test {
namespace {

// Fields of the trail line whose event.action is `action`, as JSON text per pointer.
std::map<std::string, std::string> fields(Daemon& d, const std::string& action, const std::vector<std::string>& pointers) {
  std::map<std::string, std::string> out;
  simdjson::dom::parser parser;
  for (auto& line : d.lines()) {
    if (line.find("\"action\":\"" + action + "\"") == std::string::npos) continue;
    simdjson::dom::element doc = parser.parse(line);
    for (auto& p : pointers) {
      simdjson::dom::element v;
      out[p] = doc.at_pointer(p).get(v) ? "<absent>" : simdjson::minify(v);
    }
  }
  return out;
}

TEST(SenderIdentity, ForkedChildOnItsParentsConnectionIsStampedAsItself) {
  Daemon d("sender-fork");
  d.start();
  const std::string script = R"(
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(b'{"traild":{"ack":true}}\n{"event":{"action":"from-parent"}}\n')
child = os.fork()
if child == 0:
    s.sendall(b'{"event":{"action":"from-child"}}\n')
    os._exit(0)
os.waitpid(child, 0)
f = s.makefile()
acks = [f.readline(), f.readline()]
assert all('"ok":true' in a for a in acks), acks
print(os.getpid(), child)
)";
  std::ofstream(d.dir() / "fork.py") << script;
  auto r = run_command("python3 " + (d.dir() / "fork.py").string() + " " + d.stream().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::istringstream pids(r.output);
  std::string parent, child;
  pids >> parent >> child;
  EXPECT_EQ(fields(d, "from-parent", {"/process/pid"})["/process/pid"], parent);
  EXPECT_EQ(fields(d, "from-child", {"/process/pid"})["/process/pid"], child);
  EXPECT_NE(parent, child);
}

// With SO_PASSPIDFD every message brings traild a pidfd: each is closed, whatever becomes of
// the message (accepted, rejected, over a datagram or a stream), and the names are right.
TEST(SenderIdentity, ThePidfdOfEveryMessageIsClosed) {
  Daemon d("sender-pidfd");
  d.start();
  auto open_fds = [&] {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/" + std::to_string(d.pid()) + "/fd")) ++n;
    return n;
  };
  const size_t before = open_fds();
  const std::string script = R"(
import socket, sys
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
for i in range(1500):
    d.sendto(b'{"event":{"action":"pidfd-dgram"}}' if i % 3 else b'not json', sys.argv[2])
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile()
s.sendall(b'{"traild":{"ack":true}}\n')
for i in range(1500):
    s.sendall(b'{"event":{"action":"pidfd-stream"}}\n' if i % 3 else b'not json\n')
    f.readline()
)";
  std::ofstream(d.dir() / "pidfd.py") << script;
  auto r = run_command("python3 " + (d.dir() / "pidfd.py").string() + " " + d.stream().string() + " " +
                       d.datagram().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(wait_until([&] { return count_action(d.lines(), "pidfd-stream") == 1000; }));
  EXPECT_GT(count_action(d.lines(), "pidfd-dgram"), 0u);
  EXPECT_EQ(fields(d, "pidfd-stream", {"/process/name"})["/process/name"], "\"python3\"");
  EXPECT_EQ(fields(d, "pidfd-dgram", {"/process/name"})["/process/name"], "\"python3\"");
  EXPECT_LT(open_fds(), before + 10) << "pidfds left open";
}

TEST(SenderIdentity, KernelValuesWinAndDifferingClaimsAreKept) {
  Daemon d("sender-claims");
  d.start();
  Client c(d.stream());
  const std::string me = std::to_string(::getpid());
  c.send(R"({"traild":{"ack":true}})" "\n"
         R"({"event":{"action":"claims-false"},"process":{"pid":1,"name":"init","user":{"id":"0","name":"root"},"title":"t"}})" "\n"
         R"({"event":{"action":"claims-true"},"process.pid":)" + me + "}\n");
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  const std::string uid = "\"" + std::to_string(::getuid()) + "\"";
  auto f = fields(d, "claims-false", {"/process/pid", "/process/name", "/process/user/id", "/process/user/name",
                                      "/process/title", "/process/group/id", "/traild/claimed/process"});
  EXPECT_EQ(f["/process/pid"], me);
  EXPECT_EQ(f["/process/name"], "\"integration_tes\"");  // comm: the first 15 bytes of the name
  EXPECT_EQ(f["/process/user/id"], uid);
  EXPECT_EQ(f["/process/user/name"], "\"root\"");  // not attested: the producer's own
  EXPECT_EQ(f["/process/title"], "\"t\"");
  EXPECT_EQ(f["/process/group/id"], "\"" + std::to_string(::getgid()) + "\"");
  // user.id "0" equals the kernel's when the tests run as root; otherwise it is a claim too.
  const std::string expected_claims = ::getuid() == 0 ? R"({"name":"init","pid":1})"
                                                      : R"({"name":"init","pid":1,"user":{"id":"0"}})";
  EXPECT_EQ(f["/traild/claimed/process"], expected_claims);
  auto g = fields(d, "claims-true", {"/process/pid", "/traild/claimed"});
  EXPECT_EQ(g["/process/pid"], me);
  EXPECT_EQ(g["/traild/claimed"], "<absent>");
}

}  // namespace
}  // namespace traild::test
