#include "bench/synthetic_trail.hpp"

#include "common/clock.hpp"

namespace traild::bench {

std::string synthetic_event_line(int64_t ms, uint64_t seq, uint64_t i, uint64_t users) {
  const std::string ts = rfc3339_ms(ms), user = std::to_string(i % users), n = std::to_string(i);
  std::string line;
  line.reserve(480);
  line += R"({"@timestamp":")" + ts +
          R"(","event":{"action":"role-update","category":["iam"],"type":["change"],"outcome":")" +
          (i % 7 == 0 ? "failure" : "success") + R"(","id":"01a2-)" + std::to_string(seq) + R"(","created":")" + ts +
          R"(","kind":"event","sequence":)" + std::to_string(seq) + R"(},"user":{"name":"user)" + user +
          R"(","id":"u-)" + user + R"("},"source":{"ip":"10.0.1.)" + std::to_string(i % 250) +
          R"("},"entity":{"target":{"id":"obj-)" + n + R"(","type":"host"}},"organization":{"id":"tenant-3"},)" +
          R"("message":"role-update by user)" + user +
          R"(","host":{"hostname":"vm"},"process":{"pid":4242,"name":"app","user":{"id":"1000"}}})" + "\n";
  return line;
}

}  // namespace traild::bench
