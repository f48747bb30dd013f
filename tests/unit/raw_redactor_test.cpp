// Rejected frames are redacted as text before they are quarantined (daemon/raw_redactor.hpp).
#include "daemon/raw_redactor.hpp"

#include <gtest/gtest.h>

namespace traild {
namespace {

struct Case {
  const char* raw;
  const char* redacted;
  size_t count;
};

TEST(RawRedactor, SecretValuesBecomeRedactedWhateverTheFrameLooksLike) {
  RedactConfig config;  // the default names
  config.fields.push_back("salt.event_data.api_secret_key");
  const RawRedactor redactor(config);
  const Case cases[] = {
      {R"({"user":"a","password":"hunter2"})", R"({"user":"a","password":"[REDACTED]"})", 1},
      {R"({"a":{"Token":{"x":1,"y":"}"}},"b":2})", R"({"a":{"Token":"[REDACTED]"},"b":2})", 1},
      {R"({"token" : 12345,"x":1})", R"({"token" : "[REDACTED]","x":1})", 1},
      {R"({"pass\u0077ord":"x"})", R"({"pass\u0077ord":"[REDACTED]"})", 1},
      {R"({"secret":"a\"b,c","n":1})", R"({"secret":"[REDACTED]","n":1})", 1},
      {R"({"headers":[{"Set-Cookie":["a=1","b=2"]}]})", R"({"headers":[{"Set-Cookie":"[REDACTED]"}]})", 1},
      {R"({"api_secret_key":"k"})", R"({"api_secret_key":"[REDACTED]"})", 1},
      // Header lines and key=value pairs inside a string, or in free text.
      {R"({"message":"GET / Authorization: Basic dXNlcjpwYXNz\r\nHost: x"})",
       R"({"message":"GET / Authorization: [REDACTED]\r\nHost: x"})", 1},
      {"<13>Nov 22 10:00:00 host app: login password=hunter2 user=bob",
       "<13>Nov 22 10:00:00 host app: login password=[REDACTED] user=bob", 1},
      {"GET /cb?code=1&access_token=abc.def&state=x", "GET /cb?code=1&access_token=[REDACTED]&state=x", 1},
      // Torn, oversized or otherwise cut frames: to the end.
      {R"({"event":{"action":"x"},"password":"abc)", R"({"event":{"action":"x"},"password":"[REDACTED]")", 1},
      {R"({"client_secret":{"a":[1,2)", R"({"client_secret":"[REDACTED]")", 1},
      // Names that merely contain a secret name are not secret.
      {R"({"passwords_policy":"x","tokenizer":"y","message":"my_token=abc"})",
       R"({"passwords_policy":"x","tokenizer":"y","message":"my_token=abc"})", 0},
      {R"({"password":"a","nested":{"passwd":"b","x":"cookie: c"}})",
       R"({"password":"[REDACTED]","nested":{"passwd":"[REDACTED]","x":"cookie: [REDACTED]"}})", 3},
      {"", "", 0},
      {"\"", "\"", 0},
      {R"("password")", R"("password")", 0},
      {R"({"password":)", R"({"password":)", 0},
  };
  for (const auto& c : cases) {
    std::string raw = c.raw;
    EXPECT_EQ(redactor.apply(raw), c.count) << c.raw;
    EXPECT_EQ(raw, c.redacted) << c.raw;
  }
}

TEST(RawRedactor, NothingIsRedactedWhenRedactionIsOff) {
  RedactConfig config;
  config.fields.clear();
  const RawRedactor redactor(config);
  std::string raw = R"({"password":"x"})";
  EXPECT_EQ(redactor.apply(raw), 0u);
  EXPECT_EQ(raw, R"({"password":"x"})");
}

}  // namespace
}  // namespace traild
