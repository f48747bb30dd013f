#include "daemon/redactor.hpp"

#include <gtest/gtest.h>

#include <random>

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

// A redactor that has seen an event's shape (ParsedEvent::shape_id) redacts it from what it
// remembered: the lines must be those of a new parser and a new redactor, for more shapes
// than either remembers, interleaved, with names and a dotted path, in hmac mode (so each
// event's own values must be the ones hashed).
TEST(Redactor, RedactingAKnownShapeGivesTheLineANewRedactorGives) {
  RedactConfig config;
  config.fields = {"password", "token", "labels.pin"};
  config.hmac = true;
  config.key = "0123456789abcdef0123456789abcdef";
  // %: a string (ECS fields here are keywords); #: any scalar (fields outside ECS).
  const std::vector<std::string> shapes = {
      R"({"event":{"action":"a"},"user":{"name":%,"password":#}})",
      R"({"event":{"action":"a"},"labels":{"pin":%,"other":%}})",
      R"({"event":{"action":"a"},"items":[{"Token":#},{"ok":#}],"password":#})",
      R"({"event":{"action":"a"},"message":%,"user.name":%})",
      R"({"event.action":"a","labels.pin":%,"x":{"token":#,"pin":#}})",
      R"({"event":{"action":"a"},"token":{"k":#},"tags":[%,%]})",
  };
  const std::vector<std::string> strings = {R"("s1")", R"("s2")", R"("é")", R"("q\"d")"};
  const std::vector<std::string> any = {R"("s1")", "7", "true", "null", "1.5"};
  std::mt19937 rng(2026);
  EventParser warm_parser({1 << 16, 32});
  Redactor warm(config);
  uint64_t shaped = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string& shape = shapes[rng() % shapes.size()];
    std::string json;
    for (char c : shape) {
      if (c == '%') json += strings[rng() % strings.size()];
      else if (c == '#') json += any[rng() % any.size()];
      else json += c;
    }
    std::string padded = json + std::string(EventParser::kPadding, '\0');
    ParsedEvent ev;
    Rejection why;
    ASSERT_TRUE(warm_parser.parse({padded.data(), json.size()}, ev, why)) << json << ": " << why.message;
    if (ev.shape_id != 0) ++shaped;
    warm.apply(ev);
    std::string line;
    format_ecs_line(ev, {"T", "id", "C", "h", 1}, line);
    ASSERT_EQ(line, redact(json, config)) << json;
  }
  EXPECT_EQ(shaped, 2000u);
  EXPECT_GT(warm.reused(), 1000u);
}

}  // namespace
}  // namespace traild
