#include "daemon/framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace std::string_literals;

namespace traild {
namespace {

struct Collect : FrameSink {
  std::vector<std::string> records;
  std::vector<std::pair<std::string, uint64_t>> oversize;
  void on_record(std::string_view r) override { records.emplace_back(r); }
  void on_oversize(std::string_view head, uint64_t size) override { oversize.emplace_back(head, size); }
};

// Feeds `chunks` as a connection would deliver them, carrying the unconsumed tail.
Collect run(StreamFramer& f, const std::vector<std::string>& chunks, bool eof = true) {
  Collect c;
  std::string carry;
  for (const auto& chunk : chunks) {
    std::string buf = carry + chunk;
    size_t used = f.feed(buf, c);
    carry = buf.substr(used);
  }
  if (eof) f.finish(carry, c);
  return c;
}

TEST(Framer, SplitsAtNewlineNulAndNewlineNul) {
  StreamFramer f(1024);
  auto c = run(f, {"{\"a\":1}\n{\"b\":2}\0{\"c\":3}\n\0{\"d\":4}\r\n"s});
  EXPECT_EQ(c.records, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"}));
}

TEST(Framer, SkipsEmptyRecords) {
  StreamFramer f(1024);
  auto c = run(f, {"\n\n{\"a\":1}\n\r\n\0\0"s});
  EXPECT_EQ(c.records, std::vector<std::string>{"{\"a\":1}"});
}

TEST(Framer, JoinsRecordsSplitAcrossReads) {
  StreamFramer f(1024);
  auto c = run(f, {"{\"a\":", "1}\n{\"b\"", ":2}\n"});
  EXPECT_EQ(c.records, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST(Framer, LastRecordWithoutTerminatorAtEof) {
  StreamFramer f(1024);
  auto c = run(f, {"{\"a\":1}\n{\"b\":2}"});
  EXPECT_EQ(c.records, (std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"}));
}

TEST(Framer, OctetCounted) {
  StreamFramer f(1024);
  auto c = run(f, {"7 {\"a\":1}8 {\"bb\":2}", "5 <14>x"});
  EXPECT_EQ(c.records, (std::vector<std::string>{"{\"a\":1}", "{\"bb\":2}", "<14>x"}));
}

TEST(Framer, OctetCountedSplitInHeader) {
  StreamFramer f(1024);
  auto c = run(f, {"1", "0 0123456789", "\n"});
  EXPECT_EQ(c.records, std::vector<std::string>{"0123456789"});
}

TEST(Framer, OversizeTerminatedRecordIsReportedOnceAndSkipped) {
  StreamFramer f(8);
  auto c = run(f, {"0123456789abcdef\n{\"a\":1}\n"});
  ASSERT_EQ(c.oversize.size(), 1u);
  EXPECT_EQ(c.oversize[0].first, "01234567");
  EXPECT_EQ(c.oversize[0].second, 16u);
  EXPECT_EQ(c.records, std::vector<std::string>{"{\"a\":1}"});
}

TEST(Framer, OversizeWithoutTerminatorIsSkippedAcrossReadsWithBoundedCarry) {
  StreamFramer f(16);
  Collect c;
  std::string carry;
  for (int i = 0; i < 100; ++i) {
    std::string buf = carry + std::string(10, 'x');
    carry = buf.substr(f.feed(buf, c));
    EXPECT_LE(carry.size(), 17u);
  }
  std::string buf = carry + "\n{\"ok\":1}\n";
  f.feed(buf, c);
  EXPECT_EQ(c.oversize.size(), 1u);
  EXPECT_EQ(c.records, std::vector<std::string>{"{\"ok\":1}"});
}

TEST(Framer, OversizeOctetCountedIsSkippedExactly) {
  StreamFramer f(8);
  auto c = run(f, {"12 01234567", "89ab{\"a\":1}\n"});
  ASSERT_EQ(c.oversize.size(), 1u);
  EXPECT_EQ(c.oversize[0].first, "01234567");
  EXPECT_EQ(c.oversize[0].second, 12u);
  EXPECT_EQ(c.records, std::vector<std::string>{"{\"a\":1}"});
}

TEST(Framer, DatagramStripsOneTerminatorAndMatchingOctetCount) {
  EXPECT_EQ(datagram_record("{\"a\":1}\n"), "{\"a\":1}");
  EXPECT_EQ(datagram_record("{\"a\":1}\n\0"s), "{\"a\":1}");
  EXPECT_EQ(datagram_record("{\"a\":1}\0"s), "{\"a\":1}");
  EXPECT_EQ(datagram_record("{\"a\":1}\r\n"), "{\"a\":1}");
  EXPECT_EQ(datagram_record("7 {\"a\":1}"), "{\"a\":1}");
  EXPECT_EQ(datagram_record("9 {\"a\":1}"), "9 {\"a\":1}");  // count does not match: left as is
  // A fragment with a line break inside stays one record (and fails JSON validation).
  EXPECT_EQ(datagram_record("{\"a\":1}\n{\"b\":"), "{\"a\":1}\n{\"b\":");
}

// Python's SysLogHandler with append_nul=False on a stream socket: no delimiter at all.
TEST(Framer, UndelimitedSyslogRecordsEndWithTheirJsonObject) {
  StreamFramer f(1024);
  auto c = run(f, {R"(<14>{"a":"}<{"}<14>{"b":[1,{"c":2}]})", R"(<14>{"d":3})"}, false);
  EXPECT_EQ(c.records, (std::vector<std::string>{R"(<14>{"a":"}<{"})", R"(<14>{"b":[1,{"c":2}]})", R"(<14>{"d":3})"}));
  // Split across reads inside the object: waits for the rest.
  StreamFramer g(1024);
  c = run(g, {R"(<14>{"a":)", R"(1}<14>{"b":2})"}, false);
  EXPECT_EQ(c.records, (std::vector<std::string>{R"(<14>{"a":1})", R"(<14>{"b":2})"}));
}

TEST(Framer, DelimitedSyslogRecordsKeepTheirTrailingText) {
  StreamFramer f(1024);
  // Text after the object before the terminator stays in the record (it is then judged whole).
  auto c = run(f, {"<13>Nov 21 20:51:12 vm {\"a\":1} \n<13>t: {\"b\":2} x\n"});
  EXPECT_EQ(c.records, (std::vector<std::string>{"<13>Nov 21 20:51:12 vm {\"a\":1} ", "<13>t: {\"b\":2} x"}));
  // A read that ends right after the object: the blanks and terminator that follow are no record.
  StreamFramer g(1024);
  c = run(g, {"<13>t: {\"a\":1}", " \n", "{\"b\":2}\n"});
  EXPECT_EQ(c.records, (std::vector<std::string>{"<13>t: {\"a\":1}", "{\"b\":2}"}));
}

}  // namespace
}  // namespace traild
