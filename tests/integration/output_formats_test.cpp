// What the files hold, checked the way Elasticsearch will see them: every field traild
// writes in the ecs format is an ECS field of its ECS type, or one of traild's declared
// custom fields (reporters/custom_fields.hpp), and is mapped with that type by the shipped
// index template; the gravitee format has exactly the shape of Gravitee AM's reporter.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "reporters/custom_fields.hpp"
#include "tests/integration/harness.hpp"

namespace traild::test {
namespace {

const fs::path kSource(TRAILD_SOURCE_DIR);

// name -> type of every field in ECS's ecs_flat.yml (a top-level "name:" line, then its
// "  type: X" line), read independently of traild's generated table.
std::map<std::string, std::string> ecs_types() {
  std::ifstream in(kSource / "third_party" / "ecs" / "ecs_flat.yml");
  std::map<std::string, std::string> types;
  std::string line, current;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      current = line.substr(0, line.size() - 1);
      if (current.size() > 2 && current.front() == '\'') current = current.substr(1, current.size() - 2);  // '@timestamp'
    }
    if (line.rfind("  type: ", 0) == 0 && !current.empty()) types[current] = line.substr(8);
  }
  return types;
}

bool json_fits(const std::string& type, simdjson::dom::element v) {
  static const std::set<std::string> kStrings = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text",
                                                  "ip", "date", "geo_point"};
  static const std::set<std::string> kIntegers = {"long", "integer", "short", "byte", "unsigned_long"};
  static const std::set<std::string> kNumbers = {"float", "double", "scaled_float", "half_float"};
  if (kStrings.count(type)) return v.is_string();
  if (kIntegers.count(type)) return v.is_int64() || v.is_uint64();
  if (kNumbers.count(type)) return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "flattened" || type == "object" || type == "nested") return true;
  return false;
}

// Each leaf of a line: dotted path and value (array elements under their array's path).
void leaves(simdjson::dom::element v, const std::string& path,
            std::vector<std::pair<std::string, simdjson::dom::element>>& out) {
  simdjson::dom::object object;
  simdjson::dom::array array;
  if (!v.get_object().get(object)) {
    for (auto [k, child] : object) leaves(child, path.empty() ? std::string(k) : path + "." + std::string(k), out);
  } else if (!v.get_array().get(array)) {
    for (auto e : array) leaves(e, path, out);
  } else {
    out.emplace_back(path, v);
  }
}

// The template's mapping type for `path`, or the type of a flattened/object ancestor
// (whose content maps itself); "" when unmapped.
std::string template_type(simdjson::dom::element properties, const std::string& path) {
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    simdjson::dom::element m;
    if (properties[path.substr(start, dot == std::string::npos ? std::string::npos : dot - start)].get(m)) return "";
    std::string_view type;
    if (m["type"].get_string().get(type)) type = "object";
    if (dot == std::string::npos || type == "flattened") return std::string(type);
    simdjson::dom::element sub;
    if (m["properties"].get(sub)) return std::string(type);  // an object ECS leaves open (labels)
    properties = sub;
    start = dot + 1;
  }
}

std::string sh(const Daemon& d, const std::string& cmd) { return cmd + " --socket " + d.stream().string(); }

TEST(EcsOutput, EveryWrittenFieldIsEcsTypedAndMappedByTheTemplate) {
  Daemon d("ecs-conformance");
  d.start();
  const fs::path events = d.dir() / "events.jsonl";
  std::ofstream(events)
      << R"({"@timestamp":"2026-01-02T03:04:05Z","event":{"action":"user-login","outcome":"success","category":["authentication"],"type":["start"],"duration":1500,"id":"evt-1"},"user":{"name":"alice","id":"1000","roles":["admin"]},"source":{"ip":"192.0.2.1","port":52000},"url":{"full":"https://x/login","password":"hunter2"},"http":{"response":{"status_code":200}},"labels":{"env":"prod"},"tags":["a","b"],"message":"hello","process":{"pid":1,"name":"claimed-name"},"log":{"level":"info"}})"
      << "\n";
  auto r = run_command(sh(d, std::string(TRAILCTL_BIN) + " send") + " " + events.string() + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command("logger --socket-errors=on -u " + d.stream().string() +
                  " --rfc5424 --sd-id origin@32473 --sd-param ip=\\\"10.0.0.1\\\" --msgid AUDIT -t app " +
                  "'{\"event\":{\"action\":\"from-logger\"}}' 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (auto [dialect, file] : {std::pair{"maas", "maas_001_example.txt"}, {"salt", "salt_003_rpcresponse.txt"}}) {
    r = run_command(sh(d, std::string(TRAILCTL_BIN) + " import --dialect " + dialect) + " " +
                    (kSource / "tests" / "data" / "seeds" / file).string() + " 2>&1");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  r = run_command(sh(d, std::string(TRAILCTL_BIN) + " import --dialect gravitee") + " " +
                  (kSource / "tests" / "data" / "gravitee" / "es_format.jsonl").string() + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  d.stop();  // the stop event too

  const auto ecs = ecs_types();
  ASSERT_GT(ecs.size(), 1000u);
  simdjson::dom::parser tp;
  simdjson::dom::element tmpl;
  ASSERT_EQ(tp.load((kSource / "packaging" / "elasticsearch" / "traild-index-template.json").string()).get(tmpl),
            simdjson::SUCCESS);
  simdjson::dom::element props = tmpl["template"]["mappings"]["properties"].value_unsafe();
  std::set<std::string> checked;
  simdjson::dom::parser lp;
  const auto lines = d.lines();
  ASSERT_GE(lines.size(), 1u + 1u + 14u + 1u + 2u);
  for (const auto& line : lines) {
    std::vector<std::pair<std::string, simdjson::dom::element>> fields;
    leaves(lp.parse(line).value_unsafe(), "", fields);
    for (const auto& [path, value] : fields) {
      const CustomField* custom = nullptr;
      for (const auto& c : kCustomFields)
        if (path == c.name || path.rfind(std::string(c.name) + ".", 0) == 0) custom = &c;
      std::string expected;
      if (custom != nullptr) {
        expected = std::string(custom->type);
      } else if (ecs.count(path)) {
        expected = ecs.at(path);
      } else {
        // Below an ECS object field that leaves its content open (labels.*).
        for (size_t dot = path.rfind('.'); dot != std::string::npos && expected.empty();
             dot = dot == 0 ? std::string::npos : path.rfind('.', dot - 1)) {
          auto it = ecs.find(path.substr(0, dot));
          if (it != ecs.end() && (it->second == "object" || it->second == "flattened")) expected = it->second;
        }
      }
      ASSERT_FALSE(expected.empty()) << path << " is neither an ECS field nor a declared custom field: " << line;
      EXPECT_TRUE(json_fits(expected, value)) << path << " should be " << expected << ": " << line;
      const std::string mapped = template_type(props, path);
      EXPECT_TRUE(mapped == expected || mapped == "flattened" || (mapped == "object" && expected == "object"))
          << path << " is mapped as '" << mapped << "', ECS says " << expected;
      for (size_t dot = path.find('.'); dot != std::string::npos; dot = path.find('.', dot + 1))
        checked.insert(path.substr(0, dot));
      checked.insert(path);
    }
  }
  // The check saw what matters: enrichment, syslog, claims, redaction and every dialect.
  for (const char* p : {"event.created", "event.sequence", "host.hostname", "process.executable", "process.user.id",
                        "log.syslog.structured_data", "traild.claimed.process.name", "traild.redacted", "maas.type",
                        "salt.session_uuid", "gravitee.referenceId", "event.duration", "url.password"})
    EXPECT_TRUE(checked.count(p)) << p << " was never written";
}

TEST(EcsOutput, TheCommittedTemplateIsTheGeneratedOne) {
  const std::string committed = read_file(kSource / "packaging" / "elasticsearch" / "traild-index-template.json");
  const std::string generated = read_file(fs::path(TRAILD_BINARY_DIR) / "generated" / "traild-index-template.json");
  ASSERT_FALSE(generated.empty());
  EXPECT_TRUE(committed == generated)
      << "packaging/elasticsearch/traild-index-template.json is stale: run cmake --build build --target update-es-template";
}

TEST(EcsOutput, IlmDeletesAfterTheShippedRetention) {
  const std::string config = read_file(kSource / "config" / "traild.yaml");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(config, m, std::regex(R"(retention: \{max_age: (\d+d))")));
  simdjson::dom::parser p;
  std::string_view min_age;
  ASSERT_EQ(p.load((kSource / "packaging" / "elasticsearch" / "traild-ilm-policy.json").string())
                .value_unsafe()["policy"]["phases"]["delete"]["min_age"]
                .get_string()
                .get(min_age),
            simdjson::SUCCESS);
  EXPECT_EQ(min_age, m[1].str());
}

// The fields Gravitee's documented index template maps, plus what its reporter's own
// template (audit.ftl) adds: _type, date, event_id, outcome and accessPoint.displayName.
std::set<std::string> gravitee_fields() {
  simdjson::dom::parser p;
  simdjson::dom::element t = p.load((kSource / "tests" / "data" / "seeds" / "gravitee_004_template.json").string())
                                 .value_unsafe();
  std::set<std::string> out = {"_type", "date", "event_id", "outcome.status", "outcome.message",
                               "accessPoint.displayName"};
  const simdjson::dom::object properties = t["mappings"]["properties"].get_object().value_unsafe();
  for (auto [key, def] : properties) {
    simdjson::dom::object sub;
    if (def["properties"].get_object().get(sub)) {
      out.insert(std::string(key));
      continue;
    }
    for (auto [name, unused] : sub) out.insert(std::string(key) + "." + std::string(name));
  }
  return out;
}

TEST(GraviteeOutput, LinesHaveTheReportersShapeAndRoundTrip) {
  Daemon d("gravitee-format", "  format: gravitee\n");
  d.start();
  const fs::path records = kSource / "tests" / "data" / "gravitee" / "es_format.jsonl";
  auto r = run_command(sh(d, std::string(TRAILCTL_BIN) + " import --dialect gravitee") + " " + records.string() +
                       " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = run_command(sh(d, std::string(TRAILCTL_BIN) + " import --dialect maas") + " " +
                  (kSource / "tests" / "data" / "seeds" / "maas_000_example1.txt").string() + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // A restart and a second import: event_id is read back, nothing is written twice.
  d.stop();
  d.start();
  r = run_command(sh(d, std::string(TRAILCTL_BIN) + " import --dialect gravitee") + " " + records.string() + " 2>&1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  d.stop();

  // The gravitee shape is chained like the ECS one.
  const auto verified = run_command(std::string(TRAILCTL_BIN) + " verify " + d.output().string() + " 2>&1");
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  const auto allowed = gravitee_fields();
  simdjson::dom::parser p;
  std::map<std::string, std::string> by_id;
  for (const auto& line : d.lines()) {
    simdjson::dom::element doc = p.parse(line).value_unsafe();
    std::vector<std::pair<std::string, simdjson::dom::element>> fields;
    leaves(doc, "", fields);
    for (const auto& [path, value] : fields)
      EXPECT_TRUE(allowed.count(path) || path.starts_with("traild.chain.")) << path << " is not Gravitee's: " << line;
    std::string_view type, date, ts, id;
    ASSERT_FALSE(doc["_type"].get_string().get(type));
    EXPECT_EQ(type, "audit");
    ASSERT_FALSE(doc["date"].get_string().get(date));
    ASSERT_FALSE(doc["@timestamp"].get_string().get(ts));
    EXPECT_TRUE(std::regex_match(std::string(date), std::regex(R"(\d{4}\.\d{2}\.\d{2})"))) << date;
    EXPECT_EQ(std::string(date), std::regex_replace(std::string(ts.substr(0, 10)), std::regex("-"), "."));
    ASSERT_FALSE(doc["event_id"].get_string().get(id));
    EXPECT_FALSE(by_id.count(std::string(id))) << id << " written twice";
    by_id[std::string(id)] = line;
  }
  ASSERT_TRUE(by_id.count("gravitee-6f1c-77")) << "lines: " << by_id.size();
  // Every field of the source record comes back as it was sent (@timestamp in UTC).
  std::ifstream in(records);
  std::string source;
  std::getline(in, source);
  std::vector<std::pair<std::string, simdjson::dom::element>> sent, written;
  simdjson::dom::parser sp, wp;
  leaves(sp.parse(source).value_unsafe(), "", sent);
  leaves(wp.parse(by_id["gravitee-6f1c-77"]).value_unsafe(), "", written);
  std::map<std::string, std::string> out;
  for (const auto& [path, v] : written) out[path] = simdjson::minify(v);
  for (const auto& [path, v] : sent) {
    if (path == "@timestamp" || path == "event_id") continue;
    EXPECT_EQ(out[path], simdjson::minify(v)) << path;
  }
  EXPECT_EQ(out["@timestamp"], "\"2024-01-02T02:04:05.678Z\"");
  // The MAAS event, which has no Gravitee fields of its own, still has the shape.
  ASSERT_TRUE(by_id.count("maas-2569"));
  EXPECT_NE(by_id["maas-2569"].find("\"actor\":{\"alternativeId\":\"admin\"}"), std::string::npos)
      << by_id["maas-2569"];
}

}  // namespace
}  // namespace traild::test

namespace traild::test {
namespace {

// The shipped Logstash and Filebeat settings that the no-loss, no-duplicate story rests on,
// checked against the names of files a real traild wrote.
TEST(ShipperConfigs, GlobsMatchRealTrailFilesAndIdsAreTheDocumentIds) {
  Daemon d("shipper-globs");
  d.start();
  d.stop();
  const auto files = d.files();
  ASSERT_FALSE(files.empty());
  const std::string name = files.back().filename().string();
  const std::string logstash = read_file(kSource / "packaging" / "logstash" / "traild.conf");
  EXPECT_NE(logstash.find(R"(document_id => "%{[event][id]}")"), std::string::npos);
  EXPECT_NE(logstash.find(R"(start_position => "beginning")"), std::string::npos);
  EXPECT_NE(logstash.find(R"(codec => json)"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(logstash, m, std::regex(R"re(path => \["\$\{TRAILD_DIR:[^}]*\}/\*\*/(\*\.jsonl)"\])re")));
  EXPECT_EQ(::fnmatch(m[1].str().c_str(), name.c_str(), 0), 0) << m[1] << " vs " << name;
  const YAML::Node filebeat = YAML::LoadFile((kSource / "packaging" / "filebeat" / "traild.yml").string());
  const YAML::Node input = filebeat["filebeat.inputs"][0];
  EXPECT_EQ(input["type"].as<std::string>(), "filestream");
  EXPECT_EQ(input["parsers"][0]["ndjson"]["document_id"].as<std::string>(), "event.id");
  EXPECT_TRUE(input["file_identity.fingerprint"].IsDefined()) << "inode reuse would lose events";
  const std::string glob = fs::path(input["paths"][0].as<std::string>()).filename().string();
  EXPECT_EQ(::fnmatch(glob.c_str(), name.c_str(), 0), 0) << glob << " vs " << name;
}

}  // namespace
}  // namespace traild::test
