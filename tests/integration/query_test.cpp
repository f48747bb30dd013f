// trailctl query against a real trail, answering the seed systems' own questions: MAAS's
// level=AUDIT and owner with after/before cursors, Run:ai's start/end/action/source_type/
// entity_type/success with limit/offset and the CSV download, Salt's get_audit filters
// with page/limit/sort_by/reverse.
#include <unistd.h>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <set>

#include "tests/integration/harness.hpp"

namespace traild::test {
namespace {

const fs::path kSeeds = fs::path(TRAILD_SOURCE_DIR) / "tests" / "data" / "seeds";

class Query : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    daemon_ = new Daemon("query");
    daemon_->start();
    import("maas", kSeeds / "maas_000_example2.txt");
    import("maas", kSeeds / "maas_001_example.txt");
    import("salt", kSeeds / "salt_003_rpcresponse.txt");
    // Run:ai's sample with its "..." elision removed, plus a failed login.
    std::string runai = read_file(kSeeds / "runai_002_sample.json");
    runai.replace(runai.find(",\n...\n"), 6,
                  ",{\"id\":4,\"tenantId\":1,\"happenedAt\":\"2022-07-08T10:00:00Z\",\"action\":\"Login\",\"sourceType\":"
                  "\"User\",\"sourceName\":\"eve@example.com\",\"entityType\":\"Login\",\"success\":false}\n");
    const fs::path file = daemon_->dir() / "runai.json";
    std::ofstream(file) << runai;
    import("runai", file);
  }
  static void TearDownTestSuite() {
    delete daemon_;
    daemon_ = nullptr;
  }

  static void import(const std::string& dialect, const fs::path& file) {
    auto r = run_command(std::string(TRAILCTL_BIN) + " import --socket " + daemon_->stream().string() +
                         " --dialect " + dialect + " " + file.string() + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  // Runs trailctl query over the trail; stdout only (stderr goes to `stderr_out`).
  static CommandResult query(const std::string& args, std::string* stderr_out = nullptr) {
    const fs::path err = daemon_->dir() / "query.err";
    // In a subshell, so run_command's own 2>&1 does not take stderr back into the output.
    auto r = run_command("(" + std::string(TRAILCTL_BIN) + " query " + daemon_->output().string() + " --socket " +
                         daemon_->stream().string() + " " + args + " 2>" + err.string() + ")");
    if (stderr_out) *stderr_out = read_file(err);
    return r;
  }

  // The event.ids of a json answer, in order; its cursors in next/prev.
  static std::vector<std::string> ids(const std::string& json, std::string* next = nullptr,
                                      std::string* prev = nullptr) {
    simdjson::dom::parser p;
    simdjson::dom::element doc;
    EXPECT_EQ(p.parse(json).get(doc), simdjson::SUCCESS) << json;
    std::vector<std::string> out;
    simdjson::dom::array events;
    if (doc["events"].get_array().get(events)) return out;
    for (auto e : events) {
      std::string_view id;
      if (!e["event"]["id"].get_string().get(id)) out.emplace_back(id);
    }
    std::string_view c;
    if (next) *next = doc["next"].get_string().get(c) ? "" : std::string(c);
    if (prev) *prev = doc["prev"].get_string().get(c) ? "" : std::string(c);
    return out;
  }

  static Daemon* daemon_;
};
Daemon* Query::daemon_ = nullptr;

TEST_F(Query, MaasLevelAuditAndOwnerNewestFirst) {
  auto r = query("--all --level AUDIT --actor johnnybegood");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(ids(r.output), (std::vector<std::string>{"maas-2877", "maas-2876", "maas-2875"}));
  EXPECT_NE(r.output.find("\"count\":3"), std::string::npos) << r.output;
}

TEST_F(Query, MaasCursorsPageThroughEverythingOnceAndBack) {
  std::string next, prev;
  auto first = ids(query("--all --level AUDIT --limit 5").output, &next, &prev);
  ASSERT_EQ(first.size(), 5u);
  EXPECT_EQ(first[0], "maas-12729");
  std::vector<std::string> all = first;
  std::vector<std::string> last_page = first;
  std::string page_prev = prev, previous_next;
  while (true) {
    std::string n, p;
    auto page = ids(query("--all --level AUDIT --limit 5 --before " + page_prev).output, &n, &p);
    if (page.empty()) break;
    all.insert(all.end(), page.begin(), page.end());
    previous_next = n;
    last_page = page;
    page_prev = p;
  }
  EXPECT_EQ(all.size(), 17u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 17u) << "no event twice";
  EXPECT_EQ(all.back(), "maas-2875") << "the oldest, from 2018";
  // --after the last page's next cursor goes back towards newer events: the page before it.
  auto back = ids(query("--all --level AUDIT --limit 5 --after " + previous_next).output);
  ASSERT_EQ(back.size(), 5u);
  EXPECT_EQ(back.back(), *(std::find(all.begin(), all.end(), last_page.front()) - 1));
  // Cursors stay valid while the trail grows: a new event does not shift the pages.
  Client c(daemon_->stream());
  c.send(kAckHandshake + "{\"event\":{\"action\":\"grow\"},\"log\":{\"level\":\"AUDIT\"}}\n");
  ASSERT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  auto again = ids(query("--all --level AUDIT --limit 5 --before " + prev).output);
  EXPECT_EQ(again, std::vector<std::string>(all.begin() + 5, all.begin() + 10));
  auto r = query("--all --after " + next + " --before " + prev);
  EXPECT_EQ(r.exit_code, 2);
}

TEST_F(Query, RunAiFiltersLimitOffsetAndTheWindow) {
  // start/end as Run:ai takes them, action, source_type, entity_type, success.
  EXPECT_EQ(ids(query("--since 2022-07-07 --until 2022-07-08").output),
            (std::vector<std::string>{"runai-1-3", "runai-1-2"}));
  EXPECT_EQ(ids(query("--all --action Create").output), std::vector<std::string>{"runai-1-2"});
  EXPECT_EQ(ids(query("--all --where 'runai.sourceType == User' --where 'runai.entityType == Project'").output),
            std::vector<std::string>{"runai-1-3"});
  EXPECT_EQ(ids(query("--all --where 'event.module == runai' --outcome failure").output),
            std::vector<std::string>{"runai-1-4"});
  EXPECT_EQ(ids(query("--all --where 'event.module == runai' --limit 1 --offset 1").output),
            std::vector<std::string>{"runai-1-3"});
  // The default window is the last 30 days: the seeds are years old.
  EXPECT_TRUE(ids(query("--where 'event.module == runai'").output).empty());
  EXPECT_EQ(query("--all --limit 1001").exit_code, 2);
  EXPECT_EQ(query("--all --where 'runai.nosuch == 1'").exit_code, 0) << "inside a dialect namespace any name goes";
  EXPECT_EQ(query("--all --where 'nosuch.field == 1'").exit_code, 2);
}

TEST_F(Query, RunAiCsvDownloadIsEveryMatchAndIsRecorded) {
  const fs::path csv = daemon_->dir() / "runai.csv";
  auto r = query("--all --where 'event.module == runai' --format csv --fields "
                 "@timestamp,user.name,event.action,event.outcome,entity.target.name,user_agent.original --output " +
                 csv.string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Python's csv module reads it back: header, three rows, the comma-laden user agent whole.
  auto py = run_command("python3 -c \"import csv,sys; rows=list(csv.reader(open(sys.argv[1], newline=''))); "
                        "print(len(rows)); print(rows[0][2]); print(rows[2][5])\" " + csv.string());
  ASSERT_EQ(py.exit_code, 0) << py.output;
  EXPECT_EQ(py.output, "4\nevent.action\nMozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, "
                       "like Gecko) Chrome/103.0.0.0 Safari/537.36\n");
  // The export is itself in the trail: who ran it is what the kernel said.
  ASSERT_TRUE(wait_until([&] { return count_action(daemon_->lines(), "trail-export") >= 1; }));
  std::string export_line;
  for (const auto& l : daemon_->lines())
    if (l.find("\"trail-export\"") != std::string::npos) export_line = l;
  EXPECT_NE(export_line.find(csv.string()), std::string::npos) << export_line;
  EXPECT_NE(export_line.find("exported 3 events"), std::string::npos) << export_line;
  EXPECT_NE(export_line.find("\"executable\":\"" + fs::canonical(TRAILCTL_BIN).string()), std::string::npos)
      << export_line;
}

TEST_F(Query, SaltGetAuditFilters) {
  const std::string base = "--all --actor root --where 'salt.event_type == auth' --action login ";
  EXPECT_EQ(ids(query(base + "--failed").output), std::vector<std::string>{"salt-175"});
  EXPECT_TRUE(ids(query(base + "--outcome success").output).empty());
  EXPECT_EQ(ids(query(base + "--since 2019-06-05 --until 2019-06-06").output), std::vector<std::string>{"salt-175"});
  EXPECT_EQ(ids(query(base + "--min-duration 30000 --max-duration 32000").output),
            std::vector<std::string>{"salt-175"});
  EXPECT_TRUE(ids(query(base + "--max-duration 30s").output).empty());
  EXPECT_EQ(ids(query("--all --session 4642ef92-d5ac-4ea2-b95d-2055b43f2193").output),
            std::vector<std::string>{"salt-175"});
  // page*limit, sort_by and reverse.
  const std::string maas = "--all --where 'event.module == maas' --sort event.id --reverse --limit 2 ";
  EXPECT_EQ(ids(query(maas + "--page 0").output), (std::vector<std::string>{"maas-11", "maas-12"}));
  EXPECT_EQ(ids(query(maas + "--page 1").output), (std::vector<std::string>{"maas-12479", "maas-12486"}));
  EXPECT_EQ(query(maas + "--page 1 --offset 2").exit_code, 2);
}

TEST_F(Query, TornAndCorruptLinesAreReportedAndSkipped) {
  const fs::path dir = daemon_->dir() / "damaged";
  fs::create_directories(dir / "tenant-a");
  std::ofstream(dir / "tenant-a" / "audit-x.jsonl")
      << "{\"@timestamp\":\"2026-01-01T00:00:00Z\",\"event\":{\"action\":\"ok\",\"id\":\"k1\"}}\n"
      << "{\"@timestamp\":\"2025-12-31T23:59:59Z\",\"event\":{\"action\":\"other\",\"id\":\"k0\"}}\n"
      << "not json \"ok\"\n"
      << "{\"@timestamp\":\"2026-01-01T00:00:01Z\",\"event\":{\"action\":\"torn\"";
  // Unfiltered, and with a filter whose text lets the engine jump over lines: the same
  // line numbers.
  for (const std::string filter : {"", " --action ok"}) {
    auto r = run_command("(" + std::string(TRAILCTL_BIN) + " query " + dir.string() + " --all" + filter + " 2>" +
                         (dir / "err").string() + ")");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(ids(r.output), filter.empty() ? (std::vector<std::string>{"k1", "k0"}) : std::vector<std::string>{"k1"});
    const std::string err = read_file(dir / "err");
    EXPECT_NE(err.find("tenant-a/audit-x.jsonl:3: skipped: not a JSON object"), std::string::npos) << err;
    EXPECT_NE(err.find("tenant-a/audit-x.jsonl:4: skipped: incomplete last line"), std::string::npos) << err;
  }
}

}  // namespace
}  // namespace traild::test

namespace traild::test {
namespace {

// Files whose recorded @timestamp range misses the window are not read at all: damage
// appended to such a file goes unreported, while the same damage in a file the window
// needs is reported. Imported history lands in new files, so names alone could not tell.
TEST(QueryPruning, ClosedFilesOutsideTheWindowAreNotRead) {
  Daemon d("query-pruning", "  rotate: {max_size: 4KiB, interval: 1d}\n", "input:\n  max_event_bytes: 2KiB\n");
  d.start();
  const fs::path seeds = fs::path(TRAILD_SOURCE_DIR) / "tests" / "data" / "seeds";
  for (const char* f : {"maas_000_example2.txt", "maas_001_example.txt"}) {  // 2018, then 2022
    auto r = run_command(std::string(TRAILCTL_BIN) + " import --socket " + d.stream().string() +
                         " --dialect maas " + (seeds / f).string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  d.stop();
  const auto files = d.files();
  ASSERT_GE(files.size(), 3u) << "rotation by size should have made several files";
  const std::string index = read_file(d.output() / "audit.index");
  EXPECT_NE(index.find(files.front().filename().string()), std::string::npos) << index;
  // Damage every file but the newest.
  for (size_t i = 0; i + 1 < files.size(); ++i) std::ofstream(files[i], std::ios::app) << "damage\n";
  const fs::path err = d.dir() / "err";
  auto query = [&](const std::string& args) {
    return run_command("(" + std::string(TRAILCTL_BIN) + " query " + d.output().string() + " " + args + " 2>" +
                       err.string() + ")");
  };
  // 2018 only: the files holding only 2022 events are skipped, unread.
  auto r = query("--since 2018-01-01 --until 2019-01-01 --format jsonl --fields event.id");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output, "{\"event.id\":\"maas-2877\"}\n{\"event.id\":\"maas-2876\"}\n{\"event.id\":\"maas-2875\"}\n");
  const std::string narrow = read_file(err);
  const size_t reported = count_of(narrow, "skipped: not a JSON object");
  EXPECT_GE(reported, 1u) << "the 2018 file is read and its damage reported";
  EXPECT_LT(reported, files.size() - 1) << "files of 2022 only were read anyway: " << narrow;
  // Without a window every file is read, and every damaged one reported.
  query("--all --format jsonl");
  const std::string all = read_file(err);
  EXPECT_EQ(count_of(all, "skipped: not a JSON object"), files.size() - 1) << all;
}

// Sorted by time with a page to fill, the engine reads files best first by their recorded
// ranges and stops at the first one that cannot improve the page: the answer is the same as
// a full sort's, and files that cannot hold it are not read (their damage goes unreported).
TEST(QueryPruning, APageByTimeReadsOnlyTheFilesThatCanHoldIt) {
  Daemon d("query-early-stop", "  rotate: {max_size: 4KiB, interval: 1d}\n", "input:\n  max_event_bytes: 2KiB\n");
  d.start();
  const fs::path seeds = fs::path(TRAILD_SOURCE_DIR) / "tests" / "data" / "seeds";
  // 2022 first, then 2018: the newest files by name hold the oldest events.
  for (const char* f : {"maas_001_example.txt", "maas_000_example2.txt"}) {
    auto r = run_command(std::string(TRAILCTL_BIN) + " import --socket " + d.stream().string() +
                         " --dialect maas " + (seeds / f).string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  d.stop();
  const auto files = d.files();
  ASSERT_GE(files.size(), 4u) << "rotation by size should have made several files";
  const fs::path err = d.dir() / "err", all = d.dir() / "all.jsonl";
  auto query = [&](const std::string& args) {
    return run_command("(" + std::string(TRAILCTL_BIN) + " query " + d.output().string() + " --all " + args + " 2>" +
                       err.string() + ")");
  };
  ASSERT_EQ(query("--format jsonl --fields event.id --output " + all.string()).exit_code, 0);
  std::vector<std::string> everything;
  for (std::istringstream in(read_file(all)); std::getline(in, everything.emplace_back());) {}
  everything.pop_back();
  ASSERT_GE(everything.size(), 6u);
  // Damage every file; a file the query reads reports it.
  for (const auto& f : files) std::ofstream(f, std::ios::app) << "damage\n";
  auto damage_reports = [&] { return count_of(read_file(err), "skipped: not a JSON object"); };
  auto newest = query("--limit 2 --format json --fields event.id");
  EXPECT_EQ(newest.output.rfind("{\"count\":2,\"matched_at_least\":", 0), 0u) << newest.output;
  EXPECT_NE(newest.output.find("\"events\":[" + everything[0] + "," + everything[1] + "]"), std::string::npos)
      << newest.output;
  EXPECT_LT(damage_reports(), files.size() - 1) << read_file(err);
  auto oldest = query("--limit 2 --reverse --format jsonl --fields event.id");
  EXPECT_EQ(oldest.output, everything[everything.size() - 1] + "\n" + everything[everything.size() - 2] + "\n");
  EXPECT_LT(damage_reports(), files.size() - 1) << read_file(err);
  // The next older page through the cursor continues the full order.
  const size_t prev_at = newest.output.find("\"prev\":\"") + 8;
  const std::string prev = newest.output.substr(prev_at, newest.output.find('"', prev_at) - prev_at);
  auto older = query("--limit 2 --format jsonl --fields event.id --before " + prev);
  EXPECT_EQ(older.output, everything[2] + "\n" + everything[3] + "\n");
}

// A DIR that cannot be listed is an error, never an empty answer: query exits 1 naming it,
// and ui refuses to start on it. (A trail file that cannot be read: IntegrityReading.)
TEST(QueryReading, AMissingDirectoryIsAnErrorNotAnEmptyTrail) {
  const fs::path missing = fs::temp_directory_path() / ("traild-it-" + std::to_string(::getpid()) + "-no-such-trail");
  auto query = run_command(std::string(TRAILCTL_BIN) + " query --all " + missing.string());
  EXPECT_EQ(query.exit_code, 1) << query.output;
  EXPECT_NE(query.output.find("trailctl query: cannot read " + missing.string() + ": No such file or directory"),
            std::string::npos)
      << query.output;
  EXPECT_EQ(query.output.find("\"count\""), std::string::npos) << "no answer: " << query.output;
  auto ui = run_command(std::string(TRAILCTL_BIN) + " ui --listen 127.0.0.1:0 " + missing.string());
  EXPECT_EQ(ui.exit_code, 1) << ui.output;
  EXPECT_NE(ui.output.find("trailctl ui: cannot read " + missing.string()), std::string::npos) << ui.output;
}

}  // namespace
}  // namespace traild::test
