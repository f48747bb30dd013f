#include "reporters/file_naming.hpp"

#include <gtest/gtest.h>

#include "common/clock.hpp"

namespace traild {
namespace {

TEST(FileNaming, CarriesUtcCreationTimeAndCounter) {
  int64_t t = *parse_rfc3339_ms("2026-11-21T22:01:12.345Z");
  EXPECT_EQ(make_file_name("audit", t, 42), "audit-20261121T220112Z-00000042.jsonl");
}

TEST(FileNaming, RoundTrips) {
  int64_t t = *parse_rfc3339_ms("2026-01-02T03:04:05Z");
  auto p = parse_file_name("audit", make_file_name("audit", t, 123456789));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->created_ms, t);
  EXPECT_EQ(p->counter, 123456789u);
}

TEST(FileNaming, NamesSortByCreation) {
  int64_t t = *parse_rfc3339_ms("2026-01-02T03:04:05Z");
  EXPECT_LT(make_file_name("audit", t, 9), make_file_name("audit", t, 10));
  EXPECT_LT(make_file_name("audit", t, 10), make_file_name("audit", t + 1000, 11));
}

TEST(FileNaming, RejectsOtherFiles) {
  EXPECT_FALSE(parse_file_name("audit", "audit-20261121T220112Z-00000042.jsonl.gz"));
  EXPECT_FALSE(parse_file_name("audit", "other-20261121T220112Z-00000042.jsonl"));
  EXPECT_FALSE(parse_file_name("audit", "audit-20261321T220112Z-00000042.jsonl"));
  EXPECT_FALSE(parse_file_name("audit", "audit-20261121T220112Z-.jsonl"));
  EXPECT_FALSE(parse_file_name("audit", "audit-x.jsonl"));
  EXPECT_FALSE(parse_file_name("audit", "audit-20261121T220112Z-0000004x.jsonl"));
  EXPECT_FALSE(parse_file_name("aud", "audit-20261121T220112Z-00000042.jsonl"));
}

}  // namespace
}  // namespace traild
