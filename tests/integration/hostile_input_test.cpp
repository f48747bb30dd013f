// Hostile frames against the real daemon: each is answered with its specific error and
// kept in the quarantine, and the connection keeps working.
#include <gtest/gtest.h>

#include "harness.hpp"

namespace traild::test {
namespace {

struct Hostile {
  const char* what;
  std::string frame;
  const char* code;
};

std::string nested(int depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string many_keys(int n) {
  std::string s = R"({"event":{"action":"a"},"labels":{)";
  for (int i = 0; i < n; ++i) s += (i ? "," : "") + ("\"k" + std::to_string(i) + "\":\"v\"");
  return s + "}}";
}

TEST(HostileInput, EachIsRejectedWithItsErrorAndQuarantined) {
  Daemon d("hostile");  // input.max_event_bytes 64KiB, max_depth 32
  d.start();
  const std::vector<Hostile> cases = {
      {"invalid UTF-8", "{\"event\":{\"action\":\"a\"},\"m\":\"\xff\xfe\"}", "invalid_utf8"},
      {"overlong encoding", "{\"event\":{\"action\":\"a\"},\"m\":\"\xc0\xaf\"}", "invalid_utf8"},
      {"lone surrogate", R"({"event":{"action":"a"},"m":"\ud800"})", "invalid_json"},
      {"NUL in a string", R"({"event":{"action":"a"},"m":"a\u0000b"})", "nul_character"},
      {"10,000-deep nesting", R"({"event":{"action":"a"},"m":)" + nested(10'000) + "}", "too_deep"},
      {"100,000 keys", many_keys(100'000), "too_large"},
      {"1,000-digit number", R"({"event":{"action":"a"},"n":)" + std::string(1000, '9') + "}", "invalid_json"},
      {"duplicate key at depth", R"({"event":{"action":"a"},"x":{"y":{"z":1,"z":2}}})", "duplicate_key"},
      {"duplicate through a dotted key", R"({"event":{"action":"a"},"x":{"y":1},"x.y":2})", "duplicate_key"},
      {"not an object", R"(["event"])", "not_an_object"},
      {"reserved field", R"({"event":{"action":"a","sequence":1}})", "reserved_field"},
  };
  Client c(d.stream());
  c.send(kAckHandshake);
  for (const auto& h : cases) {
    c.send(h.frame + "\n");
    std::string reply = c.read_line();
    EXPECT_NE(reply.find(std::string("\"error\":\"") + h.code + "\""), std::string::npos) << h.what << ": " << reply.substr(0, 300);
  }
  c.send(R"({"event":{"action":"still-served"}})" "\n");
  EXPECT_NE(c.read_line().find("\"ok\":true"), std::string::npos);
  ASSERT_TRUE(wait_until([&] { return d.quarantine_lines().size() == cases.size(); })) << d.quarantine_lines().size();
  EXPECT_TRUE(d.running());
}

}  // namespace
}  // namespace traild::test
