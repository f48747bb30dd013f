#include "reporters/ecs_formatter.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <random>

#include "common/json_escape.hpp"
#include "common/line_buffer.hpp"
#include "daemon/event_parser.hpp"
#include "daemon/redactor.hpp"
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

// The sender's names and the hostname rendered once as JSON (as the pipeline does) give the
// bytes escaping them on every line gives, also for names JSON must escape.
TEST(Formatter, PreRenderedSenderNamesAndHostnameWriteTheSameLine) {
  EventParser parser({1 << 16, 32});
  const std::string in = R"({"event":{"action":"a"},"process":{"pid":1,"name":"claimed"}})";
  const std::string padded = in + std::string(EventParser::kPadding, '\0');
  ParsedEvent ev;
  Rejection why;
  ASSERT_TRUE(parser.parse({padded.data(), in.size()}, ev, why, {false, false, true})) << why.message;
  const std::string name = "we\"ird\\ \x01name", exe = "/usr/bin/\xc3\xa9x\x7f", host = "h\"ost";
  std::string name_json, exe_json, host_json;
  append_json_string(name_json, name);
  append_json_string(exe_json, exe);
  append_json_string(host_json, host);
  AttestedSender plain{true, 42, 1000, 1001, name, exe};
  AttestedSender rendered{true, 42, 1000, 1001, name, exe, name_json, exe_json};
  std::string a, b;
  format_ecs_line(ev, {"T", "id", "C", host, 1, "", kGenesisHash, plain}, a);
  format_ecs_line(ev, {"T", "id", "C", host, 1, "", kGenesisHash, rendered, host_json}, b);
  EXPECT_EQ(a, b);
  EXPECT_NE(a.find(R"("name":"we\"ird\\ \u0001name")"), std::string::npos) << a;
  EXPECT_NE(a.find(R"("hostname":"h\"ost")"), std::string::npos) << a;
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

// EcsLineFormatter writes a known shape's lines from a template: every line must be the one
// format_ecs_line writes, hash member offset included, over more kinds of event than it
// keeps templates for, with and without a syslog header and a kernel-attested sender (whose
// producer claims differ from it or not, by value), escaped and verbatim strings, the
// producer's own event.id or traild's, and redaction changing half-way as a reload would
// change it while the parser keeps its shapes.
TEST(Formatter, TemplatedLinesAreTheLinesFormatEcsLineWrites) {
  // %: a string; #: any scalar (fields outside ECS); $: a pid-like number; &: an event.id.
  const std::vector<std::string> shapes = {
      R"({"event":{"action":%},"user":{"name":%,"password":#}})",
      R"({"event":{"action":%,"id":&},"labels":{"token":%,"other":%},"@timestamp":"2026-01-02T03:04:05Z"})",
      R"({"event":{"action":%},"items":[{"secret":#},{"ok":#}],"tags":[%,%]})",
      R"({"event":{"action":%},"process":{"pid":$,"name":%},"message":%})",
      R"({"event.action":%,"process.user.id":%,"process.executable":%,"x":{"y":#}})",
      R"({"event":{"action":%,"kind":"event"},"host":{"name":%},"log":{"level":%}})",
      R"({"event":{"action":%},"host":{"hostname":%},"log":{"syslog":{"appname":%}}})",
      R"({"event":{"action":%},"source":{"ip":"10.0.0.1"},"url":{"path":%}})",
      R"({"event":{"action":%},"service":{"name":%},"event.outcome":"success"})",
      R"({"event":{"action":%},"user":{"id":%},"related":{"user":[%]}})",
      R"({"event":{"action":%},"a":{"b":{"c":{"d":#}}},"e":#})",
  };
  const std::vector<std::string> strings = {R"("sshd")", R"("/usr/sbin/sshd")", R"("0")", R"("é")", R"("q\"d")",
                                            R"("t\u0001")"};
  const std::vector<std::string> any = {R"("s1")", "7", "true", "null", "1.5", R"("x\\y")"};
  const std::vector<std::string> pids = {"42", "43"};
  const std::vector<std::string> ids = {R"("e-1")", R"("e\"2")"};
  RedactConfig first;
  first.fields = {"password", "token"};
  first.hmac = true;
  first.key = "0123456789abcdef0123456789abcdef";
  RedactConfig second;
  second.fields = {"secret", "labels.other", "password"};
  Redactor redactors[] = {Redactor(first), Redactor(second)};
  std::mt19937 rng(1205);
  EventParser parser({1 << 16, 32});
  EcsLineFormatter formatter;
  LineBuffer templated;
  const int kEvents = 4000;
  // Producers send runs of one kind of event: the kind changes every 1 to 30 events.
  size_t shape = 0;
  bool syslog = false, attested = false, named = false, executable = false;
  int run = 0;
  for (int i = 0; i < kEvents; ++i) {
    if (run-- == 0) {
      run = static_cast<int>(rng() % 30);
      shape = rng() % shapes.size();
      syslog = rng() % 4 == 0;
      attested = rng() % 2 == 0;
      named = rng() % 3 != 0;
      executable = rng() % 3 != 0;
    }
    std::string json;
    for (char c : shapes[shape]) {
      if (c == '%') json += strings[rng() % strings.size()];
      else if (c == '#') json += any[rng() % any.size()];
      else if (c == '$') json += pids[rng() % pids.size()];
      else if (c == '&') json += ids[rng() % ids.size()];
      else json += c;
    }
    std::string padded = json + std::string(EventParser::kPadding, '\0');
    ParsedEvent ev;
    Rejection why;
    ASSERT_TRUE(parser.parse({padded.data(), json.size()}, ev, why, {.syslog_header = syslog, .attested_sender = attested}))
        << json << ": " << why.message;
    redactors[i < kEvents / 2 ? 0 : 1].apply(ev);
    AttestedSender sender;
    if (attested)
      sender = {true, 42, 0, 0, named ? "sshd" : "", executable ? "/usr/sbin/sshd" : ""};
    const std::string event_id = "id-" + std::to_string(i);
    const Enrichment en{"2026-12-05T00:00:00.000Z", event_id, "2026-12-05T00:00:00.001Z", "host-a",
                        static_cast<uint64_t>(i), syslog ? R"({"priority":13})" : "", kGenesisHash, sender};
    std::string expected;
    const size_t expected_hash_at = format_ecs_line(ev, en, expected);
    const size_t hash_at = formatter.format(ev, en, templated);
    ASSERT_EQ(std::string(templated.view()), expected) << json;
    ASSERT_EQ(hash_at, expected_hash_at) << json;
  }
  EXPECT_GT(formatter.templated(), static_cast<uint64_t>(kEvents / 2));
}

// A reload may change which fields are redacted while the parser keeps its shapes: a
// template recorded before must not write the next event of that shape.
TEST(Formatter, ATemplateIsNotUsedAfterRedactionChanged) {
  RedactConfig before;
  before.fields = {"token"};
  RedactConfig after;
  after.fields = {"other"};
  Redactor redactors[] = {Redactor(before), Redactor(before), Redactor(after), Redactor(after)};
  EventParser parser({1 << 16, 32});
  EcsLineFormatter formatter;
  LineBuffer templated;
  const std::string json = R"({"event":{"action":"a"},"labels":{"token":"t","other":"o"}})";
  std::string padded = json + std::string(EventParser::kPadding, '\0');
  for (Redactor& redactor : redactors) {
    ParsedEvent ev;
    Rejection why;
    ASSERT_TRUE(parser.parse({padded.data(), json.size()}, ev, why)) << why.message;
    ASSERT_NE(ev.shape_id, 0u);
    redactor.apply(ev);
    const Enrichment en{"T", "id", "C", "h", 1};
    std::string expected;
    format_ecs_line(ev, en, expected);
    formatter.format(ev, en, templated);
    EXPECT_EQ(std::string(templated.view()), expected);
  }
  EXPECT_EQ(formatter.templated(), 2u);  // the second event of each configuration
}

}  // namespace
}  // namespace traild
