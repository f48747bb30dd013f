#include "reporters/ecs_formatter.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "daemon/event_parser.hpp"
#include "integrity/canonical_json.hpp"
#include "integrity/chain.hpp"

namespace traild {
namespace {

// Every formatted line is one valid JSON object with unique keys, whatever the input held.
TEST(Formatter, LinesAreValidJsonWithOneNewline) {
  EventParser parser({1 << 16, 32});
  const std::string inputs[] = {
      R"({"event.action":"a","message":"line1\nline2\r\u2028 \u0007"})",
      R"({"event":{"action":"a"},"user.name":"x","user.id":"1","host.name":"h"})",
      R"({"event":{"action":"a"},"n":-1,"u":18446744073709551615,"d":1e300,"f":-0.0,"b":false,"z":null})",
      R"({"event":{"action":"a"},"deep":[[[{"a.b":[]}]]],"empty":{}})",
  };
  simdjson::dom::parser check;
  for (const auto& in : inputs) {
    std::string padded = in + std::string(EventParser::kPadding, '\0');
    ParsedEvent ev;
    Rejection why;
    ASSERT_TRUE(parser.parse({padded.data(), in.size()}, ev, why)) << in << ": " << why.message;
    std::string line;
    format_ecs_line(ev, {"2026-01-01T00:00:00.000Z", "id", "2026-01-01T00:00:00.000Z", "h", 1}, line);
    ASSERT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;
    simdjson::dom::element doc;
    EXPECT_EQ(check.parse(line.data(), line.size() - 1).get(doc), simdjson::SUCCESS) << line;
  }
}

// A record without backslashes or DEL is written without escaping (verbatim_strings); the
// line must be byte for byte what escaping every string writes, and a record with an escape
// or a DEL anywhere must take the escaping path.
TEST(Formatter, VerbatimStringsAreWrittenAsEscapingWouldWriteThem) {
  EventParser parser({1 << 16, 32});
  struct Case {
    std::string record;
    bool verbatim;
  };
  const Case cases[] = {
      // Escapes: \u00f6 and friends are unescaped by the parser and written back as UTF-8.
      {R"({"event":{"action":"a","id":"e-1"},"user.name":"j\u00f6rg","message":"caf\u00e9 \u2603 ok"})", false},
      {"{\"event\":{\"action\":\"a\",\"id\":\"e-1\"},\"user.name\":\"j\xc3\xb6rg\",\"message\":\"caf\xc3\xa9 ok\"}", true},
      {R"({"event":{"action":"a"},"message":"bell\u0007 quote\" slash\\"})", false},
      {"{\"event\":{\"action\":\"a\"},\"message\":\"del\x7f here\"}", false},
      {"{\"event\":{\"action\":\"a\"},\"labels\":{\"k\x7f\":\"v\"}}", false},
      {R"({"event":{"action":"a","id":"quote\"d"},"labels":{"a\\b":"v"}})", false},
  };
  for (const auto& c : cases) {
    std::string padded = c.record + std::string(EventParser::kPadding, '\0');
    ParsedEvent ev;
    Rejection why;
    ASSERT_TRUE(parser.parse({padded.data(), c.record.size()}, ev, why)) << c.record << ": " << why.message;
    EXPECT_EQ(ev.verbatim_strings, c.verbatim) << c.record;
    const Enrichment en{"2026-01-01T00:00:00.000Z", "id", "2026-01-01T00:00:00.000Z", "h", 1};
    std::string as_parsed, escaped;
    format_ecs_line(ev, en, as_parsed);
    ev.verbatim_strings = false;
    format_ecs_line(ev, en, escaped);
    EXPECT_EQ(as_parsed, escaped) << c.record;
  }
}

std::string format_with_syslog(const std::string& in, std::string_view syslog) {
  EventParser parser({1 << 16, 32});
  std::string padded = in + std::string(EventParser::kPadding, '\0');
  ParsedEvent ev;
  Rejection why;
  EXPECT_TRUE(parser.parse({padded.data(), in.size()}, ev, why, {.syslog_header = !syslog.empty()})) << why.message;
  std::string line;
  format_ecs_line(ev, {"T", "id", "C", "h", 1, syslog, kGenesisHash}, line);
  return line;
}

// The syslog header's fields go into `log`, next to the producer's own log fields; a
// producer's log.syslog is kept under traild.claimed so nothing is lost or duplicated.
TEST(Formatter, SyslogHeaderFieldsMergeIntoLogAndClaimsAreKept) {
  const std::string_view sys = R"({"priority":13})";
  const std::string chain = R"("traild":{"chain":{"prev":")" + std::string(kGenesisHash) + R"(","sequence":1})";
  EXPECT_EQ(format_with_syslog(R"({"event":{"action":"a"}})", sys),
            R"({"@timestamp":"T","event":{"action":"a","created":"C","id":"id","kind":"event","sequence":1},)"
            R"("host":{"hostname":"h"},"log":{"syslog":{"priority":13}},)" + chain + "}}\n");
  EXPECT_EQ(format_with_syslog(R"({"event":{"action":"a"},"log":{"level":"info","syslog":{"appname":"fake"}}})", sys),
            R"({"@timestamp":"T","event":{"action":"a","created":"C","id":"id","kind":"event","sequence":1},)"
            R"("host":{"hostname":"h"},"log":{"level":"info","syslog":{"priority":13}},)" + chain +
                R"(,"claimed":{"log":{"syslog":{"appname":"fake"}}}}})" "\n");
  EXPECT_EQ(format_with_syslog(R"({"event":{"action":"a"},"log.syslog.appname":"fake"})", sys),
            R"({"@timestamp":"T","event":{"action":"a","created":"C","id":"id","kind":"event","sequence":1},)"
            R"("host":{"hostname":"h"},"log":{"syslog":{"priority":13}},)" + chain +
                R"(,"claimed":{"log":{"syslog":{"appname":"fake"}}}}})" "\n");
}

// The producer's keys come in any order, traild's own members are merged in among them
// (at the root, in event, host, process, log, traild): every line must already be in
// canonical form, which re-writing it canonically leaves unchanged. Each record is parsed
// twice, so the second goes through a known shape (daemon/event_shape.hpp).
TEST(Formatter, LinesAreCanonicalWhateverOrderTheProducerUsed) {
  EventParser parser({1 << 16, 32});
  const std::string inputs[] = {
      R"({"zeta":1,"event":{"outcome":"success","action":"a","category":["iam"]},"@a":1,"A":2,"hosts":3,"host.name":"n"})",
      R"({"process":{"title":"t","args":["b","a"],"pid":7,"parent":{"pid":1}},"event.action":"a","labels":{"z":"1","a":"2"}})",
      R"({"user.name":"u","event.id":"x","user.id":"1","event.action":"a","user":{"email":"e"},"log.level":"info"})",
      R"({"event":{"action":"a","zz":1,"created":"2026-01-01T00:00:00Z","kind":"event","ab":2},"process.group.name":"g"})",
      "{\"event\":{\"action\":\"a\"},\"labels\":{\"\xc3\xa9\":\"1\",\"z\":\"2\",\"\\u0001\":\"3\",\"~\":\"4\"}}",
      R"({"event":{"action":"a"},"items":[{"b":1,"a":2},{"d":[{"y":1,"x":2}]}]})",
  };
  const AttestedSender sender{true, 42, 1000, 1000, "svc", "/usr/bin/svc"};
  simdjson::dom::parser reread;
  CanonicalWriter canonical;
  for (const auto& in : inputs) {
    for (const bool attested : {false, true}) {
      for (int pass = 0; pass < 2; ++pass) {
        std::string padded = in + std::string(EventParser::kPadding, '\0');
        ParsedEvent ev;
        Rejection why;
        ASSERT_TRUE(parser.parse({padded.data(), in.size()}, ev, why,
                                 {.syslog_header = true, .attested_sender = attested}))
            << in << ": " << why.message;
        Enrichment en{"T", "id", "C", "h", 1, R"({"priority":13})", kGenesisHash};
        if (attested) en.sender = sender;
        std::string line;
        format_ecs_line(ev, en, line);
        line.pop_back();  // the newline
        simdjson::dom::element doc;
        ASSERT_EQ(reread.parse(line).get(doc), simdjson::SUCCESS) << line;
        std::string again;
        canonical.write(doc, again);
        EXPECT_EQ(line, again) << in;
      }
    }
  }
  EXPECT_GT(parser.replayed(), 0u);
}

}  // namespace
}  // namespace traild
