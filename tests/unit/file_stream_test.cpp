#include "reporters/file_stream.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/clock.hpp"
#include "reporters/file_naming.hpp"
#include "faulty_filesystem.hpp"

namespace traild {
namespace {

namespace fs = std::filesystem;
using test::FaultyFilesystem;

// Appends `lines` in one call and returns the result (0 or -errno).
int append(FileStream& s, const std::string& lines) {
  std::string_view d = lines;
  return s.append(d, now_unix_ms());
}

class FileStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("traild-fs-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  FileStreamOptions options(uint64_t max_size = 1 << 20) {
    return {dir / "out", "audit", (dir / "state").string(), {max_size, 86'400'000}, {90LL * 86'400'000, 1ULL << 40, 0}};
  }
  std::vector<std::string> contents() {
    std::vector<std::string> out;
    for (auto& f : list_trail_files(dir / "out", "audit")) {
      std::ifstream in(dir / "out" / f.name);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ss.str());
    }
    return out;
  }
  fs::path dir;
};

TEST_F(FileStreamTest, RotatesAtLineBoundariesWithoutSplittingLines) {
  FileStream s(Filesystem::real(), options(1024));
  s.recover(10, now_unix_ms());
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(40, 'x') + "\"}\n";
  std::string_view data = lines;
  ASSERT_EQ(s.append(data, now_unix_ms()), 0);
  auto files = contents();
  ASSERT_GT(files.size(), 4u);
  std::string joined;
  for (auto& f : files) {
    EXPECT_LE(f.size(), 1024u);
    EXPECT_EQ(f.back(), '\n');
    joined += f;
  }
  EXPECT_EQ(joined, lines);
}

TEST_F(FileStreamTest, ALineLargerThanMaxSizeGoesWholeIntoItsOwnFile) {
  FileStream s(Filesystem::real(), options(1024));
  s.recover(10, now_unix_ms());
  std::string lines = "{\"a\":1}\n{\"big\":\"" + std::string(3000, 'y') + "\"}\n{\"b\":2}\n";
  std::string_view data = lines;
  ASSERT_EQ(s.append(data, now_unix_ms()), 0);
  auto files = contents();
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0], "{\"a\":1}\n");
  EXPECT_EQ(files[2], "{\"b\":2}\n");
}

TEST_F(FileStreamTest, DiskFullKeepsTheRestAndCompletesTheLineWhenSpaceReturns) {
  FaultyFilesystem ffs;
  FileStream s(ffs, options());
  s.recover(10, now_unix_ms());
  std::string lines = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
  std::string_view data = lines;
  ffs.space = 12;  // ends inside the second line
  EXPECT_EQ(s.append(data, now_unix_ms()), -ENOSPC);
  EXPECT_EQ(data, lines.substr(12));
  ffs.space = -1;
  ASSERT_EQ(s.append(data, now_unix_ms()), 0);
  EXPECT_EQ(contents(), std::vector<std::string>{lines});
}

// The kernel is asked to start writing every 8 MiB of the active file as it is written, so
// that the fdatasync at rotation does not find a whole file still to write; bytes already
// synced are not asked for again.
TEST_F(FileStreamTest, WritebackStartsEveryEightMiBOfBytesNotYetSynced) {
  constexpr uint64_t kMiB = 1 << 20;
  FaultyFilesystem ffs;
  FileStream s(ffs, options(64 * kMiB));
  s.recover(10, now_unix_ms());
  const std::string line = "{\"pad\":\"" + std::string(kMiB - 11, 'x') + "\"}\n";  // 1 MiB
  ASSERT_EQ(line.size(), kMiB);
  std::string all;
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(append(s, line), 0);
    all += line;
  }
  EXPECT_EQ(ffs.written_back.load(), 16 * kMiB);
  ASSERT_EQ(s.sync(), 0);
  for (int i = 0; i < 7; ++i) {
    ASSERT_EQ(append(s, line), 0);
    all += line;
  }
  EXPECT_EQ(ffs.written_back.load(), 16 * kMiB) << "8 MiB since the last writeback, but 7 since the sync";
  ASSERT_EQ(append(s, line), 0);
  all += line;
  EXPECT_EQ(ffs.written_back.load(), 24 * kMiB);
  EXPECT_EQ(contents(), std::vector<std::string>{all});
}

// Written pages further than page_cache_window behind the active file's end are dropped
// from the page cache 8 MiB at a time, in `write` mode (after each writeback) and in
// `fsync` mode (after each sync); the file closed last goes whole once the next one is a
// window long. Nothing within the window of the end is dropped, and a window of 0 drops
// nothing.
TEST_F(FileStreamTest, PagesBehindThePageCacheWindowAreDroppedNeverTheWindowItself) {
  constexpr uint64_t kMiB = 1 << 20;
  const std::string line = "{\"pad\":\"" + std::string(kMiB - 11, 'x') + "\"}\n";  // 1 MiB
  using Drop = FaultyFilesystem::Drop;
  {
    FaultyFilesystem ffs;
    FileStreamOptions o = options(64 * kMiB);
    o.page_cache_window = 16 * kMiB;
    FileStream s(ffs, o);
    s.recover(10, now_unix_ms());
    for (int i = 0; i < 23; ++i) ASSERT_EQ(append(s, line), 0);
    EXPECT_TRUE(ffs.drops().empty()) << "23 MiB written, 16 handed to writeback: nothing is 16 MiB behind that";
    ASSERT_EQ(append(s, line), 0);  // writeback reaches 24 MiB
    const std::string first = s.active_name();
    EXPECT_EQ(ffs.drops(), (std::vector<Drop>{{first, 0, 8 * kMiB}}));
    for (int i = 0; i < 16; ++i) ASSERT_EQ(append(s, line), 0);  // 40 MiB
    EXPECT_EQ(ffs.drops(), (std::vector<Drop>{{first, 0, 8 * kMiB}, {first, 8 * kMiB, 8 * kMiB}, {first, 16 * kMiB, 8 * kMiB}}));

    // fsync mode: each sync counts as written back.
    ASSERT_EQ(append(s, line), 0);
    ASSERT_EQ(s.sync(), 0);  // 41 MiB on disk: 25 behind the window, 24 of it dropped already
    EXPECT_EQ(ffs.drops().size(), 3u);
    for (int i = 0; i < 7; ++i) {
      ASSERT_EQ(append(s, line), 0);
      ASSERT_EQ(s.sync(), 0);
    }
    EXPECT_EQ(ffs.drops().back(), (Drop{first, 24 * kMiB, 8 * kMiB}));  // at 48 MiB

    // The next file: the closed one stays cached until this one is a window long.
    for (int i = 0; i < 16; ++i) ASSERT_EQ(append(s, line), 0);  // 64 MiB: the next line rotates
    const size_t before_rotation = ffs.drops().size();
    for (int i = 0; i < 23; ++i) ASSERT_EQ(append(s, line), 0);
    ASSERT_NE(s.active_name(), first);
    for (size_t i = before_rotation; i < ffs.drops().size(); ++i) EXPECT_EQ(ffs.drops()[i].file, first);
    ASSERT_EQ(append(s, line), 0);  // the new file's writeback reaches 24 MiB
    const auto drops = ffs.drops();
    ASSERT_GE(drops.size(), 2u);
    EXPECT_EQ(drops[drops.size() - 2], (Drop{s.active_name(), 0, 8 * kMiB}));
    EXPECT_EQ(drops.back(), (Drop{first, 0, 0})) << "the closed file, whole";
  }
  {
    FaultyFilesystem ffs;
    FileStreamOptions o = options(64 * kMiB);
    o.page_cache_window = 0;
    FileStream s(ffs, o);
    s.recover(10, now_unix_ms());
    for (int i = 0; i < 100; ++i) ASSERT_EQ(append(s, line), 0);
    EXPECT_TRUE(ffs.drops().empty());
  }
}

// Opening a file whose name cannot be made durable fails without leaving an empty file per
// attempt behind; once it can, the data goes into one file.
TEST_F(FileStreamTest, FailedFileCreationLeavesNoEmptyFiles) {
  FaultyFilesystem ffs;
  FileStream s(ffs, options());
  s.recover(10, now_unix_ms());
  ffs.sync_directory_error = -EMFILE;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(append(s, "{\"a\":1}\n"), -EMFILE);
  EXPECT_TRUE(contents().empty());
  ffs.sync_directory_error = 0;
  ASSERT_EQ(append(s, "{\"a\":1}\n"), 0);
  EXPECT_EQ(contents(), std::vector<std::string>{"{\"a\":1}\n"});
}

TEST_F(FileStreamTest, RestartNeverAppendsAfterATornLine) {
  {
    FileStream s(Filesystem::real(), options());
    s.recover(10, now_unix_ms());
    ASSERT_EQ(append(s, "{\"event\":{\"id\":\"x1\",\"sequence\":41}}\n"), 0);
  }
  auto first = list_trail_files(dir / "out", "audit");
  ASSERT_EQ(first.size(), 1u);
  {
    std::ofstream torn(dir / "out" / first[0].name, std::ios::app);
    torn << "{\"event\":{\"id\":\"x2\",\"seq";
  }
  FileStream s(Filesystem::real(), options());
  TrailTail tail = s.recover(10, now_unix_ms());
  EXPECT_FALSE(tail.newest_ends_cleanly);
  EXPECT_TRUE(tail.have_sequence);
  EXPECT_EQ(tail.last_sequence, 41u);
  EXPECT_EQ(tail.recent_ids, std::vector<std::string>{"x1"});
  const std::string line = "{\"next\":1}\n";
  ASSERT_EQ(append(s, line), 0);
  auto files = contents();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[1], line);
}

TEST_F(FileStreamTest, RestartAppendsToACleanNewestFileAndNamesAreNeverReused) {
  std::string first_name;
  {
    FileStream s(Filesystem::real(), options());
    s.recover(10, now_unix_ms());
    ASSERT_EQ(append(s, "{\"a\":1}\n"), 0);
    first_name = s.active_name();
  }
  {
    FileStream s(Filesystem::real(), options());
    s.recover(10, now_unix_ms());
    ASSERT_EQ(append(s, "{\"b\":2}\n"), 0);
    EXPECT_EQ(s.active_name(), first_name);
  }
  fs::remove(dir / "out" / first_name);  // retention or an operator removed it
  FileStream s(Filesystem::real(), options());
  s.recover(10, now_unix_ms());
  ASSERT_EQ(append(s, "{\"c\":3}\n"), 0);
  EXPECT_NE(s.active_name(), first_name);
  EXPECT_GT(parse_file_name("audit", s.active_name())->counter, parse_file_name("audit", first_name)->counter);
}

TEST_F(FileStreamTest, RetentionDeletesClosedFilesNeverTheActiveOne) {
  FileStream s(Filesystem::real(), options(1024));
  s.recover(10, now_unix_ms());
  std::string lines;
  for (int i = 0; i < 100; ++i) lines += "{\"pad\":\"" + std::string(90, 'x') + "\"}\n";
  std::string_view data = lines;
  ASSERT_EQ(s.append(data, now_unix_ms()), 0);
  s.set_policy({1024, 86'400'000}, {90LL * 86'400'000, 2048, 0});
  auto deleted = s.enforce_retention(now_unix_ms());
  EXPECT_FALSE(deleted.empty());
  auto left = list_trail_files(dir / "out", "audit");
  uint64_t total = 0;
  for (auto& f : left) total += f.size;
  EXPECT_LE(total, 2048u);
  EXPECT_EQ(left.back().name, s.active_name());
  for (auto& d : deleted) EXPECT_EQ(d.reason, "max_total_size");
}

}  // namespace
}  // namespace traild
