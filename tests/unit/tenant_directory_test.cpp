// Tenant directory names (output.route_by) from hostile values: never a path, never a
// surprise, never shared by two values.
#include "reporters/tenant_directory.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "daemon/event_parser.hpp"
#include "daemon/route_field.hpp"
#include "daemon/redactor.hpp"

namespace traild {
namespace {

TEST(TenantDirectory, KeepsPlainNamesAndEscapesEverythingElse) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"acme", "acme"},
      {"Org_7-b", "Org_7-b"},
      {".", "%2E"},
      {"..", "%2E%2E"},
      {"../../etc/passwd", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"},
      {"/", "%2F"},
      {std::string("a\0b", 3), "a%00b"},
      {"tab\there\n", "tab%09here%0A"},
      {"\x7f", "%7F"},
      {"100%", "100%25"},
      {"%2F", "%252F"},
      {".hidden", "%2Ehidden"},
      {"audit-20260101T000000Z-00000001.jsonl", "audit-20260101T000000Z-00000001%2Ejsonl"},
      {"~", "%7E"},
      {"caf\xc3\xa9", "caf%C3%A9"},
      {"\xff\xfe", "%FF%FE"},
      {"a b", "a%20b"},
      {"back\\slash", "back%5Cslash"},
  };
  for (const auto& [value, name] : table) {
    EXPECT_EQ(tenant_directory_name(value), name) << value;
    EXPECT_TRUE(is_tenant_directory_name(name)) << name;
  }
}

TEST(TenantDirectory, LongValuesEndWithAHashAndStayDistinct) {
  const std::string a(300, 'a');
  const std::string b = std::string(299, 'a') + "b";
  const std::string na = tenant_directory_name(a), nb = tenant_directory_name(b);
  EXPECT_NE(na, nb);
  EXPECT_EQ(na.size(), kMaxTenantDirectoryBytes);
  EXPECT_EQ(na.substr(0, 63), std::string(63, 'a'));
  EXPECT_EQ(na[63], '~');
  EXPECT_TRUE(is_tenant_directory_name(na));
  // A long escaped value is never cut inside a %XX.
  for (size_t pad = 0; pad < 4; ++pad) {
    const std::string name = tenant_directory_name(std::string(pad, 'x') + std::string(100, '/'));
    const std::string kept = name.substr(0, name.find('~'));
    EXPECT_EQ((kept.size() - pad) % 3, 0u) << name;
    EXPECT_TRUE(is_tenant_directory_name(name)) << name;
  }
  // Exactly at the limit: no hash.
  EXPECT_EQ(tenant_directory_name(std::string(kMaxTenantDirectoryBytes, 'z')), std::string(kMaxTenantDirectoryBytes, 'z'));
}

TEST(TenantDirectory, RandomBytesGiveSafeNamesThatNeverCollide) {
  std::mt19937 rng(7);
  std::set<std::string> values, names;
  for (int i = 0; i < 20000; ++i) {
    std::string v(1 + rng() % 120, '\0');
    for (char& c : v) c = static_cast<char>(rng() % 6 == 0 ? "./%~\0\n"[rng() % 6] : rng() % 256);
    if (!values.insert(v).second) continue;
    const std::string name = tenant_directory_name(v);
    ASSERT_TRUE(names.insert(name).second) << "collision: " << name;
    ASSERT_LE(name.size(), kMaxTenantDirectoryBytes);
    ASSERT_EQ(name.find_first_of(std::string("/.\0", 3)), std::string::npos) << name;
    for (unsigned char c : name) ASSERT_TRUE(c > 0x20 && c < 0x7f) << name;
    ASSERT_TRUE(is_tenant_directory_name(name)) << name;
  }
}

TEST(TenantDirectory, OnlyWhatTheEncoderMakesIsRecognised) {
  for (const char* bad : {"", ".", "..", ".hidden", "a.b", "a/b", "%", "%2", "%G0", "a~", "~0123", "a b",
                          "audit-20260101T000000Z-00000001.jsonl"})
    EXPECT_FALSE(is_tenant_directory_name(bad)) << bad;
  EXPECT_FALSE(is_tenant_directory_name(std::string(kMaxTenantDirectoryBytes + 1, 'a')));
}

// The value route_by reads: strings as they are, numbers as their JSON text, nothing else.
TEST(RouteField, ReadsAStringOrNumberAtTheDottedPath) {
  EventParser parser{ParserLimits{}};
  ParsedEvent event;
  Rejection why;
  std::string scratch;
  auto tenant_of = [&](std::string json, const std::string& path, std::vector<std::string> redact = {}) -> std::string {
    json.append(EventParser::kPadding, '\0');
    const std::string_view record(json.data(), json.size() - EventParser::kPadding);
    if (!parser.load(record, why) || !parser.build(event, why)) return "rejected: " + why.message;
    RedactConfig redaction;
    redaction.fields = std::move(redact);
    Redactor(redaction).apply(event);
    return std::string(RouteField(path).tenant(event, scratch));
  };
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"organization":{"id":"acme"}})", "organization.id"), "acme");
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"organization.id":"dotted"})", "organization.id"), "dotted");
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"tenant":{"n":42}})", "tenant.n"), "42");
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"tenant":{"n":{"x":1}}})", "tenant.n"), "");
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"tenant":{"n":true}})", "tenant.n"), "");
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"}})", "organization.id"), "");
  // A redacted value (or one inside a redacted object) never names a directory.
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"tenant":{"n":"x"}})", "tenant.n", {"n"}), "");
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"tenant":{"n":"x"}})", "tenant.n", {"tenant"}), "");
  EXPECT_EQ(tenant_of(R"({"event":{"action":"a"},"tenant":{"n":"x"}})", "tenant.n", {"other"}), "x");
}

}  // namespace
}  // namespace traild
