// metrics.textfile: the Prometheus exposition traild rewrites for node_exporter's textfile
// collector, checked after real traffic.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "tests/integration/harness.hpp"

namespace traild::test {
namespace {

// name{labels} -> value of every sample; the whole file must be valid exposition lines.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  const std::regex sample(R"(^([a-z_]+(\{[a-z_]+="[^"]*"\})?) (-?[0-9.e+]+|\+Inf)$)");
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t nl = text.find('\n', pos);
    const std::string line = text.substr(pos, nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) continue;
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, sample)) << "not an exposition line: " << line;
    if (!m.empty()) out[m[1]] = std::stod(m[3]);
  }
  return out;
}

TEST(Metrics, TheTextfileCountsWhatHappened) {
  Daemon d("metrics", "  durability: fsync\n",
           "metrics:\n  textfile: " + (fs::temp_directory_path() / ("traild-metrics-" + std::to_string(::getpid()) +
                                                                    ".prom")).string() +
               "\n  interval: 200ms\n");
  const fs::path prom = fs::temp_directory_path() / ("traild-metrics-" + std::to_string(::getpid()) + ".prom");
  fs::remove(prom);
  d.start();
  Client c(d.stream());
  c.send(kAckHandshake + event_frame("m1") + event_frame("m2") + "{not json\n" + "[1]\n");
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(c.read_line().empty());
  std::map<std::string, double> m;
  ASSERT_TRUE(wait_until([&] {
    m = samples(read_file(prom));
    return m["traild_events_accepted_total"] >= 3 && m["traild_events_rejected_total{reason=\"invalid_json\"}"] == 1;
  })) << read_file(prom);
  EXPECT_EQ(m["traild_events_rejected_total{reason=\"not_an_object\"}"], 1);
  EXPECT_EQ(m["traild_events_received_total"], 4) << "two events, two bad frames";
  EXPECT_EQ(m["traild_events_quarantined_total"], 2);
  EXPECT_EQ(m["traild_events_rejected_total{reason=\"type_mismatch\"}"], 0) << "every reason is present, zeros too";
  EXPECT_EQ(m["traild_connections"], 1);
  EXPECT_GT(m["traild_written_bytes_total"], 0);
  EXPECT_GT(m["traild_last_write_timestamp_seconds"], 1.7e9);
  EXPECT_GE(m["traild_fsync_duration_seconds_count"], 1) << "durability fsync: syncs are timed";
  EXPECT_EQ(m["traild_fsync_duration_seconds_bucket{le=\"+Inf\"}"], m["traild_fsync_duration_seconds_count"]);
  EXPECT_EQ(m["traild_write_errors_total"], 0);
  d.stop();
  // The final counts are written at shutdown, the stop event included.
  m = samples(read_file(prom));
  EXPECT_GE(m["traild_events_accepted_total"], 4);
  fs::remove(prom);
}

// trailctl stats reads the same numbers live from the control socket, which has the
// sockets' mode; without traild it says why and exits 1.
TEST(Metrics, TrailctlStatsReadsThemLiveFromTheControlSocket) {
  Daemon d("metrics-stats");
  d.start();
  EXPECT_EQ(fs::status(d.control()).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write);
  Client c(d.stream());
  c.send(kAckHandshake + event_frame("s1") + event_frame("s2") + "{not json\n");
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(c.read_line().empty());
  const std::string stats = std::string(TRAILCTL_BIN) + " stats --socket " + d.control().string();
  auto raw = run_command(stats + " --prometheus");
  ASSERT_EQ(raw.exit_code, 0) << raw.output;
  std::map<std::string, double> m = samples(raw.output);
  EXPECT_GE(m["traild_events_accepted_total"], 2) << raw.output;
  EXPECT_EQ(m["traild_events_rejected_total{reason=\"invalid_json\"}"], 1) << raw.output;
  EXPECT_EQ(m["traild_connections"], 1) << raw.output;
  auto table = run_command(stats);
  ASSERT_EQ(table.exit_code, 0) << table.output;
  EXPECT_EQ(table.output.find("# HELP"), std::string::npos) << table.output;
  EXPECT_TRUE(std::regex_search(table.output, std::regex(R"(traild_events_rejected_total\{reason="invalid_json"\} +1\n)")))
      << table.output;
  ASSERT_EQ(d.stop(), 0);
  EXPECT_FALSE(fs::exists(d.control())) << "the control socket is removed at exit";
  auto down = run_command(stats);
  EXPECT_EQ(down.exit_code, 1) << down.output;
  EXPECT_NE(down.output.find("cannot connect to " + d.control().string()), std::string::npos) << down.output;
}

}  // namespace
}  // namespace traild::test
