// The output file system fills up while a client pushes far more than traild may hold:
// traild stops reading (memory stays bounded), acknowledges nothing it could not write,
// and once space is freed writes everything, each event once, every line whole.
// The output directory is a small tmpfs, so the test needs root (CI and the README's
// commands run as root); without it the test is skipped and says why.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/statvfs.h>

#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "common/unix_address.hpp"
#include "harness.hpp"

namespace traild::test {
namespace {

class TmpfsMount {
 public:
  TmpfsMount(const fs::path& dir, const std::string& size) : dir_(dir) {
    fs::create_directories(dir);
    ok_ = ::mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, ("size=" + size).c_str()) == 0;
    if (!ok_) why_ = std::strerror(errno);
  }
  ~TmpfsMount() {
    if (ok_) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool ok() const { return ok_; }
  const std::string& why() const { return why_; }

 private:
  fs::path dir_;
  bool ok_ = false;
  std::string why_;
};

uint64_t free_bytes(const fs::path& dir) {
  struct statvfs s {};
  ::statvfs(dir.c_str(), &s);
  return static_cast<uint64_t>(s.f_bavail) * s.f_frsize;
}

// Fills `dir` until about `leave` bytes are free.
void fill(const fs::path& file, uint64_t leave) {
  std::ofstream out(file, std::ios::binary);
  const std::string block(1 << 16, 'x');
  while (free_bytes(file.parent_path()) > leave + block.size())
    out.write(block.data(), static_cast<std::streamsize>(block.size())).flush();
}

TEST(DiskFull, NothingAcknowledgedIsLostMemoryStaysBoundedAndWritingResumes) {
  Daemon d("diskfull",
           "  max_queue_bytes: 256KiB\n"
           "  retention: {max_age: 90d, max_total_size: 10GiB, min_free: 0}\n");
  TmpfsMount mount(d.output(), "192m");
  if (!mount.ok()) GTEST_SKIP() << "cannot mount a tmpfs for the output directory (needs root): " << mount.why();
  d.start();
  const fs::path filler = d.output() / "filler";
  fill(filler, 128 << 10);

  // 160,000 events of ~400 bytes: 64 MB, far more than the 256 KiB traild may queue.
  const size_t total = 160'000;
  std::string frames = kAckHandshake;
  for (size_t i = 0; i < total; ++i)
    frames += "{\"event\":{\"action\":\"disk-full-test\",\"id\":\"df-" + std::to_string(i) + "\"},\"message\":\"" +
              std::string(340, 'm') + "\"}\n";
  Client c(d.stream());
  BackgroundSender sender(c.fd(), frames);

  std::set<std::string> acked;
  // Reads acknowledgements until `total` arrived or none came for `quiet`.
  auto read_acks = [&](std::chrono::milliseconds quiet) {
    while (acked.size() < total) {
      std::string line = c.read_line(quiet);
      if (line.empty()) return;
      ASSERT_NE(line.find("\"ok\":true"), std::string::npos) << line;
      acked.insert(json_field(line, "id"));
    }
  };

  // The disk fills: traild says so and stops reading from the client once it holds
  // max_queue_bytes. Nothing signals "stopped reading", so give the client two seconds, in
  // which it could push all 64 MB to a daemon that kept reading (it does so in well under
  // one), and check that it could not.
  ASSERT_TRUE(wait_until([&] { return d.log().find("No space left on device") != std::string::npos; }));
  EXPECT_FALSE(wait_until([&] { return sender.done(); }, std::chrono::seconds(2)))
      << "traild read the whole 64 MB while it could not write it";
  EXPECT_LT(sender.sent(), size_t{8} << 20);
  read_acks(std::chrono::milliseconds(0));
  EXPECT_LT(acked.size(), total);
  const long rss_kib = proc_status_kib(d.pid(), "VmRSS");
  EXPECT_LT(rss_kib, memory_bound_kib(48 << 10)) << "memory grew while the disk was full";
  EXPECT_TRUE(d.running());

  // Space comes back: everything is written and acknowledged.
  fs::remove(filler);
  read_acks(std::chrono::seconds(30));
  const size_t sent_before_shutdown = sender.sent();
  ::shutdown(c.fd(), SHUT_RDWR);  // unblocks the sender if traild stopped reading for good
  sender.join();
  // On failure, say whether traild stopped reading (bytes left unsent) or stopped answering.
  ASSERT_EQ(acked.size(), total) << "the client had sent " << sent_before_shutdown << " of " << frames.size()
                                 << " bytes; traild's log:\n" << d.log();
  EXPECT_LT(proc_status_kib(d.pid(), "VmHWM"), memory_bound_kib(48 << 10));
  EXPECT_EQ(d.stop(), 0);

  // Every line whole, every event once, every acknowledged event present.
  simdjson::dom::parser parser;
  std::set<std::string> written;
  for (const auto& line : d.lines()) {
    ASSERT_FALSE(parser.parse(line).error()) << "not one JSON object: " << line.substr(0, 200);
    std::string id = json_field(line, "id");
    if (id.rfind("df-", 0) != 0) continue;  // traild's own events
    EXPECT_TRUE(written.insert(id).second) << "written twice: " << id;
  }
  EXPECT_EQ(written.size(), total);
  EXPECT_EQ(written, acked);
}

// Datagrams the kernel accepted while the disk was full wait in three places: the kernel's
// queue, the receiver thread's buffer and the pipeline's queue. A SIGTERM then must still
// write every one of them once space returns: a datagram has no acknowledgement, so the
// kernel's acceptance is the only promise its sender got.
TEST(DiskFull, DatagramsAcceptedWhileTheDiskIsFullAreWrittenOnShutdown) {
  Daemon d("diskfull-dgram",
           "  max_queue_bytes: 256KiB\n"
           "  retention: {max_age: 90d, max_total_size: 10GiB, min_free: 0}\n");
  TmpfsMount mount(d.output(), "64m");
  if (!mount.ok()) GTEST_SKIP() << "cannot mount a tmpfs for the output directory (needs root): " << mount.why();
  d.start();
  const fs::path filler = d.output() / "filler";
  fill(filler, 128 << 10);

  const int fd = connect_unix(d.datagram().string(), SOCK_DGRAM | SOCK_NONBLOCK);
  ASSERT_GE(fd, 0) << std::strerror(-fd);
  // Send until the kernel refuses and stays full for a moment: traild has stopped taking
  // datagrams because it cannot write. (The pause only decides how many are in flight at
  // the SIGTERM, not whether the test passes.)
  int accepted = 0;
  while (accepted < 200'000) {
    const std::string event = "{\"event\":{\"action\":\"disk-full-dgram\",\"id\":\"dg-" + std::to_string(accepted) +
                              "\"},\"message\":\"" + std::string(240, 'm') + "\"}";
    if (::send(fd, event.data(), event.size(), 0) == static_cast<ssize_t>(event.size())) {
      ++accepted;
      continue;
    }
    ASSERT_EQ(errno, EAGAIN) << std::strerror(errno);
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 500) == 0) break;
  }
  ::close(fd);
  ASSERT_TRUE(d.log().find("No space left on device") != std::string::npos) << d.log();
  EXPECT_TRUE(d.running());

  d.signal(SIGTERM);
  ASSERT_TRUE(wait_until([&] { return d.log().find("draining") != std::string::npos; })) << d.log();
  fs::remove(filler);
  EXPECT_EQ(d.stop(), 0);
  EXPECT_GT(accepted, 1000);  // far more than the pipeline may queue: all three places held some

  std::set<std::string> written;
  for (const auto& line : d.lines()) {
    const std::string id = json_field(line, "id");
    if (id.rfind("dg-", 0) != 0) continue;  // traild's own events
    EXPECT_TRUE(written.insert(id).second) << "written twice: " << id;
  }
  EXPECT_EQ(written.size(), static_cast<size_t>(accepted)) << "of " << accepted << " datagrams the kernel accepted";
}

}  // namespace
}  // namespace traild::test
