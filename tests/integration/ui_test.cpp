// trailctl ui against the real binaries: a trail written by the real traild, the page and API
// served by the real trailctl ui, requests over real TCP, and the page driven in Debian's
// headless Chromium by playwright-core (tests/ui/event_history.mjs).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <sstream>

#include "common/clock.hpp"
#include "tests/integration/harness.hpp"

namespace traild::test {
namespace {

// A running `trailctl ui`, its output in a file, stopped with SIGTERM.
class UiProcess {
 public:
  UiProcess(const fs::path& dir, const std::vector<std::string>& args) : log_(dir / "ui.out") {
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      std::vector<std::string> all = {TRAILCTL_BIN, "ui"};
      all.insert(all.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : all) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(TRAILCTL_BIN, argv.data());
      ::_exit(127);
    }
  }
  ~UiProcess() { stop(); }

  // Waits for the URL it prints; "" if it exited first.
  std::string url() {
    std::string found;
    wait_until([&] {
      const std::string out = read_file(log_);
      const size_t at = out.find("open http://");
      if (at != std::string::npos && out.find('\n', at) != std::string::npos)
        found = out.substr(at + 5, out.find('\n', at) - at - 5);
      return !found.empty() || exited();
    });
    return found;
  }
  int port() {
    const std::string u = url();
    return std::stoi(u.substr(u.rfind(':') + 1));
  }
  std::string token() {
    const std::string u = url();
    return u.substr(u.find("token=") + 6);
  }
  std::string output() const { return read_file(log_); }

  bool exited() {
    if (pid_ <= 0) return true;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
      return true;
    }
    return false;
  }
  // SIGTERM, then the exit code.
  int stop() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -1;
    }
    return exit_code_;
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

struct HttpAnswer {
  int status = 0;
  std::string head;  // status line and headers
  std::string body;
};

// One request over a new TCP connection, read to its end.
HttpAnswer http(int port, const std::string& method, const std::string& target, const std::string& headers = "") {
  HttpAnswer a;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return a;
  }
  const std::string request =
      method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + "\r\n";
  (void)!::write(fd, request.data(), request.size());
  std::string response;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) response.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const size_t split = response.find("\r\n\r\n");
  if (response.size() < 12 || split == std::string::npos) return a;
  a.status = std::stoi(response.substr(9, 3));
  a.head = response.substr(0, split);
  a.body = response.substr(split + 4);
  return a;
}

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

// The trail the tests read: 330 recent events (alice, bob, carol in turn; every other one a
// failure; one every 2,000 s back from now) and 6 failures of alice 60 days ago, around
// noon UTC, all sent through the real traild.
struct Trail {
  static constexpr int kRecent = 330;
  static constexpr int kOld = 6;
  int64_t old_ms = 0;

  explicit Trail(Daemon& d) {
    const int64_t now = now_unix_ms();
    old_ms = (now - 60LL * 86'400'000) / 86'400'000 * 86'400'000 + 12 * 3'600'000;
    std::string ndjson;
    auto add = [&](int64_t ms, const std::string& user, bool failure, int i) {
      ndjson += "{\"@timestamp\":\"" + rfc3339_ms(ms) + "\",\"event\":{\"action\":\"" +
                std::string(i % 3 == 1 ? "project-update" : "login") + "\",\"outcome\":\"" +
                (failure ? "failure" : "success") + "\"},\"user\":{\"name\":\"" + user +
                "\"},\"entity\":{\"target\":{\"type\":\"application\",\"name\":\"proj-" + std::to_string(i % 20) +
                "\"}},\"source\":{\"ip\":\"10.0.0." + std::to_string(i % 250) + "\"}}\n";
    };
    const char* users[] = {"alice", "bob", "carol"};
    for (int i = 0; i < kRecent; ++i) add(now - (i + 1) * 2'000'000LL, users[i % 3], i % 2 == 0, i);
    for (int i = 0; i < kOld; ++i) add(old_ms + i * 1000, "alice", true, i);
    auto r = trailctl_send(d, ndjson);
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
  static int alice_failures_recent() {
    int n = 0;
    for (int i = 0; i < kRecent; ++i) n += i % 3 == 0 && i % 2 == 0;
    return n;
  }
};

class Ui : public ::testing::Test {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<Daemon>("ui");
    daemon_->start();
    trail_ = std::make_unique<Trail>(*daemon_);
  }
  std::unique_ptr<UiProcess> start_ui(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {daemon_->output().string(), "--listen", "127.0.0.1:0", "--socket",
                                     daemon_->stream().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<UiProcess>(daemon_->dir(), args);
  }
  std::unique_ptr<Daemon> daemon_;
  std::unique_ptr<Trail> trail_;
};

TEST_F(Ui, EveryRequestWithoutTheTokenIsRefused) {
  auto ui = start_ui();
  const int port = ui->port();
  const std::string token = ui->token();
  ASSERT_EQ(token.size(), 48u) << ui->output();
  for (const char* target : {"/", "/app.js", "/index.html", "/api/events", "/api/export?format=csv", "/api/columns",
                             "/nothing"}) {
    EXPECT_EQ(http(port, "GET", target).status, 401) << target;
    EXPECT_EQ(http(port, "GET", target, bearer(std::string(token.size(), 'a'))).status, 401) << target;
    EXPECT_EQ(http(port, "GET", target, "Cookie: trailctl_ui_" + std::to_string(port) + "=" + token + "x\r\n").status,
              401)
        << target;
  }
  EXPECT_EQ(http(port, "GET", "/?token=" + token.substr(1)).status, 401);
  // The URL it printed sets the cookie and drops the token from the address.
  const HttpAnswer open = http(port, "GET", "/?token=" + token);
  EXPECT_EQ(open.status, 303);
  EXPECT_NE(open.head.find("Location: /\r\n"), std::string::npos) << open.head;
  const std::string cookie = "trailctl_ui_" + std::to_string(port) + "=" + token;
  EXPECT_NE(open.head.find("Set-Cookie: " + cookie + "; Path=/; HttpOnly; SameSite=Strict"), std::string::npos)
      << open.head;
  const HttpAnswer page = http(port, "GET", "/", "Cookie: other=1; " + cookie + "\r\n");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<title>Event History"), std::string::npos);
  EXPECT_NE(page.head.find("Content-Security-Policy: default-src 'none'"), std::string::npos) << page.head;
  EXPECT_EQ(http(port, "GET", "/api/events?all=true", bearer(token)).status, 200);
  // Read-only: nothing but GET, token or not.
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"})
    EXPECT_EQ(http(port, method, "/api/events", bearer(token) + "Content-Length: 0\r\n").status, 405) << method;
  EXPECT_EQ(ui->stop(), 0) << "stops cleanly on SIGTERM: " << ui->output();
}

TEST_F(Ui, TheApiIsTrailctlQueryWithTheSameAnswersAndErrors) {
  auto ui = start_ui();
  const int port = ui->port();
  const std::string token = ui->token();
  auto cli = [&](const std::string& args) {
    return run_command(std::string(TRAILCTL_BIN) + " query " + daemon_->output().string() + " " + args);
  };
  // A page, then the next one by its cursor: byte for byte what trailctl query prints.
  const HttpAnswer first =
      http(port, "GET", "/api/events?actor=alice&outcome=failure&limit=7&fields=event.id,user.name", bearer(token));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_NE(first.head.find("Content-Type: application/json"), std::string::npos);
  EXPECT_EQ(first.body, cli("--actor alice --outcome failure --limit 7 --fields event.id,user.name").output);
  const std::string prev = json_field(first.body, "prev");
  ASSERT_FALSE(prev.empty());
  const HttpAnswer second = http(port, "GET",
                                 "/api/events?actor=alice&where=event.outcome+%3D%3D+failure&limit=7&format=csv&before=" +
                                     prev,
                                 bearer(token));
  const auto second_cli = run_command("(" + std::string(TRAILCTL_BIN) + " query " + daemon_->output().string() +
                                      " --actor alice --where 'event.outcome == failure' --limit 7 --format csv --before " +
                                      prev + " 2>/dev/null)");
  EXPECT_EQ(second.body, second_cli.output);
  EXPECT_EQ(std::count(second.body.begin(), second.body.end(), '\n'), 8) << second.body;
  // Errors: the same words, the option named without its dashes.
  for (const auto& [query, args] : std::vector<std::pair<std::string, std::string>>{
           {"limit=2000", "--limit 2000"},
           {"where=nope.field+%3D%3D+1", "--where 'nope.field == 1'"},
           {"since=yesterday", "--since yesterday"},
           {"after=x&before=y", "--after x --before y"},
           {"sort=bogus", "--sort bogus"},
           {"colour=red", "--colour red"}}) {
    const HttpAnswer a = http(port, "GET", "/api/events?" + query, bearer(token));
    EXPECT_EQ(a.status, 400) << query;
    const auto c = cli(args);
    EXPECT_EQ(c.exit_code, 2) << args;
    std::string cli_error = c.output.substr(c.output.find(": ") + 2);
    cli_error.pop_back();  // the newline
    simdjson::dom::parser parser;
    std::string_view ui_error;
    ASSERT_EQ(parser.parse(a.body).get_object()["error"].get_string().get(ui_error), simdjson::SUCCESS) << a.body;
    for (size_t at; (at = cli_error.find("--")) != std::string::npos;) cli_error.erase(at, 2);
    if (query == "colour=red") cli_error = cli_error.substr(0, cli_error.find(" (see"));
    EXPECT_EQ(ui_error, cli_error) << a.body;
  }
}

TEST_F(Ui, AnExportIsEveryMatchAndIsRecordedInTheTrail) {
  auto ui = start_ui();
  const HttpAnswer csv = http(ui->port(), "GET", "/api/export?actor=alice&failed=true&format=csv&fields=event.id",
                              bearer(ui->token()));
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.head.find("Content-Disposition: attachment; filename=\"traild-export-"), std::string::npos) << csv.head;
  EXPECT_NE(csv.head.find("X-Trail-Export-Recorded: yes"), std::string::npos) << csv.head;
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 1 + Trail::alice_failures_recent()) << csv.body;
  ASSERT_TRUE(wait_until([&] { return count_action(daemon_->lines(), "trail-export") == 1; }));
  for (const auto& line : daemon_->lines()) {
    if (line.find("\"trail-export\"") == std::string::npos) continue;
    EXPECT_NE(line.find("trailctl ui exported " + std::to_string(Trail::alice_failures_recent()) +
                        " events as csv to 127.0.0.1:"),
              std::string::npos)
        << line;
    EXPECT_NE(line.find("actor alice failed"), std::string::npos) << line;
    EXPECT_NE(line.find("\"name\":\"trailctl\""), std::string::npos) << "the kernel says who: " << line;
  }
}

// Exports are built in memory: --max-export bounds them, and a larger one is refused with
// what to do instead, and not recorded as an export.
TEST_F(Ui, ADownloadOverTheCapIsRefusedWithAHint) {
  auto ui = start_ui({"--max-export", std::to_string(Trail::alice_failures_recent())});
  const HttpAnswer fits = http(ui->port(), "GET", "/api/export?actor=alice&failed=true&format=jsonl", bearer(ui->token()));
  EXPECT_EQ(fits.status, 200) << fits.body;
  EXPECT_EQ(std::count(fits.body.begin(), fits.body.end(), '\n'), Trail::alice_failures_recent());
  const HttpAnswer over = http(ui->port(), "GET", "/api/export?actor=alice&format=csv", bearer(ui->token()));
  EXPECT_EQ(over.status, 413) << over.body;
  EXPECT_NE(over.body.find("more than " + std::to_string(Trail::alice_failures_recent()) + " events"), std::string::npos)
      << over.body;
  EXPECT_NE(over.body.find("trailctl query --output"), std::string::npos) << over.body;
  ASSERT_TRUE(wait_until([&] { return count_action(daemon_->lines(), "trail-export") == 1; }));
  EXPECT_EQ(run_command(std::string(TRAILCTL_BIN) + " ui --max-export 0").exit_code, 2);
}

TEST_F(Ui, ListeningBeyondLoopbackNeedsAFlagAndWarns) {
  auto refused = run_command(std::string(TRAILCTL_BIN) + " ui " + daemon_->output().string() + " --listen 0.0.0.0:0");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.output.find("not a loopback address"), std::string::npos) << refused.output;
  EXPECT_NE(refused.output.find("--allow-remote"), std::string::npos) << refused.output;
  auto ui = start_ui({"--listen", "0.0.0.0:0", "--allow-remote"});
  ASSERT_FALSE(ui->url().empty()) << ui->output();
  EXPECT_NE(ui->output().find("WARNING: listening on 0.0.0.0:0, reachable from other hosts"), std::string::npos)
      << ui->output();
  EXPECT_EQ(http(ui->port(), "GET", "/api/events").status, 401);
  const auto bad = run_command(std::string(TRAILCTL_BIN) + " ui --listen 127.0.0.1:99999");
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
}

TEST_F(Ui, AnOperatorChosenTokenFileMustBePrivate) {
  const fs::path file = daemon_->dir() / "ui.token";
  std::ofstream(file) << "operator-chosen-token-0123456789\n";
  fs::permissions(file, fs::perms::owner_read | fs::perms::group_read);
  auto loose = run_command(std::string(TRAILCTL_BIN) + " ui --listen 127.0.0.1:0 --token-file " + file.string());
  EXPECT_EQ(loose.exit_code, 2) << loose.output;
  fs::permissions(file, fs::perms::owner_read);
  auto ui = start_ui({"--token-file", file.string()});
  EXPECT_EQ(ui->url().find(std::string("token=<the token in ") + file.string()), ui->url().find("token=")) << ui->url();
  EXPECT_EQ(ui->output().find("operator-chosen"), std::string::npos) << "the token is not printed";
  EXPECT_EQ(http(ui->port(), "GET", "/api/columns", bearer("operator-chosen-token-0123456789")).status, 200);
  EXPECT_EQ(http(ui->port(), "GET", "/api/columns").status, 401);
}

// The page itself, in headless Chromium. Installs playwright-core (tests/ui/package.json)
// into the build directory on first use; Chromium and Node.js come from Debian packages
// (scripts/install-deps.sh).
TEST_F(Ui, TheEventHistoryPageInChromium) {
  const fs::path work = fs::path(TRAILD_BINARY_DIR) / "ui-tests";
  const fs::path source = fs::path(TRAILD_SOURCE_DIR) / "tests" / "ui";
  fs::create_directories(work);
  for (const char* f : {"package.json", "package-lock.json", "event_history.mjs"})
    fs::copy_file(source / f, work / f, fs::copy_options::overwrite_existing);
  const auto install = run_command("cd " + work.string() +
                                   " && flock install.lock sh -c '[ -f node_modules/playwright-core/package.json ] || "
                                   "npm ci --no-audit --no-fund --loglevel=error' 2>&1");
  ASSERT_EQ(install.exit_code, 0) << install.output;
  ASSERT_TRUE(fs::exists("/usr/bin/chromium")) << "Debian's chromium is missing: run scripts/install-deps.sh";

  auto ui = start_ui();
  ASSERT_FALSE(ui->url().empty()) << ui->output();
  const fs::path out = daemon_->dir() / "browser";
  fs::create_directories(out);
  const std::string old_day = rfc3339_ms(trail_->old_ms).substr(0, 10);
  const std::string next_day = rfc3339_ms(trail_->old_ms + 86'400'000).substr(0, 10);
  const int recent = Trail::alice_failures_recent();
  const std::string expect = "{\"alice_failures_recent\":" + std::to_string(recent) +
                             ",\"alice_failures_all\":" + std::to_string(recent + Trail::kOld) +
                             ",\"alice_failures_old\":" + std::to_string(Trail::kOld) + ",\"old_day_local_start\":\"" +
                             old_day + "T00:00\",\"old_day_local_end\":\"" + next_day + "T00:00\"}";
  const auto run = run_command("cd " + work.string() + " && UI_URL='" + ui->url() + "' OUT_DIR='" + out.string() +
                               "' EXPECT='" + expect + "' node event_history.mjs 2>&1");
  ASSERT_EQ(run.exit_code, 0) << run.output << "\n(screenshot: " << (out / "failure.png").string() << ")";

  // The downloads hold every event the filters selected (alice's failures of the last 30
  // days, in the chosen columns), not only the 25 on the page.
  std::istringstream csv(read_file(out / "export.csv"));
  std::string header, row;
  std::getline(csv, header);
  EXPECT_EQ(header,
            "@timestamp,user.name,event.action,event.outcome,entity.target.type,entity.target.name,event.id,process.name\r");
  int rows = 0;
  while (std::getline(csv, row)) {
    ++rows;
    EXPECT_NE(row.find(",alice,"), std::string::npos) << row;
    EXPECT_NE(row.find(",failure,application,proj-"), std::string::npos) << row;
  }
  EXPECT_EQ(rows, recent);
  const std::string json = read_file(out / "export.json");
  EXPECT_EQ(json.rfind("{\"count\":" + std::to_string(recent) + ",\"matched\":" + std::to_string(recent) + ",", 0), 0u)
      << json.substr(0, 200);
  EXPECT_EQ(count_of(json, "\"name\":\"alice\""), static_cast<size_t>(recent));
  EXPECT_EQ(json.find("\"outcome\":\"success\""), std::string::npos);
  // Both downloads are in the trail.
  EXPECT_TRUE(wait_until([&] { return count_action(daemon_->lines(), "trail-export") == 2; }));
  if (const char* docs = std::getenv("TRAILD_UI_SCREENSHOT")) fs::copy_file(out / "event-history.png", docs, fs::copy_options::overwrite_existing);
}

}  // namespace
}  // namespace traild::test
