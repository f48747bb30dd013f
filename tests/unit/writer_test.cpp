// The writer thread over a fault-injecting file system: what it acknowledges and where the
// lines end up when fdatasync fails.
#include "reporters/writer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "faulty_filesystem.hpp"
#include "reporters/trail_scan.hpp"

namespace traild {
namespace {

namespace fs = std::filesystem;

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() / ("traild-writer-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }
  FileStreamOptions options(const std::string& name) {
    return {dir / name, name, (dir / (name + ".state")).string(), {1 << 20, 86'400'000}, {90LL * 86'400'000, 1ULL << 40, 0}};
  }
  std::vector<std::string> files(const std::string& name) {
    std::vector<std::string> out;
    for (auto& f : list_trail_files(dir / name, name)) {
      std::ifstream in(dir / name / f.name);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ss.str());
    }
    return out;
  }
  static Batch batch(uint64_t id, std::string lines) {
    Batch b;
    b.id = id;
    b.parts.push_back({0, std::move(lines), {}, id + 1, {}});
    return b;
  }
  // Polls until `cond` holds: a condition, not a guess at timing.
  static bool eventually(const std::function<bool()>& cond) {
    for (int i = 0; i < 2000 && !cond(); ++i) ::usleep(5000);
    return cond();
  }
  // Starts a writer over the host trail in dir/audit and a quarantine beside it; `durable`
  // follows its acknowledgements. `queued` batches are submitted before its thread starts,
  // so it takes them as one group, as it does batches that queued up behind a slow write.
  Writer& start(Durability durability, const RotateConfig& rotate = {1 << 20, 86'400'000},
                std::vector<Batch> queued = {}) {
    Config config;
    config.output.directory = dir / "audit";
    config.output.prefix = "audit";
    config.output.rotate = rotate;
    config.state_directory = dir;
    trails.emplace(ffs, config, nullptr);
    quarantine.emplace(ffs, options("rejected"));
    trails->open("", 16, 0);
    quarantine->recover(16, 0);
    writer.emplace(*trails, *quarantine, durability,
                   Writer::Callbacks{[this](uint64_t id, size_t) { durable = id; }, {}});
    for (Batch& b : queued) writer->submit(std::move(b));
    writer->start();
    return *writer;
  }
  // Submits a batch of `lines` and waits until it is acknowledged.
  bool write(uint64_t id, std::string lines) {
    writer->submit(batch(id, std::move(lines)));
    return eventually([&] { return durable.load() == id; });
  }
  fs::path dir;
  test::FaultyFilesystem ffs;
  std::atomic<uint64_t> durable{0};
  std::optional<TrailSet> trails;
  std::optional<FileStream> quarantine;
  std::optional<Writer> writer;  // after the streams: destroyed (stopped) first
};

TEST_F(WriterTest, AFailedFdatasyncWritesTheGroupAgainToANewFileBeforeAcknowledging) {
  Writer& w = start(Durability::Fsync);
  ASSERT_TRUE(write(1, "one\ntwo\n"));
  // The first failure leaves the active file as it is (its tail may or may not be on disk);
  // the second hits the file the retry opened, which is deleted; the third attempt works.
  ffs.sync_failures = 2;
  ASSERT_TRUE(write(2, "three\nfour\n"));
  EXPECT_EQ(ffs.sync_failures.load(), 0);
  EXPECT_GE(w.io_errors(), 2u);
  w.stop();
  EXPECT_EQ(files("audit"), (std::vector<std::string>{"one\ntwo\nthree\nfour\n", "three\nfour\n"}));
}

TEST_F(WriterTest, InWriteModeAFailedFdatasyncAtRotationIsRetried) {
  // durability: write promises survival of a crash of traild, not of the machine: the
  // lines are in the page cache, and the rotation that could not sync is tried again.
  Writer& w = start(Durability::Write, {8, 86'400'000});
  ASSERT_TRUE(write(1, "aaaaaaa\n"));
  ffs.sync_failures = 1;
  ASSERT_TRUE(write(2, "bbbbbbb\n"));
  w.stop();
  EXPECT_EQ(files("audit"), (std::vector<std::string>{"aaaaaaa\n", "bbbbbbb\n"}));
}

TEST_F(WriterTest, AGroupOfBatchesIsWrittenWholeAfterTheDiskFillsInItsSecondBatch) {
  std::vector<Batch> queued;
  queued.push_back(batch(1, "one\ntwo\n"));
  queued.push_back(batch(2, "three\nfour\n"));
  queued.push_back(batch(3, "five\n"));
  ffs.space = 11;  // the first batch (8 bytes) and "thr"
  Writer& w = start(Durability::Fsync, {1 << 20, 86'400'000}, std::move(queued));
  ASSERT_TRUE(eventually([&] { return w.io_errors() > 0; }));
  EXPECT_EQ(durable.load(), 0u);  // nothing of the group is acknowledged while it is not all written
  ffs.space = -1;
  ASSERT_TRUE(eventually([&] { return durable.load() == 3; }));
  w.stop();
  // The torn line is completed in the same file, and nothing is written twice.
  EXPECT_EQ(files("audit"), (std::vector<std::string>{"one\ntwo\nthree\nfour\nfive\n"}));
}

TEST_F(WriterTest, AFailedFdatasyncWritesEveryBatchOfTheGroupAgain) {
  std::vector<Batch> queued;
  queued.push_back(batch(1, "one\n"));
  queued.push_back(batch(2, "two\n"));
  queued.push_back(batch(3, "three\n"));
  ffs.sync_failures = 1;
  Writer& w = start(Durability::Fsync, {1 << 20, 86'400'000}, std::move(queued));
  ASSERT_TRUE(eventually([&] { return durable.load() == 3; }));
  EXPECT_GE(w.io_errors(), 1u);
  w.stop();
  // The file the group opened held only the group: it is deleted, and all three batches,
  // not only the last, are written again into a new one.
  EXPECT_EQ(files("audit"), (std::vector<std::string>{"one\ntwo\nthree\n"}));
}

}  // namespace
}  // namespace traild
