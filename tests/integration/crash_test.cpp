// kill -9 while acknowledged events stream in, at random instants and at the moments where
// traild changes files (rotation, retention deletion, reload): afterwards every acknowledged
// event is in the trail exactly once, nothing is duplicated by the resends, every line is
// whole, event.sequence only increases, and trailctl verify accepts the trail.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>
#include <simdjson.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <cstring>
#include <random>
#include <iostream>
#include <set>
#include <thread>

#include "common/unix_address.hpp"
#include "harness.hpp"
#include "reporters/file_naming.hpp"
#include "reporters/trail_scan.hpp"

namespace traild::test {
namespace {

struct Round {
  std::set<std::string> acked;
  std::vector<std::string> unacked;  // sent (maybe written), not acknowledged
};

// The event with id `id`; with `tenants` > 0, three of four carry one of that many values
// of organization.id (output.route_by), the fourth none.
std::string crash_event(const std::string& id, int tenants) {
  std::string e = "{\"event\":{\"action\":\"crash-test\",\"id\":\"" + id + "\"},\"message\":\"" + std::string(200, 'm') + "\"";
  const size_t n = std::hash<std::string>{}(id);
  if (tenants > 0 && n % 4 != 0) e += ",\"organization\":{\"id\":\"tenant-" + std::to_string(n % tenants) + "\"}";
  return e + "}\n";
}

// Sends `ids` with acknowledgements until the daemon dies; sorts them into acked/unacked.
Round send_until_killed(Daemon& d, const std::vector<std::string>& ids, int tenants = 0) {
  Round r;
  size_t acked = 0;
  try {
    Client c(d.stream());
    std::string all = kAckHandshake;
    for (auto& id : ids) all += crash_event(id, tenants);
    // Write and read at once, as a real client must: traild stops reading from a client that
    // leaves its acknowledgements unread.
    std::thread writer([&] {
      try {
        c.send(all);
      } catch (const std::exception&) {
        // the daemon died while we were sending
      }
    });
    while (acked < ids.size()) {
      std::string line = c.read_line(std::chrono::seconds(10));
      if (line.empty()) break;
      if (line.find("\"ok\":true") == std::string::npos) ADD_FAILURE() << line;
      r.acked.insert(json_field(line, "id"));
      ++acked;
    }
    ::shutdown(c.fd(), SHUT_RDWR);
    writer.join();
  } catch (const std::exception&) {
    // the daemon died before we connected
  }
  for (auto& id : ids)
    if (!r.acked.count(id)) r.unacked.push_back(id);
  return r;
}

std::string first_few(const std::vector<std::string>& ids) {
  std::string out;
  for (size_t i = 0; i < ids.size() && i < 5; ++i) out += ids[i] + " ";
  return ids.size() > 5 ? out + "..." : out;
}

// Rounds of "start, stream N events, get killed", then a clean last round that resends
// what was never acknowledged; keeps the books on what was acknowledged.
class CrashRun {
 public:
  CrashRun(Daemon& d, int events_per_round, int tenants = 0) : d_(d), per_round_(events_per_round), tenants_(tenants) {}

  // One round; `kill` runs beside the sender and kills traild, or gives up once the sender
  // is done (the flag it is passed); traild is then killed after the round.
  void round(const std::function<void(const std::atomic<bool>& sender_done)>& kill) {
    d_.start();
    std::vector<std::string> ids = pending_;
    for (int i = 0; i < per_round_; ++i) ids.push_back("c-" + std::to_string(next_++));
    std::atomic<bool> sender_done{false};
    std::thread killer([&] { kill(sender_done); });
    Round r = send_until_killed(d_, ids, tenants_);
    sender_done = true;
    killer.join();
    if (d_.running()) d_.kill9();
    acked_.insert(r.acked.begin(), r.acked.end());
    pending_ = r.unacked;
    interrupted_ += !pending_.empty();
    ++rounds_;
  }

  // Resends what was never acknowledged and stops cleanly.
  void finish() {
    d_.start();
    Round last = send_until_killed(d_, pending_, tenants_);
    EXPECT_TRUE(last.unacked.empty());
    acked_.insert(last.acked.begin(), last.acked.end());
    ASSERT_EQ(d_.stop(), 0) << d_.log();
    EXPECT_EQ(acked_.size(), static_cast<size_t>(next_));
  }

  // The kills must land while events are in flight, or the test proves nothing.
  void expect_interrupted() const { EXPECT_GE(interrupted_, rounds_ / 2) << "kills that landed mid-stream"; }

  // Every acknowledged event exactly once in `files` (oldest first), lines whole, sequences rising.
  void check_exactly_once(const std::vector<fs::path>& files) const {
    check_exactly_once(std::vector<std::vector<fs::path>>{files});
  }
  // The same over several trails (each its files, oldest first), each with its own sequence.
  void check_exactly_once(const std::vector<std::vector<fs::path>>& trails) const {
    std::map<std::string, int> seen;
    simdjson::dom::parser parser;
    for (const auto& files : trails) {
    uint64_t last_seq = 0;
    for (const auto& f : files) {
      std::string text = read_file(f);
      size_t pos = 0, nl;
      while ((nl = text.find('\n', pos)) != std::string::npos) {
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        simdjson::dom::element doc;
        ASSERT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << f << ": merged or torn line: " << line;
        uint64_t seq = doc["event"]["sequence"].get_uint64().value();
        EXPECT_GT(seq, last_seq) << f;
        last_seq = seq;
        std::string_view action = doc["event"]["action"].get_string().value();
        if (action == "crash-test") ++seen[std::string(doc["event"]["id"].get_string().value())];
      }
      // Whatever follows the last newline is a torn write; the file was never appended to after it.
    }
    }
    std::vector<std::string> lost, twice;
    for (auto& id : acked_)
      if (seen[id] == 0) lost.push_back(id);
    for (auto& [id, n] : seen)
      if (n > 1) twice.push_back(id + " (" + std::to_string(n) + " times)");
    EXPECT_EQ(lost.size(), 0u) << "acknowledged, not in the trail: " << first_few(lost);
    EXPECT_EQ(twice.size(), 0u) << "written more than once: " << first_few(twice);
  }

  // trailctl verify accepts the trail: the chain is whole across every kill and every
  // retention gap is covered by the digest.
  void expect_verifies(const fs::path& dir = {}) const {
    auto r = run_command(std::string(TRAILCTL_BIN) + " verify " + (dir.empty() ? d_.output() : dir).string());
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("OK"), std::string::npos) << r.output;
  }

 private:
  Daemon& d_;
  const int per_round_;
  const int tenants_;
  std::set<std::string> acked_;
  std::vector<std::string> pending_;
  int next_ = 0;
  int rounds_ = 0;
  int interrupted_ = 0;
};

// Watches the output directory with inotify. It hard-links each trail file as soon as it
// appears, so the lines of files retention deletes stay countable, and it sends SIGKILL at
// a chosen moment: traild is killed microseconds after it creates a file (rotation),
// deletes one (retention) or writes to the digest (a checkpoint or a deletion record).
class TrailWatcher {
 public:
  enum class Moment { FileCreated, FileDeleted, DigestWritten };

  TrailWatcher(const fs::path& output, const fs::path& keep) : output_(output), keep_(keep) {
    fs::create_directories(output_);
    fs::create_directories(keep_);
    fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd_ < 0 || ::inotify_add_watch(fd_, output_.c_str(), IN_CREATE | IN_DELETE | IN_MODIFY) < 0)
      throw std::runtime_error("inotify: " + std::string(std::strerror(errno)));
    thread_ = std::thread([this] { run(); });
  }
  ~TrailWatcher() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }

  // Kills `pid` at the `n`-th `moment` from now, `delay_us` after it.
  void arm(pid_t pid, Moment moment, int n, int delay_us) {
    std::lock_guard lk(mu_);
    pid_ = pid;
    moment_ = moment;
    remaining_ = n;
    delay_us_ = delay_us;
    fired_ = false;
  }
  bool fired() {
    std::lock_guard lk(mu_);
    return fired_;
  }
  void disarm() {
    std::lock_guard lk(mu_);
    pid_ = -1;
  }
  // Trail files the watcher could not link before they were gone (its lines cannot be counted).
  int missed() const { return missed_.load(); }
  std::vector<fs::path> kept_files() const {
    std::vector<fs::path> out;
    for (auto& f : list_trail_files(keep_, "audit")) out.push_back(keep_ / f.name);
    return out;
  }

 private:
  static bool is_trail_file(std::string_view name) { return parse_file_name("audit", name).has_value(); }

  void run() {
    alignas(inotify_event) char buf[16384];
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      ssize_t n = ::read(fd_, buf, sizeof buf);
      for (ssize_t at = 0; n > 0 && at < n;) {
        auto* e = reinterpret_cast<inotify_event*>(buf + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        const std::string name = e->len > 0 ? e->name : "";
        std::optional<Moment> moment;
        if ((e->mask & IN_CREATE) && is_trail_file(name)) {
          moment = Moment::FileCreated;
          if (::link((output_ / name).c_str(), (keep_ / name).c_str()) != 0 && errno != EEXIST) ++missed_;
        } else if ((e->mask & IN_DELETE) && is_trail_file(name)) {
          moment = Moment::FileDeleted;
        } else if ((e->mask & IN_MODIFY) && name == "audit.digest") {
          moment = Moment::DigestWritten;
        }
        if (moment) on(*moment);
      }
    }
  }

  void on(Moment moment) {
    std::lock_guard lk(mu_);
    if (pid_ <= 0 || moment != moment_ || --remaining_ > 0) return;
    if (delay_us_ > 0) std::this_thread::sleep_for(std::chrono::microseconds(delay_us_));  // the fault's timing
    ::kill(pid_, SIGKILL);
    pid_ = -1;
    fired_ = true;
  }

  fs::path output_, keep_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> missed_{0};
  std::thread thread_;
  std::mutex mu_;
  pid_t pid_ = -1;
  Moment moment_ = Moment::FileCreated;
  int remaining_ = 0;
  int delay_us_ = 0;
  bool fired_ = false;
};

// 20 rounds, each killed at a random instant of its stream, then the clean last round.
void kill_at_random_instants(Daemon& d, CrashRun& run, unsigned seed) {
  std::mt19937 rng(seed);
  for (int round = 0; round < 20; ++round) {
    // The kill lands at a random instant of the stream: this delay is the fault's timing.
    std::uniform_int_distribution<int> delay_us(0, 30000);
    run.round([&, us = delay_us(rng)](const std::atomic<bool>&) {
      std::this_thread::sleep_for(std::chrono::microseconds(us));
      d.kill9();
    });
  }
  run.expect_interrupted();
  run.finish();
}

TEST(Crash, Kill9AtRandomInstantsLosesAndDuplicatesNothing) {
  Daemon d("crash", "  rotate: {max_size: 256KiB, interval: 1d}\n");
  CrashRun run(d, 10000);
  kill_at_random_instants(d, run, 12345);
  run.check_exactly_once(d.files());
  run.expect_verifies();
}

// The same with output.route_by: the tenants' trails and the host's are written in turns,
// and the kills land between them; resends must be recognised whichever trail holds them.
TEST(Crash, Kill9WithTenantsLosesAndDuplicatesNothingInAnyTrail) {
  Daemon d("crash-tenants", "  rotate: {max_size: 256KiB, interval: 1d}\n  route_by: organization.id\n");
  constexpr int kTenants = 3;
  CrashRun run(d, 10000, kTenants);
  kill_at_random_instants(d, run, 54321);
  std::vector<std::vector<fs::path>> trails{d.files()};
  for (int t = 0; t < kTenants; ++t) {
    const fs::path dir = d.output() / ("tenant-" + std::to_string(t));
    std::vector<fs::path> files;
    for (const auto& f : list_trail_files(dir, "audit")) files.push_back(dir / f.name);
    EXPECT_FALSE(files.empty()) << dir;
    trails.push_back(files);
    run.expect_verifies(dir);
  }
  run.check_exactly_once(trails);
  run.expect_verifies();
}

// Files as small as 16 KiB need events no larger.
const std::string kSmallEvents = "input:\n  max_event_bytes: 16KiB\n";
// Events sent per round: about 90 files of 16 KiB.
constexpr int kPerRound = 5000;
// Events of several rounds may be written and not acknowledged when a kill lands: traild
// must recognise each of them when it is resent, so retention must keep them.
const std::string kWindow = "  dedup_window: 16384\n";

// Kills each round at the n-th time `moment` happens; files of 16 KiB (about 60 events)
// make rotations, checkpoints and (with `retention`) deletions frequent.
void crash_at(const std::string& name, TrailWatcher::Moment moment, const std::string& retention) {
  Daemon d(name, "  rotate: {max_size: 16KiB, interval: 1d}\n" + retention + kWindow, kSmallEvents);
  TrailWatcher watch(d.output(), d.dir() / "kept");
  CrashRun run(d, kPerRound);
  std::mt19937 rng(std::hash<std::string>{}(name));
  int fired = 0;
  for (int round = 0; round < 14; ++round) {
    std::uniform_int_distribution<int> nth(1, 40), delay_us(0, 300);
    run.round([&, n = nth(rng), us = delay_us(rng)](const std::atomic<bool>& sender_done) {
      watch.arm(d.pid(), moment, n, round % 2 == 0 ? 0 : us);
      wait_until([&] { return watch.fired() || sender_done.load(); }, std::chrono::seconds(120));
      watch.disarm();
    });
    fired += watch.fired();
  }
  // Retention deletes nothing before the trail holds more than the window (in the fourth round).
  EXPECT_GE(fired, 8) << "kills at the chosen moment";
  run.expect_interrupted();
  run.finish();
  ASSERT_EQ(watch.missed(), 0) << "trail files deleted before the watcher could link them";
  run.check_exactly_once(watch.kept_files());
  run.expect_verifies();
}

TEST(Crash, Kill9RightAfterRotationCreatesAFile) {
  crash_at("crash-rotation", TrailWatcher::Moment::FileCreated, "");
}

TEST(Crash, Kill9DuringRetentionDeletion) {
  // max_total_size alone would keep nine files; retention keeps those holding the last
  // dedup_window events instead (about 300) and from then on deletes at every rotation,
  // several files a pass after a large write. Kills land right after an unlink.
  crash_at("crash-retention", TrailWatcher::Moment::FileDeleted,
           "  retention: {max_age: 90d, max_total_size: 144KiB, min_free: 0}\n");
}

TEST(Crash, Kill9BetweenADigestRecordAndWhatItRecords) {
  // Checkpoints and deletion records are written to the digest before the rotation or the
  // unlink they describe completes: a kill right after one leaves the digest ahead.
  crash_at("crash-digest", TrailWatcher::Moment::DigestWritten,
           "  retention: {max_age: 90d, max_total_size: 144KiB, min_free: 0}\n");
}

TEST(Crash, Kill9DuringReload) {
  // Each round rewrites the configuration (alternating rotation and retention settings),
  // sends SIGHUP and kills traild while it applies it.
  const std::string a = "  rotate: {max_size: 16KiB, interval: 1d}\n  retention: {max_age: 90d, max_total_size: 10GiB, min_free: 0}\n";
  const std::string b = "  rotate: {max_size: 24KiB, interval: 1d}\n  retention: {max_age: 90d, max_total_size: 160KiB, min_free: 0}\n";
  Daemon d("crash-reload", a + kWindow, kSmallEvents);
  TrailWatcher watch(d.output(), d.dir() / "kept");
  CrashRun run(d, kPerRound);
  std::mt19937 rng(777);
  for (int round = 0; round < 12; ++round) {
    std::uniform_int_distribution<int> before_us(0, 20000), after_us(0, 2000);
    run.round([&, before = before_us(rng), after = after_us(rng)](const std::atomic<bool>&) {
      std::this_thread::sleep_for(std::chrono::microseconds(before));  // the fault's timing
      d.write_config((round % 2 == 0 ? b : a) + kWindow, kSmallEvents);
      d.signal(SIGHUP);
      std::this_thread::sleep_for(std::chrono::microseconds(after));
      d.kill9();
    });
  }
  run.expect_interrupted();
  run.finish();
  ASSERT_EQ(watch.missed(), 0) << "trail files deleted before the watcher could link them";
  run.check_exactly_once(watch.kept_files());
  run.expect_verifies();
}

// Frames nobody waits for, beside the acknowledged stream: syslog datagrams and invalid ones
// (quarantined). They must not disturb anything; they are not counted.
class Noise {
 public:
  explicit Noise(const Daemon& d) : path_(d.datagram().string()), thread_([this] { run(); }) {}
  ~Noise() {
    stop_ = true;
    thread_.join();
  }

 private:
  void run() {
    int fd = -1;
    for (uint64_t i = 0; !stop_; ++i) {
      if (fd < 0) fd = connect_unix(path_, SOCK_DGRAM);
      if (fd < 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // traild is restarting
        continue;
      }
      const std::string frame = i % 4 == 3 ? std::string("{\"event\":{\"action\":") :
                                "<86>Nov 22 08:00:00 host soak[7]: {\"event\":{\"action\":\"noise\"}}";
      if (::send(fd, frame.data(), frame.size(), MSG_DONTWAIT) >= 0) continue;
      if (errno == EAGAIN) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));  // queue full: pace
      } else {
        ::close(fd);  // traild went away: reconnect to the next one
        fd = -1;
      }
    }
    if (fd >= 0) ::close(fd);
  }
  std::string path_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Soak mode, not run by default: TRAILD_SOAK_SECONDS=N (scripts/soak.sh) runs rounds of
// acknowledged events with datagram noise beside them, each ended by kill -9 at a random
// one of the moments above, for N seconds; then zero loss, zero duplication and a chain
// that verifies.
TEST(Soak, MixedLoadWithKillsAtRotationRetentionAndReload) {
  const char* seconds = std::getenv("TRAILD_SOAK_SECONDS");
  if (seconds == nullptr) GTEST_SKIP() << "soak mode: set TRAILD_SOAK_SECONDS (scripts/soak.sh)";
  const std::string a = "  rotate: {max_size: 16KiB, interval: 1d}\n  retention: {max_age: 90d, max_total_size: 144KiB, min_free: 0}\n";
  const std::string b = "  rotate: {max_size: 24KiB, interval: 1d}\n  retention: {max_age: 90d, max_total_size: 1MiB, min_free: 0}\n";
  Daemon d("soak", a + kWindow, kSmallEvents);
  TrailWatcher watch(d.output(), d.dir() / "kept");
  CrashRun run(d, kPerRound);
  const auto seed = static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count());
  std::cout << "soak: seed " << seed << ", " << seconds << " s\n";
  std::mt19937 rng(seed);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(seconds));
  int rounds = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const int kind = static_cast<int>(rng() % 5);
    const int n = static_cast<int>(rng() % 40) + 1, us = static_cast<int>(rng() % 30000);
    run.round([&](const std::atomic<bool>& sender_done) {
      Noise noise(d);
      if (kind < 3) {
        const auto moment = static_cast<TrailWatcher::Moment>(kind);
        watch.arm(d.pid(), moment, n, us % 300);
        wait_until([&] { return watch.fired() || sender_done.load(); }, std::chrono::seconds(120));
        watch.disarm();
        return;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(us));  // the fault's timing
      if (kind == 3) {
        d.write_config((rounds % 2 == 0 ? b : a) + kWindow, kSmallEvents);
        d.signal(SIGHUP);
        std::this_thread::sleep_for(std::chrono::microseconds(us % 2000));
      }
      d.kill9();
    });
    ++rounds;
  }
  std::cout << "soak: " << rounds << " rounds\n";
  run.finish();
  ASSERT_EQ(watch.missed(), 0) << "trail files deleted before the watcher could link them";
  run.check_exactly_once(watch.kept_files());
  run.expect_verifies();
}

}  // namespace
}  // namespace traild::test
