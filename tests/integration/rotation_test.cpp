// Rotation and retention as a shipper (Filebeat, Logstash) and an operator see them.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "harness.hpp"

namespace traild::test {
namespace {

// Follows the trail like Filebeat: every file in name order, from its last offset, complete
// lines only; never re-reads a line.
class Tailer {
 public:
  explicit Tailer(const Daemon& d) : d_(d) {}
  void poll() {
    for (auto& f : d_.files()) {
      std::string text = read_file(f);
      size_t& off = offsets_[f.filename().string()];
      size_t nl;
      while ((nl = text.find('\n', off)) != std::string::npos) {
        lines_.push_back(text.substr(off, nl - off));
        off = nl + 1;
      }
    }
  }
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  const Daemon& d_;
  std::map<std::string, size_t> offsets_;
  std::vector<std::string> lines_;
};

TEST(Rotation, SizeRotationWhileTailingSeesEveryLineExactlyOnce) {
  Daemon d("rotate", "  rotate: {max_size: 16KiB, interval: 1d}\n", "input:\n  max_event_bytes: 4KiB\n");
  d.start();
  std::atomic<bool> done{false};
  Tailer tailer(d);
  std::thread t([&] {
    while (!done) tailer.poll();
  });
  std::string events;
  for (int i = 0; i < 3000; ++i)
    events += "{\"event\":{\"action\":\"rot\",\"id\":\"r-" + std::to_string(i) + "\"},\"message\":\"" + std::string(100, 'z') + "\"}\n";
  auto r = trailctl_send(d, events);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(d.stop(), 0);
  done = true;
  t.join();
  tailer.poll();
  std::map<std::string, int> seen;
  for (auto& l : tailer.lines())
    if (l.find("\"action\":\"rot\"") != std::string::npos) ++seen[json_field(l, "id")];
  EXPECT_EQ(seen.size(), 3000u);
  for (auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
  auto files = d.files();
  EXPECT_GT(files.size(), 20u);
  for (auto& f : files) {
    EXPECT_LE(fs::file_size(f), 16u * 1024) << f;
    std::string text = read_file(f);
    EXPECT_EQ(text.back(), '\n') << f;
  }
}

TEST(Rotation, RetentionDeletesFilesOlderThanMaxAgeAndRecordsIt) {
  Daemon d("retention-age", "  retention: {max_age: 30d, max_total_size: 10GiB, min_free: 0}\n");
  fs::create_directories(d.output());
  std::ofstream(d.output() / "audit-20200101T000000Z-00000001.jsonl") << "{\"old\":1}\n";
  std::ofstream(d.output() / "unrelated.txt") << "keep me\n";
  d.start();
  ASSERT_TRUE(wait_until([&] {
    for (auto& l : d.lines())
      if (l.find("traild-retention-delete") != std::string::npos) return true;
    return false;
  })) << d.log();
  EXPECT_FALSE(fs::exists(d.output() / "audit-20200101T000000Z-00000001.jsonl"));
  EXPECT_TRUE(fs::exists(d.output() / "unrelated.txt"));
  bool recorded = false;
  for (auto& l : d.lines())
    recorded |= l.find("\"name\":\"audit-20200101T000000Z-00000001.jsonl\"") != std::string::npos &&
                l.find("\"reason\":\"max_age\"") != std::string::npos;
  EXPECT_TRUE(recorded);
  EXPECT_NE(d.log().find("retention deleted audit-20200101T000000Z-00000001.jsonl"), std::string::npos);
}

TEST(Rotation, RetentionKeepsTheTrailUnderMaxTotalSize) {
  // Retention never deletes the files holding the last output.dedup_window events (about
  // 600 KiB here): the bound is above that.
  Daemon d("retention-size",
           "  rotate: {max_size: 8KiB, interval: 1d}\n  retention: {max_age: 90d, max_total_size: 1MiB, min_free: 0}\n"
           "  dedup_window: 1024\n",
           "input:\n  max_event_bytes: 4KiB\n");
  d.start();
  std::string events;
  for (int i = 0; i < 3000; ++i) events += "{\"event\":{\"action\":\"fill\"},\"message\":\"" + std::string(100, 'q') + "\"}\n";
  auto r = trailctl_send(d, events);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Retention runs after each rotation; the last rotation's deletions are written as events.
  ASSERT_TRUE(wait_until([&] {
    uint64_t total = 0;
    std::error_code ec;  // a file may be deleted between listing and stat
    for (auto& f : d.files()) {
      auto size = fs::file_size(f, ec);
      if (!ec) total += size;
    }
    return total <= 1024u * 1024;
  })) << d.log();
  // Each deletion is recorded as an event, written after the deletion itself.
  EXPECT_TRUE(wait_until([&] {
    for (auto& l : d.lines())
      if (l.find("traild-retention-delete") != std::string::npos) return true;
    return false;
  })) << d.log();
  EXPECT_EQ(d.stop(), 0);
}

// A resent event is recognised by finding its event.id among the last dedup_window events
// in the trail, so retention never deletes those, whatever max_total_size says.
TEST(Rotation, RetentionKeepsTheFilesHoldingTheLastDedupWindowEvents) {
  Daemon d("retention-recent",
           "  rotate: {max_size: 8KiB, interval: 1d}\n  retention: {max_age: 90d, max_total_size: 0, min_free: 0}\n"
           "  dedup_window: 1024\n",
           "input:\n  max_event_bytes: 4KiB\n");
  d.start();
  std::string events;
  for (int i = 0; i < 2000; ++i) events += "{\"event\":{\"action\":\"fill\",\"id\":\"f-" + std::to_string(i) + "\"}}\n";
  auto r = trailctl_send(d, events);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_EQ(d.stop(), 0);
  // The window counts events of every kind, traild's own too, by event.sequence.
  std::set<uint64_t> kept;
  const std::regex sequence("\"sequence\":(\\d+)");
  for (auto& l : d.lines()) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(l, m, sequence)) << l;
    kept.insert(std::stoull(m[1]));
  }
  ASSERT_FALSE(kept.empty());
  EXPECT_GT(*kept.begin(), 1u) << "retention deleted nothing";
  for (uint64_t s = *kept.rbegin() - 1023; s <= *kept.rbegin(); ++s) EXPECT_TRUE(kept.count(s)) << s << " was deleted";
  EXPECT_NE(d.log().find("holds some of the last 1024 events"), std::string::npos) << d.log();
}

}  // namespace
}  // namespace traild::test
