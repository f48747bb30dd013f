#include "daemon/redactor.hpp"

#include <gtest/gtest.h>

#include "daemon/event_parser.hpp"
#include "reporters/ecs_formatter.hpp"

namespace traild {
namespace {

std::string redact(const std::string& in, const RedactConfig& config = {}) {
  EventParser parser({1 << 16, 32});
  std::string padded = in + std::string(EventParser::kPadding, '\0');
  ParsedEvent ev;
  Rejection why;
  EXPECT_TRUE(parser.parse({padded.data(), in.size()}, ev, why)) << why.message;
  Redactor redactor(config);
  redactor.apply(ev);
  std::string line;
  format_ecs_line(ev, {"T", "id", "C", "h", 1}, line);
  return line;
}

TEST(Redactor, DefaultNamesAtAnyDepthCaseInsensitiveAlsoInArraysAndHeaderMaps) {
  std::string line = redact(
      R"({"event":{"action":"login"},"salt":{"event_data":{"headers":{"Host":"h","Authorization":"Basic cm9vdDpzYWx0MQ=="}}},)"
      R"("user.password":"hunter2","items":[{"TOKEN":"t1"},{"ok":1}],"Set-Cookie":["a","b"],"api_key":{"x":1}})");
  for (const char* secret : {"cm9vdDpzYWx0MQ==", "hunter2", "\"t1\"", "\"a\"", "\"x\""})
    EXPECT_EQ(line.find(secret), std::string::npos) << secret << " in " << line;
  EXPECT_NE(line.find(R"("headers":{"Authorization":"[REDACTED]","Host":"h"})"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("user":{"password":"[REDACTED]"})"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("items":[{"TOKEN":"[REDACTED]"},{"ok":1}])"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("Set-Cookie":"[REDACTED]")"), std::string::npos) << line;
  // In the line's own key order, whatever order the producer sent them in.
  EXPECT_NE(line.find(R"("redacted":["Set-Cookie","api_key","items.TOKEN",)"
                      R"("salt.event_data.headers.Authorization","user.password"]})"),
            std::string::npos)
      << line;
}

TEST(Redactor, DottedPathsMatchOnlyThatPath) {
  RedactConfig config;
  config.fields = {"labels.pin"};
  std::string line = redact(R"({"event":{"action":"a"},"labels":{"pin":"1234"},"other":{"pin":"5678"}})", config);
  EXPECT_NE(line.find(R"("labels":{"pin":"[REDACTED]"})"), std::string::npos) << line;
  EXPECT_NE(line.find(R"("other":{"pin":"5678"})"), std::string::npos) << line;
}

TEST(Redactor, HmacModeCorrelatesEqualValuesWithoutStoringThem) {
  RedactConfig config;
  config.hmac = true;
  config.key = "0123456789abcdef0123456789abcdef";
  std::string a = redact(R"({"event":{"action":"a"},"password":"same"})", config);
  std::string b = redact(R"({"event":{"action":"a"},"password":"same"})", config);
  std::string c = redact(R"({"event":{"action":"a"},"password":"other"})", config);
  EXPECT_EQ(a.find("same"), std::string::npos);
  EXPECT_NE(a.find(R"("password":"hmac-sha256:)"), std::string::npos) << a;
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  config.key = "another key of at least 16 bytes";
  EXPECT_NE(redact(R"({"event":{"action":"a"},"password":"same"})", config), a);
}

TEST(Redactor, EmptyListRedactsNothing) {
  RedactConfig config;
  config.fields.clear();
  std::string line = redact(R"({"event":{"action":"a"},"password":"p"})", config);
  EXPECT_NE(line.find(R"("password":"p")"), std::string::npos);
  EXPECT_EQ(line.find("redacted"), std::string::npos);
}

}  // namespace
}  // namespace traild
