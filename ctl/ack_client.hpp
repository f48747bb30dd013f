// The client side of traild's acknowledged protocol: connect to the stream socket, send
// the handshake, pipeline frames and read one reply per frame, in order.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace traild::ctl {

struct AckReply {
  uint64_t frame = 0;
  bool ok = false;
  std::string id;
  std::string error;    // the rejection code
  std::string message;  // why
};

// What the handshake may choose for the connection (see docs/protocol.md).
struct Handshake {
  std::string dialect;   // empty: traild's input.dialect
  std::string instance;  // empty: none
};

class AckClient {
 public:
  // Connects and sends the handshake. Throws std::runtime_error naming the socket and cause.
  explicit AckClient(const std::string& socket_path, const Handshake& handshake = {});
  ~AckClient();
  AckClient(const AckClient&) = delete;
  AckClient& operator=(const AckClient&) = delete;

  // Sends every frame (without its '\n') keeping up to `window` unacknowledged, and calls
  // `on_reply(index, reply)` for each. Throws if the connection breaks before all replies.
  void send_all(const std::vector<std::string_view>& frames,
                const std::function<void(size_t index, const AckReply&)>& on_reply, size_t window = 4096);

 private:
  int fd_ = -1;
  std::string socket_path_;
};

}  // namespace traild::ctl
