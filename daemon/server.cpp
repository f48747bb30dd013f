#include "daemon/server.hpp"

#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/json_escape.hpp"
#include "daemon/control_listener.hpp"
#include "daemon/datagram_listener.hpp"
#include "daemon/metrics.hpp"
#include "daemon/pipeline.hpp"
#include "daemon/recent_ids.hpp"
#include "daemon/socket_activation.hpp"
#include "daemon/stream_listener.hpp"
#include "daemon/unix_socket.hpp"
#include "integrity/digest.hpp"
#include "integrity/signing.hpp"
#include "reporters/file_stream.hpp"
#include "reporters/trail_set.hpp"
#include "reporters/writer.hpp"

namespace traild {
namespace {

std::string local_hostname() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

// traild's own events, written into the trail like any other.
std::string internal_event(std::string_view action, std::string_view category, std::string_view type,
                           std::string_view message, std::string_view extra = {},
                           std::string_view outcome = "success") {
  std::string j = "{\"event\":{\"action\":";
  append_json_string(j, action);
  j.append(",\"outcome\":");
  append_json_string(j, outcome);
  j.append(",\"provider\":\"traild\",\"category\":[");
  append_json_string(j, category);
  j.append("],\"type\":[");
  append_json_string(j, type);
  j.append("]},\"message\":");
  append_json_string(j, message);
  j.append(",\"process\":{\"pid\":");
  append_int(j, ::getpid());
  j.append(",\"name\":\"traild\"},\"service\":{\"name\":\"traild\",\"version\":\"" TRAILD_VERSION "\"}");
  j.append(extra);
  j.push_back('}');
  return j;
}

class Server {
 public:
  Server(const Config& config, std::string config_path)
      : config_(config),
        config_path_(std::move(config_path)),
        signals_(io_, SIGTERM, SIGINT, SIGHUP),
        quarantine_(Filesystem::real(), {config.quarantine.directory, "rejected",
                                         config.state_directory + "/quarantine.state", config.quarantine.rotate,
                                         config.quarantine.retention, 0640, config.output.page_cache_window}),
        recent_(config.output.dedup_window) {}

  int run() {
    if (int r = make_directories(config_.state_directory, 0750); r != 0)
      throw std::runtime_error("cannot create state_directory " + config_.state_directory + ": " + std::strerror(-r));
    if (!config_.integrity.signing_key_pem.empty()) {
      std::string error;
      signer_ = Signer::from_pem(config_.integrity.signing_key_pem, error);
      if (!signer_) throw std::runtime_error("integrity.signing_key: " + error);
    }
    trails_.emplace(Filesystem::real(), config_, signer_.get());
    const int64_t now = now_unix_ms();
    quarantine_.recover(0, now);
    const std::vector<TrailStart> starts = open_trails(now);
    if (!starts.front().tail.newest_ends_cleanly)
      spdlog::warn("trail: the newest file ends with an incomplete line (a crash?); it stays closed and a new file starts");
    spdlog::info("trail: resuming at event.sequence {} with {} recent event ids{}", starts.front().next_sequence,
                 recent_.size(),
                 starts.size() > 1 ? " and " + std::to_string(starts.size() - 1) + " tenants' trails" : std::string());

    writer_.emplace(*trails_, quarantine_, config_.output.durability,
                    Writer::Callbacks{
                        [this](uint64_t id, size_t bytes) {
                          boost::asio::post(io_, [this, id, bytes] { on_durable(id, bytes); });
                        },
                        [this](const std::string& stream, const std::string& directory,
                               const std::vector<Deletion>& deleted) {
                          boost::asio::post(io_, [this, stream, directory, deleted] {
                            record_deletions(stream, directory, deleted);
                          });
                        }});
    writer_->set_chain_key(config_.integrity.key);
    writer_->set_checkpoint_interval(config_.integrity.checkpoint_interval_ms);
    writer_->keep_recent_events(config_.output.dedup_window);
    pipeline_.emplace(config_, *writer_, recent_, local_hostname(),
                      [this](const std::string& tenant, std::string& error) { return open_tenant(tenant, error); });
    for (const TrailStart& start : starts) pipeline_->add_trail(start, trails_->at(start.index).tenant);
    writer_->start();

    const ActivatedSockets activated =
        take_activated_sockets({config_.listen.stream, config_.listen.datagram, config_.listen.control});
    owns_stream_ = activated.stream < 0;
    owns_datagram_ = activated.datagram < 0;
    owns_control_ = activated.control < 0;
    if (activated.stream >= 0 || activated.datagram >= 0)
      spdlog::info("socket activation: stream {}, datagram {}", activated.stream >= 0 ? "from systemd" : "bound here",
                   activated.datagram >= 0 ? "from systemd" : "bound here");
    if (!config_.listen.stream.empty() || activated.stream >= 0) {
      int fd = activated.stream >= 0 ? activated.stream
                                     : bind_unix_socket(config_.listen.stream, SOCK_STREAM, config_.listen.mode,
                                                        config_.listen.group);
      stream_.emplace(io_, fd, *pipeline_, config_.input.max_event_bytes, config_.listen);
      stream_->start();
    }
    if (!config_.listen.datagram.empty() || activated.datagram >= 0) {
      int fd = activated.datagram >= 0 ? activated.datagram
                                       : bind_unix_socket(config_.listen.datagram, SOCK_DGRAM, config_.listen.mode,
                                                          config_.listen.group);
      datagram_.emplace(io_, fd, *pipeline_, config_.input.max_event_bytes);
      datagram_->set_allow(config_.listen.allow_datagram);
      datagram_->start();
    }
    if (!config_.listen.control.empty() || activated.control >= 0) {
      int fd = activated.control >= 0 ? activated.control
                                      : bind_unix_socket(config_.listen.control, SOCK_STREAM, config_.listen.mode,
                                                         config_.listen.group);
      control_.emplace(io_, fd, [this] { return prometheus_text(metrics_snapshot()); });
      control_->start();
    }
    wait_signal();
    report_rate_limit_drops();
    uint64_t watchdog_usec = 0;
    watchdog_ms_ = sd_watchdog_enabled(0, &watchdog_usec) > 0 ? static_cast<int64_t>(watchdog_usec / 1000) : 0;
    notify_status();
    write_metrics_periodically();
    pipeline_->emit_internal(internal_event("traild-start", "process", "start",
                                            "traild " TRAILD_VERSION " started"));
    for (const std::string& alert : integrity_alerts_)
      pipeline_->emit_internal(internal_event("traild-integrity-alert", "process", "info", alert, {}, "failure"));
    for (const std::string& why : unavailable_tenants_)
      pipeline_->emit_internal(internal_event("traild-tenant-unavailable", "process", "info", why, {}, "failure"));
    pipeline_->submit_if_writer_idle();
    spdlog::info("traild {} listening on {} {} writing to {}", TRAILD_VERSION, config_.listen.stream,
                 config_.listen.datagram, config_.output.directory);
    sd_notify(0, "READY=1");
    io_.run();

    writer_->stop();
    write_metrics();  // the final counts
    remove_sockets();
    spdlog::info("traild stopped: {} accepted, {} rejected, {} resends recognised", pipeline_->stats().accepted,
                 pipeline_->stats().rejected, pipeline_->stats().resent);
    return 0;
  }

 private:
  // STATUS= with live counters, and WATCHDOG=1 while the writer thread is alive: it goes
  // round its loop at least once a second, so a stale heartbeat means it is stuck in a
  // system call, and withholding the ping lets systemd restart traild.
  void notify_status() {
    const int64_t interval = watchdog_ms_ > 0 ? std::max<int64_t>(watchdog_ms_ / 2, 10) : 5000;
    status_timer_.expires_after(std::chrono::milliseconds(interval));
    status_timer_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping_) return;
      const auto& st = pipeline_->stats();
      std::string status = "STATUS=accepted " + std::to_string(st.accepted) + ", rejected " +
                           std::to_string(st.rejected) + ", resent " + std::to_string(st.resent) +
                           ", connections " + std::to_string(stream_ ? stream_->connections() : 0) +
                           ", write errors " + std::to_string(writer_->io_errors());
      const int64_t stuck_after = std::max<int64_t>(watchdog_ms_, 3000);
      if (watchdog_ms_ > 0 && now_unix_ms() - writer_->heartbeat_ms() < stuck_after) status += "\nWATCHDOG=1";
      sd_notify(0, status.c_str());
      notify_status();
    });
  }

  MetricsSnapshot metrics_snapshot() const {
    MetricsSnapshot m;
    m.pipeline = pipeline_->stats();
    if (stream_) {
      m.stream = stream_->stats();
      m.connections = stream_->connections();
    }
    if (datagram_) {
      m.datagrams_not_allowed = datagram_->refused();
      m.datagrams_rate_limited = datagram_->rate_limited();
    }
    m.queue_bytes = pipeline_->queued_bytes();
    m.tenants = pipeline_->tenants();
    m.write_errors = writer_->io_errors();
    m.writer = writer_->stats();
    return m;
  }

  // metrics.textfile, rewritten atomically (temporary file, fdatasync, rename) so the
  // textfile collector never reads half of it.
  void write_metrics() {
    if (config_.metrics.textfile.empty()) return;
    const int r = Filesystem::real().replace_file(config_.metrics.textfile, prometheus_text(metrics_snapshot()));
    if (r != 0 && !metrics_failing_)
      spdlog::warn("metrics: cannot write {}: {}", config_.metrics.textfile, std::strerror(-r));
    metrics_failing_ = r != 0;
  }

  void write_metrics_periodically() {
    if (config_.metrics.textfile.empty()) return;
    write_metrics();
    metrics_timer_.expires_after(std::chrono::milliseconds(config_.metrics.interval_ms));
    metrics_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec && !stopping_) write_metrics_periodically();
    });
  }

  // Once per interval, one traild-rate-limit event per uid whose datagrams were dropped.
  void report_rate_limit_drops() {
    rate_report_.expires_after(std::chrono::seconds(10));
    rate_report_.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping_) return;
      emit_rate_limit_drops();
      pipeline_->submit_if_writer_idle();
      report_rate_limit_drops();
    });
  }

  void emit_rate_limit_drops() {
    for (const auto& [uid, dropped] : pipeline_->rate_limiter().take_dropped()) {
      const std::string who = std::to_string(uid);
      spdlog::warn("rate limit: dropped {} datagrams from uid {}", dropped, who);
      pipeline_->emit_internal(internal_event(
          "traild-rate-limit", "process", "info",
          "dropped " + std::to_string(dropped) + " datagrams from uid " + who + " over input.rate_limit",
          ",\"user\":{\"id\":\"" + who + "\"},\"traild\":{\"dropped\":" + std::to_string(dropped) + "}",
          "failure"));
    }
  }

  void wait_signal() {
    signals_.async_wait([this](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        reload();
        wait_signal();
      } else {
        begin_shutdown(sig);
      }
    });
  }

  void begin_shutdown(int sig) {
    if (stopping_) return;
    stopping_ = true;
    sd_notify(0, "STOPPING=1");
    spdlog::info("{} received: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    if (datagram_) datagram_->drain();
    if (stream_) stream_->drain();
    rate_report_.cancel();
    status_timer_.cancel();
    metrics_timer_.cancel();
    emit_rate_limit_drops();
    pipeline_->emit_internal(internal_event("traild-stop", "process", "end", "traild stopping"));
    pipeline_->submit_if_writer_idle();
    maybe_finish();
  }

  void maybe_finish() {
    if (!stopping_ || !pipeline_->all_durable()) return;
    if (stream_) stream_->close_all();
    if (datagram_) datagram_->close();
    if (control_) control_->stop();
    signals_.cancel();
    io_.stop();
  }

  void on_durable(uint64_t id, size_t bytes) {
    pipeline_->on_durable(id, bytes);
    if (stream_) stream_->on_durable();
    if (datagram_ && !stopping_ && !pipeline_->backlogged()) datagram_->resume();
    maybe_finish();
  }

  // The host's trail, then every tenant's trail already in output.directory (up to
  // output.max_tenants, most recently written first), with the newest event ids of all of
  // them remembered so a resend after a restart is recognised whichever trail holds it.
  std::vector<TrailStart> open_trails(int64_t now_ms) {
    std::vector<TrailStart> starts;
    RecentIdsCollector ids(config_.output.dedup_window);
    auto opened = [&](TrailStart start) {
      if (!start.integrity_alert.empty()) {
        spdlog::error("integrity: {}", start.integrity_alert);
        integrity_alerts_.push_back(start.integrity_alert);
      }
      ids.add(std::move(start.tail.recent_ids), start.tail.recent_created_ms);
      start.tail.recent_ids.clear();
      starts.push_back(std::move(start));
    };
    opened(trails_->open("", config_.output.dedup_window, now_ms));
    if (!config_.output.route_by.empty()) {
      std::vector<std::string> tenants = trails_->existing_tenants();
      if (tenants.size() > config_.output.max_tenants) {
        spdlog::error("output.directory holds {} tenants' trails, more than output.max_tenants ({}); events for "
                      "the {} written to least recently are rejected until it is raised",
                      tenants.size(), config_.output.max_tenants, tenants.size() - config_.output.max_tenants);
        tenants.resize(config_.output.max_tenants);
      }
      for (const std::string& tenant : tenants) {
        // One tenant's broken trail must not keep every other trail from being written: it
        // is left closed, and its events are refused (quarantined) until it opens again.
        try {
          opened(trails_->open(tenant, config_.output.dedup_window, now_ms));
        } catch (const std::exception& e) {
          const std::string why = "cannot open the trail of tenant " + tenant + ": " + e.what() +
                                  "; its events are rejected as unroutable until it can be opened";
          spdlog::error("trail: {}", why);
          unavailable_tenants_.push_back(why);
          last_open_error_ms_[tenant] = now_ms;
        }
      }
    }
    ids.insert_into(recent_);
    return starts;
  }

  // A tenant seen for the first time while running.
  std::optional<TrailStart> open_tenant(const std::string& tenant, std::string& error) {
    try {
      TrailStart start = trails_->open(tenant, config_.output.dedup_window, now_unix_ms());
      for (const std::string& id : start.tail.recent_ids) recent_.insert(id);
      if (!start.integrity_alert.empty()) {
        spdlog::error("integrity: {}", start.integrity_alert);
        // Recorded after the event being routed: the pipeline is in the middle of it.
        boost::asio::post(io_, [this, alert = start.integrity_alert] {
          pipeline_->emit_internal(internal_event("traild-integrity-alert", "process", "info", alert, {}, "failure"));
          pipeline_->submit_if_writer_idle();
        });
      }
      spdlog::info("trail: writing tenant {}'s events to {}/{}", tenant, config_.output.directory, tenant);
      return start;
    } catch (const std::exception& e) {
      error = e.what();
      // Every event for the tenant retries; its rejections are quarantined one by one, the
      // log says it once a minute.
      const int64_t now = now_unix_ms();
      if (last_open_error_ms_.size() >= 1024) last_open_error_ms_.clear();  // hostile values stay bounded
      int64_t& last = last_open_error_ms_[tenant];
      if (now - last >= 60'000) {
        spdlog::error("trail: cannot open the trail of tenant {}: {}", tenant, error);
        last = now;
      }
      return std::nullopt;
    }
  }

  void record_deletions(const std::string& stream, const std::string& dir, const std::vector<Deletion>& deleted) {
    for (const auto& d : deleted) {
      std::string extra = ",\"file\":{\"name\":";
      append_json_string(extra, d.file.name);
      extra.append(",\"directory\":");
      append_json_string(extra, dir);
      extra.append(",\"size\":");
      append_uint(extra, d.file.size);
      extra.append("},\"traild\":{\"retention\":{\"stream\":");
      append_json_string(extra, stream);
      extra.append(",\"reason\":");
      append_json_string(extra, d.reason);
      if (d.sequences_known) {
        extra.append(",\"first_sequence\":");
        append_uint(extra, d.first_sequence);
        extra.append(",\"last_sequence\":");
        append_uint(extra, d.last_sequence);
      }
      extra.append("}}");
      pipeline_->emit_internal(internal_event("traild-retention-delete", "file", "deletion",
                                              "retention deleted " + d.file.name + " (" + d.reason + ")", extra));
    }
    pipeline_->submit_if_writer_idle();
  }

  void reload() {
    sd_notify(0, "RELOADING=1");
    ConfigLoad load = load_config_file(config_path_);
    if (!load.config) {
      for (const auto& e : load.errors) spdlog::error("reload: {}", e);
      spdlog::error("reload: the configuration has errors; keeping the running one");
      std::string msg = "reload refused: " + (load.errors.empty() ? std::string("unknown error") : load.errors[0]);
      pipeline_->emit_internal(internal_event("traild-reload", "configuration", "change", msg, {}, "failure"));
    } else {
      apply(*load.config);
      pipeline_->emit_internal(internal_event("traild-reload", "configuration", "change", "configuration reloaded"));
    }
    pipeline_->submit_if_writer_idle();
    sd_notify(0, "READY=1");
  }

  void apply(const Config& next) {
    // Everything applies at once except what needs new sockets or directories: start from
    // the new file and keep each restart-only setting (warning when it changed), so a new
    // key can never be silently left out of a reload.
    Config applied = next;
    auto restart_only = [&](const char* key, auto member) {
      if (member(applied) != member(config_))
        spdlog::warn("reload: {} changed; it takes effect when traild restarts", key);
      member(applied) = member(config_);
    };
    restart_only("listen.stream", [](Config& c) -> auto& { return c.listen.stream; });
    restart_only("listen.datagram", [](Config& c) -> auto& { return c.listen.datagram; });
    restart_only("listen.control", [](Config& c) -> auto& { return c.listen.control; });
    restart_only("listen.mode", [](Config& c) -> auto& { return c.listen.mode; });
    restart_only("listen.group", [](Config& c) -> auto& { return c.listen.group; });
    restart_only("output.directory", [](Config& c) -> auto& { return c.output.directory; });
    restart_only("output.prefix", [](Config& c) -> auto& { return c.output.prefix; });
    // Which trail an event belongs to must not change under a running trail set.
    restart_only("output.route_by", [](Config& c) -> auto& { return c.output.route_by; });
    // One file holds one line format, as the shippers reading it expect.
    restart_only("output.format", [](Config& c) -> auto& { return c.output.format; });
    restart_only("output.dedup_window", [](Config& c) -> auto& { return c.output.dedup_window; });
    restart_only("output.page_cache_window", [](Config& c) -> auto& { return c.output.page_cache_window; });
    restart_only("quarantine.directory", [](Config& c) -> auto& { return c.quarantine.directory; });
    restart_only("state_directory", [](Config& c) -> auto& { return c.state_directory; });
    // The chain and the digest keep one key per run, so a verifier needs one key per range.
    restart_only("integrity.key_file", [](Config& c) -> auto& { return c.integrity.key; });
    restart_only("integrity.signing_key", [](Config& c) -> auto& { return c.integrity.signing_key_pem; });
    restart_only("integrity.checkpoint_interval", [](Config& c) -> auto& { return c.integrity.checkpoint_interval_ms; });
    config_ = applied;
    metrics_timer_.cancel();  // metrics.* may have changed: restart the schedule
    write_metrics_periodically();
    spdlog::set_level(spdlog::level::from_str(config_.log.level));
    pipeline_->reconfigure(config_);
    if (stream_) {
      stream_->set_max_event_bytes(config_.input.max_event_bytes);
      stream_->set_limits(config_.listen);
    }
    if (datagram_) {
      datagram_->set_max_event_bytes(config_.input.max_event_bytes);
      datagram_->set_allow(config_.listen.allow_datagram);
    }
    writer_->set_durability(config_.output.durability);
    trails_->set_policy(config_.output.rotate, config_.output.retention);
    writer_->set_policies(config_.output.rotate, config_.output.retention, config_.quarantine.rotate,
                          config_.quarantine.retention);
    spdlog::info("reload: configuration applied");
  }

  // Socket files systemd created stay: it keeps listening on them across restarts.
  void remove_sockets() {
    if (owns_stream_ && !config_.listen.stream.empty()) ::unlink(config_.listen.stream.c_str());
    if (owns_datagram_ && !config_.listen.datagram.empty()) ::unlink(config_.listen.datagram.c_str());
    if (owns_control_ && !config_.listen.control.empty()) ::unlink(config_.listen.control.c_str());
  }

  Config config_;
  bool owns_stream_ = true;  // bound by traild (removed at exit), not passed by systemd
  bool owns_datagram_ = true;
  bool owns_control_ = true;
  std::string config_path_;
  boost::asio::io_context io_{1};
  boost::asio::signal_set signals_;
  boost::asio::steady_timer rate_report_{io_};
  boost::asio::steady_timer status_timer_{io_};
  boost::asio::steady_timer metrics_timer_{io_};
  bool metrics_failing_ = false;
  int64_t watchdog_ms_ = 0;  // WatchdogSec= as systemd set it; 0: no watchdog
  FileStream quarantine_;
  RecentIds recent_;
  std::unique_ptr<Signer> signer_;
  std::optional<TrailSet> trails_;
  std::vector<std::string> integrity_alerts_;  // found at start-up, recorded in the trail
  std::vector<std::string> unavailable_tenants_;  // trails that failed to open at start-up, ditto
  std::unordered_map<std::string, int64_t> last_open_error_ms_;  // per tenant, to log failures once a minute
  std::optional<Writer> writer_;
  std::optional<Pipeline> pipeline_;
  std::optional<StreamListener> stream_;
  std::optional<DatagramListener> datagram_;
  std::optional<ControlListener> control_;
  bool stopping_ = false;
};

}  // namespace

int run_server(const Config& config, const std::string& config_path) {
  Server server(config, config_path);
  return server.run();
}

}  // namespace traild
