// The input dialects, tested on the example records of the seed documents themselves
// (tests/data/seeds/, cut verbatim), read the way `trailctl import` reads them.
#include "daemon/dialect/dialect.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ctl/import_reader.hpp"
#include "daemon/dialect/mappers.hpp"
#include "daemon/event_parser.hpp"
#include "daemon/handshake.hpp"
#include "reporters/ecs_formatter.hpp"

namespace traild {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path seed_dir() { return fs::path(TRAILD_SOURCE_DIR) / "tests" / "data" / "seeds"; }

std::vector<std::string> seed_records(Dialect d, const std::string& file) {
  std::string text = slurp(seed_dir() / file);
  if (d == Dialect::Runai) {
    // The document elides further records with a line "..." after the last comma.
    const size_t elision = text.find(",\n...\n");
    if (elision != std::string::npos) text.replace(elision, 6, "\n");
  }
  std::vector<std::string> records;
  std::string error;
  EXPECT_TRUE(ctl::read_export(d, text, records, error)) << file << ": " << error;
  return records;
}

// Flattens a JSON value into dotted path -> minified value.
void flatten(simdjson::dom::element v, const std::string& path, std::map<std::string, std::string>& out) {
  simdjson::dom::object o;
  if (!v.get_object().get(o)) {
    for (auto [k, child] : o) flatten(child, path.empty() ? std::string(k) : path + "." + std::string(k), out);
    return;
  }
  out[path] = simdjson::minify(v);
}

struct Mapped {
  bool ok = false;
  Rejection why;
  std::map<std::string, std::string> fields;  // of the ECS line traild would write
};

// Detects (or takes) the dialect, maps, validates and formats one record, as the pipeline does.
Mapped map_record(const std::string& record, std::optional<Dialect> dialect = {}, DialectContext context = {}) {
  Mapped m;
  simdjson::dom::parser source_parser;
  simdjson::dom::element doc;
  EXPECT_EQ(source_parser.parse(record).get(doc), simdjson::SUCCESS) << record;
  simdjson::dom::object obj = doc.get_object().value_unsafe();
  Dialect d;
  if (dialect) {
    d = *dialect;
  } else {
    auto found = detect_dialect(obj, m.why);
    if (!found) return m;
    d = *found;
  }
  std::string ecs = record;
  if (d != Dialect::Ecs && !map_dialect(obj, d, context, ecs, m.why)) return m;
  EventParser parser({1 << 16, 32});
  const size_t size = ecs.size();
  ecs.append(EventParser::kPadding, '\0');
  ParsedEvent event;
  if (!parser.parse({ecs.data(), size}, event, m.why)) return m;
  std::string line;
  const std::string ts = event.has_timestamp ? rfc3339_ms(event.timestamp_ms) : "2026-01-01T00:00:00.000Z";
  format_ecs_line(event, {ts, event.id.empty() ? "generated" : event.id, "2026-01-01T00:00:00.000Z", "h", 1}, line);
  simdjson::dom::parser out_parser;
  EXPECT_EQ(out_parser.parse(line).get(doc), simdjson::SUCCESS) << line;
  flatten(doc, "", m.fields);
  m.ok = true;
  return m;
}

// Lossless: every scalar of the source record appears among the output's values (as a
// string, a number, or inside an array), except the fields the mapping converts, which
// the tests check one by one.
void expect_lossless(const std::string& record, const Mapped& m, std::initializer_list<std::string_view> converted) {
  simdjson::dom::parser p;
  std::map<std::string, std::string> source;
  flatten(p.parse(record).value_unsafe(), "", source);
  for (const auto& [path, value] : source) {
    const std::string leaf = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
    bool skip = value == "null";
    for (auto c : converted) skip = skip || leaf == c;
    if (skip) continue;
    bool found = false;
    for (const auto& [out_path, out_value] : m.fields) {
      found = found || out_value == value || out_value == "\"" + value + "\"" ||
              (out_value.front() == '[' && out_value.find(value) != std::string::npos);
    }
    EXPECT_TRUE(found) << path << "=" << value << " of " << record << " is nowhere in the output";
  }
}

// Checks output fields (dotted path -> JSON value text) of a mapped record.
void expect_fields(const Mapped& m, std::initializer_list<std::pair<const char*, const char*>> expected) {
  for (const auto& [path, value] : expected) {
    auto it = m.fields.find(path);
    EXPECT_TRUE(it != m.fields.end() && it->second == value)
        << path << ": expected " << value << ", got " << (it == m.fields.end() ? "nothing" : it->second);
  }
}

TEST(Seeds, CutVerbatim) {
  const fs::path shared = fs::path(TRAILD_SOURCE_DIR) / ".." / "shared" / "seeds";
  if (!fs::exists(shared)) GTEST_SKIP() << "the shared seed documents are not beside the repository";
  std::string all;
  for (const auto& e : fs::directory_iterator(shared)) all += slurp(e.path());
  for (const auto& e : fs::directory_iterator(seed_dir())) {
    if (e.path().extension() == ".md") continue;
    EXPECT_NE(all.find(slurp(e.path())), std::string::npos) << e.path() << " is not cut verbatim from a seed";
  }
}

TEST(Maas, EverySeedRecordMaps) {
  size_t total = 0;
  for (const char* file : {"maas_000_example1.txt", "maas_000_example2.txt", "maas_001_example.txt"}) {
    for (const auto& r : seed_records(Dialect::Maas, file)) {
      ++total;
      Mapped m = map_record(r);
      ASSERT_TRUE(m.ok) << file << ": " << r << ": " << m.why.message;
      EXPECT_EQ(m.fields["event.module"], "\"maas\"");
      EXPECT_EQ(m.fields["log.level"], "\"AUDIT\"");
      EXPECT_EQ(m.fields["event.id"].substr(0, 6), "\"maas-");
      EXPECT_TRUE(m.fields.count("message")) << r;
      expect_lossless(r, m, {});
    }
  }
  EXPECT_EQ(total, 1u + 3u + 14u);
}

TEST(Maas, FieldsOfTheLoginExample) {
  auto records = seed_records(Dialect::Maas, "maas_000_example1.txt");
  ASSERT_EQ(records.size(), 1u);
  Mapped m = map_record(records[0]);
  ASSERT_TRUE(m.ok) << m.why.message;
  expect_fields(m, {
      {"@timestamp", "\"2018-02-01T22:28:18.000Z\""},
      {"user.name", "\"admin\""},
      {"event.id", "\"maas-2569\""},
      {"event.action", "\"user-login\""},
      {"event.category", "[\"authentication\"]"},
      {"message", "\"User admin logged in.\""},
      {"maas.type", "\"Authorisation\""},
  });
  EXPECT_FALSE(m.fields.count("entity.target.name")) << "an empty hostname names no machine";
}

TEST(Maas, NodeEventsTargetTheMachine) {
  auto records = seed_records(Dialect::Maas, "maas_001_example.txt");
  Mapped m = map_record(records.at(0));
  ASSERT_TRUE(m.ok) << m.why.message;
  expect_fields(m, {
      {"entity.target.id", "\"e86c7h\""},
      {"entity.target.name", "\"valued-moth\""},
      {"entity.target.type", "\"host\""},
      {"event.action", "\"started-deploying\""},
      {"event.category", "[\"host\"]"},
  });
  // A settings event: hostname "unknown" is no machine, and the action comes from the text.
  Mapped settings = map_record(records.at(9));
  ASSERT_TRUE(settings.ok) << settings.why.message;
  EXPECT_EQ(settings.fields["event.action"], "\"updated-configuration-setting\"");
  EXPECT_EQ(settings.fields["event.category"], "[\"configuration\"]");
  EXPECT_FALSE(settings.fields.count("entity.target.name"));
  EXPECT_EQ(settings.fields["maas.hostname"], "\"unknown\"");
}

TEST(Maas, CreatedIsReadInTheConfiguredZone) {
  auto records = seed_records(Dialect::Maas, "maas_000_example1.txt");
  Mapped m = map_record(records[0], Dialect::Maas, {*parse_zone_rule("+02:00"), ""});
  ASSERT_TRUE(m.ok) << m.why.message;
  EXPECT_EQ(m.fields["@timestamp"], "\"2018-02-01T20:28:18.000Z\"");
  using dialect::parse_maas_time;
  EXPECT_EQ(parse_maas_time("Tue, 01 May 2018 01:02:03", {}), 1525136523000);
  EXPECT_EQ(parse_maas_time("1 Sept. 2020 10:00", {}), 1598954400000);
  EXPECT_EQ(parse_maas_time("Thu, 29 Feb. 2024 23:59:59", {}), 1709251199000);
  EXPECT_FALSE(parse_maas_time("Thu, 31 Feb. 2018 22:28:18", {}));
  EXPECT_FALSE(parse_maas_time("2018-02-01T22:28:18Z", {}));
  EXPECT_FALSE(parse_maas_time("Thu, 01 Foo. 2018 22:28:18", {}));
  EXPECT_FALSE(parse_maas_time("Thu, 01 Feb. 2018 22:28:18 extra", {}));
}

TEST(Maas, MissingCreatedIsRefusedWithItsName) {
  Mapped m = map_record(R"({"username":"a","type":"Node","description":"d","level":"AUDIT"})", Dialect::Maas);
  ASSERT_FALSE(m.ok);
  EXPECT_EQ(m.why.code, RejectCode::DialectMismatch);
  EXPECT_NE(m.why.message.find("created"), std::string::npos) << m.why.message;
  Mapped bad = map_record(R"({"created":"yesterday","type":"Node","description":"d","level":"AUDIT"})");
  ASSERT_FALSE(bad.ok);
  EXPECT_NE(bad.why.message.find("\"yesterday\" is not a MAAS date"), std::string::npos) << bad.why.message;
}

TEST(Runai, EverySeedRecordMaps) {
  auto records = seed_records(Dialect::Runai, "runai_002_sample.json");
  ASSERT_EQ(records.size(), 2u);
  for (const auto& r : records) {
    Mapped m = map_record(r);
    ASSERT_TRUE(m.ok) << r << ": " << m.why.message;
    expect_lossless(r, m, {});
  }
  Mapped m = map_record(records[0]);
  expect_fields(m, {
      {"@timestamp", "\"2022-07-07T09:45:32.069Z\""},
      {"event.action", "\"Update\""},
      {"event.type", "[\"change\"]"},
      {"organization.id", "\"1\""},
      {"entity.target.id", "\"1\""},
      {"entity.target.name", "\"team-a\""},
      {"runai.entityType", "\"Project\""},
      {"user.id", "\"a79500fb-c452-471f-adc0-b65c972bd5c2\""},
      {"source.ip", "\"10.244.0.0\""},
  });
  EXPECT_EQ(m.fields["user_agent.original"].substr(0, 12), "\"Mozilla/5.0");
  EXPECT_EQ(m.fields["event.id"], "\"runai-1-3\"");
  Mapped app = map_record(records[1]);
  EXPECT_EQ(app.fields["entity.target.type"], "\"application\"");
  EXPECT_EQ(app.fields["event.type"], "[\"creation\"]");
}

TEST(Runai, SuccessBecomesTheOutcome) {
  Mapped ok = map_record(R"({"happenedAt":"2022-07-07T09:45:32Z","action":"Login","success":true})");
  ASSERT_TRUE(ok.ok) << ok.why.message;
  EXPECT_EQ(ok.fields["event.outcome"], "\"success\"");
  EXPECT_EQ(ok.fields["event.category"], "[\"authentication\"]");
  Mapped failed = map_record(R"({"happenedAt":"2022-07-07T09:45:32Z","action":"Login","success":"false"})");
  EXPECT_EQ(failed.fields["event.outcome"], "\"failure\"");
  Mapped odd_ip = map_record(R"({"happenedAt":"2022-07-07T09:45:32Z","action":"Login","context":{"ip_address":"gw-1"}})");
  ASSERT_TRUE(odd_ip.ok) << odd_ip.why.message;
  EXPECT_EQ(odd_ip.fields["source.address"], "\"gw-1\"") << "not an IP: kept, as an address";
}

TEST(Runai, CsvDownloadWithTheTablesColumns) {
  std::vector<std::string> records;
  std::string error;
  ASSERT_TRUE(ctl::read_export(Dialect::Runai,
                               "User/App,Date & Time,Event,Event ID,Status,Entity type,Entity name,Entity ID,"
                               "Cluster Name,Cluster ID\r\n"
                               "alice@example.com,07/07/2022 09:45 pm,Update,3,Succeeded,Project,\"team, a\",1,c1,\r\n",
                               records, error))
      << error;
  ASSERT_EQ(records.size(), 1u);
  Mapped m = map_record(records[0]);
  ASSERT_TRUE(m.ok) << records[0] << ": " << m.why.message;
  expect_fields(m, {
      {"@timestamp", "\"2022-07-07T21:45:00.000Z\""},
      {"entity.target.name", "\"team, a\""},
      {"event.outcome", "\"success\""},
      {"orchestrator.cluster.name", "\"c1\""},
  });
  EXPECT_FALSE(m.fields.count("orchestrator.cluster.id")) << "an empty cell is no value";
  EXPECT_FALSE(ctl::read_export(Dialect::Runai, "a,b\n\"open\n", records, error));
  EXPECT_NE(error.find("unterminated"), std::string::npos) << error;
}

TEST(Salt, TheSeedsPythonReprMaps) {
  auto records = seed_records(Dialect::Salt, "salt_003_rpcresponse.txt");
  ASSERT_EQ(records.size(), 1u);
  Mapped m = map_record(records[0]);
  ASSERT_TRUE(m.ok) << records[0] << ": " << m.why.message;
  expect_lossless(records[0], m, {"failed"});
  expect_fields(m, {
      {"event.start", "\"2019-06-05T21:12:53.190506+00:00\""},
      {"event.end", "\"2019-06-05T21:13:24.729561+00:00\""},
      {"event.duration", "31539055000"},
      {"event.outcome", "\"failure\""},
      {"event.action", "\"login\""},
      {"event.category", "[\"authentication\"]"},
      {"user.name", "\"root\""},
      {"salt.session_uuid", "\"4642ef92-d5ac-4ea2-b95d-2055b43f2193\""},
      {"message", "\"User root: authentication failed: invalid basic-auth credentials\""},
      {"event.id", "\"salt-175\""},
  });
}

TEST(Salt, JsonReturnAndNaiveTimes) {
  std::vector<std::string> records;
  std::string error;
  ASSERT_TRUE(ctl::read_export(Dialect::Salt,
                               R"({"ret":{"count":1,"results":[{"id":1,"start_time":"2019-06-05T21:12:53",)"
                               R"("elapsed_msec":1500,"event_type":"rpc","event_name":"minions.get_minion_cache",)"
                               R"("username":"root","failed":false}]}})",
                               records, error))
      << error;
  ASSERT_EQ(records.size(), 1u);
  Mapped m = map_record(records[0]);
  ASSERT_TRUE(m.ok) << m.why.message;
  EXPECT_EQ(m.fields["@timestamp"], "\"2019-06-05T21:12:53.000Z\"") << "a time without a zone is UTC";
  expect_fields(m, {
      {"event.duration", "1500000000"},
      {"event.outcome", "\"success\""},
      {"event.category", "[\"api\"]"},
  });
}

// Found by fuzz/dialect_fuzz: a start centuries after the end overflowed the duration.
TEST(Salt, DurationsBeyondALongAreLeftOut) {
  Mapped m = map_record(R"({"id":1,"start_time":"2919-06-05T21:12:53.19Z","end_time":"2019-06-05T21:13:25Z",)"
                        R"("event_type":"auth","event_name":"login"})");
  ASSERT_TRUE(m.ok) << m.why.message;
  EXPECT_FALSE(m.fields.count("event.duration"));
  Mapped huge = map_record(R"({"id":1,"start_time":"2019-06-05T21:12:53Z","elapsed_msec":9223372036854775807,)"
                           R"("event_type":"auth","event_name":"login"})");
  ASSERT_TRUE(huge.ok) << huge.why.message;
  EXPECT_FALSE(huge.fields.count("event.duration"));
  Mapped far = map_record(R"({"id":1,"start_time":"0001-01-01T00:00:00Z","end_time":"9999-12-31T23:59:59Z",)"
                          R"("event_type":"auth","event_name":"login"})");
  ASSERT_TRUE(far.ok) << far.why.message;
  EXPECT_FALSE(far.fields.count("event.duration"));
}

// tests/data/gravitee/es_format.jsonl: records in the file reporter's ELASTICSEARCH format;
// the first has every field of the seed's index template (checked here).
std::string gravitee_es_record() {
  std::ifstream in(fs::path(TRAILD_SOURCE_DIR) / "tests" / "data" / "gravitee" / "es_format.jsonl");
  std::string line;
  std::getline(in, line);
  simdjson::dom::parser p, t;
  simdjson::dom::element record = p.parse(line).value_unsafe();
  simdjson::dom::element tmpl = t.load((seed_dir() / "gravitee_004_template.json").string()).value_unsafe();
  const simdjson::dom::object properties = tmpl["mappings"]["properties"].get_object().value_unsafe();
  for (auto [key, def] : properties) {
    simdjson::dom::element value, sub;
    EXPECT_EQ(record.at_key(key).get(value), simdjson::SUCCESS) << "the record lacks template field " << key;
    if (def["properties"].get(sub)) continue;
    const simdjson::dom::object subfields = sub.get_object().value_unsafe();
    for (auto [name, unused] : subfields)
      EXPECT_EQ(value.at_key(name).get(sub), simdjson::SUCCESS) << "the record lacks " << key << "." << name;
  }
  return line;
}

TEST(Gravitee, EveryTemplateFieldMaps) {
  const std::string r = gravitee_es_record();
  Mapped m = map_record(r);
  ASSERT_TRUE(m.ok) << r << ": " << m.why.message;
  expect_lossless(r, m, {"@timestamp", "status"});
  expect_fields(m, {
      {"@timestamp", "\"2024-01-02T02:04:05.678Z\""},
      {"event.outcome", "\"failure\""},
      {"event.action", "\"USER_LOGIN\""},
      {"event.category", "[\"authentication\"]"},
      {"event.id", "\"gravitee-6f1c-77\""},
      {"organization.id", "\"DEFAULT\""},
      {"transaction.id", "\"tx-9\""},
      {"user.id", "\"u-1\""},
      {"user.name", "\"jdoe\""},
      {"user.full_name", "\"John Doe\""},
      {"entity.target.id", "\"u-1\""},
      {"entity.target.type", "\"user\""},
      {"source.ip", "\"192.0.2.7\""},
      {"host.hostname", "\"am-gw-1\""},
      {"gravitee.environmentId", "\"DEFAULT\""},
  });
}

TEST(Gravitee, JsonFormatWithEpochTimestamp) {
  Mapped m = map_record(R"({"id":"a1","type":"CLIENT_CREATED","timestamp":1706839698123,"referenceType":"DOMAIN",)"
                        R"("referenceId":"d","outcome":{"status":"SUCCESS","message":"ok"},)"
                        R"("target":{"id":"c1","type":"APPLICATION","displayName":"My app"}})");
  ASSERT_TRUE(m.ok) << m.why.message;
  expect_fields(m, {
      {"@timestamp", "\"2024-02-02T02:08:18.123Z\""},
      {"event.type", "[\"creation\"]"},
      {"event.category", "[\"configuration\"]"},
      {"entity.target.type", "\"application\""},
      {"gravitee.target.type", "\"APPLICATION\""},
      {"entity.target.display_name", "\"My app\""},
      {"message", "\"ok\""},
  });
}

// Found by fuzz/dialect_fuzz: a huge epoch number overflowed the conversion to milliseconds.
TEST(Gravitee, TimestampsBeyondYear9999AreRefused) {
  Mapped m = map_record(R"({"id":"a","type":"USER_LOGIN","timestamp":1.7e110,"referenceType":"DOMAIN"})");
  ASSERT_FALSE(m.ok);
  EXPECT_EQ(m.why.code, RejectCode::DialectMismatch);
  EXPECT_NE(m.why.message.find("epoch time"), std::string::npos) << m.why.message;
  Mapped last = map_record(R"({"id":"a","type":"USER_LOGIN","timestamp":253402300799999,"referenceType":"DOMAIN"})");
  ASSERT_TRUE(last.ok) << last.why.message;
  EXPECT_EQ(last.fields["@timestamp"], "\"9999-12-31T23:59:59.999Z\"");
}

TEST(Detection, ShapesAndTheirErrors) {
  Mapped ecs = map_record(R"({"event":{"action":"x"},"happenedAt":"not a runai record"})");
  EXPECT_TRUE(ecs.ok) << "an event field makes it ECS: " << ecs.why.message;
  Mapped ambiguous = map_record(R"({"created":"x","level":"AUDIT","description":"d","happenedAt":"y"})");
  ASSERT_FALSE(ambiguous.ok);
  EXPECT_EQ(ambiguous.why.code, RejectCode::AmbiguousDialect);
  EXPECT_NE(ambiguous.why.message.find("maas and runai"), std::string::npos) << ambiguous.why.message;
  Mapped unknown = map_record(R"({"who":"alice"})");
  ASSERT_FALSE(unknown.ok);
  EXPECT_EQ(unknown.why.code, RejectCode::MissingField) << "unrecognised shapes are ECS events";
}

TEST(DerivedIds, InstanceAndOverlongIds) {
  using dialect::derived_event_id;
  EXPECT_EQ(derived_event_id("maas", "", {"12"}), "maas-12");
  EXPECT_EQ(derived_event_id("maas", "region-a", {"12"}), "maas-region-a-12");
  const std::string hashed = derived_event_id("gravitee", "", {std::string(200, 'x')});
  EXPECT_EQ(hashed.rfind("gravitee-sha256-", 0), 0u);
  EXPECT_EQ(hashed.size(), 16u + 64u);
  EXPECT_EQ(hashed, derived_event_id("gravitee", "", {std::string(200, 'x')})) << "stable";
  EXPECT_EQ(derived_event_id("x", "", {"a\nb"}).rfind("x-sha256-", 0), 0u) << "no control characters";
}

TEST(PythonLiteral, ReprsBecomeJson) {
  auto convert = [](std::string_view in) {
    std::string out, error;
    size_t pos = 0;
    return ctl::python_literal_to_json(in, pos, out, error) ? out : "ERROR " + error;
  };
  EXPECT_EQ(convert("{'a': None, 'b': True, \"c\": [1, 2.5, -3,], 'd': (1,)}"),
            R"({"a":null,"b":true,"c":[1,2.5,-3],"d":[1]})");
  EXPECT_EQ(convert(R"('it\'s \u00e9 \x41 "q"')"), "\"it's \xC3\xA9 A \\\"q\\\"\"");
  EXPECT_NE(convert("{'a': datetime(1)}").find("ERROR"), std::string::npos);
  EXPECT_NE(convert("{1: 2}").find("dict keys must be strings"), std::string::npos);
  EXPECT_NE(convert("'open").find("unterminated"), std::string::npos);
  EXPECT_NE(convert(std::string(100, '[')).find("deeply"), std::string::npos);
}

TEST(Handshake, DialectAndInstance) {
  HandshakeParser p;
  ClientChoice c;
  std::string error;
  EXPECT_EQ(p.parse(R"({"traild":{"ack":true}})", c, error), HandshakeParser::Result::Accepted);
  EXPECT_FALSE(c.dialect);
  EXPECT_EQ(p.parse(R"({"traild":{"ack":true,"dialect":"salt","instance":"prod-1"}})", c, error),
            HandshakeParser::Result::Accepted);
  EXPECT_EQ(c.dialect, Dialect::Salt);
  EXPECT_EQ(c.instance, "prod-1");
  EXPECT_EQ(p.parse(R"({"traild":{"ack":true,"dialect":"syslog"}})", c, error), HandshakeParser::Result::Invalid);
  EXPECT_NE(error.find("maas, runai"), std::string::npos) << error;
  EXPECT_EQ(p.parse(R"({"traild":{"ack":true,"instance":"a b"}})", c, error), HandshakeParser::Result::Invalid);
  EXPECT_EQ(p.parse(R"({"traild":{"ack":true,"colour":1}})", c, error), HandshakeParser::Result::Invalid);
  EXPECT_EQ(p.parse(R"({"traild":{"ack":false}})", c, error), HandshakeParser::Result::NotHandshake);
  EXPECT_EQ(p.parse(R"({"event":{"action":"x"}})", c, error), HandshakeParser::Result::NotHandshake);
}

}  // namespace
}  // namespace traild
