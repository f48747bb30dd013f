// What trailctl ui answers, apart from the sockets: token checks, the embedded page, and the
// read-only JSON API, which is trailctl query's engine and parameter parser (see docs/ui.md).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "ctl/query/request.hpp"

namespace traild::ctl {

struct UiRequest {
  std::string method;
  std::string target;         // origin-form, "/api/events?actor=alice"
  std::string cookie;         // the Cookie header
  std::string authorization;  // the Authorization header
  std::string peer;           // the client's address, for export records
};

struct UiResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type
};

struct UiSettings {
  std::string directory;  // the trail
  std::string token;      // what every request must carry
  std::string socket;     // traild's socket, to record exports
  std::string cookie_name;
  // The most events one download may hold: an export is built in memory, so this bounds
  // trailctl ui's memory (about 1 KiB per event at most). Larger ones are refused with a
  // hint to narrow the filters or use trailctl query --output.
  size_t max_export = 250'000;
};

class UiRoutes {
 public:
  explicit UiRoutes(UiSettings settings) : settings_(std::move(settings)) {}

  // Answers one request. Safe to call from several threads at once.
  UiResponse answer(const UiRequest& request) const;

  // The cookie carrying the token (one per port: cookies do not tell ports apart).
  static std::string cookie_name_for_port(unsigned port);

 private:
  bool token_matches(const std::string& candidate) const;
  UiResponse query(const UiRequest& request, const std::vector<QueryParam>& params, bool whole_export) const;

  UiSettings settings_;
};

}  // namespace traild::ctl
