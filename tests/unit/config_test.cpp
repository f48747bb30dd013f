#include "config/config.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

namespace traild {
namespace {

std::vector<std::string> errors(const std::string& yaml) { return load_config_text(yaml, "t.yaml").errors; }

TEST(Config, DefaultsMatchTheContract) {
  auto c = load_config_text("", "t.yaml");
  ASSERT_TRUE(c.config);
  EXPECT_EQ(c.config->listen.stream, "/run/traild/traild.sock");
  EXPECT_EQ(c.config->listen.mode, 0660u);
  EXPECT_EQ(c.config->input.max_event_bytes, 64u << 10);
  EXPECT_EQ(c.config->output.rotate.max_size, 128u << 20);
  EXPECT_EQ(c.config->output.retention.max_age_ms, 90LL * 86'400'000);
  EXPECT_EQ(c.config->output.durability, Durability::Write);
}

TEST(Config, ShippedFilesAreValid) {
  for (const char* f : {"config/traild.yaml", "config/traild-dev.yaml"}) {
    auto c = load_config_file(std::string(TRAILD_SOURCE_DIR) + "/" + f);
    EXPECT_TRUE(c.config) << f << ": " << (c.errors.empty() ? "" : c.errors[0]);
  }
}

TEST(Config, ParsesUnits) {
  auto c = load_config_text("output:\n  rotate: {max_size: 2MiB, interval: 90m}\n  retention: {max_age: 2h}\n", "t");
  ASSERT_TRUE(c.config) << c.errors[0];
  EXPECT_EQ(c.config->output.rotate.max_size, 2u << 20);
  EXPECT_EQ(c.config->output.rotate.interval_ms, 90 * 60'000);
}

TEST(Config, EveryProblemIsNamedWithKeyAndLine) {
  auto e = errors(
      "listen:\n"
      "  stream: /tmp/s\n"
      "  bogus: 1\n"
      "input:\n"
      "  max_event_bytes: lots\n"
      "  max_depth: -3\n"
      "output:\n"
      "  rotate: {max_size: 10QB, interval: 5}\n"
      "  durability: sometimes\n"
      "  retention: 7d\n"
      "statedirectory: /x\n");
  EXPECT_EQ(e, (std::vector<std::string>{
                   "t.yaml:3: listen.bogus: unknown key",
                   "t.yaml:5: input.max_event_bytes: expected a size such as 64KiB, 128MiB or 10GiB",
                   "t.yaml:6: input.max_depth: expected a whole number",
                   "t.yaml:8: output.rotate.max_size: unknown size unit 'QB' (use B, KiB, MiB, GiB or TiB)",
                   "t.yaml:8: output.rotate.interval: a duration needs a unit (ms, s, m, h or d)",
                   "t.yaml:9: output.durability: expected one of write, fsync; got \"sometimes\"",
                   "t.yaml:10: output.retention: expected a mapping of keys",
                   "t.yaml:11: statedirectory: unknown key",
               }));
}

TEST(Config, RefusesImpossibleValues) {
  EXPECT_EQ(errors("listen: {stream: \"\", datagram: \"\"}\n"),
            std::vector<std::string>{"t.yaml: listen: both listen.stream and listen.datagram are disabled"});
  EXPECT_EQ(errors("input: {max_depth: 5000}\n"),
            std::vector<std::string>{"t.yaml:1: input.max_depth: must be between 2 and 1024"});
  EXPECT_EQ(errors("listen: {mode: \"0999\"}\n"),
            std::vector<std::string>{"t.yaml:1: listen.mode: expected octal permissions such as \"0660\""});
  EXPECT_EQ(errors("output: {prefix: \"../x\"}\n"),
            std::vector<std::string>{"t.yaml:1: output.prefix: may contain only letters, digits, '_', '-' and '.'"});
  EXPECT_EQ(errors("output: {rotate: {max_size: 1KiB}}\n"),
            std::vector<std::string>{"t.yaml: output.rotate.max_size: must be at least input.max_event_bytes"});
  EXPECT_EQ(errors("output: {format: splunk}\n"),
            std::vector<std::string>{"t.yaml:1: output.format: expected one of ecs, gravitee; got \"splunk\""});
  EXPECT_EQ(errors("input: {maas_timezone: CET}\n"),
            std::vector<std::string>{"t.yaml:1: input.maas_timezone: expected UTC, local, +HH:MM or -HH:MM; got \"CET\""});
  EXPECT_EQ(errors("listen:\n  stream: /a\n  stream: /b\n"),
            std::vector<std::string>{"t.yaml:3: listen.stream: duplicate key"});
  EXPECT_EQ(errors("output:\n  directory:\n"),
            std::vector<std::string>{"t.yaml:2: output.directory: must not be empty"});
}

TEST(Config, RouteByIsAFieldPathTraildDoesNotSetOrRedact) {
  auto c = load_config_text("output: {route_by: organization.id, max_tenants: 10}\n", "t.yaml");
  ASSERT_TRUE(c.config) << c.errors[0];
  EXPECT_EQ(c.config->output.route_by, "organization.id");
  EXPECT_EQ(c.config->output.max_tenants, 10u);
  EXPECT_EQ(errors("output: {route_by: \"../x\"}\n"),
            std::vector<std::string>{
                "t.yaml:1: output.route_by: expected a dotted field path such as organization.id; got \"../x\""});
  EXPECT_EQ(errors("output: {route_by: \"a..b\"}\n"),
            std::vector<std::string>{
                "t.yaml:1: output.route_by: expected a dotted field path such as organization.id; got \"a..b\""});
  EXPECT_EQ(errors("output: {route_by: traild.claimed.x}\n"),
            std::vector<std::string>{"t.yaml:1: output.route_by: traild.claimed.x is set by traild for each event, not a tenant"});
  EXPECT_EQ(errors("output: {route_by: event.sequence}\n"),
            std::vector<std::string>{"t.yaml:1: output.route_by: event.sequence is set by traild for each event, not a tenant"});
  EXPECT_EQ(errors("output: {route_by: user.Token}\n"),
            std::vector<std::string>{"t.yaml: output.route_by: user.Token is redacted (redact.fields has \"token\"); its "
                                     "values would appear in directory names"});
  EXPECT_EQ(errors("output: {route_by: http.request.headers.x}\nredact: {fields: [http.request.headers]}\n"),
            std::vector<std::string>{"t.yaml: output.route_by: http.request.headers.x is redacted (redact.fields has "
                                     "\"http.request.headers\"); its values would appear in directory names"});
  EXPECT_TRUE(errors("output: {route_by: user.tokens}\n").empty());
  EXPECT_EQ(errors("output: {max_tenants: 0}\n"),
            std::vector<std::string>{"t.yaml:1: output.max_tenants: must be between 1 and 100000"});
}

TEST(Config, SyntaxErrorsNameTheLine) {
  auto e = errors("listen:\n  stream: [unclosed\n");
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].rfind("t.yaml:", 0), 0u);
}

TEST(Config, SuggestsTheKeyMeant) {
  EXPECT_EQ(errors("max_size: 1MiB\n"),
            std::vector<std::string>{"t.yaml:1: max_size: unknown key (did you mean output.rotate.max_size?)"});
}

}  // namespace
}  // namespace traild

namespace traild {
namespace {

TEST(Config, RedactListsAndKeyFilePermissions) {
  auto c = load_config_text("redact:\n  fields: [Password, labels.pin]\n", "t");
  ASSERT_TRUE(c.config) << c.errors[0];
  EXPECT_EQ(c.config->redact.fields, (std::vector<std::string>{"Password", "labels.pin"}));
  EXPECT_EQ(errors("redact:\n  fields: password\n"), (std::vector<std::string>{"t.yaml:2: redact.fields: expected a list, such as [a, b]"}));
  EXPECT_EQ(errors("redact:\n  mode: hmac\n"),
            (std::vector<std::string>{"t.yaml: redact.key_file: required when redact.mode is hmac"}));

  char dir[] = "/tmp/traild-key-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string key = std::string(dir) + "/key";
  std::ofstream(key) << "0123456789abcdef0123\n";
  ::chmod(key.c_str(), 0640);
  auto loose = errors("redact:\n  mode: hmac\n  key_file: " + key + "\n");
  ASSERT_EQ(loose.size(), 1u);
  EXPECT_NE(loose[0].find("readable by group or others (mode 640)"), std::string::npos) << loose[0];
  ::chmod(key.c_str(), 0600);
  auto ok = load_config_text("redact:\n  mode: hmac\n  key_file: " + key + "\n", "t");
  ASSERT_TRUE(ok.config) << ok.errors[0];
  EXPECT_EQ(ok.config->redact.key, "0123456789abcdef0123");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace traild

namespace traild {
namespace {

// docs/configuration.md documents every key traild accepts.
TEST(Config, EveryKeyIsDocumented) {
  std::ifstream in(std::string(TRAILD_SOURCE_DIR) + "/docs/configuration.md");
  std::string docs((std::istreambuf_iterator<char>(in)), {});
  for (const auto& line : config_key_docs()) {
    const std::string key = line.substr(0, line.find(':'));
    EXPECT_NE(docs.find("- `" + key + "`"), std::string::npos) << key << " is missing from docs/configuration.md";
  }
}

}  // namespace
}  // namespace traild
