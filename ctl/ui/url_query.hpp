// Splitting an HTTP request target ("/api/events?actor=alice&where=event.outcome%20%3D%3D%20failure")
// into its path and decoded parameters. Written here because Boost.URL arrived in Boost 1.81
// and Debian 12 ships 1.74; it is small, and fuzzed (fuzz/url_query_fuzz.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ctl/query/request.hpp"

namespace traild::ctl {

struct RequestTarget {
  std::string path;                // percent-decoded
  std::vector<QueryParam> params;  // in order; a name may repeat (several `where`)
};

// Percent-decodes `text`, and '+' to a space when `plus_is_space` (form encoding, as browsers
// send query strings). nullopt for a malformed escape or a decoded NUL.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// nullopt when the target is not origin-form ("/..."), or holds a malformed escape.
std::optional<RequestTarget> parse_request_target(std::string_view target);

}  // namespace traild::ctl
