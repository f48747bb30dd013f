// trailctl query's parts: time arguments, filters and their semantics, CSV quoting, cursors.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "ctl/query/filter.hpp"
#include "ctl/query/output.hpp"
#include "ctl/query/query.hpp"
#include "ctl/query/time_arg.hpp"

namespace traild::ctl {
namespace {

constexpr int64_t kNow = 1'767'225'600'000;  // 2026-01-01T00:00:00Z

std::optional<int64_t> t(std::string_view s) {
  std::string error;
  return parse_time_arg(s, kNow, error);
}

TEST(TimeArg, EveryFormRunAiAndOperatorsUse) {
  EXPECT_EQ(t("2022-07-07T09:45:32.069Z"), 1657187132069);
  EXPECT_EQ(t("2022-07-07T11:45:32+02:00"), 1657187132000);
  EXPECT_EQ(t("2022-01-01"), 1640995200000);
  EXPECT_EQ(t("2022-01-01T10:00:00"), 1641031200000);
  EXPECT_EQ(t("1657187132"), 1657187132000);
  EXPECT_EQ(t("1657187132069"), 1657187132069);
  EXPECT_EQ(t("15m"), kNow - 15 * 60'000);
  EXPECT_EQ(t("24h"), kNow - 86'400'000);
  EXPECT_EQ(t("7d"), kNow - 7 * 86'400'000LL);
  EXPECT_FALSE(t("yesterday"));
  EXPECT_FALSE(t("2022-13-01"));
  EXPECT_FALSE(t("-5m"));
  EXPECT_EQ(parse_duration_ns("1500"), 1'500'000'000);
  EXPECT_EQ(parse_duration_ns("2s"), 2'000'000'000);
  EXPECT_EQ(parse_duration_ns("500ms"), 500'000'000);
  EXPECT_FALSE(parse_duration_ns("fast"));
  EXPECT_FALSE(parse_duration_ns("99999999999999999d"));
}

std::optional<Filter> where(std::string_view s, std::string* error_out = nullptr) {
  std::string error;
  auto f = parse_where(s, error);
  if (error_out) *error_out = error;
  return f;
}

bool match(std::string_view filter, const std::string& event) {
  auto f = where(filter);
  EXPECT_TRUE(f) << filter;
  simdjson::dom::parser p;
  return f && f->matches(p.parse(event).value_unsafe());
}

TEST(Where, ParsesRunAisOperatorsAndRefusesUnknownFields) {
  for (auto [text, op] : {std::pair{"user.name == a", FilterOp::Eq}, {"user.name != a", FilterOp::Ne},
                          {"user.name =@ a", FilterOp::Contains}, {"user.name !@ a", FilterOp::NotContains},
                          {"user.name =^ a", FilterOp::Prefix}, {"user.name =$ a", FilterOp::Suffix},
                          {"event.duration < 1", FilterOp::Lt}, {"event.duration <= 1", FilterOp::Le},
                          {"event.duration > 1", FilterOp::Gt}, {"event.duration>=1", FilterOp::Ge}}) {
    auto f = where(text);
    ASSERT_TRUE(f) << text;
    EXPECT_EQ(f->op, op) << text;
  }
  EXPECT_EQ(where("message == 'a b'")->value, "a b");
  std::string error;
  EXPECT_FALSE(where("user.nmae == a", &error));
  EXPECT_NE(error.find("unknown field \"user.nmae\""), std::string::npos) << error;
  EXPECT_FALSE(where("user.name ~ a", &error));
  EXPECT_NE(error.find("expected 'FIELD OP VALUE'"), std::string::npos) << error;
  EXPECT_TRUE(where("labels.env == prod")) << "labels holds any key";
  EXPECT_TRUE(where("maas.hostname == x")) << "a dialect namespace";
  EXPECT_TRUE(where("log.syslog.structured_data.origin@1.ip == x")) << "inside a flattened field";
}

TEST(Where, SemanticsOfTheSeedsFilters) {
  const std::string e =
      R"({"@timestamp":"2026-01-01T10:00:00.000Z","user":{"name":"johnnybegood"},"event":{"category":["iam","authentication"],"duration":1500000000,"outcome":"failure"},"labels":{"a.b":"c"}})";
  EXPECT_TRUE(match("user.name == johnnybegood", e));
  EXPECT_FALSE(match("user.name == johnny", e)) << "exact match is whole-value";
  EXPECT_TRUE(match("user.name =@ nnyb", e));
  EXPECT_TRUE(match("user.name =^ john", e));
  EXPECT_TRUE(match("user.name =$ good", e));
  EXPECT_TRUE(match("user.name !@ admin", e));
  EXPECT_TRUE(match("event.category == iam", e)) << "an array matches by any element";
  EXPECT_FALSE(match("event.category != iam", e)) << "and != by none";
  EXPECT_TRUE(match("event.duration >= 1500000000", e));
  EXPECT_TRUE(match("event.duration > 999", e)) << "numbers compare as numbers, not text";
  EXPECT_FALSE(match("event.duration < 20", e));
  EXPECT_TRUE(match("@timestamp > 2026-01-01T09:00:00+00:00", e));
  EXPECT_TRUE(match("@timestamp < 2026-01-01T11:00:00+00:59", e)) << "times compare as times across zones";
  EXPECT_FALSE(match("user.id == 1", e)) << "a missing field matches nothing...";
  EXPECT_TRUE(match("user.id != 1", e)) << "...but !=";
  EXPECT_TRUE(match("labels.a.b == c", e)) << "a key holding dots";
}

TEST(Csv, QuotingFollowsRfc4180) {
  std::string out;
  for (const char* v : {"plain", "a,b", "say \"hi\"", "two\nlines", ""}) {
    append_csv_field(out, v);
    out.push_back('|');
  }
  EXPECT_EQ(out, "plain|\"a,b\"|\"say \"\"hi\"\"\"|\"two\nlines\"||");
}

TEST(Cursor, RoundTripsAndRefusesForeignOrForged) {
  SortKey k;
  k.rank = 1;
  k.text = "a\nb with\nnewlines";
  k.sequence = 42;
  k.id = "acme-7";
  const std::string c = encode_cursor("user.name", k);
  EXPECT_EQ(c.find_first_of("+/"), std::string::npos) << "URL- and shell-safe";
  auto back = decode_cursor("user.name", c);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->text, k.text);
  EXPECT_EQ(back->sequence, 42u);
  EXPECT_EQ(back->id, "acme-7");
  // A cursor from before event.id broke ties ("v1\nuser.name\n1\n0\n42\nabc") still works.
  auto v1 = decode_cursor("user.name", "djEKdXNlci5uYW1lCjEKMAo0MgphYmM=");
  ASSERT_TRUE(v1);
  EXPECT_EQ(v1->sequence, 42u);
  EXPECT_EQ(v1->id, "");
  EXPECT_EQ(v1->text, "abc");
  EXPECT_FALSE(decode_cursor("@timestamp", c)) << "made for another sort field";
  EXPECT_FALSE(decode_cursor("user.name", "not-a-cursor"));
  EXPECT_FALSE(decode_cursor("user.name", ""));
}

}  // namespace
}  // namespace traild::ctl
