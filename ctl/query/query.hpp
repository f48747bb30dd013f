// The query engine of trailctl query (and, later, trailctl ui): scans the trail files under a
// directory, keeps the events inside the time window that pass every filter, sorts them and
// cuts one page.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ctl/query/filter.hpp"

namespace traild::ctl {

// A position in the sort order: the sort key of one event and its event.sequence. Cursors
// are these, encoded; they stay valid while the trail grows because they name a key, not
// an offset.
struct SortKey {
  int rank = 2;  // 0 number (and RFC 3339 times), 1 string, 2 field missing
  double number = 0;
  std::string text;
  uint64_t sequence = 0;
  // event.id: the last tie-breaker. Tenants' trails (output.route_by) each number their
  // events from 1, so two events of one millisecond can share a sequence.
  std::string id;
};

// An opaque cursor for `key` under sort field `field`, and back (nullopt when malformed or
// made for another sort field).
std::string encode_cursor(const std::string& field, const SortKey& key);
std::optional<SortKey> decode_cursor(const std::string& field, const std::string& cursor);

struct QueryOptions {
  std::string directory;
  std::optional<int64_t> since_ms;  // @timestamp >= since
  std::optional<int64_t> until_ms;  // @timestamp < until
  std::vector<Filter> filters;      // all must match
  std::string sort_field = "@timestamp";
  bool reverse = false;             // oldest (smallest) first instead of newest first
  size_t offset = 0;
  std::optional<size_t> limit;      // none: every match
  // Keyset paging, as MAAS's after/before: only events whose key is greater than `after`
  // (the `limit` nearest to it) or less than `before`.
  std::optional<SortKey> after;
  std::optional<SortKey> before;
};

struct QueryResult {
  size_t matched = 0;               // events that passed the window and filters, in the files read
  bool complete = true;             // false: files that could not change the page were left unread,
                                    // so `matched` is a lower bound
  std::vector<std::string> events;  // the page, in order, each one JSON object
  std::string next;                 // cursor for the events after this page (greater keys)
  std::string prev;                 // cursor for the events before it (smaller keys)
  size_t skipped_lines = 0;         // torn or corrupt lines, reported on `warnings`
  size_t files_read = 0;
  size_t files_unreadable = 0;      // listed but not readable (permissions, I/O): the answer
                                    // lacks their events, and trailctl query exits 1
  size_t files_pruned = 0;          // skipped unread: their recorded range misses the window, or
                                    // cannot hold an event for the page
};

// Runs the query. Torn or corrupt lines are skipped and reported (file and line) on
// `warnings`; an unreadable directory is reported there too and yields no events.
QueryResult run_query(const QueryOptions& options, std::ostream& warnings);

}  // namespace traild::ctl
