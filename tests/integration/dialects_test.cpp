// The seed systems' records end to end: trailctl import of the seed examples, auto-detection
// over socat and datagrams, the handshake's dialect, and re-imports that write nothing twice.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>

#include "tests/integration/harness.hpp"

namespace traild::test {
namespace {

const fs::path kSeeds = fs::path(TRAILD_SOURCE_DIR) / "tests" / "data" / "seeds";

std::string import_cmd(const Daemon& d, const std::string& dialect, const fs::path& file,
                       const std::string& extra = "") {
  return std::string(TRAILCTL_BIN) + " import --socket " + d.stream().string() + " --dialect " + dialect + " " +
         extra + " " + file.string() + " 2>&1";
}

// The event.id of a trail line (json_field would find the first "id" of any object).
std::string event_id(const std::string& line) {
  simdjson::dom::parser p;
  std::string_view id;
  if (p.parse(line)["event"]["id"].get_string().get(id)) return "";
  return std::string(id);
}

std::vector<std::string> module_lines(const Daemon& d, const std::string& module) {
  std::vector<std::string> out;
  for (const auto& l : d.lines())
    if (l.find("\"module\":\"" + module + "\"") != std::string::npos) out.push_back(l);
  return out;
}

TEST(Dialects, ImportingTheMaasSeedTwiceWritesEachEventOnce) {
  Daemon d("import-maas");
  d.start();
  auto first = run_command(import_cmd(d, "maas", kSeeds / "maas_001_example.txt"));
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_NE(first.output.find("14 accepted, 0 rejected"), std::string::npos) << first.output;
  auto again = run_command(import_cmd(d, "maas", kSeeds / "maas_001_example.txt"));
  EXPECT_EQ(again.exit_code, 0) << again.output;
  // Also across a restart: the ids are reloaded from the files.
  d.stop();
  d.start();
  auto third = run_command(import_cmd(d, "maas", kSeeds / "maas_001_example.txt"));
  EXPECT_EQ(third.exit_code, 0) << third.output;
  auto lines = module_lines(d, "maas");
  ASSERT_EQ(lines.size(), 14u);
  std::set<std::string> ids;
  for (const auto& l : lines) ids.insert(event_id(l));
  EXPECT_EQ(ids.size(), 14u);
  EXPECT_TRUE(ids.count("maas-12729"));
}

TEST(Dialects, TheSaltSeedIsImportedWithItsCredentialsRedacted) {
  Daemon d("import-salt");
  d.start();
  auto r = run_command(import_cmd(d, "salt", kSeeds / "salt_003_rpcresponse.txt"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  auto lines = module_lines(d, "salt");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("\"Authorization\":\"[REDACTED]\""), std::string::npos) << lines[0];
  EXPECT_EQ(lines[0].find("cm9vdDpzYWx0MQ"), std::string::npos) << "the basic-auth secret reached the file";
  EXPECT_NE(lines[0].find("\"duration\":31539055000"), std::string::npos) << lines[0];
}

TEST(Dialects, InstancesKeepEqualRecordIdsApart) {
  Daemon d("import-instances");
  d.start();
  const fs::path seed = kSeeds / "maas_000_example1.txt";
  EXPECT_EQ(run_command(import_cmd(d, "maas", seed, "--instance region-a")).exit_code, 0);
  EXPECT_EQ(run_command(import_cmd(d, "maas", seed, "--instance region-b")).exit_code, 0);
  auto lines = module_lines(d, "maas");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(event_id(lines[0]), "maas-region-a-2569");
  EXPECT_EQ(event_id(lines[1]), "maas-region-b-2569");
}

TEST(Dialects, AutoDetectionOverSocatAndDatagrams) {
  Daemon d("auto");
  d.start();
  const std::string runai =
      R"({"id":7,"tenantId":2,"happenedAt":"2022-07-07T09:45:32.069Z","action":"Delete","entityType":"Project","entityName":"team-b","sourceType":"User","sourceName":"ops@example.com"})";
  auto r = run_command("printf '%s\\n' '" + runai + "' | socat - UNIX-CONNECT:" + d.stream().string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string gravitee =
      R"({"id":"g-1","type":"USER_LOGOUT","timestamp":1706839698123,"referenceType":"DOMAIN","actor":{"id":"u1","alternativeId":"jdoe"}})";
  r = run_command("printf '%s' '" + gravitee + "' | socat - UNIX-SENDTO:" + d.datagram().string());
  EXPECT_EQ(r.exit_code, 0) << r.output;
  ASSERT_TRUE(wait_until([&] { return module_lines(d, "runai").size() == 1 && module_lines(d, "gravitee").size() == 1; }))
      << d.log();
  const std::string ra = module_lines(d, "runai")[0];
  EXPECT_EQ(event_id(ra), "runai-2-7");
  EXPECT_NE(ra.find("\"type\":[\"deletion\"]"), std::string::npos) << ra;
  const std::string gr = module_lines(d, "gravitee")[0];
  EXPECT_NE(gr.find("\"@timestamp\":\"2024-02-02T02:08:18.123Z\""), std::string::npos) << gr;
  EXPECT_NE(gr.find("\"user\":{\"id\":\"u1\",\"name\":\"jdoe\"}"), std::string::npos) << gr;
}

TEST(Dialects, TheHandshakeDialectOverridesTheConfiguredOne) {
  Daemon d("handshake", "", "input:\n  dialect: ecs\n");
  d.start();
  // As plain ECS the MAAS record lacks event.action and is refused, and quarantined...
  auto sent = run_command(std::string("sed -n '/^{/,$p' ") + (kSeeds / "maas_000_example1.txt").string() +
                          " | tr -d '\\n' | " + TRAILCTL_BIN + " send --socket " + d.stream().string() + " 2>&1");
  EXPECT_EQ(sent.exit_code, 1) << sent.output;
  EXPECT_NE(sent.output.find("missing_field"), std::string::npos) << sent.output;
  ASSERT_TRUE(wait_until([&] { return d.quarantine_lines().size() == 1; }));
  // ...while the import names its dialect in the handshake and is accepted.
  auto imported = run_command(import_cmd(d, "maas", kSeeds / "maas_000_example1.txt"));
  EXPECT_EQ(imported.exit_code, 0) << imported.output;
  EXPECT_EQ(module_lines(d, "maas").size(), 1u);
}

TEST(Dialects, AnInvalidHandshakeIsRefusedAndNothingIsWritten) {
  Daemon d("bad-handshake");
  d.start();
  Client c(d.stream());
  c.send("{\"traild\":{\"ack\":true,\"dialect\":\"syslog\"}}\n" + event_frame("after-bad-handshake"));
  const std::string reply = c.read_line();
  EXPECT_NE(reply.find("\"frame\":0,\"ok\":false,\"error\":\"invalid_handshake\""), std::string::npos) << reply;
  EXPECT_TRUE(c.wait_closed());
  // A later, valid event from another client is written; the refused connection's is not.
  Client ok(d.stream());
  ok.send(kAckHandshake + event_frame("good"));
  EXPECT_NE(ok.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_EQ(count_action(d.lines(), "after-bad-handshake"), 0u);
}

TEST(Dialects, ImportReportsRejectedRecordsByPosition) {
  Daemon d("import-errors");
  d.start();
  const fs::path file = d.dir() / "runai.json";
  std::ofstream(file) << R"([{"id":1,"happenedAt":"2022-07-07T09:45:32Z","action":"Login"},)"
                      << R"({"id":2,"happenedAt":"last tuesday","action":"Login"}])";
  auto r = run_command(import_cmd(d, "runai", file));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("runai.json:record 2: dialect_mismatch: runai: happenedAt must be an RFC 3339"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("1 accepted, 1 rejected"), std::string::npos) << r.output;
  auto usage = run_command(std::string(TRAILCTL_BIN) + " import --dialect ecs x 2>&1");
  EXPECT_EQ(usage.exit_code, 2) << usage.output;
}

}  // namespace
}  // namespace traild::test
