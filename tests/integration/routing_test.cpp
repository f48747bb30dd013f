// output.route_by: each tenant's events in a trail of their own under output.directory,
// whose directory name is made from a value the sender chose: hostile values must never
// escape the output directory or surprise anyone reading it.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <map>
#include <set>

#include "harness.hpp"
#include "reporters/tenant_directory.hpp"

namespace traild::test {
namespace {

const std::string kTrailctl = TRAILCTL_BIN;
const std::string kRouteBy = "  route_by: organization.id\n";

// An event for tenant `value_json` (a JSON value; "" leaves organization.id out).
std::string tenant_event(const std::string& action, const std::string& value_json, const std::string& id = "") {
  std::string e = "{\"event\":{\"action\":\"" + action + "\"" + (id.empty() ? "" : ",\"id\":\"" + id + "\"") + "}";
  if (!value_json.empty()) e += ",\"organization\":{\"id\":" + value_json + "}";
  return e + "}\n";
}

// Complete lines of every trail file in `dir`.
std::vector<std::string> trail_lines(const fs::path& dir) {
  std::vector<std::string> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".jsonl") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) out.push_back(line);
  }
  return out;
}

std::set<std::string> subdirectories(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) out.insert(e.path().filename().string());
  return out;
}

TEST(Routing, HostileTenantValuesStayInsideTheOutputDirectoryUnderSafeDistinctNames) {
  Daemon d("route-hostile", kRouteBy);
  d.start();
  const std::string long_x(300, 'x');
  const std::string long_y = std::string(299, 'x') + "y";
  // (JSON value, the directory it must land in)
  const std::vector<std::pair<std::string, std::string>> tenants = {
      {"\"acme\"", "acme"},
      {"\"../../etc\"", "%2E%2E%2F%2E%2E%2Fetc"},
      {"\"/etc/passwd\"", "%2Fetc%2Fpasswd"},
      {"\".\"", "%2E"},
      {"\"..\"", "%2E%2E"},
      {"\"a b\\u0001\\t\\n\"", "a%20b%01%09%0A"},
      {"\"%2E\"", "%252E"},
      {"\"caf\xc3\xa9\"", "caf%C3%A9"},
      {"\"audit-20200101T000000Z-00000001.jsonl\"", "audit-20200101T000000Z-00000001%2Ejsonl"},
      {"\"audit.digest\"", "audit%2Edigest"},
      {"\"" + long_x + "\"", tenant_directory_name(long_x)},
      {"\"" + long_y + "\"", tenant_directory_name(long_y)},
  };
  std::string events;
  for (size_t i = 0; i < tenants.size(); ++i) events += tenant_event("route-" + std::to_string(i), tenants[i].first);
  events += tenant_event("no-tenant", "");
  events += tenant_event("empty-tenant", "\"\"");
  auto r = trailctl_send(d, events);
  ASSERT_EQ(r.exit_code, 0) << r.output << d.log();

  // Exactly the expected directories, nothing else, nothing deeper.
  std::set<std::string> expected;
  for (const auto& [value, name] : tenants) expected.insert(name);
  ASSERT_EQ(expected.size(), tenants.size()) << "two values share a directory";
  EXPECT_EQ(subdirectories(d.output()), expected);
  EXPECT_FALSE(fs::exists(d.dir() / "etc"));
  EXPECT_FALSE(fs::exists(d.output().parent_path().parent_path() / "etc" / "audit.digest"));
  for (const auto& e : fs::recursive_directory_iterator(d.output())) {
    const fs::path rel = fs::relative(e.path(), d.output());
    EXPECT_LE(std::distance(rel.begin(), rel.end()), 2) << rel;
    if (e.is_directory()) {
      const std::string name = e.path().filename().string();
      EXPECT_TRUE(is_tenant_directory_name(name)) << name;
      EXPECT_LE(name.size(), kMaxTenantDirectoryBytes) << name;
      EXPECT_EQ(name.find('.'), std::string::npos) << name;
    }
  }
  EXPECT_EQ(tenant_directory_name(long_x).size(), kMaxTenantDirectoryBytes);

  // Each tenant's trail holds its event alone, numbered from 1, and verifies on its own.
  for (size_t i = 0; i < tenants.size(); ++i) {
    const fs::path dir = d.output() / tenants[i].second;
    const auto lines = trail_lines(dir);
    ASSERT_EQ(lines.size(), 1u) << dir;
    EXPECT_EQ(count_action(lines, "route-" + std::to_string(i)), 1u) << dir;
    EXPECT_NE(lines[0].find("\"sequence\":1}"), std::string::npos) << lines[0];
    EXPECT_TRUE(fs::exists(d.dir() / "state" / "tenants" / (tenants[i].second + ".state")));
  }
  // Everything else stays in the host's trail.
  const auto host = trail_lines(d.output());
  for (const char* action : {"no-tenant", "empty-tenant", "traild-start"})
    EXPECT_EQ(count_action(host, action), 1u) << action;
  // trailctl query reads the tenants' trails below the output directory too.
  auto q = run_command(kTrailctl + " query " + d.output().string() + " --since 1h --tenant ../../etc --format json");
  EXPECT_EQ(q.exit_code, 0) << q.output;
  EXPECT_EQ(count_of(q.output, "\"action\":\"route-1\""), 1u) << q.output;
  EXPECT_EQ(count_of(q.output, "\"action\":\"route-"), 1u) << q.output;
  // Stopping checkpoints every trail in its own digest.
  EXPECT_EQ(d.stop(), 0);
  // Verifying the output directory verifies the host's trail and then each tenant's.
  auto v = run_command(kTrailctl + " verify " + d.output().string());
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_EQ(v.output.rfind("OK: ", 0), 0u) << v.output;
  for (const auto& [value, name] : tenants)
    EXPECT_NE(v.output.find("\ntenant " + name + ": OK: 1 events, sequences 1-1"), std::string::npos) << name << v.output;
  EXPECT_EQ(count_of(v.output, "\ntenant "), tenants.size()) << v.output;
}

TEST(Routing, ATenantsTrailContinuesAcrossARestartAndResendsAreRecognised) {
  Daemon d("route-restart", kRouteBy);
  d.start();
  ASSERT_EQ(trailctl_send(d, tenant_event("a1", "\"acme\"", "acme-1") + tenant_event("b1", "\"beta\"", "beta-1") +
                                 tenant_event("a2", "\"acme\"", "acme-2"))
                .exit_code,
            0);
  ASSERT_EQ(d.stop(), 0);
  d.start();
  // A client that saw no acknowledgement resends with the same ids: acknowledged, not
  // written again, whichever tenant's trail holds them.
  Client c(d.stream());
  c.send(kAckHandshake + tenant_event("b1", "\"beta\"", "beta-1") + tenant_event("a2", "\"acme\"", "acme-2") +
         tenant_event("a3", "\"acme\"", "acme-3"));
  EXPECT_EQ(c.read_line(), "{\"frame\":1,\"ok\":true,\"id\":\"beta-1\"}");
  EXPECT_EQ(c.read_line(), "{\"frame\":2,\"ok\":true,\"id\":\"acme-2\"}");
  EXPECT_EQ(c.read_line(), "{\"frame\":3,\"ok\":true,\"id\":\"acme-3\"}");
  const auto acme = trail_lines(d.output() / "acme");
  ASSERT_EQ(acme.size(), 3u);
  for (size_t i = 0; i < acme.size(); ++i) {
    EXPECT_EQ(json_field(acme[i], "id"), "acme-" + std::to_string(i + 1));
    EXPECT_NE(acme[i].find("\"sequence\":" + std::to_string(i + 1) + "}"), std::string::npos) << acme[i];
  }
  EXPECT_EQ(trail_lines(d.output() / "beta").size(), 1u);
  ASSERT_EQ(d.stop(), 0);
  for (const char* tenant : {"acme", "beta"}) {
    auto v = run_command(kTrailctl + " verify " + (d.output() / tenant).string());
    EXPECT_EQ(v.exit_code, 0) << tenant << ": " << v.output;
  }
  // A line changed in one tenant's trail fails the verification of the whole directory,
  // and the report names that tenant.
  fs::path beta_file;
  for (const auto& e : fs::directory_iterator(d.output() / "beta"))
    if (e.path().extension() == ".jsonl") beta_file = e.path();
  std::string text = read_file(beta_file);
  const size_t at = text.find("\"b1\"");
  ASSERT_NE(at, std::string::npos) << text;
  text.replace(at, 4, "\"b9\"");
  std::ofstream(beta_file, std::ios::trunc) << text;
  auto v = run_command(kTrailctl + " verify " + d.output().string());
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("\ntenant acme: OK: 3 events"), std::string::npos) << v.output;
  EXPECT_NE(v.output.find("\ntenant beta: FAILED: "), std::string::npos) << v.output;
}

TEST(Routing, AnEventForOneTenantTooManyIsRejectedAndQuarantinedOthersFlow) {
  Daemon d("route-max", kRouteBy + "  max_tenants: 2\n");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + tenant_event("a", "\"acme\"") + tenant_event("b", "\"beta\"") + tenant_event("c", "\"gamma\"") +
         tenant_event("a-again", "\"acme\"") + tenant_event("host", ""));
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  const std::string refused = c.read_line();
  EXPECT_EQ(refused.rfind("{\"frame\":3,\"ok\":false,\"error\":\"unroutable\",\"message\":\"output.route_by: traild "
                          "already writes 2 tenants' trails (output.max_tenants); none for tenant gamma\"}",
                          0),
            0u)
      << refused;
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_EQ(subdirectories(d.output()), (std::set<std::string>{"acme", "beta"}));
  EXPECT_EQ(trail_lines(d.output() / "acme").size(), 2u);
  const auto q = d.quarantine_lines();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_NE(q[0].find("\"code\":\"unroutable\""), std::string::npos) << q[0];
  EXPECT_NE(q[0].find("gamma"), std::string::npos) << q[0];
  auto stats = run_command(kTrailctl + " stats --prometheus --socket " + d.control().string());
  EXPECT_NE(stats.output.find("\ntraild_tenants 2\n"), std::string::npos) << stats.output;
  EXPECT_NE(stats.output.find("traild_events_rejected_total{reason=\"unroutable\"} 1\n"), std::string::npos)
      << stats.output;
}

// One retention budget for output.directory: the oldest closed files go first, whichever
// trail holds them, and a tenant's trail found at start-up is covered like the host's.
TEST(Routing, RetentionDeletesTheOldestFilesAcrossTenantsTrails) {
  Daemon d("route-retention",
           kRouteBy + "  rotate: {max_size: 8KiB, interval: 1d}\n"
                      "  retention: {max_age: 3650d, max_total_size: 20KiB, min_free: 0}\n",
           "input:\n  max_event_bytes: 4KiB\n");
  const std::string filler(6000, 'x');
  auto old_file = [&](const fs::path& dir, const std::string& name) {
    fs::create_directories(dir);
    std::ofstream(dir / name) << "{\"event\":{\"action\":\"old\"},\"filler\":\"" << filler << "\"}\n";
  };
  // 18 KB of old files, oldest first: the host's, acme's, beta's.
  old_file(d.output(), "audit-20250101T000000Z-00000001.jsonl");
  old_file(d.output() / "acme", "audit-20250102T000000Z-00000001.jsonl");
  old_file(d.output() / "beta", "audit-20250103T000000Z-00000001.jsonl");
  d.start();
  // Events for both tenants and the host push the total over 20 KiB.
  std::string events;
  for (int i = 0; i < 3; ++i)
    for (const char* tenant : {"\"acme\"", "\"beta\"", ""})
      events += "{\"event\":{\"action\":\"new\"},\"message\":\"" + std::string(700, 'm') + "\"" +
                (*tenant ? std::string(",\"organization\":{\"id\":") + tenant + "}" : std::string()) + "}\n";
  ASSERT_EQ(trailctl_send(d, events).exit_code, 0);
  d.signal(SIGHUP);  // a reload runs retention again without waiting for its minute
  ASSERT_TRUE(wait_until([&] { return !fs::exists(d.output() / "acme" / "audit-20250102T000000Z-00000001.jsonl"); }))
      << d.log();
  EXPECT_FALSE(fs::exists(d.output() / "audit-20250101T000000Z-00000001.jsonl"));
  EXPECT_TRUE(fs::exists(d.output() / "beta" / "audit-20250103T000000Z-00000001.jsonl"));
  ASSERT_TRUE(wait_until([&] { return count_action(trail_lines(d.output()), "traild-retention-delete") == 2; }))
      << d.log();
  bool tenant_recorded = false;
  for (const auto& l : trail_lines(d.output()))
    tenant_recorded |= l.find("traild-retention-delete") != std::string::npos &&
                       l.find("\"directory\":\"" + (d.output() / "acme").string() + "\"") != std::string::npos &&
                       l.find("\"reason\":\"max_total_size\"") != std::string::npos;
  EXPECT_TRUE(tenant_recorded);
  EXPECT_NE(d.log().find("retention deleted acme/audit-20250102T000000Z-00000001.jsonl"), std::string::npos);
}

// Tenants' trails each number their events from 1: events of one millisecond in different
// trails share sequences, and paging by cursor must still show each exactly once.
TEST(Routing, CursorsPageThroughTenantsEventsOfOneMillisecondOnceEach) {
  Daemon d("route-paging", kRouteBy);
  d.start();
  std::string events;
  for (int i = 0; i < 4; ++i)
    for (const char* tenant : {"acme", "beta", "gamma"})
      events += "{\"@timestamp\":\"2026-11-22T10:00:00.000Z\",\"event\":{\"action\":\"tick\",\"id\":\"" +
                std::string(tenant) + "-" + std::to_string(i) + "\"},\"organization\":{\"id\":\"" + tenant + "\"}}\n";
  ASSERT_EQ(trailctl_send(d, events).exit_code, 0);
  std::vector<std::string> seen;
  std::string cursor;
  simdjson::dom::parser parser;
  for (int page = 0; page < 20; ++page) {
    auto r = run_command(kTrailctl + " query " + d.output().string() + " --all --action tick --limit 5 --format json" +
                         (cursor.empty() ? "" : " --before " + cursor));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    simdjson::dom::element doc;
    ASSERT_EQ(parser.parse(r.output).get(doc), simdjson::SUCCESS) << r.output;
    simdjson::dom::array list;
    ASSERT_EQ(doc["events"].get_array().get(list), simdjson::SUCCESS) << r.output;
    if (list.size() == 0) break;
    for (auto e : list) seen.emplace_back(e["event"]["id"].get_string().value());
    cursor = std::string(doc["prev"].get_string().value());
  }
  EXPECT_EQ(seen.size(), 12u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 12u) << "no event twice";
}

// A symlink placed under a tenant's name would lead the trail out of output.directory:
// traild refuses to write through it.
TEST(Routing, ATenantDirectoryThatIsASymlinkIsRefused) {
  Daemon d("route-symlink", kRouteBy);
  const fs::path elsewhere = d.dir() / "elsewhere";
  fs::create_directories(elsewhere);
  fs::create_directories(d.output());
  fs::create_directory_symlink(elsewhere, d.output() / "evil");
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + tenant_event("e", "\"evil\"") + tenant_event("ok", "\"fine\""));
  const std::string refused = c.read_line();
  EXPECT_NE(refused.find("\"error\":\"unroutable\""), std::string::npos) << refused;
  EXPECT_NE(refused.find("is not a directory"), std::string::npos) << refused;
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(elsewhere));
  EXPECT_EQ(trail_lines(d.output() / "fine").size(), 1u);
}

// A tenant's trail that cannot be opened at start-up (here its digest's path is taken by a
// directory) must not stop traild: the other trails are written, the problem is in the log
// and the trail, the tenant's events are refused and quarantined, and once the obstacle is
// gone the next event opens the trail.
TEST(Routing, ATenantTrailThatCannotOpenAtStartUpLeavesTheOthersRunning) {
  Daemon d("route-broken", kRouteBy);
  fs::create_directories(d.output() / "acme");
  fs::create_directories(d.output() / "beta");
  fs::create_directories(d.output() / "acme" / "audit.digest");
  d.start();
  EXPECT_NE(d.log().find("cannot open the trail of tenant acme"), std::string::npos) << d.log();
  Client c(d.stream());
  c.send(kAckHandshake + tenant_event("a", "\"acme\"") + tenant_event("b", "\"beta\"") + tenant_event("h", ""));
  const std::string refused = c.read_line();
  EXPECT_NE(refused.find("\"error\":\"unroutable\",\"message\":\"output.route_by: cannot open the trail of tenant acme"),
            std::string::npos)
      << refused;
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  const auto q = d.quarantine_lines();
  ASSERT_EQ(q.size(), 1u);
  EXPECT_NE(q[0].find("\"code\":\"unroutable\""), std::string::npos) << q[0];

  fs::remove(d.output() / "acme" / "audit.digest");
  c.send(tenant_event("a-again", "\"acme\""));
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  EXPECT_EQ(d.stop(), 0);
  EXPECT_EQ(trail_lines(d.output() / "acme").size(), 1u);
  EXPECT_EQ(trail_lines(d.output() / "beta").size(), 1u);
  size_t reported = 0;
  for (const auto& line : d.lines())
    reported += line.find("\"action\":\"traild-tenant-unavailable\"") != std::string::npos &&
                line.find("tenant acme") != std::string::npos;
  EXPECT_EQ(reported, 1u);
}

}  // namespace
}  // namespace traild::test
