// Real syslog-style clients against the real daemon, on both sockets where the client
// supports them: util-linux logger, Python's SysLogHandler, socat and nc. Each event must
// land in the trail with its syslog header as ECS log.syslog.* fields.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <unistd.h>

#include <fstream>

#include "harness.hpp"

namespace traild::test {
namespace {

// The trail line whose event.action is `action` (waits for it), or "".
std::string line_with_action(Daemon& d, const std::string& action) {
  std::string found;
  wait_until([&] {
    for (auto& l : d.lines())
      if (l.find("\"action\":\"" + action + "\"") != std::string::npos) found = l;
    return !found.empty();
  });
  return found;
}

// The log.syslog object of a trail line, re-serialised by simdjson.
std::string syslog_of(const std::string& line) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(line).get(doc)) return "not JSON: " + line;
  simdjson::dom::element sys;
  if (doc.at_pointer("/log/syslog").get(sys)) return "no log.syslog in: " + line;
  return simdjson::minify(sys);
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

class SyslogClients : public ::testing::Test {
 protected:
  void SetUp() override { d.start(); }
  void run(const std::string& command) {
    auto r = run_command(command);
    ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
  }
  std::string logger(const std::string& socket_type, const std::string& options, const std::string& action) {
    const std::string socket = socket_type == "-T" ? d.stream().string() : d.datagram().string();
    run("logger --socket-errors=on -u " + socket + " " + socket_type + " " + options + " " + sh_quote(event_json(action)));
    return line_with_action(d, action);
  }
  Daemon d{"syslog-clients"};
};

TEST_F(SyslogClients, LoggerDefaultFormatOnBothSockets) {
  for (std::string type : {"-T", "-d"}) {
    std::string line = logger(type, "-t audittag -p auth.notice", "logger-default" + type);
    ASSERT_FALSE(line.empty()) << d.log();
    EXPECT_EQ(syslog_of(line), R"({"appname":"audittag","facility":{"code":4,"name":"auth"},"priority":37,"severity":{"code":5,"name":"Notice"}})");
  }
}

TEST_F(SyslogClients, LoggerRfc3164WithHostnameAndPid) {
  for (std::string type : {"-T", "-d"}) {
    std::string line = logger(type, "--rfc3164 -i -t tagged", "logger-3164" + type);
    ASSERT_FALSE(line.empty()) << d.log();
    std::string sys = syslog_of(line);
    EXPECT_NE(sys.find(R"("appname":"tagged",)"), std::string::npos) << sys;
    EXPECT_NE(sys.find(R"("hostname":")"), std::string::npos) << sys;
    EXPECT_NE(sys.find(R"("procid":")"), std::string::npos) << sys;
  }
}

TEST_F(SyslogClients, LoggerRfc5424WithStructuredDataAndMsgid) {
  for (std::string type : {"-T", "-d"}) {
    std::string line = logger(type,
                              "--rfc5424 -t app5424 --msgid LOGIN --sd-id zoo@123 --sd-param tiger=\\\"hungry\\\"",
                              "logger-5424" + type);
    ASSERT_FALSE(line.empty()) << d.log();
    std::string sys = syslog_of(line);
    EXPECT_NE(sys.find(R"("appname":"app5424")"), std::string::npos) << sys;
    EXPECT_NE(sys.find(R"("msgid":"LOGIN")"), std::string::npos) << sys;
    EXPECT_NE(sys.find(R"("zoo@123":{"tiger":"hungry"})"), std::string::npos) << sys;
    EXPECT_NE(sys.find(R"("version":"1")"), std::string::npos) << sys;
  }
}

TEST_F(SyslogClients, LoggerOctetCountingOnTheStreamSocket) {
  std::string line = logger("-T", "--octet-count --rfc5424 -t counted", "logger-octet");
  ASSERT_FALSE(line.empty()) << d.log();
  EXPECT_NE(syslog_of(line).find(R"("appname":"counted")"), std::string::npos);
}

TEST_F(SyslogClients, LoggerStdinManyLinesOnOneConnection) {
  fs::path input = d.dir() / "lines.txt";
  {
    std::ofstream out(input);
    for (int i = 0; i < 300; ++i) out << event_json("logger-stdin") << "\n";
  }
  run("logger --socket-errors=on -u " + d.stream().string() + " -T -t many < " + input.string());
  ASSERT_TRUE(wait_until([&] { return count_action(d.lines(), "logger-stdin") == 300; })) << count_action(d.lines(), "logger-stdin");
}

TEST_F(SyslogClients, PythonSysLogHandlerDatagramAndStreamWithAndWithoutNul) {
  // Two messages per handler, so a stream without delimiters (append_nul=False) carries
  // "<14>{...}<14>{...}" on one connection.
  const std::string script = R"(
import logging, logging.handlers, socket, sys
for kind, path in (("dgram", sys.argv[1]), ("stream", sys.argv[2])):
    for nul in (True, False):
        h = logging.handlers.SysLogHandler(address=path,
            socktype=socket.SOCK_DGRAM if kind == "dgram" else socket.SOCK_STREAM)
        h.append_nul = nul
        log = logging.getLogger("%s-%s" % (kind, nul))
        log.addHandler(h)
        log.setLevel(logging.INFO)
        for n in (1, 2):
            log.info('{"event":{"action":"python-%s-%s-%d"},"user":{"name":"alice"}}' % (kind, "nul" if nul else "bare", n))
        h.close()
)";
  fs::path py = d.dir() / "client.py";
  std::ofstream(py) << script;
  run("python3 " + py.string() + " " + d.datagram().string() + " " + d.stream().string());
  for (std::string kind : {"dgram", "stream"}) {
    for (std::string nul : {"nul", "bare"}) {
      for (std::string n : {"1", "2"}) {
        const std::string action = "python-" + kind + "-" + nul + "-" + n;
        std::string line = line_with_action(d, action);
        ASSERT_FALSE(line.empty()) << action << "\n" << d.log();
        EXPECT_EQ(syslog_of(line), R"({"facility":{"code":1,"name":"user"},"priority":14,"severity":{"code":6,"name":"Informational"}})");
        EXPECT_NE(line.find(R"("user":{"name":"alice"})"), std::string::npos);
      }
    }
  }
  EXPECT_TRUE(d.quarantine_lines().empty());
}

// glibc's syslog(3) writes to /dev/log only: a private mount namespace points /dev/log at
// traild's socket (datagram, then stream, which glibc falls back to). Needs root.
TEST_F(SyslogClients, GlibcSyslog3OnBothSockets) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the client its own /dev/log";
  for (const fs::path& socket : {d.datagram(), d.stream()}) {
    const std::string action = "glibc-" + socket.extension().string().substr(1);
    const fs::path script = d.dir() / "glibc.sh";
    std::ofstream(script) << "mount -t tmpfs tmpfs /dev && ln -s " << socket.string() << " /dev/log && exec "
                          << SYSLOG3_CLIENT_BIN << " " << sh_quote(event_json(action)) << "\n";
    run("unshare -m sh " + script.string());
    std::string line = line_with_action(d, action);
    ASSERT_FALSE(line.empty()) << action << "\n" << d.log();
    std::string sys = syslog_of(line);
    EXPECT_NE(sys.find(R"("priority":37)"), std::string::npos) << sys;
    EXPECT_NE(sys.find(R"("appname":"glibc-client",)"), std::string::npos) << sys;
  }
}

TEST_F(SyslogClients, SocatAndNcSendJsonLines) {
  run("printf '%s\\n' " + sh_quote(event_json("socat-stream")) + " | socat - UNIX-CONNECT:" + d.stream().string());
  run("printf '%s\\n' " + sh_quote(event_json("socat-dgram")) + " | socat - UNIX-SENDTO:" + d.datagram().string());
  run("printf '%s\\n' " + sh_quote(event_json("nc-stream")) + " | nc -N -U " + d.stream().string());
  for (std::string action : {"socat-stream", "socat-dgram", "nc-stream"})
    EXPECT_FALSE(line_with_action(d, action).empty()) << action << "\n" << d.log();
}

TEST_F(SyslogClients, NonJsonMessageIsRejectedAndQuarantined) {
  run("logger --socket-errors=on -u " + d.stream().string() + " -T -t plain 'user alice logged in'");
  ASSERT_TRUE(wait_until([&] { return !d.quarantine_lines().empty(); }));
  const std::string q = d.quarantine_lines().front();
  EXPECT_NE(q.find(R"("code":"not_json")"), std::string::npos) << q;
  EXPECT_NE(q.find("user alice logged in"), std::string::npos) << q;
}

TEST_F(SyslogClients, DatagramHoldingSeveralRecordsIsRejectedNotGlued) {
  const std::string two = event_json("fragment-a") + "\n" + event_json("fragment-b") + "\n" + event_json("fragment-");
  run("printf '%s' " + sh_quote(two) + " | socat -b 65536 - UNIX-SENDTO:" + d.datagram().string());
  ASSERT_TRUE(wait_until([&] { return !d.quarantine_lines().empty(); }));
  EXPECT_NE(d.quarantine_lines().front().find(R"("code":"fragment")"), std::string::npos);
  EXPECT_EQ(count_action(d.lines(), "fragment-a"), 0u);
}

TEST(SyslogWrap, NonJsonMessageIsWrappedWhenConfigured) {
  Daemon d("syslog-wrap", "", "input:\n  non_json: wrap\n  non_json_action: plain-syslog\n");
  d.start();
  auto r = run_command("logger --socket-errors=on -u " + d.stream().string() + " -T -t plain 'user \"alice\" logged in'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string line = line_with_action(d, "plain-syslog");
  ASSERT_FALSE(line.empty()) << d.log();
  EXPECT_NE(line.find(R"("message":"user \"alice\" logged in")"), std::string::npos) << line;
  EXPECT_NE(syslog_of(line).find(R"("appname":"plain")"), std::string::npos) << line;
}

}  // namespace
}  // namespace traild::test
