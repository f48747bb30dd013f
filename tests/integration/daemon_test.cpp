// The daemon as a user meets it: socat, trailctl send, acknowledgements, datagrams,
// sockets, reload and shutdown.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include "harness.hpp"

namespace traild::test {
namespace {

const std::string kTrailctl = TRAILCTL_BIN;

TEST(Daemon, QuickstartWithSocatWritesOneEcsLine) {
  Daemon d("quickstart");
  d.start();
  auto r = run_command("printf '{\"event\":{\"action\":\"user-login\"},\"user\":{\"name\":\"alice\"}}\\n' | socat - UNIX-CONNECT:" +
                       d.stream().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(wait_until([&] { return count_action(d.lines(), "user-login") == 1; })) << d.log();
  for (auto& l : d.lines()) {
    if (l.find("user-login") == std::string::npos) continue;
    EXPECT_NE(l.find("\"user\":{\"name\":\"alice\"}"), std::string::npos) << l;
    EXPECT_EQ(l.rfind("{\"@timestamp\":\"", 0), 0u) << l;
    EXPECT_FALSE(json_field(l, "id").empty()) << l;
  }
  struct stat st;
  ASSERT_EQ(::stat(d.files().front().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(d.stop(), 0);
}

TEST(Daemon, AcknowledgesInOrderAndRejectsWithReasons) {
  Daemon d("acks");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake);
  c.send("{\"event\":{\"action\":\"a\",\"id\":\"prod-1\"}}\n");
  c.send("{\"event\":{\"action\":\"b\",\"outcome\":\"ok\"}}\n");
  c.send("not json\n");
  c.send("{\"event\":{\"action\":\"c\"}}\n");
  EXPECT_EQ(c.read_line(), "{\"frame\":1,\"ok\":true,\"id\":\"prod-1\"}");
  EXPECT_EQ(c.read_line(),
            "{\"frame\":2,\"ok\":false,\"error\":\"type_mismatch\",\"message\":\"event.outcome: expected one of "
            "failure, success, unknown; got \\\"ok\\\"\"}");
  std::string third = c.read_line();
  EXPECT_EQ(third.rfind("{\"frame\":3,\"ok\":false,\"error\":\"invalid_json\"", 0), 0u) << third;
  std::string fourth = c.read_line();
  EXPECT_EQ(fourth.rfind("{\"frame\":4,\"ok\":true,\"id\":\"", 0), 0u) << fourth;
  // The acknowledged event is already in the file when its ack arrives.
  std::string id = json_field(fourth, "id");
  bool found = false;
  for (auto& l : d.lines()) found |= json_field(l, "id") == id;
  EXPECT_TRUE(found);
  // Rejected frames are quarantined with their error and sender.
  auto q = d.quarantine_lines();
  ASSERT_EQ(q.size(), 2u);
  EXPECT_NE(q[0].find("\"code\":\"type_mismatch\""), std::string::npos) << q[0];
  EXPECT_NE(q[0].find("\"sender\":{\"pid\":"), std::string::npos) << q[0];
  EXPECT_NE(q[1].find("\"raw\":\"not json\""), std::string::npos) << q[1];
}

// Rejected frames keep no secret in clear either: the quarantine holds them redacted as text
// (daemon/raw_redactor.hpp), whether they are JSON, syslog text or not UTF-8.
// An event that fills its batch on its own (batches are a quarter of max_queue_bytes) is
// submitted at once; its acknowledgement must come when that batch is durable, not wait for
// the next, empty batch, which only another event would ever submit. The same goes for a
// rejected frame, whose quarantine line fills the batch.
TEST(Daemon, AnEventThatFillsItsBatchIsAcknowledgedWithoutAnotherEvent) {
  Daemon d("fills-batch", "  max_queue_bytes: 64KiB\n");  // batches of 16 KiB
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + "{\"event\":{\"action\":\"fills-batch\"},\"message\":\"" + std::string(20'000, 'm') +
         "\"}\n");
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos) << d.log();
  c.send("{\"event\":{\"action\":\"fills-batch\",\"outcome\":\"ok\"},\"message\":\"" + std::string(20'000, 'm') +
         "\"}\n");
  EXPECT_NE(c.read_line().find("\"ok\":false"), std::string::npos) << d.log();
  EXPECT_EQ(d.stop(), 0);
}

TEST(Daemon, QuarantinedFramesHaveTheirSecretsRedacted) {
  Daemon d("quarantine-redaction");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake);
  c.send("{\"event\":{\"outcome\":\"ok\"},\"user\":{\"password\":\"hunter2\"},"
         "\"http\":{\"request\":{\"headers\":{\"Authorization\":\"Basic dXNlcjpwYXNz\"}}}}\n");
  c.send("GET /callback?code=1&access_token=s3cr3t-token&state=x\n");
  c.send("{\"password\":\"hunter2\",\"bad\":\"\xff\"}\n");
  for (int i = 0; i < 3; ++i) EXPECT_NE(c.read_line().find("\"ok\":false"), std::string::npos);
  auto r = run_command("logger -u " + d.datagram().string() + " 'login failed password=hunter2 user=bob'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(wait_until([&] { return d.quarantine_lines().size() == 4; })) << d.log();
  std::string all;
  for (const auto& line : d.quarantine_lines()) {
    EXPECT_NE(line.find("\"redacted\":"), std::string::npos) << line;
    const std::string b64 = json_field(line, "raw_base64");
    if (b64.empty()) {
      all += line;
      continue;
    }
    std::string decoded(b64.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    ASSERT_GT(n, 0);
    all += decoded.substr(0, static_cast<size_t>(n));
  }
  for (const char* secret : {"hunter2", "dXNlcjpwYXNz", "s3cr3t-token"})
    EXPECT_EQ(all.find(secret), std::string::npos) << secret << " in " << all;
  EXPECT_NE(all.find("user=bob"), std::string::npos) << "the rest stays readable: " << all;
  EXPECT_NE(all.find("Authorization\\\":\\\"[REDACTED]"), std::string::npos) << all;
}

TEST(Daemon, ResentEventIsAcknowledgedAgainButWrittenOnce) {
  Daemon d("resend");
  d.start();
  for (int attempt = 0; attempt < 2; ++attempt) {
    Client c(d.stream());
    c.send("{\"traild\":{\"ack\":true}}\n{\"event\":{\"action\":\"a\",\"id\":\"once\"}}\n");
    EXPECT_EQ(c.read_line(), "{\"frame\":1,\"ok\":true,\"id\":\"once\"}");
  }
  d.stop();
  d.start();  // and across a restart
  Client c(d.stream());
  c.send("{\"traild\":{\"ack\":true}}\n{\"event\":{\"action\":\"a\",\"id\":\"once\"}}\n");
  EXPECT_EQ(c.read_line(), "{\"frame\":1,\"ok\":true,\"id\":\"once\"}");
  size_t n = 0;
  for (auto& l : d.lines()) n += json_field(l, "id") == "once";
  EXPECT_EQ(n, 1u);
}

TEST(Daemon, TrailctlSendReportsCountsAndRejectedLines) {
  Daemon d("trailctl");
  d.start();
  fs::path input = d.dir() / "events.ndjson";
  std::ofstream(input) << "{\"event\":{\"action\":\"a\"}}\n\n{\"event\":{\"action\":\"b\"},\"source\":{\"port\":\"x\"}}\n"
                       << "{\"event\":{\"action\":\"c\"}}\n";
  auto r = run_command(kTrailctl + " send --socket " + d.stream().string() + " " + input.string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find(input.string() + ":3: type_mismatch: source.port: expected long, got \"x\""), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("2 accepted, 1 rejected"), std::string::npos) << r.output;
  auto ok = run_command("printf '{\"event\":{\"action\":\"d\"}}\\n' | " + kTrailctl + " send --socket " + d.stream().string());
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("1 accepted, 0 rejected"), std::string::npos) << ok.output;
  // A FILE that is a pipe, as bash's `<(zcat events.gz)` gives: read to its end, not by size.
  const fs::path fifo = d.dir() / "events.fifo";
  auto piped = run_command("mkfifo " + fifo.string() + " && (printf '{\"event\":{\"action\":\"e\"}}\\n' > " +
                           fifo.string() + " &) && " + kTrailctl + " send --socket " + d.stream().string() + " " +
                           fifo.string());
  EXPECT_EQ(piped.exit_code, 0) << piped.output;
  EXPECT_NE(piped.output.find("1 accepted, 0 rejected"), std::string::npos) << piped.output;
  auto missing = run_command(kTrailctl + " send --socket " + d.stream().string() + " " + (d.dir() / "nope").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("cannot read " + (d.dir() / "nope").string() + ": No such file or directory"),
            std::string::npos)
      << missing.output;
  EXPECT_EQ(run_command(kTrailctl + " send --bogus").exit_code, 2);
  EXPECT_EQ(run_command(kTrailctl + " send --socket " + (d.dir() / "nope.sock").string() + " " + input.string()).exit_code, 1);
  EXPECT_EQ(run_command(kTrailctl + " frobnicate").exit_code, 2);
}

TEST(Daemon, DatagramsAreOneEventEach) {
  Daemon d("dgram");
  d.start();
  auto r = run_command("printf '{\"event\":{\"action\":\"dg1\"}}\\n' | socat - UNIX-SENDTO:" + d.datagram().string() +
                       " && printf '{\"event\":{\"action\":\"dg2\"}}\\0' | socat - UNIX-SENDTO:" + d.datagram().string() +
                       " && printf '{\"event\":{\"action\":\"dg3\"}}\\n{\"event\":' | socat - UNIX-SENDTO:" +
                       d.datagram().string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(wait_until([&] { return count_action(d.lines(), "dg1") + count_action(d.lines(), "dg2") == 2; }));
  ASSERT_TRUE(wait_until([&] { return d.quarantine_lines().size() == 1; })) << d.log();
  EXPECT_NE(d.quarantine_lines()[0].find("\"listener\":\"datagram\""), std::string::npos);
  EXPECT_EQ(count_action(d.lines(), "dg3"), 0u);  // a fragment is never glued or half-accepted
}

TEST(Daemon, ReplacesAStaleSocketAndRefusesALiveOne) {
  Daemon d("sockets");
  fs::create_directories(d.dir() / "run");
  {
    // A stale socket file, as a crash leaves it.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, d.stream().c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::close(fd);
  }
  d.start();
  struct stat st;
  ASSERT_EQ(::stat(d.stream().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  Daemon second("sockets-second");
  second.write_config("");
  // Point the second daemon at the first one's live socket.
  std::string cfg = read_file(second.config());
  cfg.replace(cfg.find(second.stream().string()), second.stream().string().size(), d.stream().string());
  std::ofstream(second.config()) << cfg;
  auto r = run_command(std::string(TRAILD_BIN) + " --config " + second.config().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("already in use by a running process"), std::string::npos) << r.output;
  EXPECT_EQ(d.stop(), 0);
  EXPECT_FALSE(fs::exists(d.stream()));  // removed on exit
  EXPECT_FALSE(fs::exists(d.datagram()));
}

TEST(Daemon, SigtermDrainsEverythingReceivedAndExitsZero) {
  Daemon d("drain");
  d.start();
  Client c(d.stream());
  std::string burst;
  for (int i = 0; i < 5000; ++i) burst += "{\"event\":{\"action\":\"drain\",\"id\":\"d-" + std::to_string(i) + "\"}}\n";
  c.send(burst);
  EXPECT_EQ(d.stop(SIGTERM), 0);
  auto lines = d.lines();
  EXPECT_EQ(count_action(lines, "drain"), 5000u);
  EXPECT_EQ(count_action(lines, "traild-stop"), 1u);
  EXPECT_NE(lines.back().find("traild-stop"), std::string::npos);
}

TEST(Daemon, SighupReloadsAValidConfigAndKeepsTheOldOneOnErrors) {
  Daemon d("reload");
  d.start();
  std::ofstream(d.config(), std::ios::app) << "bogus_key: 1\n";
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return d.log().find("keeping the running one") != std::string::npos; })) << d.log();
  EXPECT_NE(d.log().find("bogus_key: unknown key"), std::string::npos);
  d.write_config("  durability: fsync\n");
  d.signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return count_action(d.lines(), "traild-reload") == 2; })) << d.log();
  auto lines = d.lines();
  bool failure = false, success = false;
  for (auto& l : lines) {
    if (l.find("traild-reload") == std::string::npos) continue;
    failure |= l.find("\"outcome\":\"failure\"") != std::string::npos;
    success |= l.find("\"outcome\":\"success\"") != std::string::npos;
  }
  EXPECT_TRUE(failure && success);
  auto r = run_command("printf '{\"event\":{\"action\":\"after-reload\"}}\\n' | " + kTrailctl + " send --socket " +
                       d.stream().string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST(Daemon, CheckConfigNamesEveryProblem) {
  Daemon d("check");
  std::ofstream(d.config(), std::ios::app) << "output_dir: /x\ninput:\n  max_depth: deep\n";
  auto r = run_command(std::string(TRAILD_BIN) + " --check-config --config " + d.config().string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("output_dir: unknown key"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("input.max_depth: expected a whole number"), std::string::npos) << r.output;
  d.write_config("");
  EXPECT_EQ(run_command(std::string(TRAILD_BIN) + " --check-config --config " + d.config().string()).exit_code, 0);
}

}  // namespace
}  // namespace traild::test
