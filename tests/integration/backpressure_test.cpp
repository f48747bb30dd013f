// Clients that read their acknowledgements late: traild stops reading from such a client
// (so its unread replies stay bounded) and must start again once the client catches up,
// even when no write is pending that could wake it.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "harness.hpp"

namespace traild::test {
namespace {

TEST(Backpressure, ClientThatReadsItsAcksLateIsServedToTheEnd) {
  Daemon d("late-reader");
  d.start();
  const size_t total = 200'000;  // ~15 MB of replies: far over the 1 MiB traild holds per client
  std::string frames = kAckHandshake;
  for (size_t i = 0; i < total; ++i)
    frames += "{\"event\":{\"action\":\"late-reader\"},\"message\":\"n" + std::to_string(i) + "\"}\n";
  Client c(d.stream());
  BackgroundSender sender(c.fd(), frames);
  // Read nothing for a while, so traild's replies pile up and it pauses this client. (A
  // kernel with huge socket buffers may let everything through: the test still holds.)
  wait_until([&] { return sender.done(); }, std::chrono::seconds(2));
  size_t acked = 0;
  for (; acked < total; ++acked) {
    std::string line = c.read_line();
    if (line.empty()) break;
    ASSERT_NE(line.find("\"ok\":true"), std::string::npos) << line;
  }
  ::shutdown(c.fd(), SHUT_RDWR);  // unblocks the sender if traild stopped reading for good
  sender.join();
  ASSERT_EQ(acked, total) << "traild stopped answering a client that caught up with its acks";
  EXPECT_EQ(d.stop(), 0);
}

}  // namespace
}  // namespace traild::test
