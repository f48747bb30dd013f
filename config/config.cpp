#include "config/config.hpp"

#include "common/safe_name.hpp"
#include "common/secret_file.hpp"
#include "integrity/signing.hpp"

#include <grp.h>
#include <pwd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "common/units.hpp"

namespace traild {
namespace {

// A key's setter returns "" when the value was taken, else what is wrong with it.
using Setter = std::function<std::string(const std::string& value, Config&)>;
using ListSetter = std::function<std::string(const std::vector<std::string>& items, Config&)>;

struct KeyDef {
  const char* path;
  const char* doc;
  Setter set;
  ListSetter set_list = nullptr;  // instead of `set`: the key takes a YAML sequence of strings
};

std::string set_string(std::string& field, const std::string& v) {
  field = v;
  return "";
}

Setter path_key(std::function<std::string&(Config&)> field) {
  return [=](const std::string& v, Config& c) -> std::string {
    if (v.empty()) return "must not be empty";
    if (v.find('\0') != std::string::npos) return "must not contain NUL";
    field(c) = v;
    return "";
  };
}

Setter size_key(uint64_t min, uint64_t max, std::function<uint64_t&(Config&)> field) {
  return [=](const std::string& v, Config& c) -> std::string {
    std::string err;
    auto bytes = parse_size_bytes(v, err);
    if (!bytes) return err;
    if (*bytes < min || *bytes > max)
      return "must be between " + std::to_string(min) + " and " + std::to_string(max) + " bytes";
    field(c) = *bytes;
    return "";
  };
}

Setter duration_key(int64_t min_ms, std::function<int64_t&(Config&)> field) {
  return [=](const std::string& v, Config& c) -> std::string {
    std::string err;
    auto ms = parse_duration_ms(v, err);
    if (!ms) return err;
    if (*ms < min_ms) return "must be at least " + std::to_string(min_ms) + "ms";
    field(c) = *ms;
    return "";
  };
}

// output.route_by: "" or a dotted field path (ASCII letters, digits, '_', '-', '@'), not one
// of the fields traild sets itself.
std::string route_field_problem(std::string_view path) {
  if (path.empty()) return "";
  if (path.size() > 256) return "expected a field path of at most 256 bytes";
  size_t segment_start = 0;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || path[i] == '.') {
      if (i == segment_start) return "expected a dotted field path such as organization.id; got \"" + std::string(path) + "\"";
      segment_start = i + 1;
      continue;
    }
    const char c = path[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '@'))
      return "expected a dotted field path such as organization.id; got \"" + std::string(path) + "\"";
  }
  if (path == "traild" || path.starts_with("traild.") || path == "event.sequence" || path == "event.id" ||
      path == "event.created" || path == "@timestamp")
    return std::string(path) + " is set by traild for each event, not a tenant";
  return "";
}

// The first redact.fields entry that redacts route_by's value (a key on its path, or the path
// or one of its parents), if any: such values would otherwise end up in directory names.
std::string redacted_route_field(const Config& c) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  const std::string route = lower(c.output.route_by);
  for (const std::string& entry : c.redact.fields) {
    const std::string field = lower(entry);
    if (field.find('.') != std::string::npos) {
      if (route == field || route.starts_with(field + ".")) return entry;
      continue;
    }
    size_t start = 0;
    while (start <= route.size()) {
      const size_t dot = std::min(route.find('.', start), route.size());
      if (route.compare(start, dot - start, field) == 0 && dot - start == field.size()) return entry;
      start = dot + 1;
    }
  }
  return "";
}

Setter uint_key(uint64_t min, uint64_t max, std::function<void(Config&, uint64_t)> store) {
  return [=](const std::string& v, Config& c) -> std::string {
    uint64_t n = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), n);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return "expected a whole number";
    if (n < min || n > max)
      return "must be between " + std::to_string(min) + " and " + std::to_string(max);
    store(c, n);
    return "";
  };
}

Setter choice_key(std::vector<std::string> choices, std::vector<std::string> implemented,
                  std::function<void(Config&, const std::string&)> store) {
  return [=](const std::string& v, Config& c) -> std::string {
    auto join = [](const std::vector<std::string>& xs) {
      std::string s;
      for (auto& x : xs) s += (s.empty() ? "" : ", ") + x;
      return s;
    };
    if (std::find(choices.begin(), choices.end(), v) == choices.end())
      return "expected one of " + join(choices) + "; got \"" + v + "\"";
    if (std::find(implemented.begin(), implemented.end(), v) == implemented.end())
      return "\"" + v + "\" is not available in this build of traild (available: " + join(implemented) + ")";
    store(c, v);
    return "";
  };
}

// A list of user or group ids, each a number or a name resolved now.
ListSetter id_list_key(bool groups, std::function<std::vector<int64_t>&(Config&)> field) {
  return [=](const std::vector<std::string>& items, Config& c) -> std::string {
    std::vector<int64_t> ids;
    for (const std::string& item : items) {
      int64_t id = 0;
      auto r = std::from_chars(item.data(), item.data() + item.size(), id);
      if (r.ec == std::errc() && r.ptr == item.data() + item.size() && id >= 0) {
        ids.push_back(id);
        continue;
      }
      if (groups) {
        const group* g = ::getgrnam(item.c_str());
        if (g == nullptr) return "no such group: " + item;
        ids.push_back(g->gr_gid);
      } else {
        const passwd* p = ::getpwnam(item.c_str());
        if (p == nullptr) return "no such user: " + item;
        ids.push_back(p->pw_uid);
      }
    }
    field(c) = std::move(ids);
    return "";
  };
}

std::string check_socket_path(const std::string& v) {
  if (v.size() >= 108) return "socket path is longer than the 107 bytes a Unix socket allows";
  return "";
}

const std::vector<KeyDef>& key_defs() {
  static const std::vector<KeyDef> defs = {
      {"listen.stream", "stream socket path for NDJSON and syslog frames; \"\" disables (/run/traild/traild.sock)",
       [](const std::string& v, Config& c) { auto e = check_socket_path(v); return e.empty() ? set_string(c.listen.stream, v) : e; }},
      {"listen.datagram", "datagram socket path, one event per datagram; \"\" disables (/run/traild/traild.dgram)",
       [](const std::string& v, Config& c) { auto e = check_socket_path(v); return e.empty() ? set_string(c.listen.datagram, v) : e; }},
      {"listen.control", "control socket path: live metrics for trailctl stats, to whoever may open it; \"\" disables (/run/traild/traild.ctl)",
       [](const std::string& v, Config& c) { auto e = check_socket_path(v); return e.empty() ? set_string(c.listen.control, v) : e; }},
      {"listen.mode", "octal permissions of the socket files (\"0660\")",
       [](const std::string& v, Config& c) -> std::string {
         unsigned mode = 0;
         auto r = std::from_chars(v.data(), v.data() + v.size(), mode, 8);
         if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size() || mode > 0777)
           return "expected octal permissions such as \"0660\"";
         c.listen.mode = static_cast<mode_t>(mode);
         return "";
       }},
      {"listen.group", "group that owns the socket files; \"\" keeps traild's own group (traild)",
       [](const std::string& v, Config& c) { return set_string(c.listen.group, v); }},
      {"listen.max_connections", "concurrent stream connections; more are refused with a reason (1024)",
       uint_key(1, 1'000'000, [](Config& c, uint64_t n) { c.listen.max_connections = static_cast<uint32_t>(n); })},
      {"listen.idle_timeout", "a stream connection that sends nothing for this long is closed (5m)",
       duration_key(1000, [](Config& c) -> int64_t& { return c.listen.idle_timeout_ms; })},
      {"listen.frame_timeout", "a frame still incomplete after this long is refused and its connection closed (60s)",
       duration_key(100, [](Config& c) -> int64_t& { return c.listen.frame_timeout_ms; })},
      {"listen.allow.stream.uids", "users (ids or names) allowed on the stream socket; with gids, [] allows all ([])",
       nullptr, id_list_key(false, [](Config& c) -> std::vector<int64_t>& { return c.listen.allow_stream.uids; })},
      {"listen.allow.stream.gids", "groups (ids or names) allowed on the stream socket ([])",
       nullptr, id_list_key(true, [](Config& c) -> std::vector<int64_t>& { return c.listen.allow_stream.gids; })},
      {"listen.allow.datagram.uids", "users (ids or names) allowed on the datagram socket ([])",
       nullptr, id_list_key(false, [](Config& c) -> std::vector<int64_t>& { return c.listen.allow_datagram.uids; })},
      {"listen.allow.datagram.gids", "groups (ids or names) allowed on the datagram socket ([])",
       nullptr, id_list_key(true, [](Config& c) -> std::vector<int64_t>& { return c.listen.allow_datagram.gids; })},
      {"input.dialect", "event shape expected on input: auto | ecs | maas | runai | salt | gravitee (auto)",
       choice_key({"auto", "ecs", "maas", "runai", "salt", "gravitee"}, {"auto", "ecs", "maas", "runai", "salt", "gravitee"},
                  [](Config& c, const std::string& v) { c.input.dialect = v; })},
      {"input.maas_timezone",
       "zone of MAAS `created` times, which carry none: UTC | local (the TZ of traild) | +HH:MM | -HH:MM (UTC)",
       [](const std::string& v, Config& c) -> std::string {
         auto zone = parse_zone_rule(v);
         if (!zone) return "expected UTC, local, +HH:MM or -HH:MM; got \"" + v + "\"";
         c.input.maas_zone = *zone;
         return "";
       }},
      {"input.max_event_bytes", "largest accepted frame (64KiB)",
       size_key(64, 64ULL << 20, [](Config& c) -> uint64_t& { return c.input.max_event_bytes; })},
      {"input.non_json", "a syslog record whose MSG is not JSON: reject (quarantined) | wrap (as message) (reject)",
       choice_key({"reject", "wrap"}, {"reject", "wrap"},
                  [](Config& c, const std::string& v) { c.input.wrap_non_json = v == "wrap"; })},
      {"input.non_json_action", "event.action of a wrapped non-JSON syslog message (syslog-message)",
       [](const std::string& v, Config& c) -> std::string {
         if (v.empty() || v.size() > 128) return "expected 1 to 128 bytes";
         return set_string(c.input.non_json_action, v);
       }},
      {"redact.fields",
       "field names (any depth, case-insensitive) or dotted paths whose values never reach the files "
       "(authorization, cookie, set-cookie, password, passwd, secret, token, access_token, refresh_token, api_key, "
       "client_secret)",
       nullptr,
       [](const std::vector<std::string>& items, Config& c) -> std::string {
         c.redact.fields = items;
         return "";
       }},
      {"redact.mode", "what replaces a redacted value: replace ([REDACTED]) | hmac (hmac-sha256:<hex>, keyed) (replace)",
       choice_key({"replace", "hmac"}, {"replace", "hmac"},
                  [](Config& c, const std::string& v) { c.redact.hmac = v == "hmac"; })},
      {"redact.key_file", "secret key for redact.mode hmac; not group or world readable (\"\")",
       [](const std::string& v, Config& c) { return set_string(c.redact.key_file, v); }},
      {"integrity.key_file",
       "secret key making the chain hash an HMAC-SHA-256, so whoever cannot read it cannot recompute the chain; "
       "not group or world readable (\"\": plain SHA-256)",
       [](const std::string& v, Config& c) { return set_string(c.integrity.key_file, v); }},
      {"integrity.signing_key",
       "Ed25519 private key (PEM, `openssl genpkey -algorithm ed25519`) signing the checkpoints; not group or world "
       "readable (\"\": checkpoints unsigned)",
       [](const std::string& v, Config& c) { return set_string(c.integrity.signing_key, v); }},
      {"integrity.checkpoint_interval", "how often a checkpoint records the chain's head when it moved (1m)",
       duration_key(1000, [](Config& c) -> int64_t& { return c.integrity.checkpoint_interval_ms; })},
      {"input.rate_limit.events_per_second",
       "per sender uid: stream senders over it are slowed, datagrams over it dropped and reported; 0 is off (0)",
       uint_key(0, 100'000'000, [](Config& c, uint64_t n) { c.input.rate_limit = n; })},
      {"input.rate_limit.burst", "events a sender may send at once above its rate; 0 is one second's worth (0)",
       uint_key(0, 1'000'000'000, [](Config& c, uint64_t n) { c.input.rate_burst = n; })},
      {"input.max_depth", "deepest accepted nesting of objects and arrays (32)",
       uint_key(2, 1024, [](Config& c, uint64_t n) { c.input.max_depth = static_cast<uint32_t>(n); })},
      {"output.directory", "where the trail's files are written (/var/log/traild)",
       path_key([](Config& c) -> std::string& { return c.output.directory; })},
      {"output.format", "line format: ecs | gravitee (ecs)",
       choice_key({"ecs", "gravitee"}, {"ecs", "gravitee"},
                  [](Config& c, const std::string& v) { c.output.format = v; })},
      {"output.prefix", "file name prefix: files are PREFIX-*.jsonl (audit)",
       [](const std::string& v, Config& c) -> std::string {
         if (v.empty() || v.size() > kMaxSafeNameBytes) return "must be 1 to 64 characters";
         if (!is_safe_name(v)) return "may contain only letters, digits, '_', '-' and '.'";
         if (v[0] == '.') return "must not start with '.'";
         c.output.prefix = v;
         return "";
       }},
      {"output.rotate.max_size", "a new file is started when the active one reaches this size (128MiB)",
       size_key(1024, 1ULL << 40, [](Config& c) -> uint64_t& { return c.output.rotate.max_size; })},
      {"output.rotate.interval", "a new file is started when the active one is this old (1d)",
       duration_key(1000, [](Config& c) -> int64_t& { return c.output.rotate.interval_ms; })},
      {"output.retention.max_age", "closed files older than this (by the time in their name) are deleted (90d)",
       duration_key(1000, [](Config& c) -> int64_t& { return c.output.retention.max_age_ms; })},
      {"output.retention.max_total_size", "oldest closed files are deleted while the trail is larger (10GiB)",
       size_key(0, UINT64_MAX, [](Config& c) -> uint64_t& { return c.output.retention.max_total_size; })},
      {"output.retention.min_free", "oldest closed files are deleted while the file system has less free (1GiB)",
       size_key(0, UINT64_MAX, [](Config& c) -> uint64_t& { return c.output.retention.min_free; })},
      {"output.durability", "when an event is acknowledged: write (in the file) | fsync (on the disk) (write)",
       choice_key({"write", "fsync"}, {"write", "fsync"}, [](Config& c, const std::string& v) {
         c.output.durability = v == "fsync" ? Durability::Fsync : Durability::Write;
       })},
      {"output.route_by", "field whose value picks a subdirectory per tenant; \"\" disables (\"\")",
       [](const std::string& v, Config& c) -> std::string {
         if (std::string problem = route_field_problem(v); !problem.empty()) return problem;
         c.output.route_by = v;
         return "";
       }},
      {"output.max_tenants", "with route_by, how many tenant directories traild writes to; an event for one more is rejected (256)",
       uint_key(1, 100'000, [](Config& c, uint64_t n) { c.output.max_tenants = static_cast<uint32_t>(n); })},
      {"output.max_queue_bytes", "events received but not yet written, at most; beyond it senders wait (8MiB)",
       size_key(64ULL << 10, 4ULL << 30, [](Config& c) -> uint64_t& { return c.output.max_queue_bytes; })},
      {"output.page_cache_window",
       "written data further than this behind the active file's end is dropped from the page cache once on disk, so new writes reuse recently used pages; keep it above how far a shipper tailing the files lags; 0 leaves the page cache to the kernel (16MiB)",
       size_key(0, 1ULL << 40, [](Config& c) -> uint64_t& { return c.output.page_cache_window; })},
      {"output.dedup_window", "how many recent event.ids are remembered to recognise resent events; retention keeps the files holding the last this many events (131072)",
       uint_key(1024, 16u << 20, [](Config& c, uint64_t n) { c.output.dedup_window = static_cast<uint32_t>(n); })},
      {"quarantine.directory", "where rejected frames are kept with their error (/var/lib/traild/rejected)",
       path_key([](Config& c) -> std::string& { return c.quarantine.directory; })},
      {"quarantine.rotate.max_size", "quarantine file size before a new one is started (16MiB)",
       size_key(1024, 1ULL << 40, [](Config& c) -> uint64_t& { return c.quarantine.rotate.max_size; })},
      {"quarantine.rotate.interval", "quarantine file age before a new one is started (1d)",
       duration_key(1000, [](Config& c) -> int64_t& { return c.quarantine.rotate.interval_ms; })},
      {"quarantine.retention.max_age", "closed quarantine files older than this are deleted (30d)",
       duration_key(1000, [](Config& c) -> int64_t& { return c.quarantine.retention.max_age_ms; })},
      {"quarantine.retention.max_total_size", "the quarantine's size bound (1GiB)",
       size_key(0, UINT64_MAX, [](Config& c) -> uint64_t& { return c.quarantine.retention.max_total_size; })},
      {"quarantine.retention.min_free", "oldest quarantine files are deleted while free space is below this (0)",
       size_key(0, UINT64_MAX, [](Config& c) -> uint64_t& { return c.quarantine.retention.min_free; })},
      {"state_directory", "traild's own state: file counters and sequence numbers (/var/lib/traild)",
       path_key([](Config& c) -> std::string& { return c.state_directory; })},
      {"metrics.textfile",
       "Prometheus text file rewritten atomically every metrics.interval (node_exporter's textfile collector); "
       "\"\" writes none (\"\")",
       [](const std::string& v, Config& c) { return set_string(c.metrics.textfile, v); }},
      {"metrics.interval", "how often metrics.textfile is rewritten (15s)",
       duration_key(100, [](Config& c) -> int64_t& { return c.metrics.interval_ms; })},
      {"log.level", "traild's own log level: trace | debug | info | warn | error | critical (info)",
       choice_key({"trace", "debug", "info", "warn", "error", "critical"},
                  {"trace", "debug", "info", "warn", "error", "critical"},
                  [](Config& c, const std::string& v) { c.log.level = v; })},
  };
  return defs;
}

class Loader {
 public:
  Loader(const std::string& source) : source_(source) {}

  void walk(const YAML::Node& node, const std::string& prefix, Config& c) {
    std::set<std::string> seen;
    for (const auto& kv : node) {
      const YAML::Node& k = kv.first;
      const YAML::Node& v = kv.second;
      if (!k.IsScalar()) {
        error(k, prefix.empty() ? "(key)" : prefix, "keys must be plain names");
        continue;
      }
      std::string key = prefix.empty() ? k.Scalar() : prefix + "." + k.Scalar();
      if (!seen.insert(k.Scalar()).second) {
        error(k, key, "duplicate key");
        continue;
      }
      const KeyDef* def = find(key);
      if (def != nullptr && def->set_list) {
        if (!v.IsSequence()) {
          error(v, key, "expected a list, such as [a, b]");
          continue;
        }
        std::vector<std::string> items;
        bool ok = true;
        for (const auto& item : v) {
          if (!item.IsScalar() || item.Scalar().empty() || item.Scalar().find('\n') != std::string::npos) {
            error(item, key, "expected each item to be a non-empty single-line string");
            ok = false;
            break;
          }
          items.push_back(item.Scalar());
        }
        if (!ok) continue;
        std::string problem = def->set_list(items, c);
        if (!problem.empty()) error(v, key, problem);
      } else if (def != nullptr) {
        if (!v.IsScalar() && !v.IsNull()) {
          error(v, key, "expected a single value, got a " + std::string(v.IsMap() ? "mapping" : "list"));
          continue;
        }
        std::string value = v.IsNull() ? "" : v.Scalar();
        std::string problem = def->set(value, c);
        if (!problem.empty()) error(v.IsNull() ? k : v, key, problem);  // a null value's mark is past its line
      } else if (is_section(key)) {
        if (!v.IsMap()) {
          error(v, key, "expected a mapping of keys");
          continue;
        }
        walk(v, key, c);
      } else {
        error(k, key, "unknown key" + suggestion(key));
      }
    }
  }

  void error(const YAML::Node& at, const std::string& key, const std::string& what) {
    errors.push_back(source_ + ":" + std::to_string(at.Mark().line + 1) + ": " + key + ": " + what);
  }

  std::vector<std::string> errors;

 private:
  static const KeyDef* find(const std::string& key) {
    for (const auto& d : key_defs())
      if (key == d.path) return &d;
    return nullptr;
  }
  static bool is_section(const std::string& key) {
    for (const auto& d : key_defs())
      if (std::string_view(d.path).starts_with(key + ".")) return true;
    return false;
  }
  static std::string suggestion(const std::string& key) {
    auto dot = key.rfind('.');
    std::string leaf = dot == std::string::npos ? key : key.substr(dot + 1);
    for (const auto& d : key_defs()) {
      std::string_view p(d.path);
      if (p.ends_with("." + leaf) || p == leaf) return " (did you mean " + std::string(p) + "?)";
    }
    return "";
  }

  std::string source_;
};

}  // namespace

ConfigLoad load_config_text(std::string_view yaml, const std::string& source_name) {
  ConfigLoad out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::ParserException& e) {
    out.errors.push_back(source_name + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    return out;
  }
  Config c;
  Loader loader(source_name);
  if (root.IsNull()) {
    // An empty file means every default; that is legitimate.
  } else if (!root.IsMap()) {
    out.errors.push_back(source_name + ":" + std::to_string(root.Mark().line + 1) +
                         ": the configuration must be a mapping of keys");
    return out;
  } else {
    loader.walk(root, "", c);
  }
  if (c.listen.stream.empty() && c.listen.datagram.empty())
    loader.errors.push_back(source_name + ": listen: both listen.stream and listen.datagram are disabled");
  if (c.redact.hmac && c.redact.key_file.empty()) {
    loader.errors.push_back(source_name + ": redact.key_file: required when redact.mode is hmac");
  } else if (c.redact.hmac) {
    std::string problem;
    c.redact.key = read_secret_key_file(c.redact.key_file, problem);
    if (!problem.empty()) loader.errors.push_back(source_name + ": redact.key_file: " + problem);
  }
  if (!c.integrity.key_file.empty()) {
    std::string problem;
    c.integrity.key = read_secret_key_file(c.integrity.key_file, problem);
    if (!problem.empty()) loader.errors.push_back(source_name + ": integrity.key_file: " + problem);
  }
  if (!c.integrity.signing_key.empty()) {
    std::string problem;
    c.integrity.signing_key_pem = read_secret_key_file(c.integrity.signing_key, problem);
    if (problem.empty()) problem = check_signing_key(c.integrity.signing_key_pem);
    if (!problem.empty()) loader.errors.push_back(source_name + ": integrity.signing_key: " + problem);
  }
  if (!c.output.route_by.empty()) {
    if (const std::string entry = redacted_route_field(c); !entry.empty())
      loader.errors.push_back(source_name + ": output.route_by: " + c.output.route_by + " is redacted (redact.fields has \"" +
                              entry + "\"); its values would appear in directory names");
  }
  if (c.output.rotate.max_size < c.input.max_event_bytes)
    loader.errors.push_back(source_name + ": output.rotate.max_size: must be at least input.max_event_bytes");
  out.errors = std::move(loader.errors);
  if (out.errors.empty()) out.config = std::move(c);
  return out;
}

ConfigLoad load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    ConfigLoad out;
    out.errors.push_back(path + ": cannot read the configuration file");
    return out;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str(), path);
}

bool AllowList::allows(int64_t uid, int64_t gid) const {
  if (empty()) return true;
  return std::find(uids.begin(), uids.end(), uid) != uids.end() ||
         std::find(gids.begin(), gids.end(), gid) != gids.end();
}

std::vector<std::string> config_key_docs() {
  std::vector<std::string> out;
  for (const auto& d : key_defs()) out.push_back(std::string(d.path) + ": " + d.doc);
  return out;
}

}  // namespace traild
