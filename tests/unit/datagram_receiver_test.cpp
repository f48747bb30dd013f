// The datagram receiver thread: what it hands over (bytes, padding, the kernel's word on
// the sender), in order and exactly once, and the bound on what it holds.
#include "daemon/datagram_receiver.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <string>

namespace traild {
namespace {

constexpr size_t kPadding = 64;

// A connected datagram pair; the receiving end passes credentials like traild's socket.
struct DatagramPair {
  int send_fd = -1, receive_fd = -1;
  DatagramPair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) != 0) return;
    send_fd = fds[0];
    receive_fd = fds[1];
    const int one = 1;
    ::setsockopt(receive_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  }
  ~DatagramPair() {
    ::close(send_fd);
    ::close(receive_fd);
  }
};

// Counts on_ready calls and lets a test wait for the next one instead of sleeping.
struct ReadySignal {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t calls = 0;
  void notify() {
    {
      std::lock_guard<std::mutex> lock(mu);
      ++calls;
    }
    cv.notify_all();
  }
  // Takes whatever is waiting, waiting for on_ready when nothing is.
  void take(DatagramReceiver& r, ReceivedDatagrams& out) {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      const uint64_t seen = calls;
      lock.unlock();
      if (r.take(out)) return;
      lock.lock();
      cv.wait(lock, [&] { return calls != seen; });
    }
  }
};

// A started receiver on its own pair; `take` waits for datagrams instead of sleeping.
struct RunningReceiver {
  DatagramPair pair;
  ReadySignal ready;
  DatagramReceiver receiver;
  RunningReceiver(size_t max_event_bytes, size_t bound)
      : receiver(pair.receive_fd, max_event_bytes, bound, kPadding, [this] { ready.notify(); }) {
    receiver.start();
  }
  void take(ReceivedDatagrams& out) { ready.take(receiver, out); }
};

std::string datagram(int i) { return "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(200, 'x') + "\"}"; }

TEST(DatagramReceiver, HandsOverEveryDatagramInOrderWithItsSenderAndPadding) {
  RunningReceiver r(1024, 1 << 20);
  auto& pair = r.pair;
  ASSERT_GE(pair.send_fd, 0);
  constexpr int kCount = 500;
  for (int i = 0; i < kCount; ++i) {
    const std::string d = datagram(i);
    ASSERT_EQ(::send(pair.send_fd, d.data(), d.size(), 0), static_cast<ssize_t>(d.size()));
  }
  int next = 0;
  ReceivedDatagrams got;
  while (next < kCount) {
    r.take(got);
    for (const auto& e : got.entries()) {
      ASSERT_EQ(got.data(e), datagram(next)) << "datagram " << next;
      EXPECT_FALSE(e.truncated);
      EXPECT_TRUE(e.sender.has_credentials);
      EXPECT_EQ(e.sender.pid, ::getpid());
      EXPECT_EQ(e.sender.uid, static_cast<int64_t>(::getuid()));
      EXPECT_EQ(e.sender.gid, static_cast<int64_t>(::getgid()));
      // Parsers may read kPadding bytes past the end: they are there, and zero.
      const char* end = got.data(e).data() + e.size;
      EXPECT_EQ(std::string(end, kPadding), std::string(kPadding, '\0'));
      ++next;
    }
  }
  EXPECT_EQ(next, kCount);
  r.receiver.stop();
  EXPECT_FALSE(r.receiver.take(got));  // nothing was received twice
}

TEST(DatagramReceiver, DatagramsLongerThanTheSlotArriveMarkedTruncated) {
  RunningReceiver r(100, 1 << 20);
  ASSERT_GE(r.pair.send_fd, 0);
  const std::string big(5000, 'b');
  ASSERT_EQ(::send(r.pair.send_fd, big.data(), big.size(), 0), static_cast<ssize_t>(big.size()));
  ReceivedDatagrams got;
  r.take(got);
  ASSERT_EQ(got.entries().size(), 1u);
  EXPECT_TRUE(got.entries()[0].truncated);
  EXPECT_LT(got.entries()[0].size, big.size());
}

// With nobody taking, the receiver stops at its bound: the kernel then holds what more is
// sent until the sender's buffer is full. Everything arrives once taking resumes.
TEST(DatagramReceiver, StopsAtItsBoundAndResumesWhenTaken) {
  constexpr size_t kBound = 16 << 10;
  RunningReceiver r(1024, kBound);
  auto& pair = r.pair;
  ASSERT_GE(pair.send_fd, 0);
  int sent = 0;
  // Send without blocking until the sender's buffer is full (EAGAIN) after the receiver
  // has reached its bound. EAGAIN before that only means the receiver is behind: wait
  // until the socket is writable again (the timeout only makes the loop look again).
  while (true) {
    const std::string d = datagram(sent);
    if (::send(pair.send_fd, d.data(), d.size(), MSG_DONTWAIT) == static_cast<ssize_t>(d.size())) {
      ++sent;
      continue;
    }
    ASSERT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
    if (r.receiver.waiting_bytes() >= kBound) break;
    pollfd p{pair.send_fd, POLLOUT, 0};
    ::poll(&p, 1, 100);
  }
  ReceivedDatagrams got;
  r.take(got);
  // One receive batch (32 datagrams) may cross the bound.
  EXPECT_LE(got.bytes(), kBound + 32 * (datagram(sent).size() + kPadding));
  EXPECT_LT(static_cast<int>(got.entries().size()), sent);  // the rest waited in the kernel
  int next = 0;
  while (true) {
    for (const auto& e : got.entries()) ASSERT_EQ(got.data(e), datagram(next++));
    if (next == sent) break;
    r.take(got);
  }
  EXPECT_EQ(next, sent);
}

TEST(DatagramReceiver, ReceiveRemainingEmptiesTheKernelQueueAfterStop) {
  DatagramPair pair;
  ASSERT_GE(pair.send_fd, 0);
  DatagramReceiver receiver(pair.receive_fd, 1024, 1 << 20, kPadding, [] {});
  receiver.stop();  // never started: everything stays in the kernel
  for (int i = 0; i < 50; ++i) {
    const std::string d = datagram(i);
    ASSERT_EQ(::send(pair.send_fd, d.data(), d.size(), 0), static_cast<ssize_t>(d.size()));
  }
  ReceivedDatagrams rest;
  receiver.receive_remaining(rest);
  ASSERT_EQ(rest.entries().size(), 50u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(rest.data(rest.entries()[i]), datagram(i));
}

}  // namespace
}  // namespace traild
