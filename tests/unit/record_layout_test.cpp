// RecordLayout (daemon/record_layout.hpp): what matches a learned layout and what does not.
// That a parser reading records through layouts judges them as a new parser does is
// tests/unit/event_shape_test.cpp's job.
#include "daemon/record_layout.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace traild {
namespace {

const std::string kLearned =
    R"({"event":{"action":"login","ok":true,"n":12},"user.name":"alice","tags":["a", "b"],"x":null,"neg":-3})";
constexpr size_t kScalars = 8;  // login, true, 12, alice, a, b, null, -3

RecordLayout learned() {
  RecordLayout layout;
  EXPECT_TRUE(layout.learn(kLearned, kScalars));
  return layout;
}

std::string with(std::string_view from, std::string_view to) {
  std::string s = kLearned;
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

TEST(RecordLayout, ReadsTheValuesOfARecordLaidOutAsLearned) {
  const RecordLayout layout = learned();
  std::vector<ScalarValue> v;
  const std::string record =
      R"({"event":{"action":"logout by é","ok":false,"n":0},"user.name":"","tags":["ccc", "d"],"x":null,"neg":-123456789012345678})";
  ASSERT_TRUE(layout.match(record, v));
  ASSERT_EQ(v.size(), kScalars);
  EXPECT_EQ(v[0].string, "logout by é");
  EXPECT_EQ(v[1].type, ScalarValue::Type::Bool);
  EXPECT_FALSE(v[1].boolean);
  EXPECT_EQ(v[2].type, ScalarValue::Type::Int64);
  EXPECT_EQ(v[2].int64, 0);
  EXPECT_TRUE(v[3].is_string());
  EXPECT_EQ(v[3].string, "");
  EXPECT_EQ(v[4].string, "ccc");
  EXPECT_EQ(v[5].string, "d");
  EXPECT_EQ(v[6].type, ScalarValue::Type::Null);
  EXPECT_EQ(v[7].int64, -123456789012345678);
  // The strings point into the record: nothing was copied.
  EXPECT_EQ(v[0].string.data(), record.data() + record.find("logout"));
}

TEST(RecordLayout, ARecordLaidOutOtherwiseDoesNotMatch) {
  const RecordLayout layout = learned();
  std::vector<ScalarValue> v;
  const std::vector<std::string> others = {
      with("\"a\", \"b\"", "\"a\",\"b\""),      // other whitespace
      with("\"user.name\"", "\"user.nam\""),  // another key
      with("\"login\"", "1"),                 // another kind of value
      with("12", "1.5"),                      // a number that is not an integer
      with("12", "1e3"),
      with("12", "012"),                      // not JSON
      with("12", "-0"),                       // simdjson decides its type: not read here
      with("12", "1234567890123456789"),      // 19 digits: left to simdjson
      with("12", "-"),
      with("true", "tru"),
      with("null", "nul"),
      with("\"alice\"", "\"al\\\"ice\""),     // an escape
      with("alice", "al\\u0041ice"),
      with("alice", "al\x7fice"),             // DEL: written escaped, so not read here
      with("alice", "al\x01ice"),             // a control character: not JSON
      with("alice", "al\tice"),
      with("alice", "al\xff" "ice"),          // not UTF-8
      with("alice", "al\xc3"),                // a cut UTF-8 sequence
      with("alice", "al\"ice"),               // a quote ends the string early
      kLearned + " ",                         // bytes after the end
      kLearned.substr(0, kLearned.size() - 1),  // cut short
      kLearned.substr(0, kLearned.find("alice") + 2),
      "",
  };
  for (const auto& record : others) EXPECT_FALSE(layout.match(record, v)) << record;
  EXPECT_TRUE(layout.match(kLearned, v));
}

TEST(RecordLayout, LongStringsAreScannedToTheirEnd) {
  const RecordLayout layout = learned();
  std::vector<ScalarValue> v;
  for (size_t n = 0; n < 40; ++n) {
    const std::string name(n, 'z');
    const std::string record = with("alice", name);  // the values point into it
    ASSERT_TRUE(layout.match(record, v)) << n;
    EXPECT_EQ(v[3].string, name);
    // A control character, backslash or DEL at any place in it refuses the match; a
    // two-byte UTF-8 character anywhere is read, a byte that is not UTF-8 refuses it.
    for (size_t at = 0; at + 1 < n; ++at) {
      std::string s = name;
      s.replace(at, 2, "\xc3\xa9");
      const std::string with_utf8 = with("alice", s);
      ASSERT_TRUE(layout.match(with_utf8, v)) << n << " " << at;
      EXPECT_EQ(v[3].string, s);
      s[at] = '\xff';
      EXPECT_FALSE(layout.match(with("alice", s), v)) << n << " " << at;
    }
    for (size_t at = 0; at < n; ++at) {
      for (char bad : {'\x1f', '\\', '\x7f', '"'}) {
        std::string s = name;
        s[at] = bad;
        EXPECT_FALSE(layout.match(with("alice", s), v)) << n << " " << at << " " << int(bad);
      }
    }
  }
}

TEST(RecordLayout, OnlyRecordsOfIntegersAndTheRightCountAreLearned) {
  RecordLayout layout;
  EXPECT_FALSE(layout.learn(kLearned, kScalars - 1));
  EXPECT_FALSE(layout.learned());
  EXPECT_FALSE(layout.learn(R"({"a":1.5})", 1));
  EXPECT_FALSE(layout.learn(R"({"a":1e5})", 1));
  EXPECT_TRUE(layout.learn(R"( { "a" : [ 1 , "x" ] } )", 2));
  std::vector<ScalarValue> v;
  EXPECT_TRUE(layout.match(R"( { "a" : [ 7 , "y" ] } )", v));
  EXPECT_FALSE(layout.match(R"({ "a" : [ 7 , "y" ] } )", v));
  layout.clear();
  EXPECT_FALSE(layout.match(R"( { "a" : [ 7 , "y" ] } )", v));
}

}  // namespace
}  // namespace traild
