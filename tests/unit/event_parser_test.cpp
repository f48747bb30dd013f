#include "daemon/event_parser.hpp"

#include <gtest/gtest.h>

#include <string>

#include "reporters/ecs_formatter.hpp"

namespace traild {
namespace {

struct Parsed {
  bool ok;
  Rejection why;
  std::string line;  // formatted, when ok
};

Parsed parse(const std::string& json, ParserLimits limits = {}) {
  static EventParser* parser = nullptr;
  static ParserLimits current{};
  if (parser == nullptr || current.max_event_bytes != limits.max_event_bytes || current.max_depth != limits.max_depth) {
    delete parser;
    parser = new EventParser(limits);
    current = limits;
  }
  std::string padded = json + std::string(EventParser::kPadding, '\0');
  ParsedEvent ev;
  Parsed p{};
  p.ok = parser->parse({padded.data(), json.size()}, ev, p.why);
  if (p.ok) {
    Enrichment en{"2026-01-01T00:00:00.000Z", ev.id.empty() ? "gen-id" : ev.id, "2026-01-01T00:00:01.000Z", "host1", 7};
    format_ecs_line(ev, en, p.line);
  }
  return p;
}

struct BadCase {
  std::string input;
  RejectCode code;
  std::string message;
};

std::string deep(int levels) {
  std::string s = "{\"event\":{\"action\":\"a\"},\"x\":";
  for (int i = 0; i < levels; ++i) s += "{\"y\":";
  s += "1";
  for (int i = 0; i < levels; ++i) s += "}";
  return s + "}";
}

const std::string kA = "\"event\":{\"action\":\"a\"}";

class BadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadInput, IsRejectedWithItsExactError) {
  const BadCase& c = GetParam();
  Parsed p = parse(c.input);
  ASSERT_FALSE(p.ok) << c.input << " was accepted as " << p.line;
  EXPECT_EQ(reject_code_name(p.why.code), reject_code_name(c.code)) << c.input;
  EXPECT_EQ(p.why.message, c.message) << c.input;
}

INSTANTIATE_TEST_SUITE_P(
    Validation, BadInput,
    ::testing::Values(
        // Not JSON, not an object
        BadCase{"", RejectCode::InvalidJson, "empty record"},
        BadCase{"   ", RejectCode::InvalidJson, "empty record"},
        BadCase{"{", RejectCode::InvalidJson, "invalid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."},
        BadCase{"[1,2]", RejectCode::NotObject, "expected a JSON object, got an array"},
        BadCase{"\"text\"", RejectCode::NotObject, "expected a JSON object, got \"text\""},
        BadCase{"42", RejectCode::NotObject, "expected a JSON object, got 42"},
        BadCase{"null", RejectCode::NotObject, "expected a JSON object, got null"},
        BadCase{"{" + kA + "} {}", RejectCode::InvalidJson, "invalid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."},
        BadCase{"{" + kA + ",}", RejectCode::InvalidJson, "invalid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."},
        BadCase{"{'event':1}", RejectCode::InvalidJson, "invalid JSON: The JSON document has an improper structure: missing or superfluous commas, braces, missing keys, etc."},
        // Strings and encoding
        BadCase{"{" + kA + ",\"m\":\"\xff\"}", RejectCode::InvalidUtf8, "event is not valid UTF-8"},
        BadCase{"{" + kA + ",\"m\":\"\xc0\xaf\"}", RejectCode::InvalidUtf8, "event is not valid UTF-8"},
        BadCase{"{" + kA + ",\"m\":\"\xed\xa0\x80\"}", RejectCode::InvalidUtf8, "event is not valid UTF-8"},
        BadCase{"{" + kA + ",\"m\":\"\\ud800\"}", RejectCode::InvalidJson, "invalid JSON: bad escape in a string (e.g. a lone surrogate)"},
        BadCase{"{" + kA + ",\"m\":\"a\tb\"}", RejectCode::InvalidJson, "invalid JSON: unescaped control character in a string"},
        BadCase{"{" + kA + ",\"m\":\"a\\u0000b\"}", RejectCode::NulCharacter, "m: NUL character (\\u0000) in a string"},
        BadCase{"{" + kA + ",\"a\\u0000b\":1}", RejectCode::NulCharacter, "(event): NUL character in a field name"},
        BadCase{"{" + kA + ",\"n\":1" + std::string(400, '0') + "}", RejectCode::InvalidJson, "invalid JSON: malformed or out-of-range number"},
        // Keys
        BadCase{"{" + kA + ",\"user\":{\"name\":\"a\",\"name\":\"b\"}}", RejectCode::DuplicateKey, "user.name: duplicate key"},
        BadCase{"{" + kA + ",\"user\":{},\"user\":{}}", RejectCode::DuplicateKey, "user: duplicate key"},
        BadCase{"{" + kA + ",\"user.name\":\"a\",\"user\":{\"name\":\"b\"}}", RejectCode::DuplicateKey, "user.name: duplicate key"},
        BadCase{"{" + kA + ",\"user\":\"x\",\"user.name\":\"y\"}", RejectCode::TypeMismatch, "user: expected object, got \"x\""},
        BadCase{"{" + kA + ",\"a\":[{\"k\":1,\"k\":2}]}", RejectCode::DuplicateKey, "a.k: duplicate key"},
        BadCase{"{" + kA + ",\"x.y\":1,\"x\":{\"y\":2}}", RejectCode::DuplicateKey, "x.y: duplicate key"},
        BadCase{"{" + kA + ",\"\":1}", RejectCode::InvalidFieldName, "(event): empty field name"},
        // The path names where the error is, also after arrays of objects and nested siblings.
        BadCase{"{" + kA + ",\"a\":[{\"k\":1},{\"n\":{\"\":1}}]}", RejectCode::InvalidFieldName, "a.n: empty field name"},
        BadCase{"{" + kA + ",\"user\":{\"roles\":[\"r\"],\"x\":{\"y\":1}},\"source\":{\"ip\":\"x\"}}", RejectCode::TypeMismatch,
                "source.ip: expected an IP address, got \"x\""},
        BadCase{"{" + kA + ",\"labels\":{\"a\":1},\"source.port\":\"p\"}", RejectCode::TypeMismatch, "source.port: expected long, got \"p\""},
        BadCase{"{" + kA + ",\"a..b\":1}", RejectCode::InvalidFieldName, "field name \"a..b\" has an empty segment"},
        BadCase{"{" + kA + ",\".a\":1}", RejectCode::InvalidFieldName, "field name \".a\" has an empty segment"},
        BadCase{"{" + kA + ",\"a.\":1}", RejectCode::InvalidFieldName, "field name \"a.\" has an empty segment"},
        // Required and reserved fields
        BadCase{"{}", RejectCode::MissingField, "event.action: required field is missing"},
        BadCase{"{\"user\":{\"name\":\"a\"}}", RejectCode::MissingField, "event.action: required field is missing"},
        BadCase{"{\"event\":{\"action\":\"\"}}", RejectCode::TypeMismatch, "event.action: expected a non-empty string, got \"\""},
        BadCase{"{\"event\":{\"action\":5}}", RejectCode::TypeMismatch, "event.action: expected a non-empty string, got 5"},
        BadCase{"{\"event\":{\"action\":[\"a\"]}}", RejectCode::TypeMismatch, "event.action: expected a non-empty string, got an array"},
        BadCase{"{\"event\":\"login\"}", RejectCode::TypeMismatch, "event: expected object, got \"login\""},
        BadCase{"{\"event\":[{\"action\":\"a\"}]}", RejectCode::TypeMismatch, "event: expected an object, got an array"},
        BadCase{"{" + kA + ",\"traild\":{\"x\":1}}", RejectCode::ReservedField, "traild: fields under traild. are set by traild only"},
        BadCase{"{" + kA + ",\"traild.claimed.x\":1}", RejectCode::ReservedField, "traild: fields under traild. are set by traild only"},
        BadCase{"{\"event\":{\"action\":\"a\",\"sequence\":5}}", RejectCode::ReservedField, "event.sequence: event.sequence is set by traild only"},
        BadCase{"{" + kA + ",\"event.sequence\":5}", RejectCode::ReservedField, "event.sequence: event.sequence is set by traild only"},
        // @timestamp and event.id
        BadCase{"{" + kA + ",\"@timestamp\":\"yesterday\"}", RejectCode::InvalidTimestamp, "@timestamp: expected an RFC 3339 date-time, got \"yesterday\""},
        BadCase{"{" + kA + ",\"@timestamp\":\"2026-02-30T00:00:00Z\"}", RejectCode::InvalidTimestamp, "@timestamp: expected an RFC 3339 date-time, got \"2026-02-30T00:00:00Z\""},
        BadCase{"{" + kA + ",\"@timestamp\":\"2026-01-01T00:00:00\"}", RejectCode::InvalidTimestamp, "@timestamp: expected an RFC 3339 date-time, got \"2026-01-01T00:00:00\""},
        BadCase{"{" + kA + ",\"@timestamp\":1700000000}", RejectCode::InvalidTimestamp, "@timestamp: expected an RFC 3339 date-time, got 1700000000"},
        BadCase{"{\"event\":{\"action\":\"a\",\"id\":\"\"}}", RejectCode::InvalidEventId, "event.id: expected a string of 1 to 128 bytes without control characters, got \"\""},
        BadCase{"{\"event\":{\"action\":\"a\",\"id\":7}}", RejectCode::InvalidEventId, "event.id: expected a string of 1 to 128 bytes without control characters, got 7"},
        BadCase{"{\"event\":{\"action\":\"a\",\"id\":\"a\\nb\"}}", RejectCode::InvalidEventId, "event.id: expected a string of 1 to 128 bytes without control characters, got \"a\\nb\""},
        BadCase{"{\"event\":{\"action\":\"a\",\"id\":\"" + std::string(129, 'x') + "\"}}", RejectCode::InvalidEventId, "event.id: expected a string of 1 to 128 bytes without control characters, got \"" + std::string(64, 'x') + "...\""},
        // ECS types
        BadCase{"{\"event\":{\"action\":\"a\",\"outcome\":\"ok\"}}", RejectCode::TypeMismatch, "event.outcome: expected one of failure, success, unknown; got \"ok\""},
        BadCase{"{" + kA + ",\"source\":{\"port\":\"22\"}}", RejectCode::TypeMismatch, "source.port: expected long, got \"22\""},
        BadCase{"{" + kA + ",\"source.port\":1.5}", RejectCode::TypeMismatch, "source.port: expected long, got 1.5"},
        BadCase{"{" + kA + ",\"source.ip\":\"300.1.1.1\"}", RejectCode::TypeMismatch, "source.ip: expected an IP address, got \"300.1.1.1\""},
        BadCase{"{" + kA + ",\"user.name\":42}", RejectCode::TypeMismatch, "user.name: expected keyword, got 42"},
        BadCase{"{" + kA + ",\"user.name\":{\"first\":\"a\"}}", RejectCode::TypeMismatch, "user.name: expected keyword, got an object"},
        BadCase{"{" + kA + ",\"user.name\":[\"a\",1]}", RejectCode::TypeMismatch, "user.name: expected keyword, got 1"},
        BadCase{"{" + kA + ",\"event.start\":\"soon\"}", RejectCode::TypeMismatch, "event.start: expected an RFC 3339 date, got \"soon\""},
        BadCase{"{" + kA + ",\"event.duration\":true}", RejectCode::TypeMismatch, "event.duration: expected long, got true"},
        BadCase{"{" + kA + ",\"event.category\":[\"authentication\",\"nope\"]}", RejectCode::TypeMismatch, "event.category: expected one of api, authentication, configuration, database, driver, email, file, host, iam, intrusion_detection, library, malware, network, package, process, registry, session, threat, vulnerability, web; got \"nope\""},
        BadCase{"{" + kA + ",\"process.pid\":99999999999999999999}", RejectCode::InvalidJson, "invalid JSON: malformed or out-of-range number"},
        BadCase{"{" + kA + ",\"process.pid\":18446744073709551615}", RejectCode::TypeMismatch, "process.pid: expected long, got 18446744073709551615"},
        BadCase{"{" + kA + ",\"labels\":\"x\"}", RejectCode::TypeMismatch, "labels: expected object, got \"x\""},
        BadCase{"{" + kA + ",\"host\":[{\"name\":\"a\"}]}", RejectCode::TypeMismatch, "host: expected an object, got an array"},
        // Depth
        BadCase{deep(40), RejectCode::TooDeep, "event nests deeper than input.max_depth (32)"},
        BadCase{deep(31), RejectCode::TooDeep, [] { std::string p = "x"; for (int i = 0; i < 31; ++i) p += ".y"; return p; }() + ": nests deeper than input.max_depth (32)"},
        BadCase{"{" + kA + ",\"" + [] { std::string k = "a"; for (int i = 0; i < 40; ++i) k += ".a"; return k; }() + "\":1}",
                RejectCode::TooDeep, "a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a: nests deeper than input.max_depth (32)"}));

TEST(EventParser, TooLargeIsRejectedBeforeParsing) {
  Parsed p = parse("{" + kA + ",\"m\":\"" + std::string(200, 'x') + "\"}", {128, 32});
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.why.code, RejectCode::TooLarge);
  EXPECT_EQ(p.why.message, "event is 231 bytes, more than input.max_event_bytes (128)");
}

TEST(EventParser, MinimalEventIsEnriched) {
  Parsed p = parse("{\"event\":{\"action\":\"user-login\"},\"user\":{\"name\":\"alice\"}}");
  ASSERT_TRUE(p.ok) << p.why.message;
  EXPECT_EQ(p.line,
            "{\"@timestamp\":\"2026-01-01T00:00:00.000Z\",\"event\":{\"action\":\"user-login\","
            "\"created\":\"2026-01-01T00:00:01.000Z\",\"id\":\"gen-id\",\"kind\":\"event\",\"sequence\":7},"
            "\"host\":{\"hostname\":\"host1\"},\"traild\":{\"chain\":{\"prev\":\"\",\"sequence\":7}},"
            "\"user\":{\"name\":\"alice\"}}\n");
}

TEST(EventParser, DottedKeysAreNestedAndMerged) {
  Parsed p = parse("{\"event.action\":\"a\",\"user.name\":\"bob\",\"user\":{\"id\":\"7\"},\"custom.deep.x\":[1,{\"k.j\":true}]}");
  ASSERT_TRUE(p.ok) << p.why.message;
  EXPECT_NE(p.line.find("\"user\":{\"id\":\"7\",\"name\":\"bob\"}"), std::string::npos) << p.line;
  EXPECT_NE(p.line.find("\"custom\":{\"deep\":{\"x\":[1,{\"k\":{\"j\":true}}]}}"), std::string::npos) << p.line;
}

TEST(EventParser, ProducerFieldsAreKeptAndSpecialOnesPlaced) {
  Parsed p = parse("{\"@timestamp\":\"2026-03-04T05:06:07.891234-02:00\",\"event\":{\"id\":\"p-1\",\"kind\":\"alert\","
                   "\"action\":\"x\",\"created\":\"2020-01-01T00:00:00Z\"},\"host\":{\"name\":\"h\",\"hostname\":\"mine\"}}");
  ASSERT_TRUE(p.ok) << p.why.message;
  EXPECT_EQ(p.line,
            "{\"@timestamp\":\"2026-01-01T00:00:00.000Z\",\"event\":{\"action\":\"x\","
            "\"created\":\"2026-01-01T00:00:01.000Z\",\"id\":\"p-1\",\"kind\":\"alert\",\"sequence\":7},"
            "\"host\":{\"hostname\":\"mine\",\"name\":\"h\"},\"traild\":{\"chain\":{\"prev\":\"\",\"sequence\":7},"
            "\"claimed\":{\"event\":{\"created\":\"2020-01-01T00:00:00Z\"}}}}\n");
}

TEST(EventParser, EscapesControlCharactersAndKeepsUnicode) {
  Parsed p = parse("{" + kA + ",\"message\":\"tab\\there \\u00e9 \\\"q\\\" \\\\ \\u001b\"}");
  ASSERT_TRUE(p.ok) << p.why.message;
  EXPECT_NE(p.line.find("\"message\":\"tab\\there \xc3\xa9 \\\"q\\\" \\\\ \\u001b\""), std::string::npos) << p.line;
}

TEST(EventParser, ManyKeysAreCheckedInLinearTime) {
  std::string s = "{" + kA;
  for (int i = 0; i < 100000; ++i) s += ",\"k" + std::to_string(i) + "\":1";
  s += ",\"k77777\":2}";
  Parsed p = parse(s, {8 << 20, 32});
  ASSERT_FALSE(p.ok);
  EXPECT_EQ(p.why.message, "k77777: duplicate key");
}

TEST(EventParser, AcceptsEcsTypesAndNulls) {
  Parsed p = parse("{" + kA + ",\"source\":{\"ip\":\"2001:db8::1\",\"port\":22},\"event.duration\":5,"
                   "\"event.risk_score\":1.5,\"user.roles\":[\"a\",\"b\"],\"event.start\":\"2026-01-01t00:00:00z\","
                   "\"labels\":{\"any\":\"thing\"},\"user.email\":null,\"process.pid\":1}");
  EXPECT_TRUE(p.ok) << p.why.message;
}

}  // namespace
}  // namespace traild
