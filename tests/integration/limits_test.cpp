// Access and abuse limits: each bound holds, the offender is told why, and everyone else
// is still served.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <memory>

#include "harness.hpp"

namespace traild::test {
namespace {

const std::string kHandshake = "{\"traild\":{\"ack\":true}}\n";
std::string event(const std::string& action) { return R"({"event":{"action":")" + action + R"("}})" "\n"; }

// A fresh acknowledged connection can still get an event written.
void expect_served(Daemon& d, const std::string& action) {
  Client c(d.stream());
  c.send(kHandshake + event(action));
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos) << action;
}

// Adds keys to the harness's listen: section.
void listen_extra(Daemon& d, const std::string& extra) {
  std::string config = read_file(d.config());
  config.replace(config.find("  group: \"\"\n"), 12, "  group: \"\"\n" + extra);
  std::ofstream(d.config()) << config;
}

TEST(Limits, ConnectionCapRefusesWithAReasonAndFreesUp) {
  Daemon d("limit-conns");
  listen_extra(d, "  max_connections: 3\n");
  d.start();
  std::vector<std::unique_ptr<Client>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<Client>(d.stream()));
    held.back()->send(kHandshake);
  }
  // The handshakes are taken, so traild has accepted all three.
  held[0]->send(event("cap-held"));
  ASSERT_NE(held[0]->read_line().find("\"ok\":true"), std::string::npos);
  Client over(d.stream());
  std::string refusal = over.read_line();
  EXPECT_NE(refusal.find(R"("error":"too_many_connections")"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("listen.max_connections"), std::string::npos) << refusal;
  EXPECT_TRUE(over.wait_closed());
  held.pop_back();
  ASSERT_TRUE(wait_until([&] {
    try {
      Client c(d.stream());
      c.send(kHandshake + event("cap-after"));
      return c.read_line(std::chrono::seconds(2)).find("\"ok\":true") != std::string::npos;
    } catch (const std::exception&) {
      return false;
    }
  }));
}

TEST(Limits, SlowFrameIsRefusedAndIdleConnectionClosedWhileOthersAreServed) {
  Daemon d("limit-slow");
  listen_extra(d, "  frame_timeout: 300ms\n  idle_timeout: 1s\n");
  d.start();
  Client slow(d.stream());
  slow.send(kHandshake + R"({"event":{"action":"never-finished")");
  Client idle(d.stream());
  expect_served(d, "served-meanwhile");
  std::string refusal = slow.read_line();
  EXPECT_NE(refusal.find(R"("error":"frame_timeout")"), std::string::npos) << refusal;
  EXPECT_TRUE(slow.wait_closed());
  EXPECT_TRUE(idle.wait_closed());
  expect_served(d, "served-after");
  for (auto& l : d.lines()) EXPECT_EQ(l.find("never-finished"), std::string::npos);
}

TEST(Limits, TenMegabytesWithoutTerminatorCostNoMemoryAndBlockNoOne) {
  Daemon d("limit-huge");
  d.start();
  Client huge(d.stream());
  huge.send(kHandshake);
  BackgroundSender sender(huge.fd(), "{\"event\":{\"action\":\"" + std::string(10 << 20, 'x'));
  std::string reply = huge.read_line();
  EXPECT_NE(reply.find(R"("error":"too_large")"), std::string::npos) << reply;
  expect_served(d, "served-beside-huge");
  sender.join();
  EXPECT_LT(proc_status_kib(d.pid(), "VmHWM"), 48 << 10);
}

TEST(Limits, AllowlistsRefuseOtherUsersOnBothSockets) {
  Daemon d("limit-allow");
  const std::string other = std::to_string(::getuid() + 4242);
  listen_extra(d, "  allow:\n    stream: {uids: [" + other + "]}\n    datagram: {uids: [" + other + "]}\n");
  d.start();
  Client c(d.stream());
  std::string refusal = c.read_line();
  EXPECT_NE(refusal.find(R"("error":"not_allowed")"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("uid " + std::to_string(::getuid())), std::string::npos) << refusal;
  EXPECT_TRUE(c.wait_closed());
  auto r = run_command("printf '%s' '" + event("dgram-refused") + "' | socat - UNIX-SENDTO:" + d.datagram().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(wait_until([&] { return d.log().find("outside listen.allow.datagram dropped") != std::string::npos; }))
      << d.log();
  for (auto& l : d.lines()) EXPECT_EQ(l.find("dgram-refused"), std::string::npos);

  // The running user's own id lets it in again after a reload.
  std::string config = read_file(d.config());
  for (size_t at; (at = config.find(other)) != std::string::npos;) config.replace(at, other.size(), std::to_string(::getuid()));
  std::ofstream(d.config()) << config;
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return d.log().find("configuration applied") != std::string::npos; }));
  expect_served(d, "allowed-after-reload");
}

}  // namespace
}  // namespace traild::test
