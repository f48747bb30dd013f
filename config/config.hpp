// traild's configuration: one YAML file (../docs/configuration.md documents every key).
// Loading collects every problem, each naming the key and its line; nothing falls back to a
// default silently.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.hpp"

namespace traild {

enum class Durability { Write, Fsync };

struct RotateConfig {
  uint64_t max_size = 128ULL << 20;
  int64_t interval_ms = 86'400'000;  // 1d
};

struct RetentionConfig {
  int64_t max_age_ms = 90LL * 86'400'000;
  uint64_t max_total_size = 10ULL << 30;
  uint64_t min_free = 1ULL << 30;
};

// Who may send to a socket: empty lists allow everyone; otherwise a sender whose uid is in
// `uids` or whose gid is in `gids` is allowed.
struct AllowList {
  std::vector<int64_t> uids;
  std::vector<int64_t> gids;
  bool allows(int64_t uid, int64_t gid) const;
  bool empty() const { return uids.empty() && gids.empty(); }
};

struct ListenConfig {
  std::string stream = "/run/traild/traild.sock";
  std::string datagram = "/run/traild/traild.dgram";
  std::string control = "/run/traild/traild.ctl";  // live metrics for trailctl stats
  mode_t mode = 0660;
  std::string group = "traild";  // "" keeps the daemon's own group
  uint32_t max_connections = 1024;
  int64_t idle_timeout_ms = 300'000;  // a stream connection silent this long is closed
  int64_t frame_timeout_ms = 60'000;  // a frame still incomplete after this long is refused
  AllowList allow_stream;
  AllowList allow_datagram;
};

struct InputConfig {
  std::string dialect = "auto";
  ZoneRule maas_zone;  // MAAS `created` times carry no zone: read them in this one
  uint64_t max_event_bytes = 64ULL << 10;
  uint32_t max_depth = 32;
  // A syslog record whose MSG is not a JSON event: rejected, or wrapped as the `message` of
  // an event whose event.action is non_json_action.
  bool wrap_non_json = false;
  std::string non_json_action = "syslog-message";
  uint64_t rate_limit = 0;  // events per second per sender uid; 0: no limit
  uint64_t rate_burst = 0;  // bucket size; 0: one second's worth
};

struct OutputConfig {
  std::string directory = "/var/log/traild";
  std::string format = "ecs";
  std::string prefix = "audit";
  RotateConfig rotate;
  RetentionConfig retention;
  Durability durability = Durability::Write;
  std::string route_by;                    // a field whose value picks output.directory/<tenant>
  uint32_t max_tenants = 256;              // tenant directories written to, at most
  uint64_t max_queue_bytes = 8ULL << 20;  // events received but not yet written
  uint32_t dedup_window = 131072;          // producer event.ids remembered for resends
  uint64_t page_cache_window = 16ULL << 20;  // written bytes kept cached behind a file's end; 0: all
};

struct QuarantineConfig {
  std::string directory = "/var/lib/traild/rejected";
  RotateConfig rotate{16ULL << 20, 86'400'000};
  RetentionConfig retention{30LL * 86'400'000, 1ULL << 30, 0};
};

struct LogConfig {
  std::string level = "info";
};

struct RedactConfig {
  // Names match a key at any depth; entries with a dot match a whole dotted path. Both
  // case-insensitively.
  std::vector<std::string> fields = {"authorization", "cookie", "set-cookie", "password", "passwd", "secret",
                                     "token", "access_token", "refresh_token", "api_key", "client_secret"};
  bool hmac = false;  // hmac-sha256:<hex> keyed by key_file instead of [REDACTED]
  std::string key_file;
  std::string key;  // read from key_file when the configuration is loaded
};

// The trail's hash chain and signed checkpoints (docs/integrity.md).
struct IntegrityConfig {
  std::string key_file;     // HMAC key for the chain; "" hashes with plain SHA-256
  std::string key;          // read from key_file when the configuration is loaded
  std::string signing_key;  // Ed25519 private key (PEM) that signs checkpoints; "" leaves them unsigned
  std::string signing_key_pem;  // read from signing_key when the configuration is loaded
  int64_t checkpoint_interval_ms = 60'000;
};

struct MetricsConfig {
  std::string textfile;  // "" writes no metrics file
  int64_t interval_ms = 15'000;
};

struct Config {
  ListenConfig listen;
  InputConfig input;
  OutputConfig output;
  RedactConfig redact;
  QuarantineConfig quarantine;
  std::string state_directory = "/var/lib/traild";
  LogConfig log;
  MetricsConfig metrics;
  IntegrityConfig integrity;
};

struct ConfigLoad {
  std::optional<Config> config;     // set when there were no errors
  std::vector<std::string> errors;  // "FILE:LINE: key: problem"
};

ConfigLoad load_config_file(const std::string& path);
ConfigLoad load_config_text(std::string_view yaml, const std::string& source_name);

// One line per key: "key: what it is (default)"; used by --help and checked against the docs.
std::vector<std::string> config_key_docs();

}  // namespace traild
