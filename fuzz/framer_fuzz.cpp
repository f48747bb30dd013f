// libFuzzer target: the stream framer and the datagram record splitter. Input is cut into
// chunks (the first byte picks the chunk size) fed as a connection would deliver them.
// Checks: no crash, every record within the limit, the framer never holds more than the
// limit plus an octet-count header.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "daemon/framer.hpp"

namespace {

constexpr size_t kMax = 256;

struct Check : traild::FrameSink {
  void on_record(std::string_view r) override {
    if (r.size() > kMax) std::abort();
  }
  void on_oversize(std::string_view head, uint64_t size) override {
    if (head.size() > kMax || size <= kMax) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 64;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  traild::StreamFramer framer(kMax);
  Check sink;
  std::string carry;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    std::string buf = carry + std::string(input.substr(pos, chunk));
    size_t used = framer.feed(buf, sink);
    if (used > buf.size()) std::abort();
    carry = buf.substr(used);
    if (carry.size() > kMax + 16) std::abort();
  }
  framer.finish(carry, sink);
  std::string_view record = traild::datagram_record(input);
  if (record.size() > input.size()) std::abort();
  return 0;
}
