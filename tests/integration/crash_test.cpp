// kill -9 at random instants while acknowledged events stream in: afterwards every
// acknowledged event is in the trail exactly once, nothing is duplicated by the resends,
// every line is whole, and event.sequence only increases.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <simdjson.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "harness.hpp"

namespace traild::test {
namespace {

struct Round {
  std::set<std::string> acked;
  std::vector<std::string> unacked;  // sent (maybe written), not acknowledged
};

// Sends `ids` with acknowledgements until the daemon dies; sorts them into acked/unacked.
Round send_until_killed(Daemon& d, const std::vector<std::string>& ids) {
  Round r;
  size_t acked = 0;
  try {
    Client c(d.stream());
    std::string all = kAckHandshake;
    for (auto& id : ids) all += "{\"event\":{\"action\":\"crash-test\",\"id\":\"" + id + "\"},\"message\":\"" + std::string(200, 'm') + "\"}\n";
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

TEST(Crash, Kill9AtRandomInstantsLosesAndDuplicatesNothing) {
  Daemon d("crash", "  rotate: {max_size: 256KiB, interval: 1d}\n");
  std::mt19937 rng(12345);
  std::set<std::string> acked;
  std::vector<std::string> pending;
  int next = 0;
  int interrupted = 0;  // rounds killed before every event was acknowledged
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    d.start();
    std::vector<std::string> ids = pending;
    for (int i = 0; i < 10000; ++i) ids.push_back("c-" + std::to_string(next++));
    // The kill lands at a random instant of the stream: this delay is the fault's timing.
    std::uniform_int_distribution<int> delay_us(0, 30000);
    std::thread killer([&, us = delay_us(rng)] {
      std::this_thread::sleep_for(std::chrono::microseconds(us));
      d.kill9();
    });
    Round r = send_until_killed(d, ids);
    killer.join();
    acked.insert(r.acked.begin(), r.acked.end());
    pending = r.unacked;
    interrupted += !pending.empty();
  }
  EXPECT_GE(interrupted, kRounds / 2) << "the kills must land while events are in flight";
  // Last round: resend what was never acknowledged and shut down cleanly.
  d.start();
  Round last = send_until_killed(d, pending);
  EXPECT_TRUE(last.unacked.empty());
  acked.insert(last.acked.begin(), last.acked.end());
  ASSERT_EQ(d.stop(), 0);

  std::map<std::string, int> seen;
  simdjson::dom::parser parser;
  uint64_t last_seq = 0;
  for (const auto& f : d.files()) {
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
  for (auto& id : acked) EXPECT_EQ(seen[id], 1) << id;
  for (auto& [id, n] : seen) EXPECT_EQ(n, 1) << id << " written " << n << " times";
  EXPECT_EQ(acked.size(), static_cast<size_t>(next));
}

}  // namespace
}  // namespace traild::test
